"""One-sided selection (Kubat & Matwin, 1997): a drop-in for imblearn's
``OneSidedSelection``.

For each class to clean, a store starts with the minority rows and ``n_seeds_S``
random rows of the class (drawn with ``RandomState.randint`` exactly as imblearn
does, the draws shared with ``CondensedNearestNeighbour``'s seeded loop); the rows
the nearest-neighbour rule on the store misclassifies join it in one pass. Tomek
links are then removed from the selection. The 1-NN vote runs in Rust.
"""

from __future__ import annotations

import numpy as np
from sklearn.base import clone

from ..utils._containers import take_rows
from ._condensed_nearest_neighbour import _SeededSelection
from ._tomek_links import TomekLinks


class OneSidedSelection(_SeededSelection):
    """Select samples by one nearest-neighbour pass, then remove Tomek links.

    Kubat and Matwin's one-sided selection. For each class to clean, a store
    starts with the minority samples and ``n_seeds_S`` random samples of the
    class; the samples of the class that the nearest-neighbour rule on that
    store misclassifies are added in one pass (no repetition, unlike condensed
    nearest neighbour). Samples of the cleaned classes in Tomek links are then
    removed from the selection. Seeds are drawn as imbalanced-learn draws
    them, so the same ``random_state`` keeps the same samples.

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
        One classifier per cleaned class, fitted on the class's seeds and the
        minority samples.
    sample_indices_ : ndarray of shape (n_new_samples,)
        Indices of the kept samples in the input.
    n_features_in_ : int
        Number of features seen during ``fit_resample``.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Feature names seen during ``fit_resample``; defined only when ``X`` has
        string column names.

    See Also
    --------
    CondensedNearestNeighbour : Repeated nearest-neighbour selection.
    TomekLinks : The cleaning step.

    References
    ----------
    .. [1] M. Kubat and S. Matwin, "Addressing the curse of imbalanced training
       sets: one-sided selection," in Proceedings of the 14th International
       Conference on Machine Learning (ICML), 179-186, 1997.

    Examples
    --------
    >>> from collections import Counter
    >>> from sklearn.datasets import make_classification
    >>> from counterpoise.under_sampling import OneSidedSelection
    >>> X, y = make_classification(n_samples=1000, n_features=4, n_informative=3,
    ...                            n_redundant=1, n_clusters_per_class=1,
    ...                            weights=[0.9, 0.1], flip_y=0, random_state=0)
    >>> sorted(Counter(y.tolist()).items())
    [(0, 900), (1, 100)]
    >>> X_res, y_res = OneSidedSelection(random_state=0).fit_resample(X, y)
    >>> sorted(Counter(y_res.tolist()).items())
    [(0, 294), (1, 100)]
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
