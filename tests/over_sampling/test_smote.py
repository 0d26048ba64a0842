"""SMOTE properties that hold on any data (hypothesis), provenance, threads."""

import numpy as np
import pytest
from counterpoise.over_sampling import SMOTE
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_array_equal

from ..conftest import make_data
from ..strategies import labelled_data


def _counts(y):
    return dict(zip(*np.unique(y, return_counts=True)))


@settings(max_examples=60, deadline=None)
@given(
    data=labelled_data(min_per_class=7),
    k=st.integers(1, 6),
    seed=st.integers(0, 2**32 - 1),
)
def test_smote_properties(data, k, seed):
    X, y = data
    sampler = SMOTE(k_neighbors=k, random_state=seed)
    X_res, y_res = sampler.fit_resample(X, y)
    n = X.shape[0]
    # class counts are what sampling_strategy_ asks
    before, after = _counts(y), _counts(y_res)
    for c in before:
        assert after[c] == before[c] + sampler.sampling_strategy_.get(c, 0)
    # original rows come back unchanged, in order
    assert_array_equal(X_res[:n], X)
    assert_array_equal(y_res[:n], y)
    # every synthetic row lies on the segment from its parent to one of the parent's
    # k nearest same-class neighbours (ties allowed: distance <= the k-th distance)
    parents, steps = sampler.synthetic_parents_, sampler.synthetic_steps_
    assert parents.shape == (X_res.shape[0] - n, 2)
    assert np.all((steps >= 0) & (steps < 1))
    # (every row on small data, 300 of them on the large)
    checked = np.random.default_rng(0).permutation(parents.shape[0])[:300]
    for i, (a, b) in zip(checked, parents[checked]):
        assert y[a] == y[b] == y_res[n + i]
        expected = X[a] + steps[i] * (X[b] - X[a])
        assert_array_equal(X_res[n + i], expected)
        same = np.flatnonzero(y == y[a])
        d_all = np.sort(np.sqrt(((X[same] - X[a]) ** 2).sum(axis=1)))
        # d_all[0] is the point itself (or a duplicate); neighbour must be within k
        assert np.sqrt(((X[b] - X[a]) ** 2).sum()) <= d_all[k] * (1 + 1e-12) + 1e-300


@settings(max_examples=25, deadline=None)
@given(data=labelled_data(min_per_class=3), seed=st.integers(0, 1000))
def test_same_seed_same_output_and_float32_stays_float32(data, seed):
    X, y = data
    a = SMOTE(k_neighbors=2, random_state=seed).fit_resample(X, y)
    b = SMOTE(k_neighbors=2, random_state=seed).fit_resample(X, y)
    assert_array_equal(a[0], b[0])
    assert_array_equal(a[1], b[1])
    X32 = X.astype(np.float32)
    assert (
        SMOTE(k_neighbors=2, random_state=seed).fit_resample(X32, y)[0].dtype
        == np.float32
    )


@pytest.mark.parametrize("d", [3, 40])
def test_output_does_not_depend_on_thread_count(monkeypatch, d):
    X, y = make_data(n=5000, d=d, weights=(0.7, 0.2, 0.1))
    outputs = []
    for threads in ("1", "2", "5"):
        monkeypatch.setenv("RAYON_NUM_THREADS", threads)
        sampler = SMOTE(random_state=11)
        outputs.append((sampler.fit_resample(X, y)[0], sampler.synthetic_parents_))
    for X_res, parents in outputs[1:]:
        assert_array_equal(X_res, outputs[0][0])
        assert_array_equal(parents, outputs[0][1])


def test_provenance_points_at_rows_of_the_input():
    X, y = make_data(n=400, d=3, weights=(0.8, 0.2))
    sampler = SMOTE(random_state=0)
    X_res, y_res = sampler.fit_resample(X, y)
    n_new = X_res.shape[0] - X.shape[0]
    assert sampler.synthetic_parents_.shape == (n_new, 2)
    assert sampler.synthetic_steps_.shape == (n_new,)
    minority = np.flatnonzero(y == 1)
    assert np.isin(sampler.synthetic_parents_, minority).all()


def test_default_attributes_match_imblearn():
    from imblearn.over_sampling import SMOTE as ImbSMOTE

    X, y = make_data()
    ours, theirs = SMOTE(), ImbSMOTE()
    assert ours.get_params() == theirs.get_params()
    for method in ("fit", "fit_resample"):
        getattr(ours, method)(X, y)
        getattr(theirs, method)(X, y)
        public = {a for a in vars(theirs) if a.endswith("_") and not a.startswith("_")}
        assert public <= set(vars(ours)), public - set(vars(ours))
    assert ours.nn_k_.n_neighbors == theirs.nn_k_.n_neighbors
    assert ours.n_features_in_ == theirs.n_features_in_


def test_too_few_rows_names_the_class_and_the_fix():
    X = np.arange(40, dtype=np.float64).reshape(20, 2)
    y = np.array(["spam"] * 17 + ["eggs"] * 3)
    with pytest.raises(ValueError) as err:
        SMOTE(k_neighbors=5).fit_resample(X, y)
    text = str(err.value)
    assert "k_neighbors=5 needs at least 6 samples of class 'eggs'" in text
    assert "there are 3" in text and "at most 2" in text
