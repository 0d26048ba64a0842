"""Edited nearest neighbours (Wilson, 1972) and its repeated forms: drop-in
``EditedNearestNeighbours``, ``RepeatedEditedNearestNeighbours`` and ``AllKNN`` of
imbalanced-learn 0.14.2.

ENN queries each row of the classes to clean among all rows (k + 1 neighbours, the
first, the row itself, dropped) and keeps it when its neighbours agree with it:
all of them (``kind_sel='all'``) or their most frequent label, ties to the smallest
(``'mode'``). ``sample_indices_`` lists kept rows class by class in sorted class
order, as imblearn's does. RENN repeats ENN until nothing changes, a non-minority
class falls below the original minority count, or a class vanishes; AllKNN runs
ENN with k = 1, 2, ..., n_neighbors. Both re-resolve ``sampling_strategy`` on the
surviving labels each round, as imblearn does, and reuse one neighbour search
across rounds (``NeighbourGraph``) instead of searching again.
"""

from __future__ import annotations

import numbers
from collections import Counter

import numpy as np
from sklearn.utils._param_validation import Interval, StrOptions

from ..utils._containers import take_rows
from ..utils._neighbours import (
    NEIGHBOURS_PARAM,
    NeighbourGraph,
    check_enough_rows,
    minority_class,
    mode_rows,
    nearest,
    uses_engine,
)
from ..utils._validation import check_neighbors_object, check_sampling_strategy
from .base import BaseCleaningSampler


class _Searcher:
    """k nearest alive rows: the engine (with a reusable graph) or a user's
    neighbours estimator refitted on the alive rows, as imblearn does."""

    def __init__(self, X, n_neighbors, k_hint, width=None):
        self.X = X
        self.n_neighbors = n_neighbors
        self.estimator = (
            None
            if uses_engine(n_neighbors)
            else check_neighbors_object("n_neighbors", n_neighbors)
        )
        self.graph = (
            NeighbourGraph(X, k_hint, width) if self.estimator is None else None
        )

    def __call__(self, rows, alive, k):
        """The ``k`` nearest alive rows of each of ``rows``, the row itself first
        (``k`` counts it: ``n_neighbors + 1``, or the estimator's own size)."""
        if self.graph is not None:
            check_enough_rows("n_neighbors", k - 1, int(np.count_nonzero(alive)))
            return self.graph.query(rows, alive, k)
        alive_rows = np.flatnonzero(alive)
        idx = nearest(
            self.n_neighbors,
            self.estimator,
            self.X[alive_rows],
            self.X[rows],
            name="n_neighbors",
        )
        return alive_rows[idx]


def _n_total(n_neighbors) -> int:
    """Neighbours queried including the row itself (imblearn's ``nn_.n_neighbors``)."""
    if uses_engine(n_neighbors):
        return int(n_neighbors) + 1
    return int(n_neighbors.n_neighbors)


def _edit(y, alive, strategy, n_total, kind_sel, search):
    """One ENN pass over the alive rows; returns kept rows in imblearn's order."""
    kept = []
    classes = np.unique(y[alive])
    if search.graph is not None:
        # One search for every row of every class to clean (then per class from
        # the graph's lists): a single large search can be a self-query.
        cleaned = [c for c in classes if c in strategy]
        if cleaned:
            search(np.flatnonzero(alive & np.isin(y, cleaned)), alive, n_total)
    for target_class in classes:
        rows = np.flatnonzero(alive & (y == target_class))
        if target_class in strategy:
            neighbours = search(rows, alive, n_total)[:, 1:]
            labels = y[neighbours]
            if kind_sel == "mode":
                agree = mode_rows(labels, classes) == target_class
            else:
                agree = np.all(labels == target_class, axis=1)
            rows = rows[agree]
        kept.append(rows)
    return np.concatenate(kept).astype(np.int64)


class EditedNearestNeighbours(BaseCleaningSampler):
    """Remove samples whose neighbourhood disagrees with their class.

    Each sample of the classes to clean is compared with its ``n_neighbors``
    nearest neighbours among all samples and removed when they do not agree
    with its label (``kind_sel``). Kept indices are listed class by class in
    sorted class order, as imbalanced-learn does.

    Parameters
    ----------
    sampling_strategy : str, list or callable, default='auto'
        Which classes to clean (their sample counts are not equalised):
        'majority', 'not minority', 'not majority', 'all' or 'auto'
        (= 'not minority'); a list of the classes to clean; or a callable
        taking ``y`` and returning a dict whose keys are the classes to clean.
    n_neighbors : int or estimator object, default=3
        Size of each sample's neighbourhood (the sample itself not counted). An
        int makes the Rust engine run an exact search (ties by distance, then
        row index, as scikit-learn's brute force); an estimator with
        scikit-learn's ``kneighbors`` API (e.g. ``NearestNeighbors``) is cloned
        and used as given, its ``n_neighbors`` counting the sample itself.
    kind_sel : {'all', 'mode'}, default='all'
        How neighbours vote: 'all' keeps a sample only when all its neighbours
        share its class; 'mode' keeps it when the most frequent class among its
        neighbours (ties to the smallest label) is its own. 'all' removes more.
    n_jobs : int, default=None
        Accepted for compatibility with imbalanced-learn; the searches run on
        every core whatever its value (``RAYON_NUM_THREADS`` limits it).

    Attributes
    ----------
    sampling_strategy_ : dict
        The classes to clean, as the keys of a dict.
    nn_ : estimator object
        ``NearestNeighbors(n_neighbors=n_neighbors + 1)`` for an int (the search
        itself runs in the Rust engine) or a clone of the given estimator.
    sample_indices_ : ndarray of shape (n_new_samples,)
        Indices of the kept samples in the input.
    n_features_in_ : int
        Number of features seen during ``fit_resample``.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Feature names seen during ``fit_resample``; defined only when ``X`` has
        string column names.

    See Also
    --------
    RepeatedEditedNearestNeighbours : Repeat the editing until it stops.
    AllKNN : Edit with growing neighbourhoods.
    NeighbourhoodCleaningRule : Editing plus cleaning around the minority.
    counterpoise.combine.SMOTEENN : SMOTE followed by this rule.

    References
    ----------
    .. [1] D. L. Wilson, "Asymptotic properties of nearest neighbor rules using
       edited data," IEEE Transactions on Systems, Man, and Cybernetics,
       SMC-2(3), 408-421, 1972.

    Examples
    --------
    >>> from collections import Counter
    >>> from sklearn.datasets import make_classification
    >>> from counterpoise.under_sampling import EditedNearestNeighbours
    >>> X, y = make_classification(n_samples=1000, n_features=4, n_informative=3,
    ...                            n_redundant=1, n_clusters_per_class=1,
    ...                            weights=[0.9, 0.1], flip_y=0, random_state=0)
    >>> sorted(Counter(y.tolist()).items())
    [(0, 900), (1, 100)]
    >>> X_res, y_res = EditedNearestNeighbours().fit_resample(X, y)
    >>> sorted(Counter(y_res.tolist()).items())
    [(0, 894), (1, 100)]
    """

    _parameter_constraints: dict = {
        **BaseCleaningSampler._parameter_constraints,
        "n_neighbors": NEIGHBOURS_PARAM,
        "kind_sel": [StrOptions({"all", "mode"})],
        "n_jobs": [numbers.Integral, None],
    }

    def __init__(
        self, *, sampling_strategy="auto", n_neighbors=3, kind_sel="all", n_jobs=None
    ):
        super().__init__(sampling_strategy=sampling_strategy)
        self.n_neighbors = n_neighbors
        self.kind_sel = kind_sel
        self.n_jobs = n_jobs

    def _validate_estimator(self):
        self.nn_ = check_neighbors_object(
            "n_neighbors", self.n_neighbors, additional_neighbor=1
        )

    def _fit_resample(self, X, y):
        self._validate_estimator()
        n_total = _n_total(self.n_neighbors)
        # one round with every row alive: lists of exactly n_total rows suffice
        search = _Searcher(X, self.n_neighbors, n_total, width=n_total)
        alive = np.ones(y.shape[0], dtype=bool)
        self.sample_indices_ = _edit(
            y, alive, self.sampling_strategy_, n_total, self.kind_sel, search
        )
        return take_rows(X, self.sample_indices_), y[self.sample_indices_]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags


def _stop_reasons(y_kept, class_minority, target_stats):
    """imblearn's RENN/AllKNN checks on the labels left after a round."""
    stats = Counter(y_kept)
    non_minority = np.array([v for c, v in stats.items() if c != class_minority])
    minority_became_majority = bool(np.any(non_minority < target_stats[class_minority]))
    class_removed = len(stats) < len(target_stats)
    return minority_became_majority, class_removed


class _RepeatedEditing(BaseCleaningSampler):
    """Shared machinery of RENN and AllKNN: ENN rounds over a shrinking set."""

    def _validate_estimator(self):
        self.nn_ = check_neighbors_object(
            "n_neighbors", self.n_neighbors, additional_neighbor=1
        )
        self.enn_ = EditedNearestNeighbours(
            sampling_strategy=self.sampling_strategy,
            n_neighbors=self.nn_,
            kind_sel=self.kind_sel,
            n_jobs=self.n_jobs,
        )

    def _round(self, y, alive, n_total, search, *, keep_exempt=False):
        """One ENN round on the alive rows; returns the kept rows in order.

        The strategy is resolved again on the surviving labels, as imblearn
        does. With ``keep_exempt`` (RENN) only the classes it named on the
        input are edited: a class the strategy exempts ('auto' exempts the
        minority) is never edited, even when two classes' counts tie during the
        rounds and the re-resolved strategy names it (imblearn then edits it).
        AllKNN with ``allow_minority`` keeps imblearn's rule: there the classes
        may trade places on purpose."""
        strategy = check_sampling_strategy(
            self.sampling_strategy, y[alive], self._sampling_type
        )
        if keep_exempt:
            strategy = {
                c: n for c, n in strategy.items() if c in self.sampling_strategy_
            }
        return _edit(y, alive, strategy, n_total, self.kind_sel, search)


class RepeatedEditedNearestNeighbours(_RepeatedEditing):
    """Apply edited nearest neighbours repeatedly until it stops removing samples.

    Each round runs edited nearest neighbours on the samples the previous round
    kept, resolving ``sampling_strategy`` again on the surviving labels. The
    rounds stop after ``max_iter``, when a round removes nothing, when a class
    other than the minority falls below the minority's original count, or when
    a class vanishes. One neighbour search is reused across rounds instead of
    searching again.

    Parameters
    ----------
    sampling_strategy : str, list or callable, default='auto'
        Which classes to clean (their sample counts are not equalised):
        'majority', 'not minority', 'not majority', 'all' or 'auto'
        (= 'not minority'); a list of the classes to clean; or a callable
        taking ``y`` and returning a dict whose keys are the classes to clean.
    n_neighbors : int or estimator object, default=3
        Size of each sample's neighbourhood (the sample itself not counted). An
        int makes the Rust engine run an exact search (ties by distance, then
        row index, as scikit-learn's brute force); an estimator with
        scikit-learn's ``kneighbors`` API (e.g. ``NearestNeighbors``) is cloned
        and used as given, its ``n_neighbors`` counting the sample itself.
    max_iter : int, default=100
        Maximum number of editing rounds.
    kind_sel : {'all', 'mode'}, default='all'
        How neighbours vote: 'all' keeps a sample only when all its neighbours
        share its class; 'mode' keeps it when the most frequent class among its
        neighbours (ties to the smallest label) is its own. 'all' removes more.
    n_jobs : int, default=None
        Accepted for compatibility with imbalanced-learn; the searches run on
        every core whatever its value (``RAYON_NUM_THREADS`` limits it).

    Attributes
    ----------
    sampling_strategy_ : dict
        The classes to clean, as resolved on the input labels.
    nn_ : estimator object
        ``NearestNeighbors(n_neighbors=n_neighbors + 1)`` for an int (the search
        itself runs in the Rust engine) or a clone of the given estimator.
    enn_ : EditedNearestNeighbours
        The editing rule of each round, as imbalanced-learn builds it.
    n_iter_ : int
        Number of rounds run.
    sample_indices_ : ndarray of shape (n_new_samples,)
        Indices of the kept samples in the input.
    n_features_in_ : int
        Number of features seen during ``fit_resample``.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Feature names seen during ``fit_resample``; defined only when ``X`` has
        string column names.

    See Also
    --------
    EditedNearestNeighbours : One editing round.
    AllKNN : Edit with growing neighbourhoods.

    References
    ----------
    .. [1] I. Tomek, "An experiment with the edited nearest-neighbor rule,"
       IEEE Transactions on Systems, Man, and Cybernetics, SMC-6(6), 448-452,
       1976.

    Examples
    --------
    >>> from collections import Counter
    >>> from sklearn.datasets import make_classification
    >>> from counterpoise.under_sampling import RepeatedEditedNearestNeighbours
    >>> X, y = make_classification(n_samples=1000, n_features=4, n_informative=3,
    ...                            n_redundant=1, n_clusters_per_class=1,
    ...                            weights=[0.9, 0.1], flip_y=0, random_state=0)
    >>> sorted(Counter(y.tolist()).items())
    [(0, 900), (1, 100)]
    >>> X_res, y_res = RepeatedEditedNearestNeighbours().fit_resample(X, y)
    >>> sorted(Counter(y_res.tolist()).items())
    [(0, 894), (1, 100)]
    """

    _parameter_constraints: dict = {
        **EditedNearestNeighbours._parameter_constraints,
        "max_iter": [Interval(numbers.Integral, 1, None, closed="left")],
    }

    def __init__(
        self,
        *,
        sampling_strategy="auto",
        n_neighbors=3,
        max_iter=100,
        kind_sel="all",
        n_jobs=None,
    ):
        super().__init__(sampling_strategy=sampling_strategy)
        self.n_neighbors = n_neighbors
        self.kind_sel = kind_sel
        self.n_jobs = n_jobs
        self.max_iter = max_iter

    def _fit_resample(self, X, y):
        self._validate_estimator()
        class_minority, target_stats = minority_class(y)
        n_total = _n_total(self.n_neighbors)
        search = _Searcher(X, self.n_neighbors, n_total)
        alive = np.ones(y.shape[0], dtype=bool)
        kept = np.arange(y.shape[0], dtype=np.int64)
        self.n_iter_ = 0
        for _ in range(self.max_iter):
            self.n_iter_ += 1
            previous = kept.size
            kept = self._round(y, alive, n_total, search, keep_exempt=True)
            alive[:] = False
            alive[kept] = True
            became_majority, class_removed = _stop_reasons(
                y[kept], class_minority, target_stats
            )
            if previous == kept.size or became_majority or class_removed:
                break
        self.sample_indices_ = kept
        return take_rows(X, kept), y[kept]


class AllKNN(_RepeatedEditing):
    """Apply edited nearest neighbours with growing neighbourhoods.

    Runs edited nearest neighbours with 1, 2, ..., ``n_neighbors`` neighbours,
    each round on the samples the previous one kept, resolving
    ``sampling_strategy`` again on the surviving labels. The rounds stop early
    when a class other than the minority falls below the minority's original
    count (unless ``allow_minority``) or when a class vanishes. One neighbour
    search is reused across rounds instead of searching again.

    Parameters
    ----------
    sampling_strategy : str, list or callable, default='auto'
        Which classes to clean (their sample counts are not equalised):
        'majority', 'not minority', 'not majority', 'all' or 'auto'
        (= 'not minority'); a list of the classes to clean; or a callable
        taking ``y`` and returning a dict whose keys are the classes to clean.
    n_neighbors : int or estimator object, default=3
        Largest neighbourhood (the sample itself not counted). An
        int makes the Rust engine run an exact search (ties by distance, then
        row index, as scikit-learn's brute force); an estimator with
        scikit-learn's ``kneighbors`` API (e.g. ``NearestNeighbors``) is cloned
        and used as given, its ``n_neighbors`` counting the sample itself.
    kind_sel : {'all', 'mode'}, default='all'
        How neighbours vote: 'all' keeps a sample only when all its neighbours
        share its class; 'mode' keeps it when the most frequent class among its
        neighbours (ties to the smallest label) is its own. 'all' removes more.
    allow_minority : bool, default=False
        If True, do not stop when a class other than the minority falls below
        the minority's original count.
    n_jobs : int, default=None
        Accepted for compatibility with imbalanced-learn; the searches run on
        every core whatever its value (``RAYON_NUM_THREADS`` limits it).

    Attributes
    ----------
    sampling_strategy_ : dict
        The classes to clean, as resolved on the input labels.
    nn_ : estimator object
        ``NearestNeighbors(n_neighbors=n_neighbors + 1)`` for an int or a clone
        of the given estimator; it sets the largest neighbourhood.
    enn_ : EditedNearestNeighbours
        The editing rule of the rounds, as imbalanced-learn builds it.
    sample_indices_ : ndarray of shape (n_new_samples,)
        Indices of the kept samples in the input.
    n_features_in_ : int
        Number of features seen during ``fit_resample``.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Feature names seen during ``fit_resample``; defined only when ``X`` has
        string column names.

    See Also
    --------
    EditedNearestNeighbours : One editing round.
    RepeatedEditedNearestNeighbours : Repeat the editing with a fixed size.

    References
    ----------
    .. [1] I. Tomek, "An experiment with the edited nearest-neighbor rule,"
       IEEE Transactions on Systems, Man, and Cybernetics, SMC-6(6), 448-452,
       1976.

    Examples
    --------
    >>> from collections import Counter
    >>> from sklearn.datasets import make_classification
    >>> from counterpoise.under_sampling import AllKNN
    >>> X, y = make_classification(n_samples=1000, n_features=4, n_informative=3,
    ...                            n_redundant=1, n_clusters_per_class=1,
    ...                            weights=[0.9, 0.1], flip_y=0, random_state=0)
    >>> sorted(Counter(y.tolist()).items())
    [(0, 900), (1, 100)]
    >>> X_res, y_res = AllKNN().fit_resample(X, y)
    >>> sorted(Counter(y_res.tolist()).items())
    [(0, 894), (1, 100)]
    """

    _parameter_constraints: dict = {
        **EditedNearestNeighbours._parameter_constraints,
        "allow_minority": ["boolean"],
    }

    def __init__(
        self,
        *,
        sampling_strategy="auto",
        n_neighbors=3,
        kind_sel="all",
        allow_minority=False,
        n_jobs=None,
    ):
        super().__init__(sampling_strategy=sampling_strategy)
        self.n_neighbors = n_neighbors
        self.kind_sel = kind_sel
        self.allow_minority = allow_minority
        self.n_jobs = n_jobs

    def _fit_resample(self, X, y):
        self._validate_estimator()
        class_minority, target_stats = minority_class(y)
        n_max = _n_total(self.n_neighbors)
        if uses_engine(self.n_neighbors):
            # imblearn's rounds stop before they reach a neighbourhood larger than
            # the data, and it accepts any n_neighbors; refused here, as ENN does
            check_enough_rows("n_neighbors", int(self.n_neighbors), y.shape[0])
        # imblearn sets enn_.n_neighbors to plain ints 1..n: always the engine.
        search = _Searcher(X, 1, n_max)
        alive = np.ones(y.shape[0], dtype=bool)
        kept = np.arange(y.shape[0], dtype=np.int64)
        for size in range(1, n_max):
            kept = self._round(
                y, alive, size + 1, search, keep_exempt=not self.allow_minority
            )
            alive[:] = False
            alive[kept] = True
            became_majority, class_removed = _stop_reasons(
                y[kept], class_minority, target_stats
            )
            if self.allow_minority:
                became_majority = False
            if became_majority or class_removed:
                break
        self.sample_indices_ = kept
        return take_rows(X, kept), y[kept]
