"""BorderlineSMOTE: properties on arbitrary data (hypothesis), provenance and
clear errors."""

import numpy as np
import pytest
from counterpoise.over_sampling import BorderlineSMOTE
from hypothesis import given, settings
from hypothesis import strategies as st

from ..strategies import labelled_data


@settings(max_examples=40, deadline=None)
@given(data=labelled_data(min_per_class=6, max_classes=3), seed=st.integers(0, 1000))
def test_borderline1_rows_lie_between_a_danger_row_and_a_same_class_row(data, seed):
    X, y = data
    sampler = BorderlineSMOTE(k_neighbors=2, m_neighbors=3, random_state=seed)
    X_res, y_res = sampler.fit_resample(X, y)
    n = X.shape[0]
    np.testing.assert_array_equal(X_res[:n], X)
    for i in range(n, X_res.shape[0]):
        c = y_res[i]
        danger = X[sampler.in_danger_indices[c]]
        same = X[y == c]
        # x = a + t (b - a), t in [0, 1): on some segment danger -> same-class row
        ok = False
        for a in danger:
            diff = same - a
            denom = (diff**2).sum(axis=1)
            t = np.where(
                denom > 0,
                ((X_res[i] - a) * diff).sum(axis=1) / np.where(denom > 0, denom, 1),
                0,
            )
            closest = a + t[:, None] * diff
            if np.any(
                np.all(np.isclose(closest, X_res[i], rtol=1e-9, atol=1e-6), axis=1)
                & (t >= -1e-9)
                & (t <= 1 + 1e-9)
            ):
                ok = True
                break
        assert ok, f"row {i} is not on a danger segment"


@pytest.mark.parametrize(
    "sampler",
    [
        BorderlineSMOTE(random_state=0),
        BorderlineSMOTE(kind="borderline-2", random_state=0),
    ],
    ids=["bl1", "bl2"],
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
        (BorderlineSMOTE(m_neighbors=50), "m_neighbors=50 needs at least 51 samples"),
        (BorderlineSMOTE(k_neighbors=10), "k_neighbors=10 needs at least 11 samples"),
    ],
)
def test_too_few_samples_for_the_neighbourhood_fails_clearly(sampler, message):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 3))
    y = np.r_[np.zeros(34, int), np.ones(6, int)]
    with pytest.raises(ValueError, match=message):
        sampler.fit_resample(X, y)
