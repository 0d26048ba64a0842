"""counterpoise's KMeans (ClusterCentroids' default clusterer) against scikit-learn's.

scikit-learn's KMeans is the oracle: for the same seed the Rust path must pick the
same k-means++ centres and end at the same centres (to rounding), labels, iteration
count and inertia; the settings it does not cover must be scikit-learn's own fit.

Ties: two k-means++ candidates can leave exactly the same potential (an isolated
pair of rows, each taking only itself and the other). scikit-learn then keeps
whichever its BLAS rounding makes smaller, so its own choice depends on the BLAS
build; ours keeps the first drawn. The comparisons below use clusters of ten or
more rows, where such ties do not occur.
"""

import warnings

import numpy as np
import pytest
from counterpoise import _core
from counterpoise.utils._kmeans import KMeans
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.cluster import KMeans as SkKMeans
from sklearn.cluster import kmeans_plusplus
from sklearn.exceptions import ConvergenceWarning


def _blobs(seed, n, d, centres):
    rng = np.random.default_rng(seed)
    mu = rng.normal(scale=4.0, size=(centres, d))
    return mu[rng.integers(0, centres, n)] + rng.normal(size=(n, d))


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    per=st.integers(10, 60),
    d=st.integers(1, 12),
    k=st.integers(1, 40),
)
def test_same_centres_labels_and_iterations_as_sklearn(seed, per, d, k):
    n = k * per
    X = _blobs(seed, n, d, max(1, k // 2))
    ours = KMeans(n_clusters=k, random_state=seed).fit(X)
    theirs = SkKMeans(n_clusters=k, random_state=seed).fit(X)
    assert_allclose(
        ours.cluster_centers_, theirs.cluster_centers_, rtol=1e-10, atol=1e-10
    )
    assert_array_equal(ours.labels_, theirs.labels_)
    assert ours.n_iter_ == theirs.n_iter_
    assert ours.inertia_ == pytest.approx(theirs.inertia_, rel=1e-10)


@pytest.mark.parametrize(
    "d, scale, offset",
    [
        (10, 1.0, 5.0),
        (32, 1.0, 0.0),
        (3, 1e6, 1e7),
        (4, 2.0**-30, 0.0),
        (4, 2.0**80, 0.0),
    ],
)
def test_outliers_and_scales_give_sklearns_result(d, scale, offset):
    # A few far outliers widen the float32 screens' error bounds for the rows
    # near them only; data beyond float32's range leave the screens to exact
    # arithmetic. (Scales are powers of two, under which scikit-learn's own
    # rounding is unchanged: at other scales its k-means++ can choose otherwise
    # among candidates whose potentials tie to rounding.)
    X = _blobs(7, 3000, d, 40) * scale + offset
    X[:8] *= 30.0
    ours = KMeans(n_clusters=200, random_state=3).fit(X)
    theirs = SkKMeans(n_clusters=200, random_state=3).fit(X)
    assert_array_equal(ours.labels_, theirs.labels_)
    assert_allclose(
        ours.cluster_centers_, theirs.cluster_centers_, rtol=1e-9, atol=1e-9 * scale
    )
    assert ours.n_iter_ == theirs.n_iter_


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_plusplus_picks_sklearns_centres(seed):
    X = _blobs(seed, 2000, 6, 30)
    k = 150
    rs = np.random.RandomState(seed)
    _, want = kmeans_plusplus(X, k, random_state=np.random.RandomState(seed))
    first = rs.choice(X.shape[0], p=np.full(X.shape[0], 1 / X.shape[0]))
    trials = 2 + int(np.log(k))
    got = _core.kmeans_plusplus(
        np.ascontiguousarray(X),
        k,
        int(first),
        rs.uniform(size=(k - 1) * trials),
        trials,
    )
    assert_array_equal(got, want)


def test_is_sklearns_estimator_and_predicts():
    X = _blobs(0, 500, 3, 5)
    km = KMeans(n_clusters=5, random_state=0).fit(X)
    assert isinstance(km, SkKMeans)
    ref = SkKMeans(n_clusters=5, random_state=0).fit(X)
    assert_array_equal(km.predict(X), ref.predict(X))
    assert_allclose(km.transform(X[:7]), ref.transform(X[:7]), rtol=1e-10)


def test_float32_gives_float32_centres_close_to_sklearn():
    X = _blobs(3, 800, 5, 8).astype(np.float32)
    km = KMeans(n_clusters=8, random_state=0).fit(X)
    ref = SkKMeans(n_clusters=8, random_state=0).fit(X)
    assert km.cluster_centers_.dtype == np.float32
    assert_allclose(km.cluster_centers_, ref.cluster_centers_, rtol=1e-4, atol=1e-4)


def test_other_settings_are_sklearns_fit():
    X = _blobs(1, 300, 4, 6)
    w = np.random.default_rng(0).random(300)
    for params, kw in [
        ({"init": "random", "n_init": 3}, {}),
        ({"algorithm": "elkan"}, {}),
        ({"n_init": 2}, {}),
        ({}, {"sample_weight": w}),
    ]:
        ours = KMeans(n_clusters=6, random_state=0, **params).fit(X, **kw)
        theirs = SkKMeans(n_clusters=6, random_state=0, **params).fit(X, **kw)
        assert_array_equal(ours.cluster_centers_, theirs.cluster_centers_)


def test_caller_data_untouched_and_read_only_accepted():
    X = _blobs(2, 200, 3, 4)
    keep = X.copy()
    X.setflags(write=False)
    KMeans(n_clusters=4, random_state=0).fit(X)
    assert_array_equal(X, keep)


def test_duplicates_warn_like_sklearn():
    X = np.repeat(np.arange(3.0)[:, None], 10, axis=0)
    with warnings.catch_warnings(record=True) as got:
        warnings.simplefilter("always")
        ours = KMeans(n_clusters=5, random_state=0).fit(X)
    assert any(issubclass(w.category, ConvergenceWarning) for w in got)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = SkKMeans(n_clusters=5, random_state=0).fit(X)
    assert sorted(np.unique(ours.labels_)) == sorted(np.unique(theirs.labels_))


def test_bad_input_errors():
    with pytest.raises(ValueError, match="n_samples=3 should be >= n_clusters=4"):
        KMeans(n_clusters=4).fit(np.zeros((3, 2)))
    with pytest.raises(ValueError, match="NaN"):
        KMeans(n_clusters=1).fit(np.array([[0.0], [np.nan]]))


def test_same_result_for_any_thread_count(monkeypatch):
    X = _blobs(5, 3000, 4, 20)
    runs = []
    for threads in ("1", "2", "3"):
        monkeypatch.setenv("RAYON_NUM_THREADS", threads)
        km = KMeans(n_clusters=40, random_state=0).fit(X)
        runs.append((km.cluster_centers_.tobytes(), km.labels_.tobytes(), km.inertia_))
    assert runs[0] == runs[1] == runs[2]
