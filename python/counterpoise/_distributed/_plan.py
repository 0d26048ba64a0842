"""One engine-neutral plan per sampler, run through a :class:`Frame` adapter.

Every plan starts the same way: one pass counts the rows of each class in each
partition (the only aggregation the driver needs), the sampler's own
``sampling_strategy`` is resolved from those counts by the local resolvers, and
then partition-level steps run on pandas batches and call the Rust engine:

- ``collect``: a step on every partition returning a small result (counts, a
  histogram, the keys or rows of a class that was proven small);
- ``reduce``: a step on every partition whose results are merged pairwise
  (per-query top-k lists of an exact k-NN over all partitions, or the n best
  candidates of a global selection);
- ``output``: a step on every partition that keeps or repeats its own rows, plus
  generation tasks that make synthetic rows in parallel from broadcast tables.

Row keys and randomness
-----------------------
Each row has a 64-bit key: its global position (partition offset from the count
pass + position in the partition) or, with ``key=``, the value of that column
(integers as they are, anything else hashed). Randomness never comes from a
generator that runs through the rows in task order: each random number is a
counter-based hash of (seed, stream, class, row key, counter) (a SplitMix64
finaliser; RandomUnderSampler's keep test is Spark SQL's ``xxhash64`` of (seed,
stream, class, key), so Spark evaluates it in the JVM and numpy everywhere else;
the driver's few draws use numpy's counter-based Philox keyed the same way).
So the output depends on the seed and the rows' keys only: not on the number
of workers, executors, threads or the order tasks run in. With positional keys it
also does not depend on how the same ordered rows are cut into partitions;
reordering rows (a shuffle, ``repartition``) changes the keys, hence the draws.
With ``key=`` a column of unique values it depends on nothing else. (One
exception: RandomUnderSampler with ``replacement=True`` splits its draws by
partition, so its output follows the partitioning.)

Where a class is gathered (the classes being over-sampled by the SMOTE family,
the minority of NearMiss, Borderline-SMOTE and ADASYN) its rows are ordered by key,
which with positional keys is the input order: the neighbour tables, danger sets,
density weights and NearMiss selections are then exactly the local sampler's on
the same data (the engine's exact k-NN, ties by distance then row key).
"""

from __future__ import annotations

import functools
import math
import numbers
import warnings

import numpy as np
import pandas as pd

from .. import _core

# Steps run in Spark's and Dask's workers, which unpickle them by importing this
# module: it must not import scikit-learn or SciPy (1.5 s and ~250 MB of address
# space per worker). The driver-side checks below import them when called.


def _plain(label):
    """A class label as users wrote it (``1``, not ``np.int64(1)``) for messages."""
    return label.item() if isinstance(label, np.generic) else label


def check_enough_rows(*args, **kwargs):
    from ..utils._neighbours import check_enough_rows

    return check_enough_rows(*args, **kwargs)


def uses_engine(value):
    from ..utils._neighbours import uses_engine

    return uses_engine(value)


#: A class is gathered and broadcast only if its rows take at most this many
#: bytes as a float array (per class; the issue's "fits one worker"). SMOTE
#: and BorderlineSMOTE over-sample a larger class through the k-NN join; the
#: others refuse it.
MAX_BROADCAST_BYTES = 1 << 30
#: A Python worker's address space before a broadcast class arrives (numpy,
#: pandas, pyarrow, pyspark's worker, the engine, thread stacks: ~400 MB
#: measured), and what a generation task needs per byte of the broadcast class
#: (the pickled command, the class, its table, chunks: 3.1-3.3 measured by
#: ``benches/distributed.py task-memory``), for the check against Spark's cap.
WORKER_BASE_BYTES = 450 << 20
WORKER_BYTES_PER_BROADCAST_BYTE = 3.5
#: The column an engine adds to a step's rows when it filtered the partition:
#: each row's position in the partition (see :meth:`Frame.collect`).
POSITION = "__counterpoise_position"
#: Synthetic rows made by one generation task.
ROWS_PER_TASK = 250_000
#: Synthetic rows per batch a generation task yields (bounds a task's memory).
CHUNK_ROWS = 32_768
#: Query rows per block in the partition-level k-NN steps.
QUERY_BLOCK = 8192

#: glibc's ``mallopt`` parameter for the most malloc arenas (``M_ARENA_MAX``).
_M_ARENA_MAX = -8


@functools.cache
def glibc():
    """The C library through ``ctypes`` when it is glibc (``mallopt``,
    ``malloc_trim``), else None."""
    try:
        import ctypes

        libc = ctypes.CDLL("libc.so.6")
    except OSError:  # pragma: no cover - no glibc soname (macOS, musl)
        return None
    return libc if hasattr(libc, "gnu_get_libc_version") else None


@functools.cache
def cap_arenas():
    """In a worker whose address space is capped (``RLIMIT_AS``: Spark caps
    its Python workers' at ``spark.executor.pyspark.memory``), keep glibc's
    malloc to one arena (``mallopt(M_ARENA_MAX, 1)``); elsewhere nothing.

    glibc gives each thread that allocates its own arena and reserves 64 MB of
    address space for it, counted by the cap though never used: a Spark worker
    running the k-NN join's cells at 80M rows under a 768 MB cap had 756 MB of
    address space and 274 MB resident, 230 MB of it such reservations (the
    engine's threads, numpy's and pyarrow's), and failed to grow a 33 MB Arrow
    buffer. Threads that start after this call share the existing arenas.
    Called on entry to every step a Spark or Dask worker runs; does its work
    once per process (cached)."""
    try:
        import resource

        soft, _ = resource.getrlimit(resource.RLIMIT_AS)
    except (ImportError, OSError, ValueError):  # pragma: no cover - not POSIX
        return
    libc = glibc()
    if soft != resource.RLIM_INFINITY and libc is not None:
        libc.mallopt(_M_ARENA_MAX, 1)


# Named random streams.
(_SELECT, _BASE, _NEIGHBOUR, _STEP, _NOISE_A, _NOISE_B, _HALF, _TIE, _SEEDS) = range(
    1, 10
)

_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_MASK64 = (1 << 64) - 1


class Frame:
    """What a plan needs from an engine; one subclass per engine.

    ``columns`` lists the DataFrame's columns. A *step* is a picklable function
    ``step(pdf, p, shared)`` of a pandas DataFrame holding the requested columns of
    partition ``p`` (numbered from 0 in the DataFrame's order); ``shared`` is the
    object passed alongside (broadcast once by the engine). Parts returned by an
    output step or a generation task are ``("take", indices)`` (rows of the
    partition, any order, repeats allowed) or ``("new", X, label_value)``
    (synthetic rows: the feature columns from ``X``, the label, nulls elsewhere).
    """

    columns: list
    #: What the plan knows about the rows (set by the plan before any step).
    rows = None
    #: The columns of a categorical dtype (SMOTENC's ``categorical_features='auto'``).
    categorical_columns: list = []

    def collect(self, step, columns, shared=None, classes=None):
        """Run ``step`` on every partition; its results in partition order.

        ``classes``: the step only looks at rows of these classes (codes), so
        an engine may hand it only those rows (filtered before they reach
        Python), each partition's kept rows in order with their positions in
        the partition in a column :data:`POSITION`; the default hands over
        whole partitions."""
        raise NotImplementedError

    def reduce(self, step, combine, columns, shared=None):
        """Run ``step`` on every partition and merge the results with the
        associative ``combine(a, b)`` (a tree, never all results at once)."""
        raise NotImplementedError

    def output(
        self,
        step,
        columns,
        label,
        features,
        gen=None,
        n_tasks=0,
        shared=None,
        synthetic=False,
        groups=(),
    ):
        """The resampled DataFrame: the parts of ``step(pdf, p, None)`` on every
        partition (``step=None``: every row as it is, which an engine can pass
        through without reading it), followed by the parts of ``gen(i, shared)``
        for ``i`` in ``range(n_tasks)`` (``shared`` is broadcast to the generation
        tasks only), then for each ``(handle, fn)`` of ``groups`` the new-row
        parts ``fn(group, payloads, None)`` returns on each group of that
        exchange handle. ``synthetic``: whether any part can be new rows (then
        the non-feature columns must hold nulls)."""
        raise NotImplementedError

    def scatter(self, step, columns, n_groups):
        """Start an exchange: ``step(pdf, p, None)`` on every partition returns
        ``(group, payload)`` pairs (``group`` in ``range(n_groups)``; payloads
        are picklable). Returns an engine handle of the payloads by group."""
        raise NotImplementedError

    def regroup(self, handle, fn, n_groups):
        """``fn(group, payloads, None)`` on each group of ``handle`` (all its
        payloads, in any order; groups without payloads may be skipped) returns
        new ``(group, payload)`` pairs: the handle of those."""
        raise NotImplementedError

    def gather_groups(self, handle, fn):
        """``fn(group, payloads, None)`` on each group of ``handle``: the
        results (small, picklable), in any order."""
        raise NotImplementedError

    def neighbours_frame(self, handle, fn, k):
        """The engine DataFrame of a k-NN join: ``fn(group, payloads, None)``
        on each group of ``handle`` returns ``(ids, distances, neighbour ids)``
        (arrays of shapes (n,), (n, k), (n, k)), or None."""
        raise NotImplementedError

    def sample_features(self, rows, fraction):
        """The features of a random sample of about ``fraction`` of the rows
        (any rows: it only shapes the k-NN join's cells), or None: the plan
        then takes every m-th row in a pass of its own."""
        return None

    def cell_exchange(self, rows, source, cells):
        """The k-NN join's first exchange done by the engine itself, or None:
        a handle whose first regrouping hands each cell's rows as one
        ``("pts", keys, codes, X)`` payload (``source.from_columns``)."""
        return None

    def drop_keys(self, rows, removed):
        """Every row but those whose key is in the sorted array ``removed``, in
        their order, done by the engine itself; or None."""
        return None

    def worker_memory(self):
        """The cap on a worker's address space in bytes, or None (no cap)."""
        return None

    def counts(self, rows):
        """Per partition ``(p, n_rows, classes, first, counts)``: the sorted
        classes present, their counts, and each class's smallest key (without a
        key column: its first position in the partition; None: not computed,
        the plan asks for it when it needs it)."""
        return self.collect(_count_step(rows), rows.columns(False))

    def select_histogram(self, rows, seed, codes, shift):
        """``{code: (buckets, counts)}`` over all partitions: how many rows of
        class ``code`` have ``_select_bits >> shift`` equal to each bucket."""

        def step(pdf, p, shared):
            c = rows.codes(pdf)
            k = rows.keys(pdf, p)
            return {
                int(code): np.unique(
                    _select_bits(seed, code, k[c == code]) >> np.uint64(shift),
                    return_counts=True,
                )
                for code in codes
            }

        out = {int(code): [] for code in codes}
        for part in self.collect(step, rows.columns(False)):
            for code, bc in part.items():
                out[code].append(bc)
        return {
            code: tuple(np.concatenate(x) for x in zip(*parts))
            for code, parts in out.items()
        }

    def select_in_buckets(self, rows, seed, ranges, shift):
        """``{code: bits}``: the ``_select_bits`` of the rows of class ``code``
        whose bucket (bits >> shift) is in ``ranges[code] = (lo, hi)``
        (inclusive), in any order."""

        def step(pdf, p, shared):
            c = rows.codes(pdf)
            k = rows.keys(pdf, p)
            out = {}
            for code, (lo, hi) in ranges.items():
                u = _select_bits(seed, code, k[c == code])
                b = u >> np.uint64(shift)
                out[code] = u[(b >= np.uint64(lo)) & (b <= np.uint64(hi))]
            return out

        found = {code: [] for code in ranges}
        for part in self.collect(step, rows.columns(False)):
            for code, u in part.items():
                found[code].append(u)
        return {code: np.concatenate(u) for code, u in found.items()}

    def keep_selected(self, rows, seed, thresholds):
        """Every row, except that of each class ``code`` in ``thresholds`` only
        the rows with ``_select_bits <= thresholds[code]`` are kept (none when
        it is None); in their order."""

        def mask(pdf, p, pos):
            c = rows.codes(pdf)
            keep = np.ones(len(pdf), dtype=bool)
            k = rows.keys(pdf, p, pos)
            for code, v in thresholds.items():
                at = np.flatnonzero(c == code)
                if v is None:
                    keep[at] = False
                else:
                    keep[at] = _select_bits(seed, code, k[at]) <= v
            return keep

        return self.keep(mask, rows.columns(False), rows.label, rows.features)

    def keep(self, mask, columns, label, features):
        """The rows for which ``mask(pdf, p, pos)`` is True, in their order: a
        vectorised test of the requested ``columns`` of rows at positions ``pos``
        of partition ``p``. An engine may call it on any slices of a partition
        (Spark evaluates it as a column expression, so the other columns never
        leave the JVM); this default runs it on whole partitions."""

        def step(pdf, p, shared):
            return [("take", np.flatnonzero(mask(pdf, p, np.arange(len(pdf)))))]

        return self.output(step, columns, label, features)


# --- random streams ----------------------------------------------------------------


def _mix(x):
    x = x ^ (x >> np.uint64(30))
    x = x * _M1
    x = x ^ (x >> np.uint64(27))
    x = x * _M2
    return x ^ (x >> np.uint64(31))


def _bits(seed, stream, cls, keys, counter=None):
    """64 random bits per key (and per counter): a bijection of the key for a
    fixed (seed, stream, class, counter)."""
    with np.errstate(over="ignore"):
        base = _mix(np.array([seed & _MASK64], dtype=np.uint64))
        base = _mix(base ^ (np.uint64(stream) * _GOLDEN))
        base = _mix(base + np.uint64(cls & _MASK64))
        x = _mix(np.asarray(keys).astype(np.int64).view(np.uint64) ^ base)
        if counter is not None:
            x = _mix(x + np.asarray(counter).astype(np.uint64) * _GOLDEN)
    return x


# RandomUnderSampler's keep test uses Spark SQL's xxhash64 over longs (XXH64 of
# one 8-byte value, each column's hash seeding the next, from 42), so Spark can
# evaluate it in the JVM and every engine draws the same bits.
_XXH_P1 = np.uint64(0x9E3779B185EBCA87)
_XXH_P2 = np.uint64(0xC2B2AE3D27D4EB4F)
_XXH_P3 = np.uint64(0x165667B19E3779F9)
_XXH_P4 = np.uint64(0x85EBCA77C2B2AE63)
_XXH_P5 = np.uint64(0x27D4EB2F165667C5)
_XXH_SEED = 42


def _rotl(x, r):
    return (x << np.uint64(r)) | (x >> np.uint64(64 - r))


def _xxh_long(values, seed):
    """XXH64 of each 8-byte value with ``seed`` (a bijection of the value)."""
    with np.errstate(over="ignore"):
        x = np.asarray(values).astype(np.int64).view(np.uint64)
        h = np.uint64(seed & _MASK64) + _XXH_P5 + np.uint64(8)
        h = h ^ (_rotl(x * _XXH_P2, 31) * _XXH_P1)
        h = _rotl(h, 27) * _XXH_P1 + _XXH_P4
        h = (h ^ (h >> np.uint64(33))) * _XXH_P2
        h = (h ^ (h >> np.uint64(29))) * _XXH_P3
        return h ^ (h >> np.uint64(32))


def _signed(x):
    """A 64-bit pattern as the signed long Spark holds."""
    x &= _MASK64
    return x - (1 << 64) if x >> 63 else x


def _select_prefix(seed, code):
    """The longs hashed before the row key: (seed, stream, class code)."""
    return [_signed(seed), _SELECT, int(code)]


def _select_bits(seed, code, keys):
    """64 bits per key for RandomUnderSampler: ``xxhash64(seed, stream, code, key)``."""
    h = _XXH_SEED
    for v in _select_prefix(seed, code):
        h = int(_xxh_long(np.array([v]), h)[0])
    return _xxh_long(keys, h)


def _uniform(bits):
    """Floats in [0, 1) from 64 random bits (53 of them)."""
    return (bits >> np.uint64(11)).astype(np.float64) * (1.0 / (1 << 53))


def _normal(seed, cls, keys, counter):
    """Standard normal draws (Box-Muller) keyed like :func:`_bits`."""
    u1 = 1.0 - _uniform(_bits(seed, _NOISE_A, cls, keys, counter))
    u2 = _uniform(_bits(seed, _NOISE_B, cls, keys, counter))
    return np.sqrt(-2.0 * np.log(u1)) * np.cos(2.0 * np.pi * u2)


def _philox(seed, stream, cls):
    return np.random.Generator(
        np.random.Philox(key=((seed & _MASK64) << 64) | (stream << 32) | cls)
    )


def _seed(random_state) -> int:
    """A 63-bit integer seed from ``random_state`` (a fresh one for None; an
    instance's next draw, as scikit-learn estimators consume them)."""
    if random_state is None:
        return int(np.random.SeedSequence().entropy) & ((1 << 63) - 1)
    if isinstance(random_state, numbers.Integral) and not isinstance(
        random_state, bool
    ):
        return int(random_state) & _MASK64
    if isinstance(random_state, np.random.RandomState):
        return int(random_state.randint(0, 2**63 - 1, dtype=np.int64))
    if isinstance(random_state, np.random.Generator):
        return int(random_state.integers(0, 2**63 - 1))
    raise TypeError(
        f"random_state={random_state!r} cannot seed a distributed plan; pass an "
        "int, None, a numpy RandomState or a numpy Generator."
    )


# --- rows of a partition -------------------------------------------------------------


class _Rows:
    """What every step knows about the columns: picklable, no engine object."""

    def __init__(self, label, features, key, classes=None, offsets=None):
        self.label = label
        self.features = list(features)
        self.key = key
        self.classes = classes
        self.offsets = offsets
        self.dtype = np.float64

    @property
    def width(self):
        """The columns of :meth:`X`."""
        return len(self.features)

    @property
    def metric(self):
        """How many leading columns of :meth:`X` distances use (the k-NN
        join carries the others with the rows)."""
        return self.width

    def columns(self, features=True):
        cols = [] if self.label is None else [self.label]
        if features:
            cols += self.features
        if self.key is not None and self.key not in cols:
            cols.append(self.key)
        return cols

    def codes(self, pdf):
        return np.searchsorted(self.classes, pdf[self.label].to_numpy())

    def keys(self, pdf, p, pos=None):
        """The rows' keys; ``pos``: their positions in partition ``p`` (default:
        ``pdf`` is the whole partition)."""
        if self.key is None:
            if pos is None and POSITION in pdf.columns:
                pos = pdf[POSITION].to_numpy()
            elif pos is None:
                pos = np.arange(len(pdf), dtype=np.int64)
            # (a partition the count pass saw no row of has no offset, nor rows)
            offset = int(self.offsets[p]) if p < len(self.offsets) else 0
            return np.asarray(pos, dtype=np.int64) + offset
        return _key_values(pdf[self.key])

    def X(self, pdf, rows=None):
        block = pdf[self.features] if rows is None else pdf[self.features].iloc[rows]
        try:
            X = block.to_numpy(dtype=self.dtype)
        except (TypeError, ValueError) as exc:
            raise ValueError(
                f"The feature columns {self.features} must be numeric for this "
                f"sampler ({exc}); pass features= with the numeric columns only, "
                "or encode the others first."
            ) from exc
        if not np.isfinite(X).all():
            bad = [
                f for f, ok in zip(self.features, np.isfinite(X).all(axis=0)) if not ok
            ]
            raise ValueError(
                f"The feature columns {bad} hold NaN, null or infinity, which this "
                "sampler cannot interpolate or measure distances with; drop or "
                "impute those values first."
            )
        return np.ascontiguousarray(X)


def _key_values(column):
    if column.isna().any():
        raise ValueError(
            f"The key column {column.name!r} holds nulls; a key must identify every "
            "row (pass a column of unique values, or key=None)."
        )
    values = column.to_numpy()
    if values.dtype.kind in "iu":
        return values.astype(np.int64)
    return pd.util.hash_array(np.asarray(values, dtype=object)).view(np.int64)


# --- counts and strategy -----------------------------------------------------------


def _count_step(rows):
    label, key = rows.label, rows.key

    def step(pdf, p, shared):
        y = pdf[label]
        if y.isna().any():
            raise ValueError(
                f"The label column {label!r} holds nulls; every row needs a class. "
                "Drop or fill those rows first."
            )
        values = y.to_numpy()
        classes, first, counts = np.unique(
            values, return_index=True, return_counts=True
        )
        if key is not None:
            k = _key_values(pdf[key])
            codes = np.searchsorted(classes, values)
            first = np.full(classes.size, np.iinfo(np.int64).max, dtype=np.int64)
            np.minimum.at(first, codes, k)
        return p, len(pdf), classes, first, counts

    return step


def feature_columns(columns, label, features, key):
    """The feature columns (default: every column but ``label`` and ``key``),
    checked against the DataFrame's ``columns``; ``label`` may be None."""
    if features is None:
        features = [c for c in columns if c != label and c != key]
    else:
        features = [features] if isinstance(features, str) else list(features)
        missing = [f for f in features if f not in columns]
        if missing:
            raise ValueError(
                f"features {missing} are not columns of the DataFrame {columns}."
            )
        if label is not None and label in features:
            raise ValueError(f"label={label!r} cannot also be a feature.")
    if not features:
        raise ValueError("No feature column: pass features= with at least one column.")
    if key is not None and key not in columns:
        raise ValueError(f"key={key!r} is not a column of the DataFrame {columns}.")
    return features


class _Plan:
    """The state a plan builds on the driver: counts, offsets, classes."""

    def __init__(self, sampler, frame, label, features, key):
        self.sampler, self.frame = sampler, frame
        columns = list(frame.columns)
        if label not in columns:
            raise ValueError(
                f"label={label!r} is not a column of the DataFrame {columns}."
            )
        features = feature_columns(columns, label, features, key)
        self.rows = frame.rows = _Rows(label, features, key)
        parts = frame.counts(self.rows)
        if not parts:
            raise ValueError("The DataFrame has no partitions.")
        sizes = np.zeros(max(p[0] for p in parts) + 1, dtype=np.int64)
        for part in parts:
            sizes[part[0]] = part[1]
        all_classes = [p[2] for p in parts if len(p[2])]
        if not all_classes:
            raise ValueError("The DataFrame has no rows.")
        classes = np.unique(np.concatenate(all_classes))
        counts = np.zeros(classes.size, dtype=np.int64)
        offsets = np.concatenate([[0], np.cumsum(sizes)[:-1]])
        # rows of each class in each partition
        self.part_counts = np.zeros((sizes.size, classes.size), dtype=np.int64)
        for p, _, cls, _, cnt in parts:
            at = np.searchsorted(classes, cls)
            counts[at] += cnt
            self.part_counts[p, at] = cnt
        self.classes, self.counts = classes, counts
        self.n_samples = int(counts.sum())
        self.rows.classes, self.rows.offsets = classes, offsets
        self._first = self._merge_first(parts)
        self.seed = _seed(getattr(sampler, "random_state", None))
        from ..utils._validation import resolve_sampling_strategy

        sampler.sampling_strategy_ = resolve_sampling_strategy(
            sampler.sampling_strategy,
            dict(zip(classes, counts.astype(np.int64))),
            sampler._sampling_type,
        )
        sampler.n_features_in_ = len(features)
        sampler.feature_names_in_ = np.asarray(features, dtype=object)

    def _merge_first(self, parts):
        """Each class's smallest key from count-pass ``parts``; None if the
        engine counted without it."""
        first = np.full(self.classes.size, np.iinfo(np.int64).max, dtype=np.int64)
        for p, _, cls, fst, _ in parts:
            if fst is None:
                return None
            if self.rows.key is None:
                fst = fst + self.rows.offsets[p]
            at = np.searchsorted(self.classes, cls)
            first[at] = np.minimum(first[at], fst)
        return first

    @property
    def first(self):
        """Each class's smallest row key (its first row without a key column),
        from the Python count step when the engine's count pass skipped it."""
        if self._first is None:
            rows = self.rows
            self._first = self._merge_first(
                self.frame.collect(_count_step(rows), rows.columns(False))
            )
        return self._first

    def code(self, klass):
        return int(np.searchsorted(self.classes, klass))

    def count(self, klass):
        return int(self.counts[self.code(klass)])

    def targets(self):
        """``{code: (class, n)}`` for every class of ``sampling_strategy_``."""
        return {
            self.code(c): (c, int(n))
            for c, n in self.sampler.sampling_strategy_.items()
        }

    def check_broadcast(self, klass, n_rows, what):
        problem = self.broadcast_problem(klass, n_rows, what)
        if problem is not None:
            raise ValueError(problem)

    def broadcast_problem(self, klass, n_rows, what):
        """Why ``n_rows`` rows of class ``klass`` cannot be broadcast to the
        tasks (a message naming the setting to change), or None."""
        nbytes = n_rows * len(self.rows.features) * np.dtype(self.rows.dtype).itemsize
        cap = self.frame.worker_memory()
        need = WORKER_BASE_BYTES + WORKER_BYTES_PER_BROADCAST_BYTE * nbytes
        if cap is not None and need > cap:
            return (
                f"{type(self.sampler).__name__} on Spark broadcasts {what} "
                f"(class {_plain(klass)!r}: {n_rows} rows, {nbytes / 2**20:.0f} "
                f"MiB) to tasks that need about {need / 2**20:.0f} MiB of address "
                f"space each, more than spark.executor.pyspark.memory = "
                f"{cap / 2**20:.0f} MiB allows (the worker would die on a failed "
                "allocation). Raise spark.executor.pyspark.memory, or under-sample "
                "that class first (RandomUnderSampler is distributed without a "
                "limit)."
            )
        if nbytes > MAX_BROADCAST_BYTES:
            return (
                f"{type(self.sampler).__name__} on Spark/Dask broadcasts {what} "
                f"(class {_plain(klass)!r}: {n_rows} rows, {nbytes / 2**20:.0f} "
                f"MiB), more than counterpoise._distributed.MAX_BROADCAST_BYTES = "
                f"{MAX_BROADCAST_BYTES / 2**20:.0f} MiB. Raise that limit if each "
                "worker has the memory, or under-sample first (RandomUnderSampler "
                "is distributed without a limit)."
            )
        return None

    def gather_raw(self, codes, columns):
        """The ``columns`` of the rows of the classes ``codes`` as they are (any
        dtype): ``(codes, keys, DataFrame)`` ordered by class then key."""
        rows = self.rows
        codes = np.asarray(sorted(codes), dtype=np.int64)

        def step(pdf, p, shared):
            c = rows.codes(pdf)
            at = np.flatnonzero(np.isin(c, codes))
            return (
                c[at],
                rows.keys(pdf, p)[at],
                pdf[columns].iloc[at].reset_index(drop=True),
            )

        parts = self.frame.collect(step, rows.columns(), classes=codes)
        c = np.concatenate([p[0] for p in parts])
        k = np.concatenate([p[1] for p in parts])
        frame = pd.concat([p[2] for p in parts], ignore_index=True)
        order = np.lexsort((k, c))
        return c[order], k[order], frame.iloc[order].reset_index(drop=True)

    def categories(self, columns):
        """For each column: its sorted distinct values over all rows and the
        ``(n_values, n_classes)`` counts of each value in each class."""
        rows = self.rows
        n_classes = self.classes.size

        def step(pdf, p, shared):
            c = rows.codes(pdf)
            out = []
            for name in columns:
                col = pdf[name]
                if col.isna().any():
                    raise ValueError(
                        f"The categorical column {name!r} holds nulls; fill them "
                        "with a category of their own first."
                    )
                values, inverse = np.unique(col.to_numpy(), return_inverse=True)
                counts = np.bincount(
                    inverse.ravel() * n_classes + c, minlength=values.size * n_classes
                ).reshape(values.size, n_classes)
                out.append((values, counts))
            return out

        merged = None
        for part in self.frame.collect(step, rows.columns()):
            if merged is None:
                merged = [list(x) for x in part]
                continue
            for f, (values, counts) in enumerate(part):
                v0, c0 = merged[f]
                allv = np.unique(np.concatenate([v0, values]))
                acc = np.zeros((allv.size, n_classes), dtype=np.int64)
                acc[np.searchsorted(allv, v0)] += c0
                acc[np.searchsorted(allv, values)] += counts
                merged[f] = [allv, acc]
        return [tuple(x) for x in merged]

    def gather(self, codes, keys=None):
        """The rows (features) of the classes ``codes``, or of the rows whose key
        is in the sorted array ``keys``: ``{code: (keys, X)}``, ordered by key."""
        rows = self.rows
        codes = np.asarray(sorted(codes), dtype=np.int64)

        def step(pdf, p, shared):
            c = rows.codes(pdf)
            k = rows.keys(pdf, p)
            if keys is None:
                mask = np.isin(c, codes)
            else:
                mask = np.isin(k, keys)
            at = np.flatnonzero(mask)
            return c[at], k[at], rows.X(pdf, at)

        parts = self.frame.collect(
            step, rows.columns(), classes=codes if keys is None else None
        )
        c = np.concatenate([p[0] for p in parts])
        k = np.concatenate([p[1] for p in parts])
        X = np.concatenate([p[2] for p in parts]) if parts else np.empty((0, 0))
        order = np.lexsort((k, c))
        c, k, X = c[order], k[order], X[order]
        return c, k, X


# --- merged k nearest neighbours ------------------------------------------------------


def _merge_topk(a, b, width):
    d = np.concatenate([a[0], b[0]], axis=1)
    k = np.concatenate([a[1], b[1]], axis=1)
    c = np.concatenate([a[2], b[2]], axis=1)
    order = np.lexsort((k, d), axis=1)[:, :width]
    take = np.take_along_axis
    return take(d, order, 1), take(k, order, 1), take(c, order, 1)


def _knn_all(plan, queries, width, among=None):
    """Exact ``width`` nearest rows (distance, key, class code) of each query among
    every row (or the rows of the classes ``among``), over all partitions: each
    partition's top-``width`` by the engine, merged by (distance, key)."""
    rows = plan.rows
    dtype = rows.dtype
    among_codes = None if among is None else np.asarray(sorted(among))

    def step(pdf, p, shared):
        Q = shared
        c = rows.codes(pdf)
        at = (
            np.arange(len(pdf))
            if among_codes is None
            else np.flatnonzero(np.isin(c, among_codes))
        )
        n_q = Q.shape[0]
        if at.size == 0:
            return (
                np.empty((n_q, 0)),
                np.empty((n_q, 0), dtype=np.int64),
                np.empty((n_q, 0), dtype=np.int64),
            )
        X = rows.X(pdf, at)
        k = rows.keys(pdf, p)[at]
        c = c[at]
        w = min(width, at.size)
        d, i = _core.kneighbors(X, Q.astype(dtype, copy=False), w)
        return d.astype(np.float64), k[i], c[i]

    def combine(a, b):
        return _merge_topk(a, b, width)

    return plan.frame.reduce(
        step, combine, rows.columns(), shared=np.ascontiguousarray(queries, dtype=dtype)
    )


# --- the samplers ---------------------------------------------------------------------


def _take_all(n):
    return ("take", np.arange(n, dtype=np.int64))


#: RandomUnderSampler gathers the selection bits of a class's lowest buckets
#: directly (one pass) when about this many rows or fewer fall in them; for
#: larger kept counts it first counts a histogram (two passes).
DIRECT_SELECT_ROWS = 262_144


def _random_under(plan):
    """Keep, of each class to reduce, the ``n`` rows with the smallest keyed
    random bits: exact counts and a uniform subset. The ``n``-th smallest value
    is found without gathering the class: the bits of the rows in the lowest
    buckets of the bits' top 16 (enough buckets to hold ``n`` rows but for a
    10-sigma chance), or, for large ``n``, a histogram of the top bits, then the
    bits of the one bucket holding it. The output is a filter."""
    sampler, rows = plan.sampler, plan.rows
    if sampler.replacement:
        return _random_under_replacement(plan)
    targets = {c: n for c, (_, n) in plan.targets().items() if n < plan.counts[c]}
    thresholds = _thresholds(plan, targets)
    if not thresholds:
        return plan.frame.output(None, rows.columns(False), rows.label, rows.features)
    return plan.frame.keep_selected(rows, plan.seed, thresholds)


def _thresholds(plan, targets):
    """``{code: v}``: of class ``code``, the ``targets[code]`` rows with the
    smallest ``_select_bits`` are those with bits ``<= v`` (None: no row)."""
    rows, seed, frame = plan.rows, plan.seed, plan.frame
    thresholds = {c: None for c, n in targets.items() if n == 0}
    targets = {c: n for c, n in targets.items() if n > 0}
    found, below = {}, {}  # bits gathered; rows below the gathered buckets
    direct = {}
    for code, n in targets.items():
        total = int(plan.counts[code])
        want = n + 10 * math.sqrt(n) + 64
        hi = min((1 << 16) - 1, math.ceil(want / total * (1 << 16)))
        if total * (hi + 1) / (1 << 16) <= DIRECT_SELECT_ROWS:
            direct[code] = (0, hi)
    if direct:
        got = frame.select_in_buckets(rows, seed, direct, 48)
        for code in direct:
            if got[code].size >= targets[code]:
                found[code], below[code] = got[code], 0
    rest = sorted(c for c in targets if c not in found)
    if rest:
        # buckets enough that the boundary bucket holds ~4,096 rows (2 to 2^16;
        # a shift by 64 would be no shift in Java and numpy)
        largest = max(int(plan.counts[c]) for c in rest)
        bits = min(16, max(1, math.ceil(math.log2(max(largest, 1) / 4096))))
        shift = 64 - bits
        hist = frame.select_histogram(rows, seed, rest, shift)
        bounds = {}
        for code in rest:
            per_bucket = np.zeros(1 << bits, dtype=np.int64)
            np.add.at(per_bucket, hist[code][0].astype(np.int64), hist[code][1])
            cum = np.cumsum(per_bucket)
            b = int(np.searchsorted(cum, targets[code]))
            bounds[code] = (b, b)
            below[code] = int(cum[b - 1]) if b else 0
        found.update(frame.select_in_buckets(rows, seed, bounds, shift))
    for code, n_keep in targets.items():
        n = n_keep - below[code]
        u = np.sort(np.asarray(found[code], dtype=np.uint64))
        v = u[n - 1]
        if n < u.size and u[n] == v:
            raise ValueError(
                f"The key column {rows.key!r} holds duplicate values in "
                f"class {_plain(plan.classes[code])!r}, so the rows to "
                "keep are not determined; pass a key column of unique values "
                "(or key=None)."
            )
        thresholds[code] = v
    return thresholds


def _random_under_replacement(plan):
    """``replacement=True``: ``n`` draws with replacement among the class's rows,
    as a multinomial split in two exact stages: the number of draws falling in
    each partition (multinomial over the partitions' class counts, on the
    driver), then each partition's multinomial over its own rows (keyed by the
    partition). Exact counts and the local distribution; unlike the other plans
    the draws follow the partitioning (the same partitions give the same rows)."""
    rows, seed = plan.rows, plan.seed
    per_part = {}
    for code, (_, n) in plan.targets().items():
        sizes = plan.part_counts[:, code]
        per_part[code] = _philox(seed, _BASE, code).multinomial(n, sizes / sizes.sum())

    def step(pdf, p, shared):
        c = rows.codes(pdf)
        keep = [np.flatnonzero(~np.isin(c, list(per_part)))]
        for code, totals in per_part.items():
            at = np.flatnonzero(c == code)
            if at.size and totals[p]:
                rng = np.random.Generator(
                    np.random.Philox(
                        key=((seed & _MASK64) << 64)
                        | (_SELECT << 48)
                        | (p << 24)
                        | code
                    )
                )
                m = rng.multinomial(int(totals[p]), np.full(at.size, 1.0 / at.size))
                keep.append(np.repeat(at, m))
        return [("take", np.sort(np.concatenate(keep)))]

    return plan.frame.output(step, rows.columns(False), rows.label, rows.features)


def _class_keys(plan, codes):
    rows = plan.rows
    codes = np.asarray(sorted(codes))

    def step(pdf, p, shared):
        c = rows.codes(pdf)
        at = np.isin(c, codes)
        return c[at], rows.keys(pdf, p)[at]

    parts = plan.frame.collect(step, rows.columns(False), classes=codes)
    c = np.concatenate([p[0] for p in parts])
    k = np.concatenate([p[1] for p in parts])
    out = {}
    for code in codes:
        keys = np.sort(k[c == code])
        if keys.size > 1 and (np.diff(keys) == 0).any():
            raise ValueError(
                f"The key column {rows.key!r} holds duplicate values in class "
                f"{_plain(plan.classes[code])!r}; pass a key column of unique "
                "values (or key=None)."
            )
        out[int(code)] = keys
    return out


def _moments(plan, codes, rows=None):
    """Per class: the population standard deviation of every feature (of
    ``rows``' features, default the plan's; a partition-wise mean and sum of
    squares, merged by Chan's formula)."""
    rows = plan.rows if rows is None else rows

    def step(pdf, p, shared):
        c = rows.codes(pdf)
        out = {}
        for code in codes:
            at = np.flatnonzero(c == code)
            if at.size:
                X = rows.X(pdf, at).astype(np.float64)
                mean = X.mean(axis=0)
                out[code] = (at.size, mean, ((X - mean) ** 2).sum(axis=0))
        return out

    acc = {}
    for part in plan.frame.collect(step, rows.columns(), classes=list(codes)):
        for code, (n, mean, m2) in part.items():
            if code not in acc:
                acc[code] = (n, mean, m2)
                continue
            n0, mean0, m20 = acc[code]
            delta = mean - mean0
            tot = n0 + n
            acc[code] = (
                tot,
                mean0 + delta * n / tot,
                m20 + m2 + delta**2 * n0 * n / tot,
            )
    return {code: np.sqrt(m2 / n) for code, (n, _, m2) in acc.items()}


def _random_over(plan):
    sampler, rows = plan.sampler, plan.rows
    seed = plan.seed
    targets = {c: n for c, (_, n) in plan.targets().items() if n > 0}
    shrinkage = sampler._resolve_shrinkage()
    sampler.shrinkage_ = shrinkage
    keys = _class_keys(plan, targets) if targets else {}
    copies = {}
    for code, n in targets.items():
        k = keys[code]
        m = _philox(seed, _BASE, code).multinomial(n, np.full(k.size, 1.0 / k.size))
        copies[code] = (k[m > 0], m[m > 0])
    factors = None
    if shrinkage is not None and targets:
        d = len(rows.features)
        constant = (4 / ((d + 2) * plan.n_samples)) ** (1 / (d + 4))
        std = _moments(plan, list(targets))
        factors = {
            code: shrinkage[plan.classes[code]] * constant * std[code]
            for code in targets
        }
    labels = {code: plan.classes[code] for code in targets}

    def step(pdf, p, shared):
        parts = [_take_all(len(pdf))]
        if not copies:
            return parts
        c = rows.codes(pdf)
        k = rows.keys(pdf, p)
        for code, (ck, cm) in copies.items():
            at = np.flatnonzero(c == code)
            pos = np.searchsorted(ck, k[at])
            pos = np.minimum(pos, max(ck.size - 1, 0))
            hit = ck[pos] == k[at] if ck.size else np.zeros(at.size, bool)
            reps = cm[pos[hit]]
            idx = np.repeat(at[hit], reps)
            if factors is None:
                parts.append(("take", idx))
                continue
            # the t-th copy of a row: noise from (row key, t * d + feature)
            key_rep = np.repeat(k[at[hit]], reps)
            start = np.repeat(np.cumsum(reps) - reps, reps)
            t = np.arange(idx.size) - start
            d = len(rows.features)
            counter = (t[:, None] * d + np.arange(d)).ravel()
            noise = _normal(seed, code, np.repeat(key_rep, d), counter).reshape(-1, d)
            X = rows.X(pdf, idx).astype(np.float64)
            parts.append(("new", noise * factors[code] + X, labels[code]))
        return parts

    cols = rows.columns(factors is not None)
    return plan.frame.output(
        step, cols, rows.label, rows.features, synthetic=factors is not None
    )


def _check_int(sampler, *names):
    for name in names:
        value = getattr(sampler, name)
        if not uses_engine(value):
            raise ValueError(
                f"{type(sampler).__name__}({name}={value!r}): on Spark/Dask the "
                f"neighbours are searched by counterpoise's exact engine; pass "
                f"{name} as an int (the estimator's n_neighbors)."
            )


def _tasks(counts, rows_per_task=None):
    """Split base rows into generation tasks of about ``ROWS_PER_TASK`` new rows."""
    per = rows_per_task or ROWS_PER_TASK
    total = int(counts.sum())
    n_tasks = max(1, math.ceil(total / per))
    cum = np.cumsum(counts)
    cuts = np.searchsorted(cum, np.arange(1, n_tasks) * per, side="left") + 1
    bounds = np.unique(
        np.concatenate([[0], np.minimum(cuts, counts.size), [counts.size]])
    )
    return [(int(a), int(b)) for a, b in zip(bounds[:-1], bounds[1:]) if b > a]


def _generator(seed, batches):
    """The generation task: ``batches`` is a list of dicts, one per class, with
    ``label``, ``code``, ``X`` (the class rows, broadcast), ``keys``, ``bases``
    (indices into X) and ``m`` (new rows per base), ``ranges`` (the task's slices
    of bases), ``table`` (``(len(X), k)``: each base's neighbours as indices
    into ``pool``, searched on the driver) with ``pool`` and, for
    Borderline-SMOTE-2, ``pool_other`` (whether each pool row is of another
    class: its step is shortened by a factor drawn in [0, 0.5))."""

    def gen(i, shared):
        b, (lo, hi) = shared["tasks"][i]
        batch = shared["batches"][b]
        bases = batch["bases"][lo:hi]
        m = batch["m"][lo:hi]
        code, X = batch["code"], batch["X"]
        keep = m > 0
        bases, m = bases[keep], m[keep]
        if not bases.size:
            return
        k = batch["table"].shape[1]
        table = batch["table"][bases]
        pool = batch["pool"]
        keys = batch["keys"][bases]
        xb = X[bases]
        for row, t in draw_chunks(m):
            key_rep = keys[row]
            col, step = smote_draws(seed, code, key_rep, t, k)
            target = table[row, col]
            far = batch["pool_other"][target] if "pool_other" in batch else None
            new = interpolate(seed, code, key_rep, t, xb[row], pool[target], step, far)
            yield ("new", new, batch["label"])

    return gen


def draw_chunks(m):
    """``(row, t)`` for the new rows of rows making ``m[i]`` each: the index of
    each new row's base row and its counter there, in chunks of CHUNK_ROWS new
    rows. A task's peak memory stays a few chunk-sized arrays (Spark caps a
    Python worker's address space at spark.executor.pyspark.memory); the draws
    are keyed by (row key, counter), so chunking does not change them."""
    n = int(m.sum())
    row_all = np.repeat(np.arange(m.size), m)
    t_all = np.arange(n) - np.repeat(np.cumsum(m) - m, m)
    for s in range(0, n, CHUNK_ROWS):
        yield row_all[s : s + CHUNK_ROWS], t_all[s : s + CHUNK_ROWS]


def interpolate(seed, code, keys, t, x, neighbour, step, far=None):
    """SMOTE's new rows ``x + step * (neighbour - x)`` (``neighbour`` is
    overwritten); ``far``: which neighbours are of another class, whose step
    Borderline-SMOTE-2 shortens by a keyed factor in [0, 0.5)."""
    new = neighbour
    new -= x  # the step towards the neighbour
    if far is not None:
        half = 0.5 * _uniform(_bits(seed, _HALF, code, keys, t))
        new[far] *= half[far][:, None].astype(new.dtype)
    new *= step.astype(x.dtype)
    new += x
    return new


def in_danger(n_other, m):
    """Borderline-SMOTE's danger test of rows of which ``n_other`` of their
    ``m`` nearest rows are of another class: at least half, not all."""
    return (n_other >= m / 2) & (n_other < m)


def smote_draws(seed, code, keys, t, k):
    """The SMOTE draws of the ``t``-th new row of each base row ``keys``: which
    of its ``k`` neighbours (a column) and the step towards it (``(n, 1)``)."""
    col = (_uniform(_bits(seed, _NEIGHBOUR, code, keys, t)) * k).astype(np.int64)
    col = np.minimum(col, k - 1)
    return col, _uniform(_bits(seed, _STEP, code, keys, t))[:, None]


def _multinomial(seed, code, n, size):
    return _philox(seed, _BASE, code).multinomial(n, np.full(size, 1.0 / size))


def _generate(plan, batches, groups=()):
    """The output: every input row, then the new rows of ``batches`` made by
    parallel generation tasks, then those of the exchanges ``groups``."""
    rows = plan.rows
    tasks = []
    for b, batch in enumerate(batches):
        tasks += [(b, r) for r in _tasks(batch["m"])]
    shared = {"batches": batches, "tasks": tasks}
    return plan.frame.output(
        None,
        rows.columns(False),
        rows.label,
        rows.features,
        gen=_generator(plan.seed, batches),
        n_tasks=len(tasks),
        shared=shared,
        synthetic=True,
        groups=groups,
    )


def _table_for(X, bases, k):
    """The ``k`` nearest other rows of the rows ``bases`` of ``X``, as a table
    indexed by row of ``X`` (other rows: zeros). Searched once on the driver,
    which holds the class already: a generation task then only reads it,
    instead of building its own index over the broadcast class (memory a capped
    Spark worker lacks, and the same search repeated by every task)."""
    _, idx = _core.kneighbors(X, X[bases], k + 1)
    dtype = np.int32 if X.shape[0] < 2**31 else np.int64
    table = np.zeros((X.shape[0], k), dtype=dtype)
    table[bases] = idx[:, 1:]
    return table


def _smote(plan):
    sampler = plan.sampler
    _check_int(sampler, "k_neighbors")
    sampler._validate_estimator()
    k = int(sampler.k_neighbors)
    targets = {c: cn for c, cn in plan.targets().items() if cn[1] > 0}
    joined = []  # classes too large to broadcast: the k-NN join makes their rows
    for code, (klass, n) in list(targets.items()):
        size = int(plan.counts[code])
        check_enough_rows("k_neighbors", k, size, klass=klass)
        if plan.broadcast_problem(klass, size, "each class it over-samples"):
            from ._join import smote_class

            joined.append(smote_class(plan, code, klass, n, k))
            del targets[code]
    c, keys, X = plan.gather(targets) if targets else (None, None, None)
    batches = []
    for code, (klass, n) in targets.items():
        at = c == code
        size = int(at.sum())
        Xc = X[at]
        table = _table_for(Xc, np.arange(size), k)
        batches.append(
            {
                "label": klass,
                "code": code,
                "X": Xc,
                "keys": keys[at],
                "bases": np.arange(size),
                "m": _multinomial(plan.seed, code, n, size),
                "table": table,
                "pool": Xc,
            }
        )
    return _generate(plan, batches, joined)


def _danger_counts(plan, code, Xc, m, name):
    """How many of each class row's ``m`` nearest rows among all rows (itself
    dropped) are of another class: the local samplers' ``_n_other_class``."""
    check_enough_rows(name, m, plan.n_samples)
    _, _, codes = _knn_all(plan, Xc, m + 1)
    return np.sum(codes[:, 1:] != code, axis=1)


def _borderline(plan):
    sampler = plan.sampler
    _check_int(sampler, "k_neighbors", "m_neighbors")
    sampler._validate_estimator()
    from ..utils._validation import check_neighbors_object

    sampler.nn_m_ = check_neighbors_object(
        "m_neighbors", sampler.m_neighbors, additional_neighbor=1
    )
    k, m = int(sampler.k_neighbors), int(sampler.m_neighbors)
    targets = {c: cn for c, cn in plan.targets().items() if cn[1] > 0}
    sampler.in_danger_indices = {}
    joined = []  # classes too large to broadcast: the k-NN join makes their rows
    for code, (klass, n) in list(targets.items()):
        size = int(plan.counts[code])
        if plan.broadcast_problem(klass, size, "each class it over-samples"):
            from ._join import borderline_class

            check_enough_rows("m_neighbors", m, plan.n_samples)
            if sampler.kind == "borderline-1":
                check_enough_rows("k_neighbors", k, size, klass=klass)
            else:
                check_enough_rows("k_neighbors", k, plan.n_samples)
            danger, group = borderline_class(plan, code, klass, n, k, m, sampler.kind)
            if danger.size:
                sampler.in_danger_indices[klass] = danger
                joined.append(group)
            del targets[code]
    c, keys, X = plan.gather(targets) if targets else (None, None, None)
    batches = []
    for code, (klass, n) in targets.items():
        at = c == code
        Xc, kc = X[at], keys[at]
        n_other = _danger_counts(plan, code, Xc, m, "m_neighbors")
        danger = in_danger(n_other, m)
        if not danger.any():
            continue
        sampler.in_danger_indices[klass] = kc[danger]
        bases = np.flatnonzero(danger)
        counts = _multinomial(plan.seed, code, n, bases.size)
        batch = {
            "label": klass,
            "code": code,
            "X": Xc,
            "keys": kc,
            "bases": bases,
            "m": counts,
        }
        if sampler.kind == "borderline-1":
            check_enough_rows("k_neighbors", k, Xc.shape[0], klass=klass)
            batch["table"], batch["pool"] = _table_for(Xc, bases, k), Xc
        else:
            check_enough_rows("k_neighbors", k, plan.n_samples)
            _, nkeys, ncodes = _knn_all(plan, Xc[bases], k + 1)
            nkeys, ncodes = nkeys[:, 1:], ncodes[:, 1:]
            used, inverse = np.unique(nkeys, return_inverse=True)
            pc, pk, pool = plan.gather([], keys=used)
            order = np.argsort(pk)
            pool, pk, pc = pool[order], pk[order], pc[order]
            batch["table"] = np.searchsorted(pk, used)[inverse].reshape(nkeys.shape)
            batch["pool"] = pool
            batch["pool_other"] = pc != code
            # the table's rows are per base: index it by the base's position
            full = np.zeros((Xc.shape[0], k), dtype=np.int64)
            full[bases] = batch["table"]
            batch["table"] = full
        batches.append(batch)
    return _generate(plan, batches, joined)


def adasyn_counts(n_other, k, n):
    """ADASYN's shares and new rows per row from each class row's number of
    rows of another class among its ``k`` nearest (rows in key order):
    ``(shares, counts)``, with the local sampler's arithmetic and errors."""
    ratio = n_other / k
    if not np.sum(ratio):
        raise RuntimeError(
            "Not any neigbours belong to the majority class. This case will "
            "induce a NaN case with a division by zero. ADASYN is not suited "
            "for this specific dataset. Use SMOTE instead."
        )
    ratio /= np.sum(ratio)
    per_row = np.rint(ratio * n).astype(np.int64)
    if not int(per_row.sum()):
        raise ValueError(
            "No samples will be generated with the provided ratio settings."
        )
    return ratio, per_row


def _adasyn(plan):
    sampler = plan.sampler
    _check_int(sampler, "n_neighbors")
    from ..utils._validation import check_neighbors_object

    sampler.nn_ = check_neighbors_object(
        "n_neighbors", sampler.n_neighbors, additional_neighbor=1
    )
    k = int(sampler.n_neighbors)
    targets = {c: cn for c, cn in plan.targets().items() if cn[1] > 0}
    sampler.adasyn_weights_ = {}
    joined = []  # classes too large to broadcast: the k-NN join makes their rows
    for code, (klass, n) in list(targets.items()):
        size = int(plan.counts[code])
        if plan.broadcast_problem(klass, size, "each class it over-samples"):
            from ._join import adasyn_class

            check_enough_rows("n_neighbors", k, plan.n_samples)
            weights, group = adasyn_class(plan, code, klass, n, k)
            sampler.adasyn_weights_[klass] = weights
            joined.append(group)
            del targets[code]
    c, keys, X = plan.gather(targets) if targets else (None, None, None)
    batches = []
    for code, (klass, n) in targets.items():
        at = c == code
        Xc, kc = X[at], keys[at]
        n_other = _danger_counts(plan, code, Xc, k, "n_neighbors")
        ratio, per_row = adasyn_counts(n_other, k, n)
        sampler.adasyn_weights_[klass] = ratio
        check_enough_rows("n_neighbors", k, Xc.shape[0], klass=klass)
        batches.append(
            {
                "label": klass,
                "code": code,
                "X": Xc,
                "keys": kc,
                "bases": np.arange(Xc.shape[0]),
                "m": per_row,
                "table": _table_for(Xc, np.arange(Xc.shape[0]), k),
                "pool": Xc,
            }
        )
    return _generate(plan, batches, joined)


def _near_miss(plan):
    sampler, rows = plan.sampler, plan.rows
    from ..utils._validation import check_neighbors_object

    sampler.nn_ = check_neighbors_object("n_neighbors", sampler.n_neighbors)
    if sampler.version == 3:
        sampler.nn_ver3_ = check_neighbors_object(
            "n_neighbors_ver3", sampler.n_neighbors_ver3
        )
    k = int(getattr(sampler.n_neighbors, "n_neighbors", sampler.n_neighbors))
    k3 = int(getattr(sampler.n_neighbors_ver3, "n_neighbors", sampler.n_neighbors_ver3))
    # imblearn's minority: the smallest class, ties to the one seen first
    smallest = plan.counts == plan.counts.min()
    minority = int(np.flatnonzero(smallest)[np.argmin(plan.first[smallest])])
    plan.check_broadcast(
        plan.classes[minority], int(plan.counts[minority]), "the minority class"
    )
    _, _, Xmin = plan.gather([minority])
    n_min = Xmin.shape[0]
    dtype = rows.dtype
    selected = {}
    for code, (_, n_keep) in plan.targets().items():
        width = n_min if sampler.version == 2 else k
        if width > n_min:
            raise ValueError(
                f"Expected n_neighbors <= n_samples_fit, but n_neighbors = {width}, "
                f"n_samples_fit = {n_min}: lower n_neighbors or pass more samples."
            )
        if sampler.version == 3:
            _, ck, _ = _knn_all(plan, Xmin, k3, among=[code])
            candidates = np.unique(ck)
        else:
            candidates = None

        def score_step(pdf, p, shared, code=code, candidates=candidates, width=width):
            c = rows.codes(pdf)
            kk = rows.keys(pdf, p)
            at = np.flatnonzero(c == code)
            if candidates is not None:
                at = at[np.isin(kk[at], candidates)]
            score = np.empty(at.size)
            for s in range(0, at.size, QUERY_BLOCK):
                Q = rows.X(pdf, at[s : s + QUERY_BLOCK])
                d, _ = _core.kneighbors(shared, Q.astype(dtype, copy=False), width)
                score[s : s + QUERY_BLOCK] = np.sum(d[:, -k:], axis=1)
            return score, kk[at]

        farthest = sampler.version == 3

        def best(a, b, n_keep=n_keep, farthest=farthest):
            s = np.concatenate([a[0], b[0]])
            kk = np.concatenate([a[1], b[1]])
            order = np.lexsort((kk, -s if farthest else s))[:n_keep]
            return s[order], kk[order]

        def score_best(pdf, p, shared, step=score_step, best=best):
            s, kk = step(pdf, p, shared)
            return best((s, kk), (s[:0], kk[:0]))

        s, kk = plan.frame.reduce(
            score_best,
            best,
            rows.columns(),
            shared=np.ascontiguousarray(Xmin, dtype=dtype),
        )
        available = (
            candidates.size if candidates is not None else int(plan.counts[code])
        )
        if available < n_keep:
            warnings.warn(
                "The number of the samples to be selected is larger than the number "
                "of samples available. The balancing ratio cannot be ensure and all "
                "samples will be returned.",
                stacklevel=3,
            )
        selected[code] = np.sort(kk)
    sampler.selected_keys_ = {plan.classes[c]: v for c, v in selected.items()}

    def step(pdf, p, shared):
        c = rows.codes(pdf)
        keep = ~np.isin(c, list(selected))
        if selected:
            kk = rows.keys(pdf, p)
            for code, keys in selected.items():
                at = np.flatnonzero(c == code)
                keep[at] = np.isin(kk[at], keys)
        return [("take", np.flatnonzero(keep))]

    return plan.frame.output(step, rows.columns(False), rows.label, rows.features)


def _categorical_generator(seed, batches):
    """Generation tasks of SMOTEN (``kind='n'``: each feature the most frequent
    value among a drawn row and its k neighbours, by the engine's ``vdm_mode``)
    and SMOTENC (``kind='nc'``: continuous features interpolated towards a drawn
    neighbour, each categorical feature the most frequent among the k neighbours,
    ties broken by a keyed draw)."""

    def gen(i, shared):
        b, (lo, hi) = shared["tasks"][i]
        batch = shared["batches"][b]
        m = batch["m"][lo:hi]
        bases = np.arange(lo, hi)[m > 0]
        m = m[m > 0]
        if not bases.size:
            return []
        code, cats = batch["code"], batch["categories"]
        if batch["kind"] == "n":
            drawn = np.repeat(bases, m)
            new_codes = _core.vdm_mode(
                batch["codes"], batch["nns"], drawn.astype(np.int64), batch["sizes"]
            )
            columns = {
                name: values[new_codes[:, f]]
                for f, (name, values) in enumerate(zip(batch["names"], cats))
            }
            return [("new", columns, batch["label"])]
        table = batch["table"][bases]
        k = table.shape[1]
        keys = batch["keys"][bases]
        cont = batch["cont"]
        x = cont[bases]
        out = []
        for row, t in draw_chunks(m):
            key_rep = keys[row]
            col, step = smote_draws(seed, code, key_rep, t, k)
            neighbours = table[row]  # (n, k) the k neighbours of each new row's base
            columns = nc_columns(
                seed,
                code,
                key_rep,
                t,
                interpolate(
                    seed, code, key_rep, t, x[row], cont[table[row, col]], step
                ),
                batch["codes"][neighbours],
                batch,
            )
            out.append(("new", columns, batch["label"]))
        return out

    return gen


def nc_columns(seed, code, keys, t, new_cont, ncodes, spec):
    """SMOTENC's new rows as columns: the continuous values ``new_cont``
    (interpolated), and each categorical column the most frequent value among
    the base row's k neighbours (``ncodes``: their codes, ``(n, k, n_cat)``),
    ties broken by a keyed draw. ``spec``: ``cont_names``, ``cat_names``,
    ``categories``, ``n_cat_total``."""
    n, k = ncodes.shape[0], ncodes.shape[1]
    columns = {name: new_cont[:, j] for j, name in enumerate(spec["cont_names"])}
    offset = 0
    for f, (name, values) in enumerate(zip(spec["cat_names"], spec["categories"])):
        size = values.size
        flat = np.repeat(np.arange(n), k) * size + ncodes[:, :, f].ravel()
        counts = np.bincount(flat, minlength=n * size).reshape(n, size)
        is_max = counts == counts.max(axis=1, keepdims=True)
        tie = _uniform(
            _bits(
                seed,
                _TIE,
                code,
                np.repeat(keys, size),
                (t[:, None] * spec["n_cat_total"] + offset + np.arange(size)).ravel(),
            )
        ).reshape(n, size)
        columns[name] = values[np.argmax(np.where(is_max, tie, -1.0), axis=1)]
        offset += size
    return columns


def _generate_categorical(plan, batches, groups=()):
    rows = plan.rows
    tasks = []
    for b, batch in enumerate(batches):
        tasks += [(b, r) for r in _tasks(batch["m"])]
    return plan.frame.output(
        None,
        rows.columns(False),
        rows.label,
        rows.features,
        gen=_categorical_generator(plan.seed, batches),
        n_tasks=len(tasks),
        shared={"batches": batches, "tasks": tasks},
        synthetic=True,
        groups=groups,
    )


def _encoder_for(categories):
    """An ``OrdinalEncoder`` fitted to exactly these categories per feature."""
    from sklearn.preprocessing import OrdinalEncoder

    longest = max(c.size for c in categories)
    table = pd.DataFrame({f: np.resize(c, longest) for f, c in enumerate(categories)})
    return OrdinalEncoder(dtype=np.int32).fit(table.to_numpy(dtype=object))


def _smoten(plan):
    from scipy.spatial import distance_matrix

    from ..metrics.pairwise import ValueDifferenceMetric

    sampler, rows = plan.sampler, plan.rows
    _check_int(sampler, "k_neighbors")
    if sampler.categorical_encoder is not None:
        raise ValueError(
            "SMOTEN(categorical_encoder=...) is not distributed yet: on Spark/Dask "
            "the categories are the sorted distinct values of each column. Leave "
            "categorical_encoder=None."
        )
    sampler._validate_estimator()
    k = int(sampler.k_neighbors)
    names = rows.features
    found = plan.categories(names)
    categories = [v for v, _ in found]
    sampler.categorical_encoder_ = _encoder_for(categories)
    vdm = ValueDifferenceMetric()
    tables = []
    for _, counts in found:
        counts = counts.astype(np.float64)
        with np.errstate(invalid="ignore", divide="ignore"):
            proba = np.nan_to_num(counts / counts.sum(axis=1, keepdims=True))
        tables.append(
            np.ascontiguousarray(distance_matrix(proba, proba, p=vdm.k) ** vdm.r)
        )
    targets = {c: cn for c, cn in plan.targets().items() if cn[1] > 0}
    for code, (klass, _) in targets.items():
        check_enough_rows("k_neighbors", k, int(plan.counts[code]), klass=klass)
        plan.check_broadcast(
            klass, int(plan.counts[code]), "each class it over-samples"
        )
    c, keys, frame = plan.gather_raw(targets, names) if targets else (None, None, None)
    batches = []
    for code, (klass, n) in targets.items():
        at = np.flatnonzero(c == code)
        sub = frame.iloc[at]
        codes = np.empty((at.size, len(names)), dtype=np.int32)
        for f, name in enumerate(names):
            codes[:, f] = np.searchsorted(categories[f], sub[name].to_numpy())
        nns = _core.vdm_kneighbors(codes, tables, k + 1)
        batches.append(
            {
                "kind": "n",
                "label": klass,
                "code": code,
                "codes": codes,
                "nns": np.ascontiguousarray(nns, dtype=np.int64),
                "sizes": [int(v.size) for v in categories],
                "categories": categories,
                "names": names,
                "keys": keys[at],
                "m": _multinomial(plan.seed, code, n, at.size),
            }
        )
    return _generate_categorical(plan, batches)


def _continuous(sub, cont_names):
    """SMOTENC's continuous columns of ``sub`` as float64 (numeric, finite)."""
    try:
        cont = np.ascontiguousarray(sub[cont_names].to_numpy(dtype=np.float64))
    except (TypeError, ValueError) as exc:
        raise ValueError(
            f"SMOTENC's continuous columns {cont_names} must be numeric ({exc}); "
            "list the others in categorical_features."
        ) from exc
    if not np.isfinite(cont).all():
        raise ValueError(
            f"SMOTENC's continuous columns {cont_names} hold NaN, null or "
            "infinity; drop or impute those values first."
        )
    return cont


def _category_codes(sub, cat_names, categories):
    """Each categorical value's position among its column's sorted values."""
    codes = np.empty((len(sub), len(cat_names)), dtype=np.int64)
    for f, name in enumerate(cat_names):
        codes[:, f] = np.searchsorted(categories[f], sub[name].to_numpy())
    return codes


def _onehot(codes, categories, scale):
    """SMOTENC's encoding of the categories: one-hot, scaled by ``scale``."""
    offsets = np.concatenate([[0], np.cumsum([v.size for v in categories])])
    onehot = np.zeros((codes.shape[0], int(offsets[-1])))
    for f in range(codes.shape[1]):
        onehot[np.arange(codes.shape[0]), offsets[f] + codes[:, f]] = scale
    return onehot


def _nc_scale(median):
    return 0.0 if math.isclose(median, 0) else median / np.sqrt(2)


class _Encoded(_Rows):
    """SMOTENC's rows for the k-NN join: ``X`` is the continuous columns and the
    one-hot categories scaled by ``scale`` (SMOTENC's distance), then each
    categorical column's code, which the join carries but does not measure."""

    def __init__(self, rows, cont_names, cat_names, categories, scale):
        super().__init__(
            rows.label, cont_names + cat_names, rows.key, rows.classes, rows.offsets
        )
        self.cont_names, self.cat_names = cont_names, cat_names
        self.categories, self.scale = categories, scale
        self.n_onehot = int(sum(v.size for v in categories))

    @property
    def width(self):
        return self.metric + len(self.cat_names)

    @property
    def metric(self):
        return len(self.cont_names) + self.n_onehot

    def X(self, pdf, rows=None):
        sub = pdf if rows is None else pdf.iloc[rows]
        codes = _category_codes(sub, self.cat_names, self.categories)
        return np.ascontiguousarray(
            np.hstack(
                [
                    _continuous(sub, self.cont_names),
                    _onehot(codes, self.categories, self.scale),
                    codes.astype(np.float64),
                ]
            )
        )


def _smotenc(plan):
    from sklearn.utils._indexing import _get_column_indices

    sampler, rows = plan.sampler, plan.rows
    _check_int(sampler, "k_neighbors")
    if sampler.categorical_encoder is not None:
        raise ValueError(
            "SMOTENC(categorical_encoder=...) is not distributed yet: on Spark/Dask "
            "the categories are the distinct values of each column. Leave "
            "categorical_encoder=None."
        )
    names = rows.features
    key = sampler.categorical_features
    if isinstance(key, str) and key == "auto":
        cat = [f for f, n in enumerate(names) if n in plan.frame.categorical_columns]
    else:
        try:
            cat = _get_column_indices(pd.DataFrame(columns=names), key)
        except (ValueError, KeyError, IndexError, TypeError) as exc:
            raise ValueError(
                f"categorical_features={key!r} does not select feature columns "
                f"{names}: {exc}. Pass indices into features, names, or a boolean "
                "mask over features."
            ) from exc
    sampler.n_features_ = len(names)
    sampler.categorical_features_ = np.unique(np.asarray(cat, dtype=np.intp))
    sampler.continuous_features_ = np.setdiff1d(
        np.arange(len(names)), sampler.categorical_features_
    )
    sampler._validate_estimator()
    k = int(sampler.k_neighbors)
    cat_names = [names[i] for i in sampler.categorical_features_]
    cont_names = [names[i] for i in sampler.continuous_features_]
    found = plan.categories(cat_names)
    categories = [v for v, _ in found]
    targets = {c: cn for c, cn in plan.targets().items() if cn[1] > 0}
    n_cat_total = int(sum(v.size for v in categories))
    spec = {
        "categories": categories,
        "cat_names": cat_names,
        "cont_names": cont_names,
        "n_cat_total": n_cat_total,
    }
    sampler.median_std_ = {}
    joined = []  # classes too large to broadcast: the k-NN join makes their rows
    large = []
    for code, (klass, _) in targets.items():
        check_enough_rows("k_neighbors", k, int(plan.counts[code]), klass=klass)
        if plan.broadcast_problem(
            klass, int(plan.counts[code]), "each class it over-samples"
        ):
            large.append(code)
    if large:
        from ._join import smotenc_class

        cont_rows = _Rows(rows.label, cont_names, rows.key, rows.classes, rows.offsets)
        stds = _moments(plan, large, cont_rows)
        for code in large:
            klass, n = targets.pop(code)
            median = float(np.median(stds[code]))
            sampler.median_std_[klass] = median
            encoded = _Encoded(
                rows, cont_names, cat_names, categories, _nc_scale(median)
            )
            joined.append(smotenc_class(plan, code, klass, n, k, encoded, spec))
    c, keys, frame = plan.gather_raw(targets, names) if targets else (None, None, None)
    batches = []
    for code, (klass, n) in targets.items():
        at = np.flatnonzero(c == code)
        sub = frame.iloc[at]
        cont = _continuous(sub, cont_names)
        codes = _category_codes(sub, cat_names, categories)
        median = float(np.median(cont.std(axis=0)))
        sampler.median_std_[klass] = median
        onehot = _onehot(codes, categories, _nc_scale(median))
        batches.append(
            {
                "kind": "nc",
                "label": klass,
                "code": code,
                # each row's k neighbours in SMOTENC's encoding, searched here
                "table": _table_for(
                    np.ascontiguousarray(np.hstack([cont, onehot])),
                    np.arange(at.size),
                    k,
                ),
                "cont": cont,
                "codes": codes,
                **spec,
                "keys": keys[at],
                "m": _multinomial(plan.seed, code, n, at.size),
            }
        )
    return _generate_categorical(plan, batches, joined)


def _plans():
    from ..combine import SMOTEENN, SMOTETomek
    from ..over_sampling import (
        ADASYN,
        SMOTE,
        SMOTEN,
        SMOTENC,
        BorderlineSMOTE,
        RandomOverSampler,
    )
    from ..under_sampling import (
        AllKNN,
        EditedNearestNeighbours,
        NearMiss,
        NeighbourhoodCleaningRule,
        OneSidedSelection,
        RandomUnderSampler,
        RepeatedEditedNearestNeighbours,
        TomekLinks,
    )
    from . import _join

    return {
        RandomUnderSampler: _random_under,
        RandomOverSampler: _random_over,
        SMOTE: _smote,
        SMOTENC: _smotenc,
        SMOTEN: _smoten,
        BorderlineSMOTE: _borderline,
        ADASYN: _adasyn,
        NearMiss: _near_miss,
        EditedNearestNeighbours: _join.enn,
        RepeatedEditedNearestNeighbours: _join.renn,
        AllKNN: _join.all_knn,
        TomekLinks: _join.tomek,
        NeighbourhoodCleaningRule: _join.ncr,
        OneSidedSelection: _join.oss,
        SMOTEENN: _join.combined,
        SMOTETomek: _join.combined,
    }


def resample(sampler, frame, *, label, features=None, key=None, engine="Spark"):
    """Resample ``frame`` (a :class:`Frame`) with ``sampler``'s own parameters.

    Returns the engine's DataFrame; sets the sampler's fitted attributes.
    """
    plans = _plans()
    run = plans.get(type(sampler))
    if run is None:
        names = ", ".join(sorted(t.__name__ for t in plans))
        raise NotImplementedError(
            f"{type(sampler).__name__} is not distributed yet on {engine}: the "
            f"samplers that are: {names}. Resample a sample that fits one machine "
            "with the local sampler (collect it, then sampler.fit_resample(X, y)), "
            "or under-sample with a distributed sampler first."
        )
    sampler._validate_params()
    plan = _Plan(sampler, frame, label, features, key)
    plan.engine = engine
    return run(plan)
