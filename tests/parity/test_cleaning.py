"""Cleaning and prototype samplers against imbalanced-learn 0.14.2: identical
sample_indices_ and output on tie-free data, binary and multi-class."""

import numpy as np
import pytest
from counterpoise import combine, under_sampling
from hypothesis import given, settings
from hypothesis import strategies as st
from imblearn import combine as imb_combine
from imblearn import under_sampling as imb_under
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.linear_model import LogisticRegression

from ..conftest import make_data

DETERMINISTIC = [
    ("EditedNearestNeighbours", {}),
    ("EditedNearestNeighbours", {"kind_sel": "mode", "n_neighbors": 5}),
    ("EditedNearestNeighbours", {"sampling_strategy": "all"}),
    ("RepeatedEditedNearestNeighbours", {}),
    ("RepeatedEditedNearestNeighbours", {"kind_sel": "mode", "max_iter": 3}),
    ("AllKNN", {}),
    ("AllKNN", {"allow_minority": True, "n_neighbors": 5}),
    ("TomekLinks", {}),
    ("TomekLinks", {"sampling_strategy": "all"}),
    ("NeighbourhoodCleaningRule", {}),
    ("NeighbourhoodCleaningRule", {"threshold_cleaning": 0.1, "n_neighbors": 4}),
    ("NearMiss", {"version": 1}),
    ("NearMiss", {"version": 2}),
    ("NearMiss", {"version": 3}),
    ("NearMiss", {"version": 3, "n_neighbors_ver3": 1, "n_neighbors": 2}),
]
SEEDED = [
    ("OneSidedSelection", {}),
    ("OneSidedSelection", {"n_seeds_S": 3}),
    ("CondensedNearestNeighbour", {}),
    ("CondensedNearestNeighbour", {"n_neighbors": 3}),
    ("InstanceHardnessThreshold", {"estimator": LogisticRegression()}),
    ("InstanceHardnessThreshold", {}),
]


def _dataset(seed, n_classes, d):
    weights = {2: (0.75, 0.25), 3: (0.55, 0.3, 0.15), 4: (0.4, 0.3, 0.2, 0.1)}[
        n_classes
    ]
    X, y = make_data(n=300, d=d, weights=weights, seed=seed)
    X += np.random.default_rng(seed).normal(scale=0.8, size=X.shape)  # overlap
    return X, y


def _compare(ours, theirs, X, y):
    Xa, ya = ours.fit_resample(X, y)
    Xb, yb = theirs.fit_resample(X, y)
    if hasattr(theirs, "sample_indices_"):
        assert_array_equal(ours.sample_indices_, theirs.sample_indices_)
    assert_array_equal(ya, yb)
    assert_allclose(Xa, Xb, rtol=0, atol=0)


@settings(max_examples=25, deadline=None)
@given(
    case=st.sampled_from(DETERMINISTIC),
    seed=st.integers(0, 10_000),
    n_classes=st.sampled_from([2, 3, 4]),
    d=st.sampled_from([2, 5, 12]),
)
def test_deterministic_rules_match_imblearn(case, seed, n_classes, d):
    name, params = case
    X, y = _dataset(seed, n_classes, d)
    _compare(
        getattr(under_sampling, name)(**params),
        getattr(imb_under, name)(**params),
        X,
        y,
    )


@pytest.mark.parametrize("name,params", DETERMINISTIC, ids=lambda v: str(v))
def test_each_rule_on_a_fixed_multiclass_dataset(name, params):
    X, y = _dataset(7, 3, 6)
    _compare(
        getattr(under_sampling, name)(**params),
        getattr(imb_under, name)(**params),
        X,
        y,
    )


@pytest.mark.parametrize("name,params", SEEDED, ids=lambda v: str(v))
@pytest.mark.parametrize("seed", [0, 3, 11])
def test_seeded_rules_match_imblearn_for_the_same_seed(name, params, seed):
    X, y = _dataset(seed, 3, 4)
    _compare(
        getattr(under_sampling, name)(random_state=seed, **params),
        getattr(imb_under, name)(random_state=seed, **params),
        X,
        y,
    )


@pytest.mark.parametrize("voting", ["soft", "hard"])
@pytest.mark.parametrize("seed", [0, 1, 2, 3])
@pytest.mark.parametrize("n_classes", [2, 3, 4])
def test_cluster_centroids_match_imblearn(voting, seed, n_classes):
    # The default clusterer is our Rust k-means: imblearn's centres up to rounding
    # (its distances are |x|^2 - 2x.c + |c|^2, ours exact). Hard voting keeps the
    # row nearest each centre; a centre of a two-row cluster is equidistant from
    # both, and rounding may break that tie either way, so there the rows must be
    # equally near the centre. Ten or more rows per cluster (see tests/test_kmeans.py
    # on k-means++ ties).
    weights = {2: (0.92, 0.08), 3: (0.62, 0.35, 0.03), 4: (0.45, 0.3, 0.23, 0.02)}
    X, y = make_data(n=2000, d=4 + seed, weights=weights[n_classes], seed=seed)
    X += np.random.default_rng(seed).normal(scale=0.8, size=X.shape)
    ours = under_sampling.ClusterCentroids(random_state=seed, voting=voting)
    theirs = imb_under.ClusterCentroids(random_state=seed, voting=voting)
    Xa, ya = ours.fit_resample(X, y)
    Xb, yb = theirs.fit_resample(X, y)
    assert_array_equal(ya, yb)
    assert ours.estimator_.n_iter_ == theirs.estimator_.n_iter_
    if voting == "soft":
        assert_allclose(Xa, Xb, rtol=1e-12, atol=1e-12)
        return
    centres, _ = under_sampling.ClusterCentroids(
        random_state=seed, voting="soft"
    ).fit_resample(X, y)
    da = np.linalg.norm(Xa - centres, axis=1)
    db = np.linalg.norm(Xb - centres, axis=1)
    assert_allclose(da, db, rtol=1e-9, atol=1e-12)
    assert (Xa == Xb).all(axis=1).mean() > 0.9


def test_cluster_centroids_with_a_users_kmeans_is_imblearns_exactly():
    from sklearn.cluster import KMeans

    X, y = _dataset(1, 3, 4)
    _compare(
        under_sampling.ClusterCentroids(estimator=KMeans(n_init=1, random_state=0)),
        imb_under.ClusterCentroids(estimator=KMeans(n_init=1, random_state=0)),
        X,
        y,
    )


@pytest.mark.parametrize("name", ["SMOTEENN", "SMOTETomek"])
@pytest.mark.parametrize("seed", [0, 5])
def test_combined_samplers_match_imblearn(name, seed):
    X, y = _dataset(seed, 3, 5)
    ours = getattr(combine, name)(random_state=seed)
    theirs = getattr(imb_combine, name)(random_state=seed)
    _compare(ours, theirs, X, y)
    assert ours.sampling_strategy_ == theirs.sampling_strategy_


def test_combined_samplers_accept_imblearn_parts():
    from imblearn.over_sampling import SMOTE as ImbSMOTE

    X, y = _dataset(2, 2, 3)
    enn = imb_under.EditedNearestNeighbours(sampling_strategy="all")
    ours = combine.SMOTEENN(smote=ImbSMOTE(random_state=1), enn=enn)
    theirs = imb_combine.SMOTEENN(smote=ImbSMOTE(random_state=1))
    _compare(ours, theirs, X, y)
