"""Fuzzing the compiled module ``counterpoise._core`` from Python.

Every ``_core`` function is called with arbitrary arguments (wrong dtypes and
shapes, non-contiguous and read-only arrays, NaN/inf/huge/tiny values, bad counts
and indices, wrong container types). Each call must return a valid result or raise
``ValueError``/``TypeError``: never PyO3's ``PanicException`` (a
``BaseException``), never another exception type, and never change the caller's
arrays. ``COUNTERPOISE_FUZZ_EXAMPLES`` sets the examples per function (a long
run); the CI profile keeps the default small.

The targeted tests below pin what the fuzzing found or the issue asked for:
finite SMOTE rows near the float64 maximum, k-means and k-NN on values near
``1e308`` and ``1e-300`` (the same answer as on the data divided by a power of
two), panics raised as ``InternalError`` (a ``ValueError`` and a
``RuntimeError``), the thread-limit controls and the progress counters.
"""

import os
import threading

import numpy as np
import pytest
from counterpoise import _core
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .conftest import engine_threads_ran, examples, settled_engine_threads

N = int(os.environ.get("COUNTERPOISE_FUZZ_EXAMPLES", "0")) or examples(60)
FUZZ = settings(
    max_examples=N,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)

AWKWARD = [
    0.0,
    -0.0,
    1.0,
    -2.5,
    np.nan,
    np.inf,
    -np.inf,
    np.finfo(np.float64).max,
    -np.finfo(np.float64).max,
    1.5e308,
    -1.2e308,
    1e200,
    1e-300,
    5e-324,
    2.2250738585072014e-308,
]

DTYPES = [
    np.float64,
    np.float64,
    np.float64,
    np.float32,
    np.int64,
    np.int32,
    np.uint8,
    np.bool_,
    np.float16,
    object,
]


@st.composite
def arrays(draw, ndim=None, dtype=None, max_side=7, values=None, shape=None):
    """An array of arbitrary shape, dtype and memory layout, mostly of the given
    ``ndim``/``dtype``/``shape`` (the valid case), with awkward values."""
    if shape is not None and draw(st.integers(0, 19)) != 0:
        ndim = len(shape)
    else:
        shape = None
        if ndim is None or draw(st.integers(0, 19)) == 0:
            ndim = draw(st.integers(0, 3))
    if dtype is None or draw(st.integers(0, 19)) == 0:
        dtype = draw(st.sampled_from(DTYPES))
    if shape is None:
        shape = tuple(draw(st.integers(0, max_side)) for _ in range(ndim))
    size = int(np.prod(shape)) if shape else 1
    if values is None:
        values = draw(
            st.sampled_from(["ordinary", "ordinary", "awkward", "huge", "tiny"])
        )
    if isinstance(values, str):
        values = {
            "ordinary": st.one_of(st.floats(-3, 3), st.integers(-3, 3).map(float)),
            "awkward": st.one_of(st.floats(-3, 3), st.sampled_from(AWKWARD)),
            "huge": st.floats(-1.79e308, 1.79e308).filter(lambda v: abs(v) > 1e300),
            "tiny": st.floats(-1e-300, 1e-300),
        }[values]
    flat = draw(st.lists(values, min_size=size, max_size=size))
    with np.errstate(all="ignore"):
        base = np.array(flat, dtype=np.float64).reshape(shape)
        if np.dtype(dtype).kind in "iub":
            base = np.nan_to_num(base, nan=0, posinf=1, neginf=-1)
            base = np.clip(base, -1000, 1000)
            if np.dtype(dtype).kind == "u":
                base = np.abs(base) % 256
        a = base.astype(dtype)
    layout = draw(st.sampled_from(["c", "c", "c", "f", "strided", "readonly"]))
    if layout == "f":
        a = np.asfortranarray(a)
    elif layout == "strided" and a.ndim >= 1:
        big = np.repeat(a, 2, axis=0)
        a = big[::2]
    elif layout == "readonly":
        a = a.copy()
        a.setflags(write=False)
    return a


BAD_COUNTS = [-1, -(2**63), 2**64, 2**70, 10**6, 1.5, "3", None, np.float64(2.0)]


def counts(lo=0, hi=12):
    """Mostly a count in ``[lo, hi]``; sometimes out of range or not an int."""
    return st.one_of(
        st.integers(lo, max(lo, hi)),
        st.integers(lo, max(lo, hi)),
        st.integers(lo, max(lo, hi)).map(np.int64),
        st.integers(0, 40),
        st.sampled_from(BAD_COUNTS),
    )


def index_arrays(n, length=None):
    """Mostly valid row indices into ``n`` rows (of the given length)."""
    return arrays(
        ndim=1,
        dtype=np.int64,
        shape=None if length is None else (length,),
        values=st.one_of(
            st.integers(0, max(n - 1, 0)).map(float),
            st.integers(0, max(n - 1, 0)).map(float),
            st.integers(-3, n + 3).map(float),
            st.sampled_from([1e18, -1e18]),
        ),
    )


def lists_of(strategy, size=None, max_size=3):
    sized = (
        st.lists(strategy, max_size=max_size)
        if size is None
        else st.lists(strategy, min_size=size, max_size=size)
    )
    return st.one_of(
        sized,
        sized,
        sized,
        st.lists(strategy, max_size=max_size),
        st.sampled_from([None, 5, "x"]),
    )


def floats():
    return st.one_of(
        st.floats(0, 1e-3), st.floats(allow_nan=True), st.sampled_from([None, "1"])
    )


def rows_of(x):
    return x.shape[0] if isinstance(x, np.ndarray) and x.ndim >= 1 else 0


def call_checked(fn, *args):
    """Call ``fn``: only a result or ValueError/TypeError, inputs unchanged."""
    before = [a.copy() if isinstance(a, np.ndarray) else _copy_list(a) for a in args]
    try:
        out = fn(*args)
    except (ValueError, TypeError):
        out = None
    except BaseException as e:  # noqa: BLE001 - the point of the test
        pytest.fail(
            f"{fn.__name__} raised {type(e).__module__}.{type(e).__name__}: {e}"
        )
    for a, b in zip(args, before):
        _assert_same(a, b)
    return out


def _copy_list(a):
    if isinstance(a, list):
        return [x.copy() if isinstance(x, np.ndarray) else x for x in a]
    return a


def _assert_same(a, b):
    if isinstance(a, np.ndarray):
        assert a.dtype == b.dtype and a.shape == b.shape
        if a.dtype == object:
            # the copy holds the same objects; == alone calls nan unequal to itself
            assert all(x is y or x == y for x, y in zip(a.ravel(), b.ravel()))
        else:
            np.testing.assert_array_equal(a, b)
    elif isinstance(a, list):
        for x, y in zip(a, b):
            _assert_same(x, y)


ALGORITHMS = st.sampled_from(["auto", "brute", "kd_tree", "auto", "ball_tree", ""])


@FUZZ
@given(st.data())
def test_kneighbors(data):
    x = data.draw(arrays(ndim=2, dtype=np.float64, max_side=12))
    if data.draw(st.booleans()):
        q = x
    else:
        q = data.draw(
            arrays(ndim=2, dtype=x.dtype, shape=(5, x.shape[1] if x.ndim == 2 else 2))
        )
    if data.draw(st.integers(0, 4)) == 0:
        x, q = x.astype(np.float32), q.astype(np.float32)
    k = data.draw(counts(1, rows_of(x)))
    algorithm = data.draw(ALGORITHMS)
    n_threads = data.draw(counts(0, 3))
    out = call_checked(_core.kneighbors, x, q, k, algorithm, n_threads)
    if out is not None:
        dist, ind = out
        n = x.shape[0]
        assert ind.shape == dist.shape == (q.shape[0], int(k))
        assert ((ind >= 0) & (ind < n)).all()
        for row in ind:
            assert len(set(row.tolist())) == len(row)
        assert not np.isnan(dist).any() and (dist >= 0).all()
        # sorted (a distance past the float64 maximum is inf, as it rounds)
        assert (dist[:, 1:] >= dist[:, :-1]).all()


@FUZZ
@given(st.data())
def test_kneighbors_within(data):
    x = data.draw(arrays(ndim=2, dtype=np.float64, max_side=12))
    q = data.draw(
        arrays(ndim=2, dtype=x.dtype, shape=(5, x.shape[1] if x.ndim == 2 else 2))
    )
    radius = data.draw(arrays(ndim=1, dtype=np.float64, shape=(rows_of(q),)))
    k = data.draw(counts(1, rows_of(x)))
    n_threads = data.draw(counts(0, 3))
    out = call_checked(_core.kneighbors_within, x, q, k, radius, n_threads)
    if out is not None:
        dist, ind = out
        assert ind.shape == dist.shape == (q.shape[0], int(k))
        assert ((ind >= -1) & (ind < x.shape[0])).all()
        assert np.isinf(dist[ind < 0]).all()
        found = ind >= 0
        assert (
            dist[found] <= np.broadcast_to(radius[:, None], dist.shape)[found]
        ).all()
        # the rows found come first, nearest first
        assert (dist[:, 1:] >= dist[:, :-1]).all()


@FUZZ
@given(st.data())
def test_smote_resample(data):
    x = data.draw(arrays(ndim=2, dtype=np.float64, max_side=12))
    n = rows_of(x)
    n_classes = data.draw(st.integers(0, 2))
    k = data.draw(counts(1, 4))
    classes, samples, steps = [], [], []
    for _ in range(n_classes):
        rows = data.draw(index_arrays(n))
        m = data.draw(st.integers(0, 8))
        kk = k if isinstance(k, (int, np.integer)) and 0 < k < 50 else 1
        span = max(rows_of(rows) * int(kk), 1)
        samples.append(
            data.draw(
                arrays(
                    ndim=1,
                    dtype=np.int64,
                    shape=(m,),
                    values=st.integers(-1, span).map(float),
                )
            )
        )
        steps.append(
            data.draw(
                arrays(ndim=1, dtype=np.float64, shape=(m,), values=st.floats(0, 1))
            )
        )
        classes.append(rows)
    if data.draw(st.integers(0, 9)) == 0:
        classes = data.draw(st.sampled_from([None, "x", classes[:1]]))
    nns = None
    if data.draw(st.integers(0, 3)) == 0 and isinstance(classes, list):
        nns = [
            data.draw(
                arrays(
                    ndim=2,
                    dtype=np.int64,
                    shape=(
                        rows_of(c),
                        int(k) if isinstance(k, int) and 0 <= k < 9 else 1,
                    ),
                    values=st.integers(-1, rows_of(c)).map(float),
                )
            )
            for c in classes
        ]
    algorithm = data.draw(ALGORITHMS)
    out = call_checked(
        _core.smote_resample, x, classes, samples, steps, k, nns, algorithm
    )
    if out is not None:
        x_res, parents = out
        assert x_res.shape[0] == n + parents.shape[0]
        np.testing.assert_array_equal(x_res[:n], x)
        if parents.size:
            assert ((parents >= 0) & (parents < n)).all()
        assert np.isfinite(x_res).all()


@FUZZ
@given(st.data())
def test_kmeans_plusplus_and_lloyd(data):
    x = data.draw(arrays(ndim=2, dtype=np.float64, max_side=14))
    n = rows_of(x)
    k = data.draw(counts(1, n))
    first = data.draw(counts(0, n - 1))
    trials = data.draw(counts(1, 3))
    want = (
        (int(k) - 1) * int(trials)
        if all(isinstance(v, (int, np.integer)) and 0 < v < 100 for v in (k, trials))
        else 3
    )
    draws = data.draw(
        arrays(ndim=1, dtype=np.float64, shape=(max(want, 0),), values=st.floats(0, 1))
    )
    rows = call_checked(_core.kmeans_plusplus, x, k, first, draws, trials)
    if rows is not None:
        assert rows.shape == (int(k),)
        assert ((rows >= 0) & (rows < n)).all()
        init = x[rows]
    else:
        init = data.draw(
            arrays(
                ndim=2, dtype=np.float64, shape=(2, x.shape[1] if x.ndim == 2 else 2)
            )
        )
    max_iter = data.draw(counts(1, 30))
    tol = data.draw(floats())
    out = call_checked(_core.kmeans_lloyd, x, init, max_iter, tol)
    if out is not None:
        centers, labels, inertia, n_iter = out
        kk = init.shape[0]
        assert centers.shape == (kk, x.shape[1])
        assert np.isfinite(centers).all()
        assert labels.shape == (n,)
        assert ((labels >= 0) & (labels < kk)).all()
        assert not np.isnan(inertia) and inertia >= 0
        assert 1 <= n_iter <= max_iter


@FUZZ
@given(arrays(ndim=2, dtype=np.float64), counts(0, 3))
def test_sum_pairwise_distances(x, n_threads):
    total = call_checked(_core.sum_pairwise_distances, x, n_threads)
    if total is not None:
        assert not np.isnan(total) and total >= 0


@FUZZ
@given(st.data())
def test_cnn_condense_1nn(data):
    x = data.draw(arrays(ndim=2, dtype=np.float64, max_side=12))
    n = rows_of(x)
    m = data.draw(st.integers(0, 10))
    rows = data.draw(index_arrays(n, m))
    nearest = data.draw(index_arrays(n, m))
    correct = data.draw(arrays(ndim=1, dtype=np.bool_, shape=(m,)))
    seeds = data.draw(index_arrays(n))
    added = call_checked(_core.cnn_condense_1nn, x, rows, nearest, correct, seeds)
    if added is not None:
        assert set(added.tolist()) <= set(rows.tolist())


@FUZZ
@given(st.data())
def test_vdm_kneighbors_and_mode(data):
    n_cat = data.draw(st.lists(st.integers(1, 4), max_size=3))
    n = data.draw(st.integers(0, 8))
    codes = data.draw(
        arrays(
            ndim=2,
            dtype=np.int32,
            shape=(n, len(n_cat)),
            values=st.integers(-1, 4).map(float),
        )
    )
    tables = data.draw(
        st.one_of(
            st.tuples(
                *[arrays(ndim=2, dtype=np.float64, shape=(c, c)) for c in n_cat]
            ).map(list),
            lists_of(arrays(ndim=2, dtype=np.float64), max_size=4),
        )
    )
    k = data.draw(counts(1, n))
    out = call_checked(_core.vdm_kneighbors, codes, tables, k)
    if out is not None:
        assert out.shape == (codes.shape[0], int(k))
        assert ((out >= 0) & (out < codes.shape[0])).all()
        for row in out:
            assert len(set(row.tolist())) == len(row)
        neighbours = out
    else:
        neighbours = data.draw(
            arrays(
                ndim=2,
                dtype=np.int64,
                shape=(n, 2),
                values=st.integers(-1, n).map(float),
            )
        )
    drawn = data.draw(index_arrays(rows_of(codes)))
    n_categories = data.draw(
        st.one_of(
            st.just(n_cat),
            st.lists(
                st.one_of(st.integers(0, 8), st.sampled_from([-1, 2**64, 2**40])),
                max_size=4,
            ),
            st.sampled_from([None, "ab", 3]),
        )
    )
    mode = call_checked(_core.vdm_mode, codes, neighbours, drawn, n_categories)
    if mode is not None:
        assert mode.shape == (drawn.shape[0], codes.shape[1])
        assert (mode >= 0).all()


@FUZZ
@given(st.data())
def test_take_rows_and_concat_rows(data):
    x = data.draw(arrays(ndim=2, dtype=np.uint8))
    indices = data.draw(index_arrays(rows_of(x)))
    out = call_checked(_core.take_rows, x, indices)
    if out is not None:
        np.testing.assert_array_equal(out, x[indices])
    width = data.draw(st.integers(0, 4))
    parts = data.draw(
        lists_of(arrays(ndim=2, dtype=np.uint8, shape=(3, width)), max_size=4)
    )
    out = call_checked(_core.concat_rows, parts)
    if out is not None and parts:
        np.testing.assert_array_equal(out, np.vstack(parts))


@FUZZ
@given(counts(0, 4))
def test_thread_controls(n):
    try:
        for fn in (_core.set_num_threads, _core.effective_threads):
            call_checked(fn, n)
        previous = call_checked(_core.set_thread_limit_local, n)
        assert previous is None or previous >= 0
    finally:
        _core.set_thread_limit_local(0)
        _core.set_num_threads(0)


# ---------------------------------------------------------------- targeted cases


def test_internal_error_is_a_value_error_and_a_runtime_error():
    assert issubclass(_core.InternalError, ValueError)
    assert issubclass(_core.InternalError, RuntimeError)
    assert _core.InternalError.__module__ == "counterpoise._core"


@pytest.mark.parametrize("where", ["binding", "release", "worker"])
def test_a_panic_is_raised_as_internal_error_naming_the_function(where):
    with pytest.raises(_core.InternalError) as info:
        _core._panic_for_tests(where)
    message = str(info.value)
    assert "internal error" in message
    assert "_core._panic_for_tests" in message
    assert "test panic" in message
    # the pool and the module still work afterwards
    x = np.arange(12.0).reshape(6, 2)
    assert _core.kneighbors(x, x, 2)[1].shape == (6, 2)


@pytest.mark.parametrize("scale", [1e200, 1e250, 1e300, 2.0**1020, 1e-300, 1e-310])
def test_kmeans_on_extreme_values_is_the_kmeans_of_the_scaled_data(scale):
    # ClusterCentroids' panic (issue 18): squared distances overflowed. Scaling
    # by a power of two is exact, so the seeds, labels and iteration count must
    # be those of the same data near 1, and the centres the scaled centres.
    rng = np.random.default_rng(0)
    base = rng.standard_normal((200, 3))
    base -= base.mean(axis=0)
    e = int(np.floor(np.log2(scale)))
    x = np.ldexp(base, e)
    if not np.array_equal(np.ldexp(x, -e), base):  # subnormal: bits lost
        base = np.ldexp(x, -e)
    k, trials = 8, 2 + int(np.log(8))
    draws = rng.uniform(size=(k - 1) * trials)
    want_rows = _core.kmeans_plusplus(base, k, 3, draws, trials)
    got_rows = _core.kmeans_plusplus(x, k, 3, draws, trials)
    np.testing.assert_array_equal(got_rows, want_rows)
    c0, l0, i0, n0 = _core.kmeans_lloyd(base, base[want_rows], 300, 0.0)
    c1, l1, i1, n1 = _core.kmeans_lloyd(x, x[got_rows], 300, 0.0)
    np.testing.assert_array_equal(l1, l0)
    assert n1 == n0
    np.testing.assert_array_equal(c1, np.ldexp(c0, e))
    assert np.isfinite(c1).all()
    np.testing.assert_allclose(i1, np.ldexp(i0, 2 * e), rtol=1e-12, atol=5e-324 * 4)


@pytest.mark.parametrize("scale", [1e16, 1e19, 1e40, 1e160, 1e300, 1e-300])
@pytest.mark.parametrize("algorithm", ["brute", "kd_tree", "auto"])
def test_kneighbors_on_extreme_values_is_the_search_of_the_scaled_data(
    scale, algorithm
):
    rng = np.random.default_rng(1)
    base = rng.standard_normal((300, 12))
    e = int(np.floor(np.log2(scale)))
    x = np.ldexp(base, e)
    d0, i0 = _core.kneighbors(base, base, 5, algorithm)
    d1, i1 = _core.kneighbors(x, x, 5, algorithm)
    np.testing.assert_array_equal(i1, i0)
    np.testing.assert_allclose(np.ldexp(d1, -e), d0, rtol=1e-12)


def test_smote_rows_near_the_float64_maximum_are_finite_and_on_the_segment():
    big = np.finfo(np.float64).max
    x = np.array(
        [[-big, 0.9 * big], [big, -0.8 * big], [0.5 * big, big], [-0.7 * big, -big]]
    )
    idx = np.arange(4, dtype=np.int64)
    samples = np.arange(12, dtype=np.int64) % 12
    steps = np.linspace(0, 1, 12)
    x_res, parents = _core.smote_resample(x, [idx], [samples], [steps], 3)
    new = x_res[4:]
    assert np.isfinite(new).all()
    a, b = x[parents[:, 0]], x[parents[:, 1]]
    assert ((new >= np.minimum(a, b)) & (new <= np.maximum(a, b))).all()
    # the exact interpolation where it does not overflow
    small = x / 2**600
    r_small, p_small = _core.smote_resample(small, [idx], [samples], [steps], 3)
    a, b = small[p_small[:, 0]], small[p_small[:, 1]]
    with np.errstate(all="raise"):
        want = a + steps[:, None] * (b - a)
    np.testing.assert_array_equal(r_small[4:], want)


def test_smote_rows_near_the_float32_maximum_are_finite():
    big = np.finfo(np.float32).max
    x = np.array([[-big], [big], [0.5 * big], [-0.9 * big]], dtype=np.float32)
    idx = np.arange(4, dtype=np.int64)
    samples = np.arange(8, dtype=np.int64) % 8
    steps = np.linspace(0, 1, 8)
    x_res, _ = _core.smote_resample(x, [idx], [samples], [steps], 2)
    assert x_res.dtype == np.float32
    assert np.isfinite(x_res).all()


def test_thread_limits_resolve_in_order():
    default = _core.default_threads()
    try:
        assert _core.get_num_threads() == 0
        assert _core.effective_threads() == default
        _core.set_num_threads(3)
        assert _core.get_num_threads() == 3
        assert _core.effective_threads() == 3
        assert _core.set_thread_limit_local(2) == 0
        assert _core.get_thread_limit_local() == 2
        assert _core.effective_threads() == 2
        assert _core.effective_threads(5) == 5
        # the override belongs to this thread only
        seen = []
        t = threading.Thread(target=lambda: seen.append(_core.effective_threads()))
        t.start()
        t.join()
        assert seen == [3]
        assert _core.set_thread_limit_local(0) == 2
        assert _core.effective_threads() == 3
    finally:
        _core.set_thread_limit_local(0)
        _core.set_num_threads(0)
    assert _core.effective_threads() == default


@pytest.mark.skipif(not os.path.isdir("/proc/self/task"), reason="needs Linux /proc")
def test_the_limit_sizes_the_pool():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((20000, 30))
    ran = {}
    try:
        _core.set_num_threads(3)
        for limit in (1, 2):
            _core.set_thread_limit_local(limit)
            before = settled_engine_threads()
            _core.kneighbors(x, x, 5, "brute")
            ran[limit] = engine_threads_ran(before)
    finally:
        _core.set_thread_limit_local(0)
        _core.set_num_threads(0)
    # a limit of 1 runs on the calling thread; 2 uses at most the 2 workers of
    # its pool (the process-wide 3 is overridden by this thread's limit)
    assert ran[1] == 0
    assert 1 <= ran[2] <= 2


def test_progress_counts_a_call_while_it_runs():
    d0, p0 = _core.progress()
    assert 0 <= d0 <= p0
    rng = np.random.default_rng(0)
    x = rng.standard_normal((60000, 20))
    samples = []
    stop = threading.Event()

    def poll():
        while not stop.is_set():
            samples.append(_core.progress())

    t = threading.Thread(target=poll)
    t.start()
    _core.kneighbors(x, x, 5, "brute", 1)
    stop.set()
    t.join()
    d1, p1 = _core.progress()
    assert p1 - p0 >= 60000 and d1 - d0 >= 60000
    assert d1 <= p1
    done = [d for d, _ in samples]
    assert done == sorted(done)
    # it moved during the call, not only at its end
    assert any(d0 < d < d0 + 60000 for d, p in samples if p >= p0 + 60000)
    # at rest every planned unit is done, also after a call that failed
    # midway (a draw out of range, found after the neighbour search)
    idx = np.arange(50, dtype=np.int64)
    with pytest.raises(ValueError):
        _core.smote_resample(
            x[:50], [idx], [np.array([0, 10**6], dtype=np.int64)], [np.ones(2) / 2], 3
        )
    d3, p3 = _core.progress()
    assert d3 == p3
