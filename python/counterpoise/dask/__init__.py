"""counterpoise's samplers on Dask DataFrames (``pip install counterpoise[dask]``).

:func:`fit_resample` runs a sampler's engine-neutral plan (see
:mod:`counterpoise._distributed`) as Dask tasks: ``to_delayed`` partitions,
``dask.delayed`` steps and tree reductions, ``from_delayed`` for the output.
It runs on whatever scheduler is active (a ``dask.distributed`` client when one
exists); the driver only holds class counts and the small tables a plan needs.

On a ``dask.distributed`` cluster, the first call registers a worker plugin
named ``counterpoise-return-memory`` on the client: every worker (and every
worker that joins or restarts later) hands memory that pyarrow and the C heap
have freed back to the operating system whenever it is above its spill
threshold or paused. Without it, a worker paused by such memory (Dask counts it
as unmanaged and cannot spill it) runs no task again, and the job waits forever.
"""

from __future__ import annotations

import functools
import threading

import numpy as np
import pandas as pd

from .._distributed import Frame, resample
from .._distributed._plan import cap_arenas, glibc

__all__ = ["fit_resample", "kneighbors"]


def _nullable(dtype):
    """The dtype that can hold a null for a column of ``dtype``."""
    dtype = pd.api.types.pandas_dtype(dtype)
    if isinstance(dtype, np.dtype):
        if dtype.kind == "b":
            return pd.BooleanDtype()
        if dtype.kind in "iu":
            return pd.api.types.pandas_dtype(
                ("UInt" if dtype.kind == "u" else "Int") + str(dtype.itemsize * 8)
            )
    return dtype


def _assemble(pdf, parts, meta, label, features):
    frames = []
    for part in parts:
        if part[0] == "take":
            idx = part[1]
            if idx.size == len(pdf) and np.array_equal(idx, np.arange(idx.size)):
                frames.append(pdf)  # every row, in order: no copy
            else:
                frames.append(pdf.iloc[idx])
            continue
        _, X, value = part
        n = len(next(iter(X.values()))) if isinstance(X, dict) else X.shape[0]
        index = pd.RangeIndex(n)
        columns = {}
        for name in meta.columns:
            dtype = meta[name].dtype
            if name in features:
                values = X[name] if isinstance(X, dict) else X[:, features.index(name)]
                columns[name] = pd.Series(values, index=index).astype(dtype)
            elif name == label:
                columns[name] = pd.Series(
                    np.repeat(np.asarray([value]), n), index=index
                ).astype(dtype)
            else:
                columns[name] = pd.Series(index=index, dtype=dtype)
        frames.append(pd.DataFrame(columns, index=index))
    if not frames:
        return meta
    out = pd.concat(frames) if len(frames) > 1 else frames[0]
    return out.astype(meta.dtypes.to_dict())


def _neighbours_table(ids, D, NK):
    """``id``, then ``neighbor_0 .. neighbor_{k-1}`` (nearest first) and
    ``distance_0 .. distance_{k-1}``."""
    columns = {"id": pd.Series(ids, dtype="int64")}
    for j in range(NK.shape[1]):
        columns[f"neighbor_{j}"] = pd.Series(NK[:, j], dtype="int64")
    for j in range(D.shape[1]):
        columns[f"distance_{j}"] = pd.Series(D[:, j], dtype="float64")
    return pd.DataFrame(columns)


#: A regrouping runs in at least this many tasks (more when there are more
#: partitions), each over several groups.
GROUP_TASKS = 16

#: ... and in enough tasks that none holds more than one group per this many
#: bytes of the smallest worker's memory limit (any number without a limit):
#: a group is a k-NN join cell (about 655,360 values), and a task holds its
#: groups' rows, their neighbour lists and its output at once. At 60M rows in
#: 60 partitions, 15 cells a task ran workers of 1 GB out of memory, 4 did
#: not; at 20M rows 4 cells a task on workers of 2 GB took 338-369 s against
#: 203 s with 15 (more tasks, and picks of every map task's output for each).
GROUP_CELL_BYTES = 250_000_000

#: The scheduler priority of an exchange's picks (the default is 0).
PICK_PRIORITY = 100


def _default_client():
    """The active ``dask.distributed`` client, or None (not installed, or no
    client: the local schedulers, which have no workers of their own)."""
    try:
        from distributed import default_client

        return default_client()
    except (ImportError, ValueError):
        return None


def _group_cells():
    """How many groups one regrouping task may hold (:data:`GROUP_CELL_BYTES`),
    or None: no limit (no ``dask.distributed`` client, or workers without a
    memory limit)."""
    client = _default_client()
    if client is None:
        return None
    try:  # every worker, where the version can cap the list
        info = client.scheduler_info(n_workers=-1)
    except TypeError:  # a version without n_workers lists every worker
        info = client.scheduler_info()
    workers = info.get("workers", {})
    limits = [w.get("memory_limit") or 0 for w in workers.values()]
    if not limits or min(limits) <= 0:
        return None
    return max(1, int(min(limits) // GROUP_CELL_BYTES))


def _pick(part, groups):
    return {g: part[g] for g in groups if g in part}


def _return_memory():
    """Hand memory freed in this worker back to the OS.

    Reading a 1M-row Parquet partition leaves about 250 MB in pyarrow's
    allocator (mimalloc) after the table is gone, and the C heap keeps freed
    blocks of numpy arrays between tasks: memory Dask counts as unmanaged and
    cannot spill. Left there, workers of 1 GB reached 770 MB unmanaged with no
    task running, above their pause threshold, and the job waited forever.
    Each of our tasks calls this on entry (what earlier tasks left) and on
    exit (:func:`_releasing`): pyarrow's pool, then glibc's ``malloc_trim``
    (Linux; Dask's own advice for unmanaged memory). It lowers that memory;
    it does not remove all of it (workers of 700 MB on 20M rows still stalled
    paused: see benches/README.md, "Dask with little memory")."""
    try:
        import pyarrow as pa
    except ImportError:  # pragma: no cover - pyarrow is a dependency of dask's Parquet
        pass
    else:
        pa.default_memory_pool().release_unused()
    libc = glibc()
    if libc is not None:
        libc.malloc_trim(0)


#: How often (seconds) a watched worker checks whether its memory is above
#: the spill threshold (or it is paused), and if so returns freed memory to
#: the OS (:func:`_watch_worker`).
WATCH_SECONDS = 0.5

_WATCH_LOCK = threading.Lock()  # task threads of one worker install it once

#: The worker plugin's name, and its callback's in ``Worker.periodic_callbacks``.
_WATCH_NAME = "counterpoise-return-memory"


def _watch_worker(worker=None):
    """On a ``dask.distributed`` worker (``worker``, or the one this task runs
    on), once per process: a periodic callback on the worker's event loop that
    calls :func:`_return_memory` whenever the process is above its spill
    threshold or paused.

    Needed because memory piles up in pyarrow's pool outside our tasks too
    (Dask's own ``read_parquet`` tasks, and the frames Dask spills to disk:
    their buffers go back to the pool, not to the OS). A worker paused by it
    runs no task, so a return on a task's entry never comes: measured at 20M
    rows with workers of 700 MB, both workers sat paused at 535 MB with every
    key spilled (nothing managed left in memory) and ``release_unused`` alone
    brought them to 185-280 MB. The callback runs even while paused, so such a
    worker resumes. It stops with the worker (Dask stops every callback in
    ``periodic_callbacks`` on close). Installed by a worker plugin on every
    worker of the active client, present and future (:func:`_watch_workers`:
    a worker restarted by its nanny reads its partition before any task of
    ours runs there), and on entry to each of our tasks."""
    if worker is None:
        try:
            from distributed import get_worker

            worker = get_worker()
        except (ImportError, ValueError):  # not in a distributed worker
            return
    with _WATCH_LOCK:
        if _WATCH_NAME not in worker.periodic_callbacks:
            _install_watch(worker)


def _install_watch(worker):
    from distributed.core import Status
    from tornado.ioloop import PeriodicCallback

    manager = worker.memory_manager
    limit = manager.memory_limit
    fraction = manager.memory_spill_fraction or manager.memory_pause_fraction
    threshold = limit * fraction if limit and fraction else None

    def check():
        if worker.status == Status.paused or (
            threshold is not None and worker.monitor.get_process_memory() > threshold
        ):
            _return_memory()

    callback = PeriodicCallback(check, WATCH_SECONDS * 1000)
    worker.periodic_callbacks[_WATCH_NAME] = callback
    worker.loop.add_callback(callback.start)


@functools.cache
def _memory_plugin():
    """The worker plugin installing :func:`_watch_worker` (a class made on
    first use: ``distributed`` is imported only when a client exists)."""
    from distributed.diagnostics.plugin import WorkerPlugin

    class ReturnMemory(WorkerPlugin):
        idempotent = True  # registered again by every call: a no-op

        def setup(self, worker):
            _watch_worker(worker)

    return ReturnMemory


def _watch_workers():
    """:func:`_watch_worker` on every worker of the active
    ``dask.distributed`` client, and on the workers that join it later."""
    client = _default_client()
    if client is None:  # no workers
        return
    client.register_plugin(_memory_plugin()(), name=_WATCH_NAME)


def _releasing(fn):
    """``fn``, returning freed memory to the OS before and after
    (:func:`_return_memory`), and making sure the worker it runs on keeps
    doing so between tasks (:func:`_watch_worker`); first
    :func:`~counterpoise._distributed._plan.cap_arenas`."""

    @functools.wraps(fn)
    def run(*args):
        cap_arenas()
        _watch_worker()
        _return_memory()
        try:
            return fn(*args)
        finally:
            _return_memory()

    return run


@_releasing
def _run_groups(fn, groups, picks, kind):
    """``fn`` on each group's payloads; ``kind``: 'pairs' returns the new
    payloads by group, 'list' the results in a list (None dropped)."""
    out = {} if kind == "pairs" else []
    for g in groups:
        payloads = [p for pick in picks for p in pick.get(g, [])]
        if not payloads:
            continue
        result = fn(g, payloads, None)
        if kind == "pairs":
            for g2, payload in result:
                out.setdefault(int(g2), []).append(payload)
        elif result is not None:
            out.append(result)
    return out


def _once(obj):
    """``obj`` (a step's closure, or the data every task shares) as one key
    of the graph, a data node the tasks name (a function through
    :func:`_call`): each worker fetches it once, as managed memory Dask can
    spill, instead of every task's spec carrying (and the worker keeping, for
    every task assigned to it) its own copy of what the closure holds. ENN's
    output step at 60M rows holds the 5.3M removed keys (42 MB): embedded in
    its 240 tasks it left two 1 GB workers paused for good with nothing to
    spill."""
    import uuid

    import dask

    name = f"counterpoise-{type(obj).__name__}-{uuid.uuid4().hex}"
    return dask.delayed(obj, name=name, traverse=False)


def _call(fn, *args):
    return fn(*args)


def _frame_of(tables, meta):
    return pd.concat(tables, ignore_index=True) if tables else meta


class _DaskFrame(Frame):
    def __init__(self, ddf):
        _watch_workers()
        self.ddf = ddf
        self.columns = list(ddf.columns)
        self.categorical_columns = [
            c
            for c in self.columns
            if isinstance(ddf._meta[c].dtype, pd.CategoricalDtype)
        ]

    def _partial(self, step, columns, shared):
        import dask

        shared_d = None if shared is None else _once(shared)
        columns = list(columns)

        def run(pdf, p, shared):
            return step(pdf[columns], p, shared)

        # The partitions of the whole frame, the columns selected inside the task:
        # a projection pushed into the reader (dask-expr fuses Parquet partitions
        # when few columns are read) would cut the rows differently from the
        # output pass, and the row positions are the default keys.
        parts = self.ddf.to_delayed()
        run = _once(_releasing(run))
        return [
            dask.delayed(_call)(run, part, i, shared_d) for i, part in enumerate(parts)
        ]

    def collect(self, step, columns, shared=None, classes=None):
        import dask

        return list(dask.compute(*self._partial(step, columns, shared)))

    def reduce(self, step, combine, columns, shared=None):
        import dask

        level = self._partial(step, columns, shared)
        while len(level) > 1:
            pairs = [level[i : i + 2] for i in range(0, len(level), 2)]
            level = [dask.delayed(combine)(*p) if len(p) == 2 else p[0] for p in pairs]
        return level[0].compute()

    def scatter(self, step, columns, n_groups):
        def by_group(pdf, p, shared):
            out = {}
            for g, payload in step(pdf, p, shared):
                out.setdefault(int(g), []).append(payload)
            return out

        return self._partial(by_group, columns, None), n_groups

    @staticmethod
    def _groups(handle, fn, kind):
        """Tasks of several groups each (about as many tasks as map tasks, and
        at most :func:`_group_cells` groups a task): each runs ``fn`` on its
        groups' payloads, picked out of every map task's output by one small
        task per (map task, group task) pair.

        The exchange is written as two graph layers (dicts of tasks: the
        picks, the group tasks), not as ``dask.delayed`` calls: a delayed call
        merges its arguments' graphs, and tens of thousands of picks each
        merging their map task's graph kept the driver busy for minutes at 60M
        rows (916 cells)."""
        import uuid

        from dask.delayed import Delayed
        from dask.highlevelgraph import HighLevelGraph, MaterializedLayer

        parts, n_groups = handle
        cells = _group_cells()
        n_tasks = max(
            1,
            min(n_groups, max(len(parts), GROUP_TASKS)),
            -(-n_groups // cells) if cells else 1,
        )
        token = uuid.uuid4().hex
        fn_key = f"counterpoise-step-{token}"
        pick, run = f"counterpoise-pick-{token}", f"counterpoise-groups-{token}"
        picking, running = {}, {fn_key: fn}  # ``fn`` in the graph once
        for j in range(n_tasks):
            groups = list(range(j, n_groups, n_tasks))
            for i, part in enumerate(parts):
                picking[(pick, i, j)] = (_pick, part.key, groups)
            picks = [(pick, i, j) for i in range(len(parts))]
            running[(run, j)] = (_run_groups, fn_key, groups, picks, kind)
        # The picks of a map task's output run as soon as it exists, ahead of
        # every other task: once Dask has spilled it to disk, each of its
        # picks reads all of it back (at 60M rows, 240 map tasks of 50 MB and
        # 240 group tasks, picks left to the default order ran at about one a
        # second).
        picked = HighLevelGraph.from_collections(
            pick,
            MaterializedLayer(picking, annotations={"priority": PICK_PRIORITY}),
            dependencies=parts,
        )
        layers, deps = dict(picked.layers), dict(picked.dependencies)
        layers[run], deps[run] = MaterializedLayer(running), {pick}
        graph = HighLevelGraph(layers, deps)
        return [Delayed((run, j), graph, layer=run) for j in range(n_tasks)]

    def regroup(self, handle, fn, n_groups):
        return self._groups(handle, fn, "pairs"), n_groups

    def gather_groups(self, handle, fn):
        import dask

        return [r for rs in dask.compute(*self._groups(handle, fn, "list")) for r in rs]

    def neighbours_frame(self, handle, fn, k):
        import dask
        import dask.dataframe as dd

        meta = _neighbours_table(
            np.empty(0, np.int64), np.empty((0, k)), np.empty((0, k), np.int64)
        )

        def run(g, payloads, shared):
            m = fn(g, payloads, shared)
            return None if m is None else _neighbours_table(*m)

        tasks = [
            dask.delayed(_frame_of)(t, meta) for t in self._groups(handle, run, "list")
        ]
        return dd.from_delayed(tasks, meta=meta, verify_meta=False)

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
        import dask
        import dask.dataframe as dd

        meta = self.ddf._meta
        if synthetic:
            meta = meta.astype(
                {
                    c: _nullable(meta[c].dtype)
                    for c in meta.columns
                    if c != label and c not in features
                }
            )
        columns = list(columns)
        if step is None:  # every row as it is

            def step(pdf, p, shared):
                return [("take", np.arange(len(pdf)))]

        def run_step(pdf, p, shared):
            return _assemble(pdf, step(pdf[columns], p, shared), meta, label, features)

        def run_gen(i, shared):
            return _assemble(meta, gen(i, shared), meta, label, features)

        shared_d = None if shared is None else _once(shared)
        run_step, run_gen = _once(_releasing(run_step)), _once(_releasing(run_gen))
        tasks = [
            dask.delayed(_call)(run_step, part, i, None)
            for i, part in enumerate(self.ddf.to_delayed())
        ]
        tasks += [dask.delayed(_call)(run_gen, i, shared_d) for i in range(n_tasks)]
        for handle, fn in groups:

            def run_new(g, payloads, shared, fn=fn):
                return _assemble(meta, fn(g, payloads, shared), meta, label, features)

            tasks += [
                dask.delayed(_frame_of)(t, meta)
                for t in self._groups(handle, run_new, "list")
            ]
        return dd.from_delayed(tasks, meta=meta, verify_meta=False)


def fit_resample(sampler, df, *, label, features=None, key=None):
    """Resample a Dask DataFrame with a counterpoise (or compatible) sampler.

    The sampler's parameters mean what they mean locally; the class counts come
    from one pass, the strategy is resolved by the local sampler's rules, and the
    per-partition steps call counterpoise's Rust engine inside Dask tasks. The
    result is a lazy Dask DataFrame.

    Parameters
    ----------
    sampler : sampler object
        One of counterpoise's RandomUnderSampler, RandomOverSampler, SMOTE,
        SMOTENC, SMOTEN, BorderlineSMOTE, ADASYN, NearMiss,
        EditedNearestNeighbours, RepeatedEditedNearestNeighbours, AllKNN,
        TomekLinks, NeighbourhoodCleaningRule, OneSidedSelection, SMOTEENN or
        SMOTETomek (any other raises
        ``NotImplementedError``; the cleaning rules run on the exact k-NN join
        of :func:`kneighbors`). It receives its fitted attributes
        (``sampling_strategy_``, ``n_features_in_``, ``feature_names_in_``, and
        per sampler ``in_danger_indices``, ``shrinkage_``, ``median_std_``, ...);
        row indices are row keys (positions, or the ``key`` column's values).
        Four are added: ADASYN's ``adasyn_weights_`` (each class row's share),
        NearMiss's ``selected_keys_`` (the keys kept per class), the cleaning
        rules' ``removed_keys_`` (sorted keys of the rows removed; their
        output keeps the other rows in their input order, where the local
        samplers list them class by class; OneSidedSelection, which removes
        most of the majority, does not collect them) and OneSidedSelection's
        ``seed_keys_`` (the keys of each cleaned class's seeds). A class that
        SMOTE, SMOTENC, BorderlineSMOTE or ADASYN over-samples but that is too
        large to broadcast to the tasks is over-sampled through the k-NN join
        instead of being gathered (the base rows of SMOTE, SMOTENC and
        BorderlineSMOTE then make ``n // N`` or ``n // N + 1`` new rows each;
        ADASYN's make the same numbers as on the broadcast path). SMOTEN's
        classes must fit one worker.
    df : dask.dataframe.DataFrame
        The data, one row per sample.
    label : str
        The column holding the classes.
    features : list of str, default=None
        The columns the sampler measures and interpolates; default every column
        but ``label`` and ``key``. Other columns are carried for the input rows
        and null for synthetic rows (made nullable: int64 becomes Int64).
    key : str, default=None
        A column of unique values that identifies each row; the random draws are
        then keyed by it, so the output does not depend on the partitioning or the
        row order (RandomUnderSampler with ``replacement=True`` excepted: its draws
        follow the partitions). Without it, rows are keyed by their position:
        the output is the same for the same rows in the same order however they
        are partitioned and whatever the number of workers, but reordering (a
        shuffle) changes it.

    Returns
    -------
    dask.dataframe.DataFrame
        The input rows kept (same columns, order and types), followed by the new
        rows; lazy.

    See Also
    --------
    counterpoise.spark.fit_resample : The same on Spark DataFrames.

    Examples
    --------
    >>> import dask
    >>> import dask.dataframe as dd
    >>> import numpy as np
    >>> import pandas as pd
    >>> from counterpoise.dask import fit_resample
    >>> from counterpoise.over_sampling import SMOTE
    >>> rng = np.random.default_rng(0)
    >>> pdf = pd.DataFrame({"a": rng.normal(size=200), "b": rng.normal(size=200),
    ...                     "y": [0] * 180 + [1] * 20})
    >>> df = dd.from_pandas(pdf, npartitions=4)
    >>> with dask.config.set(scheduler="synchronous"):
    ...     out = fit_resample(SMOTE(random_state=0), df, label="y").compute()
    >>> out["y"].value_counts().sort_index().tolist()
    [180, 180]
    """
    return resample(
        sampler, _DaskFrame(df), label=label, features=features, key=key, engine="Dask"
    )


def kneighbors(df, n_neighbors, *, features=None, key=None):
    """Exact k nearest neighbours of every row among all rows (a k-NN self-join).

    Each row's ``n_neighbors`` nearest other rows by Euclidean distance, exactly
    (the same lists as scikit-learn's ``NearestNeighbors().kneighbors()`` and
    counterpoise's local engine on data without tied distances; ties go to the
    smaller id). The rows are split into cells by a KD split of a sample; each
    cell is solved by the Rust engine, and a row is copied only to the cells
    that come within its current k-th distance (see
    :mod:`counterpoise._distributed._join`), so the data is shuffled about
    twice, plus the copies.

    Parameters
    ----------
    df : dask.dataframe.DataFrame
        The rows; the feature columns must be numeric, without nulls or
        infinities.
    n_neighbors : int
        Neighbours per row (the row itself not counted); the table needs more
        rows than this.
    features : list of str, default=None
        The columns to measure; default every column but ``key``.
    key : str, default=None
        A column of unique integers naming the rows (the ids returned). Without
        it a row's id is its position in the DataFrame (0-based, in partition
        order).

    Returns
    -------
    dask.dataframe.DataFrame
        Columns ``id`` (int64), ``neighbor_0`` ... ``neighbor_{k-1}`` (the ids
        of the ``n_neighbors`` nearest other rows, nearest first) and
        ``distance_0`` ... ``distance_{k-1}`` (Euclidean), one row per input
        row, in no particular order; lazy.

    See Also
    --------
    fit_resample : The cleaning rules run on this join.

    Examples
    --------
    >>> import dask
    >>> import dask.dataframe as dd
    >>> import pandas as pd
    >>> from counterpoise.dask import kneighbors
    >>> pdf = pd.DataFrame({"a": [0.0, 1.0, 3.0, 7.0], "b": [0.0, 0.0, 0.0, 0.0]})
    >>> df = dd.from_pandas(pdf, npartitions=2)
    >>> with dask.config.set(scheduler="synchronous"):
    ...     nn = kneighbors(df, 2).compute().sort_values("id")
    >>> nn[["neighbor_0", "neighbor_1"]].to_numpy().tolist()
    [[1, 2], [0, 2], [1, 0], [2, 1]]
    >>> nn["distance_0"].tolist()
    [1.0, 1.0, 2.0, 4.0]
    """
    from .._distributed._join import kneighbors as _kneighbors

    return _kneighbors(_DaskFrame(df), n_neighbors, features=features, key=key)
