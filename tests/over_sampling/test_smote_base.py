"""The SMOTE family's shared machinery (``_smote_base``) off the dense-float path:
sparse and integer data give imbalanced-learn's rows, in the input's dtype, with
provenance that reproduces every new row; empty batches and user-given
neighbour estimators are honoured. (Found by a mutation run: these paths had no
test that could fail.)"""

import numpy as np
import pytest
from counterpoise.over_sampling import SMOTE, BorderlineSMOTE
from counterpoise.over_sampling._smote_base import (
    _Batch,
    _generate,
    _interpolate,
    _n_other_class,
)
from imblearn.over_sampling import SMOTE as ImbSMOTE
from imblearn.over_sampling import BorderlineSMOTE as ImbBorderlineSMOTE
from numpy.testing import assert_allclose, assert_array_equal
from scipy import sparse
from sklearn.neighbors import NearestNeighbors

from ..conftest import make_data


def _multiclass(dtype=np.float64, seed=0):
    X, y = make_data(n=300, d=4, weights=(0.6, 0.25, 0.15), seed=seed)
    return X.astype(dtype), y


def _dense(X):
    return X.toarray() if sparse.issparse(X) else np.asarray(X)


def _check_provenance(sampler, X, X_res, scale=None):
    """Every new row is X[a] + t * (X[b] - X[a]) for its recorded parents."""
    n = X.shape[0]
    parents, steps = sampler.synthetic_parents_, sampler.synthetic_steps_
    assert parents.dtype == np.int64 and parents.shape == (X_res.shape[0] - n, 2)
    assert steps.dtype == np.float64 and steps.shape == (X_res.shape[0] - n,)
    Xd = _dense(X).astype(np.float64)
    expected = Xd[parents[:, 0]] + steps[:, None] * (
        Xd[parents[:, 1]] - Xd[parents[:, 0]]
    )
    assert_allclose(_dense(X_res)[n:], expected, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("fmt", ["csr", "csc"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_sparse_smote_equals_imblearn(fmt, dtype):
    X, y = _multiclass(dtype)
    Xs = sparse.csr_matrix(X) if fmt == "csr" else sparse.csc_matrix(X)
    ours = SMOTE(k_neighbors=3, random_state=1)
    X_res, y_res = ours.fit_resample(Xs, y)
    X_imb, y_imb = ImbSMOTE(k_neighbors=3, random_state=1).fit_resample(Xs, y)
    assert sparse.issparse(X_res) and X_res.dtype == dtype
    assert_array_equal(y_res, y_imb)
    assert_allclose(
        X_res.toarray(), X_imb.toarray(), rtol=1e-6 if dtype == np.float32 else 1e-12
    )
    assert X_res.shape[0] > X.shape[0]
    _check_provenance(ours, Xs, X_res)


@pytest.mark.parametrize("container", ["csr", "int64", "int32"])
def test_borderline1_off_the_float_path_equals_imblearn(container):
    X, y = _multiclass(seed=3)
    if container == "csr":
        X = sparse.csr_matrix(X)
    else:
        # integer data without distance ties, kept integer as imblearn keeps it
        X = np.round(X * 1e6).astype(container)
    kwargs = {"k_neighbors": 3, "m_neighbors": 6, "random_state": 2}
    ours = BorderlineSMOTE(**kwargs)
    X_res, y_res = ours.fit_resample(X, y)
    X_imb, y_imb = ImbBorderlineSMOTE(**kwargs).fit_resample(X, y)
    assert X_res.dtype == X.dtype and X_imb.dtype == X.dtype
    assert_array_equal(y_res, y_imb)
    assert X_res.shape[0] > X.shape[0]
    if container == "csr":
        assert sparse.issparse(X_res)
        assert_allclose(X_res.toarray(), X_imb.toarray(), rtol=1e-12)
        _check_provenance(ours, X, X_res)
    else:
        assert_array_equal(X_res, X_imb)


def test_borderline2_on_sparse_data_equals_the_dense_result():
    # imbalanced-learn 0.14.2 cannot run borderline-2 on sparse data (a matmul
    # shape error); ours must give the rows of the dense path, which is compared
    # with imbalanced-learn in tests/parity
    X, y = _multiclass(seed=3)
    kwargs = {"k_neighbors": 3, "m_neighbors": 6, "kind": "borderline-2"}
    dense = BorderlineSMOTE(random_state=2, **kwargs)
    X_d, y_d = dense.fit_resample(X, y)
    X_imb, _ = ImbBorderlineSMOTE(random_state=2, **kwargs).fit_resample(X, y)
    assert_allclose(X_d, X_imb, rtol=1e-12)
    ours = BorderlineSMOTE(random_state=2, **kwargs)
    X_s, y_s = ours.fit_resample(sparse.csr_matrix(X), y)
    assert sparse.issparse(X_s) and X_s.dtype == X.dtype
    assert_array_equal(y_s, y_d)
    assert_allclose(X_s.toarray(), X_d, rtol=1e-12, atol=1e-12)
    assert_array_equal(ours.synthetic_parents_, dense.synthetic_parents_)
    assert_array_equal(ours.synthetic_steps_, dense.synthetic_steps_)
    # some steps were towards another class, so the shortening ran
    towards_other = y[ours.synthetic_parents_[:, 1]] != y_s[X.shape[0] :]
    assert towards_other.any() and (~towards_other).any()


def test_borderline_uses_a_given_m_neighbors_estimator():
    X, y = _multiclass(seed=5)
    nn = NearestNeighbors(n_neighbors=7, metric="manhattan")
    kwargs = {"k_neighbors": 3, "m_neighbors": nn, "random_state": 0}
    X_res, y_res = BorderlineSMOTE(**kwargs).fit_resample(X, y)
    X_imb, y_imb = ImbBorderlineSMOTE(**kwargs).fit_resample(X, y)
    assert_array_equal(y_res, y_imb)
    assert_allclose(X_res, X_imb, rtol=1e-12)
    X_euc, _ = BorderlineSMOTE(
        k_neighbors=3, m_neighbors=6, random_state=0
    ).fit_resample(X, y)
    assert X_euc.shape != X_res.shape or not np.allclose(X_euc, X_res)


@pytest.mark.parametrize("kind", ["dense_int", "csr"])
def test_generate_skips_empty_batches_and_keeps_going(kind):
    rng = np.random.default_rng(0)
    X = rng.integers(0, 1000, size=(20, 3))
    if kind == "csr":
        X = sparse.csr_matrix(X.astype(np.float64))
    rows = np.arange(0, 10, dtype=np.int64)
    nns = np.array([[(i + 1) % 10, (i + 2) % 10] for i in range(10)], dtype=np.int64)
    empty = _Batch(rows, np.empty(0, np.int64), np.empty(0), nns)
    draws = np.array([0, 3, 19, 7], dtype=np.int64)
    steps = np.array([0.0, 0.25, 0.5, 1.0])
    full = _Batch(rows + 10, draws, steps, nns)
    X_res, parents, all_steps = _generate(X, [empty, full, empty])
    r, c = np.divmod(draws, 2)
    expected_parents = np.column_stack([rows[r] + 10, rows[nns[r, c]] + 10])
    assert parents.dtype == np.int64
    assert_array_equal(parents, expected_parents)
    assert_array_equal(all_steps, steps)
    Xd = _dense(X).astype(np.float64)
    a, b = expected_parents.T
    expected = Xd[a] + steps[:, None] * (Xd[b] - Xd[a])
    assert X_res.shape == (24, 3) and X_res.dtype == X.dtype
    assert_allclose(_dense(X_res)[:20], Xd)
    assert_allclose(
        _dense(X_res)[20:], np.trunc(expected) if kind != "csr" else expected
    )
    X_none, p_none, s_none = _generate(X, [])
    assert _dense(X_none).shape == (20, 3)
    assert (
        p_none.shape == (0, 2) and s_none.shape == (0,) and s_none.dtype == np.float64
    )


def test_interpolate_keeps_the_dtype_and_scales_only_the_masked_rows():
    base = np.array([[0, 0], [10, 10], [4, 8]], dtype=np.int64)
    target = np.array([[10, 20], [0, 0], [8, 4]], dtype=np.int64)
    steps = [0.5, 0.5, 0.5]
    out = _interpolate(base, target, steps, np.int64)
    assert out.dtype == np.int64
    assert_array_equal(out, [[5, 10], [5, 5], [6, 6]])
    scale = (np.array([True, False, True]), np.array([[0.5], [0.25]]))
    out = _interpolate(
        base.astype(float), target.astype(float), steps, np.float32, scale
    )
    assert out.dtype == np.float32
    assert_allclose(out, [[2.5, 5.0], [5.0, 5.0], [4.5, 7.5]])
    sp = _interpolate(
        sparse.csr_matrix(base.astype(float)),
        sparse.csr_matrix(target.astype(float)),
        steps,
        np.float32,
        scale,
    )
    assert sparse.issparse(sp) and sp.dtype == np.float32
    assert_allclose(sp.toarray(), [[2.5, 5.0], [5.0, 5.0], [4.5, 7.5]])


def test_n_other_class_uses_the_given_estimator():
    # on this data the Manhattan and Euclidean neighbours differ, so an estimator
    # that is ignored (the Euclidean engine searching instead) changes the counts
    X, y = make_data(n=200, d=6, seed=4)
    queries = X[y == 1]
    nn = NearestNeighbors(n_neighbors=6, metric="manhattan")
    got = _n_other_class(nn, nn, X, y, queries, 1, name="m_neighbors")
    idx = NearestNeighbors(n_neighbors=6, metric="manhattan").fit(X)
    idx = idx.kneighbors(queries, return_distance=False)[:, 1:]
    assert_array_equal(got, np.sum(y[idx] != 1, axis=1))
    engine = _n_other_class(5, None, X, y, queries, 1, name="m_neighbors")
    assert not np.array_equal(got, engine)


@pytest.mark.parametrize("y_dtype", [np.int32, np.int8, object])
@pytest.mark.parametrize("sampler", ["SMOTE", "BorderlineSMOTE"])
def test_the_target_keeps_its_dtype(sampler, y_dtype):
    X, y = _multiclass(seed=3)
    y = np.array([f"c{v}" for v in y], dtype=object) if y_dtype is object else y
    y = y.astype(y_dtype)
    ours = {"SMOTE": SMOTE, "BorderlineSMOTE": BorderlineSMOTE}[sampler]
    imb = {"SMOTE": ImbSMOTE, "BorderlineSMOTE": ImbBorderlineSMOTE}[sampler]
    _, y_res = ours(random_state=0).fit_resample(X, y)
    _, y_imb = imb(random_state=0).fit_resample(X, y)
    assert y_res.dtype == y.dtype == y_imb.dtype
    assert_array_equal(y_res, y_imb)


def _three_classes():
    # class 0 is the majority; class 1 lies far from everything (no row in
    # danger), class 2 overlaps class 0 (rows in danger)
    rng = np.random.default_rng(7)
    X = np.vstack(
        [
            rng.normal(0.0, 1.0, size=(200, 3)),
            rng.normal(25.0, 1.0, size=(40, 3)),
            rng.normal(0.6, 1.0, size=(40, 3)),
        ]
    )
    return X, np.repeat([0, 1, 2], [200, 40, 40])


@pytest.mark.parametrize("kind", ["borderline-1", "borderline-2"])
@pytest.mark.parametrize(
    "params",
    [
        {},
        {"sampling_strategy": {1: 60, 2: 90}},
        {"k_neighbors": NearestNeighbors(n_neighbors=5, metric="manhattan")},
    ],
)
def test_borderline_classes_without_danger_strategy_dict_and_estimators(kind, params):
    X, y = _three_classes()
    kwargs = {"kind": kind, "random_state": 4, **params}
    ours = BorderlineSMOTE(**kwargs)
    X_res, y_res = ours.fit_resample(X, y)
    X_imb, y_imb = ImbBorderlineSMOTE(**kwargs).fit_resample(X, y)
    assert 1 not in ours.in_danger_indices and 2 in ours.in_danger_indices
    assert (y_res[len(y) :] == 2).sum() > 0  # the class after it still grows
    assert_array_equal(y_res, y_imb)
    assert_allclose(X_res, X_imb, rtol=1e-12)


@pytest.mark.parametrize("dtype", [np.int64, np.uint8])
@pytest.mark.parametrize("sampler", [SMOTE, BorderlineSMOTE])
def test_integer_sparse_input_gives_the_dense_integer_rows(sampler, dtype):
    # sparse integer data are interpolated in float64 and cast back by the
    # integer rule (truncation, no wrap-around): the same rows as the same data
    # dense, kept sparse and of X's dtype
    X, y = _multiclass(seed=4)
    X = np.clip(np.round(X * 20 + 100), 0, 255).astype(dtype)
    X[X < 95] = 0  # about a third of the entries zero
    dense = sampler(random_state=1, k_neighbors=3)
    X_d, y_d = dense.fit_resample(X, y)
    ours = sampler(random_state=1, k_neighbors=3)
    X_s, y_s = ours.fit_resample(sparse.csr_matrix(X), y)
    assert X_d.shape[0] > X.shape[0]
    assert sparse.issparse(X_s) and X_s.dtype == dtype
    assert_array_equal(y_s, y_d)
    assert_array_equal(X_s.toarray(), X_d)
    assert_array_equal(ours.synthetic_parents_, dense.synthetic_parents_)


def test_base_smote_defaults_are_imblearns():
    # a user's subclass of the base class gets imbalanced-learn's defaults
    from counterpoise.over_sampling._smote_base import BaseSMOTE
    from imblearn.over_sampling._smote.base import BaseSMOTE as ImbBaseSMOTE

    class Ours(BaseSMOTE):
        def _fit_resample(self, X, y):
            return X, y

    class Theirs(ImbBaseSMOTE):
        def _fit_resample(self, X, y):
            return X, y

    ours, theirs = Ours(), Theirs()
    for name in ("sampling_strategy", "random_state", "k_neighbors"):
        assert getattr(ours, name) == getattr(theirs, name), name
    assert ours.k_neighbors == 5 and ours.sampling_strategy == "auto"
