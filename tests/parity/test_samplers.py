"""Same seed, same rows: SMOTE, RandomOverSampler and RandomUnderSampler against
imbalanced-learn 0.14.2 on tie-free data, for many seeds and datasets."""

import numpy as np
import pytest
from counterpoise.over_sampling import SMOTE, RandomOverSampler
from counterpoise.under_sampling import RandomUnderSampler
from imblearn.over_sampling import SMOTE as ImbSMOTE
from imblearn.over_sampling import RandomOverSampler as ImbROS
from imblearn.under_sampling import RandomUnderSampler as ImbRUS
from numpy.testing import assert_array_equal
from sklearn.neighbors import NearestNeighbors

from ..conftest import make_data

DATASETS = [
    dict(n=300, d=2, weights=(0.8, 0.2)),
    dict(n=500, d=7, weights=(0.6, 0.3, 0.1)),
    dict(n=800, d=24, weights=(0.9, 0.1)),
    dict(n=400, d=40, weights=(0.5, 0.2, 0.2, 0.1)),
]
PAIRS = [
    (SMOTE, ImbSMOTE, {}),
    (SMOTE, ImbSMOTE, {"k_neighbors": 3, "sampling_strategy": "all"}),
    (SMOTE, ImbSMOTE, {"k_neighbors": 1, "sampling_strategy": "not majority"}),
    (RandomOverSampler, ImbROS, {}),
    (RandomOverSampler, ImbROS, {"shrinkage": 0.7}),
    (RandomUnderSampler, ImbRUS, {}),
    (RandomUnderSampler, ImbRUS, {"replacement": True, "sampling_strategy": "all"}),
]


def _compare(ours, theirs, X, y):
    Xa, ya = ours.fit_resample(X, y)
    Xb, yb = theirs.fit_resample(X, y)
    # every case resamples something: an unchanged output would compare nothing
    assert len(yb) != len(y)
    assert Xa.dtype == Xb.dtype
    assert_array_equal(Xa, Xb)
    assert_array_equal(ya, yb)
    assert dict(ours.sampling_strategy_) == dict(theirs.sampling_strategy_)
    if hasattr(theirs, "sample_indices_"):
        assert_array_equal(ours.sample_indices_, theirs.sample_indices_)


@pytest.mark.parametrize(
    "params", DATASETS, ids=lambda p: f"d{p['d']}c{len(p['weights'])}"
)
@pytest.mark.parametrize(
    "ours,theirs,kw", PAIRS, ids=lambda v: getattr(v, "__name__", "")
)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_same_output_as_imblearn_for_many_seeds(params, ours, theirs, kw, dtype):
    X, y = make_data(**params, dtype=dtype)
    for seed in (0, 1, 42, 2**31 - 1):
        _compare(ours(random_state=seed, **kw), theirs(random_state=seed, **kw), X, y)


def test_shared_randomstate_instance_gives_the_same_stream():
    X, y = make_data(n=400, d=5, weights=(0.5, 0.3, 0.2))
    for ours, theirs in [(SMOTE, ImbSMOTE), (RandomOverSampler, ImbROS)]:
        _compare(
            ours(random_state=np.random.RandomState(7)),
            theirs(random_state=np.random.RandomState(7)),
            X,
            y,
        )


def test_string_labels_and_dict_strategy():
    X, y = make_data(n=500, d=6, weights=(0.6, 0.3, 0.1))
    y = np.array(["spam", "ham", "eggs"])[y]
    for ours, theirs, strategy in [
        (SMOTE, ImbSMOTE, {"eggs": 200, "ham": 160}),
        (RandomOverSampler, ImbROS, {"eggs": 120}),
        (RandomUnderSampler, ImbRUS, {"spam": 40, "ham": 30}),
    ]:
        _compare(
            ours(sampling_strategy=strategy, random_state=3),
            theirs(sampling_strategy=strategy, random_state=3),
            X,
            y,
        )


def test_user_neighbours_estimator_is_used_as_imblearn_does():
    X, y = make_data(n=400, d=4, weights=(0.7, 0.3))
    nn = NearestNeighbors(n_neighbors=4)
    _compare(
        SMOTE(k_neighbors=nn, random_state=0),
        ImbSMOTE(k_neighbors=nn, random_state=0),
        X,
        y,
    )


def test_integer_features_are_cast_back_as_imblearn_does():
    X, y = make_data(n=300, d=4, weights=(0.7, 0.3))
    Xi = (X * 100).astype(np.int64)
    _compare(SMOTE(random_state=1), ImbSMOTE(random_state=1), Xi, y)


@pytest.mark.parametrize("fmt", ["csr", "csc"])
@pytest.mark.parametrize("shrinkage", [0.7, {1: 1.5, 2: 0.2}])
def test_smoothed_bootstrap_on_sparse_input(fmt, shrinkage):
    # the sparse path draws the noise from the class's sparse variance and
    # stacks the smoothed rows in X's format: the same rows as imblearn's
    from scipy import sparse

    X, y = make_data(n=400, d=6, weights=(0.6, 0.25, 0.15))
    X[np.abs(X) < 0.6] = 0.0  # sparse-looking: about half the entries zero
    Xs = sparse.csr_matrix(X).asformat(fmt)
    for seed in (0, 7):
        ours = RandomOverSampler(shrinkage=shrinkage, random_state=seed)
        theirs = ImbROS(shrinkage=shrinkage, random_state=seed)
        Xa, ya = ours.fit_resample(Xs, y)
        Xb, yb = theirs.fit_resample(Xs, y)
        assert len(yb) > len(y)
        assert sparse.issparse(Xa) and Xa.format == Xb.format == fmt
        assert_array_equal(Xa.toarray(), Xb.toarray())
        assert_array_equal(ya, yb)
        assert_array_equal(ours.sample_indices_, theirs.sample_indices_)
