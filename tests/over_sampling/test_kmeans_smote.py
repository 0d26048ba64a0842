"""KMeansSMOTE: properties (synthetic rows come from kept clusters, on segments
between two rows of the class in the same cluster), thread invariance, errors."""

import numpy as np
import pytest
from counterpoise.over_sampling import KMeansSMOTE
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.cluster import KMeans
from sklearn.datasets import make_blobs


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 10_000), n_clusters=st.integers(1, 6), k=st.integers(1, 4))
def test_rows_lie_between_class_rows_of_one_cluster(seed, n_clusters, k):
    X, y = make_blobs(n_samples=[300, 70], n_features=3, random_state=seed)
    X_orig = X.copy()
    clusterer = KMeans(n_clusters=n_clusters, n_init=1, random_state=seed)
    sampler = KMeansSMOTE(
        kmeans_estimator=clusterer,
        k_neighbors=k,
        cluster_balance_threshold=0.0,
        random_state=seed,
    )
    X_res, y_res = sampler.fit_resample(X, y)
    assert_array_equal(X, X_orig)
    n = X.shape[0]
    assert_array_equal(X_res[:n], X)
    # at least what sampling_strategy_ asks (each cluster's share is rounded up)
    assert (y_res == 1).sum() >= (y == 1).sum() + sampler.sampling_strategy_[1]
    p, t = sampler.synthetic_parents_, sampler.synthetic_steps_
    assert (y[p] == 1).all()
    assert_allclose(X_res[n:], X[p[:, 0]] + t[:, None] * (X[p[:, 1]] - X[p[:, 0]]))
    labels = clusterer.fit_predict(X)  # same seed: the clusters the sampler used
    assert (labels[p[:, 0]] == labels[p[:, 1]]).all()


def test_output_does_not_depend_on_thread_count(monkeypatch):
    X, y = make_blobs(n_samples=[3000, 400, 200], n_features=4, random_state=0)
    outs = []
    for threads in ("1", "3"):
        monkeypatch.setenv("RAYON_NUM_THREADS", threads)
        outs.append(KMeansSMOTE(random_state=2).fit_resample(X, y)[0])
    assert_array_equal(outs[0], outs[1])


def test_no_usable_cluster_fails_clearly():
    X, y = make_blobs(n_samples=[300, 20], n_features=2, random_state=0)
    with pytest.raises(RuntimeError, match="lowering the cluster_balance_threshold"):
        KMeansSMOTE(cluster_balance_threshold=0.99, random_state=0).fit_resample(X, y)
    with pytest.raises(ValueError, match="kmeans_estimator"):
        KMeansSMOTE(kmeans_estimator="many").fit_resample(X, y)


def test_cluster_weights_when_the_sum_overflows_or_is_zero():
    # imblearn's sparsity / sum, and when that sum overflows (distances near
    # the float64 maximum raised to the density exponent), is infinite or is 0,
    # the same ratios taken in log space
    from counterpoise.over_sampling._kmeans_smote import _weights

    assert np.allclose(_weights([1.0, 3.0]), [0.25, 0.75])
    # 1e308 + 1.5e308 overflows; the ratio is still 2 : 3
    assert np.allclose(_weights([1e308, 1.5e308]), [0.4, 0.6])
    # an infinite sparsity takes every new row; two share them
    assert np.array_equal(_weights([np.inf, 1.0, np.inf]), [0.5, 0.0, 0.5])
    # all zero: an equal share each; zero next to a positive one: nothing
    assert np.array_equal(_weights([0.0, 0.0, 0.0, 0.0]), [0.25] * 4)
    assert np.array_equal(_weights([0.0, 1e308, 1e308]), [0.0, 0.5, 0.5])
