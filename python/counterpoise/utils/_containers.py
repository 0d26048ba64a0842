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
from . import _validation
from ._threads import SERIAL_WORK


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
    _validation.check_not_lazy(y, "y")
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
        self.one_hot = None


def _one_hot_layout(obj):
    """``(n_columns, classes present, dtype)`` of a 2-D 0/1 target with one 1 per
    row, or None."""
    if is_polars(obj) or sparse.issparse(obj) or len(getattr(obj, "shape", ())) == 1:
        return None
    try:
        arr = np.asarray(obj)
    except Exception:  # anything numpy cannot read is no one-hot target
        return None
    if arr.ndim != 2 or arr.shape[1] < 2 or arr.dtype.kind not in "biuf":
        return None
    if not arr.size or not np.isin(arr, (0, 1)).all() or (arr.sum(axis=1) != 1).any():
        return None
    return arr.shape[1], np.unique(arr.argmax(axis=1)), arr.dtype


def _as_one_hot(y, layout):
    """A resampled one-hot target back at its input width: ``label_binarize``
    gives one column for two classes (and one per class present otherwise)."""
    width, classes, dtype = layout
    y = np.asarray(y)
    if y.ndim != 2 or y.shape[1] == width:
        return y
    if y.shape[1] == 1 and classes.size == 2:
        labels = classes[(y[:, 0] != 0).astype(np.intp)]
    elif y.shape[1] == classes.size:
        labels = classes[y.argmax(axis=1)]
    else:
        return y
    out = np.zeros((y.shape[0], width), dtype=dtype)
    out[np.arange(y.shape[0]), labels] = 1
    return out


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
        _validation.check_not_lazy(X, "X")
        _validation.check_not_lazy(y, "y")
        self.x = _Props(X)
        self.y = _Props(y)
        # a one-hot target: its width and the classes (column indices) present,
        # to give back the same width whatever label_binarize returned
        self.y.one_hot = _one_hot_layout(y)

    def restore(self, X, y):
        if self.y.one_hot is not None:
            y = _as_one_hot(y, self.y.one_hot)
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
            return _cast_frame(out, props.dtypes)
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
            if arr.dtype.kind == "O":  # mixed columns (SMOTEN, SMOTENC): by column
                return pl.DataFrame(
                    [
                        pl.Series(name, arr[:, j].tolist(), dtype=dtype, strict=False)
                        for j, (name, dtype) in enumerate(props.schema.items())
                    ]
                )
            out = pl.from_numpy(arr, schema=list(props.columns), orient="row")
            return out.cast(dict(props.schema))
        if kind == "pl-Series":
            import polars as pl

            if is_polars(arr):
                return arr
            return pl.Series(props.name, np.asarray(arr)).cast(props.dtype)
        return arr


def _cast_frame(out, dtypes):
    """``out.astype(dtypes)`` for computed values: integer columns (numpy or
    pandas nullable) take the computed values truncated toward zero (the cast
    numpy and imbalanced-learn make), a categorical column with numeric
    categories takes the nearest category (a value between categories is no
    category: ``astype`` would give NaN)."""
    import pandas as pd

    for j, dtype in enumerate(dtypes):
        col = out.iloc[:, j]
        if isinstance(dtype, pd.CategoricalDtype):
            out.isetitem(j, _nearest_category(col, dtype))
        elif getattr(dtype, "kind", None) in ("i", "u") and col.dtype.kind == "f":
            values = col.to_numpy(dtype=np.float64)
            if np.isfinite(values).all():
                info = np.iinfo(getattr(dtype, "numpy_dtype", dtype))
                values = np.clip(np.trunc(values), info.min, info.max)
                out.isetitem(j, pd.Series(values, index=col.index).astype(dtype))
    return out.astype(dtypes)


def _nearest_category(col, dtype):
    """A computed column as ``dtype``: values that are categories stay, numeric
    values between categories take the nearest category (the lower on a tie)."""
    import pandas as pd

    cats = dtype.categories
    if col.dtype == dtype or not (
        cats.dtype.kind in "biuf" and len(cats) and col.dtype.kind in "biuf"
    ):
        return col.astype(dtype)
    values = col.to_numpy(dtype=np.float64)
    levels = np.asarray(cats, dtype=np.float64)
    order = np.argsort(levels, kind="stable")
    sorted_levels = levels[order]
    pos = np.clip(np.searchsorted(sorted_levels, values), 1, len(levels) - 1)
    if len(levels) == 1:
        pick = np.zeros(values.shape, dtype=np.intp)
    else:
        lower, upper = sorted_levels[pos - 1], sorted_levels[pos]
        pick = np.where(upper - values < values - lower, pos, pos - 1)
    snapped = np.asarray(cats)[order[pick]]
    result = pd.Series(
        pd.Categorical(snapped, categories=cats, ordered=dtype.ordered),
        index=col.index,
    )
    result[np.isnan(values)] = np.nan
    return result


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
    if (
        X.ndim != 2
        or X.dtype.hasobject
        or not X.flags.c_contiguous
        or X.itemsize == 0
        or indices.size * X.shape[1] * X.itemsize < SERIAL_WORK
    ):
        return X[indices]  # numpy's gather: no engine call for a small copy
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
    if sum(a.shape[0] for a in arrays) * width * dtype.itemsize < SERIAL_WORK:
        return np.vstack(arrays)  # a small copy: no engine call
    raw = [
        np.ascontiguousarray(a)
        .view(np.uint8)
        .reshape(a.shape[0], width * dtype.itemsize)
        for a in arrays
    ]
    out = _core.concat_rows(raw)
    return out.view(dtype).reshape(-1, width)
