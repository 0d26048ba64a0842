"""SMOTENC against imbalanced-learn 0.14.2: the same rows, labels, dtypes and
fitted attributes for the same seed, on tie-free data (continuous columns drawn
from a continuous distribution)."""

import numpy as np
import pandas as pd
import pytest
from counterpoise.over_sampling import SMOTENC
from hypothesis import given, settings
from hypothesis import strategies as st
from imblearn import over_sampling as imb
from numpy.testing import assert_array_equal
from scipy import sparse
from sklearn.neighbors import NearestNeighbors
from sklearn.preprocessing import OneHotEncoder


def _mixed(seed, n, n_cont, n_cat, n_levels, weights):
    rng = np.random.default_rng(seed)
    counts = np.maximum((np.asarray(weights) * n).astype(int), 8)
    y = np.repeat(np.arange(len(weights)), counts)
    n = y.size
    cont = rng.standard_normal((n, n_cont)) + y[:, None] * 0.5
    # categories skewed by class, so votes are informative yet ties still occur
    cats = (rng.integers(0, n_levels, (n, n_cat)) + y[:, None]) % n_levels
    order = rng.permutation(n)
    return cont[order], cats[order], y[order]


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    n_cont=st.integers(1, 4),
    n_cat=st.integers(1, 3),
    n_levels=st.integers(2, 5),
    # nearly balanced, not balanced: (0.5, 0.5) made 100 rows per class and
    # every strategy then had nothing to create
    weights=st.sampled_from([(0.8, 0.2), (0.6, 0.25, 0.15), (0.52, 0.48)]),
    k=st.integers(1, 6),
    dtype=st.sampled_from([np.float64, np.float32]),
    strategy=st.sampled_from(["auto", "all", "not majority"]),
)
def test_smotenc_numpy_same_as_imblearn(
    seed, n_cont, n_cat, n_levels, weights, k, dtype, strategy
):
    cont, cats, y = _mixed(seed, 200, n_cont, n_cat, n_levels, weights)
    X = np.hstack([cats, cont]).astype(dtype)  # categorical columns first
    order = np.random.default_rng(seed).permutation(X.shape[1])
    X = X[:, order]
    cat_idx = sorted(np.flatnonzero(order < n_cat).tolist())
    params = dict(k_neighbors=k, sampling_strategy=strategy, random_state=seed)
    a = SMOTENC(categorical_features=cat_idx, **params)
    b = imb.SMOTENC(categorical_features=cat_idx, **params)
    Xa, ya = a.fit_resample(X, y)
    Xb, yb = b.fit_resample(X, y)
    assert ya.size > y.size  # every case creates rows
    assert Xa.dtype == Xb.dtype
    assert_array_equal(Xa, Xb)
    assert_array_equal(ya, yb)
    assert_array_equal(a.categorical_features_, b.categorical_features_)
    assert_array_equal(a.continuous_features_, b.continuous_features_)
    assert a.median_std_.keys() == b.median_std_.keys()
    for c in a.median_std_:
        assert a.median_std_[c] == b.median_std_[c]


def _frame(seed):
    cont, cats, y = _mixed(seed, 300, 2, 2, 4, (0.7, 0.2, 0.1))
    rng = np.random.default_rng(seed)
    df = pd.DataFrame(
        {
            "amount": cont[:, 0],
            "colour": pd.Categorical(
                np.array(["red", "green", "blue", "grey"])[cats[:, 0]]
            ),
            "count": rng.integers(0, 50, y.size),
            "city": np.array(["Oslo", "Lima", "Pune", "Kyiv"])[cats[:, 1]],
            "score": cont[:, 1].astype(np.float32),
        }
    )
    return df, pd.Series(np.array(["no", "yes", "maybe"])[y], name="label")


@pytest.mark.parametrize(
    "features",
    ["auto", ["colour", "city"], [1, 3], [False, True, False, True, False]],
    ids=["auto", "names", "indices", "mask"],
)
def test_smotenc_pandas_same_as_imblearn(features):
    df, y = _frame(3)
    if features == "auto":
        df["city"] = df["city"].astype("category")
    a = SMOTENC(categorical_features=features, random_state=0)
    b = imb.SMOTENC(categorical_features=features, random_state=0)
    Xa, ya = a.fit_resample(df, y)
    Xb, yb = b.fit_resample(df, y)
    pd.testing.assert_frame_equal(Xa, Xb)
    pd.testing.assert_series_equal(ya, yb)
    assert list(Xa.dtypes) == list(df.dtypes)


def test_smotenc_object_array_and_sparse_same_as_imblearn():
    df, y = _frame(5)
    X = df.to_numpy()  # object array, strings and numbers
    Xa, ya = SMOTENC(categorical_features=[1, 3], random_state=2).fit_resample(X, y)
    Xb, yb = imb.SMOTENC(categorical_features=[1, 3], random_state=2).fit_resample(X, y)
    assert Xa.dtype == Xb.dtype == object
    assert (Xa == Xb).all()
    assert_array_equal(ya, yb)

    cont, cats, yy = _mixed(7, 200, 3, 2, 3, (0.8, 0.2))
    Xs = sparse.csr_matrix(np.hstack([cont, cats]).astype(float))
    sa, _ = SMOTENC(categorical_features=[3, 4], random_state=1).fit_resample(Xs, yy)
    sb, _ = imb.SMOTENC(categorical_features=[3, 4], random_state=1).fit_resample(
        Xs, yy
    )
    assert sparse.issparse(sa) and sa.format == sb.format
    assert_array_equal(sa.toarray(), sb.toarray())


def test_smotenc_user_encoder_and_neighbours_same_as_imblearn():
    cont, cats, y = _mixed(11, 250, 2, 2, 4, (0.75, 0.25))
    X = np.hstack([cont, cats])
    params = dict(
        categorical_features=[2, 3],
        categorical_encoder=OneHotEncoder(handle_unknown="ignore", sparse_output=False),
        k_neighbors=NearestNeighbors(n_neighbors=4),
        random_state=4,
    )
    Xa, _ = SMOTENC(**params).fit_resample(X, y)
    Xb, _ = imb.SMOTENC(**params).fit_resample(X, y)
    assert_array_equal(Xa, Xb)


def test_smotenc_zero_median_std_same_as_imblearn():
    # the minority class has constant continuous values: imblearn's special case
    cont, cats, y = _mixed(2, 200, 2, 2, 3, (0.8, 0.2))
    cont[y == 1] = 1.5
    X = np.hstack([cont, cats])
    a = SMOTENC(categorical_features=[2, 3], random_state=0)
    Xa, _ = a.fit_resample(X, y)
    Xb, _ = imb.SMOTENC(categorical_features=[2, 3], random_state=0).fit_resample(X, y)
    assert a.median_std_[1] == 0
    assert_array_equal(Xa, Xb)
