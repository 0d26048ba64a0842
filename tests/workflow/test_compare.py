"""counterpoise.compare / inspect: identical folds for every strategy, no held-out
row ever reaching a sampler or a threshold search, metrics equal to scikit-learn's
computed independently, and the report's rendering."""

import numpy as np
import pytest
from counterpoise import FunctionSampler, compare, inspect
from counterpoise.pipeline import Pipeline
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score, f1_score, matthews_corrcoef
from sklearn.model_selection import StratifiedKFold
from sklearn.neighbors import KNeighborsClassifier

SEEN = []  # (kind, ids) of every fit and every resampling, in order


class Recorder(ClassifierMixin, BaseEstimator):
    """Logistic regression that records which rows (column 0 holds the row id)
    it is fitted on; the id column is not used as a feature."""

    def __init__(self, class_weight=None):
        self.class_weight = class_weight

    def fit(self, X, y):
        SEEN.append(("fit", np.asarray(X)[:, 0].copy()))
        self.model_ = LogisticRegression(class_weight=self.class_weight).fit(
            np.asarray(X)[:, 1:], y
        )
        self.classes_ = self.model_.classes_
        return self

    def predict_proba(self, X):
        return self.model_.predict_proba(np.asarray(X)[:, 1:])

    def predict(self, X):
        return self.model_.predict(np.asarray(X)[:, 1:])


def _spy(X, y):
    SEEN.append(("sampler", np.asarray(X)[:, 0].copy()))
    return X, y


def _data(n=400, weights=(0.9, 0.1), seed=0):
    X, y = make_classification(
        n_samples=n, n_features=4, weights=list(weights), flip_y=0.02, random_state=seed
    )
    return np.column_stack([np.arange(n), X]), y


def test_every_strategy_sees_only_its_training_fold():
    X, y = _data()
    SEEN.clear()
    marks = []
    result = compare(
        X,
        y,
        estimator=Recorder(),
        strategies=[
            "baseline",
            "class_weight",
            "threshold",
            "RandomUnderSampler",
            "SMOTE",
            ("spy", Pipeline([("spy", FunctionSampler(func=_spy)), ("m", Recorder())])),
        ],
        cv=4,
        random_state=3,
        progress=lambda done, total, name: marks.append((len(SEEN), name)),
    )
    # the folds are StratifiedKFold(4, shuffle=True, random_state=3), computed here
    expected = list(StratifiedKFold(4, shuffle=True, random_state=3).split(X, y))
    assert len(result.folds) == 4
    for (tr, te), (etr, ete) in zip(result.folds, expected):
        assert_array_equal(tr, etr)
        assert_array_equal(te, ete)
    start = 0
    per_strategy = {}
    for i, (end, name) in enumerate(marks):
        fold = i % 4
        train, test = result.folds[fold]
        events = SEEN[start:end]
        start = end
        assert events, name
        for kind, ids in events:
            original = ids[np.isin(ids, np.arange(len(y)))]
            # no held-out row ever reaches a fit or a sampler
            assert not np.isin(original, test).any(), (name, kind)
            assert np.isin(original, train).all(), (name, kind)
        per_strategy.setdefault(name, []).append(events)
    for name in ("baseline", "class_weight", "spy"):
        for fold, events in enumerate(per_strategy[name]):
            fits = [ids for kind, ids in events if kind == "fit"]
            assert len(fits) == 1
            assert_array_equal(np.sort(fits[0]), np.sort(result.folds[fold][0]))
    for fold, events in enumerate(per_strategy["spy"]):
        samplers = [ids for kind, ids in events if kind == "sampler"]
        assert_array_equal(np.sort(samplers[0]), np.sort(result.folds[fold][0]))
    # threshold tuning: 3 inner fits on strict subsets of the training fold, then
    # one refit on all of it; the threshold is chosen without the outer test rows
    for fold, events in enumerate(per_strategy["threshold"]):
        train = result.folds[fold][0]
        fits = [ids for kind, ids in events if kind == "fit"]
        inner = [f for f in fits if len(f) < len(train)]
        assert len(inner) == 3
        covered = np.concatenate([np.setdiff1d(train, f) for f in inner])
        assert_array_equal(np.sort(covered), np.sort(train))  # inner folds partition it
        assert any(len(f) == len(train) for f in fits)
    # SMOTE's model sees the training rows first, then synthetic rows between them
    for fold, events in enumerate(per_strategy["SMOTE"]):
        (ids,) = [ids for kind, ids in events if kind == "fit"]
        train = result.folds[fold][0]
        assert_array_equal(np.sort(ids[: len(train)]), np.sort(train))
        assert len(ids) > len(train)


def test_metrics_equal_an_independent_cross_validation():
    X, y = make_classification(
        n_samples=600, n_features=6, weights=[0.85], flip_y=0.03, random_state=1
    )
    model = LogisticRegression(max_iter=500)
    result = compare(X, y, estimator=model, strategies=["baseline"], cv=5)
    folds = StratifiedKFold(5, shuffle=True, random_state=0).split(X, y)
    for i, (tr, te) in enumerate(folds):
        m = clone(model).fit(X[tr], y[tr])
        proba = m.predict_proba(X[te])[:, 1]
        pred = m.predict(X[te])
        s = result.scores["baseline"]
        assert_allclose(s["pr_auc"][i], average_precision_score(y[te], proba))
        assert_allclose(s["f1"][i], f1_score(y[te], pred))
        assert_allclose(s["mcc"][i], matthews_corrcoef(y[te], pred))
        assert_allclose(result.oof_scores["baseline"][te], proba)
    assert result.positive_class == 1
    frame = result.to_frame()
    assert {"pr_auc", "pr_auc_std", "g_mean", "fit_time"} <= set(frame.columns)


def test_paired_comparison_and_string_labels():
    X, y = make_classification(
        n_samples=500, n_features=5, weights=[0.92], flip_y=0.02, random_state=4
    )
    labels = np.where(y == 1, "fraud", "ok")
    result = compare(X, labels, strategies=["baseline", "class_weight", "SMOTE"], cv=3)
    assert result.positive_class == "fraud"
    rows = result.paired()
    assert {r["strategy"] for r in rows} == {"class_weight", "SMOTE"}
    for r in rows:
        a = result.scores[r["strategy"]][r["metric"]]
        b = result.scores["baseline"][r["metric"]]
        assert_allclose(r["mean_diff"], np.mean(a - b))
        assert r["wins"] == int((a > b).sum()) and r["losses"] == int((a < b).sum())
        assert 0.0 <= r["p_value"] <= 1.0
    text = result.table()
    assert "baseline" in text and "PR-AUC" in text and "Best PR-AUC" in text


def test_unsupported_strategies_are_skipped_with_a_reason():
    X, y = _data()
    result = compare(
        X[:, 1:],
        y,
        estimator=KNeighborsClassifier(),
        strategies=["baseline", "class_weight"],
        cv=3,
    )
    assert result.strategies == ["baseline"]
    assert "class_weight" in result.skipped["class_weight"]


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"strategies": ["nope"]}, "unknown strategy"),
        ({"cv": 1}, "at least 2"),
        ({"cv": 50}, "minority class has"),
        ({"positive_class": 7}, "not a class"),
        ({"estimator": "logreg"}, "classifier"),
    ],
)
def test_bad_arguments_fail_clearly(kwargs, match):
    X, y = _data()
    with pytest.raises((ValueError, TypeError), match=match):
        compare(X, y, **kwargs)


def test_multiclass_and_one_class_targets_fail_clearly():
    X = np.random.default_rng(0).normal(size=(90, 3))
    with pytest.raises(ValueError, match="binary"):
        compare(X, np.repeat([0, 1, 2], 30))
    with pytest.raises(ValueError, match="single class"):
        compare(X, np.zeros(90))


@pytest.mark.parametrize(
    "counts, band",
    [
        ((50, 50), "mild"),
        ((90, 10), "mild"),
        ((91, 9), "moderate"),
        ((990, 10), "moderate"),
        ((1000, 10), "severe"),
        ((5000, 300, 20), "severe"),
    ],
)
def test_inspect_bands(counts, band):
    y = np.repeat(np.arange(len(counts)), counts)
    info = inspect(y)
    assert info.severity == band
    assert info.counts == {i: c for i, c in enumerate(counts)}
    assert info.imbalance_ratio == max(counts) / min(counts)
    assert info.minority_class == int(np.argmin(counts))
    assert band in str(info) and info.advice


def test_report_and_plots_are_rendered(tmp_path):
    X, y = _data(n=300)
    result = compare(X[:, 1:], y, strategies=["baseline", "SMOTE"], cv=3)
    html_path = tmp_path / "report.html"
    doc = result.to_html(html_path)
    assert html_path.stat().st_size > 10_000
    assert "data:image/png;base64," in doc and "<table>" in doc
    png = tmp_path / "plots.png"
    result.save_plots(png)
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 10_000
    fig = result.plot("f1")
    assert len(fig.axes) == 2


def test_cost_matrix_steers_threshold_tuning():
    X, y = make_classification(
        n_samples=800, n_features=5, weights=[0.9], flip_y=0.05, random_state=7
    )
    # a missed positive costs 20, a false alarm 1: the tuned threshold must catch
    # more positives than the default 0.5 and cost less on the held-out folds
    costs = [[0, 1], [20, 0]]
    result = compare(X, y, strategies=["baseline", "threshold"], cv=4, scoring=costs)
    rec = {s: result.scores[s]["recall"].mean() for s in result.strategies}
    assert rec["threshold"] > rec["baseline"]

    def total_cost(pred):
        return (20 * ((y == 1) & (pred == 0))).sum() + ((y == 0) & (pred == 1)).sum()

    assert total_cost(result.oof_predictions["threshold"]) < total_cost(
        result.oof_predictions["baseline"]
    )
    with pytest.raises(ValueError, match="not a scikit-learn scorer"):
        compare(X, y, strategies=["threshold"], scoring="f2")
    with pytest.raises(ValueError, match="cost matrix"):
        compare(X, y, strategies=["threshold"], scoring=[1, 2, 3])


def _separated():
    """Two far-apart blobs: every minority row's nearest neighbours are
    minority rows, where ADASYN cannot weight its rows (imbalanced-learn
    raises too)."""
    rng = np.random.default_rng(3)
    X = np.vstack([rng.normal(0, 1, (200, 3)), rng.normal(12, 1, (30, 3))])
    y = np.r_[np.zeros(200, int), np.ones(30, int)]
    return X, y


def test_a_strategy_that_fails_on_a_fold_is_left_out_with_the_reason():
    from imblearn.over_sampling import ADASYN as ImbADASYN
    from sklearn.exceptions import FitFailedWarning

    X, y = _separated()
    folds = list(StratifiedKFold(3, shuffle=True, random_state=0).split(X, y))
    # the independent truth: imbalanced-learn's ADASYN fails on these training parts
    with pytest.raises(RuntimeError, match="majority"):
        ImbADASYN(random_state=0).fit_resample(X[folds[0][0]], y[folds[0][0]])
    names = ["baseline", "class_weight", "ADASYN", "SMOTE"]
    with pytest.warns(FitFailedWarning, match="'ADASYN' failed on fold 1 of 3"):
        result = compare(X, y, strategies=names, cv=folds, refit="f1")
    assert result.strategies == ["baseline", "class_weight", "SMOTE"]
    assert result.skipped["ADASYN"].startswith("failed on fold 1 of 3: ")
    assert "majority" in result.skipped["ADASYN"]
    assert "ADASYN" not in result.scores and "ADASYN" not in result.oof_scores
    # the others are scored as if ADASYN had not been asked for
    alone = compare(X, y, strategies=["baseline", "class_weight", "SMOTE"], cv=folds)
    for s in alone.strategies:
        assert_allclose(result.scores[s]["f1"], alone.scores[s]["f1"])
    assert "skipped ADASYN: failed on fold 1 of 3" in result.table()
    # and the choice is the search's on the same folds, where ADASYN scores NaN
    from counterpoise.model_selection import StrategySearchCV

    with pytest.warns(FitFailedWarning):
        search = StrategySearchCV(strategies=names, cv=folds, random_state=0).fit(X, y)
    assert search.best_strategy_ == result.best_strategy_


def test_when_the_plain_model_cannot_be_fitted_its_error_is_raised():
    class Broken(LogisticRegression):
        def fit(self, X, y, sample_weight=None):
            raise ValueError("this model cannot be fitted")

    X, y = _separated()
    with pytest.raises(ValueError, match="this model cannot be fitted"):
        compare(X, y, estimator=Broken(), strategies=["baseline", "SMOTE"], cv=3)
