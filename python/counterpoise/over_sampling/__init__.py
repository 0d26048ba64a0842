"""Over-samplers (``imblearn.over_sampling``)."""

from ._adasyn import ADASYN
from ._borderline_smote import BorderlineSMOTE
from ._kmeans_smote import KMeansSMOTE
from ._random_over_sampler import RandomOverSampler
from ._smote import SMOTE
from ._smote_nc import SMOTENC
from ._smoten import SMOTEN
from ._svm_smote import SVMSMOTE

__all__ = [
    "ADASYN",
    "BorderlineSMOTE",
    "KMeansSMOTE",
    "SMOTE",
    "SMOTEN",
    "SMOTENC",
    "SVMSMOTE",
    "RandomOverSampler",
]
