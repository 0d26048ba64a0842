"""Shared data and comparison for the cleaning and prototype samplers' parity
tests (one module per sampler: test_tomek_links.py, test_nearmiss.py, ...)."""

import numpy as np
from counterpoise import under_sampling
from imblearn import under_sampling as imb_under
from numpy.testing import assert_allclose, assert_array_equal

from ..conftest import make_data


def dataset(seed, n_classes, d):
    """300 tie-free rows with overlapping classes, 2 to 4 classes."""
    weights = {2: (0.75, 0.25), 3: (0.55, 0.3, 0.15), 4: (0.4, 0.3, 0.2, 0.1)}[
        n_classes
    ]
    X, y = make_data(n=300, d=d, weights=weights, seed=seed)
    X += np.random.default_rng(seed).normal(scale=0.8, size=X.shape)  # overlap
    return X, y


def compare(ours, theirs, X, y):
    """Same ``sample_indices_`` (where imblearn has them), labels and rows."""
    Xa, ya = ours.fit_resample(X, y)
    Xb, yb = theirs.fit_resample(X, y)
    if hasattr(theirs, "sample_indices_"):
        assert_array_equal(ours.sample_indices_, theirs.sample_indices_)
    assert_array_equal(ya, yb)
    assert_allclose(Xa, Xb, rtol=0, atol=0)


def compare_rule(name, params, X, y, **extra):
    """Our ``under_sampling.<name>(**params)`` against imblearn's, same data."""
    compare(
        getattr(under_sampling, name)(**params, **extra),
        getattr(imb_under, name)(**params, **extra),
        X,
        y,
    )
