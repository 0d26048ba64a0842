"""Samplers work in joblib/loky workers, after os.fork(), and under
cross_val_score(n_jobs=2): the engine keeps its thread pools per process, so a
forked child builds its own instead of using one whose threads died in the fork."""

import multiprocessing
import os
import sys

import numpy as np
import pytest
from counterpoise.over_sampling import SMOTE
from imblearn.pipeline import make_pipeline
from joblib import Parallel, delayed
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import cross_val_score

from .conftest import engine_threads_ran, make_data, settled_engine_threads


def _resample(seed):
    X, y = make_data(n=2000, d=20, weights=(0.8, 0.2))
    return SMOTE(random_state=seed).fit_resample(X, y)[0].sum()


def test_loky_workers():
    expected = [_resample(s) for s in range(4)]
    got = Parallel(n_jobs=2, backend="loky", timeout=120)(
        delayed(_resample)(s) for s in range(4)
    )
    assert got == expected


@pytest.mark.skipif(sys.platform == "win32", reason="fork is POSIX-only")
def test_fork_after_use_does_not_hang():
    from counterpoise import _core

    # The parent has run the engine, in pools of 2 and 3 threads, before forking.
    X = np.random.default_rng(0).standard_normal((3000, 6))
    knn = [_core.kneighbors(X, X, 5, "auto", n_threads=n)[1] for n in (2, 3)]
    expected = _resample(0)
    ctx = multiprocessing.get_context("fork")
    with ctx.Pool(2) as pool:
        result = pool.map_async(_resample, [0, 0])
        assert result.get(timeout=120) == [expected, expected]
    pid = os.fork()
    if pid == 0:  # child
        ok = _resample(0) == expected
        for n, want in zip((2, 3, 2), knn + knn[:1]):
            ok = ok and np.array_equal(
                _core.kneighbors(X, X, 5, "auto", n_threads=n)[1], want
            )
        os._exit(0 if ok else 1)
    _, status = os.waitpid(pid, 0)
    assert os.WEXITSTATUS(status) == 0


def test_cross_val_score_with_two_jobs():
    X, y = make_data(n=1500, d=8, weights=(0.9, 0.1))
    pipe = make_pipeline(SMOTE(random_state=0), LogisticRegression())
    scores = cross_val_score(pipe, X, y, cv=3, n_jobs=2, scoring="balanced_accuracy")
    serial = cross_val_score(pipe, X, y, cv=3, n_jobs=1, scoring="balanced_accuracy")
    assert np.allclose(scores, serial)


def _iht_in_child(conn):
    from counterpoise.under_sampling import InstanceHardnessThreshold
    from sklearn.tree import DecisionTreeClassifier

    X, y = make_data(n=400, d=4, weights=(0.8, 0.2))
    sampler = InstanceHardnessThreshold(
        estimator=DecisionTreeClassifier(random_state=0), random_state=0
    )
    conn.send(sampler.fit_resample(X, y)[1].size)


@pytest.mark.skipif(sys.platform == "win32", reason="fork is POSIX-only")
def test_instance_hardness_in_a_forked_worker_lets_it_exit():
    # The parallel folds must not leave a process pool that keeps a forked
    # worker alive after its work is done.
    ctx = multiprocessing.get_context("fork")
    recv, send = ctx.Pipe(duplex=False)
    child = ctx.Process(target=_iht_in_child, args=(send,))
    child.start()
    assert recv.poll(120)
    assert recv.recv() > 0
    child.join(30)
    alive = child.is_alive()
    if alive:
        child.kill()
        child.join()
    assert not alive


# ---------------------------------------------------------------------------
# n_jobs and threadpoolctl reach the engine: count the engine threads a call runs on.


def _threads_used(call) -> int:
    """Engine threads that ran during ``call()``: pool workers that did not
    exist before it or whose CPU time grew. The engine keeps its pools between
    calls, so a call can use threads without starting any; a call limited to
    one thread runs on the calling thread itself and uses none.
    """
    before = settled_engine_threads()
    call()
    return engine_threads_ran(before)


def _engine_call(**params):
    # a k-NN heavy enough (tens of ms) that a thread pool shows up in the poll
    X, y = make_data(n=20000, d=12, weights=(0.7, 0.3))
    from counterpoise.under_sampling import EditedNearestNeighbours

    return lambda: EditedNearestNeighbours(**params).fit_resample(X, y)


needs_proc = pytest.mark.skipif(
    not os.path.isdir("/proc/self/task"), reason="counts threads in /proc (Linux)"
)


@needs_proc
def test_n_jobs_1_starts_no_engine_threads():
    _engine_call()()  # warm up: lazy imports, BLAS threads
    assert _threads_used(_engine_call(n_jobs=1)) == 0


@needs_proc
def test_threadpool_limits_1_starts_no_engine_threads():
    from threadpoolctl import threadpool_limits

    _engine_call()()
    with threadpool_limits(1):
        used = _threads_used(_engine_call())
    assert used == 0
    # and the limit is lifted on exit: the default uses the cores again
    if len(os.sched_getaffinity(0)) > 1:
        assert _threads_used(_engine_call()) >= 2


@needs_proc
@pytest.mark.skipif(len(os.sched_getaffinity(0)) < 2, reason="one core")
def test_default_and_n_jobs_2_use_the_cores():
    _engine_call()()
    assert _threads_used(_engine_call()) >= 2
    assert 1 <= _threads_used(_engine_call(n_jobs=2)) <= 2


def test_threadpoolctl_sees_and_sets_the_engine():
    from counterpoise import _core
    from threadpoolctl import threadpool_info, threadpool_limits

    ours = [i for i in threadpool_info() if i["internal_api"] == "counterpoise"]
    assert len(ours) == 1
    assert os.path.samefile(ours[0]["filepath"], _core.__file__)
    before = _core.get_num_threads()
    with threadpool_limits(3, user_api="counterpoise"):
        assert _core.get_num_threads() == 3
    assert _core.get_num_threads() == before


def test_n_jobs_limit_is_restored_after_the_call():
    from counterpoise import _core

    previous = _core.set_thread_limit_local(0)
    assert previous == 0
    _engine_call(n_jobs=1)()
    assert _core.set_thread_limit_local(0) == 0
