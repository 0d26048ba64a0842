"""CondensedNearestNeighbour: the minority kept whole, the engine's 1-NN loop
against a user's KNeighborsClassifier, determinism for a seed."""

import numpy as np
import pytest
from counterpoise.under_sampling import CondensedNearestNeighbour
from numpy.testing import assert_array_equal
from sklearn.neighbors import KNeighborsClassifier

from ..conftest import make_data


def _data(seed=0):
    X, y = make_data(n=300, d=4, weights=(0.55, 0.3, 0.15), seed=seed)
    X += np.random.default_rng(seed).normal(scale=0.8, size=X.shape)
    return X, y


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_the_engines_1nn_loop_is_the_classifiers(seed):
    # n_neighbors=None runs the incremental Rust loop; a KNeighborsClassifier is
    # refitted and asked to predict at every step: the same rows must come out.
    X, y = _data(seed)
    fast = CondensedNearestNeighbour(random_state=seed)
    slow = CondensedNearestNeighbour(
        random_state=seed, n_neighbors=KNeighborsClassifier(n_neighbors=1)
    )
    fast.fit_resample(X, y)
    slow.fit_resample(X, y)
    assert_array_equal(fast.sample_indices_, slow.sample_indices_)
    assert len(fast.estimators_) == len(fast.sampling_strategy_)


def test_an_int_uses_the_engines_vote_as_a_classifier_would():
    X, y = _data(3)
    ints = CondensedNearestNeighbour(random_state=3, n_neighbors=3)
    objs = CondensedNearestNeighbour(
        random_state=3, n_neighbors=KNeighborsClassifier(n_neighbors=3)
    )
    ints.fit_resample(X, y)
    objs.fit_resample(X, y)
    assert_array_equal(ints.sample_indices_, objs.sample_indices_)


def test_minority_is_kept_whole_and_the_seed_decides():
    X, y = _data(4)
    minority = int(np.argmin(np.bincount(y)))
    a = CondensedNearestNeighbour(random_state=7)
    X_res, y_res = a.fit_resample(X, y)
    assert_array_equal(X_res, X[a.sample_indices_])
    assert set(np.flatnonzero(y == minority)) <= set(a.sample_indices_)
    b = CondensedNearestNeighbour(random_state=7).fit(X, y)
    b.fit_resample(X, y)
    assert_array_equal(a.sample_indices_, b.sample_indices_)


def test_a_non_classifier_n_neighbors_is_refused():
    from sklearn.neighbors import NearestNeighbors

    X, y = _data()
    with pytest.raises(TypeError, match="KNeighborsClassifier"):
        CondensedNearestNeighbour(n_neighbors=NearestNeighbors()).fit_resample(X, y)
