"""The commands of ``counterpoise``: ``inspect``, ``resample``, ``compare``,
``demo`` and ``tour``, each ``cmd_NAME(args) -> exit status``."""

from __future__ import annotations

import ast
import sys
import time
from pathlib import Path

from ._tables import (
    CLIError,
    file_kind,
    non_numeric,
    read_table,
    require_pandas,
    split_target,
    write_table,
)


class _NoBar:
    """What :func:`_bar` hands out when no bar is shown: every call does nothing."""

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def step(self, done, total=None, label=None):
        pass


def _bar(enabled: bool, steps: int, label: str):
    """A progress bar on stderr (only when stderr is a terminal, or when forced
    with --progress): a polling thread redraws it a few times a second from the
    Rust core's work counters, so it moves during a long resampling call."""
    if not enabled:
        return _NoBar()
    from ..utils._progress import ProgressBar

    return ProgressBar(steps=steps, label=label)


def sampler_registry() -> dict:
    from .. import combine, over_sampling, under_sampling

    out = {}
    for mod in (over_sampling, under_sampling, combine):
        for name in mod.__all__:
            out[name] = getattr(mod, name)
    return out


def _parse_value(text: str):
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return text  # a bare word: a string parameter such as kind=borderline-2


def build_sampler(name: str, params: list, seed, categorical: list, X):
    registry = sampler_registry()
    matches = [k for k in registry if k.lower() == name.lower()]
    if not matches:
        raise CLIError(
            f"unknown sampler {name!r}; choose from: {', '.join(sorted(registry))}."
        )
    cls = registry[matches[0]]
    kwargs = {}
    for item in params:
        if "=" not in item:
            raise CLIError(f"--param {item!r}: write it as key=value.")
        key, value = item.split("=", 1)
        kwargs[key.strip()] = _parse_value(value.strip())
    valid = set(cls._get_param_names())
    if cls.__name__ == "SMOTENC":
        if "categorical_features" not in kwargs:
            kwargs["categorical_features"] = [
                X.columns.get_loc(c) for c in (categorical or non_numeric(X))
            ]
            if not kwargs["categorical_features"]:
                raise CLIError(
                    "SMOTENC needs categorical columns: none are non-numeric; name "
                    "them with --categorical COL[,COL...]."
                )
    for key in kwargs:
        if key not in valid:
            raise CLIError(
                f"{cls.__name__} has no parameter {key!r}; its parameters are: "
                f"{', '.join(sorted(valid))}."
            )
    if seed is not None and "random_state" in valid:
        kwargs.setdefault("random_state", seed)
    return cls(**kwargs)


def cmd_inspect(args) -> int:
    from ._inspect import inspect

    df = read_table(args.data)
    _, y = split_target(df, args.target)
    print(f"{args.data}: {len(df):,} rows, {df.shape[1] - 1} feature columns")
    print(inspect(y.to_numpy()))
    return 0


def integer_columns(X, categorical=()):
    """The numeric feature columns of an integer dtype (numpy or pandas nullable,
    not bool), except those named categorical: their synthetic values are
    interpolated, so they are resampled as floats and cast back by
    :func:`cast_integers`."""
    import pandas as pd

    return [
        c
        for c in X.columns
        if c not in categorical
        and pd.api.types.is_integer_dtype(X[c])
        and not isinstance(X[c].dtype, pd.CategoricalDtype)
    ]


def cast_integers(result, dtypes, columns, mode: str = "round"):
    """Cast the integer ``columns`` of ``result`` back to their input ``dtypes``:
    rounded to the nearest integer (halves away from zero) and clipped into the
    dtype's range, never truncated toward zero; with ``mode='float'`` they stay
    float64."""
    import numpy as np
    import pandas as pd

    for c in columns:
        if mode == "float":
            result[c] = result[c].astype("float64")
            continue
        dtype = dtypes[c]
        info = np.iinfo(getattr(dtype, "numpy_dtype", dtype))
        values = pd.to_numeric(result[c]).astype("float64").to_numpy()
        values = np.trunc(values + np.copysign(0.5, values))
        values = np.clip(values, float(info.min), float(info.max))
        if info.bits == 64:  # float64 cannot hold every int64: clip exactly
            big = values >= 2.0**63 if info.kind == "i" else values >= 2.0**64
            values = values.astype(object)
            values[big] = info.max
        result[c] = pd.Series(values, index=result.index).astype(dtype)
    return result


def cmd_resample(args) -> int:
    data, out = Path(args.data), Path(args.out)
    file_kind(out)
    if out.exists() and data.exists() and out.resolve() == data.resolve():
        raise CLIError(f"{out} is the input file: refusing to overwrite it.")
    with _bar(args.progress or sys.stderr.isatty(), 3, "read") as bar:
        df = read_table(args.data)
        bar.step(1, 3, "resample")
        X, y = split_target(df, args.target)
        categorical = _split_names(args.categorical)
        for c in categorical:
            if c not in X.columns:
                raise CLIError(f"--categorical {c!r}: no such column.")
        pd = require_pandas()
        if categorical:
            X = X.astype({c: "category" for c in categorical if X[c].dtype == object})
        sampler = build_sampler(args.sampler, args.param, args.seed, categorical, X)
        name = type(sampler).__name__
        free = ("SMOTENC", "SMOTEN", "RandomOverSampler", "RandomUnderSampler")
        bad = non_numeric(X)
        if name not in free and bad:
            raise CLIError(
                f"{name} needs numeric features, but {', '.join(map(repr, bad))} "
                f"{'is' if len(bad) == 1 else 'are'} not numeric; use --sampler "
                "SMOTENC (categorical columns are detected, or name them with "
                "--categorical), or drop or encode those columns."
            )
        ints = integer_columns(X, set(categorical) | set(bad))
        if ints:  # interpolate in float; cast_integers rounds afterwards
            X = X.astype({c: "float64" for c in ints})
        t0 = time.perf_counter()
        X_res, y_res = sampler.fit_resample(X, y)
        elapsed = time.perf_counter() - t0
        bar.step(2, 3, "write")
        X_res = (
            pd.DataFrame(X_res, columns=X.columns)
            if not hasattr(X_res, "columns")
            else X_res
        )
        result = X_res.copy()
        result.insert(
            list(df.columns).index(args.target),
            args.target,
            pd.Series(y_res).to_numpy(),
        )
        dtypes = df.dtypes.to_dict()
        result = cast_integers(result, dtypes, ints, args.integers)
        result = result.astype({c: t for c, t in dtypes.items() if c not in ints})
        write_table(result, args.out)
        bar.step(3, 3, "done")
    before = y.value_counts().to_dict()
    after = pd.Series(y_res).value_counts().to_dict()
    print(
        f"{name}: {len(df):,} -> {len(result):,} rows in {elapsed:.2f}s; "
        f"wrote {args.out}"
    )
    if ints:
        how = (
            "rounded to the nearest integer"
            if args.integers == "round"
            else "written as float"
        )
        print(f"  integer columns {how}: {', '.join(map(str, ints))}")
    for label in sorted(after, key=str):
        print(f"  {label!s:>12}: {before.get(label, 0):>10,} -> {after[label]:>10,}")
    return 0


def _split_names(text):
    if not text:
        return []
    return [c.strip() for c in text.split(",") if c.strip()]


def _model(kind: str, X):
    from sklearn.compose import ColumnTransformer
    from sklearn.ensemble import HistGradientBoostingClassifier, RandomForestClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    categorical = non_numeric(X)
    numeric = [c for c in X.columns if c not in categorical]
    scaler = StandardScaler() if kind == "logistic" else "passthrough"
    encoder = OneHotEncoder(handle_unknown="ignore", sparse_output=False)
    prep = ColumnTransformer(
        [("num", scaler, numeric), ("cat", encoder, categorical)],
        sparse_threshold=0.0,
    )
    model = {
        "logistic": lambda: LogisticRegression(max_iter=2000),
        "forest": lambda: RandomForestClassifier(
            n_estimators=200, n_jobs=-1, random_state=0
        ),
        "hgb": lambda: HistGradientBoostingClassifier(random_state=0),
    }[kind]()
    return Pipeline([("prep", prep), ("model", model)])


def cmd_compare(args) -> int:
    from ._runner import compare
    from ._strategies import STRATEGIES

    if args.report:
        _check_report_path(args.report)
        require_matplotlib("--report")
    if args.save_model:
        if not args.refit:
            raise CLIError(
                "--save-model needs --refit METRIC: the metric that chooses the "
                "strategy to save."
            )
        parent = Path(args.save_model).resolve().parent
        if not parent.exists():
            raise CLIError(
                f"--save-model {args.save_model}: folder {parent} does not exist."
            )
    df = read_table(args.data)
    X, y = split_target(df, args.target)
    if X.isna().any().any():
        cols = [c for c in X.columns if X[c].isna().any()]
        raise CLIError(
            f"feature columns {cols[:5]} have missing values; impute or drop them "
            "first."
        )
    strategies = _split_names(args.strategies) or None
    if strategies:
        unknown = [s for s in strategies if s not in STRATEGIES]
        if unknown:
            raise CLIError(
                f"unknown strategy {unknown[0]!r}; choose from: "
                f"{', '.join(STRATEGIES)}."
            )
    estimator = _model(args.model, X)
    if y.nunique() != 2:
        raise CLIError(
            f"compare needs a binary target; {args.target!r} has {y.nunique()} classes."
        )
    if args.positive is not None:
        positive = _match_label(args.positive, y)
    else:
        positive = None
    t0 = time.perf_counter()
    with _bar(args.progress or sys.stderr.isatty(), 1, "compare") as bar:
        result = compare(
            X,
            y.to_numpy(),
            estimator=estimator,
            strategies=strategies,
            cv=args.cv,
            random_state=args.seed,
            positive_class=positive,
            progress=bar.step,
            refit=args.refit,
            selection=args.selection,
        )
    print(
        f"{args.data}: {len(df):,} rows; model {args.model}; "
        f"{time.perf_counter() - t0:.1f}s"
    )
    print(result.inspect)
    print()
    print(result.table())
    if args.report:
        result.to_html(
            args.report, title=f"counterpoise compare: {Path(args.data).name}"
        )
        print(f"report: {args.report}")
    if args.save_model:
        import joblib

        joblib.dump(result.best_estimator_, args.save_model)
        print(
            f"model: {args.save_model} ({result.best_strategy_}, refitted on all rows)"
        )
    return 0


def _match_label(text, y):
    for label in y.unique():
        if str(label) == text:
            return label
    raise CLIError(f"--positive {text!r} is not a class of the target.")


def _check_report_path(path):
    if not str(path).lower().endswith((".html", ".htm")):
        raise CLIError(f"--report {path}: the report is HTML; name it *.html.")
    parent = Path(path).resolve().parent
    if not parent.exists():
        raise CLIError(f"--report {path}: folder {parent} does not exist.")


def require_matplotlib(option: str) -> None:
    """Fail at once, with the fix, when ``option`` needs matplotlib and it is not
    installed (instead of after the work, with a traceback)."""
    import importlib.util

    if importlib.util.find_spec("matplotlib") is None:
        raise CLIError(
            f"{option} draws plots and needs matplotlib, which is not installed: "
            'pip install matplotlib (or pip install "counterpoise[cli]"), or leave '
            f"out {option}."
        )


def demo_data():
    """scikit-learn's breast-cancer data made imbalanced: every benign case and one
    malignant in ten (357 vs 21), as a DataFrame with the target 'diagnosis'."""
    import numpy as np
    from sklearn.datasets import load_breast_cancer

    data = load_breast_cancer()
    X, y = data.data, np.where(data.target == 0, "malignant", "benign")
    rng = np.random.default_rng(0)
    malignant = np.flatnonzero(y == "malignant")
    keep = np.sort(
        np.r_[np.flatnonzero(y == "benign"), rng.choice(malignant, 21, replace=False)]
    )
    return X[keep], y[keep], list(data.feature_names)


def cmd_demo(args) -> int:
    from .. import __version__
    from ._inspect import inspect
    from ._runner import compare
    from ._strategies import default_estimator

    if args.report:  # before the work, not after it
        _check_report_path(args.report)
        require_matplotlib("--report")
    X, y, _ = demo_data()
    print(
        f"counterpoise {__version__} demo: scikit-learn's breast-cancer data, "
        "made imbalanced"
    )
    print(f"{X.shape[0]} rows x {X.shape[1]} features")
    print(inspect(y))
    print()
    t0 = time.perf_counter()
    with _bar(args.progress or sys.stderr.isatty(), 1, "compare") as bar:
        result = compare(
            X, y, estimator=default_estimator(), cv=5, random_state=0, progress=bar.step
        )
    print(
        f"compare: scaled logistic regression, {len(result.strategies)} "
        f"strategies x 5 folds in {time.perf_counter() - t0:.1f}s"
    )
    print()
    print(result.table())
    if args.report:
        result.to_html(args.report, title="counterpoise demo")
        print(f"report: {args.report}")
    print()
    print("next: counterpoise compare YOUR.csv --target COLUMN --report report.html")
    return 0


def cmd_tour(args) -> int:
    from ._tour import tour

    tour()
    return 0
