"""The terminal table of a :class:`CompareResult`: mean ± std of every metric per
strategy, what was skipped, and the best PR-AUC against the baseline."""

from __future__ import annotations

from ._stats import ALPHA, LABELS, rule_text

#: the metrics of the terminal table, in its column order
TABLE_METRICS = (
    "pr_auc",
    "roc_auc",
    "f1",
    "recall",
    "precision",
    "mcc",
    "balanced_accuracy",
    "g_mean",
)


def table(result, metrics=TABLE_METRICS) -> str:
    """A plain-text table of ``result``: mean ± std over folds, fit seconds per
    fold, the skipped strategies, and a closing line on the best PR-AUC."""
    rows = result.summary_rows()
    head = ["strategy", *[LABELS[m] for m in metrics], LABELS["fit_time"]]
    body = []
    for r in rows:
        cells = [r["strategy"]]
        cells += [f"{r[m]:.3f}±{r[m + '_std']:.3f}" for m in metrics]
        cells.append(f"{r['fit_time']:.2f}")
        body.append(cells)
    widths = [max(len(h), *(len(b[i]) for b in body)) for i, h in enumerate(head)]
    fmt = lambda cells: "  ".join(  # noqa: E731
        c.ljust(w) if i == 0 else c.rjust(w)
        for i, (c, w) in enumerate(zip(cells, widths))
    )
    lines = [fmt(head), "  ".join("-" * w for w in widths)]
    lines += [fmt(b) for b in body]
    if result.skipped:
        lines.append("")
        lines += [f"skipped {k}: {v}" for k, v in result.skipped.items()]
    n = len(result.folds)
    lines.append("")
    lines.append(
        f"{n} stratified folds, the same for every strategy; positive class "
        f"{result.positive_class!r}."
    )
    lines.append(verdict_line(result))
    lines += choice_lines(result)
    return "\n".join(lines)


def p_value_text(p: float) -> str:
    """A p-value as a table cell: ``< 0.001`` below 0.001, else three decimals,
    so it never reads ``0.000``."""
    return "< 0.001" if p < 0.001 else f"{p:.3f}"


def p_text(p: float) -> str:
    """A p-value in a sentence: ``p < 0.001`` or ``p = 0.004``."""
    cell = p_value_text(p)
    return f"p {cell}" if cell.startswith("<") else f"p = {cell}"


def verdict_line(result) -> str:
    """The closing line of the table: the best PR-AUC, and how it compares with
    the baseline fold by fold."""
    n = len(result.folds)
    best = result.best("pr_auc")
    if "baseline" in result.scores and best != "baseline":
        p = next(
            r
            for r in result.paired()
            if r["strategy"] == best and r["metric"] == "pr_auc"
        )
        return (
            f"Best PR-AUC: {best}, {p['mean_diff']:+.3f} over the baseline "
            f"(better on {p['wins']} of {n} folds, worse on {p['losses']}; "
            f"paired t-test {p_text(p['p_value'])})."
        )
    return f"Best PR-AUC: {best}."


def choice_lines(result) -> list:
    """The chosen strategy, the rule it was chosen by, and how it compares with
    the baseline fold by fold; no lines when ``result`` chose nothing."""
    sel = result.selection
    if not result.best_strategy_ or not sel:
        return []
    metric, label = result.refit, LABELS[result.refit]
    chosen = result.best_strategy_
    i, top = sel["index"], sel["best_index"]
    names = result.strategies
    lines = [
        f"Chosen, refitted on all {len(result.y_true):,} rows: {chosen} "
        f"(mean {label} {sel['mean'][i]:.3f}), by the {rule_text(sel['rule'], label)}"
        + (
            f" ({names[top]}, {sel['mean'][top]:.3f} - {sel['se'][top]:.3f} = "
            f"{sel['threshold']:.3f})."
            if sel["rule"] == "one_se"
            else "."
        )
    ]
    n = len(result.folds)
    if chosen == "baseline":
        lines.append("The plain model is kept: no strategy is needed.")
    elif "baseline" in result.scores:
        p = next(
            r
            for r in result.paired()
            if r["strategy"] == chosen and r["metric"] == metric
        )
        verdict = (
            f"distinguishable from the plain model (p < {ALPHA})"
            if p["p_value"] < ALPHA
            else f"not distinguishable from the plain model (p >= {ALPHA})"
        )
        lines.append(
            f"{chosen} against the baseline: {label} {p['mean_diff']:+.3f} (better "
            f"on {p['wins']} of {n} folds, worse on {p['losses']}; paired t-test "
            f"{p_text(p['p_value'])}): {verdict}."
        )
    return lines
