"""TomekLinks: the removed rows are exactly the linked rows of the cleaned
classes, on arbitrary data (hypothesis); imblearn's ``is_tomek`` helper."""

import numpy as np
from counterpoise.under_sampling import TomekLinks
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


def test_is_tomek_flags_mutual_nearest_pairs_of_different_classes():
    # 0 <-> 1 is a link (classes differ), 2 <-> 3 is mutual but same class, 4 -> 3
    # is not mutual; only class 0 is cleaned, so row 1 (class 1) is not flagged.
    y = np.array([0, 1, 0, 0, 1])
    nn_index = np.array([1, 0, 3, 2, 3])
    assert_array_equal(
        TomekLinks.is_tomek(y, nn_index, [0]), [True, False, False, False, False]
    )
    assert_array_equal(
        TomekLinks.is_tomek(y, nn_index, [0, 1]), [True, True, False, False, False]
    )
