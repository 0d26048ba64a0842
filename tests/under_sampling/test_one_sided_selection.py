"""OneSidedSelection: the minority kept whole, the engine's vote against a user's
KNeighborsClassifier, and the Tomek step applied to the selection."""

import numpy as np
import pytest
from counterpoise.under_sampling import OneSidedSelection
from numpy.testing import assert_array_equal
from sklearn.neighbors import KNeighborsClassifier

from ..conftest import make_data


def _data(seed=0):
    X, y = make_data(n=300, d=4, weights=(0.55, 0.3, 0.15), seed=seed)
    X += np.random.default_rng(seed).normal(scale=0.8, size=X.shape)
    return X, y


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_the_engines_vote_is_the_classifiers(seed):
    X, y = _data(seed)
    fast = OneSidedSelection(random_state=seed)
    slow = OneSidedSelection(
        random_state=seed, n_neighbors=KNeighborsClassifier(n_neighbors=1)
    )
    fast.fit_resample(X, y)
    slow.fit_resample(X, y)
    assert_array_equal(fast.sample_indices_, slow.sample_indices_)


def test_minority_is_kept_whole_and_no_link_is_left_in_one_pass():
    X, y = _data(5)
    minority = int(np.argmin(np.bincount(y)))
    sampler = OneSidedSelection(random_state=5, n_seeds_S=3)
    X_res, y_res = sampler.fit_resample(X, y)
    idx = sampler.sample_indices_
    assert_array_equal(X_res, X[idx])
    assert np.unique(idx).size == idx.size
    assert set(np.flatnonzero(y == minority)) <= set(idx)
    assert len(sampler.estimators_) == len(sampler.sampling_strategy_)
    # every cleaned class lost rows; the seeds and the misclassified rows remain
    counts = np.bincount(y_res, minlength=3)
    for klass in sampler.sampling_strategy_:
        assert 3 <= counts[klass] < (y == klass).sum()
