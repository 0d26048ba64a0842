"""How the Rust core scales with cores: each workload timed at RAYON_NUM_THREADS=t.

Every (workload, t) pair runs in a fresh child process with RAYON_NUM_THREADS set
(the pool is private per call and reads the variable then), median of --repeat runs
after one warm-up. imblearn's time for the same workload is taken once in a child
with its defaults, for reference.

    python benches/scaling.py --threads 1 2 4 8 16
Results are appended to benches/results/scaling.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

RESULTS = Path(__file__).parent / "results"

# name -> (n, d, minority, module, class, kwargs); the reference (sklearn's
# NearestNeighbors for the k-NN rows, imblearn otherwise) is timed for REFERENCED only:
# imblearn's ENN at 200k x 10 alone takes about 8 minutes.
WORKLOADS = {
    "knn-brute 100k x 32 (k=6, self)": (100_000, 32, None, None, None, {}),
    "knn-kdtree 400k x 3 (k=6, self)": (400_000, 3, None, None, None, {}),
    "SMOTE 1M x 32, 1%": (1_000_000, 32, 0.01, "over_sampling", "SMOTE", {}),
    "ADASYN 1M x 10, 1%": (1_000_000, 10, 0.01, "over_sampling", "ADASYN", {}),
    "ENN 200k x 10, 10%": (
        200_000,
        10,
        0.1,
        "under_sampling",
        "EditedNearestNeighbours",
        {},
    ),
    "TomekLinks 100k x 32, 10%": (
        100_000,
        32,
        0.1,
        "under_sampling",
        "TomekLinks",
        {},
    ),
}
REFERENCED = {"knn-brute", "knn-kdtree", "SMOTE", "ADASYN"}
CHILD = r"""
import json, statistics, sys, time
import numpy as np
name, lib, repeat = sys.argv[1], sys.argv[2], int(sys.argv[3])
n, d, minority, module, cls, kw = json.loads(sys.argv[4])
rng = np.random.default_rng(0)
X = rng.standard_normal((n, d))
if minority is None:
    from counterpoise import _core
    algo = "kd_tree" if d <= 8 else "brute"
    run = lambda: _core.kneighbors(X, X, 6, algo)
    if lib == "imblearn":
        from sklearn.neighbors import NearestNeighbors
        nn = NearestNeighbors(n_neighbors=6, algorithm=algo).fit(X)
        run = lambda: nn.kneighbors(X)
else:
    y = (rng.random(n) < minority).astype(np.int64)
    X[y == 1] += 0.75
    mod = __import__(f"{lib}.{module}", fromlist=[cls])
    kw = dict(kw)
    if cls in ("SMOTE", "ADASYN"):
        kw["random_state"] = 0
    run = lambda: getattr(mod, cls)(**kw).fit_resample(X, y)
times = []
for i in range(repeat + (1 if lib == "counterpoise" else 0)):
    t0 = time.perf_counter(); run(); times.append(time.perf_counter() - t0)
if lib == "counterpoise":
    times = times[1:]
print(json.dumps(statistics.median(times)))
"""


def child(name, lib, repeat, threads=None):
    env = dict(os.environ)
    if threads is not None:
        env["RAYON_NUM_THREADS"] = str(threads)
    spec = json.dumps(WORKLOADS[name])
    out = subprocess.run(
        [sys.executable, "-c", CHILD, name, lib, str(repeat), spec],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--threads", type=int, nargs="+", default=[1, 2, 4, 8, 16])
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--only", nargs="*", help="workload names containing these words")
    p.add_argument("--skip-imblearn", action="store_true")
    args = p.parse_args()
    names = [w for w in WORKLOADS if not args.only or any(o in w for o in args.only)]
    rows = []
    for name in names:
        ref = None
        if not args.skip_imblearn and name.split()[0] in REFERENCED:
            ref = child(name, "imblearn", 1)
        row = {"workload": name, "imblearn_s": ref, "seconds": {}}
        for t in args.threads:
            row["seconds"][t] = child(name, "counterpoise", args.repeat, t)
        base = row["seconds"][args.threads[0]]
        cells = [
            f"t={t}: {s:.3f}s ({base / s:.1f}x)" for t, s in row["seconds"].items()
        ]
        ref_txt = f"reference {ref:.2f}s | " if ref is not None else ""
        print(f"{name:34s} {ref_txt}" + " | ".join(cells), flush=True)
        rows.append(row)
    RESULTS.mkdir(exist_ok=True)
    record = {
        "when": time.strftime("%Y-%m-%d %H:%M:%S"),
        "machine": platform.processor() or platform.machine(),
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "rows": rows,
    }
    with open(RESULTS / "scaling.json", "a") as f:
        f.write(json.dumps(record) + "\n")
    print(json.dumps(record))


if __name__ == "__main__":
    main()
