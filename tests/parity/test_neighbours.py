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
