"""StrategySearchCV: scikit-learn's estimator checks, the choice where resampling
must help and where it must not, the one-SE rule against a hand computation, no
validation row ever reaching a sampler, nested cross-validation, multi-class
targets and DataFrame input."""

import warnings

import numpy as np
import pytest
from counterpoise import compare
from counterpoise.base import BaseSampler
from counterpoise.model_selection import StrategySearchCV
from counterpoise.pipeline import Pipeline
from counterpoise.workflow._stats import select
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.datasets import make_classification
from sklearn.exceptions import FitFailedWarning
from sklearn.linear_model import LogisticRegression, RidgeClassifier
from sklearn.metrics import f1_score
from sklearn.model_selection import StratifiedKFold, cross_val_score
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.estimator_checks import parametrize_with_checks

FAST = ["baseline", "class_weight", "RandomUnderSampler"]


@parametrize_with_checks([StrategySearchCV(strategies=FAST, cv=3)])
def test_sklearn_estimator_checks(estimator, check):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FitFailedWarning)
        check(estimator)


def _rare(n=1200, minority=0.03, shift=2.0, seed=0):
    """Heavily imbalanced, well separated: a few minority rows shifted along
    every feature."""
    rng = np.random.default_rng(seed)
    y = (rng.random(n) < minority).astype(int)
    X = rng.normal(size=(n, 4)) + shift * y[:, None]
    return X, y


def test_resampling_is_chosen_where_it_must_help():
    # least squares on 0/1 targets puts the boundary deep in the rare class:
    # the plain linear model finds few of its rows, and reweighting or
    # resampling moves the boundary back
    X, y = _rare()
    search = StrategySearchCV(
        RidgeClassifier(),
        strategies=["baseline", "class_weight", "RandomUnderSampler", "SMOTE"],
        cv=3,
        random_state=0,
    ).fit(X, y)
    res = search.cv_results_
    assert res["params"][0] == {"strategy": "baseline"}
    assert search.best_strategy_ != "baseline"
    # not a coin toss: the choice beats the plain model by more than its noise
    assert search.best_score_ > res["mean_test_score"][0] + 3 * res["se_test_score"][0]
    assert not res["within_one_se"][0]
    plain = RidgeClassifier().fit(X, y)
    assert (search.predict(X)[y == 1] == 1).mean() > (
        plain.predict(X)[y == 1] == 1
    ).mean()
    assert search.decision_function(X).shape == (len(y),)
    assert not hasattr(search, "predict_proba")


def test_the_plain_model_is_kept_where_resampling_cannot_help():
    # average precision scores the ranking; threshold tuning leaves it as it is
    # and reweighting a well-specified linear model barely moves it, so the
    # one-SE rule keeps the simplest strategy
    X, y = _rare(minority=0.05, shift=1.5)
    search = StrategySearchCV(
        strategies=["baseline", "class_weight", "threshold", "RandomUnderSampler"],
        scoring="average_precision",
        cv=3,
        random_state=0,
    ).fit(X, y)
    res = search.cv_results_
    names = [p["strategy"] for p in res["params"]]
    assert search.best_strategy_ == "baseline"
    assert res["within_one_se"][0] and res["selected"][0]
    # the tuned threshold ranks the rows exactly as the plain model
    t = names.index("threshold")
    assert_allclose(res["mean_test_score"][t], res["mean_test_score"][0])


def test_one_se_rule_against_a_hand_computation():
    X, y = make_classification(
        n_samples=600, n_features=5, weights=[0.9], flip_y=0.03, random_state=3
    )
    strategies = ["baseline", "class_weight", "RandomUnderSampler", "SMOTE"]
    search = StrategySearchCV(strategies=strategies, cv=4, random_state=1).fit(X, y)
    res = search.cv_results_
    folds = list(StratifiedKFold(4, shuffle=True, random_state=1).split(X, y))
    # the baseline's split scores, computed independently: minority-class F1
    model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))
    for i, (tr, te) in enumerate(folds):
        pred = clone(model).fit(X[tr], y[tr]).predict(X[te])
        assert_allclose(res[f"split{i}_test_score"][0], f1_score(y[te], pred))
    # the rule by hand
    split = np.column_stack([res[f"split{i}_test_score"] for i in range(4)])
    mean = split.mean(axis=1)
    std = np.sqrt(((split - mean[:, None]) ** 2).mean(axis=1))
    assert_allclose(res["mean_test_score"], mean)
    assert_allclose(res["std_test_score"], std)
    assert_allclose(res["se_test_score"], std / 2.0)
    best = int(np.argmax(mean))
    within = mean >= mean[best] - std[best] / 2.0
    assert_array_equal(res["within_one_se"], within)
    order = [
        "baseline",
        "class_weight",
        "RandomUnderSampler",
        "SMOTE",
    ]  # simplest first
    assert_array_equal(res["simplicity"], [0, 1, 3, 4])
    expect = next(s for s in order if within[strategies.index(s)])
    assert search.best_strategy_ == expect
    assert res["selected"].sum() == 1 and res["selected"][strategies.index(expect)]
    assert search.best_score_ == mean[strategies.index(expect)]
    assert_array_equal(
        res["rank_test_score"], [1 + int((mean > m).sum()) for m in mean]
    )
    # selection='best' takes the top mean on the same folds
    top = StrategySearchCV(
        strategies=strategies, cv=4, random_state=1, selection="best", refit=False
    ).fit(X, y)
    assert top.best_strategy_ == strategies[best]
    assert_allclose(top.cv_results_["mean_test_score"], mean)
    assert not hasattr(top, "best_estimator_") and not hasattr(top, "predict")


def test_select_rule_on_a_made_up_table():
    names = ["SMOTE", "baseline", "class_weight", "mine"]
    scores = [
        [0.80, 0.90, 0.70],  # best mean 0.80, std 0.0816, se 0.0471
        [0.70, 0.72, 0.71],  # 0.71: outside
        [0.76, 0.78, 0.77],  # 0.77: inside (>= 0.7529)
        [0.79, 0.79, 0.79],  # inside, but a strategy of the user's own: last
    ]
    out = select(names, scores, "one_se")
    assert out["best_index"] == 0
    assert_allclose(out["threshold"], 0.8 - np.std([0.8, 0.9, 0.7]) / np.sqrt(3))
    assert out["within_one_se"].tolist() == [True, False, True, True]
    assert names[out["index"]] == "class_weight"
    assert out["simplicity"] == [4, 0, 1, 11]
    assert names[select(names, scores, "best")["index"]] == "SMOTE"
    # a strategy that failed on a fold is never chosen
    scores[0][1] = np.nan
    assert names[select(names, scores, "best")["index"]] == "mine"
    with pytest.raises(ValueError, match="selection"):
        select(names, scores, "worst")


RECORDED: list = []


class RecordingSampler(BaseSampler):
    """Records the row ids (column 0) it is given; resamples nothing."""

    _sampling_type = "bypass"

    def _fit_resample(self, X, y):
        RECORDED.append(frozenset(X[:, 0].astype(int).tolist()))
        return X, y


def _with_ids(n=300, seed=0):
    X, y = make_classification(
        n_samples=n, n_features=4, weights=[0.85], flip_y=0.02, random_state=seed
    )
    return np.column_stack([np.arange(n), X]), y


def test_no_validation_row_ever_reaches_a_sampler():
    X, y = _with_ids()
    estimator = Pipeline(
        [("spy", RecordingSampler()), ("model", LogisticRegression(max_iter=500))]
    )
    strategies = [
        "baseline",
        "class_weight",
        "threshold",
        "RandomUnderSampler",
        "SMOTE",
    ]
    RECORDED.clear()
    search = StrategySearchCV(estimator, strategies=strategies, cv=3, random_state=2)
    search.fit(X, y)
    folds = list(StratifiedKFold(3, shuffle=True, random_state=2).split(X, y))
    trains = [frozenset(tr.tolist()) for tr, _ in folds]
    everything = frozenset(range(len(y)))
    assert RECORDED
    # the refit sees all the rows given, once
    assert sum(r == everything for r in RECORDED) == 1
    for seen in RECORDED:
        if seen == everything:
            continue
        owner = [i for i, tr in enumerate(trains) if seen <= tr]
        assert owner, "a sampler saw rows outside every inner training fold"
        assert seen.isdisjoint(folds[owner[0]][1].tolist())
    # every strategy resampled every inner training fold exactly as it is
    for tr in trains:
        assert sum(r == tr for r in RECORDED) >= len(strategies)

    # nested: cross_val_score fits the outer folds one after the other, and
    # within each, no row of that outer test fold is ever seen
    RECORDED.clear()
    outer = list(StratifiedKFold(3, shuffle=True, random_state=5).split(X, y))
    scores = cross_val_score(search, X, y, cv=outer)
    assert np.isfinite(scores).all()
    k, refits = 0, [0, 0, 0]
    for seen in RECORDED:
        while k < 3 and not seen <= frozenset(outer[k][0].tolist()):
            k += 1
        assert k < 3, "a sampler saw a row of the outer test fold"
        assert seen.isdisjoint(outer[k][1].tolist())
        refits[k] += seen == frozenset(outer[k][0].tolist())
    assert refits == [1, 1, 1]  # the refit on each outer training part


def test_nested_cross_val_score_is_the_search_refitted_per_fold():
    X, y = make_classification(
        n_samples=400, n_features=5, weights=[0.9], flip_y=0.02, random_state=2
    )
    search = StrategySearchCV(strategies=FAST, cv=3, random_state=0)
    outer = list(StratifiedKFold(3, shuffle=True, random_state=0).split(X, y))
    scores = cross_val_score(search, X, y, cv=outer)
    assert scores.shape == (3,)
    for score, (tr, te) in zip(scores, outer):
        fitted = clone(search).fit(X[tr], y[tr])
        assert_allclose(score, f1_score(y[te], fitted.predict(X[te])))


def test_multiclass_scores_are_macro_averaged():
    X, y = make_classification(
        n_samples=450,
        n_features=6,
        n_informative=4,
        n_classes=3,
        weights=[0.7, 0.2, 0.1],
        random_state=0,
    )
    strategies = ["baseline", "class_weight", "threshold", "RandomUnderSampler"]
    search = StrategySearchCV(strategies=strategies, cv=3, random_state=0).fit(X, y)
    assert "threshold" in search.skipped_ and search.positive_class_ is None
    assert [p["strategy"] for p in search.cv_results_["params"]] == [
        "baseline",
        "class_weight",
        "RandomUnderSampler",
    ]
    folds = list(StratifiedKFold(3, shuffle=True, random_state=0).split(X, y))
    model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))
    for i, (tr, te) in enumerate(folds):
        pred = clone(model).fit(X[tr], y[tr]).predict(X[te])
        assert_allclose(
            search.cv_results_[f"split{i}_test_score"][0],
            f1_score(y[te], pred, average="macro"),
        )
    assert_array_equal(search.classes_, [0, 1, 2])
    assert search.predict_proba(X).shape == (450, 3)
    assert search.decision_function(X).shape == (450, 3)


def test_binary_string_labels_score_the_minority():
    X, y = make_classification(
        n_samples=300, n_features=4, weights=[0.8], flip_y=0, random_state=1
    )
    labels = np.where(y == 1, "rare", "common")
    search = StrategySearchCV(strategies=FAST, cv=3, random_state=0).fit(X, labels)
    assert search.positive_class_ == "rare"
    assert_array_equal(search.classes_, ["common", "rare"])
    assert_allclose(
        search.score(X, labels),
        f1_score(labels, search.predict(X), pos_label="rare"),
    )


@pytest.mark.parametrize("kind", ["pandas", "polars"])
def test_dataframes(kind):
    X, y = make_classification(
        n_samples=300, n_features=4, weights=[0.85], flip_y=0, random_state=0
    )
    cols = ["a", "b", "c", "d"]
    if kind == "pandas":
        pd = pytest.importorskip("pandas")
        frame, target = pd.DataFrame(X, columns=cols), pd.Series(y, name="y")
        head = frame.iloc[:5]
    else:
        pl = pytest.importorskip("polars")
        frame, target = pl.DataFrame(X, schema=cols), pl.Series("y", y)
        head = frame.head(5)
    search = StrategySearchCV(strategies=FAST, cv=3, random_state=0).fit(frame, target)
    ref = StrategySearchCV(strategies=FAST, cv=3, random_state=0).fit(X, y)
    assert_allclose(
        search.cv_results_["mean_test_score"], ref.cv_results_["mean_test_score"]
    )
    assert search.best_strategy_ == ref.best_strategy_
    assert list(search.feature_names_in_) == cols
    assert_array_equal(search.predict(head), ref.predict(X[:5]))


def test_same_choice_as_compare_refit():
    X, y = make_classification(
        n_samples=500, n_features=5, weights=[0.9], flip_y=0.03, random_state=4
    )
    strategies = ["baseline", "class_weight", "threshold", "SMOTE"]
    result = compare(X, y, strategies=strategies, cv=3, refit="f1")
    search = StrategySearchCV(
        strategies=strategies, cv=3, random_state=0, scoring="f1"
    ).fit(X, y)
    assert_allclose(
        search.cv_results_["mean_test_score"],
        [result.scores[s]["f1"].mean() for s in strategies],
    )
    assert search.best_strategy_ == result.best_strategy_
    assert_array_equal(search.predict(X), result.best_estimator_.predict(X))


class Broken(ClassifierMixin, BaseEstimator):
    def fit(self, X, y):
        raise RuntimeError("this model never fits")


def test_failing_strategy_is_recorded_and_never_chosen():
    X, y = make_classification(n_samples=200, weights=[0.8], random_state=0)
    search = StrategySearchCV(
        strategies=["baseline", ("broken", Broken())], cv=3, random_state=0
    )
    with pytest.warns(FitFailedWarning, match="never fits"):
        search.fit(X, y)
    res = search.cv_results_
    assert np.isnan(res["mean_test_score"][1]) and res["rank_test_score"][1] == 2
    assert search.best_strategy_ == "baseline"
    with pytest.raises(RuntimeError, match="never fits"):
        StrategySearchCV(strategies=[("broken", Broken())], cv=3).fit(X, y)


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"selection": "worst"}, ValueError, "selection"),
        ({"scoring": "nope"}, ValueError, "not a scorer name"),
        ({"strategies": ["magic"]}, ValueError, "unknown strategy"),
        ({"estimator": StandardScaler()}, TypeError, "classifier"),
        ({"cv": 60}, ValueError, "minority class has"),
    ],
)
def test_bad_arguments_fail_clearly(kwargs, error, match):
    X, y = make_classification(n_samples=200, weights=[0.8], random_state=0)
    with pytest.raises(error, match=match):
        StrategySearchCV(**kwargs).fit(X, y)


def test_methods_follow_the_chosen_model():
    X, y = make_classification(n_samples=200, weights=[0.8], random_state=0)
    knn = StrategySearchCV(KNeighborsClassifier(), strategies=["baseline"], cv=3)
    assert not hasattr(knn, "decision_function")
    knn.fit(X, y)
    assert knn.skipped_ == {} and knn.predict_proba(X).shape == (200, 2)
    assert not hasattr(knn, "decision_function")
