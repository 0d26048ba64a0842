"""The exact k-NN engine against scikit-learn on data shaped like real tables (#16).

`counterpoise._core.kneighbors(X, X, k)` (the self-query every sampler runs, with
the engine's automatic choice of path) against
`NearestNeighbors(n_neighbors=k).fit(X).kneighbors(X)` (scikit-learn's own choice),
alternating the two, best of --repeat runs each (one run when a call takes longer
than a second), on the shapes of ``real_data.py`` and on KEEL datasets.

    python benches/knn_shapes.py
    python benches/knn_shapes.py --shape heavy_tailed --d 10 32 --keel page-blocks0

The ratio is scikit-learn's time over ours (above 1: we are faster); the geometric
mean and the worst case are printed at the end and the rows appended to
benches/results/knn_shapes.json.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench  # noqa: E402
from real_data import SHAPES, load_keel, make_shape  # noqa: E402


def _timed(fn, *args):
    t = time.perf_counter()
    fn(*args)
    return time.perf_counter() - t


def time_pair(X, k, repeat):
    from counterpoise import _core
    from sklearn.neighbors import NearestNeighbors

    def ours():
        return _timed(_core.kneighbors, X, X, k)

    def theirs():
        nn = NearestNeighbors(n_neighbors=k)
        return _timed(lambda: nn.fit(X).kneighbors(X))

    a, b = [ours()], [theirs()]
    runs = repeat if max(a[0], b[0]) < 1.0 else 1
    for _ in range(runs - 1):
        a.append(ours())
        b.append(theirs())
    return min(a), min(b)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--shape", nargs="*", default=sorted(SHAPES), choices=sorted(SHAPES))
    p.add_argument("--n", type=int, default=20000)
    p.add_argument("--d", nargs="+", type=int, default=[4, 10, 16, 32, 64])
    p.add_argument("--keel", nargs="*", default=["page-blocks0"])
    p.add_argument("--k", type=int, default=6)
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--label", default="", help="stored with the rows (e.g. before)")
    args = p.parse_args(argv)

    cases = [
        (f"{shape} {args.n:,}x{d}", make_shape(shape, args.n, d, 0.1)[0])
        for shape in args.shape
        for d in args.d
    ]
    for name in args.keel:
        X = load_keel(name)[0]
        cases.append((f"KEEL {name} {X.shape[0]:,}x{X.shape[1]}", X))

    rows = []
    print("| data | counterpoise (s) | scikit-learn (s) | ratio |")
    print("|---|---|---|---|")
    for label, X in cases:
        ours, theirs = time_pair(np.ascontiguousarray(X), args.k, args.repeat)
        rows.append(
            {"case": label, "counterpoise_s": ours, "sklearn_s": theirs, "k": args.k}
        )
        print(
            f"| {label} | {ours:.3f} | {theirs:.3f} | {theirs / ours:.2f}x |",
            flush=True,
        )
    ratios = [r["sklearn_s"] / r["counterpoise_s"] for r in rows]
    if ratios:
        geo = math.exp(sum(math.log(r) for r in ratios) / len(ratios))
        worst = min(range(len(rows)), key=lambda i: ratios[i])
        print(f"geometric mean {geo:.2f}x; worst {ratios[worst]:.2f}x", end=" ")
        print(f"({rows[worst]['case']})")
    bench.save("knn_shapes", rows, label=args.label)


if __name__ == "__main__":
    main()
