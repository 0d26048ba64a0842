"""scikit-learn's ``KMeans`` with its default algorithm computed in Rust.

``KMeans`` here is ``sklearn.cluster.KMeans`` (same parameters, attributes,
``predict``/``transform``; ``isinstance(est, sklearn.cluster.KMeans)`` holds) whose
``fit`` runs k-means++ seeding and Lloyd's iterations in counterpoise's core when
the settings are scikit-learn's defaults (``init='k-means++'``, ``n_init`` 'auto'
or 1, ``algorithm='lloyd'``, dense input, no ``sample_weight``); any other setting
is scikit-learn's own ``fit``.

The Rust path draws scikit-learn's random numbers in scikit-learn's order and
follows its algorithm step for step (centring, the ``2 + ln k`` local trials scored
by the expanded distance ``|x|^2 - 2 x.c + |c|^2`` as scikit-learn scores them, the
tolerance rule, the final assignment, empty-cluster relocation), assigning rows by
exact distances. So for the same seed it picks the same initial centres and ends at
the same centres up to rounding, unless distances tie exactly (duplicated rows,
integer grids, or two k-means++ candidates leaving the same potential):
scikit-learn breaks those ties by its BLAS rounding, so its own result there
depends on the BLAS build; ours keeps the first drawn.
What makes it fast: float32 screens with proven error bounds (vectorised, all
cores) find the few rows a k-means++ candidate could take and the rows whose
nearest centre is not clear, and only those are computed in float64; Lloyd's
iterations skip every row, or group of centres, that Yinyang bounds prove cannot
change a row's centre. The screens decide only what is computed exactly, so the
result is the same on any machine and for any thread count. float32 input is
computed in float64 and the centres returned as float32. Data whose squared
distances would overflow or underflow (values near 1e308, 1e-300, subnormals) are
clustered scaled by an exact power of two and the centres scaled back.
"""

from __future__ import annotations

import warnings

import numpy as np
from scipy import sparse
from sklearn.cluster import KMeans as _SklearnKMeans
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils._openmp_helpers import _openmp_effective_n_threads
from sklearn.utils.validation import validate_data

from .. import _core
from ._threads import threads_for
from ._validation import check_random_state


class KMeans(_SklearnKMeans):
    """``sklearn.cluster.KMeans`` whose default fit runs in counterpoise's core."""

    def _fast_path(self, X, sample_weight) -> bool:
        return (
            sample_weight is None
            and not sparse.issparse(X)
            and isinstance(self.init, str)
            and self.init == "k-means++"
            and self.algorithm == "lloyd"
            and self.n_init in ("auto", 1)
        )

    def fit(self, X, y=None, sample_weight=None):
        if not self._fast_path(X, sample_weight):
            return super().fit(X, y, sample_weight=sample_weight)
        self._validate_params()
        X = validate_data(
            self,
            X,
            accept_sparse=False,
            dtype=[np.float64, np.float32],
            order="C",
            copy=True,
        )
        shift = _power_of_two_shift(X)
        if shift:
            X[...] = np.ldexp(X, -shift)
        self._check_params_vs_input(X)
        random_state = check_random_state(self.random_state)
        self._n_threads = _openmp_effective_n_threads()
        n, k = X.shape[0], int(self.n_clusters)
        # scikit-learn's draws, in its order: the first centre, then 2 + ln k
        # uniforms for each further centre.
        weight = np.ones(n, dtype=X.dtype)
        X_mean = X.mean(axis=0)
        X -= X_mean
        first = int(random_state.choice(n, p=weight / weight.sum()))
        trials = 2 + int(np.log(k))
        draws = random_state.uniform(size=(k - 1) * trials)
        Xc = np.ascontiguousarray(X, dtype=np.float64)
        # one pass costs about n * k * d; Lloyd's takes a few to many
        work = n * k * max(Xc.shape[1], 1)
        rows = _core.kmeans_plusplus(
            Xc, k, first, draws, trials, n_threads=threads_for(work * trials)
        )
        centers, labels, inertia, n_iter = _core.kmeans_lloyd(
            Xc,
            Xc[rows],
            int(self.max_iter),
            float(self._tol),
            n_threads=threads_for(work * 10),
        )
        centers += X_mean
        if shift:
            centers = np.ldexp(centers, shift)
            with np.errstate(over="ignore", under="ignore"):
                inertia = float(np.ldexp(float(inertia), 2 * shift))
        distinct = len(np.unique(labels))
        if distinct < k:
            warnings.warn(
                f"Number of distinct clusters ({distinct}) found smaller "
                f"than n_clusters ({k}). Possibly due to duplicate points in X.",
                ConvergenceWarning,
                stacklevel=2,
            )
        self.cluster_centers_ = centers.astype(X.dtype, copy=False)
        self._n_features_out = k
        self.labels_ = labels
        self.inertia_ = float(inertia)
        self.n_iter_ = int(n_iter)
        return self


def _power_of_two_shift(X) -> int:
    """The exponent ``e`` such that ``X / 2**e`` has its largest magnitude near
    1, when squared distances on X would overflow (values near 1e308) or
    underflow (near 1e-300, subnormals); 0 otherwise. k-means commutes with
    scaling: the same draws pick the same centres, and scaling by a power of two
    is exact (``ldexp``), so the centres are computed on the scaled data and
    scaled back."""
    if not X.size:
        return 0
    top = float(np.max(np.abs(X)))
    if not np.isfinite(top) or top == 0.0 or 2.0**-480 < top < 2.0**480:
        return 0
    return int(np.frexp(top)[1])
