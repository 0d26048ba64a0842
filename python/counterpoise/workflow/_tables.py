"""The command's data files: CSV or Parquet tables read and written by
extension, and the target column split off with the mistakes a person makes
reported as one :class:`CLIError` line."""

from __future__ import annotations

from pathlib import Path


class CLIError(Exception):
    """A mistake of the person at the keyboard: reported as one line."""


def require_pandas():
    try:
        import pandas as pd
    except ImportError:
        raise CLIError("reading data files needs pandas: pip install pandas") from None
    return pd


def file_kind(path: Path) -> str:
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
    kind = file_kind(path)
    if not path.exists():
        raise CLIError(f"{path}: no such file.")
    if path.is_dir():
        raise CLIError(f"{path}: is a directory, not a data file.")
    pd = require_pandas()
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
    kind = file_kind(path)
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


def non_numeric(X):
    import pandas as pd

    return [
        c
        for c in X.columns
        if not (
            pd.api.types.is_numeric_dtype(X[c]) and not pd.api.types.is_bool_dtype(X[c])
        )
        or isinstance(X[c].dtype, pd.CategoricalDtype)
    ]
