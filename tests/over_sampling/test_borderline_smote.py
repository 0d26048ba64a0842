"""BorderlineSMOTE: properties on arbitrary data (hypothesis), provenance and
clear errors."""

import numpy as np
import pytest
from counterpoise.over_sampling import BorderlineSMOTE
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from ..strategies import labelled_data


@settings(max_examples=40, deadline=None)
@given(
    data=labelled_data(min_per_class=6, max_classes=3),
    seed=st.integers(0, 1000),
    k=st.integers(1, 5),
)
def test_borderline1_rows_lie_between_a_danger_row_and_a_same_class_row(data, seed, k):
    X, y = data
    sampler = BorderlineSMOTE(k_neighbors=k, m_neighbors=3, random_state=seed)
    X_res, y_res = sampler.fit_resample(X, y)
    n = X.shape[0]
    np.testing.assert_array_equal(X_res[:n], X)
    assume(X_res.shape[0] > n)  # an example counts only when rows were made
    # each new row is a + t (b - a), t in [0, 1), from a danger row a of its class
    # to b, a row of the same class among a's k nearest (ties allowed: b no farther
    # than the k-th distance, the first of the k + 1 being a itself or a twin)
    parents, steps = sampler.synthetic_parents_, sampler.synthetic_steps_
    assert parents.shape == (X_res.shape[0] - n, 2)
    assert ((steps >= 0) & (steps < 1)).all()
    a, b = parents[:, 0], parents[:, 1]
    assert (y[a] == y_res[n:]).all() and (y[b] == y_res[n:]).all()
    for c in np.unique(y_res[n:]):
        assert np.isin(a[y_res[n:] == c], sampler.in_danger_indices[c]).all()
    np.testing.assert_allclose(
        X_res[n:], X[a] + steps[:, None] * (X[b] - X[a]), rtol=1e-12, atol=0
    )
    checked = np.random.default_rng(0).permutation(a.size)[:300]
    for i in checked:
        same = X[y == y[a[i]]]
        d_all = np.sort(np.sqrt(((same - X[a[i]]) ** 2).sum(axis=1)))
        d_b = np.sqrt(((X[b[i]] - X[a[i]]) ** 2).sum())
        assert d_b <= d_all[k] * (1 + 1e-12) + 1e-300


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
