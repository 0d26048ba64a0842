"""Helpers for categorical data shared by SMOTENC and SMOTEN: the encoder
parameter's constraint, category codes from an ordinal or one-hot encoding, and
the decoding of codes back to the categories."""

from __future__ import annotations

import numpy as np
from sklearn.preprocessing import OrdinalEncoder
from sklearn.utils._param_validation import HasMethods

#: The ``categorical_encoder`` constraint of SMOTENC and SMOTEN.
ENCODER_PARAM = [HasMethods(["fit_transform", "inverse_transform"]), None]


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
