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

    Attributes
    ----------
    sampling_strategy_ : dict
    estimator_ : clustering estimator
    voting_ : str
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
                else:
                    X_class = centres
            parts_X.append(X_class)
            parts_y.append(np.full(X_class.shape[0], target_class, dtype=y.dtype))
        X_res = sparse.vstack(parts_X) if sparse.issparse(X) else np.vstack(parts_X)
        return X_res, np.concatenate(parts_y).astype(y.dtype, copy=False)
