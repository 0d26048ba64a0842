"""Samplers work in joblib/loky workers, after os.fork(), and under
cross_val_score(n_jobs=2): the per-call pool means no dead pool is inherited."""

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

from .conftest import make_data


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
    expected = _resample(0)  # the parent has run the engine before forking
    ctx = multiprocessing.get_context("fork")
    with ctx.Pool(2) as pool:
        result = pool.map_async(_resample, [0, 0])
        assert result.get(timeout=120) == [expected, expected]
    pid = os.fork()
    if pid == 0:  # child
        ok = _resample(0) == expected
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
