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


def _noise_scale(X, y, cls, shrink):
    """The smoothed bootstrap's noise standard deviation per feature for class
    ``cls``: the class's standard deviation times ``shrink * (4 / ((d + 2) * n))
    ** (1 / (d + 4))``, n and d those of the whole ``X`` (imblearn's formula)."""
    n, d = X.shape
    return shrink * (4 / ((d + 2) * n)) ** (1 / (d + 4)) * X[y == cls].std(axis=0)


@settings(max_examples=30, deadline=None)
@given(data=labelled_data(min_per_class=2), shrink=st.floats(0, 3))
def test_smoothed_bootstrap_stays_near_its_parents(data, shrink):
    X, y = data
    sampler = RandomOverSampler(shrinkage=shrink, random_state=0)
    X_res, y_res = sampler.fit_resample(X, y)
    assert X_res.dtype == np.float64
    assert X_res.shape[0] == y_res.shape[0] == sampler.sample_indices_.shape[0]
    assert np.isfinite(X_res).all()
    n = X.shape[0]
    assert_array_equal(X_res[:n], X)
    parents = X[sampler.sample_indices_[n:]]
    assert_array_equal(y_res[n:], y[sampler.sample_indices_[n:]])
    scale = np.array([_noise_scale(X, y, c, shrink) for c in y_res[n:]]).reshape(
        parents.shape
    )
    # every new row is its parent plus Gaussian noise of that scale: within 8
    # standard deviations (a miss has odds below 1e-14 per value), exactly the
    # parent where the scale is 0, and moved where the scale is not negligible
    step = np.abs(X_res[n:] - parents)
    assert (step <= 8 * scale + 1e-12 * (1 + np.abs(parents))).all()
    assert_array_equal(X_res[n:][scale == 0], parents[scale == 0])
    visible = scale > 1e-6 * (1 + np.abs(parents))
    if visible.any():
        assert (step[visible] > 0).any()


def test_smoothed_bootstrap_noise_has_the_formulas_scale_per_class():
    # shrinkage as a dict: each over-sampled class gets its own factor, and the
    # noise (new row minus parent), divided by the formula's scale, has unit
    # standard deviation in every feature
    rng = np.random.default_rng(0)
    y = np.repeat([0, 1, 2], [3000, 300, 100])
    X = rng.normal(size=(y.size, 3)) * [1.0, 10.0, 0.1] + y[:, None]
    shrink = {1: 0.5, 2: 2.0}
    sampler = RandomOverSampler(shrinkage=shrink, random_state=0)
    X_res, y_res = sampler.fit_resample(X, y)
    assert sampler.shrinkage_ == shrink
    n = X.shape[0]
    noise = X_res[n:] - X[sampler.sample_indices_[n:]]
    for cls, factor in shrink.items():
        z = noise[y_res[n:] == cls] / _noise_scale(X, y, cls, factor)
        assert z.shape[0] == 3000 - (y == cls).sum()
        np.testing.assert_allclose(z.std(axis=0), 1, atol=0.05)
        np.testing.assert_allclose(z.mean(axis=0), 0, atol=0.05)


def test_nan_and_strings_are_carried_through():
    X = np.array([["a", "1"], ["b", "2"], ["c", "3"], ["d", "4"]], dtype=object)
    y = np.array([0, 0, 0, 1])
    X_res, y_res = RandomOverSampler(random_state=0).fit_resample(X, y)
    assert X_res.shape == (6, 2) and list(X_res[-1]) == ["d", "4"]
    Xn = np.array([[np.nan, 1.0], [2.0, np.nan], [3.0, 3.0], [4.0, 4.0]])
    X_res, _ = RandomOverSampler(random_state=0).fit_resample(Xn, y)
    assert np.isnan(X_res[:2]).sum() == 2
