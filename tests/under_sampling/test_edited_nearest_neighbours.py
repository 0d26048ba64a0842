"""EditedNearestNeighbours, RepeatedEditedNearestNeighbours and AllKNN: properties
on arbitrary data (hypothesis), the neighbours estimator path and the size
check."""

import numpy as np
import pytest
from counterpoise.under_sampling import (
    AllKNN,
    EditedNearestNeighbours,
    RepeatedEditedNearestNeighbours,
)
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_array_equal
from scipy import stats
from sklearn.neighbors import NearestNeighbors

from ..conftest import make_data
from ..strategies import labelled_data


def naive_enn_keep(X, y, k, kind):
    """ENN's vote by brute force: each row's k nearest rows by (distance, index),
    the first of its k + 1 (itself, or an earlier duplicate) left out as imblearn
    does; 'all' keeps a row whose neighbours all share its class, 'mode' one
    whose neighbours' most frequent class (the smallest on ties) is its own."""
    sq = (X**2).sum(axis=1)
    d2 = sq[:, None] + sq[None, :] - 2 * X @ X.T  # exact: X holds small integers
    labels = y[np.argsort(d2, axis=1, kind="stable")[:, 1 : k + 1]]
    if kind == "all":
        return (labels == y[:, None]).all(axis=1)
    return stats.mode(labels, axis=1, keepdims=False).mode == y


@settings(max_examples=60, deadline=None)
@given(
    data=labelled_data(min_per_class=4),
    kind=st.sampled_from(["all", "mode"]),
    k=st.integers(1, 3),
    grid=st.sampled_from([1.0, 50.0, 1e3]),
)
def test_enn_keeps_only_agreeing_rows_and_a_subset(data, kind, k, grid):
    # integer-valued columns (the floats rounded to a grid) make every distance
    # exact, so the many ties are settled by the documented (distance, index) rule
    # (the integers stay below 1e7, so sums of their squares are exact in float64)
    X, y = data
    X = np.round(X / grid)
    sampler = EditedNearestNeighbours(
        n_neighbors=k, kind_sel=kind, sampling_strategy="all"
    )
    X_res, y_res = sampler.fit_resample(X, y)
    idx = sampler.sample_indices_
    keep = naive_enn_keep(X, y, k, kind)
    expected = np.concatenate([np.flatnonzero((y == c) & keep) for c in np.unique(y)])
    assert_array_equal(idx, expected)
    assert_array_equal(X_res, X[idx])
    assert_array_equal(y_res, y[idx])


@settings(max_examples=25, deadline=None)
@given(data=labelled_data(min_per_class=5))
def test_enn_returns_a_subset_and_spares_the_minority(data):
    X, y = data
    classes, counts = np.unique(y, return_counts=True)
    # 'auto' cleans every class but the minority (the first in sorted class order
    # among the smallest, as sampling_strategy resolves ties).
    minority = classes[np.argmin(counts)]
    sampler = EditedNearestNeighbours()
    X_res, _ = sampler.fit_resample(X, y)
    idx = sampler.sample_indices_
    assert_array_equal(X_res, X[idx])
    assert np.unique(idx).size == idx.size
    assert set(np.flatnonzero(y == minority)) <= set(idx)


@settings(max_examples=25, deadline=None)
@given(data=labelled_data(min_per_class=5))
def test_repeated_rules_return_subsets(data):
    # RENN and AllKNN resolve 'auto' again on the surviving labels each round (as
    # imblearn does), so the class they spare can change from round to round:
    # only the subset property holds on any data.
    X, y = data
    for sampler in (RepeatedEditedNearestNeighbours(), AllKNN()):
        X_res, _ = sampler.fit_resample(X, y)
        idx = sampler.sample_indices_
        assert_array_equal(X_res, X[idx])
        assert np.unique(idx).size == idx.size


@pytest.mark.parametrize(
    "cls", [EditedNearestNeighbours, RepeatedEditedNearestNeighbours]
)
@pytest.mark.parametrize("kind_sel", ["all", "mode"])
def test_a_neighbours_estimator_gives_the_engines_rows(cls, kind_sel):
    # NearestNeighbors(n_neighbors=k + 1) counts the row itself, as imblearn's nn_.
    X, y = make_data(n=300, d=4, weights=(0.5, 0.3, 0.2), seed=3)
    X += np.random.default_rng(3).normal(scale=0.8, size=X.shape)
    engine = cls(n_neighbors=3, kind_sel=kind_sel).fit_resample(X, y)
    given_nn = cls(n_neighbors=NearestNeighbors(n_neighbors=4), kind_sel=kind_sel)
    estimator = given_nn.fit_resample(X, y)
    assert_array_equal(engine[1], estimator[1])
    assert_array_equal(engine[0], estimator[0])
    assert given_nn.nn_.n_neighbors == 4


@pytest.mark.parametrize(
    "sampler",
    [
        EditedNearestNeighbours(n_neighbors=40),
        RepeatedEditedNearestNeighbours(n_neighbors=40),
    ],
    ids=lambda s: type(s).__name__,
)
def test_too_many_neighbours_fail_with_the_shared_message(sampler):
    # (AllKNN grows k from 1 and, like imblearn's, stops once a class vanishes,
    # here long before k reaches the row count.)
    X, y = make_data(n=30, d=3, weights=(0.8, 0.2))
    with pytest.raises(ValueError, match=r"needs at least \d+ samples.*Lower"):
        sampler.fit_resample(X, y)


def _renn_case(seed):
    # the rows of tests/test_bad_input.py's search: rounded values, a constant
    # column, three classes
    rng = np.random.default_rng(seed)
    n = int(rng.integers(15, 60))
    X = rng.normal(size=(n, 3)).round(1)
    if seed % 2:
        X[:, 1] = 1.0
    return X, rng.choice(3, n, p=[0.5, 0.3, 0.2])


@pytest.mark.parametrize("seed", [34, 53, 206])
def test_renn_never_edits_a_class_its_strategy_exempts(seed):
    # 'majority' names class 0 on the input. imblearn resolves the strategy
    # again every round and, once class 0 has shrunk, edits the new majority:
    # an exempt class loses rows (down to none for seed 53). Ours edits class 0
    # only; its first round is imblearn's (these seeds' distance ties, from the
    # rounding, do not reach a row's last neighbour, where the tie rules differ).
    from imblearn.under_sampling import (
        RepeatedEditedNearestNeighbours as ImbRENN,
    )

    X, y = _renn_case(seed)
    _, y_imb = ImbRENN(sampling_strategy="majority").fit_resample(X, y)
    counts = np.bincount(y, minlength=3)
    assert (np.bincount(y_imb, minlength=3)[1:] < counts[1:]).any()
    ours = RepeatedEditedNearestNeighbours(sampling_strategy="majority")
    _, y_res = ours.fit_resample(X, y)
    assert_array_equal(np.bincount(y_res, minlength=3)[1:], counts[1:])
    assert_array_equal(y_res, y[ours.sample_indices_])
    one = RepeatedEditedNearestNeighbours(sampling_strategy="majority", max_iter=1)
    imb_one = ImbRENN(sampling_strategy="majority", max_iter=1)
    assert_array_equal(one.fit_resample(X, y)[1], imb_one.fit_resample(X, y)[1])
