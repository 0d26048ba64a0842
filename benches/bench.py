"""counterpoise vs imbalanced-learn 0.14.2, timed in one run.

For every case the two libraries run alternately (median of --repeat runs each, same
data, same seed) and the ratio imblearn/counterpoise is printed; peak memory is the
high-water RSS increase of a fresh child process running the sampler once. The k-NN
kernel is timed against sklearn's NearestNeighbors and reported as pairs per second
and as a fraction of the machine's float64 GEMM rate (2*d flops per pair over a
numpy matmul's measured FLOP/s). A brute-force self-query uses each pair's dot
product for both rows, so for brute rows the kernel's rate is also measured one way,
with a copy of X as the queries.

    python benches/bench.py samplers --n 100000 1000000 --d 10 32 --minority 0.01 0.1
    python benches/bench.py variants --n 100000 1000000 --budget 120
    python benches/bench.py knn
Results are appended to benches/results/*.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

RESULTS = Path(__file__).parent / "results"
SAMPLERS = {
    "SMOTE": ("over_sampling", "SMOTE"),
    "BorderlineSMOTE": ("over_sampling", "BorderlineSMOTE"),
    "SVMSMOTE": ("over_sampling", "SVMSMOTE"),
    "ADASYN": ("over_sampling", "ADASYN"),
    "KMeansSMOTE": ("over_sampling", "KMeansSMOTE"),
    "SMOTENC": ("over_sampling", "SMOTENC"),
    "SMOTEN": ("over_sampling", "SMOTEN"),
    "RandomOverSampler": ("over_sampling", "RandomOverSampler"),
    "RandomUnderSampler": ("under_sampling", "RandomUnderSampler"),
}
CLEANING = {
    name: ("under_sampling", name)
    for name in (
        "EditedNearestNeighbours",
        "RepeatedEditedNearestNeighbours",
        "AllKNN",
        "TomekLinks",
        "NeighbourhoodCleaningRule",
        "NearMiss",
        "OneSidedSelection",
        "CondensedNearestNeighbour",
        "InstanceHardnessThreshold",
        "ClusterCentroids",
    )
}
LIBS = ("imblearn", "counterpoise")
CLEANING.update(
    {"SMOTEENN": ("combine", "SMOTEENN"), "SMOTETomek": ("combine", "SMOTETomek")}
)
SEEDED = {
    "OneSidedSelection",
    "CondensedNearestNeighbour",
    "InstanceHardnessThreshold",
    "ClusterCentroids",
    "SMOTEENN",
    "SMOTETomek",
}


def make_data(n, d, minority, dtype, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d))
    y = (rng.random(n) < minority).astype(np.int64)
    X[y == 1] += 0.75
    return X.astype(dtype, copy=False), y


VARIANTS = [
    "BorderlineSMOTE",
    "ADASYN",
    "SVMSMOTE",
    "KMeansSMOTE",
    "SMOTENC",
    "SMOTEN",
]
N_CATEGORICAL = 2  # SMOTENC: the last two columns hold 5 categories each


def data_for(name, n, d, minority, dtype="float64", seed=0):
    """make_data, with categorical columns for SMOTENC (the last two: integer
    codes 0-4) and SMOTEN (every column: codes 0-5, class-dependent)."""
    X, y = make_data(n, d, minority, "float64", seed)
    rng = np.random.default_rng(seed + 1)
    if name == "SMOTENC":
        X[:, -N_CATEGORICAL:] = (
            rng.integers(0, 5, (n, N_CATEGORICAL)) + y[:, None]
        ) % 5
    elif name == "SMOTEN":
        X = (rng.integers(0, 6, (n, d)) + y[:, None] * (rng.random((n, d)) < 0.3)) % 6
        return X.astype(np.int64), y
    return X.astype(dtype, copy=False), y


def sampler(lib, name, d=None):
    module, cls = {**SAMPLERS, **CLEANING}[name]
    mod = __import__(f"{lib}.{module}", fromlist=[cls])
    if name == "SMOTENC":
        cat = list(range(d - N_CATEGORICAL, d))
        return getattr(mod, cls)(categorical_features=cat, random_state=0)
    if name == "KMeansSMOTE":
        # imblearn's 'auto' threshold keeps only clusters that are at least half
        # minority: none exist on this data, so both libraries would refuse.
        return getattr(mod, cls)(cluster_balance_threshold=0.0, random_state=0)
    if name in SAMPLERS or name in SEEDED:
        return getattr(mod, cls)(random_state=0)
    return getattr(mod, cls)()


def time_in_child(lib, name, X, y, budget):
    """Seconds for one fit_resample in a forked child, or None past ``budget``."""
    import multiprocessing

    ctx = multiprocessing.get_context("fork")
    recv, send = ctx.Pipe(duplex=False)

    def run():
        send.send(time_once(lib, name, X, y))

    child = ctx.Process(target=run)
    child.start()
    deadline = time.monotonic() + budget
    while not recv.poll(0.2):
        if not child.is_alive() and not recv.poll(0):  # it raised: no timing
            child.join()
            return "error"
        if time.monotonic() > deadline:
            break
    if recv.poll(0):
        elapsed = recv.recv()
        child.join(10)
        if child.is_alive():  # finished its work but did not exit: not our timing
            child.kill()
            child.join()
        return elapsed
    child.kill()
    child.join()
    return None


def bench_cleaning(args, kind="cleaning", all_names=tuple(CLEANING)):
    """Samplers timed in forked children under a time budget (--budget s):
    `cleaning` (cleaning/prototype samplers) and `variants` (the SMOTE family)."""
    rows = []
    default = ["SMOTE", "RandomOverSampler", "RandomUnderSampler"]
    names = args.sampler if args.sampler != default else list(all_names)
    for n in args.n:
        for d in args.d:
            for minority in args.minority:
                for name in names:
                    X, y = data_for(name, n, d, minority)
                    row = {"sampler": name, "n": n, "d": d, "minority": minority}
                    libs = ("counterpoise",) if args.skip_imblearn else LIBS
                    row["imblearn_s"] = None
                    for lib in libs:
                        times = []
                        for _ in range(args.repeat if lib == "counterpoise" else 1):
                            times.append(time_in_child(lib, name, X, y, args.budget))
                            if times[-1] is None or times[-1] == "error":
                                break
                        row[f"{lib}_s"] = (
                            "error"
                            if "error" in times
                            else None
                            if None in times
                            else statistics.median(times)
                        )
                    a, b = row["imblearn_s"], row["counterpoise_s"]
                    ok = not isinstance(a, str) and not isinstance(b, str)
                    row["speedup"] = a / b if a and b and ok else None
                    mem = ""
                    if args.memory:  # ours only: imblearn's may not finish
                        row["counterpoise_peak_mib"] = peak_memory(
                            "counterpoise", name, n, d, minority, "float64"
                        )
                        mem = f" | {row['counterpoise_peak_mib']:.0f} MiB"
                    rows.append(row)

                    def fmt(v, ran=True):
                        if not ran:
                            return "not run"
                        if v == "error":
                            return "raised"
                        return f"> {args.budget:.0f}" if v is None else f"{v:.2f}"

                    ratio = (
                        f"{row['speedup']:.1f}x"
                        if row["speedup"]
                        else (
                            f"> {args.budget / b:.0f}x"
                            if b and ok and a is None
                            else "-"
                        )
                    )
                    if args.skip_imblearn:
                        ratio = "-"
                    print(
                        f"| {name} | {n:,} | {d} | {minority:.0%} "
                        f"| {fmt(a, not args.skip_imblearn)} "
                        f"| {fmt(b)} | {ratio}{mem} |",
                        flush=True,
                    )
    save(kind, rows, budget_s=args.budget)


def time_once(lib, name, X, y):
    s = sampler(lib, name, X.shape[1])
    t = time.perf_counter()
    out = s.fit_resample(X, y)
    elapsed = time.perf_counter() - t
    del out
    return elapsed


def vm_hwm_mib():
    """The process's peak resident memory (VmHWM), MiB. Unlike ru_maxrss it starts
    afresh at exec, so a child's figure does not include its parent's."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def peak_memory(lib, name, n, d, minority, dtype):
    """Peak resident memory increase (MiB) of one fit_resample in a fresh process
    that has already imported the library and built the data."""
    here = str(Path(__file__).resolve().parent)
    code = (
        f"import sys; sys.path.insert(0,{here!r}); import bench; "
        f"X,y=bench.data_for({name!r},{n},{d},{minority!r},{dtype!r}); "
        f"bench.sampler({lib!r},{name!r},{d}); "
        "b=bench.vm_hwm_mib(); "
        f"bench.time_once({lib!r},{name!r},X,y); "
        "print(bench.vm_hwm_mib()-b)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    if out.returncode != 0:
        return None
    return float(out.stdout.strip().splitlines()[-1])


def bench_samplers(args):
    rows = []
    for n in args.n:
        for d in args.d:
            for minority in args.minority:
                for dtype in args.dtype:
                    for name in args.sampler:
                        X, y = data_for(name, n, d, minority, dtype)
                        t = {"counterpoise": [], "imblearn": []}
                        for _ in range(args.repeat):
                            for lib in ("imblearn", "counterpoise"):
                                t[lib].append(time_once(lib, name, X, y))
                        row = {
                            "sampler": name,
                            "n": n,
                            "d": d,
                            "minority": minority,
                            "dtype": dtype,
                            "imblearn_s": statistics.median(t["imblearn"]),
                            "counterpoise_s": statistics.median(t["counterpoise"]),
                        }
                        row["speedup"] = row["imblearn_s"] / row["counterpoise_s"]
                        if args.memory:
                            for lib in ("imblearn", "counterpoise"):
                                row[f"{lib}_peak_mib"] = peak_memory(
                                    lib, name, n, d, minority, dtype
                                )
                        rows.append(row)
                        print(format_row(row), flush=True)
                        del X, y
    save("samplers", rows)


def format_row(r):
    mem = ""
    if "imblearn_peak_mib" in r:
        mem = " | {:.0f} | {:.0f}".format(
            r["imblearn_peak_mib"], r["counterpoise_peak_mib"]
        )
    case = f"| {r['sampler']} | {r['n']:,} | {r['d']} | {r['minority']:.0%} "
    times = f"| {r['imblearn_s']:.3f} | {r['counterpoise_s']:.3f} "
    return f"{case}| {r['dtype']} {times}| {r['speedup']:.1f}x{mem} |"


def gemm_rate(size=3000, repeat=3):
    a = np.random.default_rng(0).standard_normal((size, size))
    best = min(_timed(np.matmul, a, a) for _ in range(repeat))
    return 2 * size**3 / best


def _timed(fn, *args):
    t = time.perf_counter()
    fn(*args)
    return time.perf_counter() - t


def _sklearn_knn(nn, X):
    return nn.fit(X).kneighbors(X)


def bench_knn(args):
    from counterpoise import _core
    from sklearn.neighbors import NearestNeighbors

    rate = gemm_rate()
    print(f"numpy float64 GEMM: {rate / 1e9:.1f} GFLOP/s")
    rows = []
    cases = [(20000, 32, "brute"), (20000, 64, "brute"), (20000, 128, "brute")]
    cases += [(100000, d, "kd_tree") for d in (2, 4, 6, 8)]
    cases += [(400000, 3, "kd_tree"), (1000000, 2, "kd_tree")]
    for n, d, algo in cases:
        X = np.random.default_rng(d).standard_normal((n, d))
        k = 6
        nn = NearestNeighbors(n_neighbors=k)
        # Alternate the two, as for the samplers, so that a slow spell of the
        # machine hits both rather than one.
        times = [
            (_timed(_core.kneighbors, X, X, k, algo), _timed(_sklearn_knn, nn, X))
            for _ in range(args.repeat)
        ]
        ours = statistics.median(t[0] for t in times)
        theirs = statistics.median(t[1] for t in times)
        pairs = n * n
        # A self-query computes each pair's dot product once for both rows (brute
        # force), so the kernel's own rate is measured on a copy of X as the
        # queries: the same values, scanned one way as any other query set is.
        one_way = None
        if algo == "brute":
            Q = X.copy()
            one_way = statistics.median(
                _timed(_core.kneighbors, X, Q, k, algo) for _ in range(args.repeat)
            )
        row = {
            "n": n,
            "d": d,
            "algorithm": algo,
            "sklearn_algorithm": nn._fit_method,
            "counterpoise_s": ours,
            "sklearn_s": theirs,
            "speedup": theirs / ours,
            "pairs_per_s": pairs / ours,
            "gemm_fraction": (2 * d * pairs / ours) / rate,
            "sklearn_gemm_fraction": (2 * d * pairs / theirs) / rate,
            "one_way_s": one_way,
            "one_way_gemm_fraction": (
                (2 * d * pairs / one_way) / rate if one_way else None
            ),
        }
        rows.append(row)
        kernel = (
            f"{row['one_way_gemm_fraction']:.0%} ({one_way:.3f} s)" if one_way else "-"
        )
        print(
            f"| {n:,} x {d} | {algo} | {ours:.3f} | {theirs:.3f} ({nn._fit_method}) "
            f"| {row['speedup']:.1f}x | {row['pairs_per_s'] / 1e9:.2f} G "
            f"| {row['gemm_fraction']:.0%} | {kernel} "
            f"| {row['sklearn_gemm_fraction']:.0%} |",
            flush=True,
        )
    save("knn", rows, gemm_flops=rate)


def bench_crossover(args):
    """Where the KD-tree stops paying: both paths of the engine over d."""
    from counterpoise import _core

    rows = []
    for d in args.d:
        X = np.random.default_rng(d).standard_normal((args.n[0], d))
        kd = min(_timed(_core.kneighbors, X, X, 6, "kd_tree") for _ in range(2))
        br = min(_timed(_core.kneighbors, X, X, 6, "brute") for _ in range(2))
        rows.append({"n": args.n[0], "d": d, "kd_tree_s": kd, "brute_s": br})
        print(f"| {args.n[0]:,} | {d} | {kd:.3f} | {br:.3f} |", flush=True)
    save("crossover", rows)


def save(kind, rows, **extra):
    RESULTS.mkdir(exist_ok=True)
    meta = {
        "when": time.strftime("%Y-%m-%d %H:%M:%S"),
        "machine": platform.processor() or platform.machine(),
        "cores": os.cpu_count(),
        "threads": os.environ.get("RAYON_NUM_THREADS", "all"),
        "maxrss_unit": "MiB",
        **extra,
    }
    path = RESULTS / f"{kind}.json"
    history = json.loads(path.read_text()) if path.exists() else []
    history.append({"meta": meta, "rows": rows})
    path.write_text(json.dumps(history, indent=1))


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument(
        "what", choices=["samplers", "cleaning", "variants", "knn", "crossover"]
    )
    p.add_argument("--budget", type=float, default=60.0, help="seconds per run")
    p.add_argument("--skip-imblearn", action="store_true", help="time ours only")
    p.add_argument("--n", type=int, nargs="+", default=[100_000])
    p.add_argument("--d", type=int, nargs="+", default=[10, 32])
    p.add_argument("--minority", type=float, nargs="+", default=[0.01, 0.1])
    p.add_argument("--dtype", nargs="+", default=["float64", "float32"])
    p.add_argument(
        "--sampler",
        nargs="+",
        default=["SMOTE", "RandomOverSampler", "RandomUnderSampler"],
    )
    # (for `cleaning` and `variants`, the default runs every sampler of the kind)
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--memory", action="store_true", help="also measure peak memory")
    args = p.parse_args()
    {
        "samplers": bench_samplers,
        "cleaning": bench_cleaning,
        "variants": lambda a: bench_cleaning(a, "variants", VARIANTS),
        "knn": bench_knn,
        "crossover": bench_crossover,
    }[args.what](args)


if __name__ == "__main__":
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    main()
