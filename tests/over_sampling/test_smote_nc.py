"""SMOTENC: properties on arbitrary data (hypothesis), thread invariance,
containers and bad input."""

import numpy as np
import pandas as pd
import pytest
from counterpoise.over_sampling import SMOTENC
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.neighbors import NearestNeighbors
from sklearn.preprocessing import OneHotEncoder


@st.composite
def mixed_data(draw):
    n_classes = draw(st.integers(2, 3))
    counts = [draw(st.integers(6, 25)) for _ in range(n_classes)]
    n = sum(counts)
    n_cont, n_cat = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    seed = draw(st.integers(0, 2**31))
    rng = np.random.default_rng(seed)
    cont = rng.uniform(-100, 100, (n, n_cont))
    cats = rng.integers(0, draw(st.integers(1, 4)), (n, n_cat)).astype(float)
    y = rng.permutation(np.repeat(np.arange(n_classes), counts))
    return np.hstack([cont, cats]), y, list(range(n_cont, n_cont + n_cat))


@settings(max_examples=40, deadline=None)
@given(data=mixed_data(), k=st.integers(1, 5), seed=st.integers(0, 1000))
def test_smotenc_properties(data, k, seed):
    X, y, cat = data
    X_orig = X.copy()
    sampler = SMOTENC(categorical_features=cat, k_neighbors=k, random_state=seed)
    X_res, y_res = sampler.fit_resample(X, y)
    assert_array_equal(X, X_orig)  # the caller's array is untouched
    n = X.shape[0]
    assert_array_equal(X_res[:n], X)
    counts = {c: int((y == c).sum()) for c in np.unique(y)}
    for c, extra in sampler.sampling_strategy_.items():
        assert (y_res == c).sum() == counts[c] + extra
    cont = sampler.continuous_features_
    parents, steps = sampler.synthetic_parents_, sampler.synthetic_steps_
    assert parents.shape == (X_res.shape[0] - n, 2)
    a, b = X[parents[:, 0]][:, cont], X[parents[:, 1]][:, cont]
    # continuous part: on the segment between the two parents of the same class
    assert_allclose(X_res[n:, cont], a + steps[:, None] * (b - a), rtol=1e-12)
    assert ((steps >= 0) & (steps < 1)).all()
    assert (y[parents[:, 0]] == y_res[n:]).all() and (
        y[parents[:, 1]] == y_res[n:]
    ).all()
    # categorical part: a most frequent value among the base row's k neighbours,
    # found independently with sklearn on the SMOTE-NC encoding
    enc = OneHotEncoder().fit(X[:, cat])
    for c, m in sampler.median_std_.items():
        rows = np.flatnonzero(y == c)
        onehot = enc.transform(X[rows][:, cat]).toarray() * (m / np.sqrt(2))
        Z = np.hstack([X[rows][:, cont], onehot])
        nn = NearestNeighbors(n_neighbors=k + 1, algorithm="brute").fit(Z)
        dist, ind = nn.kneighbors(Z)
        new = np.flatnonzero(y_res[n:] == c)
        for i in new:
            base = np.flatnonzero(rows == parents[i, 0])[0]
            # the k-th distance may tie with others: any tied row may be chosen
            radius = dist[base, k]
            near = np.flatnonzero(
                np.linalg.norm(Z - Z[base], axis=1) <= radius * (1 + 1e-9) + 1e-12
            )
            near = near[near != base] if near.size > k else near
            for col in cat:
                value = X_res[n + i, col]
                assert value in X[rows[near], col], (i, col)


def test_output_does_not_depend_on_thread_count(monkeypatch):
    rng = np.random.default_rng(0)
    X = np.hstack([rng.standard_normal((3000, 4)), rng.integers(0, 5, (3000, 2))])
    y = (rng.random(3000) < 0.2).astype(int)
    outs = []
    for threads in ("1", "2", "5"):
        monkeypatch.setenv("RAYON_NUM_THREADS", threads)
        outs.append(
            SMOTENC(categorical_features=[4, 5], random_state=3).fit_resample(X, y)[0]
        )
    for a in outs[1:]:
        assert_array_equal(a, outs[0])


def test_smotenc_polars_in_polars_out():
    pl = pytest.importorskip("polars")
    rng = np.random.default_rng(1)
    df = pl.DataFrame(
        {
            "x": rng.standard_normal(100),
            "colour": pl.Series(
                np.array(["r", "g", "b"])[rng.integers(0, 3, 100)]
            ).cast(pl.Categorical),
            "n": rng.integers(0, 9, 100),
        }
    )
    y = np.r_[np.zeros(80, int), np.ones(20, int)]
    X_res, y_res = SMOTENC(categorical_features="auto", random_state=0).fit_resample(
        df, y
    )
    assert isinstance(X_res, pl.DataFrame)
    assert X_res.schema == df.schema
    assert X_res.height == 160
    assert X_res[:100].equals(df)
    assert set(X_res["colour"].to_list()) <= {"r", "g", "b"}


def test_smotenc_auto_finds_polars_enum_columns():
    pl = pytest.importorskip("polars")
    rng = np.random.default_rng(3)
    df = pl.DataFrame(
        {
            "x": rng.standard_normal(80),
            "size": pl.Series(np.array(["s", "m", "l"])[rng.integers(0, 3, 80)]).cast(
                pl.Enum(["s", "m", "l"])
            ),
        }
    )
    y = np.r_[np.zeros(60, int), np.ones(20, int)]
    sampler = SMOTENC(categorical_features="auto", random_state=0)
    X_res, _ = sampler.fit_resample(df, y)
    assert_array_equal(sampler.categorical_features_, [1])
    assert X_res.schema == df.schema and X_res.height == 120
    assert set(X_res["size"].to_list()) <= {"s", "m", "l"}


def test_smotenc_pandas_keeps_dtypes_and_categories():
    rng = np.random.default_rng(2)
    df = pd.DataFrame(
        {
            "x": rng.standard_normal(60).astype(np.float32),
            "c": pd.Categorical(rng.choice(["u", "v"], 60), categories=["u", "v", "w"]),
        }
    )
    y = pd.Series([0] * 45 + [1] * 15, name="t")
    X_res, y_res = SMOTENC(categorical_features="auto", random_state=0).fit_resample(
        df, y
    )
    assert list(X_res.dtypes) == list(df.dtypes)
    assert list(X_res["c"].cat.categories) == ["u", "v", "w"]
    assert y_res.name == "t" and len(y_res) == len(X_res) == 90


@pytest.mark.parametrize(
    "features, match",
    [
        ([7], "does not select columns"),
        (["nope"], "does not select columns"),
        ([0, 1, 2], "^SMOTE-NC is not designed to work only with categorical"),
        ([], "^SMOTE-NC is not designed to work only with numerical"),
        ([True, False], "does not select columns"),
    ],
)
def test_smotenc_bad_categorical_features(features, match):
    rng = np.random.default_rng(0)
    X = np.hstack([rng.standard_normal((40, 2)), rng.integers(0, 3, (40, 1))])
    y = np.r_[np.zeros(30, int), np.ones(10, int)]
    with pytest.raises(ValueError, match=match):
        SMOTENC(categorical_features=features).fit_resample(X, y)


def test_smotenc_auto_needs_a_dataframe_and_too_few_samples_fail_clearly():
    X = np.hstack([np.random.default_rng(0).standard_normal((40, 2)), np.ones((40, 1))])
    y = np.r_[np.zeros(36, int), np.ones(4, int)]
    with pytest.raises(ValueError, match="pandas.DataFrame"):
        SMOTENC(categorical_features="auto").fit_resample(X, y)
    with pytest.raises(ValueError, match="k_neighbors=5 needs at least 6"):
        SMOTENC(categorical_features=[2]).fit_resample(X, y)
    # the continuous columns named, and scikit-learn's own words after them
    with pytest.raises(
        ValueError, match=r"^SMOTENC's continuous columns \[0, 1\] must be "
    ):
        bad = X.copy()
        bad[0, 0] = np.nan
        SMOTENC(categorical_features=[2]).fit_resample(bad, y)
    with pytest.raises(ValueError, match="one column per category"):
        SMOTENC(
            categorical_features=[2], categorical_encoder=OneHotEncoder(drop="first")
        ).fit_resample(X, y)


@pytest.mark.parametrize("fmt", [None, "csr"])
def test_smotenc_extreme_magnitudes_give_the_scaled_rows(fmt):
    # continuous columns near 1e180 are computed on the data times a power of
    # two and scaled back (squared distances would overflow): exactly the rows
    # of the same data at ordinary scale, times that power of two
    from scipy import sparse

    rng = np.random.default_rng(5)
    cont = rng.standard_normal((60, 2))
    cont[np.abs(cont) < 0.4] = 0.0
    cat = rng.integers(0, 3, (60, 1)).astype(np.float64)
    y = np.r_[np.zeros(45, int), np.ones(15, int)]
    big = 2.0**600
    small_X, big_X = np.hstack([cont, cat]), np.hstack([cont * big, cat])
    if fmt:
        small_X, big_X = sparse.csr_matrix(small_X), sparse.csr_matrix(big_X)
    a, _ = SMOTENC(categorical_features=[2], random_state=0).fit_resample(small_X, y)
    b, _ = SMOTENC(categorical_features=[2], random_state=0).fit_resample(big_X, y)
    if fmt:
        assert sparse.issparse(b)
        a, b = a.toarray(), b.toarray()
    assert len(a) == 90
    assert_array_equal(b[:, :2], a[:, :2] * big)
    assert_array_equal(b[:, 2], a[:, 2])


def test_smotenc_bad_columns_message_names_the_fix():
    X = np.random.default_rng(0).standard_normal((40, 3))
    y = np.r_[np.zeros(30, int), np.ones(10, int)]
    with pytest.raises(ValueError) as err:
        SMOTENC(categorical_features=[7]).fit_resample(X, y)
    assert str(err.value).endswith(
        "Pass column indices in [0, 3), a boolean mask of length 3, or 'auto' "
        "for a pandas DataFrame with category columns."
    )
    frame = pd.DataFrame(X, columns=["a", "b", "c"])
    with pytest.raises(
        ValueError, match=r"in \[0, 3\) or names among \['a', 'b', 'c'\]"
    ):
        SMOTENC(categorical_features=["nope"]).fit_resample(frame, y)


def test_smotenc_fit_resample_called_directly_validates_its_columns():
    # imbalanced-learn's own tests call _fit_resample without fit_resample's
    # checks: the continuous block is then checked there, with the same result
    rng = np.random.default_rng(0)
    X = np.hstack([rng.standard_normal((60, 2)), rng.integers(0, 3, (60, 1))])
    y = np.r_[np.zeros(45, int), np.ones(15, int)]
    sampler = SMOTENC(categorical_features=[2], random_state=0)
    X_a, y_a = sampler.fit_resample(X, y)
    X_b, y_b = sampler._fit_resample(X, y)
    assert len(y_a) == 90
    assert_array_equal(X_a, X_b)
    assert_array_equal(y_a, y_b)
