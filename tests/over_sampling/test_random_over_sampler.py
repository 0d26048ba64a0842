"""RandomOverSampler properties on arbitrary data."""

import numpy as np
from counterpoise.over_sampling import RandomOverSampler
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_array_equal

from ..strategies import labelled_data


@settings(max_examples=50, deadline=None)
@given(data=labelled_data(min_per_class=1), seed=st.integers(0, 2**32 - 1))
def test_bootstrap_properties(data, seed):
    X, y = data
    sampler = RandomOverSampler(random_state=seed)
    X_res, y_res = sampler.fit_resample(X, y)
    n = X.shape[0]
    counts = np.unique(y_res, return_counts=True)[1]
    assert np.all(counts == counts.max())  # 'auto' balances every class
    assert_array_equal(X_res[:n], X)
    assert_array_equal(X_res, X[sampler.sample_indices_])
    assert_array_equal(y_res, y[sampler.sample_indices_])


@settings(max_examples=30, deadline=None)
@given(data=labelled_data(min_per_class=2), shrink=st.floats(0, 3))
def test_smoothed_bootstrap_stays_near_its_parents(data, shrink):
    X, y = data
    sampler = RandomOverSampler(shrinkage=shrink, random_state=0)
    X_res, y_res = sampler.fit_resample(X, y)
    assert X_res.dtype == np.float64
    assert X_res.shape[0] == y_res.shape[0] == sampler.sample_indices_.shape[0]
    assert np.isfinite(X_res).all()
    if shrink == 0:
        assert_array_equal(X_res, X[sampler.sample_indices_])


def test_nan_and_strings_are_carried_through():
    X = np.array([["a", "1"], ["b", "2"], ["c", "3"], ["d", "4"]], dtype=object)
    y = np.array([0, 0, 0, 1])
    X_res, y_res = RandomOverSampler(random_state=0).fit_resample(X, y)
    assert X_res.shape == (6, 2) and list(X_res[-1]) == ["d", "4"]
    Xn = np.array([[np.nan, 1.0], [2.0, np.nan], [3.0, 3.0], [4.0, 4.0]])
    X_res, _ = RandomOverSampler(random_state=0).fit_resample(Xn, y)
    assert np.isnan(X_res[:2]).sum() == 2
