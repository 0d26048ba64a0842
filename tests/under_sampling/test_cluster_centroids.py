"""ClusterCentroids: counts, soft centres are the clusterer's, hard voting keeps
input rows, sparse input, and a clusterer without ``n_clusters``."""

import numpy as np
import pytest
from counterpoise.under_sampling import ClusterCentroids
from numpy.testing import assert_allclose
from scipy import sparse
from sklearn.cluster import KMeans

from ..conftest import make_data


def _data():
    return make_data(n=500, d=4, weights=(0.7, 0.2, 0.1), seed=4)


@pytest.mark.parametrize("voting", ["soft", "hard"])
def test_every_class_gets_the_minority_count(voting):
    X, y = _data()
    sampler = ClusterCentroids(random_state=0, voting=voting)
    X_res, y_res = sampler.fit_resample(X, y)
    assert np.all(np.bincount(y_res) == np.bincount(y).min())
    assert sampler.voting_ == voting
    # the minority class is not clustered: its rows come back unchanged, in order
    assert_allclose(X_res[y_res == 2], X[y == 2], rtol=0, atol=0)


def test_hard_voting_keeps_the_class_row_nearest_each_centre():
    X, y = _data()
    est = KMeans(n_init=1, random_state=0)
    X_res, y_res = ClusterCentroids(estimator=est, voting="hard").fit_resample(X, y)
    X_soft, _ = ClusterCentroids(estimator=est, voting="soft").fit_resample(X, y)
    for klass in (0, 1):
        X_class = X[y == klass]
        d = np.linalg.norm(X_soft[y_res == klass, None] - X_class[None], axis=2)
        assert_allclose(X_res[y_res == klass], X_class[np.argmin(d, axis=1)])


def test_sparse_input_votes_hard_and_stays_sparse():
    X, y = _data()
    sampler = ClusterCentroids(random_state=0)
    X_res, _ = sampler.fit_resample(sparse.csr_matrix(X), y)
    assert sparse.issparse(X_res)
    assert sampler.voting_ == "hard"
    rows = {tuple(r) for r in X}
    assert all(tuple(r) in rows for r in X_res.toarray())


def test_a_clusterer_without_n_clusters_is_refused():
    from sklearn.cluster import DBSCAN

    class Predicting(DBSCAN):
        def predict(self, X):
            return np.zeros(len(X), dtype=int)

    X, y = _data()
    with pytest.raises(ValueError, match="n_clusters"):
        ClusterCentroids(estimator=Predicting()).fit_resample(X, y)
