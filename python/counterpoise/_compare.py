"""``inspect`` and ``compare``: the imbalanced-learning workflow, honestly measured.

``compare`` fits every strategy (the plain model, class weights, decision-threshold
tuning, resampling inside the pipeline, balanced ensembles) on **one** set of
stratified folds, scores each on the held-out fold with the metrics that matter
under imbalance, and compares each strategy with the baseline fold by fold.
Resampling lives inside ``counterpoise.pipeline.Pipeline``, so it only ever sees the
training part of a fold; threshold tuning picks its threshold on inner folds of the
training part only.
"""

from __future__ import annotations

import base64
import html
import io
import textwrap
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np
from sklearn.base import clone, is_classifier
from sklearn.metrics import (
    average_precision_score,
    balanced_accuracy_score,
    f1_score,
    get_scorer,
    matthews_corrcoef,
    precision_score,
    recall_score,
    roc_auc_score,
)
from sklearn.model_selection import StratifiedKFold, check_cv
from sklearn.utils.multiclass import type_of_target

from .metrics import geometric_mean_score

__all__ = ["CompareResult", "InspectResult", "compare", "inspect", "STRATEGIES"]

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
_LABELS = {
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


# --------------------------------------------------------------------- inspect


@dataclass
class InspectResult:
    """Class counts of a target and how severe its imbalance is."""

    counts: dict
    imbalance_ratio: float
    minority_class: Any
    minority_share: float
    severity: str
    advice: str

    def __str__(self) -> str:
        total = sum(self.counts.values())
        width = max(len(str(k)) for k in self.counts)
        lines = ["class counts:"]
        for label, count in sorted(self.counts.items(), key=lambda kv: -kv[1]):
            lines.append(f"  {str(label):>{width}}  {count:>10,}  {count / total:7.2%}")
        lines.append(
            f"imbalance ratio {self.imbalance_ratio:,.1f}:1 "
            f"(minority {self.minority_class!r}, {self.minority_share:.2%}): "
            f"{self.severity}"
        )
        lines += textwrap.wrap(
            f"advice: {self.advice}", width=88, subsequent_indent="  "
        )
        return "\n".join(lines)


_ADVICE = {
    "mild": (
        "up to 90/10 a well-regularised model usually copes; measure with PR-AUC "
        "and F1 rather than accuracy, and try class_weight='balanced' or threshold "
        "tuning before any resampling."
    ),
    "moderate": (
        "between 90/10 and 99/1 the default 0.5 threshold is usually wrong: tune the "
        "decision threshold, compare class weights and resampling inside the "
        "pipeline (SMOTE, random under-sampling) on the same folds, and judge by "
        "PR-AUC, recall and MCC."
    ),
    "severe": (
        "beyond 99/1 there are few minority rows to learn from: use stratified "
        "folds, judge by PR-AUC and recall at a tuned threshold, prefer balanced "
        "ensembles (BalancedRandomForest, EasyEnsemble) or under-sampling, and "
        "gather more minority examples if you can."
    ),
}


def inspect(y) -> InspectResult:
    """Class counts, imbalance ratio (majority / minority) and a severity band:
    mild up to 90/10, moderate up to 99/1, severe beyond, with its advice."""
    y = np.asarray(y)
    if y.ndim != 1:
        y = y.ravel() if y.ndim == 2 and y.shape[1] == 1 else y
    if y.ndim != 1:
        raise ValueError(f"inspect expects a 1-d target; got shape {y.shape}.")
    if y.size == 0:
        raise ValueError("inspect got an empty target.")
    counts = Counter(y.tolist())
    if len(counts) < 2:
        raise ValueError(
            f"the target has a single class ({next(iter(counts))!r}): there is "
            "nothing to balance; check the target column."
        )
    minority, n_min = min(counts.items(), key=lambda kv: kv[1])
    n_max = max(counts.values())
    ratio = n_max / n_min
    severity = "mild" if ratio <= 9 else "moderate" if ratio <= 99 else "severe"
    return InspectResult(
        counts=dict(counts),
        imbalance_ratio=ratio,
        minority_class=minority,
        minority_share=n_min / y.size,
        severity=severity,
        advice=_ADVICE[severity],
    )


# --------------------------------------------------------------------- strategies


def default_estimator():
    """Scaled logistic regression: fast, calibrated enough, supports class weights."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    return make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))


def _final_step(estimator):
    steps = getattr(estimator, "steps", None)
    return (steps[-1][0], steps[-1][1]) if steps else (None, estimator)


def _with_class_weight(estimator, random_state):
    name, final = _final_step(estimator)
    if "class_weight" not in final.get_params():
        return None, f"{type(final).__name__} has no class_weight parameter"
    est = clone(estimator)
    key = f"{name}__class_weight" if name else "class_weight"
    est.set_params(**{key: "balanced"})
    return est, None


def _with_sampler(estimator, sampler):
    """The estimator with ``sampler`` right before its final step (after any
    scaling or encoding), in a pipeline that resamples only while fitting."""
    from .pipeline import Pipeline

    steps = getattr(estimator, "steps", None)
    if steps:
        head = [(n, clone(s)) for n, s in steps[:-1]]
        return Pipeline(
            [*head, ("sampler", sampler), (steps[-1][0], clone(steps[-1][1]))]
        )
    return Pipeline([("sampler", sampler), ("model", clone(estimator))])


_POSITIVE_METRICS = {
    "f1": f1_score,
    "precision": precision_score,
    "recall": recall_score,
}


def _is_cost_matrix(scoring) -> bool:
    if isinstance(scoring, (str, bytes)) or callable(scoring) or scoring is None:
        return False
    try:
        return np.asarray(scoring, dtype=float).shape == (2, 2)
    except (TypeError, ValueError):
        return False


def _cost_scorer(costs, pos_label):
    """A scorer that is minus the total cost: ``costs[t][p]`` is the cost of
    predicting p (0: other class, 1: positive) for a row of true class t."""
    from sklearn.metrics import make_scorer

    def neg_cost(y_true, y_pred):
        t = (np.asarray(y_true) == pos_label).astype(int)
        p = (np.asarray(y_pred) == pos_label).astype(int)
        return -float(costs[t, p].sum())

    return make_scorer(neg_cost)


def _threshold(estimator, scoring, random_state, pos_label):
    """Decision-threshold tuning: the threshold that maximises ``scoring`` on 3
    inner stratified folds of the training data it is fitted on."""
    from sklearn.metrics import make_scorer
    from sklearn.model_selection import TunedThresholdClassifierCV

    if _is_cost_matrix(scoring):
        scoring = _cost_scorer(np.asarray(scoring, dtype=float), pos_label)
    elif isinstance(scoring, str) and scoring in _POSITIVE_METRICS:
        kwargs = {"pos_label": pos_label}
        if scoring != "recall":
            kwargs["zero_division"] = 0
        scoring = make_scorer(_POSITIVE_METRICS[scoring], **kwargs)
    return TunedThresholdClassifierCV(
        clone(estimator),
        scoring=scoring,
        cv=StratifiedKFold(3, shuffle=True, random_state=random_state),
        random_state=random_state,
    )


def _sampler_strategy(cls_path):
    module, name = cls_path.rsplit(".", 1)

    def build(estimator, random_state, scoring, pos_label):
        mod = __import__(f"counterpoise.{module}", fromlist=[name])
        return _with_sampler(
            estimator, getattr(mod, name)(random_state=random_state)
        ), None

    return build


def _ensemble_strategy(name):
    """A balanced ensemble in place of the model (after the estimator's own
    preprocessing steps, if it is a pipeline)."""

    def build(estimator, random_state, scoring, pos_label):
        from sklearn.pipeline import Pipeline as SkPipeline

        from . import ensemble

        model = getattr(ensemble, name)(random_state=random_state, n_jobs=-1)
        steps = getattr(estimator, "steps", None)
        if steps and len(steps) > 1:
            head = [(n, clone(s)) for n, s in steps[:-1]]
            return SkPipeline([*head, ("model", model)]), None
        return model, None

    return build


#: name -> builder(estimator, random_state, threshold_scoring, positive_class)
#: -> (estimator, None) or (None, why it cannot run)
STRATEGIES: dict[str, Callable] = {
    "baseline": lambda est, rs, sc, pos: (clone(est), None),
    "class_weight": lambda est, rs, sc, pos: _with_class_weight(est, rs),
    "threshold": lambda est, rs, sc, pos: (_threshold(est, sc, rs, pos), None),
    "SMOTE": _sampler_strategy("over_sampling.SMOTE"),
    "BorderlineSMOTE": _sampler_strategy("over_sampling.BorderlineSMOTE"),
    "ADASYN": _sampler_strategy("over_sampling.ADASYN"),
    "RandomUnderSampler": _sampler_strategy("under_sampling.RandomUnderSampler"),
    "SMOTEENN": _sampler_strategy("combine.SMOTEENN"),
    "SMOTETomek": _sampler_strategy("combine.SMOTETomek"),
    "BalancedRandomForest": _ensemble_strategy("BalancedRandomForestClassifier"),
    "EasyEnsemble": _ensemble_strategy("EasyEnsembleClassifier"),
}


# --------------------------------------------------------------------- result


@dataclass
class CompareResult:
    """What :func:`compare` measured.

    Attributes
    ----------
    strategies : list of str
        Strategies that ran, baseline first.
    skipped : dict
        Strategies that could not run, with the reason.
    scores : dict
        ``scores[strategy][metric]``: array of the per-fold values (and
        ``fit_time``, seconds per fold).
    oof_scores : dict
        Out-of-fold scores for the positive class (probability or decision
        value) of every row, per strategy: what PR curves are drawn from.
    oof_predictions : dict
        Out-of-fold predicted labels per strategy (at each strategy's threshold).
    y_true : ndarray
        1 where the row is of the positive class, else 0.
    positive_class : label
        The class treated as positive (the minority class by default).
    folds : list of (train, test) index arrays
        The stratified folds every strategy was fitted and scored on.
    """

    strategies: list
    skipped: dict
    scores: dict
    oof_scores: dict
    oof_predictions: dict
    y_true: np.ndarray
    positive_class: Any
    folds: list
    metrics: tuple = METRICS
    inspect: InspectResult | None = None
    estimator_name: str = ""
    extra: dict = field(default_factory=dict)

    # -- tables
    def summary_rows(self):
        """One row per strategy: mean and standard deviation of every metric."""
        rows = []
        for s in self.strategies:
            row = {"strategy": s}
            for m in (*self.metrics, "fit_time"):
                v = np.asarray(self.scores[s][m], dtype=float)
                row[m] = float(np.mean(v))
                row[f"{m}_std"] = float(np.std(v, ddof=1)) if v.size > 1 else 0.0
            rows.append(row)
        return rows

    def paired(self, baseline: str = "baseline"):
        """Each strategy against ``baseline`` on the same folds: per metric, the
        mean and standard deviation of the per-fold differences, the folds won and
        lost, and the paired t-test p-value (few folds: read it as a hint)."""
        from scipy.stats import ttest_rel

        if baseline not in self.scores:
            raise ValueError(f"no strategy named {baseline!r} ran.")
        out = []
        for s in self.strategies:
            if s == baseline:
                continue
            for m in self.metrics:
                a = np.asarray(self.scores[s][m], dtype=float)
                b = np.asarray(self.scores[baseline][m], dtype=float)
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

    def to_frame(self):
        """The per-strategy table as a pandas DataFrame (index: strategy)."""
        import pandas as pd

        return pd.DataFrame(self.summary_rows()).set_index("strategy")

    def paired_frame(self, baseline: str = "baseline"):
        import pandas as pd

        return pd.DataFrame(self.paired(baseline)).set_index(["strategy", "metric"])

    def best(self, metric: str = "pr_auc") -> str:
        rows = self.summary_rows()
        return max(rows, key=lambda r: r[metric])["strategy"]

    def __str__(self) -> str:
        return self.table()

    def table(
        self,
        metrics=(
            "pr_auc",
            "roc_auc",
            "f1",
            "recall",
            "precision",
            "mcc",
            "balanced_accuracy",
            "g_mean",
        ),
    ) -> str:
        """A plain-text table: mean ± std over folds, fit seconds per fold."""
        rows = self.summary_rows()
        head = ["strategy", *[_LABELS[m] for m in metrics], _LABELS["fit_time"]]
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
        if self.skipped:
            lines.append("")
            lines += [f"skipped {k}: {v}" for k, v in self.skipped.items()]
        n = len(self.folds)
        lines.append("")
        lines.append(
            f"{n} stratified folds, the same for every strategy; positive class "
            f"{self.positive_class!r}."
        )
        best = self.best("pr_auc")
        if "baseline" in self.scores and best != "baseline":
            p = next(
                r
                for r in self.paired()
                if r["strategy"] == best and r["metric"] == "pr_auc"
            )
            lines.append(
                f"Best PR-AUC: {best}, {p['mean_diff']:+.3f} over the baseline "
                f"(better on {p['wins']} of {n} folds, worse on {p['losses']}; "
                f"paired t-test p = {p['p_value']:.2f})."
            )
        else:
            lines.append(f"Best PR-AUC: {best}.")
        return "\n".join(lines)

    # -- plots and report
    def plot(self, metric: str = "pr_auc"):
        """A matplotlib figure: out-of-fold PR curves of every strategy, and the
        mean ± std of ``metric`` per strategy."""
        try:
            import matplotlib

            matplotlib.use("Agg", force=False)
            import matplotlib.pyplot as plt
        except ImportError as exc:  # pragma: no cover - depends on the install
            raise ImportError(
                "plot() needs matplotlib: pip install matplotlib"
            ) from exc
        from sklearn.metrics import precision_recall_curve

        fig, (ax_pr, ax_bar) = plt.subplots(1, 2, figsize=(12, 5))
        colours = plt.get_cmap("tab20").colors
        for i, s in enumerate(self.strategies):
            p, r, _ = precision_recall_curve(self.y_true, self.oof_scores[s])
            ap = average_precision_score(self.y_true, self.oof_scores[s])
            ax_pr.plot(
                r,
                p,
                label=f"{s} (pooled AP {ap:.3f})",
                linewidth=1.3,
                color=colours[(2 * i) % 20 + (2 * i) // 20],
                linestyle="-" if i < 10 else "--",
            )
        prevalence = self.y_true.mean()
        ax_pr.axhline(prevalence, color="grey", linestyle=":", linewidth=1)
        ax_pr.set_xlabel("recall")
        ax_pr.set_ylabel("precision")
        ax_pr.set_title("Precision-recall, out-of-fold scores of all folds pooled")
        ax_pr.legend(fontsize=7, loc="lower left")
        ax_pr.set_xlim(0, 1)
        ax_pr.set_ylim(0, 1.02)
        rows = self.summary_rows()
        names = [r["strategy"] for r in rows]
        means = [r[metric] for r in rows]
        stds = [r[metric + "_std"] for r in rows]
        ax_bar.barh(names, means, xerr=stds, color="#4c72b0", alpha=0.85)
        ax_bar.invert_yaxis()
        ax_bar.set_xlabel(f"{_LABELS[metric]} (mean ± std over folds)")
        ax_bar.set_title(f"{_LABELS[metric]} by strategy")
        fig.tight_layout()
        return fig

    def save_plots(self, path, metric: str = "pr_auc"):
        """Write the figure of :meth:`plot` to ``path`` (PNG)."""
        import matplotlib.pyplot as plt

        fig = self.plot(metric)
        fig.savefig(path, dpi=110)
        plt.close(fig)

    def to_html(self, path=None, title: str = "counterpoise compare") -> str:
        """A self-contained HTML report (tables and the plots embedded as PNG);
        written to ``path`` when given, and returned."""
        import matplotlib.pyplot as plt

        fig = self.plot()
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=110)
        plt.close(fig)
        png = base64.b64encode(buf.getvalue()).decode("ascii")
        rows = self.summary_rows()
        cols = (*self.metrics, "fit_time")
        best = {m: max(r[m] for r in rows) for m in self.metrics}
        table = ["<table><tr><th>strategy</th>"]
        table += [f"<th>{_LABELS[m]}</th>" for m in cols]
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
        if "baseline" in self.scores:
            for p in self.paired():
                if p["metric"] not in ("pr_auc", "f1", "recall", "mcc"):
                    continue
                diff = p["mean_diff"]
                sign = "pos" if diff > 0 else "neg" if diff < 0 else "same"
                paired.append(
                    f"<tr><td>{html.escape(p['strategy'])}</td><td>"
                    f"{_LABELS[p['metric']]}</td><td class='{sign}'>"
                    f"{p['mean_diff']:+.3f}</td><td>{p['wins']} / {p['losses']}</td>"
                    f"<td>{p['p_value']:.3f}</td></tr>"
                )
        paired.append("</table>")
        skipped = "".join(
            f"<li>{html.escape(k)}: {html.escape(v)}</li>"
            for k, v in self.skipped.items()
        )
        info = html.escape(str(self.inspect)) if self.inspect else ""
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
</style></head><body>
<h1>{html.escape(title)}</h1>
<p>Model: {html.escape(self.estimator_name)}. {len(self.folds)} stratified folds,
the same for every strategy; positive class {html.escape(repr(self.positive_class))}.
Resampling ran inside the pipeline on the training part of each fold only.</p>
<h2>Target</h2><pre>{info}</pre>
<h2>Strategies (mean ± std over folds)</h2>{"".join(table)}
<h2>Against the baseline, fold by fold</h2>{"".join(paired)}
{f"<h2>Skipped</h2><ul>{skipped}</ul>" if skipped else ""}
<h2>Plots</h2><img alt="precision-recall curves and PR-AUC by strategy"
src="data:image/png;base64,{png}">
</body></html>
"""
        if path is not None:
            with open(path, "w", encoding="utf-8") as f:
                f.write(doc)
        return doc


# --------------------------------------------------------------------- compare


def _positive_scores(estimator, X, positive_index):
    if hasattr(estimator, "predict_proba"):
        try:
            return estimator.predict_proba(X)[:, positive_index]
        except (AttributeError, NotImplementedError):
            pass
    scores = estimator.decision_function(X)
    return scores if positive_index == 1 else -scores


def _fold_metrics(y_true, scores, y_pred):
    out = {}
    out["pr_auc"] = average_precision_score(y_true, scores)
    out["roc_auc"] = roc_auc_score(y_true, scores)
    out["f1"] = f1_score(y_true, y_pred, zero_division=0)
    out["precision"] = precision_score(y_true, y_pred, zero_division=0)
    out["recall"] = recall_score(y_true, y_pred, zero_division=0)
    out["mcc"] = matthews_corrcoef(y_true, y_pred)
    out["balanced_accuracy"] = balanced_accuracy_score(y_true, y_pred)
    out["g_mean"] = geometric_mean_score(y_true, y_pred, average="binary")
    return out


def _take(X, idx):
    if hasattr(X, "iloc"):
        return X.iloc[idx]
    return X[idx]


def compare(
    X,
    y,
    estimator=None,
    strategies=None,
    cv=5,
    scoring=None,
    *,
    positive_class=None,
    random_state=0,
    progress=None,
) -> CompareResult:
    """Compare imbalance strategies on one set of stratified folds.

    Parameters
    ----------
    X : array-like or DataFrame of shape (n_samples, n_features)
    y : array-like of shape (n_samples,)
        A binary target.
    estimator : classifier, default=None
        The model every strategy wraps (default: scaled logistic regression).
        Samplers are inserted before the final step of a pipeline.
    strategies : list of str or dict, default=None
        Names from :data:`STRATEGIES` (default: all), or a dict of
        ``name -> estimator`` for strategies of your own (any classifier or
        ``counterpoise.pipeline.Pipeline``), or a mix (a list holding names and
        ``(name, estimator)`` pairs).
    cv : int or cross-validation splitter, default=5
        Outer folds; an int gives ``StratifiedKFold(cv, shuffle=True)``.
    scoring : str, callable or 2x2 array-like, default=None
        What threshold tuning optimises (default ``'f1'`` of the positive class):
        any sklearn scorer name, a scorer (``make_scorer(...)``), or a cost matrix
        ``[[cost_tn, cost_fp], [cost_fn, cost_tp]]`` (rows: true class, negative
        then positive; columns: predicted) whose total is minimised.
    positive_class : label, default=None
        The class of interest (default: the minority class).
    random_state : int, default=0
        Seed of the folds and of every randomised strategy.
    progress : callable, default=None
        Called as ``progress(done, total, label)`` after every fit.

    Returns
    -------
    CompareResult
    """
    y_arr = np.asarray(y)
    if y_arr.ndim == 2 and y_arr.shape[1] == 1:
        y_arr = y_arr.ravel()
    info = inspect(y_arr)
    kind = type_of_target(y_arr)
    if kind != "binary":
        raise ValueError(
            f"compare needs a binary target; got {kind} with "
            f"{len(info.counts)} classes. Compare one class against the rest "
            "(e.g. y == 'fraud')."
        )
    if positive_class is None:
        positive_class = info.minority_class
    if positive_class not in info.counts:
        raise ValueError(
            f"positive_class={positive_class!r} is not a class of y "
            f"({sorted(info.counts, key=str)})."
        )
    y_true = (y_arr == positive_class).astype(int)
    n_min = min(info.counts.values())
    if isinstance(cv, int) or cv is None:
        n_splits = 5 if cv is None else cv
        if n_splits < 2:
            raise ValueError(f"cv={cv} folds: use at least 2.")
        if n_min < n_splits:
            raise ValueError(
                f"cv={n_splits} stratified folds need at least {n_splits} rows of "
                f"every class; the minority class has {n_min}. Lower cv."
            )
        splitter = StratifiedKFold(n_splits, shuffle=True, random_state=random_state)
    else:
        splitter = check_cv(cv, y_arr, classifier=True)
    folds = [(tr, te) for tr, te in splitter.split(np.zeros(len(y_arr)), y_arr)]

    if estimator is None:
        estimator = default_estimator()
    elif not hasattr(estimator, "fit") or not is_classifier(estimator):
        raise TypeError(
            f"estimator must be a scikit-learn classifier; got "
            f"{type(estimator).__name__}."
        )
    threshold_scoring = "f1" if scoring is None else scoring
    if isinstance(threshold_scoring, str):
        try:
            get_scorer(threshold_scoring)
        except ValueError:
            raise ValueError(
                f"scoring={threshold_scoring!r} is not a scikit-learn scorer name; "
                "use e.g. 'f1', 'balanced_accuracy', a make_scorer(...) object, or a "
                "2x2 cost matrix."
            ) from None
    elif not callable(threshold_scoring) and not _is_cost_matrix(threshold_scoring):
        raise ValueError(
            "scoring must be a scorer name, a scorer, or a 2x2 cost matrix "
            f"[[tn, fp], [fn, tp]]; got {threshold_scoring!r}."
        )

    plan, skipped = _plan(
        strategies, estimator, random_state, threshold_scoring, positive_class
    )
    total = len(plan) * len(folds)
    done = 0
    n = len(y_arr)
    scores, oof, oof_pred = {}, {}, {}
    for name, model in plan:
        per_fold = {m: [] for m in (*METRICS, "fit_time")}
        oof[name] = np.full(n, np.nan)
        oof_pred[name] = np.zeros(n, dtype=int)
        for train, test in folds:
            est = clone(model)
            t0 = time.perf_counter()
            est.fit(_take(X, train), y_arr[train])
            per_fold["fit_time"].append(time.perf_counter() - t0)
            classes = list(est.classes_)
            pos = classes.index(positive_class)
            s = _positive_scores(est, _take(X, test), pos)
            pred = (np.asarray(est.predict(_take(X, test))) == positive_class).astype(
                int
            )
            oof[name][test] = s
            oof_pred[name][test] = pred
            for m, v in _fold_metrics(y_true[test], s, pred).items():
                per_fold[m].append(v)
            done += 1
            if progress is not None:
                progress(done, total, name)
        scores[name] = {m: np.asarray(v) for m, v in per_fold.items()}
    return CompareResult(
        strategies=[name for name, _ in plan],
        skipped=skipped,
        scores=scores,
        oof_scores=oof,
        oof_predictions=oof_pred,
        y_true=y_true,
        positive_class=positive_class,
        folds=folds,
        inspect=info,
        estimator_name=_describe(estimator),
    )


def _describe(estimator) -> str:
    steps = getattr(estimator, "steps", None)
    if steps:
        return " → ".join(type(s).__name__ for _, s in steps)
    return type(estimator).__name__


def _plan(strategies, estimator, random_state, scoring, positive_class):
    if strategies is None:
        strategies = list(STRATEGIES)
    if isinstance(strategies, dict):
        strategies = list(strategies.items())
    if isinstance(strategies, str):
        strategies = [strategies]
    plan, skipped, seen = [], {}, set()
    for item in strategies:
        if isinstance(item, str):
            if item not in STRATEGIES:
                raise ValueError(
                    f"unknown strategy {item!r}; choose from {list(STRATEGIES)} or "
                    "pass (name, estimator) pairs of your own."
                )
            model, reason = STRATEGIES[item](
                estimator, random_state, scoring, positive_class
            )
            name = item
        else:
            try:
                name, model = item
            except (TypeError, ValueError):
                raise TypeError(
                    "strategies must hold names or (name, estimator) pairs; got "
                    f"{item!r}."
                ) from None
            reason = None
        if name in seen:
            raise ValueError(f"strategy {name!r} is listed twice.")
        seen.add(name)
        if reason is not None:
            skipped[name] = reason
            continue
        plan.append((name, model))
    # the baseline first, so the paired comparison has its reference on top
    plan.sort(key=lambda p: p[0] != "baseline")
    if not plan:
        raise ValueError("no strategy left to run.")
    return plan, skipped
