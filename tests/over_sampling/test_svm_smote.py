"""SVMSMOTE: provenance (interpolation and extrapolation) and clear errors."""

import numpy as np
import pytest
from counterpoise.over_sampling import SVMSMOTE


@pytest.mark.parametrize(
    "sampler",
    [
        SVMSMOTE(random_state=0),
        SVMSMOTE(random_state=0, out_step=0.3, m_neighbors=4),
    ],
    ids=["svm", "svm-extrapolating"],
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
        (SVMSMOTE(m_neighbors=50), "Lower m_neighbors to at most 39"),
        (SVMSMOTE(k_neighbors=10), "Lower k_neighbors to at most 5"),
    ],
)
def test_too_few_samples_for_the_neighbourhood_fails_clearly(sampler, message):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 3))
    y = np.r_[np.zeros(34, int), np.ones(6, int)]
    with pytest.raises(ValueError, match=message):
        sampler.fit_resample(X, y)
