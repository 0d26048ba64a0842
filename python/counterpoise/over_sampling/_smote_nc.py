"""SMOTE for categorical data: SMOTENC (mixed continuous and categorical features)
and SMOTEN (categorical only), drop-ins for imblearn 0.14.2's classes of the same
names.

SMOTENC (Chawla et al., 2002) measures distances on the continuous features plus,
for every categorical feature that differs, the median of the continuous
features' standard deviations within the class; continuous values of a new row are
interpolated as in SMOTE and each categorical value is the most frequent among the
neighbours (ties broken at random, by imblearn's draws). imblearn one-hot encodes
the whole data set into a sparse matrix, stacks every synthetic row into it and
decodes everything back; here only the rows of the classes being over-sampled are
encoded, the neighbour search runs in the Rust engine, and the caller's rows are
copied through untouched, so memory stays near the size of the output.

SMOTEN (Chawla et al., 2002) uses the Value Difference Metric on ordinal codes and
gives each feature of a new row its most frequent value among the ``k_neighbors + 1``
nearest rows (the row itself included) of a drawn row. imblearn builds the full
``n_class x n_class`` distance matrix; the Rust engine computes the same distances
(the same float additions, from per-feature tables) row by row and keeps only the
nearest, so no square matrix is ever stored.

For the same integer ``random_state`` and tie-free data the output equals imblearn's.
Ties between equal distances are broken by (distance, index); imblearn's order
among exact ties is that of numpy's ``argpartition`` and is not reproduced.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
from scipy import sparse
from scipy.spatial import distance_matrix
from sklearn.base import clone
from sklearn.exceptions import DataConversionWarning
from sklearn.preprocessing import OneHotEncoder, OrdinalEncoder
from sklearn.utils import _safe_indexing, check_array, check_random_state
from sklearn.utils._indexing import _get_column_indices
from sklearn.utils._param_validation import HasMethods, StrOptions
from sklearn.utils.sparsefuncs import mean_variance_axis
from sklearn.utils.validation import validate_data

from .. import _core
from ..metrics.pairwise import ValueDifferenceMetric
from ..utils._containers import is_pandas_df, is_polars_df, vstack_rows
from ..utils._neighbours import kneighbors
from ..utils._validation import _plain, check_target_type
from ._borderline_smote import _interpolate, _Provenance, _smote_draws
from ._smote import SMOTE

_ENCODER = [HasMethods(["fit_transform", "inverse_transform"]), None]


def _too_few(k, n, klass):
    return ValueError(
        f"k_neighbors={k} needs at least {k + 1} samples in every class to "
        f"over-sample, but class {_plain(klass)!r} has {n}. Lower k_neighbors to at "
        f"most {max(n - 1, 1)} or gather more samples of it."
    )


class SMOTENC(SMOTE):
    """SMOTE for data with both continuous and categorical features.

    Parameters
    ----------
    categorical_features : 'auto' or array-like
        Which columns are categorical: 'auto' (pandas columns of category dtype),
        column indices, column names (pandas), or a boolean mask.
    categorical_encoder : estimator, default=None
        One-hot encoder of the categorical columns (default
        ``OneHotEncoder(handle_unknown='ignore')``); it must keep one column per
        category.
    sampling_strategy, random_state, k_neighbors
        As in :class:`SMOTE`.

    Attributes
    ----------
    sampling_strategy_ : dict
    categorical_features_ : ndarray of int
    continuous_features_ : ndarray of int
    categorical_encoder_ : estimator
    median_std_ : dict
        Per over-sampled class, the median of the continuous features' standard
        deviations (the cost of a categorical mismatch).
    nn_k_ : estimator object
    synthetic_parents_, synthetic_steps_ : ndarray
        Provenance of the continuous part of every synthetic row, as in SMOTE.
    n_features_, n_features_in_, feature_names_in_
    """

    _parameter_constraints: dict = {
        **SMOTE._parameter_constraints,
        "categorical_features": ["array-like", StrOptions({"auto"})],
        "categorical_encoder": _ENCODER,
    }

    def __init__(
        self,
        categorical_features,
        *,
        categorical_encoder=None,
        sampling_strategy="auto",
        random_state=None,
        k_neighbors=5,
    ):
        super().__init__(
            sampling_strategy=sampling_strategy,
            random_state=random_state,
            k_neighbors=k_neighbors,
        )
        self.categorical_features = categorical_features
        self.categorical_encoder = categorical_encoder

    def _check_X_y(self, X, y, accept_sparse=None):
        y, binarize_y = check_target_type(
            y, indicate_one_vs_all=True, type_y=getattr(self, "_type_y", None)
        )
        if _n_samples_any(X) < 1:
            raise ValueError(
                "Found array with 0 sample(s) while a minimum of 1 is required."
            )
        if not (is_pandas_df(X) or is_polars_df(X)):
            X = check_array(
                X, dtype=None, accept_sparse=["csr", "csc"], ensure_all_finite=False
            )
        validate_data(self, X=X, y=y, reset=True, skip_check_array=True)
        self.n_features_ = self.n_features_in_
        self._validate_column_types(X)
        self._check_column_kinds()
        # continuous columns must be finite numbers (categorical ones may hold NaN,
        # which the encoder treats as a category); fit_resample reuses the checked
        # block (a temporary attribute, as base.SamplerMixin's `_type_y`)
        self._X_cont = check_array(
            _columns(X, self.continuous_features_), accept_sparse=["csr", "csc"]
        )
        return X, y, binarize_y

    def fit(self, X, y, **params):
        super().fit(X, y, **params)
        self.__dict__.pop("_X_cont", None)  # only fit_resample uses it
        return self

    def _validate_column_types(self, X):
        n = self.n_features_
        if isinstance(self.categorical_features, str):  # 'auto'
            if not (is_pandas_df(X) or is_polars_df(X)):
                raise ValueError(
                    "When `categorical_features='auto'`, the input data should be a "
                    f"pandas.DataFrame (or polars). Got {type(X)} instead. Pass the "
                    "categorical columns' indices or a boolean mask instead."
                )
            is_cat = np.array([_is_categorical_dtype(t) for t in _dtypes(X)], bool)
            self.categorical_features_ = np.flatnonzero(is_cat)
            self.continuous_features_ = np.flatnonzero(~is_cat)
            return
        key = self.categorical_features
        try:
            if is_polars_df(X):
                key = _polars_key(X, key)
                frame = np.empty((0, n))
            else:
                frame = X
            indices = np.asarray(_get_column_indices(frame, key), dtype=np.intp)
        except (ValueError, KeyError, IndexError, TypeError) as exc:
            names = getattr(X, "columns", None)
            hint = f" or names among {list(names)[:10]}" if names is not None else ""
            raise ValueError(
                f"categorical_features={self.categorical_features!r} does not select "
                f"columns of X (n_features={n}): {exc}. Pass column indices "
                f"in [0, {n}){hint}, a boolean mask of length {n}, or 'auto' for "
                "a pandas DataFrame with category columns."
            ) from exc
        self.categorical_features_ = np.unique(indices)
        self.continuous_features_ = np.setdiff1d(np.arange(n), indices)

    def _validate_estimator(self):
        super()._validate_estimator()
        self._check_column_kinds()

    def _check_column_kinds(self):
        if self.categorical_features_.size == self.n_features_in_:
            raise ValueError(
                "SMOTE-NC is not designed to work only with categorical features. It "
                "requires some numerical features (all n_features="
                f"{self.n_features_in_} columns are categorical). Use SMOTEN for data "
                "that is all categorical."
            )
        if self.categorical_features_.size == 0:
            raise ValueError(
                "SMOTE-NC is not designed to work only with numerical features. It "
                "requires some categorical features. Use SMOTE for data that is all "
                "continuous."
            )

    def _fit_resample(self, X, y):
        self._validate_estimator()
        cont, cat = self.continuous_features_, self.categorical_features_

        X_cont = self.__dict__.pop("_X_cont", None)
        if X_cont is None:  # called without fit_resample's validation
            X_cont = check_array(_columns(X, cont), accept_sparse=["csr", "csc"])
        X_cat = _columns(X, cat)
        if sparse.issparse(X_cat):
            X_cat = X_cat.toarray()
        dtype = X_cont.dtype if X_cont.dtype.name != "object" else np.float64
        if self.categorical_encoder is None:
            self.categorical_encoder_ = OneHotEncoder(
                handle_unknown="ignore", dtype=dtype
            )
        else:
            self.categorical_encoder_ = clone(self.categorical_encoder)
        encoder = self.categorical_encoder_
        encoded_all = None
        if hasattr(encoder, "transform"):
            encoder.fit(X_cat)
        else:
            encoded_all = sparse.csr_matrix(encoder.fit_transform(X_cat))
        sizes = [len(c) for c in encoder.categories_]
        offsets = np.concatenate([[0], np.cumsum(sizes)])

        def encode(rows):
            if encoded_all is not None:
                out = encoded_all[rows]
            else:
                out = sparse.csr_matrix(encoder.transform(_safe_indexing(X_cat, rows)))
            if out.shape[1] != offsets[-1]:
                raise ValueError(
                    "SMOTENC requires a one-hot encoding with one column per category "
                    "for the categorical features. The provided `categorical_encoder` "
                    f"produced {out.shape[1]} columns for {offsets[-1]} categories. "
                    "This happens when the encoder drops columns (e.g. "
                    "`OneHotEncoder(drop=...)`) or merges infrequent categories, which "
                    "is not supported. Pass an encoder that keeps all categories, such "
                    "as `OneHotEncoder(handle_unknown='ignore')`."
                )
            return out

        encode(np.arange(min(1, X_cont.shape[0])))  # the column check, always
        self.median_std_ = {}
        new_cont, new_cat, labels, provenance = [], [], [], _Provenance()
        for klass, n_samples in self.sampling_strategy_.items():
            if n_samples == 0:
                continue
            idx = np.flatnonzero(y == klass)
            block = X_cont[idx]
            block_sp = sparse.csr_matrix(block, dtype=dtype)
            dense = block.toarray() if sparse.issparse(block) else np.asarray(block)
            _, var = mean_variance_axis(block_sp, axis=0)
            median = np.median(np.sqrt(var))
            self.median_std_[klass] = median
            onehot = encode(idx).astype(dtype)
            codes = _codes(onehot, offsets)
            if math.isclose(median, 0):
                scale_nn, scale_vote = dtype.type(0), dtype.type(1)
            else:
                scale_nn = scale_vote = dtype.type(median / np.sqrt(2))
            encoded = np.zeros((idx.size, dense.shape[1] + offsets[-1]), dtype=dtype)
            encoded[:, : dense.shape[1]] = dense
            encoded[:, dense.shape[1] :] = onehot.toarray() * scale_nn

            nns = self._class_neighbours(encoded, klass)
            rows, cols, steps = _smote_draws(self.random_state, nns, n_samples)
            targets = nns[rows, cols]
            new_cont.append(_interpolate(block[rows], block[targets], steps, dtype))
            provenance.add(idx[rows], idx[targets], steps)
            new_cat.append(
                self._vote(codes, nns[rows], sizes, scale_vote, dtype, n_samples)
            )
            labels.append(np.full(n_samples, klass, dtype=y.dtype))

        provenance.set_on(self)
        y_res = np.concatenate([y, *labels])
        if not labels:
            return X, y_res
        if sparse.issparse(X_cont):
            cont_new = sparse.vstack(
                [c if sparse.issparse(c) else sparse.csr_matrix(c) for c in new_cont]
            )
        else:
            cont_new = np.vstack(new_cont)
        codes_new = np.vstack(new_cat)
        onehot_new = sparse.csr_matrix(
            (
                np.ones(codes_new.size, dtype=dtype),
                (codes_new + offsets[:-1]).ravel(),
                np.arange(0, codes_new.size + 1, codes_new.shape[1]),
            ),
            shape=(codes_new.shape[0], offsets[-1]),
        )
        if self.categorical_encoder is None:  # decode without the sparse argmax
            cats = encoder.categories_
            cat_new = np.empty(
                codes_new.shape, dtype=np.result_type(*[c.dtype for c in cats])
            )
            for f, values in enumerate(cats):
                cat_new[:, f] = values[codes_new[:, f]]
        else:
            cat_new = encoder.inverse_transform(onehot_new)
        return _assemble(X, X_cont, X_cat, cont_new, cat_new, cont, cat), y_res

    def _class_neighbours(self, encoded, klass):
        n = encoded.shape[0]
        if self._uses_engine():
            if self.k_neighbors >= n:
                raise _too_few(self.k_neighbors, n, klass)
            _, nn = kneighbors(encoded, encoded, self.k_neighbors + 1)
            return nn[:, 1:]
        data = sparse.csr_matrix(encoded)
        self.nn_k_.fit(data)
        return self.nn_k_.kneighbors(data, return_distance=False)[:, 1:]

    def _vote(self, codes, neighbours, sizes, scale, dtype, n_samples):
        """Each categorical value of the new rows: the most frequent among the k
        neighbours; ties resolved by imblearn's permutation draws."""
        random_state = check_random_state(self.random_state)
        n_counts = neighbours.shape[1] + 1
        # imblearn sums the neighbours' scaled one-hot columns one after another;
        # the sum of c equal values in that order, for every count c:
        sums = np.zeros(n_counts, dtype=dtype)
        for c in range(1, n_counts):
            sums[c] = sums[c - 1] + scale
        out = np.empty((n_samples, len(sizes)), dtype=np.int64)
        rows = np.repeat(np.arange(n_samples), neighbours.shape[1])
        for f, size in enumerate(sizes):
            flat = rows * size + codes[neighbours, f].ravel()
            counts = np.bincount(flat, minlength=n_samples * size)
            col_sums = sums[counts.reshape(n_samples, size)]
            is_max = np.isclose(col_sums, col_sums.max(axis=1, keepdims=True))
            ties = random_state.permutation(np.argwhere(is_max))
            first_rows, first = np.unique(ties[:, 0], return_index=True)
            out[first_rows, f] = ties[first, 1]
        return out

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.string = True
        return tags


class SMOTEN(SMOTE):
    """SMOTE for data whose features are all categorical (Value Difference Metric).

    Parameters
    ----------
    categorical_encoder : estimator, default=None
        Ordinal encoder of the features (default ``OrdinalEncoder(dtype=np.int32)``).
    sampling_strategy, random_state, k_neighbors
        As in :class:`SMOTE`.

    Attributes
    ----------
    sampling_strategy_ : dict
    categorical_encoder_ : estimator
    nn_k_ : estimator object
        ``NearestNeighbors(n_neighbors=k_neighbors + 1, metric='precomputed')``
        (with an int, the search runs in the Rust engine on the metric directly).
    n_features_in_, feature_names_in_
    """

    _parameter_constraints: dict = {
        **SMOTE._parameter_constraints,
        "categorical_encoder": _ENCODER,
    }

    def __init__(
        self,
        categorical_encoder=None,
        *,
        sampling_strategy="auto",
        random_state=None,
        k_neighbors=5,
    ):
        super().__init__(
            sampling_strategy=sampling_strategy,
            random_state=random_state,
            k_neighbors=k_neighbors,
        )
        self.categorical_encoder = categorical_encoder

    def _check_X_y(self, X, y, accept_sparse=None):
        y, binarize_y = check_target_type(
            y, indicate_one_vs_all=True, type_y=getattr(self, "_type_y", None)
        )
        X, y = validate_data(
            self, X=X, y=y, reset=True, dtype=None, accept_sparse=["csr", "csc"]
        )
        return X, y, binarize_y

    def _validate_estimator(self):
        super()._validate_estimator()
        self.nn_k_.set_params(metric="precomputed")

    def _fit_resample(self, X, y):
        sparse_format = None
        if sparse.issparse(X):
            sparse_format = X.format
            X = X.toarray()
            warnings.warn(
                "Passing a sparse matrix to SMOTEN is not really efficient since it "
                "is converted to a dense array internally.",
                DataConversionWarning,
                stacklevel=3,
            )
        self._validate_estimator()
        fast = None
        if self.categorical_encoder is None:
            fast = _ordinal_codes(X)
        if fast is not None:
            X_encoded, self.categorical_encoder_ = fast
        elif self.categorical_encoder is None:
            self.categorical_encoder_ = OrdinalEncoder(dtype=np.int32)
        else:
            self.categorical_encoder_ = clone(self.categorical_encoder)
        try:
            if fast is None:
                X_encoded = self.categorical_encoder_.fit_transform(X)
        except (ValueError, TypeError) as exc:
            raise type(exc)(
                f"SMOTEN could not encode X as categories: {exc}. SMOTEN expects "
                "categorical features only (strings, integers or categories, no "
                "missing values); use SMOTENC for mixed data."
            ) from exc
        X_encoded = np.ascontiguousarray(X_encoded, dtype=np.int32)
        sizes = [len(c) for c in self.categorical_encoder_.categories_]
        vdm = ValueDifferenceMetric(n_categories=sizes).fit(X_encoded, y)
        tables = None
        if self._uses_engine():
            tables = [
                np.ascontiguousarray(distance_matrix(p, p, p=vdm.k) ** vdm.r)
                for p in vdm.proba_per_class_
            ]

        parts, labels = [X], [y]
        for klass, n_samples in self.sampling_strategy_.items():
            if n_samples == 0:
                continue
            idx = np.flatnonzero(y == klass)
            codes = np.ascontiguousarray(X_encoded[idx])
            if tables is not None:
                if self.k_neighbors >= idx.size:
                    raise _too_few(self.k_neighbors, idx.size, klass)
                nns = _core.vdm_kneighbors(codes, tables, self.k_neighbors + 1)
            else:
                dist = vdm.pairwise(codes)
                self.nn_k_.fit(dist)
                nns = self.nn_k_.kneighbors(dist, return_distance=False)
            random_state = check_random_state(self.random_state)
            drawn = random_state.choice(np.arange(idx.size), size=n_samples)
            new_codes = _core.vdm_mode(
                codes,
                np.ascontiguousarray(nns, dtype=np.int64),
                np.ascontiguousarray(drawn, dtype=np.int64),
                sizes,
            )
            if self.categorical_encoder is None:
                parts.append(_decode(self.categorical_encoder_.categories_, new_codes))
            else:
                parts.append(self.categorical_encoder_.inverse_transform(new_codes))
            labels.append(np.full(n_samples, klass, dtype=y.dtype))
        X_res, y_res = vstack_rows(parts), np.hstack(labels)
        if sparse_format == "csr":
            return sparse.csr_matrix(X_res), y_res
        if sparse_format == "csc":
            return sparse.csc_matrix(X_res), y_res
        return X_res, y_res

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        tags.input_tags.string = True
        return tags


# --- SMOTEN's encoding ------------------------------------------------------------


def _ordinal_codes(X):
    """``OrdinalEncoder(dtype=np.int32).fit_transform(X)`` for integer or boolean
    arrays whose columns span a modest range, by a lookup table per column instead
    of sorting: returns the codes and an OrdinalEncoder fitted to the same
    categories (on one row per category). ``None`` for other data."""
    X = np.asarray(X)
    if X.ndim != 2 or X.dtype.kind not in "iub" or X.shape[0] == 0:
        return None
    n, n_features = X.shape
    codes = np.empty((n, n_features), dtype=np.int32)
    categories = []
    for f in range(n_features):
        col = X[:, f].astype(np.int64)
        lo, hi = int(col.min()), int(col.max())
        if hi - lo > 4 * n + 1024:  # sparse values: a table would be mostly empty
            return None
        present = np.bincount(col - lo, minlength=hi - lo + 1) > 0
        rank = np.cumsum(present) - 1
        codes[:, f] = rank[col - lo]
        categories.append((np.flatnonzero(present) + lo).astype(X.dtype))
    longest = max(c.size for c in categories)
    one_each = np.empty((longest, n_features), dtype=X.dtype)
    for f, c in enumerate(categories):
        one_each[:, f] = np.resize(c, longest)
    encoder = OrdinalEncoder(dtype=np.int32).fit(one_each)
    if not all(np.array_equal(a, b) for a, b in zip(encoder.categories_, categories)):
        return None  # not what OrdinalEncoder makes of X: let it encode X itself
    return codes, encoder


def _decode(categories, codes):
    """``OrdinalEncoder.inverse_transform`` for codes known to be in range."""
    out = np.empty(codes.shape, dtype=np.result_type(*[c.dtype for c in categories]))
    for f, values in enumerate(categories):
        out[:, f] = values[codes[:, f]]
    return out


# --- helpers for SMOTENC's containers -------------------------------------------


def _n_samples_any(X):
    if hasattr(X, "shape"):
        return X.shape[0]
    return len(X)


def _dtypes(X):
    if is_polars_df(X):
        return list(X.schema.values())
    return list(X.dtypes)


def _is_categorical_dtype(t) -> bool:
    if type(t).__module__.split(".")[0] == "polars":
        return type(t).__name__ in ("Categorical", "Enum") or t.__class__.__name__ in (
            "Categorical",
            "Enum",
        )
    import pandas as pd

    return isinstance(t, pd.CategoricalDtype)


def _polars_key(X, key):
    """polars columns by name become indices (sklearn's helper knows pandas only)."""
    key = np.asarray(key)
    if key.dtype.kind in "UO":
        names = list(X.columns)
        missing = [k for k in key if k not in names]
        if missing:
            raise ValueError(f"columns {missing} are not in the DataFrame")
        return [names.index(k) for k in key]
    return key


def _columns(X, idx):
    if is_pandas_df(X):
        return X.iloc[:, idx]
    if is_polars_df(X):
        return X.select([X.columns[i] for i in idx]).to_numpy()
    return X[:, idx]


def _codes(onehot, offsets):
    """Category index of every row in every feature block of a one-hot matrix."""
    n_features = offsets.size - 1
    onehot = onehot.tocsr()
    n = onehot.shape[0]
    onehot.sort_indices()
    if onehot.nnz == n * n_features and np.array_equal(
        np.diff(onehot.indptr), np.full(n, n_features)
    ):  # exactly one active column per feature block, in block order
        cols = onehot.indices.reshape(n, n_features)
        codes = cols - offsets[:-1]
        sizes = np.diff(offsets)
        if ((codes >= 0) & (codes < sizes)).all():
            return codes.astype(np.int64)
    codes = np.empty((onehot.shape[0], n_features), dtype=np.int64)
    for f in range(n_features):
        block = onehot[:, offsets[f] : offsets[f + 1]]
        codes[:, f] = np.asarray(block.argmax(axis=1)).ravel()
    return codes


def _assemble(X, X_cont, X_cat, cont_new, cat_new, cont, cat):
    """The caller's rows untouched, followed by the synthetic rows, in X's kind."""
    if is_pandas_df(X) or is_polars_df(X):
        cont_new = cont_new.toarray() if sparse.issparse(cont_new) else cont_new
        columns = {}
        for j, c in enumerate(cont):
            columns[X.columns[c]] = cont_new[:, j]
        for j, c in enumerate(cat):
            columns[X.columns[c]] = cat_new[:, j]
        ordered = {name: columns[name] for name in X.columns}
        if is_pandas_df(X):
            import pandas as pd

            new = pd.DataFrame(ordered).astype(X.dtypes.to_dict())
            return pd.concat([X, new], ignore_index=True)
        import polars as pl

        new = pl.DataFrame(
            {
                k: pl.Series(k, list(v) if v.dtype == object else v)
                for k, v in ordered.items()
            },
            strict=False,
        ).cast(dict(X.schema), strict=False)
        return pl.concat([X, new], how="vertical")
    order = np.argsort(np.concatenate([cont, cat]))
    cat_all = np.vstack([np.asarray(X_cat), cat_new])
    if sparse.issparse(X):
        cont_all = sparse.vstack([sparse.csr_matrix(X_cont), cont_new])
        out = sparse.hstack([cont_all, cat_all], format="csr")
        return out[:, order]
    out_dtype = np.result_type(X_cont.dtype, cat_new.dtype)
    out = np.empty((X_cont.shape[0] + cat_new.shape[0], order.size), dtype=out_dtype)
    n = X_cont.shape[0]
    out[:n, cont] = X_cont
    out[n:, cont] = cont_new
    out[:, cat] = cat_all
    return out
