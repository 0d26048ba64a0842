"""Hypothesis tests of the bad-input matrix's invariants on generated valid data,
for every public sampler (issue #18).

Each generated ``(X, y)`` is valid: 2 or 3 classes of 6 to 40 rows, 1 to 5
columns of Gaussian, heavy-tailed, mixed-scale or integer-code values (exact
ties and duplicated rows included), in float64, float32, int64, uint8 or as a
pandas DataFrame. A sampler must either return a result keeping every invariant
of ``tests/test_bad_input.py`` (lengths, container, labels from y, finite
values, each column's range, originals kept, selections from the input, exact
class counts, exempt classes untouched) or refuse with a clear ValueError or
TypeError (a data-dependent refusal such as ADASYN's "Not any neighbours belong
to the majority class"); the caller's X and y are never changed.

Example counts: a few per sampler under the ``ci`` profile; under
``HYPOTHESIS_PROFILE=nightly`` 10,000 per sampler.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sklearn.ensemble import RandomForestClassifier

from . import test_bad_input as matrix
from .conftest import PROFILE
from .strategies import COLUMNS, generated_X

N_EXAMPLES = 10_000 if PROFILE == "nightly" else 15

# Small neighbourhoods so that classes of 6 rows are valid input for every one.
CONFIGS = {
    "SMOTE": {"k_neighbors": 3},
    "SMOTENC": {"k_neighbors": 3, "categorical_features": [-1]},
    "SMOTEN": {"k_neighbors": 3},
    "BorderlineSMOTE": {"k_neighbors": 3, "m_neighbors": 5},
    "ADASYN": {"n_neighbors": 3},
    "KMeansSMOTE": {
        "k_neighbors": 2,
        "kmeans_estimator": 2,
        "cluster_balance_threshold": 0.0,
    },
    "SVMSMOTE": {"k_neighbors": 3, "m_neighbors": 5},
    "RandomOverSampler": {},
    "InstanceHardnessThreshold": {
        "estimator": RandomForestClassifier(n_estimators=3, random_state=0),
        "cv": 3,
    },
    "CondensedNearestNeighbour": {"n_neighbors": 1},
}

DTYPES = ("float64", "float32", "int64", "uint8", "pandas")


@st.composite
def valid_data(draw):
    n_classes = draw(st.integers(2, 3))
    counts = [draw(st.integers(6, 40)) for _ in range(n_classes)]
    d = draw(st.integers(1, 5))
    seed = draw(st.integers(0, 2**32 - 1))
    columns = draw(st.sampled_from(COLUMNS))
    duplicates = draw(st.sampled_from([0.0, 0.0, 0.2]))
    kind = draw(st.sampled_from(DTYPES))
    event(f"{kind}, {columns}")
    rng = np.random.default_rng(seed)
    y = rng.permutation(np.repeat(np.arange(n_classes), counts))
    X = generated_X(seed, y.size, d, columns, duplicates, np.float64, y)
    # a last column of integer codes: SMOTENC's categorical column
    X = np.column_stack([X, rng.integers(0, 3, y.size)])
    if kind in ("int64", "uint8"):
        X = X - X.min(axis=0)
        X = np.round(X * (200 / max(float(X.max()), 1.0))).astype(kind)
    elif kind == "float32":
        X = X.astype(np.float32)
    elif kind == "pandas":
        X = pd.DataFrame(X, columns=[f"f{j}" for j in range(X.shape[1])])
        X = X.astype({X.columns[-1]: np.int64})
        y = pd.Series(y, name="target")
    return X, y


def _make(name):
    kind, cls, kwargs = matrix.SAMPLERS[name]
    return kind, cls, {**kwargs, **CONFIGS.get(name, {})}


def check_invariants(name, X, y):
    """Run one sampler on ``(X, y)``: ``'ok'`` or ``'refused'``; fails on any
    violation."""
    kind, cls, kwargs = _make(name)
    if name == "SMOTENC":  # the last column: its index, whatever the width
        kwargs["categorical_features"] = [X.shape[1] - 1]
    sampler = cls(**kwargs)
    X_before, y_before = matrix._snapshot(X), matrix._snapshot(y)
    try:
        X_res, y_res = sampler.fit_resample(X, y)
    except (ValueError, TypeError) as exc:
        message = str(exc)
        raw = [m for m in matrix.RAW_MESSAGES if m in message]
        assert not raw and len(message) >= 20, f"unclear refusal: {exc!r}"
        outcome = "refused"
    else:
        bad = matrix._check_result(name, kind, sampler, X, y, X_res, y_res)
        assert not bad, "; ".join(bad)
        outcome = "ok"
    assert matrix._same(X_before, X), "the caller's X changed"
    assert matrix._same(y_before, y), "the caller's y changed"
    event(outcome)
    return outcome


@pytest.mark.filterwarnings("ignore")
@pytest.mark.parametrize("name", list(matrix.SAMPLERS))
@settings(
    max_examples=N_EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(data=valid_data())
def test_invariants_hold_on_valid_data(name, data):
    X, y = data
    check_invariants(name, X, y)
