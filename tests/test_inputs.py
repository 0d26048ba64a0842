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
