"""The k-NN engine against sklearn.neighbors.NearestNeighbors (the oracle)."""

import numpy as np
import pytest
from counterpoise import _core
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.neighbors import NearestNeighbors


@pytest.mark.parametrize("d", [1, 2, 8, 32, 128])
@pytest.mark.parametrize("algorithm", ["auto", "kd_tree", "brute"])
def test_same_lists_and_distances_as_sklearn(d, algorithm):
    rng = np.random.default_rng(d)
    X = rng.standard_normal((1500, d))
    Q = rng.standard_normal((300, d))
    dist, ind = _core.kneighbors(X, Q, 7, algorithm)
    ref_dist, ref_ind = (
        NearestNeighbors(n_neighbors=7, algorithm="brute").fit(X).kneighbors(Q)
    )
    assert_array_equal(ind, ref_ind)
    assert_allclose(dist, ref_dist, rtol=1e-12, atol=1e-7)


@pytest.mark.parametrize("d", [12, 32, 128])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_self_queries_match_sklearn(d, dtype):
    # A brute-force self-query scans each pair of rows once for both (many blocks
    # of 128 rows here, so many rounds of block pairs); same answer as sklearn.
    rng = np.random.default_rng(d + 7)
    X = rng.standard_normal((1700, d)).astype(dtype)
    dist, ind = _core.kneighbors(X, X, 6, "brute")
    ref_dist, ref_ind = (
        NearestNeighbors(n_neighbors=6, algorithm="brute")
        .fit(X.astype(np.float64))
        .kneighbors(X.astype(np.float64))
    )
    assert_array_equal(ind, ref_ind)
    # Each row's first neighbour is itself, at exactly 0 (sklearn's GEMM-based
    # distance leaves up to ~1e-6 of rounding there, so that column is not compared).
    assert_array_equal(dist[:, 0], 0.0)
    assert_allclose(dist[:, 1:], ref_dist[:, 1:], rtol=1e-12, atol=1e-7)
    # ... and the same as the one-way scan of a copy of X
    assert_array_equal(_core.kneighbors(X, X.copy(), 6, "brute")[1], ind)


@pytest.mark.parametrize("d", [3, 20])
def test_float32_is_searched_in_float32_without_upcast(d):
    rng = np.random.default_rng(1)
    X = rng.standard_normal((800, d)).astype(np.float32)
    ref = NearestNeighbors(n_neighbors=5).fit(X).kneighbors(X, return_distance=False)
    _, ind = _core.kneighbors(X, X, 5)
    assert_array_equal(ind, ref)


@pytest.mark.parametrize("algorithm", ["kd_tree", "brute"])
def test_ties_are_broken_by_distance_then_index(algorithm):
    # Every row appears three times; equal distances come back in index order, so
    # a duplicated row's own neighbour list starts with its twins, lowest index first.
    rng = np.random.default_rng(3)
    base = rng.standard_normal((50, 4))
    X = np.vstack([base, base, base])
    dist, ind = _core.kneighbors(X, X, 5, algorithm)
    for i in range(150):
        assert list(ind[i, :3]) == [i % 50, i % 50 + 50, i % 50 + 100]
        assert np.all(dist[i, :3] == 0)
    # the next distinct point's copies, again in index order
    assert np.all(ind[:, 3] < ind[:, 4])
    ref = NearestNeighbors(n_neighbors=5, algorithm="brute").fit(X).kneighbors(X)[1]
    assert_array_equal(np.sort(ind[:, :3], axis=1), np.sort(ref[:, :3], axis=1))


def test_kd_tree_and_brute_agree_exactly():
    rng = np.random.default_rng(5)
    for d in (2, 6, 12):
        X = np.round(rng.standard_normal((2000, d)), 1)  # many ties
        a = _core.kneighbors(X, X, 9, "kd_tree")
        b = _core.kneighbors(X, X, 9, "brute")
        assert_array_equal(a[1], b[1])
        assert_array_equal(a[0], b[0])


def _shaped(shape, n, d, seed):
    """Data shaped like real tables (as benches/real_data.py makes them)."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d))
    if shape == "heavy_tailed":  # unscaled log-normal columns, sigma 3
        X[:, : max(2, d // 4)] = rng.lognormal(0.0, 3.0, (n, max(2, d // 4)))
    elif shape == "mixed_scales":  # columns on scales 1e-3 to 1e6
        X *= 10.0 ** np.linspace(-3, 6, d)
    elif shape == "tight_clusters":  # 30 clusters of std 0.01
        X = rng.standard_normal((30, d))[rng.integers(0, 30, n)] * 5 + 0.01 * X
    elif shape == "low_intrinsic":  # a 3-d latent embedded in d dimensions
        X = rng.standard_normal((n, 3)) @ rng.standard_normal((3, d)) + 1e-3 * X
    return X


def _exact_order(X, Q, k):
    """Every query's k nearest rows by (exact distance, index): the differences
    themselves, not the |x|^2 - 2 x.q expansion sklearn's brute force uses."""
    out_d, out_i = [], []
    for s in range(0, len(Q), 100):
        d2 = ((Q[s : s + 100, None, :] - X[None, :, :]) ** 2).sum(-1)
        order = np.argsort(d2, axis=1, kind="stable")[:, : k + 1]
        out_i.append(order)
        out_d.append(np.sqrt(np.take_along_axis(d2, order, axis=1)))
    return np.vstack(out_d), np.vstack(out_i)


@pytest.mark.parametrize(
    "shape", ["heavy_tailed", "mixed_scales", "tight_clusters", "low_intrinsic"]
)
@pytest.mark.parametrize("d", [10, 24])
def test_every_path_is_exact_on_real_shaped_data(shape, d):
    # Shapes that once made the float32 screen keep every candidate (a few huge
    # rows), or that the engine's probe sends to the KD-tree above d = 8: every
    # path, self-queries and other queries, equals an exact search, and sklearn's
    # brute force wherever the k-th and (k+1)-th distances are not near-ties.
    X = _shaped(shape, 2300, d, d)
    Q = _shaped(shape, 2300, d, d + 1)[:700]
    k = 6
    for queries in (X, Q):
        want_d, want_i = _exact_order(X, queries, k)
        ref_d, ref_i = (
            NearestNeighbors(n_neighbors=k, algorithm="brute")
            .fit(X)
            .kneighbors(queries)
        )
        gaps = np.diff(want_d, axis=1) > 1e-6 * (1 + want_d[:, 1:])
        clear = gaps.all(axis=1)
        for algorithm in ("auto", "kd_tree", "brute"):
            dist, ind = _core.kneighbors(X, queries, k, algorithm)
            assert_array_equal(ind, want_i[:, :k], err_msg=algorithm)
            assert_allclose(dist, want_d[:, :k], rtol=1e-12, atol=1e-12)
            assert clear.mean() > 0.9
            assert_array_equal(ind[clear], ref_i[clear], err_msg=algorithm)
            assert_allclose(dist, ref_d, rtol=1e-6, atol=1e-6 * (1 + ref_d.max()))


@pytest.mark.parametrize(
    "shape", ["gaussian", "heavy_tailed", "tight_clusters", "low_intrinsic"]
)
@pytest.mark.parametrize("d", [3, 10, 24])
def test_searches_within_a_radius_are_sklearns_lists_cut_at_the_radius(shape, d):
    # The k-NN join's halo queries: each query row's k nearest rows closer than
    # its radius (inclusive), the rest of the row -1 at infinity. The truth is
    # an exact brute force cut at the radius, on rows whose distances sit clear
    # of the radius and of each other (checked against scikit-learn's too); the
    # radii are drawn around the rows' own neighbour distances (also zero,
    # negative and infinite), and the query set is large enough for the
    # engine's probe above d = 8.
    X = _shaped(shape if shape != "gaussian" else "none", 3000, d, 3 * d)
    Q = _shaped(shape if shape != "gaussian" else "none", 1500, d, 3 * d + 1)
    Q[::4] = X[:375]  # rows of the data: a distance 0 first
    k = 5
    ref_d, ref_i = _exact_order(X, Q, k)  # numpy's brute force, by differences
    ref_d, ref_i = ref_d[:, :k], ref_i[:, :k]
    skl_i = NearestNeighbors(n_neighbors=k, algorithm="brute").fit(X).kneighbors(Q)[1]
    rng = np.random.default_rng(d)
    pick = rng.integers(0, k, len(Q))
    radius = ref_d[np.arange(len(Q)), pick] * rng.uniform(0.7, 1.3, len(Q))
    radius[1::9], radius[2::9], radius[3::9] = 0.0, -1.0, np.inf
    dist, ind = _core.kneighbors_within(X, Q, k, radius)
    assert dist.shape == ind.shape == (len(Q), k)
    inside = ref_d <= radius[:, None]
    scale = 1e-6 * (1 + np.abs(ref_d))
    gaps = np.diff(ref_d, axis=1) > scale[:, 1:]
    clear = gaps.all(axis=1) & (np.abs(ref_d - radius[:, None]) > scale).all(axis=1)
    clear |= radius < 0  # nothing inside, whatever the ties
    assert clear.mean() > 0.8
    assert_array_equal(ind[clear], np.where(inside, ref_i, -1)[clear])
    assert np.isinf(dist[ind < 0]).all()
    assert_allclose(dist[ind >= 0], ref_d[ind >= 0], rtol=1e-12, atol=1e-12)
    # and scikit-learn's lists (its dot-product distances near a tie aside)
    found = (ind >= 0) & clear[:, None]
    assert_array_equal(ind[found], skl_i[found])
    assert (
        dist[ind >= 0] <= np.broadcast_to(radius[:, None], dist.shape)[ind >= 0]
    ).all()
    # an infinite radius is the plain search
    rows = np.flatnonzero(np.isinf(radius))
    d0, i0 = _core.kneighbors(X, Q[rows], k)
    assert_array_equal(ind[rows], i0)
    assert_array_equal(dist[rows], d0)


def test_searches_within_a_radius_reject_a_bad_radius():
    X = np.random.default_rng(0).standard_normal((40, 3))
    with pytest.raises(ValueError, match="radius has 3 values but there are 5"):
        _core.kneighbors_within(X, X[:5], 2, np.ones(3))
    with pytest.raises(ValueError, match=r"radius\[2\] is NaN"):
        _core.kneighbors_within(X, X[:5], 2, np.array([1, 1, np.nan, 1, 1.0]))
