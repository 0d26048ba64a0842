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
                    "wins": int((diff > 0).sum()),
                    "losses": int((diff < 0).sum()),
                    "p_value": p,
                }
            )
    return out


def best(rows, metric):
    """The strategy of ``rows`` (from :func:`summary_rows`) with the highest mean
    ``metric``; the first one on a tie."""
    return max(rows, key=lambda r: r[metric])["strategy"]
