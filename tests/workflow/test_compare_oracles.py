"""compare's numbers recomputed from scratch: every fold refitted here on the same
StratifiedKFold, every metric from scikit-learn / imbalanced-learn, the spreads
from numpy, the paired test from scipy, the choice by the documented rules, and
the HTML report checked for the values these give."""

import html

import numpy as np
import pytest
from counterpoise import compare
from counterpoise.workflow import CompareResult
from imblearn.metrics import geometric_mean_score
from imblearn.over_sampling import SMOTE as ImbSMOTE
from imblearn.pipeline import Pipeline as ImbPipeline
from numpy.testing import assert_allclose, assert_array_equal
from scipy.stats import ttest_rel
from sklearn.base import clone
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import (
    average_precision_score,
    balanced_accuracy_score,
    f1_score,
    matthews_corrcoef,
    precision_score,
    recall_score,
    roc_auc_score,
)
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

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
SEED = 5
CV = 4
POS = "fraud"


def _data():
    X, y = make_classification(
        n_samples=320,
        n_features=5,
        n_informative=3,
        weights=[0.85],
        flip_y=0.06,
        class_sep=0.8,
        random_state=11,
    )
    return X, np.where(y == 1, POS, "ok")


def _model():
    return make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))


def _oracle_models():
    """The three strategies built here, without counterpoise: the model, the model
    with balanced class weights, imbalanced-learn's SMOTE before the model."""
    weighted = make_pipeline(
        StandardScaler(), LogisticRegression(max_iter=1000, class_weight="balanced")
    )
    smote = ImbPipeline(
        [
            ("standardscaler", StandardScaler()),
            ("sampler", ImbSMOTE(random_state=SEED)),
            ("logisticregression", LogisticRegression(max_iter=1000)),
        ]
    )
    return {"baseline": _model(), "class_weight": weighted, "SMOTE": smote}


def _oracle_scores(X, labels):
    """Per strategy, per metric: the per-fold values computed independently."""
    y = (labels == POS).astype(int)
    folds = list(StratifiedKFold(CV, shuffle=True, random_state=SEED).split(X, labels))
    out = {}
    for name, model in _oracle_models().items():
        per = {m: [] for m in METRICS}
        for tr, te in folds:
            m = clone(model).fit(X[tr], labels[tr])
            pos = list(m.classes_).index(POS)
            proba = m.predict_proba(X[te])[:, pos]
            pred = (m.predict(X[te]) == POS).astype(int)
            yt = y[te]
            per["pr_auc"].append(average_precision_score(yt, proba))
            per["roc_auc"].append(roc_auc_score(yt, proba))
            per["f1"].append(f1_score(yt, pred))
            per["precision"].append(precision_score(yt, pred))
            per["recall"].append(recall_score(yt, pred))
            per["mcc"].append(matthews_corrcoef(yt, pred))
            per["balanced_accuracy"].append(balanced_accuracy_score(yt, pred))
            per["g_mean"].append(geometric_mean_score(yt, pred))
        out[name] = {k: np.array(v) for k, v in per.items()}
    return folds, out


@pytest.fixture(scope="module")
def run():
    X, labels = _data()
    result = compare(
        X,
        labels,
        estimator=_model(),
        strategies=["baseline", "class_weight", "SMOTE"],
        cv=CV,
        random_state=SEED,
        refit="f1",
    )
    folds, oracle = _oracle_scores(X, labels)
    return result, folds, oracle


def test_folds_and_every_fold_metric_equal_the_oracle(run):
    result, folds, oracle = run
    assert result.positive_class == POS
    assert len(result.folds) == CV
    for (tr, te), (otr, ote) in zip(result.folds, folds):
        assert_array_equal(tr, otr)
        assert_array_equal(te, ote)
    for name in oracle:
        for m in METRICS:
            assert_allclose(
                result.scores[name][m], oracle[name][m], rtol=1e-9, err_msg=(name, m)
            )
    # the metrics are not degenerate: the strategies differ on every metric
    for m in ("f1", "recall", "precision", "balanced_accuracy", "g_mean"):
        vals = {tuple(np.round(oracle[s][m], 12)) for s in oracle}
        assert len(vals) > 1, m


def test_means_and_standard_deviations_use_ddof_1(run):
    result, _, oracle = run
    rows = {r["strategy"]: r for r in result.summary_rows()}
    assert list(rows) == ["baseline", "class_weight", "SMOTE"]
    frame = result.to_frame()
    for name, per in oracle.items():
        for m in METRICS:
            assert_allclose(rows[name][m], np.mean(per[m]), rtol=1e-12)
            assert_allclose(rows[name][f"{m}_std"], np.std(per[m], ddof=1), rtol=1e-9)
            assert_allclose(frame.loc[name, f"{m}_std"], np.std(per[m], ddof=1))
        fit = result.scores[name]["fit_time"]
        assert_allclose(rows[name]["fit_time_std"], np.std(fit, ddof=1))
    # ddof=0 would give a different number here, so the check can fail
    per = oracle["baseline"]["f1"]
    assert not np.isclose(np.std(per, ddof=0), np.std(per, ddof=1))


def test_paired_rows_and_frame_equal_scipy_ttest_rel(run):
    result, _, oracle = run
    frame = result.paired_frame()
    expected_index = [(s, m) for s in ("class_weight", "SMOTE") for m in METRICS]
    assert list(frame.index) == expected_index
    assert list(frame.columns) == ["mean_diff", "std_diff", "wins", "losses", "p_value"]
    base = oracle["baseline"]
    n_tested = 0
    for (s, m), row in frame.iterrows():
        a, b = oracle[s][m], base[m]
        d = a - b
        assert_allclose(row["mean_diff"], d.mean(), atol=1e-12)
        assert_allclose(row["std_diff"], np.std(d, ddof=1), atol=1e-12)
        assert row["wins"] == np.sum(d > 1e-12)
        assert row["losses"] == np.sum(d < -1e-12)
        if np.allclose(d, 0):
            assert row["p_value"] == 1.0  # documented: identical on every fold
        else:
            assert_allclose(row["p_value"], ttest_rel(a, b).pvalue, rtol=1e-9)
            n_tested += 1
    assert n_tested >= 10  # most rows are real t-tests, not the 1.0 shortcut
    # paired() gives the same rows as dicts
    for r in result.paired():
        assert_allclose(
            frame.loc[(r["strategy"], r["metric"]), "p_value"], r["p_value"]
        )


def test_best_is_the_highest_oracle_mean(run):
    result, _, oracle = run
    for m in METRICS:
        means = [np.mean(oracle[s][m]) for s in oracle]
        # first in strategy order on a tie, as documented
        expected = list(oracle)[int(np.argmax(np.round(means, 12)))]
        assert result.best(m) == expected, m
    slowest = max(result.strategies, key=lambda s: result.scores[s]["fit_time"].mean())
    assert result.best("fit_time") == slowest


def _result(scores):
    strategies = list(scores)
    full = {
        s: {**{m: np.asarray(v[m], float) for m in v}, "fit_time": np.ones(3)}
        for s, v in scores.items()
    }
    return CompareResult(
        strategies=strategies,
        skipped={},
        scores=full,
        oof_scores={},
        oof_predictions={},
        y_true=np.zeros(3),
        positive_class=1,
        folds=[None] * 3,
        metrics=("f1",),
    )


def test_best_takes_the_first_on_a_tie_and_paired_handles_equal_folds():
    r = _result(
        {
            "baseline": {"f1": [0.5, 0.6, 0.7]},
            "a": {"f1": [0.7, 0.6, 0.5]},  # same mean as the baseline
            "b": {"f1": [0.5, 0.6, 0.7]},  # equal fold by fold
            "c": {"f1": [0.6, 0.8, 0.75]},  # better on every fold
        }
    )
    assert r.best("f1") == "c"
    assert _result({"x": {"f1": [1, 0, 1]}, "y": {"f1": [0, 1, 1]}}).best("f1") == "x"
    assert _result({"y": {"f1": [0, 1, 1]}, "x": {"f1": [1, 0, 1]}}).best("f1") == "y"
    rows = {p["strategy"]: p for p in r.paired()}
    assert rows["b"]["p_value"] == 1.0 and rows["b"]["wins"] == rows["b"]["losses"] == 0
    assert_allclose(
        rows["a"]["p_value"], ttest_rel([0.7, 0.6, 0.5], [0.5, 0.6, 0.7]).pvalue
    )
    assert rows["a"]["wins"] == 1 and rows["a"]["losses"] == 1
    assert rows["c"]["wins"] == 3
    assert_allclose(rows["c"]["mean_diff"], 0.35 / 3)
    assert_allclose(rows["c"]["std_diff"], np.std([0.1, 0.2, 0.05], ddof=1))
    assert_allclose(
        rows["c"]["p_value"], ttest_rel([0.6, 0.8, 0.75], [0.5, 0.6, 0.7]).pvalue
    )
    with pytest.raises(ValueError, match="no strategy named"):
        r.paired("nope")


def test_folds_equal_up_to_rounding_are_neither_won_nor_lost():
    # average precision of a perfect ranking can come out as 1 - 2.2e-16
    one = 1.0 - 2.220446049250313e-16
    r = _result(
        {
            "baseline": {"f1": [one, 1.0, 1.0]},
            "d": {"f1": [1.0, one, 0.9]},
        }
    )
    (row,) = r.paired()
    assert row["wins"] == 0 and row["losses"] == 1


def _expected_choice(oracle, metric):
    """The one-SE rule done here: the best mean, its standard error (ddof=0 over
    sqrt(k), as documented), then the simplest strategy at or above mean - se."""
    order = ["baseline", "class_weight", "SMOTE"]  # the documented simplicity order
    means = {s: np.mean(oracle[s][metric]) for s in order}
    top = max(order, key=lambda s: (means[s], -order.index(s)))
    se = np.std(oracle[top][metric], ddof=0) / np.sqrt(CV)
    chosen = next(s for s in order if means[s] >= means[top] - se - 1e-12)
    return chosen, top, means, se


def _cell(p):
    # p-values never read 0.000: below a thousandth they are bounded
    return "&lt; 0.001" if p < 0.001 else f"{p:.3f}"


def _sentence(p):
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}"


def test_html_report_shows_the_oracle_numbers_and_the_choice(run, tmp_path):
    result, _, oracle = run
    path = tmp_path / "report.html"
    doc = result.to_html(path, title="oracle check")
    assert path.read_text(encoding="utf-8") == doc
    assert "<title>oracle check</title>" in doc
    labels = {
        "pr_auc": "PR-AUC",
        "roc_auc": "ROC-AUC",
        "f1": "F1",
        "precision": "precision",
        "recall": "recall",
        "mcc": "MCC",
        "balanced_accuracy": "bal. acc.",
        "g_mean": "G-mean",
    }
    summary = doc.split("<h2>Strategies")[1].split("</table>")[0]
    for label in labels.values():
        assert f"<th>{label}</th>" in summary
    rows = summary.split("<tr>")[2:]
    assert [r.split("</td>")[0] for r in rows] == [
        "<td>baseline",
        "<td>class_weight",
        "<td>SMOTE",
    ]
    for name, row in zip(oracle, rows):
        for m in METRICS:
            v = oracle[name][m]
            cell = f"{np.mean(v):.3f} ± {np.std(v, ddof=1):.3f}</td>"
            assert cell in row, (name, m, cell)
            best = max(np.mean(oracle[s][m]) for s in oracle)
            if np.mean(v) == best:
                assert f'<td class="best">{cell}' in row, (name, m)
    # the paired table: the four metrics it shows, with scipy's p-values
    paired = doc.split("<h2>Against the baseline")[1].split("</table>")[0]
    base = oracle["baseline"]
    for s in ("class_weight", "SMOTE"):
        for m in ("pr_auc", "f1", "recall", "mcc"):
            d = oracle[s][m] - base[m]
            p = 1.0 if np.allclose(d, 0) else ttest_rel(oracle[s][m], base[m]).pvalue
            wins, losses = int(np.sum(d > 1e-12)), int(np.sum(d < -1e-12))
            expected = (
                f"<tr><td>{s}</td><td>{labels[m]}</td><td class='"
                f"{'pos' if d.mean() > 0 else 'neg' if d.mean() < 0 else 'same'}'>"
                f"{d.mean():+.3f}</td><td>{wins} / {losses}</td>"
                f"<td>{_cell(p)}</td></tr>"
            )
            assert expected in paired, expected
        assert f"<td>{labels['roc_auc']}</td>" not in paired
    # the choice: the one-SE rule on F1, recomputed, and the verdict from scipy
    chosen, top, means, se = _expected_choice(oracle, "f1")
    assert result.best_strategy_ == chosen
    first = (
        f"Chosen, refitted on all {len(result.y_true):,} rows: {chosen} (mean F1 "
        f"{means[chosen]:.3f}), by the one-SE rule on F1: the simplest strategy "
        "whose mean is within one standard error of the best mean "
        f"({top}, {means[top]:.3f} - {se:.3f} = {means[top] - se:.3f})."
    )
    assert f"<p>{html.escape(first)}</p>" in doc
    assert '<h2>Chosen strategy</h2><div class="chosen">' in doc
    if chosen == "baseline":
        second = "The plain model is kept: no strategy is needed."
    else:
        d = oracle[chosen]["f1"] - base["f1"]
        p = ttest_rel(oracle[chosen]["f1"], base["f1"]).pvalue
        verdict = (
            "distinguishable from the plain model (p < 0.05)"
            if p < 0.05
            else "not distinguishable from the plain model (p >= 0.05)"
        )
        second = (
            f"{chosen} against the baseline: F1 {d.mean():+.3f} (better on "
            f"{int(np.sum(d > 0))} of {CV} folds, worse on {int(np.sum(d < 0))}; "
            f"paired t-test {_sentence(p)}): {verdict}."
        )
    assert f"<p>{html.escape(second)}</p>" in doc
    # the text table carries the same lines
    assert first in result.table() and second in result.table()


def test_report_without_refit_has_no_choice_and_lists_skipped(tmp_path):
    from sklearn.neighbors import KNeighborsClassifier

    X, labels = _data()
    result = compare(
        X,
        labels,
        estimator=KNeighborsClassifier(),
        strategies=["baseline", "class_weight", "RandomUnderSampler"],
        cv=3,
    )
    doc = result.to_html()
    assert "Chosen strategy" not in doc
    assert "<h2>Skipped</h2>" in doc
    assert (
        f"<li>class_weight: {html.escape(result.skipped['class_weight'])}</li>" in doc
    )
    assert "<td>RandomUnderSampler</td>" in doc
    assert "positive class &#x27;fraud&#x27;" in doc
