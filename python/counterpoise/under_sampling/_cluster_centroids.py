"""Cluster centroids: a drop-in for imblearn's ``ClusterCentroids``.

Each class to under-sample is replaced by the centres of a clustering into the
requested number of clusters (``soft`` voting) or by the class row nearest each
centre (``hard``, the default for sparse input; the 1-NN search runs in Rust). The
default clusterer is imblearn's, ``KMeans(random_state=random_state)``, computed by
counterpoise's core (``counterpoise.utils._kmeans.KMeans``, a subclass of
scikit-learn's): the same seed draws the same initial centres and ends at the same
centres as imblearn's up to rounding. A user's ``estimator`` is used as given.
"""

from __future__ import annotations

import numpy as np
from scipy import sparse
from sklearn.base import clone
from sklearn.utils._param_validation import HasMethods, StrOptions

from ..utils._kmeans import KMeans
from ..utils._neighbours import kneighbors
from .base import BaseUnderSampler


class ClusterCentroids(BaseUnderSampler):
    """Under-sample by replacing each class with cluster centres.

    Each class to under-sample is clustered into as many clusters as samples
    to keep; the class is then replaced by the cluster centres (``'soft'``
    voting) or by the sample of the class nearest each centre (``'hard'``, the
    1-NN search run by the Rust engine). The default clusterer is
    imbalanced-learn's, ``KMeans(random_state=random_state)``, computed by
    counterpoise's engine: the same seed gives the same initial centres and
    ends at the same centres up to rounding. A user's ``estimator`` is used as
    given. With soft voting the output rows are new, so there is no
    ``sample_indices_``.

    Parameters
    ----------
    sampling_strategy : float, str, dict or callable, default='auto'
        Which classes to under-sample and to how many samples. A float is the
        desired ratio of minority to majority samples after resampling (binary
        problems only); 'majority', 'not minority', 'not majority', 'all' or
        'auto' (= 'not minority') name the classes to reduce to the minority's
        count; a dict maps each targeted class to the number of samples to
        keep; a callable takes ``y`` and returns such a dict.
    random_state : int, RandomState instance or None, default=None
        Seed of the default ``KMeans``; ignored when ``estimator`` is given.
    estimator : estimator object, default=None
        A clustering estimator with an ``n_clusters`` parameter and a fitted
        ``cluster_centers_`` attribute (e.g. ``KMeans`` or
        ``MiniBatchKMeans``), cloned before use. ``None`` means
        ``KMeans(random_state=random_state)``.
    voting : {'auto', 'hard', 'soft'}, default='auto'
        'hard' keeps the sample nearest each centre, 'soft' keeps the centres
        themselves; 'auto' is 'hard' for sparse input and 'soft' otherwise.

    Attributes
    ----------
    sampling_strategy_ : dict
        Each class to under-sample mapped to the number of samples to keep.
    estimator_ : estimator object
        The clustering estimator, as fitted on the last class clustered.
    voting_ : str
        The voting used, 'auto' resolved.
    n_features_in_ : int
        Number of features seen during ``fit_resample``.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Feature names seen during ``fit_resample``; defined only when ``X`` has
        string column names.

    See Also
    --------
    NearMiss : Keep samples by their distance to the minority class.
    RandomUnderSampler : Keep a random subset of each class.

    References
    ----------
    .. [1] S.-J. Yen and Y.-S. Lee, "Cluster-based under-sampling approaches for
       imbalanced data distributions," Expert Systems with Applications, 36(3),
       5718-5727, 2009.

    Examples
    --------
    >>> from collections import Counter
    >>> from sklearn.datasets import make_classification
    >>> from counterpoise.under_sampling import ClusterCentroids
    >>> X, y = make_classification(n_samples=1000, n_features=4, n_informative=3,
    ...                            n_redundant=1, n_clusters_per_class=1,
    ...                            weights=[0.9, 0.1], flip_y=0, random_state=0)
    >>> sorted(Counter(y.tolist()).items())
    [(0, 900), (1, 100)]
    >>> X_res, y_res = ClusterCentroids(random_state=0).fit_resample(X, y)
    >>> sorted(Counter(y_res.tolist()).items())
    [(0, 100), (1, 100)]
    """

    _parameter_constraints: dict = {
        **BaseUnderSampler._parameter_constraints,
        "estimator": [HasMethods(["fit", "predict"]), None],
        "voting": [StrOptions({"auto", "hard", "soft"})],
        "random_state": ["random_state"],
    }

    def __init__(
        self,
        *,
        sampling_strategy="auto",
        random_state=None,
        estimator=None,
        voting="auto",
    ):
        super().__init__(sampling_strategy=sampling_strategy)
        self.random_state = random_state
        self.estimator = estimator
        self.voting = voting

    def _validate_estimator(self):
        if self.estimator is None:
            self.estimator_ = KMeans(random_state=self.random_state)
        else:
            self.estimator_ = clone(self.estimator)
            if "n_clusters" not in self.estimator_.get_params():
                raise ValueError(
                    "`estimator` should be a clustering estimator exposing a parameter"
                    " `n_clusters` and a fitted parameter `cluster_centers_`."
                )

    def _fit_resample(self, X, y):
        self._validate_estimator()
        self.voting_ = (
            ("hard" if sparse.issparse(X) else "soft")
            if self.voting == "auto"
            else self.voting
        )
        parts_X, parts_y = [], []
        for target_class in np.unique(y):
            rows = np.flatnonzero(y == target_class)
            X_class = X[rows]
            if target_class in self.sampling_strategy_:
                n_samples = self.sampling_strategy_[target_class]
                self.estimator_.set_params(n_clusters=n_samples)
                self.estimator_.fit(X_class)
                if not hasattr(self.estimator_, "cluster_centers_"):
                    raise RuntimeError(
                        "`estimator` should be a clustering estimator exposing a "
                        "fitted parameter `cluster_centers_`."
                    )
                centres = self.estimator_.cluster_centers_
                if self.voting_ == "hard":
                    _, idx = kneighbors(X_class, centres, 1)
                    X_class = X_class[idx[:, 0]]
                elif sparse.issparse(X):
                    X_class = sparse.csr_matrix(centres, dtype=X.dtype)
                elif self.estimator is None:
                    # a mean lies inside its class's range; k-means' float sums
                    # can overshoot it by an ulp (identical rows, constant
                    # columns). A user's estimator's centres are returned as is.
                    lo, hi = X_class.min(axis=0), X_class.max(axis=0)
                    X_class = np.clip(centres, lo, hi)
                else:
                    X_class = centres
            parts_X.append(X_class)
            parts_y.append(np.full(X_class.shape[0], target_class, dtype=y.dtype))
        X_res = sparse.vstack(parts_X) if sparse.issparse(X) else np.vstack(parts_X)
        return X_res, np.concatenate(parts_y).astype(y.dtype, copy=False)
