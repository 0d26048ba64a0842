"""Condensed nearest neighbour (Hart, 1968): a drop-in for imblearn's
``CondensedNearestNeighbour``, and the seeded selection it shares with
``OneSidedSelection`` (``_one_sided_selection.py``).

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
from sklearn.utils._param_validation import Interval

from .. import _core
from ..utils._containers import take_rows
from ..utils._neighbours import (
    NEIGHBOURS_PARAM,
    as_float,
    kneighbors,
    knn_predict,
    minority_class,
)
from ..utils._threads import threads_for
from ..utils._validation import check_random_state
from .base import BaseCleaningSampler

_PARAMS = {
    **BaseCleaningSampler._parameter_constraints,
    "random_state": ["random_state"],
    "n_neighbors": [*NEIGHBOURS_PARAM, None],
    "n_seeds_S": [Interval(numbers.Integral, 1, None, closed="left")],
    "n_jobs": [numbers.Integral, None],
}


class _SeededSelection(BaseCleaningSampler):
    """What CNN and OSS share: parameters, the 1-NN rule and the seeded loop."""

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
    """Keep a subset of each class that classifies the class correctly.

    Hart's condensed nearest neighbour rule. For each class to clean, a store
    starts with the minority samples and ``n_seeds_S`` random samples of the
    class; every sample of the class the nearest-neighbour rule on the store
    misclassifies is added to the store, in order. The kept samples are the
    store. Seeds are drawn with ``RandomState.randint`` as imbalanced-learn
    draws them, so the same ``random_state`` keeps the same samples; the 1-NN
    loop runs in the Rust engine and updates each candidate's nearest stored
    sample as the store grows instead of refitting.

    Parameters
    ----------
    sampling_strategy : str, list or callable, default='auto'
        Which classes to clean (their sample counts are not equalised):
        'majority', 'not minority', 'not majority', 'all' or 'auto'
        (= 'not minority'); a list of the classes to clean; or a callable
        taking ``y`` and returning a dict whose keys are the classes to clean.
    random_state : int, RandomState instance or None, default=None
        Seed of the random draws; the same integer keeps the same samples as
        imbalanced-learn's sampler with that seed.
    n_neighbors : int, estimator object or None, default=None
        The rule that classifies the samples: ``None`` is the 1-nearest-
        neighbour rule, an int the ``n_neighbors``-NN rule (both computed by
        the Rust engine), and a ``KNeighborsClassifier`` is cloned and used as
        given.
    n_seeds_S : int, default=1
        Number of samples of each class to clean drawn at random to start the
        store of kept samples.
    n_jobs : int, default=None
        Passed to the ``KNeighborsClassifier`` built from an int; the engine's
        searches run on every core whatever its value.

    Attributes
    ----------
    sampling_strategy_ : dict
        The classes to clean, as the keys of a dict.
    estimators_ : list of KNeighborsClassifier
        One classifier per cleaned class, fitted on the samples kept for it
        and the minority samples.
    sample_indices_ : ndarray of shape (n_new_samples,)
        Indices of the kept samples in the input.
    n_features_in_ : int
        Number of features seen during ``fit_resample``.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Feature names seen during ``fit_resample``; defined only when ``X`` has
        string column names.

    See Also
    --------
    OneSidedSelection : This selection followed by Tomek-link removal.
    EditedNearestNeighbours : Remove samples whose neighbours disagree with them.

    References
    ----------
    .. [1] P. Hart, "The condensed nearest neighbor rule," IEEE Transactions on
       Information Theory, 14(3), 515-516, 1968.

    Examples
    --------
    >>> from collections import Counter
    >>> from sklearn.datasets import make_classification
    >>> from counterpoise.under_sampling import CondensedNearestNeighbour
    >>> X, y = make_classification(n_samples=1000, n_features=4, n_informative=3,
    ...                            n_redundant=1, n_clusters_per_class=1,
    ...                            weights=[0.9, 0.1], flip_y=0, random_state=0)
    >>> sorted(Counter(y.tolist()).items())
    [(0, 900), (1, 100)]
    >>> X_res, y_res = CondensedNearestNeighbour(random_state=0).fit_resample(X, y)
    >>> sorted(Counter(y_res.tolist()).items())
    [(0, 17), (1, 100)]
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
            n_threads=threads_for(rows.size * rows.size * max(Xf.shape[1], 1)),
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
