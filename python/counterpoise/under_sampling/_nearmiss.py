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
from sklearn.utils._param_validation import Interval

from ..utils._containers import take_rows
from ..utils._neighbours import NEIGHBOURS_PARAM, kneighbors, minority_class
from ..utils._validation import check_neighbors_object
from .base import BaseUnderSampler


def _k(n_neighbors) -> int:
    return int(getattr(n_neighbors, "n_neighbors", n_neighbors))


class NearMiss(BaseUnderSampler):
    """Under-sample by distance to the minority class (NearMiss 1, 2 or 3).

    Keeps, in each class to under-sample, the samples chosen by one of Mani and
    Zhang's three heuristics. Version 1 keeps the samples whose ``n_neighbors``
    nearest minority samples are closest on average; version 2 the samples
    whose ``n_neighbors`` farthest minority samples are closest on average;
    version 3 first keeps, for each minority sample, its ``n_neighbors_ver3``
    nearest samples of the class, then among those the ones whose
    ``n_neighbors`` nearest minority samples are farthest on average. Ties in
    the average keep their input order (stable sorts, as imbalanced-learn).

    Parameters
    ----------
    sampling_strategy : float, str, dict or callable, default='auto'
        Which classes to under-sample and to how many samples. A float is the
        desired ratio of minority to majority samples after resampling (binary
        problems only); 'majority', 'not minority', 'not majority', 'all' or
        'auto' (= 'not minority') name the classes to reduce to the minority's
        count; a dict maps each targeted class to the number of samples to
        keep; a callable takes ``y`` and returns such a dict.
    version : {1, 2, 3}, default=1
        Which NearMiss heuristic to use.
    n_neighbors : int or estimator object, default=3
        Number of minority neighbours whose distances are averaged. An
        estimator with scikit-learn's ``kneighbors`` API is accepted as in
        imbalanced-learn; its ``n_neighbors`` is used and the exact search runs
        in the Rust engine.
    n_neighbors_ver3 : int or estimator object, default=3
        Version 3 only: number of nearest samples of the class kept as
        candidates for each minority sample; an estimator counts by its
        ``n_neighbors``, as for ``n_neighbors``.
    n_jobs : int, default=None
        Accepted for compatibility with imbalanced-learn; the searches run on
        every core whatever its value (``RAYON_NUM_THREADS`` limits it).

    Attributes
    ----------
    sampling_strategy_ : dict
        Each class to under-sample mapped to the number of samples to keep.
    nn_ : estimator object
        ``NearestNeighbors(n_neighbors=n_neighbors)`` for an int or a clone of
        the given estimator (imbalanced-learn's attribute; the search itself
        runs in the Rust engine).
    nn_ver3_ : estimator object
        Version 3 only: the same for ``n_neighbors_ver3``.
    sample_indices_ : ndarray of shape (n_new_samples,)
        Indices of the kept samples in the input.
    n_features_in_ : int
        Number of features seen during ``fit_resample``.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Feature names seen during ``fit_resample``; defined only when ``X`` has
        string column names.

    See Also
    --------
    RandomUnderSampler : Keep a random subset of each class.
    ClusterCentroids : Replace each class with cluster centres.

    References
    ----------
    .. [1] I. Mani and I. Zhang, "kNN approach to unbalanced data
       distributions: a case study involving information extraction," in
       Proceedings of the ICML Workshop on Learning from Imbalanced Datasets,
       2003.

    Examples
    --------
    >>> from collections import Counter
    >>> from sklearn.datasets import make_classification
    >>> from counterpoise.under_sampling import NearMiss
    >>> X, y = make_classification(n_samples=1000, n_features=4, n_informative=3,
    ...                            n_redundant=1, n_clusters_per_class=1,
    ...                            weights=[0.9, 0.1], flip_y=0, random_state=0)
    >>> sorted(Counter(y.tolist()).items())
    [(0, 900), (1, 100)]
    >>> X_res, y_res = NearMiss().fit_resample(X, y)
    >>> sorted(Counter(y_res.tolist()).items())
    [(0, 100), (1, 100)]
    """

    _parameter_constraints: dict = {
        **BaseUnderSampler._parameter_constraints,
        "version": [Interval(numbers.Integral, 1, 3, closed="both")],
        "n_neighbors": NEIGHBOURS_PARAM,
        "n_neighbors_ver3": NEIGHBOURS_PARAM,
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
