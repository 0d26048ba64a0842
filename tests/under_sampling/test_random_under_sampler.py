"""RandomUnderSampler properties on arbitrary data."""

import numpy as np
from counterpoise.under_sampling import RandomUnderSampler
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_array_equal

from ..strategies import labelled_data


@settings(max_examples=50, deadline=None)
@given(
    data=labelled_data(min_per_class=1),
    seed=st.integers(0, 2**32 - 1),
    repl=st.booleans(),
)
def test_subset_properties(data, seed, repl):
    X, y = data
    sampler = RandomUnderSampler(random_state=seed, replacement=repl)
    X_res, y_res = sampler.fit_resample(X, y)
    idx = sampler.sample_indices_
    assert_array_equal(X_res, X[idx])
    assert_array_equal(y_res, y[idx])
    n_min = np.unique(y, return_counts=True)[1].min()
    assert np.all(np.unique(y_res, return_counts=True)[1] == n_min)
    if not repl:
        assert np.unique(idx).size == idx.size
    # the minority class is kept whole
    minority = np.unique(y, return_counts=True)
    c = minority[0][np.argmin(minority[1])]
    assert set(idx[y_res == c]) == set(np.flatnonzero(y == c))
