"""Benchmarks of counterpoise.spark / counterpoise.dask (issue #21's targets).

Subcommands (each measurement runs in a fresh child process, whose process tree
- the JVM, Python workers, Dask workers - is sampled for its peak resident
memory):

``generate``  write an uncompressed Parquet dataset: ``--rows`` x ``--cols``
              float64 features,
              an int label with ``--minority`` of class 1, in files of
              ``--rows-per-file`` rows (row groups of 256k rows).
``scale``     resample it with RandomUnderSampler and SMOTE on Spark
              (``spark.driver.memory=2g`` or ``$COUNTERPOISE_BENCH_DRIVER_MEMORY``,
              ``spark.executor.pyspark.memory=1g`` or
              ``$COUNTERPOISE_BENCH_PYSPARK_MEMORY``, ``local[2]``) and on
              Dask (LocalCluster of two workers of 2GB each or
              ``$COUNTERPOISE_BENCH_DASK_MEMORY``; a partition per Parquet
              file, or per row group when ``$COUNTERPOISE_BENCH_DASK_SPLIT``
              is set: workers of 700 MB die reading 1M-row partitions),
              writing Parquet; wall time, peak memory, rows per second.
``compare``   on data that fits one machine: our RandomUnderSampler vs
              Spark's ``sampleBy`` (approximate counts), our SMOTE vs "collect to
              pandas, imbalanced-learn SMOTE, createDataFrame", and the
              distributed path's rows per second vs single-machine counterpoise
              (pandas read, ``fit_resample``, pyarrow write), all in one run.

``one``       one case on one engine in this process (``--repeat N``: N runs
              in one session, the first paying its warm-up). Cases: the
              samplers (``under``, ``smote``, ``enn``, ``tomek``, ``oss``, ...),
              and ``copy``: read, a Python step returning every row unchanged,
              write (``local``: pandas read and pyarrow write), the least any
              job of this shape costs on the engine.

Raw results are appended to ``benches/results/distributed.json``.

Examples
--------
The issue's full scale target (12 GB: 50M rows x 30 float64, 1% minority)::

    python benches/distributed.py generate --rows 50000000 --cols 30 --out /data/cp12g
    python benches/distributed.py scale --data /data/cp12g --work /data/cp_out

What this shared 2-core machine takes now::

    python benches/distributed.py generate --rows 2000000 --cols 30 --out /tmp/cp2m
    python benches/distributed.py scale --data /tmp/cp2m --work /tmp/cp_out
    python benches/distributed.py compare --data /tmp/cp2m --work /tmp/cp_out
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results" / "distributed.json"
# This file's name shadows the `distributed` package (dask.distributed) when run
# as a script: take its folder off the import path.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]


# --- data -------------------------------------------------------------------------


def generate(args):
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(args.seed)
    centers = None
    if args.kind == "clusters":
        latent = min(args.latent, args.cols)
        centers = (
            rng.normal(size=(24, latent)) * 3,  # cluster centres
            rng.normal(size=(latent, args.cols)),  # embedding
            np.logspace(0, 3, args.cols),  # column scales
        )
    written, part = 0, 0
    while written < args.rows:
        n = min(args.rows_per_file, args.rows - written)
        if args.kind == "clusters":
            X, y = clusters(rng, n, args.cols, args.latent, args.minority, centers)
            cols = {"id": np.arange(written, written + n, dtype=np.int64)}
        else:
            y = (rng.random(n) < args.minority).astype(np.int64)
            # heavy tails and different scales, as real tables have
            X = rng.standard_t(3, size=(n, args.cols)) * np.logspace(0, 3, args.cols)
            X[y == 1] += 1.5
            cols = {}
        cols.update({f"f{j}": X[:, j] for j in range(args.cols)})
        cols["label"] = y
        pq.write_table(
            pa.table(cols),
            out / f"part-{part:05d}.parquet",
            row_group_size=1 << 18,
            compression="none",
        )
        written += n
        part += 1
    print(f"wrote {written} rows in {part} files to {out}")


def clusters(rng, n, cols, latent, minority, centers):
    """Rows shaped like real tables for the k-NN join: 24 clusters in a
    ``latent``-dimensional space embedded in ``cols`` columns (low intrinsic
    dimension when latent < cols), a log-normal heavy tail on the first column,
    scales from 1 to 1000, and a label that overlaps between classes (ENN and
    Tomek links find something to remove). Continuous: no tied distances."""
    import numpy as np

    mu, embed, scales = centers
    latent = mu.shape[1]
    z = mu[rng.integers(mu.shape[0], size=n)] + rng.normal(size=(n, latent))
    X = z @ embed if cols > latent else z.copy()
    X += 0.05 * rng.normal(size=X.shape)
    X[:, 0] *= np.exp(rng.normal(size=n))
    X *= scales
    score = z[:, 0] + 0.8 * rng.normal(size=n)
    y = (score > np.quantile(score, 1 - minority)).astype(np.int64)
    return X, y


# --- measurement -----------------------------------------------------------------


class PeakMemory:
    """Peak summed RSS of this process and all its descendants."""

    def __init__(self, interval=0.2):
        import psutil

        self.proc = psutil.Process()
        self.peak = 0
        self.interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _rss(self):
        total = 0
        for p in [self.proc, *self.proc.children(recursive=True)]:
            try:
                total += p.memory_info().rss
            except Exception:  # the process ended meanwhile
                pass
        return total

    def _run(self):
        while not self._stop.is_set():
            self.peak = max(self.peak, self._rss())
            time.sleep(self.interval)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


# the memory given to the jobs (defaults: part 1's 4 GB on each engine)
DRIVER_MEMORY = "COUNTERPOISE_BENCH_DRIVER_MEMORY"
PYSPARK_MEMORY = "COUNTERPOISE_BENCH_PYSPARK_MEMORY"
DASK_MEMORY = "COUNTERPOISE_BENCH_DASK_MEMORY"
DASK_SPLIT = "COUNTERPOISE_BENCH_DASK_SPLIT"


def spark_session(extra=None):
    from pyspark.sql import SparkSession

    builder = (
        SparkSession.builder.master("local[2]")
        .config("spark.driver.memory", os.environ.get(DRIVER_MEMORY, "2g"))
        .config(
            "spark.executor.pyspark.memory",
            os.environ.get(PYSPARK_MEMORY, "1g"),
        )
        .config("spark.sql.shuffle.partitions", "8")
        .config("spark.ui.enabled", "false")
        # random floats do not compress; uncompressed everywhere keeps the
        # engines comparable (and avoids snappy-java's native library)
        .config("spark.sql.parquet.compression.codec", "uncompressed")
    )
    for k, v in (extra or {}).items():
        builder = builder.config(k, v)
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def dask_client():
    from distributed import Client, LocalCluster

    cluster = LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        memory_limit=os.environ.get(DASK_MEMORY, "2GB"),
        dashboard_address=None,
    )
    return Client(cluster), cluster


def make_sampler(name):
    from counterpoise.over_sampling import ADASYN, SMOTE
    from counterpoise.under_sampling import (
        EditedNearestNeighbours,
        OneSidedSelection,
        RandomUnderSampler,
        TomekLinks,
    )

    if name in ("smote-join", "adasyn-join"):
        # SMOTE as for a class too large to broadcast: through the k-NN join
        from counterpoise._distributed import _plan

        _plan.MAX_BROADCAST_BYTES = 0
    return {
        "under": RandomUnderSampler(random_state=0),
        "smote": SMOTE(random_state=0),
        "smote-join": SMOTE(random_state=0),
        "adasyn": ADASYN(random_state=0),
        "adasyn-join": ADASYN(random_state=0),
        "enn": EditedNearestNeighbours(),
        "tomek": TomekLinks(),
        "oss": OneSidedSelection(random_state=0),
    }[name]


def features_of(columns):
    return [c for c in columns if c != "label" and c != "id"]


def one(args):
    """One measured case, in this (child) process; prints a JSON line.

    ``--repeat N`` runs the case N times in the same process (one Spark
    session, one Dask cluster) and reports each run's wall: the first pays the
    session's one-time warm-up (the JVM's class loading and JIT, the Python
    workers' start and imports), the later ones show the per-run cost."""
    data, work = args.data, Path(args.work)
    dest = work / f"{args.case}-{args.engine}"
    # the input's row count from the Parquet footers, outside the timing (a
    # Spark count() or Dask len() here would be a job the user does not run)
    n_rows = written(data)[0]
    walls = []
    with PeakMemory() as mem:
        start = time.perf_counter()
        setup = 0.0
        if args.engine == "spark":
            spark = spark_session()
            setup = time.perf_counter() - start
        elif args.engine == "dask":
            import dask.dataframe as dd

            client, cluster = dask_client()
            setup = time.perf_counter() - start
        for _ in range(max(1, args.repeat)):
            shutil.rmtree(dest, ignore_errors=True)
            start = time.perf_counter()
            if args.engine == "spark":
                df = spark.read.parquet(data)
                run_spark_case(args.case, spark, df, str(dest))
            elif args.engine == "dask":
                df = dd.read_parquet(
                    data, split_row_groups=bool(os.environ.get(DASK_SPLIT))
                )
                run_dask_case(args.case, df, str(dest))
            else:  # local: counterpoise on one machine
                run_local_case(args.case, data, dest)
            walls.append(time.perf_counter() - start)
        if args.engine == "spark":
            spark.stop()
        elif args.engine == "dask":
            client.close()
            cluster.close()
    wall = walls[0]
    from counterpoise._distributed import _join

    rows_out, bytes_out = written(dest)
    if not args.keep:
        shutil.rmtree(dest, ignore_errors=True)
    line = {
        "engine": args.engine,
        "case": args.case,
        "rows_in": n_rows,
        "rows_out": rows_out,
        "gb_out": round(bytes_out / 1e9, 2),
        "wall_s": round(wall, 3),
        "setup_s": round(setup, 3),
        "rows_per_s": round(n_rows / wall) if n_rows else None,
        "peak_rss_mib": round(mem.peak / 2**20),
        # halo copies of the k-NN joins the case ran (cleaning rules)
        "halo_per_row": [round(h / n_rows, 4) for h in _join.HALOS],
    }
    if len(walls) > 1:  # the runs after the first, in the same session
        line["walls_s"] = [round(w, 3) for w in walls]
    print(json.dumps(line))


def written(dest):
    """Rows and bytes of the Parquet files under ``dest`` (from their footers)."""
    import pyarrow.parquet as pq

    rows = size = 0
    for f in Path(dest).rglob("*.parquet"):
        rows += pq.ParquetFile(f).metadata.num_rows
        size += f.stat().st_size
    return rows, size


def run_spark_case(case, spark, df, dest):
    from counterpoise.spark import fit_resample

    if case in (
        "under",
        "smote",
        "smote-join",
        "adasyn",
        "adasyn-join",
        "enn",
        "tomek",
        "oss",
    ):
        out = fit_resample(
            make_sampler(case), df, label="label", features=features_of(df.columns)
        )
        out.write.mode("overwrite").parquet(dest)
    elif case == "copy":
        # the floor of any Spark job of this shape: read, a Python step over
        # every row that returns it unchanged, write
        def same(batches):
            yield from batches

        df.mapInArrow(same, df.schema).write.mode("overwrite").parquet(dest)
    elif case == "sampleby":
        counts = {r["label"]: r["count"] for r in df.groupBy("label").count().collect()}
        frac = {0: counts[1] / counts[0], 1: 1.0}
        out = df.sampleBy("label", frac, seed=0)
        out.write.mode("overwrite").parquet(dest)
    elif case == "collect-imblearn":
        import pandas as pd
        from imblearn.over_sampling import SMOTE

        pdf = df.toPandas()
        y = pdf.pop("label").to_numpy()
        X_res, y_res = SMOTE(random_state=0).fit_resample(pdf.to_numpy(), y)
        res = pd.DataFrame(X_res, columns=pdf.columns)
        res["label"] = y_res
        spark.createDataFrame(res).write.mode("overwrite").parquet(dest)
    else:
        raise ValueError(case)


def run_dask_case(case, df, dest):
    from counterpoise.dask import fit_resample

    if case == "copy":  # read, a Python step over every partition, write
        df.map_partitions(lambda pdf: pdf).to_parquet(dest, compression=None)
        return
    out = fit_resample(
        make_sampler(case), df, label="label", features=features_of(df.columns)
    )
    out.to_parquet(dest, compression=None)


def run_local_case(case, data, dest):
    import pandas as pd
    import pyarrow as pa
    import pyarrow.parquet as pq

    def write(frame):
        dest.mkdir(parents=True, exist_ok=True)
        pq.write_table(
            pa.Table.from_pandas(frame), dest / "part-0.parquet", compression="none"
        )

    pdf = pd.read_parquet(data)
    if case == "copy":  # read and write, nothing else
        write(pdf)
        return
    y = pdf.pop("label").to_numpy()
    ids = pdf.pop("id").to_numpy() if "id" in pdf.columns else None
    sampler = make_sampler(case)
    X_res, y_res = sampler.fit_resample(pdf.to_numpy(), y)
    out = pd.DataFrame(X_res, columns=pdf.columns)
    out["label"] = y_res
    if ids is not None and hasattr(sampler, "sample_indices_"):
        out.insert(0, "id", ids[sampler.sample_indices_])
    write(out)


def measure(engine, case, args):
    cmd = [
        sys.executable,
        __file__,
        "one",
        "--engine",
        engine,
        "--case",
        case,
        "--data",
        args.data,
        "--work",
        args.work,
    ] + (["--keep"] if args.keep else [])
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=args.timeout)
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("{")]
    if proc.returncode or not lines:
        print(proc.stderr[-3000:], file=sys.stderr)
        return {"engine": engine, "case": case, "error": proc.returncode}
    result = json.loads(lines[-1])
    print(json.dumps(result))
    return result


def record(kind, args, results):
    path = Path(args.results)
    path.parent.mkdir(parents=True, exist_ok=True)
    entry = {
        "kind": kind,
        "when": time.strftime("%Y-%m-%d %H:%M:%S"),
        "data": args.data,
        "load_avg_before": os.getloadavg(),
        "pyspark_memory": os.environ.get(PYSPARK_MEMORY, "1g"),
        "driver_memory": os.environ.get(DRIVER_MEMORY, "2g"),
        "dask_worker_memory": os.environ.get(DASK_MEMORY, "2GB"),
        "dask_split_row_groups": bool(os.environ.get(DASK_SPLIT)),
        "results": results,
    }
    with path.open("a") as fh:
        fh.write(json.dumps(entry) + "\n")


def scale(args):
    results = [
        measure(engine, case, args) for engine in args.engines for case in args.cases
    ]
    record("scale", args, results)


def compare(args):
    results = [
        measure("spark", "sampleby", args),
        measure("spark", "under", args),
        measure("spark", "collect-imblearn", args),
        measure("spark", "smote", args),
        measure("local", "under", args),
        measure("local", "smote", args),
    ]
    by = {(r["engine"], r["case"]): r for r in results}

    def ratio(a, b):
        try:
            return round(by[a]["wall_s"] / by[b]["wall_s"], 2)
        except (KeyError, TypeError):
            return None

    summary = {
        "under / sampleBy time (target <= 1.5)": ratio(
            ("spark", "under"), ("spark", "sampleby")
        ),
        "smote / collect-imblearn time (target < 1)": ratio(
            ("spark", "smote"), ("spark", "collect-imblearn")
        ),
        "spark smote rows/s over local (target >= 0.3)": ratio(
            ("local", "smote"), ("spark", "smote")
        ),
        "spark under rows/s over local (target >= 0.3)": ratio(
            ("local", "under"), ("spark", "under")
        ),
    }
    print(json.dumps(summary, indent=1))
    record("compare", args, results + [summary])


TASK_MEMORY = """
import resource, sys
limit = int(float(sys.argv[3]) * 2**30)
resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
import pickle
# what a Spark Python worker running an Arrow UDF has imported
import pandas, pyarrow, pyspark.worker, pyspark.sql.pandas.serializers
import numpy as np
from counterpoise._distributed import _plan
n, d = int(sys.argv[1]), int(sys.argv[2])
X = np.random.default_rng(0).standard_t(3, (n, d)) * np.logspace(0, 3, d)
m = np.full(n, 99)
# the neighbour table comes from the driver; its values do not change the task's work
table = np.random.default_rng(1).integers(0, n, (n, 5)).astype(np.int32)
batch = {"label": 1, "code": 1, "X": X, "keys": np.arange(n, dtype=np.int64),
         "bases": np.arange(n), "m": m, "table": table, "pool": X}
shared = pickle.loads(pickle.dumps(
    {"batches": [batch], "tasks": [(0, r) for r in _plan._tasks(m)]}, protocol=5))
del batch, X
gen = _plan._generator(0, shared["batches"])
rows = sum(part[1].shape[0] for i in range(3) for part in gen(i, shared))
status = open("/proc/self/status").read()
print("ok", rows, "rows; VmPeak", status.split("VmPeak:")[1].split()[0], "kB")
"""


def task_memory(args):
    """One SMOTE generation task (a class of --rows x --cols broadcast to it, three
    tasks of new rows) in a child whose address space is capped as Spark's
    ``spark.executor.pyspark.memory`` caps a Python worker's (RLIMIT_AS)."""
    proc = subprocess.run(
        [
            sys.executable,
            "-c",
            TASK_MEMORY,
            str(args.rows),
            str(args.cols),
            str(args.limit_gb),
        ],
        capture_output=True,
        text=True,
    )
    out = (proc.stdout + proc.stderr).strip().splitlines()
    print(
        f"limit {args.limit_gb} GiB, class {args.rows} x {args.cols}: "
        f"rc {proc.returncode}: {out[0] if out else ''}"
    )


def join_bench(args):
    """The k-NN join on one engine with ``--partitions`` partitions: time, peak
    memory, halo copies, and its lists against the local engine's."""
    import numpy as np
    import pandas as pd
    from counterpoise import _core
    from counterpoise._distributed import _join

    pdf = pd.read_parquet(args.data).sort_values("id")
    features = features_of(pdf.columns)
    X = np.ascontiguousarray(pdf[features].to_numpy())
    ids = pdf["id"].to_numpy()
    del pdf
    start = time.perf_counter()
    dist, idx = _core.kneighbors(X, X, args.k + 1)
    local_s = time.perf_counter() - start
    del X
    with PeakMemory() as mem:
        start = time.perf_counter()
        if args.engine == "spark":
            from counterpoise.spark import _SparkFrame

            spark = spark_session()
            df = spark.read.parquet(args.data).repartition(args.partitions)
            frame = _SparkFrame(df.persist())
            df.count()
        else:
            import dask.dataframe as dd
            from counterpoise.dask import _DaskFrame

            client, cluster = dask_client()
            df = dd.read_parquet(args.data).repartition(npartitions=args.partitions)
            frame = _DaskFrame(df.persist())
        setup = time.perf_counter() - start
        start = time.perf_counter()
        rows, n_rows, k = _join.setup(frame, args.k, features, "id")

        def result(keys, codes, D, NK, NC):
            return keys, NK, D

        handle, n_cells = _join.join(frame, rows, n_rows, k, result)
        parts, n_halo = _join.finish(frame, handle, k, result)
        wall = time.perf_counter() - start
        if args.engine == "spark":
            spark.stop()
        else:
            client.close()
            cluster.close()
    keys = np.concatenate([p[0] for p in parts])
    order = np.argsort(keys)
    NK = np.concatenate([p[1] for p in parts])[order]
    D = np.concatenate([p[2] for p in parts])[order]
    truth = ids[idx[:, 1:]]
    same = np.all(NK == truth, axis=1)
    result = {
        "engine": args.engine,
        "case": "join",
        "rows": int(n_rows),
        "cols": len(features),
        "k": k,
        "partitions": args.partitions,
        "cells": n_cells,
        "wall_s": round(wall, 3),
        "setup_s": round(setup, 3),
        "local_kneighbors_s": round(local_s, 3),
        "halo_per_row": round(n_halo / n_rows, 4),
        "rows_moved_per_row": round(2 + n_halo / n_rows, 4),
        "identical_lists": int(same.sum()),
        "all_identical": bool(same.all() and np.array_equal(keys[order], ids)),
        "max_rel_distance_diff": float(
            np.max(np.abs(D - dist[:, 1:]) / np.maximum(dist[:, 1:], 1e-300))
        ),
        "peak_rss_mib": round(mem.peak / 2**20),
    }
    print(json.dumps(result))
    record("join", args, [result])


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    g = sub.add_parser("generate")
    g.add_argument("--rows", type=int, default=2_000_000)
    g.add_argument("--cols", type=int, default=30)
    g.add_argument("--minority", type=float, default=0.01)
    g.add_argument("--rows-per-file", type=int, default=1_000_000)
    g.add_argument("--seed", type=int, default=0)
    g.add_argument(
        "--kind",
        choices=["t", "clusters"],
        default="t",
        help="t: Student-t columns (part 1's data); clusters: the join's data "
        "(clustered, low intrinsic dimension, an id column)",
    )
    g.add_argument("--latent", type=int, default=8, help="clusters: latent dims")
    g.add_argument("--out", required=True)
    t = sub.add_parser("task-memory")
    t.add_argument("--rows", type=int, default=500_000)
    t.add_argument("--cols", type=int, default=30)
    t.add_argument("--limit-gb", type=float, default=1.0)
    for name in ("scale", "compare", "one"):
        p = sub.add_parser(name)
        p.add_argument("--data", required=True)
        p.add_argument("--work", required=True)
        p.add_argument("--timeout", type=int, default=7200)
        p.add_argument(
            "--keep", action="store_true", help="keep the output (default: delete)"
        )
        p.add_argument("--results", default=str(RESULTS), help="JSON lines file")
        if name == "scale":
            p.add_argument("--engines", nargs="+", default=["spark", "dask"])
            p.add_argument("--cases", nargs="+", default=["under", "smote"])
        if name == "one":
            p.add_argument("--engine", required=True)
            p.add_argument("--case", required=True)
            p.add_argument(
                "--repeat",
                type=int,
                default=1,
                help="run the case this many times in one session (the first "
                "pays the session's warm-up); each run's wall in walls_s",
            )
    j = sub.add_parser("join")
    j.add_argument("--data", required=True)
    j.add_argument("--engine", choices=["spark", "dask"], required=True)
    j.add_argument("--partitions", type=int, default=8)
    j.add_argument("--k", type=int, default=5)
    j.add_argument("--results", default=str(RESULTS), help="JSON lines file")
    args = parser.parse_args()
    {
        "join": join_bench,
        "generate": generate,
        "scale": scale,
        "compare": compare,
        "one": one,
        "task-memory": task_memory,
    }[args.command](args)


if __name__ == "__main__":
    main()
