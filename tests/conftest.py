import os

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
