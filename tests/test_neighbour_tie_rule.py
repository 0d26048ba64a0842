"""The k-NN engine against a naive numpy search on the shared strategies' data
(tests/strategies.py: drawn awkward floats, duplicated rows, integer codes with
exact ties everywhere, heavy tails, mixed scales, d up to 40, up to 5,000 rows):
the k nearest rows, their distances, and ties broken by (distance, index), the
documented rule (not imblearn's, whose KD-tree orders ties arbitrarily)."""

import numpy as np
from counterpoise.utils._neighbours import kneighbors
from hypothesis import given, settings
from hypothesis import strategies as st

from .strategies import labelled_data


def check_against_naive(X, queries, dist, ind):
    k = ind.shape[1]
    # Squares of values near 1e-300 (or 1e300) underflow (overflow): the naive
    # distances are taken on the data times a power of two that brings the
    # largest magnitude near 1, which is exact and keeps every tie and order.
    big = max(np.abs(X).max(initial=0.0), np.abs(queries).max(initial=0.0))
    e = int(np.frexp(big)[1]) if big > 0 else 0
    X, queries = np.ldexp(X, -e), np.ldexp(queries, -e)
    for q, drow, irow in zip(queries, dist, ind):
        d2 = ((X - q) ** 2).sum(axis=1)
        assert np.unique(irow).size == k
        np.testing.assert_allclose(
            np.ldexp(drow, -e), np.sqrt(d2[irow]), rtol=1e-10, atol=0
        )
        assert (np.diff(drow) >= 0).all()
        # no row left out is nearer than the k-th
        out = np.ones(X.shape[0], bool)
        out[irow] = False
        if out.any():
            assert d2[irow].max() <= d2[out].min() * (1 + 1e-10)
        # ties: equal distances come back in index order, and a row left out at
        # the k-th distance has a larger index than every row returned at it
        tied = d2[irow][1:] == d2[irow][:-1]
        assert (irow[1:][tied] > irow[:-1][tied]).all()
        assert (np.flatnonzero(out & (d2 == d2[irow[-1]])) > irow[-1]).all()


@settings(max_examples=60, deadline=None)
@given(
    data=labelled_data(min_per_class=2), k=st.integers(1, 12), self_query=st.booleans()
)
def test_engine_matches_a_naive_search_and_breaks_ties_by_index(data, k, self_query):
    X, _ = data
    k = min(k, X.shape[0])
    rows = np.random.default_rng(0).permutation(X.shape[0])[:150]
    if self_query:  # the symmetric path: queries are the data; check some rows
        dist, ind = kneighbors(X, X, k)
        dist, ind = dist[rows], ind[rows]
    else:
        dist, ind = kneighbors(X, X[rows].copy(), k)
    check_against_naive(X, X[rows], dist, ind)


def test_integer_codes_give_exactly_the_lexicographic_order():
    # exact arithmetic: the answer is the (distance, index) sort itself
    rng = np.random.default_rng(0)
    for n, d in [(3000, 2), (600, 12), (700, 30)]:
        X = rng.integers(-2, 3, (n, d)).astype(np.float64)
        dist, ind = kneighbors(X, X, 9)
        for i in rng.permutation(n)[:100]:
            d2 = ((X - X[i]) ** 2).sum(axis=1)
            np.testing.assert_array_equal(ind[i], np.lexsort((np.arange(n), d2))[:9])


@settings(max_examples=40, deadline=None)
@given(
    data=labelled_data(min_per_class=2),
    k=st.integers(1, 6),
    share=st.sampled_from([0.05, 0.3, 0.7, 1.0]),
    dead=st.sampled_from([0.0, 0.2]),
)
def test_neighbour_graph_matches_a_naive_search_on_either_path(data, k, share, dead):
    # NeighbourGraph answers a search of most alive rows with one self-query of
    # them all (share >= SELF_QUERY_SHARE) and a smaller one one way: either way
    # each queried row gets its k nearest alive rows in (distance, index) order.
    # Both paths are forced in turn through the module's threshold.
    from counterpoise.utils import _neighbours

    X, _ = data
    n = X.shape[0]
    rng = np.random.default_rng(1)
    alive = rng.random(n) >= dead
    alive[:2] = True
    alive_rows = np.flatnonzero(alive)
    k = min(k, alive_rows.size)
    rows = np.sort(
        rng.choice(alive_rows, max(1, int(share * alive_rows.size)), replace=False)
    )
    # a plain one-way search among the alive rows, checked against naive
    Xa = X[alive_rows]
    dist, ind = kneighbors(Xa, X[rows].copy(), k)
    check_against_naive(Xa, X[rows], dist, ind)
    saved = _neighbours.SELF_QUERY_SHARE
    try:
        for threshold in (0.0, 2.0):  # always the self-query; never
            _neighbours.SELF_QUERY_SHARE = threshold
            graph = _neighbours.NeighbourGraph(X, k, width=k)
            np.testing.assert_array_equal(graph.query(rows, alive, k), alive_rows[ind])
    finally:
        _neighbours.SELF_QUERY_SHARE = saved
