"""The smoke tests of a built wheel (``.ci/smoke`` runs them, with a few parity
files, in a fresh virtual environment with no Rust on PATH): the compiled core
loads as the abi3 module, the command runs, and the vector and the portable
(non-AVX2) k-NN kernels give scikit-learn's neighbours and imbalanced-learn's
samples. They hold in any environment, so they run in the full suite too."""

import subprocess
import sys

import numpy as np
import pytest
from counterpoise import __version__, _core
from counterpoise.over_sampling import SMOTE
from counterpoise.under_sampling import EditedNearestNeighbours
from imblearn.over_sampling import SMOTE as ImbSMOTE
from imblearn.under_sampling import EditedNearestNeighbours as ImbENN
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.neighbors import NearestNeighbors

from ..conftest import make_data

KERNELS = ["native", "portable"]


def _kernels(monkeypatch, kind):
    # the core reads the switch on every call, so one process can try both
    if kind == "portable":
        monkeypatch.setenv("COUNTERPOISE_PORTABLE_KNN", "1")
    else:
        monkeypatch.delenv("COUNTERPOISE_PORTABLE_KNN", raising=False)


def test_core_is_the_abi3_module():
    assert _core.__file__.endswith(".abi3.so")


def test_the_command_runs_and_names_the_installed_version():
    out = subprocess.run(
        [sys.executable, "-m", "counterpoise", "--version"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip() == f"counterpoise {__version__}"


@pytest.mark.parametrize("kind", KERNELS)
@pytest.mark.parametrize("d", [2, 9, 40])
@pytest.mark.parametrize("algorithm", ["kd_tree", "brute"])
def test_kneighbors_match_sklearn_on_both_kernels(monkeypatch, kind, d, algorithm):
    _kernels(monkeypatch, kind)
    rng = np.random.default_rng(d)
    X = rng.standard_normal((1200, d))
    Q = rng.standard_normal((200, d))
    dist, ind = _core.kneighbors(X, Q, 5, algorithm)
    ref_dist, ref_ind = (
        NearestNeighbors(n_neighbors=5, algorithm="brute").fit(X).kneighbors(Q)
    )
    assert_array_equal(ind, ref_ind)
    assert_allclose(dist, ref_dist, rtol=1e-12, atol=1e-7)
    # a self-query too: the brute engine's two-way scan has its own kernel
    dist, ind = _core.kneighbors(X, X, 4, algorithm)
    ref_ind = NearestNeighbors(n_neighbors=4).fit(X).kneighbors(X)[1]
    assert_array_equal(ind, ref_ind)


@pytest.mark.parametrize("kind", KERNELS)
@pytest.mark.parametrize("d", [3, 24])
def test_samplers_match_imblearn_on_both_kernels(monkeypatch, kind, d):
    _kernels(monkeypatch, kind)
    X, y = make_data(n=900, d=d, weights=(0.8, 0.2), seed=d)
    Xa, ya = SMOTE(random_state=1).fit_resample(X, y)
    Xb, yb = ImbSMOTE(random_state=1).fit_resample(X, y)
    assert len(ya) > len(y)
    assert_array_equal(Xa, Xb)
    assert_array_equal(ya, yb)
    ours, theirs = EditedNearestNeighbours(), ImbENN()
    ours.fit_resample(X, y)
    theirs.fit_resample(X, y)
    assert len(theirs.sample_indices_) < len(y)
    assert_array_equal(ours.sample_indices_, theirs.sample_indices_)
