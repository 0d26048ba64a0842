"""Under-samplers (``imblearn.under_sampling``)."""

from ._random_under_sampler import RandomUnderSampler

__all__ = ["RandomUnderSampler"]
