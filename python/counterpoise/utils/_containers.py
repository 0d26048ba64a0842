"""Input and output containers: numpy, lists, pandas, polars and scipy sparse.

A sampler remembers what it was given (``_Containers``) and hands back the same
kind: pandas keeps column names, dtypes and categories; polars keeps its schema
(imblearn crashes on polars, its issue #1092). polars is never imported unless
the input is polars. Samplers that only select rows (the random samplers) index
the caller's container directly, so nothing is converted at all.
"""

from __future__ import annotations

import numpy as np
from scipy import sparse

from .. import _core


def _module(obj) -> str:
    return type(obj).__module__.split(".")[0]


def is_pandas_df(obj) -> bool:
    return _module(obj) == "pandas" and type(obj).__name__ == "DataFrame"


def is_polars(obj) -> bool:
    return _module(obj) == "polars"


def is_polars_df(obj) -> bool:
    return is_polars(obj) and type(obj).__name__ == "DataFrame"


def to_numpy_target(y):
    """polars Series/DataFrame to numpy; anything else is left to sklearn."""
    if is_polars(y):
        return y.to_numpy()
    return y


class _Props:
    def __init__(self, obj):
        self.kind = _kind(obj)
        self.columns = getattr(obj, "columns", None)
        self.name = getattr(obj, "name", None)
        self.dtypes = getattr(obj, "dtypes", None)
        self.dtype = getattr(obj, "dtype", None)
        self.schema = (
            getattr(obj, "schema", None) if self.kind.startswith("pl") else None
        )


def _kind(obj) -> str:
    if isinstance(obj, list):
        return "list"
    mod, name = _module(obj), type(obj).__name__
    if mod == "pandas" and name in ("DataFrame", "Series"):
        return "pd-" + name
    if mod == "polars" and name in ("DataFrame", "Series"):
        return "pl-" + name
    return "other"


class Containers:
    """Remembers the types of ``X`` and ``y`` and rebuilds them after resampling."""

    def __init__(self, X, y):
        self.x = _Props(X)
        self.y = _Props(y)

    def restore(self, X, y):
        X = self._restore(X, self.x)
        y = self._restore(y, self.y)
        if self.x.kind == "pd-DataFrame" and self.y.kind in (
            "pd-Series",
            "pd-DataFrame",
        ):
            y.index = X.index
        return X, y

    @staticmethod
    def _restore(arr, props: _Props):
        kind = props.kind
        if kind == "list":
            return arr.tolist() if hasattr(arr, "tolist") else list(arr)
        if kind == "pd-DataFrame":
            import pandas as pd

            if is_pandas_df(arr):  # rows selected from the caller's own frame
                return arr.reset_index(drop=True)
            if sparse.issparse(arr):
                out = pd.DataFrame.sparse.from_spmatrix(arr, columns=props.columns)
            else:
                out = pd.DataFrame(arr, columns=props.columns)
            return out.astype(props.dtypes)
        if kind == "pd-Series":
            import pandas as pd

            if type(arr).__name__ == "Series" and _module(arr) == "pandas":
                return arr.reset_index(drop=True)
            return pd.Series(arr, dtype=props.dtype, name=props.name)
        if kind == "pl-DataFrame":
            import polars as pl

            if is_polars_df(arr):
                return arr
            arr = np.asarray(arr)
            if arr.ndim == 1:
                arr = arr.reshape(-1, 1)
            out = pl.from_numpy(arr, schema=list(props.columns), orient="row")
            return out.cast(dict(props.schema))
        if kind == "pl-Series":
            import polars as pl

            if is_polars(arr):
                return arr
            return pl.Series(props.name, np.asarray(arr)).cast(props.dtype)
        return arr


def take_rows(X, indices: np.ndarray):
    """``X[indices]`` for any supported container, as the same container.

    Numeric, boolean, datetime and fixed-width string numpy arrays go through the
    parallel Rust gather; object arrays, sparse matrices and dataframes use their
    own row indexing.
    """
    indices = np.ascontiguousarray(indices, dtype=np.int64)
    if is_pandas_df(X) or _kind(X) == "pd-Series":
        return X.iloc[indices]
    if is_polars(X):
        return X[indices]
    if sparse.issparse(X):
        return X[indices]
    X = np.asarray(X)
    if X.ndim != 2 or X.dtype.hasobject or not X.flags.c_contiguous or X.itemsize == 0:
        return X[indices]
    n, d = X.shape
    raw = X.view(np.uint8).reshape(n, d * X.itemsize)
    out = _core.take_rows(raw, indices)
    return out.view(X.dtype).reshape(len(indices), d)


def vstack_rows(parts):
    """``np.vstack(parts)`` for dense arrays of one numeric dtype, written in
    parallel into huge-page backed memory by the Rust core; anything else (sparse,
    object, mixed dtypes) goes to numpy/scipy."""
    if any(sparse.issparse(p) for p in parts):
        fmt = next(p.format for p in parts if sparse.issparse(p))
        return sparse.vstack(parts, format=fmt)
    arrays = [np.asarray(p) for p in parts]
    dtype = arrays[0].dtype if arrays else None
    if (
        not arrays
        or any(a.ndim != 2 or a.dtype != dtype for a in arrays)
        or dtype.hasobject
        or dtype.itemsize == 0
    ):
        return np.vstack(arrays)
    width = arrays[0].shape[1]
    if width == 0 or any(a.shape[1] != width for a in arrays):
        return np.vstack(arrays)  # nothing to copy, or numpy's own error message
    raw = [
        np.ascontiguousarray(a)
        .view(np.uint8)
        .reshape(a.shape[0], width * dtype.itemsize)
        for a in arrays
    ]
    out = _core.concat_rows(raw)
    return out.view(dtype).reshape(-1, width)
