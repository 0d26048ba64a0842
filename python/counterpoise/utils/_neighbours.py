"""Neighbour searches for the samplers, through the Rust engine.

``kneighbors`` is the exact k-NN of ``counterpoise._core`` (ties by distance, then
row index, as sklearn's brute force). ``NeighbourGraph`` serves rules that query
the same rows over several rounds while rows are removed (RENN, AllKNN): a list of
the K nearest rows among a superset, filtered by the rows still alive, is exactly
the nearest-neighbour list among the survivors as long as enough entries survive;
only rows whose list runs short are searched again.
"""

from __future__ import annotations

from collections import Counter

import numpy as np
from scipy import sparse

from .. import _core


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
    return _core.kneighbors(data, queries, int(k))


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


class NeighbourGraph:
    """Nearest alive rows of query rows of ``X``, reusing earlier searches."""

    def __init__(self, X, k_hint: int):
        self.X = as_float(X)
        n = self.X.shape[0]
        self.width = int(min(n, 2 * k_hint + 8))
        self.lists = np.zeros((n, self.width), dtype=np.int64)
        self.known = np.zeros(n, dtype=bool)
        # True where a row's list holds every row alive when it was searched.
        self.complete = np.zeros(n, dtype=bool)

    def _search(self, rows, alive_rows):
        width = min(self.width, alive_rows.size)
        _, idx = kneighbors(self.X[alive_rows], self.X[rows], width)
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
