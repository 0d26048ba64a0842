"""Properties of the cleaning rules on arbitrary data (hypothesis)."""

import numpy as np
from counterpoise.under_sampling import (
    AllKNN,
    EditedNearestNeighbours,
    NeighbourhoodCleaningRule,
    RepeatedEditedNearestNeighbours,
    TomekLinks,
)
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from numpy.testing import assert_array_equal

from ..strategies import labelled_data


@settings(max_examples=60, deadline=None)
@given(data=labelled_data(min_per_class=2), target=st.sampled_from(["all", "auto"]))
def test_tomek_removes_exactly_the_linked_rows_of_the_cleaned_classes(data, target):
    X, y = data
    n, m = X.shape
    X = X + 1e-3 * np.sqrt(2.0 + np.arange(n * m).reshape(n, m))  # break ties
    d = ((X[:, None, :] - X[None, :, :]) ** 2).sum(axis=2)
    np.fill_diagonal(d, np.inf)
    # the definition needs a unique nearest neighbour for every row
    assume(np.all((d == d.min(axis=1, keepdims=True)).sum(axis=1) == 1))
    nearest = np.argmin(d, axis=1)
    linked = (y[nearest] != y) & (nearest[nearest] == np.arange(y.size))
    sampler = TomekLinks(sampling_strategy=target)
    X_res, _ = sampler.fit_resample(X, y)
    cleaned = np.isin(y, list(sampler.sampling_strategy_))
    removed = np.setdiff1d(np.arange(y.size), sampler.sample_indices_)
    assert_array_equal(removed, np.flatnonzero(linked & cleaned))
    assert_array_equal(X_res, X[sampler.sample_indices_])


@settings(max_examples=40, deadline=None)
@given(data=labelled_data(min_per_class=4), kind=st.sampled_from(["all", "mode"]))
def test_enn_keeps_only_agreeing_rows_and_a_subset(data, kind):
    X, y = data
    sampler = EditedNearestNeighbours(kind_sel=kind, sampling_strategy="all")
    X_res, y_res = sampler.fit_resample(X, y)
    idx = sampler.sample_indices_
    assert np.unique(idx).size == idx.size
    assert_array_equal(X_res, X[idx])
    assert_array_equal(y_res, y[idx])


@settings(max_examples=25, deadline=None)
@given(data=labelled_data(min_per_class=5))
def test_rules_return_subsets_and_single_pass_rules_spare_the_minority(data):
    X, y = data
    classes, counts = np.unique(y, return_counts=True)
    # 'auto' cleans every class but the minority (the first in sorted class order
    # among the smallest, as sampling_strategy resolves ties).
    minority = classes[np.argmin(counts)]
    for sampler in (
        EditedNearestNeighbours(),
        NeighbourhoodCleaningRule(),
        RepeatedEditedNearestNeighbours(),
        AllKNN(),
    ):
        X_res, y_res = sampler.fit_resample(X, y)
        idx = sampler.sample_indices_
        assert_array_equal(X_res, X[idx])
        assert np.unique(idx).size == idx.size
        if isinstance(sampler, (EditedNearestNeighbours, NeighbourhoodCleaningRule)):
            # Single-pass rules leave the minority's rows alone. RENN and AllKNN
            # resolve 'auto' again on the surviving labels each round (as imblearn
            # does), so the class they spare can change from round to round.
            assert set(np.flatnonzero(y == minority)) <= set(idx)
