"""NeighbourhoodCleaningRule: properties on arbitrary data (hypothesis) and the
size check."""

import numpy as np
import pytest
from counterpoise.under_sampling import (
    EditedNearestNeighbours,
    NeighbourhoodCleaningRule,
)
from hypothesis import given, settings
from numpy.testing import assert_array_equal

from ..conftest import make_data
from ..strategies import labelled_data


@settings(max_examples=25, deadline=None)
@given(data=labelled_data(min_per_class=5))
def test_ncr_returns_an_ascending_subset_and_spares_the_minority(data):
    X, y = data
    classes, counts = np.unique(y, return_counts=True)
    # 'auto' cleans every class but the minority (the first in sorted class order
    # among the smallest, as sampling_strategy resolves ties).
    minority = classes[np.argmin(counts)]
    sampler = NeighbourhoodCleaningRule()
    X_res, _ = sampler.fit_resample(X, y)
    idx = sampler.sample_indices_
    assert_array_equal(X_res, X[idx])
    assert np.all(np.diff(idx) > 0)
    assert set(np.flatnonzero(y == minority)) <= set(idx)
    # the editing step's removals are part of the rule's
    edited = set(sampler.edited_nearest_neighbours_.sample_indices_)
    assert set(idx) <= edited


def test_a_users_editing_rule_is_cloned_and_used():
    X, y = make_data(n=300, d=4, weights=(0.6, 0.4), seed=2)
    X += np.random.default_rng(2).normal(scale=0.8, size=X.shape)
    enn = EditedNearestNeighbours(kind_sel="all")
    sampler = NeighbourhoodCleaningRule(edited_nearest_neighbours=enn)
    sampler.fit_resample(X, y)
    assert sampler.edited_nearest_neighbours_ is not enn
    assert not hasattr(enn, "sample_indices_")
    kept_by_enn = EditedNearestNeighbours(kind_sel="all").fit_resample(X, y)
    assert sampler.sample_indices_.size <= kept_by_enn[1].size


def test_too_many_neighbours_fail_with_the_shared_message():
    X, y = make_data(n=30, d=3, weights=(0.8, 0.2))
    # a user's editing rule with a small k, so NCR's own search meets the check
    sampler = NeighbourhoodCleaningRule(
        n_neighbors=40,
        edited_nearest_neighbours=EditedNearestNeighbours(n_neighbors=1),
    )
    with pytest.raises(ValueError, match="n_neighbors=40 needs at least 41 samples"):
        sampler.fit_resample(X, y)
