"""SMOTEN: properties on arbitrary data (hypothesis), thread invariance and bad
input."""

import numpy as np
import pytest
from counterpoise.over_sampling import SMOTEN
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_array_equal


@settings(max_examples=40, deadline=None)
@given(
    n_features=st.integers(1, 4),
    levels=st.integers(1, 4),
    counts=st.lists(st.integers(6, 25), min_size=2, max_size=3),
    k=st.integers(1, 5),
    seed=st.integers(0, 2**31),
)
def test_smoten_properties(n_features, levels, counts, k, seed):
    rng = np.random.default_rng(seed)
    y = rng.permutation(np.repeat(np.arange(len(counts)), counts))
    X = np.array(list("pqrs"))[rng.integers(0, levels, (y.size, n_features))]
    X_orig = X.copy()
    sampler = SMOTEN(k_neighbors=k, random_state=seed % 1000)
    X_res, y_res = sampler.fit_resample(X, y)
    assert_array_equal(X, X_orig)
    n = X.shape[0]
    assert_array_equal(X_res[:n], X)
    for c, extra in sampler.sampling_strategy_.items():
        assert (y_res == c).sum() == (y == c).sum() + extra
        new = X_res[n:][y_res[n:] == c]
        for f in range(n_features):  # every new value is one the class holds
            assert np.isin(new[:, f], X[y == c, f]).all()
    again = SMOTEN(k_neighbors=k, random_state=seed % 1000).fit_resample(X, y)
    assert_array_equal(again[0], X_res)


def test_output_does_not_depend_on_thread_count(monkeypatch):
    rng = np.random.default_rng(0)
    y = (rng.random(3000) < 0.2).astype(int)
    Xc = np.array(list("abcde"))[rng.integers(0, 5, (3000, 6))]
    outs = []
    for threads in ("1", "2", "5"):
        monkeypatch.setenv("RAYON_NUM_THREADS", threads)
        outs.append(SMOTEN(random_state=3).fit_resample(Xc, y)[0])
    for b in outs[1:]:
        assert_array_equal(b, outs[0])


def test_smoten_bad_input_fails_clearly():
    X = np.array(list("abc"))[np.random.default_rng(0).integers(0, 3, (30, 2))]
    y = np.r_[np.zeros(26, int), np.ones(4, int)]
    with pytest.raises(ValueError, match="k_neighbors=5 needs at least 6"):
        SMOTEN().fit_resample(X, y)
    y2 = np.r_[np.zeros(20, int), np.ones(10, int)]
    Xn = np.where(np.arange(60).reshape(30, 2) % 7 == 0, np.nan, 1.0)
    with pytest.raises(ValueError, match="NaN"):
        SMOTEN(k_neighbors=2).fit_resample(Xn, y2)
    Xm = np.ones((30, 2)).astype(object)
    Xm[0, 0] = "a"  # mixed str and float cannot be ordered into categories
    with pytest.raises(TypeError, match="could not encode X as categories"):
        SMOTEN(k_neighbors=2).fit_resample(Xm, y2)
