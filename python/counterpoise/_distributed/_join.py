"""An exact all-k-nearest-neighbours join over every row of a distributed table,
and the cleaning rules built on it (#22).

The join
--------
1. A sample of the rows (every m-th row by global position) is split on the
   driver into cells of about ``CELL_ROWS`` rows by a KD split: each node cuts
   the sample along the dimension of largest spread, at the quantile that
   matches the cells on each side. Each cell's region of the split bounds the
   rows it will hold (no pass over them; a join limited by a row test boxes
   the rows taking part in a pass instead).
2. Every row is sent to its cell (one shuffle, keyed by cell).
3. In each cell, the engine finds each query row's k nearest rows of the cell
   (the row itself excluded, by position). Its k-th distance ``r`` bounds its
   true k-th distance, so its true neighbours lie within ``r``: the row is sent
   only to the cells whose box comes within ``r`` of it (its *halo*; every
   cell when the cell holds k rows or fewer).
4. Each cell answers the query rows sent to it (their k nearest rows in the
   cell, only those within ``r``: the engine's search is bounded by ``r``, so a
   query with no row of the cell inside its ball costs little) and sends the
   candidates to the rows' home cells.
5. Each home cell merges its rows' own and received candidates by (distance,
   key): exactly the k nearest rows among all rows, ties by key (with
   positional keys: by position, as the local engine breaks them).

One round is exact: every row closer than ``r`` lies in a cell whose box reaches
within ``r``, and every such cell was asked. Where halos grow to every cell
(high intrinsic dimension, few rows per cell), step 4 is a blocked brute-force
join (each cell's queries against every cell's rows, per-row top-k merged): the
same steps, measured by the halo factor the benchmark reports, not chosen by d.

Two variants serve more than the cleaning rules: a row test (``alive``) limits
the join to some rows (the class SMOTE over-samples; the rows OneSidedSelection
keeps before its Tomek links), and ``with_x`` carries the neighbours' features
with the candidates so that a row's new rows are made in the cell where its list
ends (SMOTE for a class too large to broadcast; :func:`smote_class`).

The engine runs the exchanges (:meth:`Frame.scatter`, :meth:`Frame.regroup`):
Spark as ``groupBy(cell).applyInArrow`` (``applyInPandas`` before pyspark 4.0)
over pickled payloads (its shuffle spills to disk), Dask as per-cell tasks over
the map tasks' outputs.
"""

from __future__ import annotations

import collections
import math

import numpy as np

from .. import _core
from ._plan import (
    _SEEDS,
    _bits,
    _check_int,
    _key_values,
    _plain,
    _Rows,
    _select_bits,
    _thresholds,
    adasyn_counts,
    check_enough_rows,
    draw_chunks,
    feature_columns,
    in_danger,
    interpolate,
    nc_columns,
    resample,
    smote_draws,
)

#: The halo copies of the last joins finished in this process, oldest first
#: (for the benchmarks: rows moved per input row = 2 + halo / rows); bounded,
#: so that a long-lived driver does not accumulate them.
HALOS = collections.deque(maxlen=1024)

#: Target rows per cell at 10 columns or fewer (above, the same number of values:
#: 20,480 rows at 32 columns). A cell's step holds its rows, their neighbour
#: lists and its outputs (pickled, then as Arrow) at once; these sizes run
#: within a Spark Python worker under ``spark.executor.pyspark.memory=1g``
#: (262,144 rows x 10 and 65,536 x 32 failed there).
CELL_ROWS = 65_536
#: Rows of the sample the KD split is cut from, at least; with many cells,
#: ``SAMPLE_PER_CELL`` a cell, up to ``MAX_SAMPLE_BYTES`` of features (the
#: sample comes to the driver). A cell's size is a quantile estimated from its
#: sample rows: cut from the fixed 65,536 rows, the largest cell was 1.28x the
#: mean at 20M rows, 1.40x at 60M and 1.44x at 80M (54 sample rows a cell).
SAMPLE_ROWS = 65_536
SAMPLE_PER_CELL = 256
MAX_SAMPLE_BYTES = 64 << 20
#: Rows per payload exchanged between steps.
PAYLOAD_ROWS = 131_072
#: Slack on the halo test (the engine's distances and the box distances round
#: differently): a row is sent where a box is within r * (1 + SLACK).
SLACK = 1e-9

_EMPTY_I = np.empty(0, dtype=np.int64)


class Cells:
    """A KD split of feature space into ``n_cells`` cells, cut from a sample:
    each node splits its sample rows at the quantile that gives each side rows
    in proportion to its number of cells, along the dimension of largest
    spread. A child is a node index, or ``-(cell + 1)`` for a cell."""

    def __init__(self, sample, n_cells):
        self.n_cells = int(n_cells)
        self.dim, self.val, self.left, self.right = [], [], [], []
        if self.n_cells > 1:
            self._build(sample, np.arange(sample.shape[0]), self.n_cells, 0)
        self.dim = np.asarray(self.dim, dtype=np.int64)
        self.val = np.asarray(self.val, dtype=np.float64)
        self.left = np.asarray(self.left, dtype=np.int64)
        self.right = np.asarray(self.right, dtype=np.int64)

    def _build(self, sample, idx, m, first):
        if m == 1:
            return -(first + 1)
        node = len(self.dim)
        self.dim.append(0)
        self.val.append(0.0)
        self.left.append(0)
        self.right.append(0)
        m_left = m // 2
        right = np.zeros(idx.size, dtype=bool)
        if idx.size:
            pts = sample[idx]
            dim = int(np.argmax(pts.max(axis=0) - pts.min(axis=0)))
            column = pts[:, dim]
            cut = min(idx.size - 1, max(0, round(idx.size * m_left / m) - 1))
            self.dim[node] = dim
            self.val[node] = float(np.partition(column, cut)[cut])
            right = column > self.val[node]
        self.left[node] = self._build(sample, idx[~right], m_left, first)
        self.right[node] = self._build(sample, idx[right], m - m_left, first + m_left)
        return node

    def regions(self, n_cols):
        """Each cell's region of the split as a box ``(lo, hi)`` (``(n_cells,
        n_cols)``, unbounded sides infinite): it holds every row the cell is
        assigned, so it bounds the cell's rows without a pass over them."""
        lo = np.full((self.n_cells, n_cols), -np.inf)
        hi = np.full((self.n_cells, n_cols), np.inf)
        stack = [(0, lo[0].copy(), hi[0].copy())] if self.n_cells > 1 else []
        while stack:
            node, below, above = stack.pop()
            if node < 0:
                lo[-node - 1], hi[-node - 1] = below, above
                continue
            d, v = int(self.dim[node]), float(self.val[node])
            left_hi, right_lo = above.copy(), below.copy()
            left_hi[d], right_lo[d] = v, v  # left: x[d] <= v; right: x[d] > v
            stack.append((int(self.left[node]), below, left_hi))
            stack.append((int(self.right[node]), right_lo, above))
        return lo, hi

    def assign(self, X):
        cell = np.zeros(X.shape[0], dtype=np.int64)
        if self.n_cells == 1:
            return cell
        active = np.arange(X.shape[0])
        node = np.zeros(X.shape[0], dtype=np.int64)
        while active.size:
            nd = node[active]
            go = X[active, self.dim[nd]] > self.val[nd]
            child = np.where(go, self.right[nd], self.left[nd])
            done = child < 0
            cell[active[done]] = -child[done] - 1
            node[active[~done]] = child[~done]
            active = active[~done]
        return cell


def _closed_sides(lo, hi):
    """The columns on which the box ``[lo, hi]`` has a side (a KD region's
    open sides are -inf / +inf; an empty box's inf / -inf count as sides)."""
    return np.flatnonzero((lo > -np.inf) | (hi < np.inf))


def _box_gap(X, lo, hi):
    """Euclidean distance from each row of ``X`` to the box ``[lo, hi]`` (a
    KD region's open sides, infinite, add nothing and are skipped; an empty
    box, ``lo = inf`` and ``hi = -inf``, is at infinity)."""
    sides = _closed_sides(lo, hi)
    if sides.size < X.shape[1]:
        X, lo, hi = X[:, sides], lo[sides], hi[sides]
    gap = np.maximum(lo - X, 0.0) + np.maximum(X - hi, 0.0)
    return np.sqrt(np.einsum("ij,ij->i", gap, gap))


def _inner_gap(X, rows, lo, hi):
    """Distance from each of ``X``'s ``rows`` (all when ``None``) inside the box
    ``[lo, hi]`` to the box's nearest side (infinite sides never nearest), by
    columns: a KD region has a finite side on a few of them only."""
    n = X.shape[0] if rows is None else rows.size
    gap = np.full(n, np.inf)
    for j in _closed_sides(lo, hi):
        col = X[:, j] if rows is None else X[rows, j]
        np.minimum(gap, col - lo[j], out=gap)
        np.minimum(gap, hi[j] - col, out=gap)
    return gap


def _chunks(n):
    for a in range(0, n, PAYLOAD_ROWS):
        yield slice(a, min(n, a + PAYLOAD_ROWS))


class _Source:
    """What the steps read from a partition: keys, class codes, features."""

    def __init__(self, rows, removed=None, alive=None):
        self.rows = rows
        self.removed = removed
        self.alive = alive

    def read(self, pdf, p):
        return self._alive(self.rows.keys(pdf, p), pdf)

    def from_columns(self, pdf, key_column):
        """The same from a batch whose keys are in ``key_column`` (long keys
        computed by the engine, or the key column's values)."""
        if self.rows.key is None:
            keys = pdf[key_column].to_numpy().astype(np.int64)
        else:
            keys = _key_values(pdf[key_column].rename(self.rows.key))
        return self._alive(keys, pdf)

    def _alive(self, keys, pdf):
        rows = self.rows
        if rows.label is None:
            codes = np.zeros(len(pdf), dtype=np.int64)
        else:
            codes = rows.codes(pdf).astype(np.int64)
        X = rows.X(pdf)
        if self.removed is not None and self.removed.size:
            alive = ~_lookup(self.removed, keys)[1]
            keys, codes, X = keys[alive], codes[alive], X[alive]
        if self.alive is not None:
            alive = self.alive(keys, codes, X)
            keys, codes, X = keys[alive], codes[alive], X[alive]
        return keys, codes, X


def _lookup(sorted_keys, values):
    """``(at, found)``: where each value is or would go in ``sorted_keys``
    (clipped to a valid index), and whether it is there."""
    if sorted_keys.size == 0:
        return np.zeros(values.size, dtype=np.int64), np.zeros(values.size, bool)
    at = np.minimum(np.searchsorted(sorted_keys, values), sorted_keys.size - 1)
    return at, sorted_keys[at] == values


def _vote(labels, n_classes):
    """Each row's most frequent class code, ties to the smallest (scipy's
    mode, as imblearn votes)."""
    votes = np.zeros((labels.shape[0], n_classes), dtype=np.int64)
    if n_classes * labels.shape[1] <= 256:  # a pass a (class, column): fast
        for c in range(n_classes):
            for j in range(labels.shape[1]):
                votes[:, c] += labels[:, j] == c
    else:
        rows = np.repeat(np.arange(labels.shape[0]), labels.shape[1])
        np.add.at(votes, (rows, labels.ravel()), 1)
    return np.argmax(votes, axis=1)


def _agrees(codes, NC, mode, n_classes):
    """ENN's test: the neighbours' codes ``NC`` agree with each row's own,
    by their mode (``kind_sel='mode'``) or all of them."""
    if mode:
        return _vote(NC, n_classes) == codes
    return np.all(NC == codes[:, None], axis=1)


def _concat(parts, n_cols):
    if not parts:
        return _EMPTY_I, _EMPTY_I, np.empty((0, n_cols))
    keys = np.concatenate([p[1] for p in parts])
    codes = np.concatenate([p[2] for p in parts])
    X = np.concatenate([p[3] for p in parts])
    order = np.argsort(keys, kind="stable")  # ties broken by key, as locally
    return keys[order], codes[order], np.ascontiguousarray(X[order])


def _flat(qkeys, d, nk, nc):
    width = d.shape[1]
    return (
        np.repeat(qkeys, width),
        d.ravel(),
        nk.ravel(),
        nc.ravel(),
    )


#: A cell whose query rows are at least this share of its rows finds them by
#: one self-query of all its rows (the engine's symmetric kernels: about 2.5x
#: faster per row than the same rows as a separate query set), the other rows'
#: lists dropped.
SELF_QUERY_SHARE = 0.4


def _cell_neighbours(Xm, q, w):
    """The ``w`` nearest rows of ``Xm`` to its rows ``q`` (``(d, i)``)."""
    if q.size < SELF_QUERY_SHARE * Xm.shape[0]:
        return _core.kneighbors(Xm, Xm[q], w)
    d, i = _core.kneighbors(Xm, Xm, w)
    return (d, i) if q.size == Xm.shape[0] else (d[q], i[q])


def _local_step(k, query_codes, lo, hi, counts, result, with_x=False, width=None):
    """Step 3: each cell's own neighbours of its query rows, and their halos.
    A row sent to no other cell has its final list here: ``result`` of those
    rows travels on as a ``("final", ...)`` payload instead of the lists.
    ``with_x``: ``result`` also gets the rows' features and their neighbours'
    (``(n, d)`` and ``(n, k, d)``). Distances use the first ``lo.shape[1]``
    of the rows' ``width`` columns (the others only travel with the rows)."""
    n_cols = lo.shape[1]

    def step(g, payloads, shared):
        keys, codes, X = _concat(payloads, width or n_cols)
        n = keys.size
        out = []
        for s in _chunks(n):
            out.append((g, ("pts", keys[s], codes[s], X[s])))
        if n == 0:
            return out
        q = (
            np.arange(n)
            if query_codes is None
            else np.flatnonzero(np.isin(codes, query_codes))
        )
        if q.size == 0:
            return out
        w = min(k + 1, n)
        Xm = X if X.shape[1] == n_cols else np.ascontiguousarray(X[:, :n_cols])
        d, i = _cell_neighbours(Xm, q, w)
        if np.array_equal(i[:, 0], q):  # each row first in its own list
            d, i = d[:, 1:], i[:, 1:]
        else:
            is_self = i == q[:, None]
            missing = ~is_self.any(axis=1)  # k + 1 duplicates at distance 0
            is_self[missing, -1] = True
            keep = ~is_self
            d = d[keep].reshape(q.size, w - 1)
            i = i[keep].reshape(q.size, w - 1)
        qkeys = keys[q]
        if w - 1 >= k:
            radius = d[:, k - 1] * (1 + SLACK)
        else:
            radius = np.full(q.size, np.inf)
        sent = np.zeros(q.size, dtype=bool)
        # A row whose ball lies inside its own cell's box reaches no other cell
        # (the cells' regions do not overlap, and each box lies in its region):
        # only the others are tested against the other cells' boxes.
        inner = _inner_gap(Xm, None if q.size == n else q, lo[g], hi[g])
        near = np.flatnonzero(~(radius < inner * (1 - SLACK)))
        Xn, rn = Xm[q[near]], radius[near]
        if near.size:
            qlo, qhi = Xn.min(axis=0), Xn.max(axis=0)
            r_max = rn.max()
        for t in range(lo.shape[0] if near.size else 0):
            if t == g or (counts is not None and counts[t] == 0):
                continue
            # the queries' bounding box against the cell's box first
            between = np.maximum(lo[t] - qhi, 0.0) + np.maximum(qlo - hi[t], 0.0)
            if np.sqrt(between @ between) > r_max:
                continue
            sel = near[_box_gap(Xn, lo[t], hi[t]) <= rn]
            sent[sel] = True
            for s in _chunks(sel.size):
                at = sel[s]
                out.append((t, ("q", qkeys[at], g, Xm[q[at]], radius[at])))
        done = np.flatnonzero(~sent)
        nk, nc = keys[i], codes[i]
        if done.size:
            extra = (X[q[done]], X[i[done]]) if with_x else ()
            final = result(
                qkeys[done], codes[q][done], d[done], nk[done], nc[done], *extra
            )
            out.append((g, ("final", final)))
        if done.size < q.size:
            at = np.flatnonzero(sent)
            out.append((g, ("own", qkeys[at], codes[q][at], d[at], nk[at], nc[at])))
        return out

    return step


def _halo_step(k, width, with_x=False):
    """Step 4: answer the query rows sent to each cell, candidates to their
    homes (``with_x``: with their features, and each cell keeps its rows)."""
    passed = ("own", "final", "pts") if with_x else ("own", "final")

    def step(t, payloads, shared):
        out = [(t, p) for p in payloads if p[0] in passed]
        pts = [p for p in payloads if p[0] == "pts"]
        queries = [p for p in payloads if p[0] == "q"]
        n_halo = sum(p[1].size for p in queries)
        out.append((t, ("halo", n_halo)))
        if not queries:
            return out
        keys, codes, X = _concat(pts, width)
        if keys.size == 0:
            return out
        qkeys = np.concatenate([p[1] for p in queries])
        home = np.concatenate(
            [np.full(p[1].size, p[2], dtype=np.int64) for p in queries]
        )
        Q = np.ascontiguousarray(np.concatenate([p[3] for p in queries]))
        radius = np.concatenate([p[4] for p in queries])
        w = min(k, keys.size)
        m = Q.shape[1]  # the distances' columns
        Xm = X if X.shape[1] == m else np.ascontiguousarray(X[:, :m])
        # Only rows inside a query's ball can improve its list: the search is
        # bounded by it (most halo queries find none or one), the rest of a
        # row comes back as index -1.
        d, i = _core.kneighbors_within(Xm, Q, w, radius)
        within = i >= 0
        fk, fd, fnk, fnc = _flat(qkeys, d, keys[i], codes[i])
        fh = np.repeat(home, w)
        within = np.flatnonzero(within.ravel())
        order = within[np.argsort(fh[within], kind="stable")]
        fk, fd, fnk, fnc, fh = (a[order] for a in (fk, fd, fnk, fnc, fh))
        fx = X[i.ravel()[order]] if with_x else None
        cells, starts = np.unique(fh, return_index=True)
        ends = np.append(starts[1:], fh.size)
        for c, a, b in zip(cells, starts, ends):
            cand = ("cand", fk[a:b], fd[a:b], fnk[a:b], fnc[a:b])
            if with_x:
                cand += (fx[a:b],)
            out.append((int(c), cand))
        return out

    return step


def _merged(payloads, k):
    """Step 5: each row's k nearest (keys, codes, D, NK, NC), rows by key.

    A row's own list (from its cell, already ordered by distance then key) is
    final unless candidates came back for it from other cells; only those rows
    are merged."""
    own = [p for p in payloads if p[0] == "own"]
    if not own:
        return None
    keys = np.concatenate([p[1] for p in own])
    codes = np.concatenate([p[2] for p in own])
    width = min(p[3].shape[1] for p in own)
    D = np.concatenate([p[3][:, :width] for p in own])
    NK = np.concatenate([p[4][:, :width] for p in own])
    NC = np.concatenate([p[5][:, :width] for p in own])
    if np.any(keys[1:] < keys[:-1]):
        order = np.argsort(keys)
        keys, codes, D, NK, NC = (
            keys[order],
            codes[order],
            D[order],
            NK[order],
            NC[order],
        )
    cands = [p for p in payloads if p[0] == "cand"]
    if cands:
        fk = np.concatenate([c[1] for c in cands])
        fd = np.concatenate([c[2] for c in cands])
        fnk = np.concatenate([c[3] for c in cands])
        fnc = np.concatenate([c[4] for c in cands])
        pos = np.searchsorted(keys, fk)
        touched = np.unique(pos)
        # the touched rows' own entries, then their candidates, per row by
        # (distance, key)
        pos = np.concatenate([np.repeat(touched, width), pos])
        fd = np.concatenate([D[touched].ravel(), fd])
        fnk = np.concatenate([NK[touched].ravel(), fnk])
        fnc = np.concatenate([NC[touched].ravel(), fnc])
        order = np.lexsort((fnk, fd, pos))
        pos, fd, fnk, fnc = pos[order], fd[order], fnk[order], fnc[order]
        starts = np.searchsorted(pos, pos)  # each entry's row's first entry
        rank = np.arange(pos.size) - starts
        full = min(k, int(np.bincount(pos)[touched].min()))
        if full > width:  # a small cell: its rows' lists grow to k
            pad = ((0, 0), (0, full - width))
            D = np.pad(D, pad, constant_values=np.inf)
            NK = np.pad(NK, pad, constant_values=-1)
            NC = np.pad(NC, pad, constant_values=-1)
            width = full
            if touched.size < keys.size:  # rows that could not be completed
                width = min(width, int(np.bincount(pos, minlength=keys.size).min()))
        top = rank < width
        rows, cols = pos[top], rank[top]
        D[rows, cols] = fd[top]
        NK[rows, cols] = fnk[top]
        NC[rows, cols] = fnc[top]
    return keys, codes, D[:, :width], NK[:, :width], NC[:, :width]


def _n_cells(n_rows, n_sample, n_cols, shrink=1):
    """Cells of at most about CELL_ROWS rows (fewer above 10 columns: the same
    bytes; ``shrink`` times fewer when each row makes that many output rows),
    each cut from at least 4 sample rows."""
    per_cell = max(1, CELL_ROWS * 10 // max(n_cols, 10) // shrink)
    return max(1, min(math.ceil(n_rows / per_cell), n_sample // 4))


def _sample_every(n_rows, n_cols, shrink=1):
    """The stride of the join's sample of ``n_rows`` rows: ``SAMPLE_ROWS``
    rows, or ``SAMPLE_PER_CELL`` for each of the cells they make, within
    ``MAX_SAMPLE_BYTES`` of float64 features."""
    wanted = SAMPLE_PER_CELL * _n_cells(n_rows, n_rows, n_cols, shrink)
    most = MAX_SAMPLE_BYTES // (8 * max(1, n_cols))
    return max(1, n_rows // max(SAMPLE_ROWS, min(wanted, most)))


def _sample(frame, rows, every, source):
    """Every ``every``-th of the rows taking part (about: engines may draw a
    random sample of that fraction); of the rows ``source.alive`` lets through
    when it is set (the class SMOTE over-samples, the rows OneSidedSelection
    keeps), so that the cells fit those rows."""
    if source.alive is None:
        sample = frame.sample_features(rows, 1.0 / every)
        if sample is not None:
            return sample
    offsets = rows.offsets

    def step(pdf, p, shared):
        if source.alive is not None:
            return source.read(pdf, p)[2][::every]
        offset = int(offsets[p]) if p < len(offsets) else 0
        first = (-offset) % every
        return rows.X(pdf.iloc[first::every])

    parts = [x for x in frame.collect(step, rows.columns()) if x.shape[0]]
    return np.concatenate(parts) if parts else np.empty((0, len(rows.features)))


def _boxes(frame, source, cells, n_cols):
    n_cells = cells.n_cells

    def step(pdf, p, shared):
        keys, codes, X = source.read(pdf, p)
        lo = np.full((n_cells, n_cols), np.inf)
        hi = np.full((n_cells, n_cols), -np.inf)
        cell = cells.assign(X)
        count = np.bincount(cell, minlength=n_cells)
        if cell.size:
            order = np.argsort(cell, kind="stable")
            present, starts = np.unique(cell[order], return_index=True)
            Xs = X[order, :n_cols]
            lo[present] = np.minimum.reduceat(Xs, starts, axis=0)
            hi[present] = np.maximum.reduceat(Xs, starts, axis=0)
        return lo, hi, count

    def combine(a, b):
        return np.minimum(a[0], b[0]), np.maximum(a[1], b[1]), a[2] + b[2]

    return frame.reduce(step, combine, source.rows.columns())


def join(
    frame,
    rows,
    n_rows,
    k,
    result,
    *,
    query_codes=None,
    removed=None,
    alive=None,
    with_x=False,
    shrink=1,
):
    """The exchanges of the join up to the merged lists: returns an engine
    handle whose groups each hold their rows' ``("own", ...)`` and
    ``("cand", ...)`` payloads; finish it with :func:`merged_groups`.

    ``rows``: the :class:`_Rows` (offsets set); ``query_codes``: only rows of
    these classes get neighbour lists (every row is a neighbour); ``removed``:
    sorted keys of rows left out entirely; ``alive``: a picklable test
    ``alive(keys, codes, X) -> bool mask`` of the rows taking part (the others
    are left out too); ``with_x``: ``result`` also gets the rows' features
    and their neighbours' (then finish with :func:`new_rows`); ``shrink``:
    cells that many times smaller (``result`` makes that many rows per row)."""
    n_cols, width = rows.metric, rows.width
    source = _Source(rows, removed, alive)
    every = _sample_every(n_rows, n_cols, shrink)
    sample = _sample(frame, rows, every, source)[:, :n_cols]
    if alive is not None:  # ``n_rows`` was a bound: the sample's stride tells
        n_rows = min(n_rows, sample.shape[0] * every)
    cells = Cells(sample, _n_cells(n_rows, sample.shape[0], n_cols, shrink))
    n_cells = cells.n_cells
    # Without a row test, each cell's region of the split bounds its rows: no
    # pass over them (on clustered 1M x 10 and x 32 data, the same halo as the
    # rows' bounding boxes to 0.2%). With one, a pass boxes the rows taking
    # part, whose sample cut the cells: tighter where those rows are sparse.
    engine_side = (
        None if alive is not None else frame.cell_exchange(rows, source, cells)
    )
    qc = None if query_codes is None else np.asarray(sorted(query_codes), np.int64)

    def scatter(pdf, p, shared):
        keys, codes, X = source.read(pdf, p)
        cell = cells.assign(X)
        order = np.argsort(cell, kind="stable")
        cell = cell[order]
        present, starts = np.unique(cell, return_index=True)
        ends = np.append(starts[1:], cell.size)
        out = []
        for c, a, b in zip(present, starts, ends):
            at = order[a:b]
            out.append((int(c), ("pts", keys[at], codes[at], X[at])))
        return out

    if alive is None:
        (lo, hi), counts = cells.regions(n_cols), None
    else:
        lo, hi, counts = _boxes(frame, source, cells, n_cols)
    if engine_side is not None:
        handle = engine_side
    else:
        handle = frame.scatter(scatter, rows.columns(), n_cells)
    handle = frame.regroup(
        handle, _local_step(k, qc, lo, hi, counts, result, with_x, width), n_cells
    )
    handle = frame.regroup(handle, _halo_step(k, width, with_x), n_cells)
    return handle, n_cells


def finish(frame, handle, k, result):
    """The results of ``join(..., result)``: every cell's (some rows' lists
    final in step 3, the others' merged here; ``result`` must be the one given
    to :func:`join`), and the number of halo copies (query rows sent to a cell
    other than their own)."""

    def step(g, payloads, shared):
        n_halo = sum(p[1] for p in payloads if p[0] == "halo")
        return n_halo, _results(payloads, k, result)

    parts = frame.gather_groups(handle, step)
    n_halo = sum(h for h, _ in parts)
    HALOS.append(n_halo)
    return [r for _, rs in parts for r in rs], n_halo


def _results(payloads, k, result, with_x=False):
    """A cell's results: those finished in step 3, then the merged rows'."""
    out = [p[1] for p in payloads if p[0] == "final"]
    m = _merged(payloads, k)
    if m is not None:
        if with_x:
            m = m + _features(payloads, m[0], m[3])
        out.append(result(*m))
    return out


def _features(payloads, keys, NK):
    """The features of the rows ``keys`` and of their neighbours ``NK``, from
    the cell's own rows and the candidates that came with features."""
    pts = [p for p in payloads if p[0] == "pts"]
    cands = [p for p in payloads if p[0] == "cand"]
    all_keys = np.concatenate([p[1] for p in pts] + [c[3] for c in cands])
    all_X = np.concatenate([p[3] for p in pts] + [c[5] for c in cands])
    order = np.argsort(all_keys, kind="stable")
    all_keys, all_X = all_keys[order], all_X[order]
    XQ = all_X[_lookup(all_keys, keys)[0]]
    NX = all_X[_lookup(all_keys, NK.ravel())[0]].reshape(*NK.shape, -1)
    return XQ, NX


def new_rows(k, result):
    """The last step of ``join(..., result, with_x=True)`` when ``result``
    returns output parts (``("new", X, label)``, a list): on each cell's
    payloads, every part its rows make (``Frame.output``'s ``groups``)."""

    def step(g, payloads, shared):
        return [part for ps in _results(payloads, k, result, True) for part in ps]

    return step


# --- the cleaning rules -----------------------------------------------------------


def _drop(plan, removed):
    """Every row but those whose key is in the sorted array ``removed``."""
    rows = plan.rows
    plan.sampler.removed_keys_ = removed
    if removed.size == 0:
        return plan.frame.output(None, rows.columns(False), rows.label, rows.features)
    kept = plan.frame.drop_keys(rows, removed)
    if kept is not None:
        return kept

    def mask(pdf, p, pos):
        return ~_lookup(removed, rows.keys(pdf, p, pos))[1]

    return plan.frame.keep(mask, rows.columns(False), rows.label, rows.features)


def _edit_round(plan, k, clean_codes, kind_sel, removed, n_alive):
    """One ENN round on the rows not in ``removed``: the keys and codes of the
    rows of ``clean_codes`` whose ``k`` neighbours disagree with them."""
    n_classes = plan.classes.size
    mode = kind_sel == "mode"

    def result(keys, codes, D, NK, NC):
        agree = _agrees(codes, NC, mode, n_classes)
        return keys[~agree], codes[~agree]

    handle, _ = join(
        plan.frame,
        plan.rows,
        n_alive,
        k,
        result,
        query_codes=clean_codes,
        removed=removed,
    )
    parts, _ = finish(plan.frame, handle, k, result)
    if not parts:
        return _EMPTY_I, _EMPTY_I
    return np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts])


def _neighbours_int(sampler):
    _check_int(sampler, "n_neighbors")
    return int(sampler.n_neighbors)


def _merge_removed(removed, keys, codes, rcodes):
    keys = np.concatenate([removed, keys])
    codes = np.concatenate([rcodes, codes])
    order = np.argsort(keys)
    return keys[order], codes[order]


def enn(plan):
    s = plan.sampler
    k = _neighbours_int(s)
    check_enough_rows("n_neighbors", k, plan.n_samples)
    clean = [plan.code(c) for c in s.sampling_strategy_]
    keys, codes = _edit_round(plan, k, clean, s.kind_sel, None, plan.n_samples)
    return _drop(plan, np.sort(keys))


def _minority_code(plan):
    """imblearn's minority: the smallest count, ties to the class seen first."""
    smallest = np.flatnonzero(plan.counts == plan.counts.min())
    if smallest.size == 1:
        return int(smallest[0])
    return int(smallest[np.argmin(plan.first[smallest])])


def _repeated(plan, sizes, keep_exempt, stop_when_unchanged, allow_minority=False):
    from ..utils._validation import resolve_sampling_strategy

    s = plan.sampler
    minority = _minority_code(plan)
    original = plan.counts
    removed, rcodes = _EMPTY_I, _EMPTY_I
    counts = plan.counts
    n_iter = 0
    for k in sizes:
        n_iter += 1
        present = np.flatnonzero(counts > 0)
        strategy = resolve_sampling_strategy(
            s.sampling_strategy,
            {plan.classes[c]: int(counts[c]) for c in present},
            s._sampling_type,
        )
        if keep_exempt:
            strategy = {c: n for c, n in strategy.items() if c in s.sampling_strategy_}
        clean = [plan.code(c) for c in strategy]
        check_enough_rows("n_neighbors", k, int(counts.sum()))
        keys, codes = _edit_round(
            plan, k, clean, s.kind_sel, removed, int(counts.sum())
        )
        removed, rcodes = _merge_removed(removed, keys, codes, rcodes)
        counts = plan.counts - np.bincount(rcodes, minlength=plan.counts.size)
        others = np.delete(counts, minority)
        became_majority = bool(np.any(others < original[minority]))
        class_removed = bool(np.any(counts == 0))
        if allow_minority:
            became_majority = False
        if (stop_when_unchanged and keys.size == 0) or became_majority or class_removed:
            break
    return removed, n_iter


def renn(plan):
    s = plan.sampler
    k = _neighbours_int(s)  # (each round checks the rows it has)
    removed, n_iter = _repeated(plan, [k] * int(s.max_iter), True, True)
    s.n_iter_ = n_iter
    return _drop(plan, removed)


def all_knn(plan):
    s = plan.sampler
    k = _neighbours_int(s)
    check_enough_rows("n_neighbors", k, plan.n_samples)
    removed, _ = _repeated(
        plan,
        range(1, k + 1),
        not s.allow_minority,
        False,
        allow_minority=s.allow_minority,
    )
    return _drop(plan, removed)


def tomek(plan):
    s = plan.sampler
    check_enough_rows("n_neighbors", 1, plan.n_samples)
    clean = [plan.code(c) for c in s.sampling_strategy_]
    return _drop(plan, _tomek_links(plan, clean, plan.n_samples))


def _tomek_links(plan, clean, n_rows, alive=None):
    """The sorted keys of the rows of the classes ``clean`` in a Tomek link
    (mutual nearest rows of different classes), among the rows ``alive``."""
    clean = np.asarray(sorted(clean), dtype=np.int64)

    def result(keys, codes, D, NK, NC):
        cross = NC[:, 0] != codes
        return keys[cross], codes[cross], NK[cross, 0]

    handle, _ = join(plan.frame, plan.rows, n_rows, 1, result, alive=alive)
    parts, _ = finish(plan.frame, handle, 1, result)
    if not parts:
        return _EMPTY_I
    a = np.concatenate([p[0] for p in parts])
    codes = np.concatenate([p[1] for p in parts])
    b = np.concatenate([p[2] for p in parts])
    order = np.argsort(a)
    a, codes, b = a[order], codes[order], b[order]
    at, found = _lookup(a, b)
    mutual = found & (b[at] == a)
    return a[mutual & np.isin(codes, clean)]


class _OneSided:
    """OneSidedSelection's first pass as a row test (picklable): a row of a
    class being cleaned stays if it is one of the class's seeds, or if the
    k-NN rule on the class's store (the minority rows by key, then the seeds)
    misclassifies it; rows of other classes stay."""

    def __init__(self, stores, seed_keys, k, n_classes):
        self.stores = stores  # {code: (X, codes)}
        self.seed_keys = seed_keys  # {code: sorted keys}
        self.k = k
        self.n_classes = n_classes

    def __call__(self, keys, codes, X):
        keep = np.ones(keys.size, dtype=bool)
        for code, (Xs, ys) in self.stores.items():
            at = np.flatnonzero(codes == code)
            at = at[~_lookup(self.seed_keys[code], keys[at])[1]]
            if at.size == 0:
                continue
            _, i = _core.kneighbors(Xs, np.ascontiguousarray(X[at]), self.k)
            votes = ys[i]
            pred = votes[:, 0] if self.k == 1 else _vote(votes, self.n_classes)
            keep[at] = pred != code
        return keep


def _seeds(plan, codes, n_seeds):
    """Each class's ``n_seeds`` rows with the smallest keyed random bits (ties
    by key): ``{code: (keys, X)}`` in that order."""
    rows, seed = plan.rows, plan.seed

    def step(pdf, p, shared):
        c = rows.codes(pdf)
        k = rows.keys(pdf, p)
        out = {}
        for code in codes:
            at = np.flatnonzero(c == code)
            u = _bits(seed, _SEEDS, code, k[at])
            order = np.lexsort((k[at], u))[:n_seeds]
            best = at[order]
            out[code] = (u[order], k[best], rows.X(pdf, best))
        return out

    found = {code: [] for code in codes}
    for part in plan.frame.collect(step, rows.columns(), classes=codes):
        for code, got in part.items():
            found[code].append(got)
    seeds = {}
    for code, parts in found.items():
        u = np.concatenate([p[0] for p in parts])
        k = np.concatenate([p[1] for p in parts])
        X = np.concatenate([p[2] for p in parts])
        best = np.lexsort((k, u))[:n_seeds]
        seeds[code] = (k[best], X[best])
    return seeds


def oss(plan):
    """OneSidedSelection: each class to clean keeps its seeds and the rows the
    k-NN rule on (minority rows + seeds) misclassifies (the minority class is
    broadcast; every other row is tested where it lies), then the Tomek links
    of the cleaned classes among the rows kept are removed (one 1-NN join over
    those rows). The seeds are each class's ``n_seeds_S`` rows with the
    smallest keyed random numbers, not imblearn's ``randint`` draws."""
    from sklearn.neighbors import KNeighborsClassifier

    s = plan.sampler
    if s.n_neighbors is None:
        k = 1
    elif isinstance(s.n_neighbors, KNeighborsClassifier):
        raise NotImplementedError(
            "OneSidedSelection on Spark/Dask runs the k-NN rule itself; pass "
            "n_neighbors=None or an int (got a KNeighborsClassifier)."
        )
    else:
        k = _neighbours_int(s)
        if k < 1:
            raise ValueError(f"n_neighbors must be at least 1, got {k}.")
    _check_int(s, "n_seeds_S")
    n_seeds = int(s.n_seeds_S)
    if n_seeds < 1:
        raise ValueError(f"n_seeds_S must be at least 1, got {n_seeds}.")
    minority = _minority_code(plan)
    clean = sorted(plan.code(c) for c in s.sampling_strategy_)
    n_min = int(plan.counts[minority])
    plan.check_broadcast(plan.classes[minority], n_min, "the minority class")
    seeds = _seeds(plan, clean, n_seeds)
    _, _, Xm = plan.gather([minority])
    stores, seed_keys = {}, {}
    s.estimators_ = []
    for code in clean:
        keys, Xs = seeds[code]
        X = np.ascontiguousarray(np.concatenate([Xm, Xs]))
        y = np.concatenate([np.full(n_min, minority), np.full(keys.size, code)]).astype(
            np.int64
        )
        if k > y.size:
            raise ValueError(
                f"n_neighbors={k} is more than the {y.size} rows the rule of "
                f"class {_plain(plan.classes[code])!r} is fitted on (the {n_min} "
                f"minority rows and {keys.size} seeds); lower n_neighbors."
            )
        stores[code] = (X, y)
        seed_keys[code] = np.sort(keys)
        s.estimators_.append(
            KNeighborsClassifier(n_neighbors=k).fit(X, plan.classes[y])
        )
    s.seed_keys_ = {plan.classes[c]: seed_keys[c] for c in clean}
    alive = _OneSided(stores, seed_keys, k, plan.classes.size)
    links = _tomek_links(plan, clean, plan.n_samples, alive=alive)
    rows = plan.rows

    def mask(pdf, p, pos):
        keys = rows.keys(pdf, p, pos)
        keep = ~_lookup(links, keys)[1]
        keep[keep] = alive(keys[keep], rows.codes(pdf)[keep], rows.X(pdf)[keep])
        return keep

    return plan.frame.keep(mask, rows.columns(), rows.label, rows.features)


def ncr(plan):
    """NeighbourhoodCleaningRule: its ENN (``mode``) and the k nearest rows of
    each minority row that the k-NN vote (the row and its first k - 1
    neighbours, as imblearn votes) misclassifies, from one join."""
    from ..under_sampling import EditedNearestNeighbours
    from ..utils._validation import resolve_sampling_strategy

    s = plan.sampler
    k = _neighbours_int(s)
    s._validate_estimator()
    enn_ = s.edited_nearest_neighbours_
    if type(enn_) is not EditedNearestNeighbours:
        raise NotImplementedError(
            "NeighbourhoodCleaningRule on Spark/Dask runs its own "
            "EditedNearestNeighbours; pass edited_nearest_neighbours=None or an "
            f"EditedNearestNeighbours (got {type(enn_).__name__})."
        )
    k_enn = _neighbours_int(enn_)
    check_enough_rows("n_neighbors", max(k, k_enn), plan.n_samples)
    stats = {c: int(n) for c, n in zip(plan.classes, plan.counts)}
    enn_.sampling_strategy_ = resolve_sampling_strategy(
        enn_.sampling_strategy, stats, enn_._sampling_type
    )
    enn_codes = np.asarray(sorted(plan.code(c) for c in enn_.sampling_strategy_))
    minority = _minority_code(plan)
    # in order of first appearance (first key), as imblearn lists them
    s.classes_to_clean_ = [
        plan.classes[code]
        for code in np.argsort(plan.first, kind="stable")
        if plan.classes[code] in s.sampling_strategy_
        and stats[plan.classes[code]]
        > stats[plan.classes[minority]] * s.threshold_cleaning
    ]
    clean_codes = np.asarray(sorted(plan.code(c) for c in s.classes_to_clean_))
    n_classes = plan.classes.size
    enn_mode = enn_.kind_sel == "mode"

    def result(keys, codes, D, NK, NC):
        edit = np.isin(codes, enn_codes)
        agree = _agrees(codes[edit], NC[edit, :k_enn], enn_mode, n_classes)
        a1 = keys[edit][~agree]
        m = codes == minority
        labels = np.concatenate([codes[m, None], NC[m, : k - 1]], axis=1)
        wrong = _vote(labels, n_classes) != minority
        nk, nc2 = NK[m][wrong, :k], NC[m][wrong, :k]
        a2 = nk[np.isin(nc2, clean_codes)]
        return a1, a2

    queries = np.union1d(enn_codes, [minority])
    width = max(k, k_enn)
    handle, _ = join(
        plan.frame, plan.rows, plan.n_samples, width, result, query_codes=queries
    )
    parts, _ = finish(plan.frame, handle, width, result)
    removed = np.unique(
        np.concatenate([_EMPTY_I] + [p[0] for p in parts] + [p[1] for p in parts])
    )
    return _drop(plan, removed)


def combined(plan):
    """SMOTEENN / SMOTETomek: the distributed SMOTE, then the cleaning rule on
    its output (rows keyed by position in it)."""
    s = plan.sampler
    s._validate_estimator()
    s.sampling_strategy_ = s.sampling_strategy
    rows = plan.rows
    engine = plan.engine
    over = resample(
        s.smote_,
        plan.frame,
        label=rows.label,
        features=rows.features,
        key=rows.key,
        engine=engine,
    )
    cleaner = getattr(s, s._cleaner_name + "_")
    return resample(
        cleaner,
        type(plan.frame)(over),
        label=rows.label,
        features=rows.features,
        key=None,
        engine=engine,
    )


# --- SMOTE for a class larger than one worker ----------------------------------------


def _new_rows(seed, code, klass, k, keys, m, XQ, NX, far=None):
    """``m[i]`` new rows from each row ``keys[i]`` (features ``XQ[i]``) towards
    its neighbours ``NX[i]``, with the broadcast path's draws and arithmetic
    (:func:`_plan.smote_draws`, :func:`_plan.interpolate`); ``far``: which
    neighbours are of another class (Borderline-SMOTE-2)."""
    parts = []
    for row, t in draw_chunks(m):
        key_rep = keys[row]
        col, step = smote_draws(seed, code, key_rep, t, k)
        f = None if far is None else far[row, col]
        new = interpolate(seed, code, key_rep, t, XQ[row], NX[row, col], step, f)
        parts.append(("new", new, klass))
    return parts


def _balanced(plan, code, n, size, keys=None):
    """How many new rows each of ``size`` rows of class ``code`` makes:
    ``n // size``, and one more for the ``n % size`` with the smallest keyed
    random numbers. Returns ``(counts, q)``: ``counts(keys)`` of any of those
    rows (picklable), and ``q = n // size``.
    ``keys``: the rows, when the driver holds them (else the class's rows,
    found by the engine)."""
    q, r = divmod(int(n), int(size))
    if keys is None:
        threshold = _thresholds(plan, {code: r})[code]
    else:
        threshold = np.sort(_select_bits(plan.seed, code, keys))[r - 1] if r else None
    seed = plan.seed

    def counts(keys):
        m = np.full(keys.size, q, dtype=np.int64)
        if threshold is not None:
            m += _select_bits(seed, code, keys) <= threshold
        return m

    return counts, q


def _of_class(code):
    def alive(keys, codes, X):
        return codes == code

    return alive


def _class_join(plan, code, size, k, result, per_row, rows=None):
    """The join over the ``size`` rows of class ``code``, carrying features,
    whose ``result`` makes about ``per_row`` new rows per row (its cells that
    much smaller: a cell's step holds its rows and the rows they make at
    once). Returns ``(handle, fn)`` for ``Frame.output``'s ``groups``."""
    handle, _ = join(
        plan.frame,
        plan.rows if rows is None else rows,
        size,
        k,
        result,
        alive=_of_class(code),
        with_x=True,
        shrink=min(per_row + 2, 64),
    )
    return handle, new_rows(k, result)


def smote_class(plan, code, klass, n, k):
    """SMOTE's ``n`` new rows of class ``code`` without gathering the class:
    the k-NN join over the class's rows, carrying the neighbours' features,
    makes each row's new rows in the cell where its list ends. Each row is the
    base of ``n // N`` or ``n // N + 1`` new rows (the ``n % N`` rows with the
    smallest keyed random numbers get one more: exact total, every row equally
    likely, partition-independent), and the draws of each new row (neighbour,
    step) are those of the broadcast path (:func:`_plan.smote_draws`), so for
    the same counts both paths make the same rows. Returns ``(handle, fn)``
    for ``Frame.output``'s ``groups``."""
    size = int(plan.counts[code])
    counts, q = _balanced(plan, code, n, size)
    seed = plan.seed

    def result(keys, codes, D, NK, NC, XQ, NX):
        return _new_rows(seed, code, klass, k, keys, counts(keys), XQ, NX)

    return _class_join(plan, code, size, k, result, q)


def smotenc_class(plan, code, klass, n, k, rows, spec):
    """SMOTENC's ``n`` new rows of class ``code`` without gathering it: the
    k-NN join over the class's rows in SMOTENC's encoding (``rows``, an
    ``_Encoded``: continuous columns and scaled one-hot categories, the
    categories' codes carried along), each row the base of ``n // N`` or
    ``n // N + 1`` new rows as for SMOTE, each made with the broadcast path's
    draws and vote (:func:`_plan.nc_columns`). Returns ``(handle, fn)``."""
    size = int(plan.counts[code])
    counts, q = _balanced(plan, code, n, size)
    seed, n_cont, metric = plan.seed, len(spec["cont_names"]), rows.metric

    def result(keys, codes, D, NK, NC, XQ, NX):
        parts = []
        for row, t in draw_chunks(counts(keys)):
            key_rep = keys[row]
            col, step = smote_draws(seed, code, key_rep, t, k)
            new = interpolate(
                seed, code, key_rep, t, XQ[row, :n_cont], NX[row, col, :n_cont], step
            )
            ncodes = NX[row, :, metric:].astype(np.int64)
            columns = nc_columns(seed, code, key_rep, t, new, ncodes, spec)
            parts.append(("new", columns, klass))
        return parts

    return _class_join(plan, code, size, k, result, q, rows)


def borderline_class(plan, code, klass, n, k, m, kind):
    """Borderline-SMOTE's new rows of class ``code`` without gathering it: a
    join over all rows finds the class's rows in danger (of their ``m``
    nearest rows, at least half and not all of another class; their keys come
    to the driver, as ``in_danger_indices``), then a join carrying features
    makes ``n`` new rows from them (towards their ``k`` nearest rows of the
    class, or of any class for ``'borderline-2'``), each danger row the base
    of ``n // D`` or ``n // D + 1``. Returns ``(danger keys, (handle, fn))``."""
    seed, rows = plan.seed, plan.rows

    def danger_keys(keys, codes, D, NK, NC):
        return keys[in_danger(np.sum(NC != code, axis=1), m)]

    handle, _ = join(
        plan.frame, rows, plan.n_samples, m, danger_keys, query_codes=[code]
    )
    parts, _ = finish(plan.frame, handle, m, danger_keys)
    danger = np.sort(np.concatenate(parts)) if parts else _EMPTY_I
    if danger.size == 0:
        return danger, None
    counts, q = _balanced(plan, code, n, danger.size, danger)
    two = kind != "borderline-1"

    def result(keys, codes, D, NK, NC, XQ, NX):
        made = counts(keys)
        made[~_lookup(danger, keys)[1]] = 0  # only danger rows make new rows
        far = NC != code if two else None
        return _new_rows(seed, code, klass, k, keys, made, XQ, NX, far)

    handle, _ = join(
        plan.frame,
        rows,
        plan.n_samples if two else int(plan.counts[code]),
        k,
        result,
        query_codes=[code] if two else None,
        alive=None if two else _of_class(code),
        with_x=True,
        shrink=min(q + 2, 64),
    )
    return danger, (handle, new_rows(k, result))


def adasyn_class(plan, code, klass, n, k):
    """ADASYN's new rows of class ``code`` without gathering it: a join over
    all rows counts, for each class row, the rows of another class among its
    ``k`` nearest; their keys and counts come to the driver (8 bytes and one
    share per row: ``adasyn_weights_``, as on the broadcast path), which makes
    each row's share and its ``rint(share * n)`` new rows with the broadcast
    path's arithmetic; a join over the class carrying features then makes
    them, with the broadcast path's draws (the same rows). Only the rows that
    make new rows travel to the tasks (their keys and counts). Returns
    ``(shares in key order, (handle, fn))``."""
    seed = plan.seed

    def n_other(keys, codes, D, NK, NC):
        return keys, np.sum(NC != code, axis=1)

    handle, _ = join(
        plan.frame, plan.rows, plan.n_samples, k, n_other, query_codes=[code]
    )
    parts, _ = finish(plan.frame, handle, k, n_other)
    keys = np.concatenate([_EMPTY_I] + [p[0] for p in parts])
    other = np.concatenate([_EMPTY_I] + [p[1] for p in parts])
    order = np.argsort(keys)
    keys, other = keys[order], other[order]
    shares, per_row = adasyn_counts(other, k, n)
    size = keys.size
    check_enough_rows("n_neighbors", k, size, klass=klass)
    makes = per_row > 0
    base_keys, base_counts = keys[makes], per_row[makes]

    def result(keys, codes, D, NK, NC, XQ, NX):
        at, found = _lookup(base_keys, keys)
        made = np.where(found, base_counts[at], 0)
        return _new_rows(seed, code, klass, k, keys, made, XQ, NX)

    return shares, _class_join(plan, code, size, k, result, int(per_row.sum()) // size)


# --- the public join ------------------------------------------------------------------


def setup(frame, n_neighbors, features=None, key=None):
    """Check :func:`kneighbors`' arguments and count the rows: ``(rows,
    n_rows, k)`` for :func:`join`."""
    import numbers

    if isinstance(n_neighbors, bool) or not isinstance(n_neighbors, numbers.Integral):
        raise TypeError(f"n_neighbors must be an int, got {n_neighbors!r}.")
    k = int(n_neighbors)
    if k < 1:
        raise ValueError(f"n_neighbors must be at least 1, got {k}.")
    features = feature_columns(list(frame.columns), None, features, key)
    rows = frame.rows = _Rows(None, features, key)

    def count(pdf, p, shared):
        if key is not None:
            values = pdf[key]
            if values.isna().any() or values.to_numpy().dtype.kind not in "iu":
                raise ValueError(
                    f"The key column {key!r} must hold integers without nulls "
                    "(they are the ids kneighbors returns); pass key=None to "
                    "number the rows by position."
                )
        return p, len(pdf)

    parts = frame.collect(
        count, rows.columns(False) if key is not None else [features[0]]
    )
    sizes = np.zeros(max([p for p, _ in parts], default=-1) + 1, dtype=np.int64)
    for p, n in parts:
        sizes[p] = n
    n_rows = int(sizes.sum())
    if n_rows <= k:
        raise ValueError(
            f"n_neighbors={k} needs more than {k} rows; the DataFrame has {n_rows}."
        )
    rows.offsets = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    return rows, n_rows, k


def kneighbors(frame, n_neighbors, features=None, key=None):
    """Each row's ``n_neighbors`` nearest other rows: an engine DataFrame of
    ids, neighbour ids (nearest first) and distances (see ``neighbours_frame``)."""
    rows, n_rows, k = setup(frame, n_neighbors, features, key)

    def result(keys, codes, D, NK, NC):
        return keys, D, NK

    handle, _ = join(frame, rows, n_rows, k, result)

    def step(g, payloads, shared):
        parts = _results(payloads, k, result)
        if not parts:
            return None
        return tuple(np.concatenate([p[j] for p in parts]) for j in range(3))

    return frame.neighbours_frame(handle, step, k)
