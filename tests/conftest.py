import os
import time

import numpy as np
import pytest
from hypothesis import settings
from sklearn.datasets import make_classification


def make_data(n=600, d=5, weights=(0.75, 0.25), seed=0, dtype=np.float64):
    """Tie-free continuous data with the given class weights."""
    X, y = make_classification(
        n_samples=n,
        n_features=d,
        n_informative=min(d, 3),
        n_redundant=0,
        n_repeated=0,
        n_classes=len(weights),
        n_clusters_per_class=1,
        weights=list(weights),
        flip_y=0,
        random_state=seed,
    )
    return X.astype(dtype), y


@pytest.fixture
def data():
    return make_data()


# CI runs a fixed, derandomised set of hypothesis examples so a run is repeatable;
# HYPOTHESIS_PROFILE=nightly draws fresh random examples, five times as many.
PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "default")
NIGHTLY_FACTOR = 5
settings.register_profile("ci", derandomize=True, print_blob=True)
settings.register_profile(
    "nightly", max_examples=100 * NIGHTLY_FACTOR, print_blob=True, deadline=None
)
settings.load_profile(PROFILE)


def examples(n):
    """``n`` hypothesis examples, five times as many under the nightly profile
    (a test's own ``max_examples`` overrides the profile's, so scale it here)."""
    return n * NIGHTLY_FACTOR if PROFILE == "nightly" else n


def engine_threads() -> dict:
    """CPU time (ns, from /proc's schedstat) of each engine thread of this
    process: the pool workers the engine names ``counterpoise-<i>``."""
    times = {}
    for tid in os.listdir("/proc/self/task"):
        try:
            with open(f"/proc/self/task/{tid}/comm") as f:
                name = f.read().strip()
            if name.startswith("counterpoise-"):
                with open(f"/proc/self/task/{tid}/schedstat") as f:
                    times[tid] = int(f.read().split()[0])
        except OSError:  # the thread ended meanwhile
            pass
    return times


def settled_engine_threads(timeout=5.0) -> dict:
    """``engine_threads()`` once no engine thread's CPU time is still growing:
    pool workers spin for a moment after a call before they sleep, and a
    snapshot taken while they spin would count an earlier call's threads
    against the next one."""
    deadline = time.monotonic() + timeout
    before = engine_threads()
    while True:
        time.sleep(0.05)
        now = engine_threads()
        if now == before or time.monotonic() > deadline:
            return now
        before = now


def engine_threads_ran(before: dict) -> int:
    """How many engine threads ran since ``before = engine_threads()``: those
    started since or whose CPU time grew (the engine keeps its pools between
    calls, so a call can use threads without starting any)."""
    return sum(1 for tid, ns in engine_threads().items() if ns > before.get(tid, 0))
