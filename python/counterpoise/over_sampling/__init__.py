"""Over-samplers (``imblearn.over_sampling``)."""

from ._random_over_sampler import RandomOverSampler
from ._smote import SMOTE

__all__ = ["SMOTE", "RandomOverSampler"]
