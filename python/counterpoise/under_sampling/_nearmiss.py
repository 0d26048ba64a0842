"""NearMiss 1, 2 and 3 (Mani & Zhang, 2003): a drop-in for imblearn's ``NearMiss``.

Version 1 keeps the rows of each class to under-sample whose n_neighbors nearest
minority rows are closest on average; version 2 uses the n_neighbors farthest of
all minority rows; version 3 first keeps, for every minority row, its
n_neighbors_ver3 nearest rows of the class, then the candidates whose nearest
minority rows are farthest. Orders are stable sorts of the distance sums, exactly
imblearn's, so ties keep their row order.
"""

from __future__ import annotations

import numbers
import warnings

import numpy as np
from sklearn.utils._param_validation import HasMethods, Interval

from ..utils._containers import take_rows
from ..utils._neighbours import kneighbors, minority_class
from ..utils._validation import check_neighbors_object
from .base import BaseUnderSampler

_NEIGHBOURS = [
    Interval(numbers.Integral, 1, None, closed="left"),
    HasMethods(["kneighbors", "kneighbors_graph"]),
]


def _k(n_neighbors) -> int:
    return int(getattr(n_neighbors, "n_neighbors", n_neighbors))


class NearMiss(BaseUnderSampler):
    """Under-sample by distance to the minority class.

    Attributes
    ----------
    sampling_strategy_ : dict
    nn_ : estimator object
    nn_ver3_ : estimator object (version 3 only)
    sample_indices_ : ndarray
    """

    _parameter_constraints: dict = {
        **BaseUnderSampler._parameter_constraints,
        "version": [Interval(numbers.Integral, 1, 3, closed="both")],
        "n_neighbors": _NEIGHBOURS,
        "n_neighbors_ver3": _NEIGHBOURS,
        "n_jobs": [numbers.Integral, None],
    }

    def __init__(
        self,
        *,
        sampling_strategy="auto",
        version=1,
        n_neighbors=3,
        n_neighbors_ver3=3,
        n_jobs=None,
    ):
        super().__init__(sampling_strategy=sampling_strategy)
        self.version = version
        self.n_neighbors = n_neighbors
        self.n_neighbors_ver3 = n_neighbors_ver3
        self.n_jobs = n_jobs

    def _select(self, dist, n_samples, farthest):
        score = np.sum(dist[:, -_k(self.n_neighbors) :], axis=1)
        order = np.argsort(-score if farthest else score, kind="stable")
        if order.size < n_samples:
            warnings.warn(
                "The number of the samples to be selected is larger than the number "
                "of samples available. The balancing ratio cannot be ensure and all "
                "samples will be returned.",
                stacklevel=3,
            )
        return order[:n_samples]

    def _fit_resample(self, X, y):
        self.nn_ = check_neighbors_object("n_neighbors", self.n_neighbors)
        if self.version == 3:
            self.nn_ver3_ = check_neighbors_object(
                "n_neighbors_ver3", self.n_neighbors_ver3
            )
        class_minority, target_stats = minority_class(y)
        minority = X[np.flatnonzero(y == class_minority)]
        k = _k(self.n_neighbors)
        kept = []
        for target_class in np.unique(y):
            rows = np.flatnonzero(y == target_class)
            if target_class in self.sampling_strategy_:
                n_samples = self.sampling_strategy_[target_class]
                X_class = X[rows]
                if self.version == 1:
                    dist, _ = kneighbors(minority, X_class, k)
                    chosen = self._select(dist, n_samples, farthest=False)
                elif self.version == 2:
                    dist, _ = kneighbors(
                        minority, X_class, target_stats[class_minority]
                    )
                    chosen = self._select(dist, n_samples, farthest=False)
                else:
                    _, idx = kneighbors(X_class, minority, _k(self.n_neighbors_ver3))
                    candidates = np.unique(idx.reshape(-1))
                    dist, _ = kneighbors(minority, X_class[candidates], k)
                    chosen = candidates[self._select(dist, n_samples, farthest=True)]
                rows = rows[chosen]
            kept.append(rows)
        self.sample_indices_ = np.concatenate(kept).astype(np.int64)
        return take_rows(X, self.sample_indices_), y[self.sample_indices_]
