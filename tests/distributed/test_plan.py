"""Determinism, schema, nulls and errors of the distributed front-ends."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from counterpoise.over_sampling import SMOTE, SVMSMOTE, RandomOverSampler
from counterpoise.under_sampling import (
    ClusterCentroids,
    CondensedNearestNeighbour,
    RandomUnderSampler,
)

from .conftest import DaskEngine, SparkEngine, table


def canonical(out, columns):
    """Rows sorted by every column, for comparing outputs as multisets."""
    return out[columns].sort_values(columns).reset_index(drop=True)


def run(engine, sampler, pdf, npartitions, **kw):
    df = engine.frame(pdf, npartitions)
    return engine.to_pandas(engine.fit_resample(sampler, df, label="label", **kw))


@pytest.mark.parametrize(
    "sampler",
    [SMOTE(random_state=3), RandomUnderSampler(random_state=3)],
    ids=["smote", "under"],
)
def test_dask_same_output_whatever_the_partitions_and_workers(dask_client, sampler):
    import dask

    pdf, _, _, features = table(n=500)
    eng = DaskEngine(dask_client)
    columns = ["label", *features]
    kw = {"features": features}
    many = canonical(run(eng, sampler, pdf, 11, **kw), columns)
    few = canonical(run(eng, sampler, pdf, 3, **kw), columns)
    with dask.config.set(scheduler="synchronous"):  # one thread, no workers
        alone = canonical(run(eng, sampler, pdf, 5, **kw), columns)
    pd.testing.assert_frame_equal(many, few)
    pd.testing.assert_frame_equal(many, alone)
    other_seed = canonical(
        run(eng, type(sampler)(random_state=4), pdf, 11, **kw), columns
    )
    assert not many.equals(other_seed)


def test_key_column_makes_the_output_independent_of_row_order(dask_client):
    pdf, _, _, features = table(n=500)
    eng = DaskEngine(dask_client)
    shuffled = pdf.sample(frac=1.0, random_state=0).reset_index(drop=True)
    columns = ["id", "label", *features]
    for sampler in (SMOTE(random_state=0), RandomUnderSampler(random_state=0)):
        kw = {"features": features, "key": "id"}
        a = canonical(run(eng, sampler, pdf, 4, **kw), columns)
        b = canonical(run(eng, sampler, shuffled, 9, **kw), columns)
        pd.testing.assert_frame_equal(a, b)
    # without a key, the rows' positions are the keys: a shuffle changes the draws
    kw = {"features": features}
    a = canonical(run(eng, RandomUnderSampler(random_state=0), pdf, 4, **kw), columns)
    b = canonical(
        run(eng, RandomUnderSampler(random_state=0), shuffled, 4, **kw), columns
    )
    assert not a.equals(b)


@pytest.mark.parametrize("kind", ["smote", "under"])
def test_spark_and_dask_run_the_same_plan(spark, dask_client, kind):
    """Same rows in the same order, same seed: the same output on both engines,
    whatever the number of partitions (Spark's under-sampling filters with a
    UDF over row ids, Dask's runs the generic partition step)."""
    pdf, _, _, features = table(n=400)
    columns = ["label", *features]
    if kind == "smote":
        sampler = SMOTE(random_state=7, k_neighbors=3)
    else:
        sampler = RandomUnderSampler(random_state=7)
    on_spark = canonical(
        run(SparkEngine(spark), sampler, pdf, 5, features=features), columns
    )
    on_dask = canonical(
        run(DaskEngine(dask_client), sampler, pdf, 2, features=features), columns
    )
    pd.testing.assert_frame_equal(on_spark, on_dask, check_dtype=False)


def mixed_table():
    pdf, _, _, features = table(n=300, weights=(0.8, 0.2))
    pdf["label"] = np.where(pdf["label"] == 1, "fraud", "ok")
    pdf["note"] = [f"row {i}" for i in range(len(pdf))]
    pdf["when"] = pd.Timestamp("2026-01-01") + pd.to_timedelta(np.arange(300), "h")
    pdf["count"] = np.arange(300, dtype=np.int32)  # an integer feature
    return pdf, [*features, "count"]


def test_spark_schema_and_nulls(spark):
    from pyspark.sql import types as T

    pdf, features = mixed_table()
    eng = SparkEngine(spark)
    df = eng.frame(pdf, 4)
    out = eng.fit_resample(SMOTE(random_state=0), df, label="label", features=features)
    assert out.columns == df.columns
    assert [f.dataType for f in out.schema] == [f.dataType for f in df.schema]
    assert isinstance(out.schema["count"].dataType, T.IntegerType)
    res = out.toPandas()
    synthetic = res[res["id"].isna()]
    original = res[res["id"].notna()]
    assert len(synthetic) == 240 - 60 and (synthetic["label"] == "fraud").all()
    assert synthetic[["note", "when"]].isna().all().all()
    assert synthetic[features].notna().all().all()
    kept = original.sort_values("id").reset_index(drop=True)
    pd.testing.assert_frame_equal(
        kept[["note", "label"]], pdf[["note", "label"]], check_dtype=False
    )
    assert (kept["when"].to_numpy() == pdf["when"].to_numpy()).all()


def test_dask_schema_and_nulls(dask_client):
    pdf, features = mixed_table()
    eng = DaskEngine(dask_client)
    df = eng.frame(pdf, 6)
    out = eng.fit_resample(SMOTE(random_state=0), df, label="label", features=features)
    assert list(out.columns) == list(df.columns)
    dtypes = out.dtypes.to_dict()
    expected = df.dtypes.to_dict()
    for name in [*features, "label", "note", "when"]:
        assert dtypes[name] == expected[name], name
    assert dtypes["id"] == pd.Int64Dtype()  # int64 made nullable
    res = out.compute()
    synthetic = res[res["id"].isna()]
    assert len(synthetic) == 180 and (synthetic["label"] == "fraud").all()
    assert synthetic[["note", "when"]].isna().all().all()
    kept = res[res["id"].notna()].sort_values("id").reset_index(drop=True)
    assert (kept["note"].to_numpy() == pdf["note"].to_numpy()).all()
    # no new rows, no nullable columns: types exactly as given
    under = eng.fit_resample(RandomUnderSampler(random_state=0), df, label="label")
    assert under.dtypes.to_dict() == expected


@pytest.mark.parametrize(
    "sampler",
    [CondensedNearestNeighbour(), SVMSMOTE(), ClusterCentroids()],
    ids=type,
)
def test_samplers_not_distributed_yet_say_so(engine, sampler):
    pdf, _, _, _ = table(n=100)
    df = engine.frame(pdf, 2)
    with pytest.raises(NotImplementedError, match="not distributed yet") as info:
        engine.fit_resample(sampler, df, label="label")
    assert type(sampler).__name__ in str(info.value)
    assert "SMOTE" in str(info.value)  # lists what is distributed


@pytest.mark.parametrize("engine", ["dask"], indirect=True)
def test_clear_errors(engine):
    from sklearn.neighbors import NearestNeighbors

    pdf, _, _, features = table(n=200)
    df = engine.frame(pdf, 3)
    with pytest.raises(ValueError, match="'target' is not a column"):
        engine.fit_resample(SMOTE(), df, label="target")
    with pytest.raises(ValueError, match="features .'nope'. are not columns"):
        engine.fit_resample(SMOTE(), df, label="label", features=["f0", "nope"])
    with pytest.raises(ValueError, match="pass k_neighbors as an int"):
        engine.fit_resample(
            SMOTE(k_neighbors=NearestNeighbors(n_neighbors=3)), df, label="label"
        )
    with pytest.raises(ValueError, match="k_neighbors=80 needs at least 81"):
        engine.fit_resample(SMOTE(k_neighbors=80), df, label="label")
    nan = pdf.copy()
    nan.loc[5, "f1"] = np.nan
    nan.loc[5, "label"] = 2
    with pytest.raises(ValueError, match=r"\['f1'\] hold NaN"):
        engine.to_pandas(
            engine.fit_resample(SMOTE(), engine.frame(nan, 3), label="label")
        )
    dup = pdf.assign(key=pdf["id"] // 2)
    with pytest.raises(ValueError, match="duplicate values"):
        engine.fit_resample(
            RandomOverSampler(), engine.frame(dup, 3), label="label", key="key"
        )
    nolabel = pdf.astype({"label": "float64"})
    nolabel.loc[3, "label"] = np.nan
    with pytest.raises(ValueError, match="label column 'label' holds nulls"):
        engine.fit_resample(SMOTE(), engine.frame(nolabel, 3), label="label")


@pytest.mark.parametrize("engine", ["spark"], indirect=True)
def test_spark_errors_carry_the_message(engine):
    pdf, _, _, _ = table(n=200)
    nan = pdf.copy()
    nan.loc[5, "f1"] = np.nan
    nan.loc[5, "label"] = 2
    with pytest.raises(Exception, match=r"\['f1'\] hold NaN"):
        engine.fit_resample(SMOTE(), engine.frame(nan, 3), label="label")


def test_fitted_attributes(dask_client):
    from counterpoise.over_sampling import BorderlineSMOTE

    pdf, X, y, features = table()
    eng = DaskEngine(dask_client)
    sampler = BorderlineSMOTE(random_state=0)
    eng.fit_resample(sampler, eng.frame(pdf, 4), label="label", features=features)
    local = BorderlineSMOTE(random_state=0).fit(X, y)
    assert sampler.sampling_strategy_ == local.sampling_strategy_
    assert sampler.n_features_in_ == 4
    assert list(sampler.feature_names_in_) == features
    assert sampler.nn_k_.n_neighbors == 6 and sampler.nn_m_.n_neighbors == 11


def test_select_bits_are_spark_sql_xxhash64(spark):
    """RandomUnderSampler's keep test is evaluated by Spark SQL in the JVM and by
    numpy in the Python steps (Dask, fallbacks): both must draw the same bits.
    The truth here is Spark's own xxhash64."""
    from counterpoise._distributed._plan import _select_bits, _select_prefix
    from pyspark.sql import functions as F

    rng = np.random.default_rng(0)
    keys = np.concatenate(
        [rng.integers(-(2**63), 2**63 - 1, 300, dtype=np.int64), np.arange(-3, 3)]
    )
    df = spark.createDataFrame([(int(k),) for k in keys], "k long")
    for seed in (0, 1, 2**63 + 5, 2**64 - 1, 123456789):
        for code in (0, 3):
            prefix = [F.lit(x).cast("long") for x in _select_prefix(seed, code)]
            got = df.select(F.xxhash64(*prefix, F.col("k"))).collect()
            got = np.array([r[0] for r in got], dtype=np.int64).view(np.uint64)
            np.testing.assert_array_equal(got, _select_bits(seed, code, keys))


@pytest.mark.parametrize(
    "strategy, key",
    [
        ("auto", None),
        ({0: 40, 1: 0, 2: 30}, None),  # a class emptied, two reduced
        ("not minority", "id"),  # an integer key column
    ],
)
@pytest.mark.parametrize("direct", [True, False], ids=["direct", "histogram"])
def test_spark_under_sampling_in_the_jvm_equals_the_python_steps(
    spark, monkeypatch, strategy, key, direct
):
    """Spark counts classes and under-samples in the JVM (group-by, xxhash64,
    filter); the result is the same rows as the generic Python steps give on
    Spark (forced by lifting the partition limit to nothing), with exact counts,
    on both ways of finding the threshold (one pass over the lowest buckets, or a
    histogram first)."""
    import counterpoise.spark as cs
    from counterpoise._distributed import _plan

    pdf, _, y, features = table(n=500)
    eng = SparkEngine(spark)
    if not direct:
        monkeypatch.setattr(_plan, "DIRECT_SELECT_ROWS", 0)
    kw = {"features": features} if key is None else {"key": key}
    columns = ["label", *features]

    jvm = run(
        eng,
        RandomUnderSampler(sampling_strategy=strategy, random_state=5),
        pdf,
        7,
        **kw,
    )
    monkeypatch.setattr(cs, "_LABEL_DTYPES", {})  # the Python count step
    monkeypatch.setattr(cs, "MAX_JVM_PARTITIONS", -1)  # the Python select steps
    monkeypatch.setattr(cs, "_INTEGRAL", set())
    python = run(
        eng,
        RandomUnderSampler(sampling_strategy=strategy, random_state=5),
        pdf,
        7,
        **kw,
    )
    pd.testing.assert_frame_equal(
        canonical(jvm, columns), canonical(python, columns), check_dtype=False
    )
    want = RandomUnderSampler(sampling_strategy=strategy).fit_resample(
        pdf[features].to_numpy(), y
    )[1]
    assert (
        jvm["label"].value_counts().to_dict()
        == pd.Series(want).value_counts().to_dict()
    )
    # kept rows keep their order
    assert jvm["id"].is_monotonic_increasing


def test_spark_counts_in_the_jvm_reject_null_labels_and_keys(spark):
    pdf, _, _, features = table(n=120)
    eng = SparkEngine(spark)
    text = pdf.assign(label=pdf["label"].map({0: "a", 1: "b", 2: "c"}).astype(object))
    text.loc[7, "label"] = None
    with pytest.raises(ValueError, match="label column 'label' holds nulls"):
        eng.fit_resample(RandomUnderSampler(), eng.frame(text, 3), label="label")
    nan = pdf.astype({"label": "float64"})
    nan.loc[9, "label"] = np.nan
    with pytest.raises(ValueError, match="label column 'label' holds nulls"):
        eng.fit_resample(RandomUnderSampler(), eng.frame(nan, 3), label="label")
    nokey = pdf.astype({"id": "float64"}).astype({"id": "Int64"})
    nokey.loc[4, "id"] = pd.NA
    df = spark.createDataFrame(
        [
            (None if pd.isna(i) else int(i), int(lab), *map(float, row))
            for i, lab, row in zip(nokey["id"], nokey["label"], nokey[features].values)
        ],
        ", ".join(["id long", "label long"] + [f"{f} double" for f in features]),
    )
    with pytest.raises(ValueError, match="key column 'id' holds nulls"):
        eng.fit_resample(RandomUnderSampler(), df, label="label", key="id")


def test_near_miss_tied_minority_is_the_class_seen_first(spark):
    """The JVM count pass does not compute each class's first row; NearMiss asks
    for it when the smallest classes tie, and picks the class seen first, as
    the local sampler does (Counter order)."""
    from counterpoise.under_sampling import NearMiss

    pdf, X, y, features = table(n=400, weights=(0.6, 0.2, 0.2))
    counts = pd.Series(y).value_counts()
    # make classes 1 and 2 the same size by relabelling extra rows of the larger
    big, small = (1, 2) if counts[1] > counts[2] else (2, 1)
    extra = np.flatnonzero(y == big)[: counts[big] - counts[small]]
    y = y.copy()
    y[extra] = 0
    pdf["label"] = y
    local = NearMiss(n_neighbors=3).fit(pdf[features].to_numpy(), y)
    local.fit_resample(pdf[features].to_numpy(), y)
    sampler = NearMiss(n_neighbors=3)
    out = run(SparkEngine(spark), sampler, pdf, 5, features=features)
    want = local.fit_resample(pdf[features].to_numpy(), y)[1]
    assert out["label"].value_counts().to_dict() == (
        pd.Series(want).value_counts().to_dict()
    )
    kept = np.sort(out["id"].to_numpy())
    np.testing.assert_array_equal(kept, np.sort(local.sample_indices_))


def test_workers_import_no_scikit_learn():
    """A Spark or Dask worker unpickles the plan's steps by importing
    counterpoise's distributed modules: they must not import scikit-learn or
    SciPy (seconds per worker, and address space a capped worker lacks)."""
    import subprocess
    import sys

    code = (
        "import sys, counterpoise._distributed._plan, counterpoise.spark, "
        "counterpoise.dask; print(sorted(m for m in ('sklearn', 'scipy') "
        "if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[]"


_ARENA_SCRIPT = """
import resource, sys, threading
import numpy as np
engine, capped = sys.argv[1], sys.argv[2] == "capped"
if capped:  # as spark.executor.pyspark.memory caps a Spark Python worker
    resource.setrlimit(resource.RLIMIT_AS, (8 << 30, 8 << 30))
if engine == "spark":
    from counterpoise.spark import _worker as wrap
else:
    from counterpoise.dask import _releasing as wrap
wrap(lambda *a: None)(None)  # a step of ours has run in this process
def vm():
    status = open("/proc/self/status").read()
    return int(status.split("VmSize:")[1].split()[0]) >> 10
allocated, done = threading.Barrier(5), threading.Barrier(5)
def work():
    keep = [np.ones(500) for _ in range(200)]  # small blocks: malloc's arenas
    allocated.wait()
    done.wait()
threads = [threading.Thread(target=work) for _ in range(4)]
base = vm()
for t in threads:  # 8 MB of stack each, and (uncapped) an arena each
    t.start()
allocated.wait()
grown = vm() - base
done.wait()
for t in threads:
    t.join()
print(grown)
"""


@pytest.mark.parametrize("engine", ["spark", "dask"])
def test_capped_workers_reserve_no_arena_per_thread(engine):
    """Under an address-space cap (Spark's ``spark.executor.pyspark.memory``),
    glibc's malloc reserves 64 MB of address space for each new thread's arena,
    which counts against the cap: after one of our steps has run, four threads
    allocating must add little more than their stacks (uncapped they add an
    arena each: the process is left alone there)."""
    import platform
    import subprocess
    import sys

    if platform.system() != "Linux" or platform.libc_ver()[0] != "glibc":
        pytest.skip("malloc arenas are glibc's")

    def growth(capped):
        out = subprocess.run(
            [sys.executable, "-c", _ARENA_SCRIPT, engine, capped],
            capture_output=True,
            text=True,
            check=True,
        )
        return int(out.stdout.strip())

    uncapped, capped = growth("uncapped"), growth("capped")
    assert uncapped >= 4 * (8 + 60), uncapped  # 4 arenas: the test sees them
    assert capped < 4 * 8 + 32, capped


def test_dask_tasks_hand_pyarrows_freed_memory_back():
    """After a Dask task of ours, memory pyarrow freed is back with the OS, not
    kept in pyarrow's pool where Dask counts it as unmanaged (a worker held
    above its pause threshold by it runs nothing again: the job hangs). In a
    fresh process: a 160 MB table converted to pandas and dropped, then one
    wrapped task; the process must end within 60 MB of where it began."""
    import subprocess
    import sys

    code = (
        "import numpy as np, pyarrow as pa\n"
        "from counterpoise.dask import _releasing\n"
        "def rss():\n"
        "    return int(open('/proc/self/statm').read().split()[1]) * 4096 >> 20\n"
        "base = rss()\n"
        "t = pa.table({f'c{i}': np.arange(2_000_000, dtype=np.float64) for i in "
        "range(10)})\n"
        "pdf = t.to_pandas()\n"
        "grown = rss()\n"
        "del t, pdf\n"
        "_releasing(lambda: None)()\n"
        "print(base, grown, rss())\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    base, grown, after = map(int, out.stdout.split())
    assert grown - base > 150  # the table was there
    assert after - base < 60, (base, grown, after)


_WATCH_SCRIPT = """
import time
import dask
from distributed import Client, LocalCluster
from counterpoise.dask import _watch_workers

def fill(dask_worker):
    # 240 MB through pyarrow's pool, converted and dropped: the pool keeps it
    import numpy as np, pyarrow as pa
    t = pa.table({f"c{i}": np.arange(3_000_000, dtype=np.float64) for i in range(10)})
    pdf = t.to_pandas()
    del t, pdf

def rss(dask_worker):
    return int(open("/proc/self/statm").read().split()[1]) * 4096 >> 20

def watched(dask_worker):
    return "counterpoise-return-memory" in dask_worker.periodic_callbacks

# spill threshold at 30% of 1 GB: above it once the pool holds the 240 MB
dask.config.set({"distributed.worker.memory.spill": 0.3,
                 "distributed.worker.memory.target": 0.25})
for watch in (False, True):
    with LocalCluster(n_workers=1, threads_per_worker=1, memory_limit="1GB",
                      dashboard_address=None) as cluster, Client(cluster) as client:
        if watch:
            _watch_workers()
        base = list(client.run(rss).values())[0]
        client.run(fill)
        # no task runs meanwhile: the control waits 2 s, the watched worker
        # until it is back (at most 20 s; the watch looks every 0.5 s)
        for _ in range(40 if watch else 4):
            time.sleep(0.5)
            after = list(client.run(rss).values())[0]
            if watch and after - base < 60:
                break
        restarted = None
        if watch:
            client.restart()
            restarted = list(client.run(watched).values())
        print(watch, base, after, restarted)
"""


def test_dask_workers_return_pool_memory_between_tasks():
    """A worker above its spill threshold hands pyarrow's freed memory back to
    the OS without any task of ours running on it (Dask's own read_parquet
    tasks and the frames it spills leave memory there; a worker paused by it
    never runs our tasks again: at 20M rows with 700 MB workers both sat
    paused forever). Real worker processes, in a fresh interpreter: without
    the watch the worker keeps the memory for 2 seconds (the control), with it
    the memory goes back (within 20 s); and a worker restarted by the nanny is
    watched again (the plugin, not our tasks, installs the watch)."""
    import subprocess
    import sys

    out = subprocess.run(
        [sys.executable, "-c", _WATCH_SCRIPT],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    lines = [ln.split(" ", 3) for ln in out.stdout.strip().splitlines()]
    (_, base0, after0, _), (_, base1, after1, restarted) = lines
    assert int(after0) - int(base0) > 150, out.stdout  # the control kept it
    assert int(after1) - int(base1) < 60, out.stdout
    assert restarted == "[True]", out.stdout


def test_spark_size_strings():
    from counterpoise.spark import _size_bytes

    assert _size_bytes("1g") == 1 << 30
    assert _size_bytes("512m") == 512 << 20
    assert _size_bytes("2048") == 2048 << 20  # Spark's default unit here: MiB
    assert _size_bytes("1.5G") == 3 << 29
    assert _size_bytes("64kb") == 64 << 10
    assert _size_bytes(None) is None
    assert _size_bytes("lots") is None


@pytest.mark.parametrize("sampler", ["one_sided", "near_miss"])
def test_spark_refuses_a_broadcast_its_workers_cannot_hold(spark, monkeypatch, sampler):
    """A class whose broadcast would not fit under spark.executor.pyspark.memory
    (a worker's address-space cap: it would die on a failed allocation, which
    Spark reports as a lost worker after minutes) is refused at once, with the
    setting to raise. (SMOTE, BorderlineSMOTE and ADASYN over-sample such a
    class through the k-NN join instead: tests/distributed/test_join.py.)"""
    import counterpoise.spark as cs
    from counterpoise._distributed import _plan
    from counterpoise.over_sampling import ADASYN
    from counterpoise.under_sampling import NearMiss, OneSidedSelection

    if sampler == "near_miss":
        sampler = NearMiss()
    else:
        sampler = OneSidedSelection(random_state=0)
    pdf, _, _, features = table(n=300)
    counts = pdf["label"].value_counts().sort_values()

    def need(n_rows):
        nbytes = n_rows * len(features) * 8
        per_byte = _plan.WORKER_BYTES_PER_BROADCAST_BYTE
        return _plan.WORKER_BASE_BYTES + int(per_byte * nbytes)

    # the broadcast class (the smallest, for both) needs more than this cap,
    # and less than the second
    small, enough = need(int(counts.iloc[0])) - 1, need(int(counts.iloc[1])) + 1
    eng = SparkEngine(spark)
    monkeypatch.setattr(cs._SparkFrame, "worker_memory", lambda self: small)
    with pytest.raises(ValueError, match="spark.executor.pyspark.memory") as info:
        eng.fit_resample(sampler, eng.frame(pdf, 3), label="label", features=features)
    assert "MiB of address space each, more than" in str(info.value)
    if isinstance(sampler, OneSidedSelection):  # SMOTE and ADASYN take the join
        out = eng.fit_resample(
            SMOTE(random_state=0), eng.frame(pdf, 3), label="label", features=features
        )
        assert (eng.to_pandas(out)["label"].value_counts() == counts.max()).all()
        over = ADASYN(random_state=0)
        out = eng.fit_resample(
            over, eng.frame(pdf, 3), label="label", features=features
        )
        grown = eng.to_pandas(out)["label"].value_counts()
        assert (grown[counts.index[:-1]] > counts.iloc[:-1]).all()
        assert sorted(over.adasyn_weights_) == sorted(counts.index[:-1])
    monkeypatch.setattr(cs._SparkFrame, "worker_memory", lambda self: enough)
    out = eng.to_pandas(
        eng.fit_resample(sampler, eng.frame(pdf, 3), label="label", features=features)
    )
    assert len(out) > 0


def test_dask_group_tasks_scale_with_worker_memory(dask_client, monkeypatch):
    """A regrouping's tasks hold at most one group per GROUP_CELL_BYTES of the
    smallest worker's memory limit (4 cells on 1 GB workers: 15 ran them out
    of memory), and every group's payloads still reach ``fn`` once."""
    import counterpoise.dask as cd
    import dask

    limits = [
        w["memory_limit"]
        for w in dask_client.scheduler_info(n_workers=-1)["workers"].values()
    ]
    assert cd._group_cells() == max(1, int(min(limits) // cd.GROUP_CELL_BYTES))
    monkeypatch.setattr(cd, "GROUP_CELL_BYTES", min(limits) // 3)
    assert cd._group_cells() == 3
    n_groups = 50
    parts = [
        dask.delayed(
            lambda i: {g: [(i, g)] for g in range(n_groups) if g % 2 == i % 2}
        )(i)
        for i in range(4)
    ]
    tasks = cd._DaskFrame._groups(
        (parts, n_groups), lambda g, ps, s: (g, sorted(ps)), "list"
    )
    assert len(tasks) == -(-n_groups // 3)  # more tasks than GROUP_TASKS (16)
    got = sorted(r for rs in dask.compute(*tasks) for r in rs)
    want = [(g, [(i, g) for i in range(4) if i % 2 == g % 2]) for g in range(n_groups)]
    assert got == want
    # workers without a memory limit: no cap (as many tasks as before the cap)
    monkeypatch.setattr(
        type(dask_client),
        "scheduler_info",
        lambda self, **kw: {"workers": {"a": {"memory_limit": 0}}},
    )
    assert cd._group_cells() is None


class _Priorities:
    """A scheduler plugin keeping each task's priority as the graph arrives."""

    name = "counterpoise-test-priorities"

    def __init__(self):
        self.seen = {}

    def start(self, scheduler):
        self.scheduler = scheduler

    def transition(self, key, start, finish, *args, **kwargs):
        ts = self.scheduler.tasks.get(key)
        if ts is not None and key not in self.seen:
            self.seen[key] = ts.priority


def test_dask_exchange_picks_run_ahead_of_other_tasks(dask_client):
    """The scheduler gets every pick of an exchange at a priority above the
    default, so a map task's output is picked while it is still in memory
    (left to the default order, at 60M rows on two 1 GB workers the second
    exchange's picks each read a spilled 50 MB output back: about one a
    second), and the groups' payloads still arrive whole."""
    import counterpoise.dask as cd
    import dask
    from distributed.diagnostics.plugin import SchedulerPlugin

    plugin = type("P", (_Priorities, SchedulerPlugin), {})()
    dask_client.register_plugin(plugin)
    n_groups = 6
    parts = [
        dask.delayed(lambda i: {g: [(i, g)] for g in range(n_groups)})(i)
        for i in range(3)
    ]
    tasks = cd._DaskFrame._groups(
        (parts, n_groups), lambda g, ps, s: (g, sorted(ps)), "list"
    )
    got = sorted(r for rs in dask.compute(*tasks) for r in rs)
    assert got == [(g, [(i, g) for i in range(3)]) for g in range(n_groups)]

    def seen(dask_scheduler):
        p = dask_scheduler.plugins[_Priorities.name]
        return {str(k): v[0] for k, v in p.seen.items()}

    priority = dask_client.run_on_scheduler(seen)
    token = tasks[0].key[0].rsplit("-", 1)[1]  # this exchange's tasks only
    picks = [v for k, v in priority.items() if f"counterpoise-pick-{token}" in k]
    groups = [v for k, v in priority.items() if f"counterpoise-groups-{token}" in k]
    assert len(picks) == 3 * len(tasks)
    assert set(picks) == {-cd.PICK_PRIORITY}  # the scheduler negates it
    assert len(groups) == len(tasks) and set(groups) == {0}
    dask_client.unregister_scheduler_plugin(_Priorities.name)


def test_dask_step_closures_travel_once(dask_client):
    """What a step's closure holds (ENN's removed keys: 42 MB at 60M rows) is
    in the graph once, as a key the tasks name, not copied into every task's
    spec (240 copies kept two 1 GB workers paused for good); the output is the
    same."""
    import cloudpickle
    import counterpoise.dask as cd
    import dask
    import dask.dataframe as dd

    pdf = pd.DataFrame({"f": np.arange(400.0), "label": np.arange(400) % 2})
    frame = cd._DaskFrame(dd.from_pandas(pdf, npartitions=8))
    removed = np.arange(0, 2_000_000, 3, dtype=np.int64)  # 5.3 MB

    def mask(pdf, p, pos):
        keys = pdf["f"].to_numpy().astype(np.int64)
        return ~np.isin(keys, removed)

    out = frame.keep(mask, ["f", "label"], "label", ["f"])
    graph = dict(out.__dask_graph__())
    sizes = sorted(len(cloudpickle.dumps(v)) for v in graph.values())
    assert len(graph) > 8 and sizes[-1] > removed.nbytes
    assert sizes[-2] < 100_000, sizes[-4:]  # one copy, whatever the partitions
    got = out.compute()
    assert got["f"].tolist() == [x for x in pdf["f"] if int(x) % 3 != 0]
    # the per-partition steps too (collect, reduce, scatter)
    parts = frame._partial(lambda pdf, p, s: int(mask(pdf, p, None).sum()), ["f"], None)
    graph = {k: v for d in parts for k, v in dict(d.__dask_graph__()).items()}
    sizes = sorted(len(cloudpickle.dumps(v)) for v in graph.values())
    assert sizes[-1] > removed.nbytes and sizes[-2] < 100_000, sizes[-4:]
    assert sum(dask.compute(*parts)) == 400 - 134
