"""ClusterCentroids against imbalanced-learn 0.14.2: the same centres (up to
rounding) for the same seed with our k-means, exactly imblearn's rows with a
user's KMeans."""

import numpy as np
import pytest
from counterpoise import under_sampling
from imblearn import under_sampling as imb_under
from numpy.testing import assert_allclose, assert_array_equal

from ..conftest import make_data
from ._cleaning_cases import compare, dataset


@pytest.mark.parametrize("voting", ["soft", "hard"])
@pytest.mark.parametrize("seed", [0, 1, 2, 3])
@pytest.mark.parametrize("n_classes", [2, 3, 4])
def test_cluster_centroids_match_imblearn(voting, seed, n_classes):
    # The default clusterer is our Rust k-means: imblearn's centres up to rounding
    # (its distances are |x|^2 - 2x.c + |c|^2, ours exact). Hard voting keeps the
    # row nearest each centre; a centre of a two-row cluster is equidistant from
    # both, and rounding may break that tie either way. These datasets have ten or
    # more rows per cluster (see tests/test_kmeans.py on k-means++ ties), so no
    # centre has such a tie and the rows are imblearn's exactly.
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
    assert_array_equal(Xa, Xb)


def test_cluster_centroids_with_a_users_kmeans_is_imblearns_exactly():
    from sklearn.cluster import KMeans

    X, y = dataset(1, 3, 4)
    compare(
        under_sampling.ClusterCentroids(estimator=KMeans(n_init=1, random_state=0)),
        imb_under.ClusterCentroids(estimator=KMeans(n_init=1, random_state=0)),
        X,
        y,
    )
