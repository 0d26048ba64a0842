"""SMOTEN against imbalanced-learn 0.14.2: the same rows, labels, dtypes and
fitted attributes for the same seed, on tie-free data (enough features and
categories that no two rows of a class coincide)."""

import numpy as np
import pytest
from counterpoise.over_sampling import SMOTEN
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from imblearn import over_sampling as imb
from numpy.testing import assert_array_equal
from scipy import sparse
from sklearn.neighbors import NearestNeighbors
from sklearn.preprocessing import OrdinalEncoder


def _categorical(seed, n, n_features, n_levels, weights):
    rng = np.random.default_rng(seed)
    counts = np.maximum((np.asarray(weights) * n).astype(int), 8)
    y = np.repeat(np.arange(len(weights)), counts)
    levels = np.array(list("ABCDEFGHIJ"))[:n_levels]
    # class-dependent category frequencies (so the VDM distinguishes values)
    p = rng.dirichlet(np.ones(n_levels), size=(len(weights), n_features))
    X = np.empty((y.size, n_features), dtype=object)
    for i, c in enumerate(y):
        for f in range(n_features):
            X[i, f] = levels[rng.choice(n_levels, p=p[c, f])]
    return X, y


def _tie_free(X, y):
    """No two rows of a class equal (VDM distance 0 to a twin is a tie)."""
    for c in np.unique(y):
        rows = {tuple(r) for r in X[y == c]}
        if len(rows) != (y == c).sum():
            return False
    return True


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    n_features=st.integers(9, 14),
    weights=st.sampled_from([(0.8, 0.2), (0.6, 0.25, 0.15)]),
    k=st.integers(1, 5),
    strategy=st.sampled_from(["auto", "all"]),
)
def test_smoten_same_as_imblearn(seed, n_features, weights, k, strategy):
    X, y = _categorical(seed, 150, n_features, 6, weights)
    assume(_tie_free(X, y))
    params = dict(k_neighbors=k, sampling_strategy=strategy, random_state=seed)
    Xa, ya = SMOTEN(**params).fit_resample(X, y)
    Xb, yb = imb.SMOTEN(**params).fit_resample(X, y)
    assert Xa.dtype == Xb.dtype
    assert_array_equal(Xa, Xb)
    assert_array_equal(ya, yb)


def test_smoten_strings_encoder_neighbours_and_sparse_same_as_imblearn():
    X, y = _categorical(1, 200, 8, 5, (0.7, 0.3))
    Xs = X.astype(str)
    for params in (
        {},
        {"categorical_encoder": OrdinalEncoder(dtype=np.int32)},
        {"k_neighbors": NearestNeighbors(n_neighbors=4)},
    ):
        Xa, _ = SMOTEN(random_state=3, **params).fit_resample(Xs, y)
        Xb, _ = imb.SMOTEN(random_state=3, **params).fit_resample(Xs, y)
        assert Xa.dtype == Xb.dtype
        assert_array_equal(Xa, Xb)
    codes = OrdinalEncoder().fit_transform(X).astype(float)
    with pytest.warns(Warning, match="sparse"):
        sa, _ = SMOTEN(random_state=0).fit_resample(sparse.csr_matrix(codes), y)
    with pytest.warns(Warning, match="sparse"):
        sb, _ = imb.SMOTEN(random_state=0).fit_resample(sparse.csr_matrix(codes), y)
    assert sa.format == sb.format
    assert_array_equal(sa.toarray(), sb.toarray())


@pytest.mark.parametrize("dtype", [np.int64, np.int32, np.uint8, np.int8])
def test_smoten_integer_codes_same_as_imblearn(dtype):
    # integer data takes the table-lookup encoding path; negative and sparse
    # values included
    X, y = _categorical(4, 200, 8, 6, (0.7, 0.3))
    levels = np.array([-3, 0, 2, 7, 9, 100])
    codes = np.searchsorted(np.array(list("ABCDEF")), X.astype(str))
    Xi = levels[codes].astype(dtype) if dtype != np.uint8 else codes.astype(dtype)
    a, b = SMOTEN(random_state=1), imb.SMOTEN(random_state=1)
    Xa, ya = a.fit_resample(Xi, y)
    Xb, yb = b.fit_resample(Xi, y)
    assert Xa.dtype == Xb.dtype
    assert_array_equal(Xa, Xb)
    for ca, cb in zip(
        a.categorical_encoder_.categories_, b.categorical_encoder_.categories_
    ):
        assert ca.dtype == cb.dtype
        assert_array_equal(ca, cb)


def test_smoten_boolean_features_same_as_imblearn():
    rng = np.random.default_rng(0)
    y = np.r_[np.zeros(120, int), np.ones(40, int)]
    X = rng.random((160, 12)) < (0.3 + 0.3 * y[:, None])
    Xa, _ = SMOTEN(random_state=0).fit_resample(X, y)
    Xb, _ = imb.SMOTEN(random_state=0).fit_resample(X, y)
    assert Xa.dtype == Xb.dtype
    assert_array_equal(Xa, Xb)
