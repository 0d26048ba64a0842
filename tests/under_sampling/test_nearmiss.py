"""NearMiss: counts, the minority kept whole, the selection of each version
against a direct computation, and the size check."""

import numpy as np
import pytest
from counterpoise.under_sampling import NearMiss
from numpy.testing import assert_array_equal
from sklearn.neighbors import NearestNeighbors

from ..conftest import make_data


def _data(seed=0):
    X, y = make_data(n=400, d=4, weights=(0.55, 0.3, 0.15), seed=seed)
    X += np.random.default_rng(seed).normal(scale=0.8, size=X.shape)
    return X, y


@pytest.mark.filterwarnings("ignore:The number of the samples to be selected")
@pytest.mark.parametrize("version", [1, 2, 3])
def test_classes_are_reduced_to_the_minority_count(version):
    X, y = _data()
    sampler = NearMiss(version=version)
    X_res, y_res = sampler.fit_resample(X, y)
    counts = np.bincount(y)
    minority = int(np.argmin(counts))
    assert_array_equal(X_res, X[sampler.sample_indices_])
    assert_array_equal(
        np.flatnonzero(y == minority), sampler.sample_indices_[y_res == minority]
    )
    if version != 3:  # version 3 keeps at most the candidates it found
        assert np.all(np.bincount(y_res) == counts[minority])


def test_version_1_keeps_the_rows_nearest_the_minority_on_average():
    X, y = _data(1)
    minority = int(np.argmin(np.bincount(y)))
    sampler = NearMiss(version=1, n_neighbors=3)
    _, y_res = sampler.fit_resample(X, y)
    X_min = X[y == minority]
    for klass in np.unique(y):
        if klass == minority:
            continue
        rows = np.flatnonzero(y == klass)
        d = np.linalg.norm(X[rows, None, :] - X_min[None, :, :], axis=2)
        score = np.sort(d, axis=1)[:, :3].mean(axis=1)
        expected = rows[np.argsort(score, kind="stable")[: (y == minority).sum()]]
        assert_array_equal(sampler.sample_indices_[y_res == klass], expected)


@pytest.mark.filterwarnings("ignore:The number of the samples to be selected")
def test_a_neighbours_estimator_counts_by_its_n_neighbors():
    X, y = _data(2)
    ints = NearMiss(version=3, n_neighbors=2, n_neighbors_ver3=4)
    objs = NearMiss(
        version=3,
        n_neighbors=NearestNeighbors(n_neighbors=2),
        n_neighbors_ver3=NearestNeighbors(n_neighbors=4),
    )
    ints.fit_resample(X, y)
    objs.fit_resample(X, y)
    assert_array_equal(ints.sample_indices_, objs.sample_indices_)
    assert objs.nn_ver3_.n_neighbors == 4


def test_too_many_neighbours_fail_clearly():
    X, y = make_data(n=30, d=3, weights=(0.8, 0.2))
    with pytest.raises(ValueError, match="n_neighbors"):
        NearMiss(n_neighbors=40).fit_resample(X, y)
