"""What the per-fold scores of :func:`compare` add up to: the mean and spread of
every metric per strategy, and every strategy against the baseline fold by fold
(the difference, folds won and lost, a paired t-test)."""

from __future__ import annotations

import numpy as np

#: the metrics scored on every held-out fold, in the order tables show them
METRICS = (
    "pr_auc",
    "roc_auc",
    "f1",
    "precision",
    "recall",
    "mcc",
    "balanced_accuracy",
    "g_mean",
)

#: a metric's name in tables and plots
LABELS = {
    "pr_auc": "PR-AUC",
    "roc_auc": "ROC-AUC",
    "f1": "F1",
    "precision": "precision",
    "recall": "recall",
    "mcc": "MCC",
    "balanced_accuracy": "bal. acc.",
    "g_mean": "G-mean",
    "fit_time": "fit s",
}


def summary_rows(scores, strategies, metrics):
    """One row per strategy: mean and standard deviation (ddof=1) over the folds
    of every metric and of ``fit_time``."""
    rows = []
    for s in strategies:
        row = {"strategy": s}
        for m in (*metrics, "fit_time"):
            v = np.asarray(scores[s][m], dtype=float)
            row[m] = float(np.mean(v))
            row[f"{m}_std"] = float(np.std(v, ddof=1)) if v.size > 1 else 0.0
        rows.append(row)
    return rows


def paired(scores, strategies, metrics, baseline):
    """Each strategy against ``baseline`` on the same folds, one row per
    (strategy, metric): mean and std of the differences, folds won and lost, and
    the paired t-test p-value (1.0 where the two agree on every fold)."""
    from scipy.stats import ttest_rel

    if baseline not in scores:
        raise ValueError(f"no strategy named {baseline!r} ran.")
    out = []
    for s in strategies:
        if s == baseline:
            continue
        for m in metrics:
            a = np.asarray(scores[s][m], dtype=float)
            b = np.asarray(scores[baseline][m], dtype=float)
            diff = a - b
            # equal up to rounding (average precision of a perfect ranking can
            # come out as 1 - 2.2e-16) is a tie, neither won nor lost
            tied = np.abs(diff) <= 1e-12
            if np.allclose(diff, 0):
                p = 1.0
            else:
                p = float(ttest_rel(a, b).pvalue)
            out.append(
                {
                    "strategy": s,
                    "metric": m,
                    "mean_diff": float(diff.mean()),
                    "std_diff": float(diff.std(ddof=1)) if diff.size > 1 else 0.0,
                    "wins": int((diff > 0)[~tied].sum()),
                    "losses": int((diff < 0)[~tied].sum()),
                    "p_value": p,
                }
            )
    return out


def best(rows, metric):
    """The strategy of ``rows`` (from :func:`summary_rows`) with the highest mean
    ``metric``; the first one on a tie."""
    return max(rows, key=lambda r: r[metric])["strategy"]


#: the selection rules of :func:`select`
RULES = ("one_se", "best")

#: the paired t-test p-value under which a strategy is called distinguishable
#: from the plain model
ALPHA = 0.05


def select(names, fold_scores, rule="one_se"):
    """Choose one strategy from its per-fold scores.

    ``fold_scores`` has one row per strategy of ``names`` and one column per fold
    (a row holding NaN marks a strategy that failed: it is never chosen). The
    best mean is the highest mean score; its standard error is the standard
    deviation of its fold scores (ddof=0, scikit-learn's ``std_test_score``)
    over the square root of the number of folds. ``rule='one_se'`` takes the
    simplest strategy (:func:`._strategies.simplicity`) whose mean is at least
    the best mean minus that standard error; ``rule='best'`` takes the simplest
    of those tied at the best mean. Returns a dict: ``index`` (the choice),
    ``best_index`` (the best mean, the simplest on a tie), ``threshold`` (the
    lowest mean the rule accepts), ``mean``, ``std``, ``se`` (arrays),
    ``within_one_se`` (boolean array), ``simplicity`` (ranks) and ``rule``.
    """
    from ._strategies import simplicity

    if rule not in RULES:
        raise ValueError(f"selection={rule!r}: use one of {list(RULES)}.")
    scores = np.asarray(fold_scores, dtype=float)
    if scores.ndim != 2 or scores.shape[0] != len(names) or scores.shape[1] < 1:
        raise ValueError("fold_scores must be (n_strategies, n_folds).")
    k = scores.shape[1]
    mean = scores.mean(axis=1)
    std = scores.std(axis=1)
    se = std / np.sqrt(k)
    valid = ~np.isnan(mean)
    if not valid.any():
        raise ValueError("every strategy failed; nothing to choose from.")
    ranks = simplicity(names)
    candidates = np.flatnonzero(valid)
    top = max(candidates, key=lambda i: (mean[i], -ranks[i]))
    # a hair of tolerance so a strategy equal to the best up to rounding is tied
    tol = 1e-12 * max(1.0, abs(mean[top]))
    within = valid & (mean >= mean[top] - se[top] - tol)
    if rule == "one_se":
        threshold = mean[top] - se[top]
        eligible = within
    else:
        threshold = mean[top]
        eligible = valid & (mean >= mean[top] - tol)
    chosen = min(np.flatnonzero(eligible), key=lambda i: ranks[i])
    return {
        "index": int(chosen),
        "best_index": int(top),
        "threshold": float(threshold),
        "mean": mean,
        "std": std,
        "se": se,
        "within_one_se": within,
        "simplicity": ranks,
        "rule": rule,
    }


def rule_text(rule, metric_label) -> str:
    """The selection rule in words, e.g. for a table's closing line."""
    if rule == "one_se":
        return (
            f"one-SE rule on {metric_label}: the simplest strategy whose mean is "
            "within one standard error of the best mean"
        )
    return f"best mean {metric_label}"
