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
from ..utils._neighbours import kneighbors, minority_class, mode_rows
from ._edited_nearest_neighbours import EditedNearestNeighbours
from .base import BaseCleaningSampler


class NeighbourhoodCleaningRule(BaseCleaningSampler):
    """Clean the neighbourhood of the minority class.

    Attributes
    ----------
    sampling_strategy_ : dict
    edited_nearest_neighbours_ : sampler object
    nn_ : KNeighborsClassifier (its vote is computed by the Rust engine)
    classes_to_clean_ : list
    sample_indices_ : ndarray
    """

    _parameter_constraints: dict = {
        **BaseCleaningSampler._parameter_constraints,
        "edited_nearest_neighbours": [HasMethods(["fit_resample"]), None],
        "n_neighbors": [
            Interval(numbers.Integral, 1, None, closed="left"),
            HasMethods(["kneighbors", "kneighbors_graph"]),
        ],
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
        _, idx = kneighbors(X, X[minority_rows], k + 1)
        predicted = mode_rows(y[idx[:, :k]], np.unique(y))
        misclassified = predicted != y[minority_rows]
        neighbours = np.unique(idx[misclassified, 1:].ravel())
        neighbours = neighbours[np.isin(y[neighbours], self.classes_to_clean_)]
        removed[neighbours] = True
        self.sample_indices_ = np.flatnonzero(~removed)
        return take_rows(X, self.sample_indices_), y[self.sample_indices_]
