"""``counterpoise tour``: SMOTE, random over- and under-sampling timed on
200,000 synthetic rows, and where one synthetic row came from."""

from __future__ import annotations

import time
from collections import Counter

import numpy as np
from sklearn.datasets import make_classification

from .. import __version__
from ..over_sampling import SMOTE, RandomOverSampler
from ..under_sampling import RandomUnderSampler


def _counts(y) -> dict:
    """``{label: count}`` of ``y``, labels as ints, in label order."""
    return {int(k): int(v) for k, v in sorted(Counter(np.asarray(y).tolist()).items())}


def tour() -> None:
    """Print the samplers' times on 200,000 synthetic rows, and one synthetic
    row's provenance."""
    X, y = make_classification(
        n_samples=200_000,
        n_features=20,
        weights=[0.99, 0.01],
        flip_y=0,
        random_state=0,
    )
    print(f"counterpoise {__version__}: 200,000 rows x 20 features")
    print(f"  original class counts: {_counts(y)}")
    for sampler in (
        SMOTE(random_state=0),
        RandomOverSampler(random_state=0),
        RandomUnderSampler(random_state=0),
    ):
        start = time.perf_counter()
        X_res, y_res = sampler.fit_resample(X, y)
        elapsed = time.perf_counter() - start
        print(f"  {type(sampler).__name__:<20} {elapsed:6.3f} s -> {_counts(y_res)}")
    smote = SMOTE(random_state=0)
    X_res, _ = smote.fit_resample(X, y)
    a, b = smote.synthetic_parents_[0]
    t = smote.synthetic_steps_[0]
    print(
        f"  provenance: synthetic row {X.shape[0]} = row {a} + {t:.3f} * "
        f"(row {b} - row {a})"
    )
