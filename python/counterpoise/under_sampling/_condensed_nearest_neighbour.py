"""Condensed nearest neighbour (Hart, 1968) and one-sided selection (Kubat &
Matwin, 1997): drop-ins for imblearn's ``CondensedNearestNeighbour`` and
``OneSidedSelection``.

Both draw their seeds with ``RandomState.randint`` exactly as imblearn does, so the
same ``random_state`` keeps the same rows. CNN's default 1-NN rule is computed
incrementally: each sample added to the store updates every candidate's nearest
stored sample (one vectorised distance pass) instead of refitting and predicting
from scratch. imblearn's loop tests ``idx in good_classif_label`` where that array
mixes global row numbers (the store) and class-local positions (correctly
classified rows); this quirk is reproduced so the output is identical. The 1-NN
loop itself runs in Rust (``counterpoise._core.cnn_condense_1nn``).
"""

from __future__ import annotations

import numbers

import numpy as np
from sklearn.base import clone
from sklearn.neighbors import KNeighborsClassifier
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import HasMethods, Interval

from .. import _core
from ..utils._containers import take_rows
from ..utils._neighbours import as_float, kneighbors, knn_predict, minority_class
from ._tomek_links import TomekLinks
from .base import BaseCleaningSampler

_PARAMS = {
    **BaseCleaningSampler._parameter_constraints,
    "random_state": ["random_state"],
    "n_neighbors": [
        Interval(numbers.Integral, 1, None, closed="left"),
        HasMethods(["kneighbors", "kneighbors_graph"]),
        None,
    ],
    "n_seeds_S": [Interval(numbers.Integral, 1, None, closed="left")],
    "n_jobs": [numbers.Integral, None],
}


class _SeededSelection(BaseCleaningSampler):
    _parameter_constraints: dict = _PARAMS

    def __init__(
        self,
        *,
        sampling_strategy="auto",
        random_state=None,
        n_neighbors=None,
        n_seeds_S=1,
        n_jobs=None,
    ):
        super().__init__(sampling_strategy=sampling_strategy)
        self.random_state = random_state
        self.n_neighbors = n_neighbors
        self.n_seeds_S = n_seeds_S
        self.n_jobs = n_jobs

    def _validate_estimator(self):
        if self.n_neighbors is None:
            return KNeighborsClassifier(n_neighbors=1, n_jobs=self.n_jobs)
        if isinstance(self.n_neighbors, numbers.Integral):
            return KNeighborsClassifier(
                n_neighbors=self.n_neighbors, n_jobs=self.n_jobs
            )
        if isinstance(self.n_neighbors, KNeighborsClassifier):
            return clone(self.n_neighbors)
        raise TypeError(
            "n_neighbors must be None, an int or a KNeighborsClassifier; got "
            f"{type(self.n_neighbors).__name__}."
        )

    def _predict(self, estimator, X_fit, y_fit, X_query):
        """The estimator's prediction; the engine's vote for plain k-NN settings."""
        if self.n_neighbors is None or isinstance(self.n_neighbors, numbers.Integral):
            return knn_predict(X_fit, y_fit, X_query, int(estimator.n_neighbors))
        return estimator.fit(X_fit, y_fit).predict(X_query)

    def _seeded_selection(self, X, y):
        """imblearn's loop: classes in sorted order; each class to clean draws
        ``n_seeds_S`` seeds with ``randint`` and is reduced by ``_select_class``;
        the others are kept whole. Returns the kept rows."""
        estimator = self._validate_estimator()
        random_state = check_random_state(self.random_state)
        class_minority, stats = minority_class(y)
        minority_rows = np.flatnonzero(y == class_minority)
        kept = []
        self.estimators_ = []
        for target_class in np.unique(y):
            rows = np.flatnonzero(y == target_class)
            if target_class in self.sampling_strategy_:
                chosen = random_state.randint(
                    low=0, high=stats[target_class], size=self.n_seeds_S
                )
                rows, fitted = self._select_class(
                    estimator, X, y, rows, chosen, minority_rows, target_class
                )
                self.estimators_.append(fitted)
            kept.append(rows)
        return np.concatenate(kept).astype(np.int64)


class CondensedNearestNeighbour(_SeededSelection):
    """Keep a subset of each class that classifies the class correctly by 1-NN.

    Attributes
    ----------
    sampling_strategy_ : dict
    estimators_ : list of KNeighborsClassifier
    sample_indices_ : ndarray
    """

    def _fit_resample(self, X, y):
        self.sample_indices_ = self._seeded_selection(X, y)
        return take_rows(X, self.sample_indices_), y[self.sample_indices_]

    def _select_class(self, estimator, X, y, rows, chosen, minority_rows, target_class):
        seeds = rows[chosen]
        store = np.append(minority_rows, seeds)
        if int(estimator.n_neighbors) == 1 and not isinstance(
            self.n_neighbors, KNeighborsClassifier
        ):
            seeds = self._condense_1nn(X, y, rows, store, seeds, target_class)
        else:
            seeds = self._condense(estimator, X, y, rows, store, seeds, target_class)
        store = np.append(minority_rows, seeds)
        return seeds, clone(estimator).fit(X[store], y[store])

    @staticmethod
    def _good_mask(n, seeds, correct_local):
        """imblearn's ``good_classif_label`` as a mask over class positions."""
        good = np.zeros(n, dtype=bool)
        good[seeds[(seeds >= 0) & (seeds < n)]] = True
        good[correct_local] = True
        return good

    def _condense_1nn(self, X, y, rows, store, seeds, target_class):
        Xf = as_float(X)
        _, nearest = kneighbors(Xf[store], Xf[rows], 1)
        nearest_row = store[nearest[:, 0]]
        added = _core.cnn_condense_1nn(
            Xf,
            rows.astype(np.int64),
            nearest_row.astype(np.int64),
            np.ascontiguousarray(y[nearest_row] == target_class),
            seeds.astype(np.int64),
        )
        return np.append(seeds, added)

    def _condense(self, estimator, X, y, rows, store, seeds, target_class):
        S_x, S_y = X[rows], y[rows]
        pred = self._predict(estimator, X[store], y[store], S_x)
        good = np.zeros(rows.size, dtype=bool)
        good[seeds[seeds < rows.size]] = True
        for i in range(rows.size):
            if good[i] or pred[i] == S_y[i]:
                continue
            seeds = np.append(seeds, rows[i])
            store = np.append(store, rows[i])
            pred = self._predict(estimator, X[store], y[store], S_x)
            good = self._good_mask(rows.size, seeds, np.flatnonzero(pred == S_y))
        return seeds


class OneSidedSelection(_SeededSelection):
    """1-NN selection from random seeds followed by Tomek-link removal.

    Attributes
    ----------
    sampling_strategy_ : dict
    estimators_ : list of KNeighborsClassifier
    sample_indices_ : ndarray
    """

    def _fit_resample(self, X, y):
        selected = self._seeded_selection(X, y)
        tomek = TomekLinks(sampling_strategy=list(self.sampling_strategy_.keys()))
        tomek.fit_resample(X[selected], y[selected])
        self.sample_indices_ = selected[tomek.sample_indices_]
        return take_rows(X, self.sample_indices_), y[self.sample_indices_]

    def _select_class(self, estimator, X, y, rows, chosen, minority_rows, target_class):
        seeds = rows[chosen]
        store = np.append(minority_rows, seeds)
        rest = np.delete(rows, chosen, axis=0)
        fitted = clone(estimator).fit(X[store], y[store])
        pred = self._predict(estimator, X[store], y[store], X[rest])
        return np.concatenate([seeds, rest[pred != y[rest]]]), fitted
