"""Over-samplers (``imblearn.over_sampling``)."""

from ._borderline_smote import ADASYN, SVMSMOTE, BorderlineSMOTE
from ._kmeans_smote import KMeansSMOTE
from ._random_over_sampler import RandomOverSampler
from ._smote import SMOTE
from ._smote_nc import SMOTEN, SMOTENC

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
