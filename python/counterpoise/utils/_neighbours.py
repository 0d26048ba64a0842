"""Neighbour searches for the samplers, through the Rust engine.

``kneighbors`` is the exact k-NN of ``counterpoise._core`` (ties by distance, then
row index, as sklearn's brute force). ``NeighbourGraph`` serves rules that query
the same rows over several rounds while rows are removed (RENN, AllKNN): a list of
the K nearest rows among a superset, filtered by the rows still alive, is exactly
the nearest-neighbour list among the survivors as long as enough entries survive;
only rows whose list runs short are searched again.
"""

from __future__ import annotations

import numbers
from collections import Counter

import numpy as np
from scipy import sparse
from sklearn.utils._param_validation import HasMethods, Interval

from .. import _core
from ._threads import threads_for
from ._validation import _plain

#: The one parameter constraint of every ``k_neighbors`` / ``n_neighbors`` /
#: ``m_neighbors``: a positive int (the Rust engine searches) or a neighbours
#: estimator with scikit-learn's ``kneighbors`` API (used as given).
NEIGHBOURS_PARAM = [
    Interval(numbers.Integral, 1, None, closed="left"),
    HasMethods(["kneighbors", "kneighbors_graph"]),
]


def uses_engine(n_neighbors) -> bool:
    """True when ``n_neighbors`` is a count (the engine searches), False for an
    estimator object."""
    return isinstance(n_neighbors, numbers.Integral) and not isinstance(
        n_neighbors, bool
    )


def check_enough_rows(name, n_neighbors, n_rows, *, klass=None, among="samples"):
    """The one "k too large" check: a row and its ``n_neighbors`` neighbours need
    ``n_neighbors + 1`` rows. ``klass`` names the class searched in, ``among``
    words what the rows are. Raises ``ValueError`` naming the fix."""
    if n_neighbors + 1 <= n_rows:
        return
    where = "" if klass is None else f" of class {_plain(klass)!r}"
    raise ValueError(
        f"{name}={n_neighbors} needs at least {n_neighbors + 1} {among}{where}, but "
        f"there are {n_rows}. Lower {name} to at most {max(n_rows - 1, 1)} or "
        f"gather more samples."
    )


def nearest(
    n_neighbors, estimator, data, queries=None, *, name, klass=None, among="samples"
):
    """Indices into ``data`` of the ``n_neighbors + 1`` nearest rows of each query
    row (the query itself first when it is in ``data``): the exact Rust engine when
    ``n_neighbors`` is an int, else ``estimator`` (a clone of the user's object,
    see ``check_neighbors_object``) fitted on ``data``. ``queries`` defaults to
    ``data``; sparse input is densified for the engine."""
    if queries is None:
        queries = data
    if uses_engine(n_neighbors):
        check_enough_rows(
            name, int(n_neighbors), data.shape[0], klass=klass, among=among
        )
        _, idx = kneighbors(data, queries, int(n_neighbors) + 1)
        return idx
    estimator.fit(data)
    return estimator.kneighbors(queries, return_distance=False)


def class_neighbours(
    n_neighbors, estimator, X_class, *, name="k_neighbors", klass=None
):
    """Each row's nearest neighbours within its own class, the row itself
    dropped: an ``(n_class, k)`` table of indices into ``X_class``."""
    idx = nearest(
        n_neighbors, estimator, X_class, name=name, klass=klass, among="samples"
    )
    return np.ascontiguousarray(idx[:, 1:], dtype=np.int64)


def as_float(X) -> np.ndarray:
    """C-contiguous float32/float64 view of X (other numeric types as float64)."""
    if sparse.issparse(X):
        X = X.toarray()
    X = np.asarray(X)
    if X.dtype not in (np.float32, np.float64):
        X = X.astype(np.float64)
    return np.ascontiguousarray(X)


def kneighbors(data, queries, k):
    """``(distances, indices)`` of the k nearest ``data`` rows of each query row."""
    data = as_float(data)
    queries = as_float(queries).astype(data.dtype, copy=False)
    if k > data.shape[0]:
        raise ValueError(
            f"Expected n_neighbors <= n_samples_fit, but n_neighbors = {k}, "
            f"n_samples_fit = {data.shape[0]}: lower n_neighbors or pass more samples."
        )
    work = data.shape[0] * queries.shape[0] * max(data.shape[1], 1)
    # A tree prunes little when k is a large share of the rows (NearMiss-2 asks
    # for all of them): brute force is then 1.5-15x faster, same result.
    algorithm = "brute" if 4 * k >= data.shape[0] else "auto"
    return _core.kneighbors(
        data, queries, int(k), algorithm, n_threads=threads_for(work)
    )


def minority_class(y):
    """imblearn's ``min(Counter(y), key=...)``: ties go to the label seen first."""
    stats = Counter(y)
    return min(stats, key=stats.get), stats


def mode_rows(labels, classes):
    """Row-wise most frequent label; ties go to the smallest class (scipy's mode)."""
    codes = np.searchsorted(classes, labels)
    n_rows, n_cols = codes.shape
    counts = np.zeros((n_rows, classes.size), dtype=np.int64)
    np.add.at(counts, (np.repeat(np.arange(n_rows), n_cols), codes.ravel()), 1)
    return classes[np.argmax(counts, axis=1)]


def knn_predict(X_fit, y_fit, X_query, k):
    """KNeighborsClassifier(n_neighbors=k, weights='uniform').fit(...).predict(...)."""
    _, idx = kneighbors(X_fit, X_query, k)
    if k == 1:
        return y_fit[idx[:, 0]]
    return mode_rows(y_fit[idx], np.unique(y_fit))


#: ``NeighbourGraph`` answers a search of at least this share of the alive rows
#: with a self-query of all of them. On the real-data battery's shapes (2 cores,
#: ``benches/README.md``) the self-query of n rows took 0.56-0.75x the time of a
#: one-way search of 0.9n of them at d = 64-256 (brute force scans each pair once
#: for both rows), 0.95-1.0x at d <= 10 (KD-tree) and 0.73-1.12x where the probe
#: picks the tree at d = 64: it wins from about 0.6n.
SELF_QUERY_SHARE = 0.6


class NeighbourGraph:
    """Nearest alive rows of query rows of ``X``, reusing earlier searches.

    Each searched row keeps a list of ``2 * k_hint + 8`` rows (slack for rows
    removed in later rounds), or exactly ``width`` when given: a rule that queries
    once with every row alive (ENN) needs no slack."""

    def __init__(self, X, k_hint: int, width=None):
        self.X = as_float(X)
        n = self.X.shape[0]
        self.width = int(min(n, 2 * k_hint + 8 if width is None else width))
        self.lists = np.zeros((n, self.width), dtype=np.int64)
        self.known = np.zeros(n, dtype=bool)
        # True where a row's list holds every row alive when it was searched.
        self.complete = np.zeros(n, dtype=bool)

    def _search(self, rows, alive_rows):
        width = min(self.width, alive_rows.size)
        n = self.X.shape[0]
        data = self.X if alive_rows.size == n else self.X[alive_rows]
        pos = np.searchsorted(alive_rows, rows)
        inside = pos < alive_rows.size
        inside[inside] = alive_rows[pos[inside]] == rows[inside]
        if inside.all() and rows.size >= SELF_QUERY_SHARE * alive_rows.size:
            # Most alive rows are queried: one self-query (each pair of rows
            # scanned once for both, ``_core.kneighbors`` with queries that are
            # the data) costs less than a one-way search of the queried rows.
            # Same lists: both rank by (exact distance, index).
            _, idx = kneighbors(data, data, width)
            idx = idx[pos]
        else:
            _, idx = kneighbors(data, self.X[rows], width)
        lists = np.full((rows.size, self.width), -1, dtype=np.int64)
        lists[:, :width] = alive_rows[idx]
        self.lists[rows] = lists
        self.known[rows] = True
        self.complete[rows] = width == alive_rows.size

    def query(self, rows, alive, k):
        """The k nearest alive rows of each row in ``rows`` (itself included)."""
        rows = np.asarray(rows, dtype=np.int64)
        alive_rows = np.flatnonzero(alive)
        if k > alive_rows.size:
            raise ValueError(
                f"Expected n_neighbors <= n_samples_fit, but n_neighbors = {k}, "
                f"n_samples_fit = {alive_rows.size}: lower n_neighbors."
            )
        missing = rows[~self.known[rows]]
        if missing.size:
            self._search(missing, alive_rows)
        lists = self.lists[rows]
        valid = (lists >= 0) & alive[np.maximum(lists, 0)]
        short = (valid.sum(axis=1) < k) & ~self.complete[rows]
        if short.any():
            self._search(rows[short], alive_rows)
            lists = self.lists[rows]
            valid = (lists >= 0) & alive[np.maximum(lists, 0)]
        order = np.argsort(~valid, axis=1, kind="stable")[:, :k]
        return np.take_along_axis(lists, order, axis=1)
