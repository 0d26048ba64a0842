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


def cmd_resample(args) -> int:
    data, out = Path(args.data), Path(args.out)
    file_kind(out)
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


def cmd_tour(args) -> int:
    from ._tour import tour

    tour()
    return 0
