"""Neighbourhood cleaning rule (Laurikkala, 2001): a drop-in for imblearn's
``NeighbourhoodCleaningRule``.

Removes the union of (A1) the rows an ENN with ``kind_sel='mode'`` removes and
(A2) the neighbours, from classes large enough to clean, of minority rows that a
k-NN vote (the row itself included, as ``KNeighborsClassifier.predict`` on its own
training data does) misclassifies. ``sample_indices_`` is ascending.
"""

from __future__ import annotations

import numbers

import numpy as np
from sklearn.base import clone
from sklearn.neighbors import KNeighborsClassifier, NearestNeighbors
from sklearn.utils._param_validation import HasMethods, Interval

from ..utils._containers import take_rows
from ..utils._neighbours import (
    NEIGHBOURS_PARAM,
    check_enough_rows,
    kneighbors,
    minority_class,
    mode_rows,
)
from ._edited_nearest_neighbours import EditedNearestNeighbours
from .base import BaseCleaningSampler


class NeighbourhoodCleaningRule(BaseCleaningSampler):
    """Clean the neighbourhood of the minority class.

    Removes the union of two sets from the classes to clean: the samples an
    edited nearest neighbours rule (``kind_sel='mode'`` by default) removes,
    and the neighbours of the minority samples that a ``n_neighbors``-NN vote
    misclassifies, taken only from classes with more than
    ``threshold_cleaning`` times the minority's count. The vote counts the
    sample itself, as ``KNeighborsClassifier.predict`` on its own training data
    does; it is computed by the Rust engine. Kept indices are ascending.

    Parameters
    ----------
    sampling_strategy : str, list or callable, default='auto'
        Which classes to clean (their sample counts are not equalised):
        'majority', 'not minority', 'not majority', 'all' or 'auto'
        (= 'not minority'); a list of the classes to clean; or a callable
        taking ``y`` and returning a dict whose keys are the classes to clean.
    edited_nearest_neighbours : sampler object, default=None
        The editing rule of the first step, cloned before use. ``None`` means
        ``EditedNearestNeighbours(sampling_strategy=sampling_strategy,
        n_neighbors=n_neighbors, kind_sel='mode')``.
    n_neighbors : int or estimator object, default=3
        Size of each sample's neighbourhood (the sample itself not counted). An
        int makes the Rust engine run an exact search (ties by distance, then
        row index, as scikit-learn's brute force); an estimator with
        scikit-learn's ``kneighbors`` API (e.g. ``NearestNeighbors``) is cloned
        and used as given, its ``n_neighbors`` counting the sample itself.
    threshold_cleaning : float, default=0.5
        A class is cleaned in the second step only when it has more than
        ``threshold_cleaning`` times as many samples as the minority class.
    n_jobs : int, default=None
        Accepted for compatibility with imbalanced-learn; the searches run on
        every core whatever its value (``RAYON_NUM_THREADS`` limits it).

    Attributes
    ----------
    sampling_strategy_ : dict
        The classes to clean, as the keys of a dict.
    edited_nearest_neighbours_ : sampler object
        The fitted editing rule of the first step.
    nn_ : estimator object
        ``KNeighborsClassifier(n_neighbors=n_neighbors)`` (imbalanced-learn's
        attribute; the vote itself is computed by the Rust engine) or a clone of
        the given estimator.
    classes_to_clean_ : list
        The classes cleaned in the second step.
    sample_indices_ : ndarray of shape (n_new_samples,)
        Indices of the kept samples in the input, ascending.
    n_features_in_ : int
        Number of features seen during ``fit_resample``.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Feature names seen during ``fit_resample``; defined only when ``X`` has
        string column names.

    See Also
    --------
    EditedNearestNeighbours : The editing rule of the first step.
    TomekLinks : Remove the samples of Tomek links.

    References
    ----------
    .. [1] J. Laurikkala, "Improving identification of difficult small classes
       by balancing class distribution," in Proceedings of the 8th Conference
       on Artificial Intelligence in Medicine in Europe (AIME), 63-66, 2001.

    Examples
    --------
    >>> from collections import Counter
    >>> from sklearn.datasets import make_classification
    >>> from counterpoise.under_sampling import NeighbourhoodCleaningRule
    >>> X, y = make_classification(n_samples=1000, n_features=4, n_informative=3,
    ...                            n_redundant=1, n_clusters_per_class=1,
    ...                            weights=[0.9, 0.1], flip_y=0, random_state=0)
    >>> sorted(Counter(y.tolist()).items())
    [(0, 900), (1, 100)]
    >>> X_res, y_res = NeighbourhoodCleaningRule().fit_resample(X, y)
    >>> sorted(Counter(y_res.tolist()).items())
    [(0, 897), (1, 100)]
    """

    _parameter_constraints: dict = {
        **BaseCleaningSampler._parameter_constraints,
        "edited_nearest_neighbours": [HasMethods(["fit_resample"]), None],
        "n_neighbors": NEIGHBOURS_PARAM,
        "threshold_cleaning": [Interval(numbers.Real, 0, None, closed="neither")],
        "n_jobs": [numbers.Integral, None],
    }

    def __init__(
        self,
        *,
        sampling_strategy="auto",
        edited_nearest_neighbours=None,
        n_neighbors=3,
        threshold_cleaning=0.5,
        n_jobs=None,
    ):
        super().__init__(sampling_strategy=sampling_strategy)
        self.edited_nearest_neighbours = edited_nearest_neighbours
        self.n_neighbors = n_neighbors
        self.threshold_cleaning = threshold_cleaning
        self.n_jobs = n_jobs

    def _validate_estimator(self):
        if isinstance(self.n_neighbors, numbers.Integral):
            self.nn_ = KNeighborsClassifier(
                n_neighbors=self.n_neighbors, n_jobs=self.n_jobs
            )
        elif isinstance(self.n_neighbors, NearestNeighbors):
            self.nn_ = KNeighborsClassifier(
                n_neighbors=self.n_neighbors.n_neighbors - 1, n_jobs=self.n_jobs
            )
        else:
            self.nn_ = clone(self.n_neighbors)
        if self.edited_nearest_neighbours is None:
            self.edited_nearest_neighbours_ = EditedNearestNeighbours(
                sampling_strategy=self.sampling_strategy,
                n_neighbors=self.n_neighbors,
                kind_sel="mode",
                n_jobs=self.n_jobs,
            )
        else:
            self.edited_nearest_neighbours_ = clone(self.edited_nearest_neighbours)

    def _fit_resample(self, X, y):
        self._validate_estimator()
        self.edited_nearest_neighbours_.fit_resample(X, y)
        removed = np.ones(y.shape, dtype=bool)
        removed[self.edited_nearest_neighbours_.sample_indices_] = False

        class_minority, stats = minority_class(y)
        self.classes_to_clean_ = [
            c
            for c, n in stats.items()
            if c in self.sampling_strategy_
            and n > stats[class_minority] * self.threshold_cleaning
        ]
        k = int(self.nn_.n_neighbors)
        minority_rows = np.flatnonzero(y == class_minority)
        check_enough_rows("n_neighbors", k, X.shape[0])
        _, idx = kneighbors(X, X[minority_rows], k + 1)
        predicted = mode_rows(y[idx[:, :k]], np.unique(y))
        misclassified = predicted != y[minority_rows]
        neighbours = np.unique(idx[misclassified, 1:].ravel())
        neighbours = neighbours[np.isin(y[neighbours], self.classes_to_clean_)]
        removed[neighbours] = True
        self.sample_indices_ = np.flatnonzero(~removed)
        return take_rows(X, self.sample_indices_), y[self.sample_indices_]
