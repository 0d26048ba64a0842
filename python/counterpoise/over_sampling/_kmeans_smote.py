"""KMeans-SMOTE (Douzas, Bacao & Last, 2018), a drop-in for
``imblearn.over_sampling.KMeansSMOTE``.

Cluster the whole data set, keep the clusters where the class to over-sample is
frequent enough (``cluster_balance_threshold``) and holds at least
``k_neighbors + 1`` rows, give each kept cluster a share of the new rows that grows
with its sparsity (mean distance between its class rows to the power
``density_exponent``, over their count), and run SMOTE inside each cluster.

The default clusterer is imblearn's (``MiniBatchKMeans(random_state=...)``), so the
same seed gives the same clusters. imblearn computes each cluster's mean distance
from the full ``m x m`` distance matrix; here the Rust engine sums the distances
pair by pair on all cores (sparse input: block by block), so memory stays bounded
for large clusters; the neighbour search and generation follow
SMOTE's. The random draws follow imblearn's order (a generator re-created from an
integer seed for every cluster), so on tie-free data the output equals imblearn's
unless a cluster's share ``n * weight`` lies within rounding of an integer (the
mean distance is summed in a different order).
"""

from __future__ import annotations

import math
import numbers

import numpy as np
from scipy import sparse
from sklearn.base import clone
from sklearn.cluster import MiniBatchKMeans
from sklearn.metrics import pairwise_distances_chunked
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions

from .. import _core
from ..utils._containers import vstack_rows
from ..utils._neighbours import as_float, kneighbors
from ..utils._validation import _plain
from ._borderline_smote import (
    _generate,
    _interpolate,
    _Provenance,
    _smote_draws,
)
from ._smote import BaseSMOTE


def _mean_pairwise_distance(X, n_jobs):
    """Mean Euclidean distance over the ordered pairs of distinct rows, without
    storing the whole distance matrix (in the Rust engine for dense data)."""
    n = X.shape[0]
    if not sparse.issparse(X):
        total = _core.sum_pairwise_distances(as_float(X))
        return np.float64(total) / np.float64(n * n - n)

    def reduce(chunk, start):
        rows = np.arange(chunk.shape[0])
        chunk[rows, start + rows] = 0  # a row's distance to itself
        return chunk.sum(axis=1)

    total = sum(
        part.sum()
        for part in pairwise_distances_chunked(
            X, reduce_func=reduce, metric="euclidean", n_jobs=n_jobs
        )
    )
    return np.float64(total) / np.float64(n * n - n)


class KMeansSMOTE(BaseSMOTE):
    """SMOTE inside the clusters where the class to over-sample is frequent.

    Parameters
    ----------
    sampling_strategy, random_state
        As in :class:`SMOTE`.
    k_neighbors : int or object, default=2
        Neighbours for SMOTE inside each cluster.
    n_jobs : int, default=None
        Jobs for the cluster distance computation.
    kmeans_estimator : int or object, default=None
        ``None``: ``MiniBatchKMeans(random_state=random_state)``; an int: that
        many clusters; or a clustering estimator with ``fit`` and ``predict``.
    cluster_balance_threshold : 'auto' or float, default='auto'
        Least share of the class in a cluster for it to be over-sampled.
    density_exponent : 'auto' or float, default='auto'
        Exponent of the mean distance in a cluster's sparsity.

    Attributes
    ----------
    sampling_strategy_ : dict
    kmeans_estimator_ : estimator
    nn_k_ : estimator object
    cluster_balance_threshold_ : 'auto' or float
    synthetic_parents_, synthetic_steps_ : ndarray
        Provenance of every synthetic row, as in SMOTE.
    n_features_in_, feature_names_in_
    """

    _parameter_constraints: dict = {
        **BaseSMOTE._parameter_constraints,
        "kmeans_estimator": [
            HasMethods(["fit", "predict"]),
            Interval(numbers.Integral, 1, None, closed="left"),
            None,
        ],
        "cluster_balance_threshold": [StrOptions({"auto"}), numbers.Real],
        "density_exponent": [StrOptions({"auto"}), numbers.Real],
        "n_jobs": [numbers.Integral, None],
    }

    def __init__(
        self,
        *,
        sampling_strategy="auto",
        random_state=None,
        k_neighbors=2,
        n_jobs=None,
        kmeans_estimator=None,
        cluster_balance_threshold="auto",
        density_exponent="auto",
    ):
        super().__init__(
            sampling_strategy=sampling_strategy,
            random_state=random_state,
            k_neighbors=k_neighbors,
        )
        self.kmeans_estimator = kmeans_estimator
        self.cluster_balance_threshold = cluster_balance_threshold
        self.density_exponent = density_exponent
        self.n_jobs = n_jobs

    def _validate_estimator(self):
        super()._validate_estimator()
        if self.kmeans_estimator is None:
            self.kmeans_estimator_ = MiniBatchKMeans(random_state=self.random_state)
        elif isinstance(self.kmeans_estimator, numbers.Integral):
            self.kmeans_estimator_ = MiniBatchKMeans(
                n_clusters=int(self.kmeans_estimator), random_state=self.random_state
            )
        else:
            self.kmeans_estimator_ = clone(self.kmeans_estimator)
        n_clusters = getattr(self.kmeans_estimator_, "n_clusters", None)
        self.cluster_balance_threshold_ = (
            self.cluster_balance_threshold if n_clusters != 1 else -np.inf
        )

    def _sparsity(self, X_class):
        n = X_class.shape[0]
        exponent = (
            math.log(n, 1.6) ** 1.8 * 0.16
            if self.density_exponent == "auto"
            else self.density_exponent
        )
        return (_mean_pairwise_distance(X_class, self.n_jobs) ** exponent) / n

    def _fit_resample(self, X, y):
        self._validate_estimator()
        total = sum(self.sampling_strategy_.values())
        min_rows = self.nn_k_.n_neighbors
        parts, labels, provenance, plan = [X], [y], _Provenance(), []
        dense = not sparse.issparse(X) and X.dtype in (np.float32, np.float64)
        for klass, n_samples in self.sampling_strategy_.items():
            if n_samples == 0:
                continue
            clusters = np.asarray(self.kmeans_estimator_.fit_predict(X))
            kept, sparsities = [], []
            n_clusters = getattr(
                self.kmeans_estimator_, "n_clusters", clusters.max() + 1
            )
            for cluster in range(n_clusters):
                members = np.flatnonzero(clusters == cluster)
                if members.size == 0:
                    continue
                share = (y[members] == klass).mean()
                threshold = (
                    n_samples / total / 2
                    if self.cluster_balance_threshold_ == "auto"
                    else self.cluster_balance_threshold_
                )
                if share < threshold or share * members.size < min_rows:
                    continue
                rows = members[y[members] == klass]
                kept.append(rows)
                sparsities.append(self._sparsity(X[rows]))
            if not kept:
                raise RuntimeError(
                    "No clusters found with sufficient samples of class "
                    f"{_plain(klass)!r}. Try lowering the cluster_balance_threshold "
                    "or increasing the number of clusters (kmeans_estimator)."
                )
            weights = np.array(sparsities) / np.sum(sparsities)
            for rows, weight in zip(kept, weights):
                X_class = X[rows]
                nns = self._neighbours(X_class)
                n_new = int(math.ceil(n_samples * weight))
                r, c, steps = _smote_draws(self.random_state, nns, n_new)
                labels.append(np.full(n_new, klass, dtype=y.dtype))
                if dense:
                    plan.append((rows, r * nns.shape[1] + c, steps.ravel(), nns))
                    continue
                targets = nns[r, c]
                parts.append(_interpolate(X_class[r], X_class[targets], steps, X.dtype))
                provenance.add(rows[r], rows[targets], steps)
        if dense:  # generated in parallel by the Rust core, as SMOTE's rows
            return _generate(self, X, plan), np.concatenate(labels)
        provenance.set_on(self)
        return vstack_rows(parts), np.concatenate(labels)

    def _neighbours(self, X_class):
        if self._uses_engine():
            dense = X_class.toarray() if sparse.issparse(X_class) else X_class
            _, nn = kneighbors(dense, dense, self.k_neighbors + 1)
            return nn[:, 1:]
        self.nn_k_.fit(X_class)
        return self.nn_k_.kneighbors(X_class, return_distance=False)[:, 1:]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags
