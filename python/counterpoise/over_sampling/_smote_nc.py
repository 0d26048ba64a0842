"""SMOTENC (Chawla et al., 2002), a drop-in for ``imblearn.over_sampling.SMOTENC``:
SMOTE for data with both continuous and categorical features.

Distances are measured on the continuous features plus, for every categorical
feature that differs, the median of the continuous features' standard deviations
within the class; continuous values of a new row are interpolated as in SMOTE (by
SMOTE's Rust generator for dense float data) and each categorical value is the most
frequent among the neighbours (ties broken at random, by imblearn's draws).
imblearn one-hot encodes the whole data set into a sparse matrix, stacks every
synthetic row into it and decodes everything back; here only the rows of the
classes being over-sampled are encoded, the neighbour search runs in the Rust
engine, and the caller's rows are copied through untouched, so memory stays near
the size of the output.

For the same integer ``random_state`` and tie-free data the output equals imblearn's.
Ties between equal distances are broken by (distance, index); imblearn's order
among exact ties is that of numpy's ``argpartition`` and is not reproduced.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import sparse
from sklearn.base import clone
from sklearn.preprocessing import OneHotEncoder
from sklearn.utils import _safe_indexing, check_array
from sklearn.utils._indexing import _get_column_indices
from sklearn.utils._param_validation import StrOptions
from sklearn.utils.sparsefuncs import mean_variance_axis
from sklearn.utils.validation import check_consistent_length, validate_data

from ..utils._containers import is_pandas_df, is_polars_df
from ..utils._kmeans import _power_of_two_shift
from ..utils._neighbours import class_neighbours
from ..utils._validation import check_not_lazy, check_random_state, check_target_type
from ._categorical import ENCODER_PARAM, _codes, _decode
from ._smote import SMOTE
from ._smote_base import (
    _Batch,
    _generate,
    _interpolate,
    _is_dense_float,
    _set_provenance,
    _smote_draws,
)


class SMOTENC(SMOTE):
    """Over-sample data with both continuous and categorical features (SMOTE-NC).

    Nearest neighbours are found within the class on the continuous features plus,
    for every categorical feature that differs, a fixed cost: the median of the
    standard deviations of the class's continuous features. The continuous part
    of a new sample is interpolated as in :class:`SMOTE`; each categorical value
    is the most frequent among the ``k_neighbors`` nearest neighbours of the
    sample it starts from (ties broken at random by imbalanced-learn's draws).
    Only the classes being over-sampled are encoded, the search runs in the Rust
    engine, and the input rows are copied through untouched; for the same integer
    ``random_state`` and data without distance ties the output equals
    imbalanced-learn's.

    Parameters
    ----------
    categorical_features : "auto" or array-like of shape (n_cat_features,) or \
            (n_features,)
        Which columns are categorical: 'auto' (the columns of category dtype of a
        pandas or polars DataFrame), column indices, column names (DataFrames) or
        a boolean mask over the columns.
    categorical_encoder : estimator object, default=None
        One-hot encoder of the categorical columns, with ``fit_transform`` and
        ``inverse_transform``; it must keep one column per category. ``None``
        uses ``OneHotEncoder(handle_unknown='ignore')``.
    sampling_strategy : float, str, dict or callable, default='auto'
        Which classes to over-sample and to how many samples, as in
        :class:`SMOTE`.
    random_state : int, RandomState instance or None, default=None
        Seed of the random draws; the same integer gives imbalanced-learn's rows.
    k_neighbors : int or object, default=5
        Number of nearest same-class neighbours, or a neighbours estimator with
        ``kneighbors`` (fitted on the sparse encoded class rows).

    Attributes
    ----------
    sampling_strategy_ : dict
        Number of samples generated per class.
    categorical_features_ : ndarray of shape (n_cat_features,)
        Indices of the categorical columns.
    continuous_features_ : ndarray of shape (n_cont_features,)
        Indices of the continuous columns.
    categorical_encoder_ : estimator object
        The fitted one-hot encoder of the categorical columns.
    median_std_ : dict
        For each over-sampled class, the median of its continuous features'
        standard deviations (the cost of a categorical mismatch).
    nn_k_ : estimator object
        ``NearestNeighbors(n_neighbors=k_neighbors + 1)`` or a clone of the given
        estimator (with an int, the search runs in the Rust engine).
    synthetic_parents_ : ndarray of shape (n_synthetic, 2)
        For synthetic row ``i``: the input rows its continuous part lies between.
    synthetic_steps_ : ndarray of shape (n_synthetic,)
        The step ``t`` of the continuous part of each synthetic row.
    n_features_ : int
        Number of features seen (kept for imbalanced-learn's API).
    n_features_in_ : int
        Number of features seen in ``fit_resample``.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of the features seen; defined only when ``X`` has string column names.

    See Also
    --------
    SMOTE : For continuous features only.
    SMOTEN : For categorical features only.

    References
    ----------
    .. [1] N. V. Chawla, K. W. Bowyer, L. O. Hall and W. P. Kegelmeyer, "SMOTE:
       synthetic minority over-sampling technique", Journal of Artificial
       Intelligence Research, 16, 321-357, 2002 (section 6.1, SMOTE-NC).

    Examples
    --------
    >>> from collections import Counter
    >>> import numpy as np
    >>> from sklearn.datasets import make_classification
    >>> from counterpoise.over_sampling import SMOTENC
    >>> X, y = make_classification(n_samples=1000, n_features=4,
    ...                            weights=[0.9, 0.1], random_state=0)
    >>> X[:, 0] = np.digitize(X[:, 0], [-1, 0, 1])  # categories 0, 1, 2, 3
    >>> sampler = SMOTENC(categorical_features=[0], random_state=0)
    >>> X_res, y_res = sampler.fit_resample(X, y)
    >>> sorted(Counter(y_res.tolist()).items())
    [(0, 895), (1, 895)]
    >>> sorted(set(X_res[:, 0].tolist()))
    [0.0, 1.0, 2.0, 3.0]
    """

    _parameter_constraints: dict = {
        **SMOTE._parameter_constraints,
        "categorical_features": ["array-like", StrOptions({"auto"})],
        "categorical_encoder": ENCODER_PARAM,
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

    def _check_X_y(self, X, y, accept_sparse=None, *, type_y=None):
        check_not_lazy(X, "X")
        y, binarize_y = check_target_type(y, indicate_one_vs_all=True, type_y=type_y)
        if _n_samples_any(X) < 1:
            raise ValueError(
                "Found array with 0 sample(s) while a minimum of 1 is required."
            )
        if not (is_pandas_df(X) or is_polars_df(X)):
            X = check_array(
                X, dtype=None, accept_sparse=["csr", "csc"], ensure_all_finite=False
            )
        if isinstance(self.categorical_features, str):
            # 'auto': which columns are categorical is known from the container
            # and its dtypes alone, so these refusals come before any other check
            # (X and y of different lengths), as in imbalanced-learn
            _check_auto_frame(X)
            n_cat = sum(_is_categorical_dtype(t) for t in _dtypes(X))
            _check_kind_counts(n_cat, X.shape[1])
        check_consistent_length(X, y)
        validate_data(self, X=X, y=y, reset=True, skip_check_array=True)
        self.n_features_ = self.n_features_in_
        self._validate_column_types(X)
        self._check_column_kinds()
        # continuous columns must be finite numbers (categorical ones may hold NaN,
        # which the encoder treats as a category); the checked block goes on to
        # _fit_resample (base.SamplerMixin passes it as the keyword `_X_cont`)
        try:
            X_cont = check_array(
                _columns(X, self.continuous_features_),
                accept_sparse=["csr", "csc"],
                input_name="X",
                estimator=self,
            )
        except ValueError as exc:
            if "NaN" in str(exc) or "infinity" in str(exc):
                raise ValueError(
                    f"SMOTENC's continuous columns {self.continuous_features_.tolist()}"
                    f" must be finite numbers: {exc}"
                ) from exc
            raise
        return X, y, binarize_y, {"_X_cont": X_cont}

    def _validate_column_types(self, X):
        n = self.n_features_
        if isinstance(self.categorical_features, str):  # 'auto'
            _check_auto_frame(X)
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
        _check_kind_counts(self.categorical_features_.size, self.n_features_in_)

    def _fit_resample(self, X, y, *, _X_cont=None):
        self._validate_estimator()
        cont, cat = self.continuous_features_, self.categorical_features_

        X_cont = _X_cont
        if X_cont is None:  # called without fit_resample's validation
            X_cont = check_array(_columns(X, cont), accept_sparse=["csr", "csc"])
        # float16 (which scipy.sparse cannot hold) is computed in float32 and the
        # result cast back; float16 values are exact in float32
        half = X_cont.dtype == np.float16
        if half:
            X_cont = X_cont.astype(np.float32)
        # values whose squares overflow (near 1e308) or underflow (near 1e-300):
        # computed on X_cont / 2**shift (exact; SMOTE-NC commutes with scaling)
        # and the new rows scaled back; the caller's rows are kept as they are
        X_input = X_cont
        shift = 0
        if X_cont.dtype.kind == "f":
            shift = _power_of_two_shift(
                X_cont.data if sparse.issparse(X_cont) else X_cont
            )
        if shift:
            X_cont = X_cont.copy()
            if sparse.issparse(X_cont):
                X_cont.data = np.ldexp(X_cont.data, -shift).astype(X_cont.dtype)
            else:
                X_cont = np.ldexp(X_cont, -shift).astype(X_cont.dtype)
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
        new_cont, new_cat, labels, parents, steps_all = [], [], [], [], []
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

            nns = class_neighbours(
                self.k_neighbors,
                self.nn_k_,
                encoded if self._uses_engine() else sparse.csr_matrix(encoded),
                klass=klass,
            )
            rows, cols, steps = _smote_draws(self.random_state, nns, n_samples)
            batch = _Batch.from_table(np.arange(idx.size), nns, rows, cols, steps)
            cont_new, pairs = _continuous_rows(block, batch, dtype)
            new_cont.append(cont_new)
            parents.append(idx[pairs])
            steps_all.append(steps.ravel())
            new_cat.append(
                self._vote(codes, nns[rows], sizes, scale_vote, dtype, n_samples)
            )
            labels.append(np.full(n_samples, klass, dtype=y.dtype))

        _set_provenance(
            self,
            np.concatenate(parents) if parents else np.empty((0, 2)),
            np.concatenate(steps_all) if steps_all else np.empty(0),
        )
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
            cat_new = _decode(encoder.categories_, codes_new)
        else:
            cat_new = encoder.inverse_transform(onehot_new)
        if shift:
            if sparse.issparse(cont_new):
                cont_new = cont_new.copy()
                cont_new.data = np.ldexp(cont_new.data, shift).astype(cont_new.dtype)
            else:
                cont_new = np.ldexp(cont_new, shift).astype(cont_new.dtype)
            self.median_std_ = {
                c: float(np.ldexp(m, shift)) for c, m in self.median_std_.items()
            }
        out = _assemble(X, X_input, X_cat, cont_new, cat_new, cont, cat)
        if half and isinstance(out, np.ndarray) and out.dtype == np.float32:
            out = out.astype(np.float16)
        return out, y_res

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


def _continuous_rows(block, batch, dtype):
    """The continuous part of a class's new rows (SMOTE's Rust generator for
    dense float data, numpy or scipy otherwise) and their parents as indices into
    ``block``, the class's continuous rows."""
    if _is_dense_float(block):
        out, pairs, _ = _generate(block, [batch])
        return out[block.shape[0] :].astype(dtype, copy=False), pairs
    base, target = batch.parents()
    new = _interpolate(block[base], block[target], batch.steps, dtype)
    return new, np.column_stack([base, target])


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
        return type(t).__name__ in ("Categorical", "Enum")
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


def _check_kind_counts(n_categorical, n_features):
    """SMOTE-NC needs both kinds of column: a ValueError naming the other sampler
    when all ``n_features`` columns, or none, are categorical."""
    if n_categorical == n_features:
        raise ValueError(
            "SMOTE-NC is not designed to work only with categorical features. It "
            f"requires some numerical features (all n_features={n_features} "
            "columns are categorical). Use SMOTEN for data that is all categorical."
        )
    if n_categorical == 0:
        raise ValueError(
            "SMOTE-NC is not designed to work only with numerical features. It "
            "requires some categorical features. Use SMOTE for data that is all "
            "continuous."
        )


def _check_auto_frame(X):
    """``categorical_features='auto'`` reads the dtypes of a DataFrame: a
    ValueError saying what to pass instead for any other container."""
    if not (is_pandas_df(X) or is_polars_df(X)):
        raise ValueError(
            "When `categorical_features='auto'`, the input data should be a "
            f"pandas.DataFrame (or polars). Got {type(X)} instead. Pass the "
            "categorical columns' indices or a boolean mask instead."
        )
