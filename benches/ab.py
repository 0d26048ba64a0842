"""Two builds of counterpoise timed against each other, alternately, in one run.

A refactor must keep the speed; a change that claims a gain must show it against
the build before it on the same machine at the same minute. Each build is a
folder holding an importable ``counterpoise`` package with its compiled ``_core``
(for example ``git archive OLD python | tar -x -C /tmp/old`` plus the ``.so`` from
that commit's wheel). Every timing runs in a fresh process (data built, then one
call timed), builds alternate, and the median of ``--repeat`` runs is printed with
the ratio old / new (> 1: the new build is faster).

    python benches/ab.py --old /tmp/old/python --new /tmp/new/python --repeat 5
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys

CASES = {
    "SMOTE 1M x 32 x 1%": ("over_sampling", "SMOTE", 1_000_000, 32, 0.01),
    "RandomOverSampler 1M x 32 x 1%": (
        "over_sampling",
        "RandomOverSampler",
        1_000_000,
        32,
        0.01,
    ),
    "BorderlineSMOTE 100k x 10 x 10%": (
        "over_sampling",
        "BorderlineSMOTE",
        100_000,
        10,
        0.1,
    ),
    "ADASYN 100k x 10 x 10%": ("over_sampling", "ADASYN", 100_000, 10, 0.1),
    "SVMSMOTE 10k x 10 x 10%": ("over_sampling", "SVMSMOTE", 10_000, 10, 0.1),
    "EditedNearestNeighbours 50k x 10 x 10%": (
        "under_sampling",
        "EditedNearestNeighbours",
        50_000,
        10,
        0.1,
    ),
    "TomekLinks 50k x 32 x 10%": ("under_sampling", "TomekLinks", 50_000, 32, 0.1),
    "kneighbors self 100k x 2, k=6": ("knn", None, 100_000, 2, None),
    "kneighbors self 20k x 32, k=6": ("knn", None, 20_000, 32, None),
}

CHILD = """
import sys, time
import numpy as np
sys.path.insert(0, {path!r})
import counterpoise
module, name, n, d, minority = {case!r}
rng = np.random.default_rng(0)
X = rng.standard_normal((n, d))
if module == "knn":
    from counterpoise import _core
    t = time.perf_counter(); _core.kneighbors(X, X, 6)
else:
    y = (rng.random(n) < minority).astype(np.int64)
    X[y == 1] += 0.75
    mod = __import__("counterpoise." + module, fromlist=[name])
    s = getattr(mod, name)(random_state=0) if hasattr(
        getattr(mod, name)(), "random_state") else getattr(mod, name)()
    t = time.perf_counter(); s.fit_resample(X, y)
print(time.perf_counter() - t)
"""


def run(path, case):
    code = CHILD.format(path=path, case=case)
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    return float(out.stdout.strip().splitlines()[-1])


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--old", required=True, help="folder holding the old counterpoise")
    p.add_argument("--new", required=True, help="folder holding the new counterpoise")
    p.add_argument("--repeat", type=int, default=5)
    p.add_argument("--case", nargs="*", default=list(CASES))
    args = p.parse_args(argv)
    print("| case | old (s) | new (s) | old / new |")
    print("|---|---|---|---|")
    for label in args.case:
        times = {"old": [], "new": []}
        for _ in range(args.repeat):
            for which in ("old", "new"):
                times[which].append(run(getattr(args, which), CASES[label]))
        old, new = statistics.median(times["old"]), statistics.median(times["new"])
        print(f"| {label} | {old:.3f} | {new:.3f} | {old / new:.2f} |", flush=True)


if __name__ == "__main__":
    main()
