"""The ``counterpoise`` command: inspect, resample, compare, demo.

    counterpoise demo
    counterpoise inspect DATA --target COL
    counterpoise resample DATA OUT --target COL --sampler NAME [--param k=v ...]
    counterpoise compare DATA --target COL [--model logistic|forest|hgb] [--cv 5]
                         [--report report.html]

DATA and OUT are CSV or Parquet files (by extension; Parquet needs pyarrow or
polars). Mistakes (a missing file, an unknown column or sampler, ...) end with one
line on stderr and exit status 2, never a traceback.
"""

from __future__ import annotations

import argparse
import ast
import os
import sys
import time
from pathlib import Path

EXIT_USAGE = 2


class CLIError(Exception):
    """A mistake of the person at the keyboard: reported as one line."""


# ----------------------------------------------------------------- progress


class Progress:
    """A one-line progress bar on stderr (only when stderr is a terminal, or
    when forced with --progress)."""

    def __init__(self, enabled: bool, width: int = 28):
        self.enabled = enabled
        self.width = width
        self.start = time.perf_counter()

    def __call__(self, done: int, total: int, label: str = "") -> None:
        if not self.enabled:
            return
        frac = done / total if total else 1.0
        bar = "#" * int(frac * self.width)
        elapsed = time.perf_counter() - self.start
        sys.stderr.write(
            f"\r[{bar:<{self.width}}] {done}/{total} {label[:24]:<24} {elapsed:6.1f}s"
        )
        if done >= total:
            sys.stderr.write("\n")
        sys.stderr.flush()


# ----------------------------------------------------------------- data i/o


def _pandas():
    try:
        import pandas as pd
    except ImportError:
        raise CLIError("reading data files needs pandas: pip install pandas") from None
    return pd


def _fmt(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix in (".csv", ".txt", ".tsv"):
        return "csv"
    if suffix in (".parquet", ".pq"):
        return "parquet"
    raise CLIError(
        f"{path}: unknown file type {suffix or '(none)'!r}; use .csv or .parquet."
    )


def read_table(path_str: str):
    path = Path(path_str)
    kind = _fmt(path)
    if not path.exists():
        raise CLIError(f"{path}: no such file.")
    if path.is_dir():
        raise CLIError(f"{path}: is a directory, not a data file.")
    pd = _pandas()
    try:
        if kind == "csv":
            sep = "\t" if path.suffix.lower() == ".tsv" else ","
            return pd.read_csv(path, sep=sep)
        return _read_parquet(pd, path)
    except CLIError:
        raise
    except Exception as exc:  # a malformed file: say which and why, in one line
        raise CLIError(f"{path}: could not read it as {kind}: {exc}") from None


def _read_parquet(pd, path):
    try:
        import pyarrow  # noqa: F401

        return pd.read_parquet(path)
    except ImportError:
        pass
    try:
        import polars as pl
    except ImportError:
        raise CLIError("Parquet needs pyarrow or polars: pip install pyarrow") from None
    return pl.read_parquet(path).to_pandas()


def write_table(df, path_str: str) -> None:
    path = Path(path_str)
    kind = _fmt(path)
    if kind == "csv":
        df.to_csv(path, index=False, sep="\t" if path.suffix == ".tsv" else ",")
        return
    try:
        import pyarrow  # noqa: F401

        df.to_parquet(path, index=False)
        return
    except ImportError:
        pass
    try:
        import polars as pl
    except ImportError:
        raise CLIError("Parquet needs pyarrow or polars: pip install pyarrow") from None
    pl.from_pandas(df).write_parquet(path)


def split_target(df, target: str):
    if target not in df.columns:
        names = ", ".join(map(str, list(df.columns)[:12]))
        raise CLIError(f"no column named {target!r}; the columns are: {names}.")
    y = df[target]
    X = df.drop(columns=[target])
    if X.shape[1] == 0:
        raise CLIError(f"{target!r} is the only column: there are no features.")
    if y.isna().any():
        raise CLIError(
            f"target column {target!r} has {int(y.isna().sum())} missing values; "
            "drop those rows first."
        )
    if y.nunique() < 2:
        raise CLIError(
            f"target column {target!r} has a single class ({y.iloc[0]!r}): there "
            "is nothing to balance."
        )
    return X, y


def _non_numeric(X):
    import pandas as pd

    return [
        c
        for c in X.columns
        if not (
            pd.api.types.is_numeric_dtype(X[c]) and not pd.api.types.is_bool_dtype(X[c])
        )
        or isinstance(X[c].dtype, pd.CategoricalDtype)
    ]


# ----------------------------------------------------------------- samplers


def sampler_registry() -> dict:
    from . import combine, over_sampling, under_sampling

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
                X.columns.get_loc(c) for c in (categorical or _non_numeric(X))
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


# ----------------------------------------------------------------- commands


def cmd_inspect(args) -> int:
    from ._compare import inspect

    df = read_table(args.data)
    _, y = split_target(df, args.target)
    print(f"{args.data}: {len(df):,} rows, {df.shape[1] - 1} feature columns")
    print(inspect(y.to_numpy()))
    return 0


def cmd_resample(args) -> int:
    data, out = Path(args.data), Path(args.out)
    _fmt(out)
    if out.exists() and data.exists() and out.resolve() == data.resolve():
        raise CLIError(f"{out} is the input file: refusing to overwrite it.")
    progress = Progress(args.progress or sys.stderr.isatty())
    df = read_table(args.data)
    progress(1, 3, "read")
    X, y = split_target(df, args.target)
    categorical = _split_names(args.categorical)
    for c in categorical:
        if c not in X.columns:
            raise CLIError(f"--categorical {c!r}: no such column.")
    pd = _pandas()
    if categorical:
        X = X.astype({c: "category" for c in categorical if X[c].dtype == object})
    sampler = build_sampler(args.sampler, args.param, args.seed, categorical, X)
    name = type(sampler).__name__
    free = ("SMOTENC", "SMOTEN", "RandomOverSampler", "RandomUnderSampler")
    bad = _non_numeric(X)
    if name not in free and bad:
        raise CLIError(
            f"{name} needs numeric features, but {', '.join(map(repr, bad))} "
            f"{'is' if len(bad) == 1 else 'are'} not numeric; use --sampler SMOTENC "
            "(categorical columns are detected, or name them with --categorical), "
            "or drop or encode those columns."
        )
    t0 = time.perf_counter()
    X_res, y_res = sampler.fit_resample(X, y)
    elapsed = time.perf_counter() - t0
    progress(2, 3, "resample")
    X_res = (
        pd.DataFrame(X_res, columns=X.columns)
        if not hasattr(X_res, "columns")
        else X_res
    )
    result = X_res.copy()
    result.insert(
        list(df.columns).index(args.target), args.target, pd.Series(y_res).to_numpy()
    )
    result = result.astype(df.dtypes.to_dict())
    write_table(result, args.out)
    progress(3, 3, "write")
    before = y.value_counts().to_dict()
    after = pd.Series(y_res).value_counts().to_dict()
    print(
        f"{name}: {len(df):,} -> {len(result):,} rows in {elapsed:.2f}s; "
        f"wrote {args.out}"
    )
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

    categorical = _non_numeric(X)
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
    from ._compare import STRATEGIES, compare

    if args.report:
        _check_report_path(args.report)
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
    progress = Progress(args.progress or sys.stderr.isatty())
    t0 = time.perf_counter()
    result = compare(
        X,
        y.to_numpy(),
        estimator=estimator,
        strategies=strategies,
        cv=args.cv,
        random_state=args.seed,
        positive_class=positive,
        progress=progress,
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
    from . import __version__
    from ._compare import compare, default_estimator, inspect

    X, y, _ = demo_data()
    print(
        f"counterpoise {__version__} demo: scikit-learn's breast-cancer data, "
        "made imbalanced"
    )
    print(f"{X.shape[0]} rows x {X.shape[1]} features")
    print(inspect(y))
    print()
    progress = Progress(args.progress or sys.stderr.isatty())
    t0 = time.perf_counter()
    result = compare(
        X, y, estimator=default_estimator(), cv=5, random_state=0, progress=progress
    )
    print(
        f"compare: scaled logistic regression, {len(result.strategies)} "
        f"strategies x 5 folds in {time.perf_counter() - t0:.1f}s"
    )
    print()
    print(result.table())
    if args.report:
        _check_report_path(args.report)
        result.to_html(args.report, title="counterpoise demo")
        print(f"report: {args.report}")
    print()
    print("next: counterpoise compare YOUR.csv --target COLUMN --report report.html")
    return 0


def _tour() -> int:
    from .__main__ import tour

    tour()
    return 0


# ----------------------------------------------------------------- main


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="counterpoise",
        description="Imbalanced learning: look at the classes, resample, and compare "
        "class weights, threshold tuning and resampling on the same folds.",
    )
    from . import __version__

    p.add_argument("--version", action="version", version=f"counterpoise {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    def common(q):
        q.add_argument("--progress", action="store_true", help="always show progress")

    q = sub.add_parser("demo", help="compare strategies on built-in data")
    q.add_argument("--report", help="also write an HTML report here")
    common(q)
    q.set_defaults(func=cmd_demo)

    q = sub.add_parser("tour", help="time the samplers on 200,000 synthetic rows")
    q.set_defaults(func=lambda args: _tour())

    q = sub.add_parser("inspect", help="class counts and imbalance severity")
    q.add_argument("data", help="CSV or Parquet file")
    q.add_argument("--target", required=True, help="the label column")
    q.set_defaults(func=cmd_inspect)

    q = sub.add_parser("resample", help="resample a data file with a sampler")
    q.add_argument("data", help="input CSV or Parquet file")
    q.add_argument("out", help="output CSV or Parquet file (not the input)")
    q.add_argument("--target", required=True, help="the label column")
    q.add_argument("--sampler", required=True, help="e.g. SMOTE, SMOTENC, TomekLinks")
    q.add_argument(
        "--param",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="sampler parameter (repeatable), e.g. --param k_neighbors=3",
    )
    q.add_argument("--seed", type=int, default=None, help="random_state")
    q.add_argument(
        "--categorical",
        default="",
        metavar="COL[,COL...]",
        help="categorical columns (SMOTENC); default: the non-numeric ones",
    )
    common(q)
    q.set_defaults(func=cmd_resample)

    q = sub.add_parser("compare", help="compare strategies on the same folds")
    q.add_argument("data", help="CSV or Parquet file")
    q.add_argument("--target", required=True, help="the label column (binary)")
    q.add_argument("--model", choices=["logistic", "forest", "hgb"], default="logistic")
    q.add_argument("--cv", type=int, default=5, help="stratified folds (default 5)")
    q.add_argument("--seed", type=int, default=0)
    q.add_argument("--positive", help="the class of interest (default: minority)")
    q.add_argument("--strategies", default="", metavar="NAME[,NAME...]")
    q.add_argument("--report", help="write an HTML report with the plots here")
    common(q)
    q.set_defaults(func=cmd_compare)
    return p


def main(argv=None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return EXIT_USAGE
    os.environ.setdefault("MPLBACKEND", "Agg")
    try:
        return args.func(args)
    except CLIError as exc:
        print(f"counterpoise: error: {exc}", file=sys.stderr)
    except (ValueError, TypeError, RuntimeError, KeyError, OSError) as exc:
        message = " ".join(str(exc).split()) or type(exc).__name__
        print(f"counterpoise: error: {message}", file=sys.stderr)
    except KeyboardInterrupt:
        print("counterpoise: interrupted", file=sys.stderr)
        return 130
    return EXIT_USAGE


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
