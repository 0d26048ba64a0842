"""compare(..., refit=metric): the choice of StrategySearchCV on the same folds,
a fitted best_estimator_, make_estimator, the chosen strategy in the table, the
report and the command line, which can save the model with joblib."""

import re
import subprocess
import sys

import joblib
import numpy as np
import pandas as pd
import pytest
from counterpoise import compare
from counterpoise.workflow._commands import _model
from counterpoise.workflow._stats import select
from numpy.testing import assert_array_equal
from sklearn.datasets import make_classification
from sklearn.exceptions import NotFittedError
from sklearn.neighbors import KNeighborsClassifier
from sklearn.utils.validation import check_is_fitted

STRATEGIES = ["baseline", "class_weight", "threshold", "RandomUnderSampler"]


def _data(seed=0):
    return make_classification(
        n_samples=400, n_features=5, weights=[0.9], flip_y=0.03, random_state=seed
    )


def test_refit_chooses_by_the_one_se_rule_and_fits_on_all_rows():
    X, y = _data()
    result = compare(X, y, strategies=STRATEGIES, cv=3, refit="f1")
    # the rule, recomputed from the per-fold scores
    table = [result.scores[s]["f1"] for s in result.strategies]
    mean = np.mean(table, axis=1)
    se = np.std(table, axis=1) / np.sqrt(3)
    best = int(np.argmax(mean))
    simplest_first = ["baseline", "class_weight", "threshold", "RandomUnderSampler"]
    expect = next(
        s for s in simplest_first if mean[STRATEGIES.index(s)] >= mean[best] - se[best]
    )
    assert result.best_strategy_ == expect
    assert result.selection["rule"] == "one_se" and result.refit == "f1"
    # the refitted model is the strategy fitted on every row
    check_is_fitted(result.best_estimator_)
    ref = result.make_estimator(expect).fit(X, y)
    assert_array_equal(result.best_estimator_.predict(X), ref.predict(X))
    best_rule = compare(X, y, strategies=STRATEGIES, cv=3, refit="f1", selection="best")
    assert best_rule.best_strategy_ == STRATEGIES[best]
    assert select(STRATEGIES, table, "best")["index"] == best


def test_make_estimator_gives_any_strategy_unfitted():
    X, y = _data()
    result = compare(
        X,
        y,
        estimator=KNeighborsClassifier(),
        strategies=["baseline", "class_weight", "SMOTE"],
        cv=3,
    )
    assert result.best_strategy_ is None and result.best_estimator_ is None
    model = result.make_estimator("SMOTE")
    with pytest.raises(NotFittedError):
        check_is_fitted(model)
    assert [n for n, _ in model.steps] == ["sampler", "model"]
    assert model is not result.make_estimator("SMOTE")
    with pytest.raises(ValueError, match="did not run.*class_weight"):
        result.make_estimator("class_weight")
    with pytest.raises(ValueError, match="no strategy named"):
        result.make_estimator("magic")


def test_table_and_report_say_what_was_chosen(tmp_path):
    X, y = _data(1)
    plain = compare(X, y, strategies=STRATEGIES, cv=3)
    text = plain.table()
    assert "Chosen" not in text and text.splitlines()[-1].startswith("Best PR-AUC")
    assert "Chosen strategy" not in plain.to_html()
    result = compare(X, y, strategies=STRATEGIES, cv=3, refit="f1")
    text = result.table()
    # the default output (up to the fit seconds), then the choice
    strip = lambda t: [re.sub(r"\s+\d+\.\d\d$", "", line) for line in t.splitlines()]  # noqa: E731
    assert strip(text)[: len(strip(plain.table()))] == strip(plain.table())
    assert f"Chosen, refitted on all 400 rows: {result.best_strategy_}" in text
    assert "one-SE rule on F1" in text
    if result.best_strategy_ != "baseline":
        assert "distinguishable from the plain model" in text
        assert "paired t-test" in text.splitlines()[-1]
    else:
        assert "plain model is kept" in text
    doc = result.to_html()
    assert "Chosen strategy" in doc and "one-SE rule on F1" in doc


def test_bad_refit_arguments_fail_clearly():
    X, y = _data()
    with pytest.raises(ValueError, match="refit='accuracy'"):
        compare(X, y, strategies=["baseline"], cv=3, refit="accuracy")
    with pytest.raises(ValueError, match="selection"):
        compare(X, y, strategies=["baseline"], cv=3, refit="f1", selection="top")


def run(*args, timeout=300):
    return subprocess.run(
        [sys.executable, "-m", "counterpoise", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={"MPLBACKEND": "Agg", "PATH": "/usr/bin:/bin", "RAYON_NUM_THREADS": "2"},
    )


@pytest.fixture
def csv(tmp_path):
    rng = np.random.default_rng(0)
    n = 300
    y = (rng.random(n) < 0.15).astype(int)
    frame = pd.DataFrame(
        {
            "amount": rng.normal(size=n) + 1.5 * y,
            "age": rng.integers(18, 90, n),
            "label": np.where(y == 1, "fraud", "ok"),
        }
    )
    path = tmp_path / "data.csv"
    frame.to_csv(path, index=False)
    return path


def test_cli_refit_saves_the_chosen_model(csv, tmp_path):
    model_path = tmp_path / "model.joblib"
    out = run(
        "compare", csv, "--target", "label", "--cv", "3",
        "--strategies", "baseline,class_weight,RandomUnderSampler",
        "--refit", "f1", "--save-model", model_path,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    assert "Chosen, refitted on all 300 rows" in out.stdout
    assert f"model: {model_path}" in out.stdout
    model = joblib.load(model_path)
    frame = pd.read_csv(csv)
    X = frame.drop(columns="label")
    pred = model.predict(X)
    assert set(pred) <= {"fraud", "ok"}
    # the same choice and model as the Python API with the command's model
    result = compare(
        X,
        frame["label"].to_numpy(),
        estimator=_model("logistic", X),
        strategies=["baseline", "class_weight", "RandomUnderSampler"],
        cv=3,
        refit="f1",
    )
    assert f"refitted on all 300 rows: {result.best_strategy_} " in out.stdout
    assert_array_equal(pred, result.best_estimator_.predict(X))


@pytest.mark.parametrize(
    "args, message",
    [
        (["--save-model", "{tmp}/m.joblib"], "--save-model needs --refit"),
        (["--refit", "f1", "--save-model", "{tmp}/nope/m.joblib"], "does not exist"),
    ],
)
def test_cli_save_model_mistakes(csv, tmp_path, args, message):
    args = [a.format(tmp=tmp_path) for a in args]
    out = run("compare", csv, "--target", "label", *args)
    assert out.returncode == 2
    assert message in out.stderr and "Traceback" not in out.stderr
