"""Tomek links (Tomek, 1976): a drop-in for imblearn's ``TomekLinks``.

Two rows of different classes form a link when each is the other's nearest
neighbour. Rows of the classes to clean that are in a link are removed; the rest
are kept in their original order (``sample_indices_`` ascending), as imblearn does.
One exact 1-NN search over all rows, in Rust on every core.
"""

from __future__ import annotations

import numbers

import numpy as np

from ..utils._containers import take_rows
from ..utils._neighbours import kneighbors
from .base import BaseCleaningSampler


def tomek_mask(X, y, classes) -> np.ndarray:
    """True for rows of ``classes`` that belong to a Tomek link."""
    _, idx = kneighbors(X, X, 2)
    nearest = idx[:, 1]
    mutual = nearest[nearest] == np.arange(y.shape[0])
    links = (y[nearest] != y) & mutual
    return links & np.isin(y, list(classes))


class TomekLinks(BaseCleaningSampler):
    """Remove the samples of the targeted classes that are in a Tomek link.

    Attributes
    ----------
    sampling_strategy_ : dict
    sample_indices_ : ndarray
    n_features_in_ : int
    feature_names_in_ : ndarray
    """

    _parameter_constraints: dict = {
        **BaseCleaningSampler._parameter_constraints,
        "n_jobs": [numbers.Integral, None],
    }

    def __init__(self, *, sampling_strategy="auto", n_jobs=None):
        super().__init__(sampling_strategy=sampling_strategy)
        self.n_jobs = n_jobs

    @staticmethod
    def is_tomek(y, nn_index, class_type):
        """imblearn's helper: rows of ``class_type`` linked to their 1-NN."""
        y = np.asarray(y)
        nn_index = np.asarray(nn_index)
        mutual = nn_index[nn_index] == np.arange(y.shape[0])
        return (y[nn_index] != y) & mutual & np.isin(y, list(class_type))

    def _fit_resample(self, X, y):
        links = tomek_mask(X, y, self.sampling_strategy_)
        self.sample_indices_ = np.flatnonzero(~links)
        return take_rows(X, self.sample_indices_), y[self.sample_indices_]
