"""KMeansSMOTE against imbalanced-learn 0.14.2: same clusters kept and same rows
for the same seed and clustering (hypothesis over data, seeds and parameters)."""

import numpy as np
import pytest
from counterpoise.over_sampling import KMeansSMOTE
from hypothesis import given, settings
from hypothesis import strategies as st
from imblearn import over_sampling as imb
from numpy.testing import assert_array_equal
from scipy import sparse
from sklearn.cluster import KMeans
from sklearn.datasets import make_blobs


def _blobs(seed, sizes, d):
    X, y = make_blobs(
        n_samples=list(sizes), n_features=d, random_state=seed, cluster_std=2.5
    )
    return X, y


PARAMS = st.sampled_from(
    [
        {},
        {"kmeans_estimator": 3},
        {"kmeans_estimator": 1},
        {"k_neighbors": 4, "kmeans_estimator": 5},
        {"cluster_balance_threshold": 0.05, "density_exponent": 1.5},
        {"sampling_strategy": "all", "cluster_balance_threshold": 0.02},
    ]
)


@settings(max_examples=30, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    sizes=st.sampled_from([(400, 60), (300, 80, 50), (500, 120, 40)]),
    d=st.integers(2, 8),
    params=PARAMS,
    dtype=st.sampled_from([np.float64, np.float32]),
)
def test_same_rows_as_imblearn(seed, sizes, d, params, dtype):
    X, y = _blobs(seed, sizes, d)
    X = X.astype(dtype)
    a = KMeansSMOTE(random_state=seed, **params)
    b = imb.KMeansSMOTE(random_state=seed, **params)
    try:
        Xb, yb = b.fit_resample(X, y)
    except RuntimeError:  # imblearn found no cluster: so must we, as clearly
        with pytest.raises(RuntimeError, match="No clusters found"):
            a.fit_resample(X, y)
        return
    Xa, ya = a.fit_resample(X, y)
    assert Xa.dtype == Xb.dtype
    assert_array_equal(Xa, Xb)
    assert_array_equal(ya, yb)
    assert a.cluster_balance_threshold_ == b.cluster_balance_threshold_


def test_user_clusterer_and_sparse_same_as_imblearn():
    X, y = _blobs(3, (500, 90, 60), 4)
    params = dict(kmeans_estimator=KMeans(n_clusters=6, n_init=2, random_state=1))
    Xa, ya = KMeansSMOTE(random_state=5, **params).fit_resample(X, y)
    Xb, yb = imb.KMeansSMOTE(random_state=5, **params).fit_resample(X, y)
    assert_array_equal(Xa, Xb)
    Xs = sparse.csr_matrix(np.where(np.abs(X) < 1, 0, X))
    sa, _ = KMeansSMOTE(random_state=5, **params).fit_resample(Xs, y)
    sb, _ = imb.KMeansSMOTE(random_state=5, **params).fit_resample(Xs, y)
    assert sparse.issparse(sa) and sa.format == sb.format
    assert_array_equal(sa.toarray(), sb.toarray())


def test_sparse_input_with_several_clusters_kept_same_as_imblearn():
    # several clusters pass the balance threshold, so the new rows are shared
    # by the clusters' sparsities (mean pairwise distance over the members,
    # computed in chunks on sparse data), not all given to one cluster
    X, y = _blobs(7, (400, 160), 3)
    Xs = sparse.csr_matrix(np.where(np.abs(X) < 1.5, 0, X))
    for seed in (0, 3):
        params = dict(
            kmeans_estimator=KMeans(n_clusters=5, n_init=2, random_state=seed),
            cluster_balance_threshold=0.05,
            random_state=seed,
        )
        sa, ya = KMeansSMOTE(**params).fit_resample(Xs, y)
        sb, yb = imb.KMeansSMOTE(**params).fit_resample(Xs, y)
        assert sparse.issparse(sa) and sa.format == sb.format
        assert_array_equal(sa.toarray(), sb.toarray())
        assert_array_equal(ya, yb)
        new_rows = sa.toarray()[len(y) :]
        labels = params["kmeans_estimator"].fit_predict(Xs)
        # the new rows lie in more than one cluster's span: several were kept
        nearest = ((new_rows[:, None, :] - Xs.toarray()[None]) ** 2).sum(-1).argmin(1)
        assert np.unique(labels[nearest]).size > 1
