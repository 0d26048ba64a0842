"""The report of a :class:`CompareResult`: a matplotlib figure (pooled
out-of-fold precision-recall curves, a metric by strategy) and a self-contained
HTML page with the tables and that figure."""

from __future__ import annotations

import base64
import datetime
import html
import io

from sklearn.metrics import average_precision_score

from ._stats import LABELS
from ._text import TABLE_METRICS, choice_lines, p_value_text, verdict_line


def plot(result, metric: str = "pr_auc"):
    """A matplotlib figure: out-of-fold PR curves of every strategy, and the
    mean ± std of ``metric`` per strategy."""
    try:
        import matplotlib

        matplotlib.use("Agg", force=False)
        import matplotlib.pyplot as plt
    except ImportError as exc:  # pragma: no cover - depends on the install
        raise ImportError("plot() needs matplotlib: pip install matplotlib") from exc
    from sklearn.metrics import precision_recall_curve

    fig, (ax_pr, ax_bar) = plt.subplots(1, 2, figsize=(12, 5))
    colours = plt.get_cmap("tab20").colors
    for i, s in enumerate(result.strategies):
        p, r, _ = precision_recall_curve(result.y_true, result.oof_scores[s])
        ap = average_precision_score(result.y_true, result.oof_scores[s])
        ax_pr.plot(
            r,
            p,
            label=f"{s} (pooled AP {ap:.3f})",
            linewidth=1.3,
            color=colours[(2 * i) % 20 + (2 * i) // 20],
            linestyle="-" if i < 10 else "--",
        )
    prevalence = result.y_true.mean()
    ax_pr.axhline(prevalence, color="grey", linestyle=":", linewidth=1)
    ax_pr.set_xlabel("recall")
    ax_pr.set_ylabel("precision")
    ax_pr.set_title("Precision-recall, out-of-fold scores of all folds pooled")
    ax_pr.legend(fontsize=7, loc="lower left")
    ax_pr.set_xlim(0, 1)
    ax_pr.set_ylim(0, 1.02)
    rows = result.summary_rows()
    names = [r["strategy"] for r in rows]
    means = [r[metric] for r in rows]
    stds = [r[metric + "_std"] for r in rows]
    ax_bar.barh(names, means, xerr=stds, color="#4c72b0", alpha=0.85)
    ax_bar.invert_yaxis()
    ax_bar.set_xlabel(f"{LABELS[metric]} (mean ± std over folds)")
    ax_bar.set_title(f"{LABELS[metric]} by strategy")
    fig.tight_layout()
    return fig


def save_plots(result, path, metric: str = "pr_auc"):
    """Write the figure of :meth:`plot` to ``path`` (PNG)."""
    import matplotlib.pyplot as plt

    fig = plot(result, metric)
    fig.savefig(path, dpi=110)
    plt.close(fig)


def to_html(result, path=None, title: str = "counterpoise compare") -> str:
    """A self-contained HTML report (tables and the plots embedded as PNG);
    written to ``path`` when given, and returned."""
    import matplotlib.pyplot as plt

    fig = plot(result)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110)
    plt.close(fig)
    png = base64.b64encode(buf.getvalue()).decode("ascii")
    rows = result.summary_rows()
    # the terminal table's column order, then any metric it does not show
    order = [m for m in TABLE_METRICS if m in result.metrics]
    order += [m for m in result.metrics if m not in order]
    cols = (*order, "fit_time")
    best = {m: max(r[m] for r in rows) for m in result.metrics}
    table = ["<table><tr><th>strategy</th>"]
    table += [f"<th>{LABELS[m]}</th>" for m in cols]
    table.append("</tr>")
    for r in rows:
        table.append(f"<tr><td>{html.escape(r['strategy'])}</td>")
        for m in cols:
            cls = ' class="best"' if m in best and r[m] == best[m] else ""
            table.append(f"<td{cls}>{r[m]:.3f} ± {r[m + '_std']:.3f}</td>")
        table.append("</tr>")
    table.append("</table>")
    paired = ["<table><tr><th>strategy</th><th>metric</th><th>mean diff</th>"]
    paired.append("<th>folds won / lost</th><th>paired t p</th></tr>")
    if "baseline" in result.scores:
        for p in result.paired():
            if p["metric"] not in ("pr_auc", "f1", "recall", "mcc"):
                continue
            diff = p["mean_diff"]
            sign = "pos" if diff > 0 else "neg" if diff < 0 else "same"
            paired.append(
                f"<tr><td>{html.escape(p['strategy'])}</td><td>"
                f"{LABELS[p['metric']]}</td><td class='{sign}'>"
                f"{p['mean_diff']:+.3f}</td><td>{p['wins']} / {p['losses']}</td>"
                f"<td>{html.escape(p_value_text(p['p_value']))}</td></tr>"
            )
    paired.append("</table>")
    skipped = "".join(
        f"<li>{html.escape(k)}: {html.escape(v)}</li>"
        for k, v in result.skipped.items()
    )
    info = html.escape(str(result.inspect)) if result.inspect else ""
    verdict = html.escape(verdict_line(result))
    from .. import __version__

    stamp = datetime.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")
    chosen = "".join(f"<p>{html.escape(line)}</p>" for line in choice_lines(result))
    if chosen:
        chosen = f'<h2>Chosen strategy</h2><div class="chosen">{chosen}</div>'

    doc = f"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 2em; color: #222; }}
table {{ border-collapse: collapse; margin: 1em 0; font-size: 14px; }}
th, td {{ border: 1px solid #ccc; padding: 4px 8px; text-align: right; }}
th:first-child, td:first-child {{ text-align: left; }}
td.best {{ font-weight: bold; background: #e8f4e8; }}
td.pos {{ color: #1a7f37; }} td.neg {{ color: #b42318; }}
pre {{ background: #f6f8fa; padding: 1em; }}
p.meta {{ color: #666; }}
</style></head><body>
<h1>{html.escape(title)}</h1>
<p class="meta">counterpoise {html.escape(__version__)}, {html.escape(stamp)}</p>
<p class="verdict"><b>{verdict}</b></p>
<p>Model: {html.escape(result.estimator_name)}. {len(result.folds)} stratified folds,
the same for every strategy; positive class {html.escape(repr(result.positive_class))}.
Resampling ran inside the pipeline on the training part of each fold only.</p>
<h2>Target</h2><pre>{info}</pre>
<h2>Strategies (mean ± std over folds)</h2>{"".join(table)}
<h2>Against the baseline, fold by fold</h2>{"".join(paired)}{chosen}
{f"<h2>Skipped</h2><ul>{skipped}</ul>" if skipped else ""}
<h2>Plots</h2><img alt="precision-recall curves and PR-AUC by strategy"
src="data:image/png;base64,{png}">
</body></html>
"""
    if path is not None:
        with open(path, "w", encoding="utf-8") as f:
            f.write(doc)
    return doc
