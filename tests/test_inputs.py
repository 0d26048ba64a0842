"""Containers in, same containers out: lists, pandas, polars, sparse; read-only."""

import numpy as np
import pandas as pd
import polars as pl
import pytest
from counterpoise.combine import SMOTEENN
from counterpoise.over_sampling import SMOTE, RandomOverSampler
from counterpoise.under_sampling import (
    EditedNearestNeighbours,
    NearMiss,
    RandomUnderSampler,
    TomekLinks,
)
from numpy.testing import assert_array_equal
from scipy import sparse

from .conftest import make_data

SAMPLERS = [SMOTE, RandomOverSampler, RandomUnderSampler]


@pytest.mark.parametrize("Sampler", SAMPLERS)
def test_pandas_in_pandas_out(Sampler):
    X, y = make_data(n=300, d=3)
    df = pd.DataFrame(X, columns=["a", "b", "c"]).astype({"c": np.float32})
    ys = pd.Series(y, name="target")
    X_res, y_res = Sampler(random_state=0).fit_resample(df, ys)
    X_ref, y_ref = Sampler(random_state=0).fit_resample(df.to_numpy(), y)
    assert isinstance(X_res, pd.DataFrame) and isinstance(y_res, pd.Series)
    assert list(X_res.columns) == ["a", "b", "c"]
    assert dict(X_res.dtypes) == dict(df.dtypes)
    assert y_res.name == "target"
    assert (X_res.index == y_res.index).all()
    assert_array_equal(X_res[["a", "b"]].to_numpy(), X_ref[:, :2])
    assert_array_equal(y_res.to_numpy(), y_ref)


@pytest.mark.parametrize("Sampler", [RandomOverSampler, RandomUnderSampler])
def test_pandas_categorical_and_mixed_columns_are_kept(Sampler):
    df = pd.DataFrame(
        {
            "colour": pd.Categorical(["red", "blue", "red", "green", "blue", "red"]),
            "size": [1, 2, 3, 4, 5, 6],
            "name": list("uvwxyz"),
        }
    )
    y = pd.Series([0, 0, 0, 0, 1, 1])
    X_res, y_res = Sampler(random_state=0).fit_resample(df, y)
    assert dict(X_res.dtypes) == dict(df.dtypes)
    assert list(X_res["colour"].cat.categories) == list(df["colour"].cat.categories)
    sampler = Sampler(random_state=0)
    sampler.fit_resample(df, y)
    kept = df["name"].iloc[sampler.sample_indices_].tolist()
    assert X_res["name"].tolist() == kept


@pytest.mark.parametrize("Sampler", SAMPLERS)
def test_polars_in_polars_out(Sampler):
    X, y = make_data(n=300, d=3)
    df = pl.DataFrame({"a": X[:, 0], "b": X[:, 1], "c": X[:, 2].astype(np.float32)})
    ys = pl.Series("label", y)
    X_res, y_res = Sampler(random_state=0).fit_resample(df, ys)
    assert isinstance(X_res, pl.DataFrame) and isinstance(y_res, pl.Series)
    assert X_res.schema == df.schema
    assert y_res.name == "label" and y_res.dtype == ys.dtype
    X_ref, y_ref = Sampler(random_state=0).fit_resample(X, y)
    assert_array_equal(y_res.to_numpy(), y_ref)
    assert_array_equal(X_res["a"].to_numpy(), X_ref[:, 0])


@pytest.mark.parametrize("Sampler", SAMPLERS)
def test_lists_in_lists_out(Sampler):
    X, y = make_data(n=100, d=2)
    X_res, y_res = Sampler(random_state=0).fit_resample(X.tolist(), y.tolist())
    assert isinstance(X_res, list) and isinstance(y_res, list)


@pytest.mark.parametrize("Sampler", SAMPLERS)
@pytest.mark.parametrize("fmt", ["csr", "csc"])
def test_sparse_matches_dense(Sampler, fmt):
    X, y = make_data(n=300, d=6)
    X[np.abs(X) < 0.8] = 0
    Xs = sparse.csr_matrix(X).asformat(fmt)
    X_res, y_res = Sampler(random_state=4).fit_resample(Xs, y)
    X_ref, y_ref = Sampler(random_state=4).fit_resample(X, y)
    assert sparse.issparse(X_res) and X_res.format == fmt
    assert_array_equal(X_res.toarray(), X_ref)
    assert_array_equal(y_res, y_ref)


@pytest.mark.parametrize("Sampler", SAMPLERS)
def test_read_only_inputs_are_accepted_and_never_modified(Sampler):
    X, y = make_data(n=300, d=4)
    X_copy, y_copy = X.copy(), y.copy()
    X.setflags(write=False)
    y.setflags(write=False)
    Sampler(random_state=0).fit_resample(X, y)
    assert_array_equal(X, X_copy)
    assert_array_equal(y, y_copy)


@pytest.mark.parametrize("Sampler", SAMPLERS)
def test_fortran_ordered_and_strided_inputs(Sampler):
    X, y = make_data(n=300, d=4)
    ref = Sampler(random_state=0).fit_resample(X, y)[0]
    assert_array_equal(
        Sampler(random_state=0).fit_resample(np.asfortranarray(X), y)[0], ref
    )
    wide = np.repeat(X, 2, axis=1)[:, ::2]
    assert_array_equal(Sampler(random_state=0).fit_resample(wide, y)[0], ref)


def test_one_hot_targets_come_back_one_hot():
    X, y = make_data(n=300, d=3, weights=(0.6, 0.3, 0.1))
    Y = np.eye(3, dtype=int)[y]
    X_res, Y_res = SMOTE(random_state=0).fit_resample(X, Y)
    assert Y_res.shape == (X_res.shape[0], 3)
    assert (Y_res.sum(axis=1) == 1).all()


@pytest.mark.parametrize(
    "sampler",
    [EditedNearestNeighbours(), TomekLinks(), NearMiss(), SMOTEENN(random_state=0)],
    ids=lambda s: type(s).__name__,
)
def test_cleaning_rules_keep_pandas_and_polars(sampler):
    X, y = make_data(n=300, d=3)
    df = pd.DataFrame(X, columns=["a", "b", "c"])
    X_res, y_res = sampler.fit_resample(df, pd.Series(y, name="t"))
    assert list(X_res.columns) == ["a", "b", "c"] and y_res.name == "t"
    X_ref, y_ref = sampler.fit_resample(X, y)
    assert_array_equal(X_res.to_numpy(), X_ref)
    X_pl, y_pl = sampler.fit_resample(pl.DataFrame(df), pl.Series("t", y))
    assert isinstance(X_pl, pl.DataFrame) and X_pl.columns == ["a", "b", "c"]
    assert_array_equal(y_pl.to_numpy(), y_ref)


# --- issue #18: inputs imbalanced-learn 0.14.2 gets wrong


def _blobs(seed=0):
    rng = np.random.default_rng(seed)
    y = np.array([0] * 28 + [1] * 12)
    return rng.normal(size=(40, 3)) + 1.2 * y[:, None], y


@pytest.mark.parametrize("Sampler", SAMPLERS)
def test_binary_one_hot_target_comes_back_two_columns(Sampler):
    from imblearn.under_sampling import RandomUnderSampler as ImbRUS

    X, y = _blobs()
    Y = np.eye(2, dtype=int)[y]
    assert ImbRUS(random_state=0).fit_resample(X, Y)[1].shape[1] == 1  # imblearn
    X_res, Y_res = Sampler(random_state=0).fit_resample(X, Y)
    assert Y_res.shape == (X_res.shape[0], 2)
    assert (Y_res.sum(axis=1) == 1).all()
    _, y_res = Sampler(random_state=0).fit_resample(X, y)
    assert_array_equal(Y_res.argmax(axis=1), y_res)


def test_numeric_categories_take_the_nearest_category_not_nan():
    from imblearn.over_sampling import SMOTE as ImbSMOTE

    X, y = _blobs()
    df = pd.DataFrame(X, columns=["a", "b", "c"])
    df["level"] = pd.Categorical(np.where(X[:, 0] > 0.5, 2.5, 1.5))
    X_imb, _ = ImbSMOTE(random_state=0).fit_resample(df, y)
    assert X_imb["level"].isna().any()  # imblearn's NaN
    X_res, _ = SMOTE(random_state=0).fit_resample(df, y)
    assert not X_res["level"].isna().any()
    assert X_res["level"].dtype == df["level"].dtype
    # each new value is the category nearest to the interpolated number
    X_num, _ = SMOTE(random_state=0).fit_resample(df.astype({"level": np.float64}), y)
    new = X_num["level"].to_numpy()[40:]
    nearest = np.where(np.abs(new - 2.5) < np.abs(new - 1.5), 2.5, 1.5)
    assert_array_equal(X_res["level"].astype(float).to_numpy()[40:], nearest)


@pytest.mark.parametrize(
    "Sampler", [SMOTE, RandomUnderSampler, NearMiss, EditedNearestNeighbours]
)
def test_pandas_nullable_dtypes_without_missing_values(Sampler):
    X, y = _blobs()
    df = pd.DataFrame(X, columns=["a", "b", "c"])
    df["n"] = pd.array(np.arange(40) % 7, dtype="Int64")
    df = df.astype({"a": "Float64"})
    seed = {"random_state": 0} if "random_state" in Sampler().get_params() else {}
    X_res, y_res = Sampler(**seed).fit_resample(df, y)
    assert dict(X_res.dtypes) == dict(df.dtypes)
    assert len(X_res) == len(y_res)
    X_ref, _ = Sampler(**seed).fit_resample(df.astype(np.float64), y)
    assert_array_equal(X_res["b"].to_numpy(), X_ref["b"].to_numpy())
    # integer columns: synthetic values truncated toward zero, as numpy casts
    assert_array_equal(
        X_res["n"].to_numpy(dtype=np.int64), np.trunc(X_ref["n"]).astype(np.int64)
    )


def test_svmsmote_leaves_unsorted_csr_indices_alone():
    from counterpoise.over_sampling import SVMSMOTE

    X, y = _blobs()
    Xs = sparse.csr_matrix(np.where(X > 0, X, 0.0))
    for i in range(Xs.shape[0]):
        a, b = Xs.indptr[i], Xs.indptr[i + 1]
        Xs.indices[a:b] = Xs.indices[a:b][::-1].copy()
        Xs.data[a:b] = Xs.data[a:b][::-1].copy()
    Xs.has_sorted_indices = False
    indices, data = Xs.indices.copy(), Xs.data.copy()
    X_res, _ = SVMSMOTE(random_state=0).fit_resample(Xs, y)
    assert_array_equal(Xs.indices, indices)
    assert_array_equal(Xs.data, data)
    assert_array_equal(X_res[:40].toarray(), Xs.toarray())


def test_kmeans_smote_takes_a_read_only_sparse_matrix():
    from counterpoise.over_sampling import KMeansSMOTE

    X, y = _blobs()
    writable = sparse.csr_matrix(X)
    read_only = sparse.csr_matrix(X)
    for a in ("data", "indices", "indptr"):
        getattr(read_only, a).flags.writeable = False
    sampler = KMeansSMOTE(random_state=0, kmeans_estimator=2)
    expected = sampler.fit_resample(writable, y)[0].toarray()
    assert_array_equal(sampler.fit_resample(read_only, y)[0].toarray(), expected)


def test_float16_x_in_smotenc():
    from counterpoise.over_sampling import SMOTENC

    X, y = _blobs()
    X = np.column_stack([X, np.arange(40) % 3]).astype(np.float16)
    X_res, y_res = SMOTENC(categorical_features=[3], random_state=0).fit_resample(X, y)
    assert X_res.dtype == np.float16
    assert_array_equal(X_res[:40], X)
    X32, _ = SMOTENC(categorical_features=[3], random_state=0).fit_resample(
        X.astype(np.float32), y
    )
    assert_array_equal(X_res, X32.astype(np.float16))
