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
from ..utils._neighbours import as_float, class_neighbours
from ..utils._validation import SamplingError, _plain
from ._smote_base import BaseSMOTE, _Batch, _generate, _set_provenance, _smote_draws


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
    """Over-sample with SMOTE inside the clusters where the class is frequent.

    The whole data set is clustered; clusters where the class to over-sample makes
    up at least ``cluster_balance_threshold`` of the samples (and holds at least
    ``k_neighbors + 1`` of them) are kept, each gets a share of the new samples
    that grows with its sparsity (the mean distance between its samples of the
    class to the power ``density_exponent``, over their count), and SMOTE runs
    inside each kept cluster. The default clusterer is imbalanced-learn's, so the
    same integer ``random_state`` gives the same clusters and, on data without
    distance ties, the same rows (unless a cluster's share lies within rounding
    of an integer: the mean distance is summed in a different order here, by the
    Rust engine without storing the distance matrix).

    Parameters
    ----------
    sampling_strategy : float, str, dict or callable, default='auto'
        Which classes to over-sample and to how many samples, as in
        :class:`SMOTE`.
    random_state : int, RandomState instance or None, default=None
        Seed of the random draws and of the default clusterer.
    k_neighbors : int or object, default=2
        Number of nearest same-class neighbours for SMOTE inside each cluster,
        or a neighbours estimator with ``kneighbors``.
    n_jobs : int, default=None
        Number of jobs for the mean distances of sparse clusters (dense data are
        handled by the Rust engine on all cores).
    kmeans_estimator : int or object, default=None
        ``None`` uses ``MiniBatchKMeans(random_state=random_state)``; an int, a
        ``MiniBatchKMeans`` with that many clusters; or a clustering estimator
        with ``fit`` and ``predict``.
    cluster_balance_threshold : 'auto' or float, default='auto'
        Least share of the class in a cluster for the cluster to be
        over-sampled; 'auto' is half the class's share of the new samples.
    density_exponent : 'auto' or float, default='auto'
        Exponent of the mean distance in a cluster's sparsity; 'auto' derives it
        from the number of samples of the class in the cluster
        (``0.16 * log1.6(m) ** 1.8``), as imbalanced-learn does.

    Attributes
    ----------
    sampling_strategy_ : dict
        Number of samples generated per class.
    kmeans_estimator_ : estimator object
        The clustering estimator, fitted on the last class over-sampled.
    nn_k_ : estimator object
        ``NearestNeighbors(n_neighbors=k_neighbors + 1)`` or a clone of the given
        estimator (with an int, the search runs in the Rust engine).
    cluster_balance_threshold_ : float or str
        The threshold used ('auto', the given float, or ``-inf`` when there is a
        single cluster).
    synthetic_parents_ : ndarray of shape (n_synthetic, 2)
        For synthetic row ``i``: the input row it starts from and the input row
        of the neighbour it steps towards.
    synthetic_steps_ : ndarray of shape (n_synthetic,)
        The step ``t`` of each synthetic row: ``x + t * (neighbour - x)``.
    n_features_in_ : int
        Number of features seen in ``fit_resample``.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of the features seen; defined only when ``X`` has string column names.

    See Also
    --------
    SMOTE : SMOTE over the whole class.
    BorderlineSMOTE : SMOTE from the samples on the class border.
    ADASYN : More new samples where the class is hardest to learn.

    References
    ----------
    .. [1] F. Last, G. Douzas and F. Bacao, "Oversampling for imbalanced learning
       based on k-means and SMOTE", arXiv:1711.00837, 2017; G. Douzas, F. Bacao
       and F. Last, "Improving imbalanced learning through a heuristic
       oversampling method based on k-means and SMOTE", Information Sciences,
       465, 1-20, 2018.

    Examples
    --------
    >>> from collections import Counter
    >>> from sklearn.datasets import make_classification
    >>> from counterpoise.over_sampling import KMeansSMOTE
    >>> X, y = make_classification(n_samples=1000, weights=[0.9, 0.1],
    ...                            random_state=0)
    >>> sampler = KMeansSMOTE(kmeans_estimator=5, cluster_balance_threshold=0.1,
    ...                       random_state=0)
    >>> X_res, y_res = sampler.fit_resample(X, y)
    >>> sorted(Counter(y_res.tolist()).items())
    [(0, 897), (1, 898)]
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
        batches, labels = [], [y]
        for klass, n_samples in self.sampling_strategy_.items():
            if n_samples == 0:
                continue
            clusters = np.asarray(self.kmeans_estimator_.fit_predict(_writable(X)))
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
                raise SamplingError(
                    "No clusters found with sufficient samples of class "
                    f"{_plain(klass)!r}. Try lowering the cluster_balance_threshold "
                    "or increasing the number of clusters (kmeans_estimator)."
                )
            weights = _weights(sparsities)
            for rows, weight in zip(kept, weights):
                nns = class_neighbours(
                    self.k_neighbors, self.nn_k_, X[rows], klass=klass
                )
                n_new = int(math.ceil(n_samples * weight))
                r, c, steps = _smote_draws(self.random_state, nns, n_new)
                batches.append(_Batch.from_table(rows, nns, r, c, steps))
                labels.append(np.full(n_new, klass, dtype=y.dtype))
        X_res, parents, steps = _generate(X, batches)
        _set_provenance(self, parents, steps)
        return X_res, np.concatenate(labels)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags


def _writable(X):
    """X, or a copy of it when it is a sparse matrix with a read-only buffer:
    scikit-learn's sparse k-means refuses one it accepts when writable."""
    if sparse.issparse(X) and not all(
        getattr(X, a).flags.writeable for a in ("data", "indices", "indptr")
    ):
        return X.copy()
    return X


def _weights(sparsities):
    """Each cluster's share of the new rows: its sparsity over the sum, as
    imblearn computes it; when that overflows (distances near the float64
    maximum raised to the density exponent) or every sparsity is 0, the same
    ratio computed from the logarithms."""
    sparsities = np.asarray(sparsities, dtype=np.float64)
    with np.errstate(over="ignore"):  # an overflow is handled below
        total = np.sum(sparsities)
    if np.isfinite(total) and total > 0 and np.isfinite(sparsities).all():
        return sparsities / total
    with np.errstate(divide="ignore"):
        logs = np.log(sparsities)
    if np.isneginf(logs).all():
        return np.full(sparsities.size, 1.0 / sparsities.size)
    logs = np.where(np.isnan(logs), np.inf, logs)
    if np.isposinf(logs).any():
        top = np.isposinf(logs)
        return top / top.sum()
    shifted = np.exp(logs - logs.max())
    return shifted / shifted.sum()
