"""The ``counterpoise`` command, run as a subprocess: CSV and Parquet round trips
keep columns and dtypes, output equals the Python API's, and every user mistake
ends with one line on stderr and exit status 2 (no traceback)."""

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from counterpoise.over_sampling import SMOTE, SMOTENC
from pandas.testing import assert_frame_equal


def run(*args, timeout=300):
    return subprocess.run(
        [sys.executable, "-m", "counterpoise", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={"MPLBACKEND": "Agg", "PATH": "/usr/bin:/bin", "RAYON_NUM_THREADS": "2"},
    )


def _frame(n=300, seed=0):
    rng = np.random.default_rng(seed)
    y = (rng.random(n) < 0.15).astype(int)
    return pd.DataFrame(
        {
            "amount": rng.normal(size=n) + y,
            "age": rng.integers(18, 90, n),
            "label": np.where(y == 1, "fraud", "ok"),
            "score": rng.normal(size=n).astype(np.float32),
        }
    )


@pytest.fixture
def csv(tmp_path):
    path = tmp_path / "data.csv"
    _frame().to_csv(path, index=False)
    return path


def test_inspect(csv):
    out = run("inspect", csv, "--target", "label")
    assert out.returncode == 0, out.stderr
    assert "fraud" in out.stdout and "imbalance ratio" in out.stdout
    assert "moderate" in out.stdout or "mild" in out.stdout


def test_resample_csv_round_trip_equals_the_python_api(csv, tmp_path):
    dest = tmp_path / "out.csv"
    out = run(
        "resample",
        csv,
        dest,
        "--target",
        "label",
        "--sampler",
        "SMOTE",
        "--param",
        "k_neighbors=3",
        "--seed",
        "4",
    )
    assert out.returncode == 0, out.stderr
    original, result = pd.read_csv(csv), pd.read_csv(dest)
    assert list(result.columns) == list(original.columns)
    assert (result.dtypes == original.dtypes).all()
    counts = result["label"].value_counts()
    assert counts["fraud"] == counts["ok"] == (original["label"] == "ok").sum()
    X, y = original.drop(columns="label"), original["label"]
    X_res, y_res = SMOTE(k_neighbors=3, random_state=4).fit_resample(X, y)
    expected = X_res.assign(label=y_res.to_numpy())[list(original.columns)]
    assert_frame_equal(result, expected.astype(original.dtypes.to_dict()), atol=1e-12)


def test_resample_parquet_keeps_dtypes_and_categories(tmp_path):
    df = _frame(seed=1)
    df["city"] = pd.Categorical(
        np.random.default_rng(0).choice(["Oslo", "Lima"], len(df))
    )
    df["kind"] = np.random.default_rng(1).choice(["a", "b", "c"], len(df))
    src, dest = tmp_path / "in.parquet", tmp_path / "out.parquet"
    df.to_parquet(src, index=False)
    out = run(
        "resample",
        src,
        dest,
        "--target",
        "label",
        "--sampler",
        "SMOTENC",
        "--seed",
        "0",
    )
    assert out.returncode == 0, out.stderr
    result = pd.read_parquet(dest)
    assert list(result.columns) == list(df.columns)
    assert list(result.dtypes) == list(df.dtypes)
    assert list(result["city"].cat.categories) == ["Lima", "Oslo"]
    assert_frame_equal(result.iloc[: len(df)], pd.read_parquet(src))
    X, y = df.drop(columns="label"), df["label"]
    cat = [X.columns.get_loc(c) for c in ("city", "kind")]
    X_res, _ = SMOTENC(categorical_features=cat, random_state=0).fit_resample(X, y)
    assert_frame_equal(result.drop(columns="label"), X_res)


def test_resample_cleaning_sampler_and_parquet_to_csv(tmp_path):
    src, dest = tmp_path / "in.parquet", tmp_path / "out.csv"
    _frame(seed=2).drop(columns=[]).to_parquet(src, index=False)
    out = run("resample", src, dest, "--target", "label", "--sampler", "tomeklinks")
    assert out.returncode == 0, out.stderr
    assert len(pd.read_csv(dest)) <= 300


@pytest.mark.parametrize(
    "args, message",
    [
        (["inspect", "missing.csv", "--target", "label"], "no such file"),
        (["inspect", "{csv}", "--target", "nope"], "no column named 'nope'"),
        (["inspect", "{one}", "--target", "label"], "single class"),
        (
            ["resample", "{csv}", "{out}", "--target", "label", "--sampler", "SMOOTE"],
            "unknown sampler",
        ),
        (
            [
                "resample",
                "{csv}",
                "{out}",
                "--target",
                "label",
                "--sampler",
                "SMOTE",
                "--param",
                "k=3",
            ],
            "has no parameter 'k'",
        ),
        (
            ["resample", "{csv}", "{csv}", "--target", "label", "--sampler", "SMOTE"],
            "refusing to overwrite",
        ),
        (
            ["resample", "{text}", "{out}", "--target", "label", "--sampler", "SMOTE"],
            "not numeric",
        ),
        (
            [
                "resample",
                "{csv}",
                "{tmp}/out.xlsx",
                "--target",
                "label",
                "--sampler",
                "SMOTE",
            ],
            "unknown file type",
        ),
        (
            ["compare", "{csv}", "--target", "label", "--strategies", "magic"],
            "unknown strategy",
        ),
        (
            [
                "resample",
                "{csv}",
                "{out}",
                "--target",
                "label",
                "--sampler",
                "SMOTE",
                "--param",
                "k_neighbors=500",
            ],
            "k_neighbors=500",
        ),
    ],
)
def test_mistakes_end_with_one_clear_line(csv, tmp_path, args, message):
    one = tmp_path / "one.csv"
    _frame().assign(label="ok").to_csv(one, index=False)
    text = tmp_path / "text.csv"
    _frame().assign(city="Oslo").to_csv(text, index=False)
    fill = {
        "csv": csv,
        "one": one,
        "out": tmp_path / "o.csv",
        "text": text,
        "tmp": tmp_path,
    }
    out = run(*[a.format(**fill) for a in args])
    assert out.returncode == 2
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1, out.stderr
    assert lines[0].startswith("counterpoise: error:")
    assert message in lines[0]
    assert "Traceback" not in out.stderr


def test_compare_writes_a_report(csv, tmp_path):
    report = tmp_path / "report.html"
    out = run(
        "compare",
        csv,
        "--target",
        "label",
        "--cv",
        "3",
        "--model",
        "hgb",
        "--strategies",
        "baseline,SMOTE,threshold",
        "--report",
        report,
    )
    assert out.returncode == 0, out.stderr
    assert "PR-AUC" in out.stdout and "SMOTE" in out.stdout
    html = report.read_text()
    assert "data:image/png;base64," in html and len(html) > 10_000


def test_demo_runs_on_a_fresh_install():
    out = run("demo")
    assert out.returncode == 0, out.stderr
    for word in ("breast-cancer", "baseline", "SMOTE", "threshold", "Best PR-AUC"):
        assert word in out.stdout
