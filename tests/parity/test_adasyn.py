"""ADASYN against imbalanced-learn 0.14.2: same rows for the same seed on tie-free
data."""

import numpy as np
import pytest
from counterpoise import over_sampling as ours
from imblearn import over_sampling as imb
from numpy.testing import assert_array_equal

from ..conftest import make_data

CASES = [
    {},
    {"n_neighbors": 3, "sampling_strategy": "not majority"},
]


def _data(seed, weights, d, dtype):
    X, y = make_data(n=500, d=d, weights=weights, seed=seed, dtype=np.float64)
    X += np.random.default_rng(seed).normal(scale=0.8, size=X.shape)  # overlap
    return X.astype(dtype), y


@pytest.mark.parametrize("params", CASES, ids=str)
@pytest.mark.parametrize(
    "weights", [(0.8, 0.2), (0.55, 0.3, 0.15)], ids=["bin", "multi"]
)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("d", [2, 9, 24])
def test_same_rows_as_imblearn(params, weights, dtype, d):
    X, y = _data(d, weights, d, dtype)
    for seed in (0, 17):
        a = ours.ADASYN(random_state=seed, **params)
        b = imb.ADASYN(random_state=seed, **params)
        Xa, ya = a.fit_resample(X, y)
        Xb, yb = b.fit_resample(X, y)
        assert Xa.dtype == Xb.dtype
        assert_array_equal(Xa, Xb)
        assert_array_equal(ya, yb)


def test_adasyn_without_other_class_neighbours_fails_clearly():
    X = np.vstack(
        [np.random.default_rng(0).normal(size=(50, 2)), np.full((5, 2), 100.0)]
    )
    X[50:] += np.arange(5)[:, None] * 0.01
    y = np.array([0] * 50 + [1] * 5)
    with pytest.raises(RuntimeError, match="SMOTE instead"):
        ours.ADASYN(n_neighbors=3).fit_resample(X, y)
