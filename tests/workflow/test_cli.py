"""The ``counterpoise`` command, run as a subprocess: CSV and Parquet round trips
keep columns and dtypes, output equals the Python API's, and every user mistake
ends with one line on stderr and exit status 2 (no traceback)."""

import re
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
        env={
            "MPLBACKEND": "Agg",
            "PATH": "/usr/bin:/bin",
            "RAYON_NUM_THREADS": "2",
            # OpenMP's spinning threads make HistGradientBoosting crawl on
            # busy shared cores
            "OMP_NUM_THREADS": "1",
        },
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
    # the integer column "age" is interpolated as float, then rounded to the
    # nearest integer (not truncated toward zero) when cast back
    X, y = original.drop(columns="label"), original["label"]
    X = X.astype({"age": "float64"})
    X_res, y_res = SMOTE(k_neighbors=3, random_state=4).fit_resample(X, y)
    X_res["age"] = _round_half_away(X_res["age"])
    expected = X_res.assign(label=y_res.to_numpy())[list(original.columns)]
    assert_frame_equal(result, expected.astype(original.dtypes.to_dict()), atol=1e-12)


def _round_half_away(values):
    v = np.asarray(values, dtype=float)
    return np.where(v >= 0, np.floor(v + 0.5), np.ceil(v - 0.5))


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
    X_res, _ = SMOTENC(categorical_features=cat, random_state=0).fit_resample(
        X.astype({"age": "float64"}), y
    )
    X_res["age"] = _round_half_away(X_res["age"]).astype(df["age"].dtype)
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


def test_demo_runs_on_a_fresh_install_and_writes_its_report(tmp_path):
    report = tmp_path / "demo.html"
    out = run("demo", "--report", report)
    assert out.returncode == 0, out.stderr
    for word in ("breast-cancer", "baseline", "SMOTE", "threshold", "Best PR-AUC"):
        assert word in out.stdout
    assert f"report: {report}" in out.stdout
    doc = report.read_text(encoding="utf-8")
    assert "<title>counterpoise demo</title>" in doc
    assert "data:image/png;base64," in doc
    # the report's table holds the same numbers as the terminal table, per strategy
    lines = out.stdout.splitlines()
    start = next(i for i, ln in enumerate(lines) if ln.startswith("strategy "))
    end = lines.index("", start)
    rows = [ln.split() for ln in lines[start + 2 : end]]
    names = [r[0] for r in rows]
    assert names[0] == "baseline" and "SMOTE" in names and len(names) >= 8
    summary = doc.split("<h2>Strategies")[1].split("</table>")[0]
    for name, cells in zip(names, (r[1:-1] for r in rows)):
        row = summary.split(f"<tr><td>{name}</td>")[1].split("</tr>")[0]
        rendered = [c.replace("±", " ± ") for c in cells]
        for cell in rendered:
            assert f">{cell}</td>" in row, (name, cell)
    assert "357" in doc and "21" in doc  # the target's counts


# -- options and commands, each checked for its effect


def test_version_prints_the_package_version():
    import counterpoise

    out = run("--version")
    assert out.returncode == 0, out.stderr
    assert out.stdout == f"counterpoise {counterpoise.__version__}\n"
    assert counterpoise.__version__ and counterpoise.__version__[0].isdigit()


def _zoned(n=200, seed=3):
    rng = np.random.default_rng(seed)
    y = (rng.random(n) < 0.2).astype(int)
    return pd.DataFrame(
        {
            # on this scale the codes do not decide the neighbours, so a sampler
            # that treats them as numbers would move them between codes
            "amount": 100 * rng.normal(size=n) + 200 * y,
            "zone": rng.choice([0, 10, 20], n),  # integer codes: numeric, not detected
            "label": np.where(y == 1, "fraud", "ok"),
        }
    )


def test_categorical_keeps_smotenc_within_the_categories(tmp_path):
    df = _zoned()
    src, dest = tmp_path / "in.csv", tmp_path / "out.csv"
    df.to_csv(src, index=False)
    args = ["resample", src, dest, "--target", "label", "--sampler", "SMOTENC"]
    # without --categorical an all-numeric table has no categorical column
    out = run(*args, "--seed", "0")
    assert out.returncode == 2 and "--categorical" in out.stderr
    out = run(*args, "--seed", "0", "--categorical", "zone")
    assert out.returncode == 0, out.stderr
    result = pd.read_csv(dest)
    new = result.iloc[len(df) :]
    assert len(new) > 0
    assert set(new["zone"]) <= {0, 10, 20}
    # the continuous column is interpolated, not copied
    assert not set(new["amount"]) <= set(df["amount"])
    X, y = df.drop(columns="label"), df["label"]
    X_res, y_res = SMOTENC(categorical_features=[1], random_state=0).fit_resample(X, y)
    assert_frame_equal(result.drop(columns="label"), X_res, check_dtype=False)
    # SMOTE on the same codes would leave the categories: the check can fail
    X_smote, _ = SMOTE(random_state=0).fit_resample(X, y)
    assert not set(X_smote["zone"].iloc[len(df) :]) <= {0, 10, 20}
    out = run(*args, "--categorical", "nope")
    assert out.returncode == 2 and "--categorical 'nope': no such column" in out.stderr


def _table_cells(stdout, strategy):
    """The mean±std cells of ``strategy``'s row in the terminal table."""
    (line,) = [ln for ln in stdout.splitlines() if ln.split()[:1] == [strategy]]
    return line.split()[1:-1]  # drop the name and the fit seconds


def _oracle_cells(df, model, seed, positive, cv=3):
    """The table's cells (PR-AUC, ROC-AUC, F1, recall, precision, MCC, balanced
    accuracy, G-mean: mean±std, ddof=1) of the baseline, computed here."""
    from imblearn.metrics import geometric_mean_score
    from sklearn import metrics as skm
    from sklearn.model_selection import StratifiedKFold
    from threadpoolctl import threadpool_limits

    X, labels = df.drop(columns="label").to_numpy(), df["label"].to_numpy()
    y = (labels == positive).astype(int)
    per = []
    for tr, te in StratifiedKFold(cv, shuffle=True, random_state=seed).split(X, labels):
        with threadpool_limits(1):
            m = model().fit(X[tr], labels[tr])
        proba = m.predict_proba(X[te])[:, list(m.classes_).index(positive)]
        pred = (m.predict(X[te]) == positive).astype(int)
        t = y[te]
        per.append(
            [
                skm.average_precision_score(t, proba),
                skm.roc_auc_score(t, proba),
                skm.f1_score(t, pred, zero_division=0),
                skm.recall_score(t, pred, zero_division=0),
                skm.precision_score(t, pred, zero_division=0),
                skm.matthews_corrcoef(t, pred),
                skm.balanced_accuracy_score(t, pred),
                geometric_mean_score(t, pred),
            ]
        )
    per = np.array(per)
    mean, std = per.mean(axis=0), per.std(axis=0, ddof=1)
    return [f"{a:.3f}±{b:.3f}" for a, b in zip(mean, std)]


def _logistic():
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    return make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000))


def _forest():
    from sklearn.ensemble import RandomForestClassifier

    return RandomForestClassifier(n_estimators=200, n_jobs=-1, random_state=0)


def _hgb():
    from sklearn.ensemble import HistGradientBoostingClassifier

    return HistGradientBoostingClassifier(random_state=0)


@pytest.mark.parametrize(
    "model, builder, seed, positive",
    [
        ("logistic", _logistic, 0, None),
        ("forest", _forest, 7, None),
        ("hgb", _hgb, 3, "ok"),
    ],
)
def test_compare_model_seed_and_positive_change_the_scores(
    tmp_path, model, builder, seed, positive
):
    df = _frame(n=240, seed=5)
    src = tmp_path / "d.csv"
    df.to_csv(src, index=False)
    args = ["compare", src, "--target", "label", "--cv", "3", "--model", model]
    args += ["--strategies", "baseline", "--seed", seed]
    if positive is not None:
        args += ["--positive", positive]
    out = run(*args)
    assert out.returncode == 0, out.stderr
    pos = positive or "fraud"  # the minority by default
    assert f"positive class '{pos}'." in out.stdout
    assert f"model {model};" in out.stdout
    expected = _oracle_cells(df, builder, seed, pos)
    assert _table_cells(out.stdout, "baseline") == expected
    # another seed, another positive class or another model gives other numbers,
    # so each option is seen to act
    assert _oracle_cells(df, builder, seed + 1, pos) != expected
    other = "ok" if pos == "fraud" else "fraud"
    assert _oracle_cells(df, builder, seed, other) != expected
    if model != "logistic":
        assert _oracle_cells(df, _logistic, seed, pos) != expected


def test_compare_seed_pins_the_folds(tmp_path):
    src = tmp_path / "d.csv"
    _frame(n=240, seed=5).to_csv(src, index=False)
    args = ["compare", src, "--target", "label", "--cv", "3"]
    args += ["--strategies", "baseline,SMOTE"]
    first, again, other = (run(*args, "--seed", s) for s in (11, 11, 12))
    for out in (first, again, other):
        assert out.returncode == 0, out.stderr
    for name in ("baseline", "SMOTE"):
        assert _table_cells(first.stdout, name) == _table_cells(again.stdout, name)
    assert _table_cells(first.stdout, "baseline") != _table_cells(
        other.stdout, "baseline"
    )


def test_positive_must_be_a_class(csv):
    out = run("compare", csv, "--target", "label", "--positive", "nope")
    assert out.returncode == 2
    assert "--positive 'nope' is not a class" in out.stderr


def test_progress_is_drawn_only_when_asked(csv, tmp_path):
    args = ["compare", csv, "--target", "label", "--cv", "3"]
    args += ["--strategies", "baseline,class_weight"]
    quiet = run(*args)
    assert quiet.returncode == 0, quiet.stderr
    assert quiet.stderr == ""  # not a terminal: no bar
    loud = run(*args, "--progress")
    assert loud.returncode == 0, loud.stderr
    # one step per fit: 2 strategies x 3 folds; a polling thread also redraws
    # the line between steps, so every step shows at least once, in order,
    # ending on a full bar (text mode reads the carriage returns as line ends)
    frames = [s for s in loud.stderr.splitlines() if s]
    # (before the first fit ends, compare has not yet said how many there are)
    found = [re.search(r"%\s+(\d+)/6 ", f) for f in frames]
    first = next(i for i, m in enumerate(found) if m)
    assert all(m for m in found[first:])
    steps = [int(m.group(1)) for m in found[first:]]
    assert steps == sorted(steps) and {1, 2, 3, 4, 5, 6} <= set(steps)
    assert frames[-1].startswith("[" + "#" * 28 + "] 100%")
    assert loud.stderr.endswith("\n")
    assert "class_weight" in frames[-1]
    out = run(
        "resample",
        csv,
        tmp_path / "o.csv",
        "--target",
        "label",
        "--sampler",
        "RandomUnderSampler",
        "--progress",
    )
    assert out.returncode == 0, out.stderr
    frames = [f for f in out.stderr.splitlines() if f]
    steps = [re.search(r"%\s+(\d)/3 ", f).group(1) for f in frames]
    assert steps[0] == "0" and steps[-1] == "3"
    assert steps == sorted(steps) and set(steps) == {"0", "1", "2", "3"}


def test_tour_times_the_samplers_and_traces_a_row():
    from collections import Counter

    from sklearn.datasets import make_classification

    out = run("tour")
    assert out.returncode == 0, out.stderr
    _, y = make_classification(
        n_samples=200_000, n_features=20, weights=[0.99, 0.01], flip_y=0, random_state=0
    )
    n0, n1 = Counter(y.tolist())[0], Counter(y.tolist())[1]
    lines = out.stdout.splitlines()
    assert "200,000 rows x 20 features" in lines[0]
    assert lines[1].strip() == f"original class counts: {{0: {n0}, 1: {n1}}}"
    expected = {
        "SMOTE": {0: n0, 1: n0},
        "RandomOverSampler": {0: n0, 1: n0},
        "RandomUnderSampler": {0: n1, 1: n1},
    }
    for name, counts in expected.items():
        (line,) = [ln for ln in lines if ln.split()[:1] == [name]]
        assert line.endswith(f"-> {counts}"), line
    # every sampler is timed, on 200,000 rows or on fewer with the reason
    from counterpoise.workflow._commands import sampler_registry

    timed = re.compile(r"^\s+(\w+)\s+(\d+\.\d{3}) s -> (\{.*\})(.*)$")
    seen = {}
    for ln in lines:
        m = timed.match(ln)
        if m:
            seen[m.group(1)] = m.group(4)
    assert set(seen) == set(sampler_registry())
    for name, note in seen.items():
        assert note == "" or re.fullmatch(r"  \(\d{1,2},000 rows: .+\)", note), name
    (prov,) = [ln for ln in lines if "provenance" in ln]
    words = prov.replace("(", " ").replace(")", " ").split()
    # "provenance: synthetic row N = row a + t * row b - row a"
    assert words[3] == "200000"
    a, t, b = int(words[6]), float(words[8]), int(words[11])
    assert y[a] == 1 and y[b] == 1 and a != b and 0.0 <= t <= 1.0
