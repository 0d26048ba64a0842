"""ADASYN: properties on arbitrary data (hypothesis), provenance and clear
errors."""

import numpy as np
import pytest
from counterpoise.over_sampling import ADASYN
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from ..strategies import labelled_data


@settings(max_examples=40, deadline=None)
@given(data=labelled_data(min_per_class=6, max_classes=3), seed=st.integers(0, 1000))
def test_adasyn_keeps_originals_and_labels(data, seed):
    X, y = data
    try:
        X_res, y_res = ADASYN(n_neighbors=3, random_state=seed).fit_resample(X, y)
    except (RuntimeError, ValueError) as exc:  # documented refusals
        assert "ADASYN" in str(exc) or "No samples" in str(exc)
        assume(False)  # an example counts only when ADASYN resamples
    n = X.shape[0]
    np.testing.assert_array_equal(X_res[:n], X)
    assert X_res.shape[0] == y_res.shape[0]
    assert set(np.unique(y_res)) == set(np.unique(y))


@pytest.mark.parametrize(
    "sampler",
    [
        ADASYN(random_state=0),
    ],
    ids=["adasyn"],
)
def test_provenance_reconstructs_every_synthetic_row(sampler):
    rng = np.random.default_rng(0)
    X = np.vstack([rng.normal(0, 1, (400, 3)), rng.normal(1.0, 1, (60, 3))])
    y = np.r_[np.zeros(400, int), np.ones(60, int)]
    X_res, y_res = sampler.fit_resample(X, y)
    n = X.shape[0]
    p, t = sampler.synthetic_parents_, sampler.synthetic_steps_
    assert p.shape == (X_res.shape[0] - n, 2) and t.shape == (p.shape[0],)
    assert (y[p[:, 0]] == 1).all()  # every row starts from a minority row
    a, b = X[p[:, 0]], X[p[:, 1]]
    np.testing.assert_allclose(
        X_res[n:], a + t[:, None] * (b - a), rtol=1e-9, atol=1e-12
    )


@pytest.mark.parametrize(
    "sampler, message",
    [
        (ADASYN(n_neighbors=60), "n_neighbors=60 needs at least 61 samples"),
        (ADASYN(n_neighbors=8), "n_neighbors=8 needs at least 9 samples of class 1"),
    ],
)
def test_too_few_samples_for_the_neighbourhood_fails_clearly(sampler, message):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 3))
    y = np.r_[np.zeros(34, int), np.ones(6, int)]
    with pytest.raises(ValueError, match=message):
        sampler.fit_resample(X, y)
