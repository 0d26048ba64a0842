"""``counterpoise tour``: every sampler timed on synthetic rows (200,000 where
the sampler's work grows about linearly with the rows, fewer where it does not,
said on its line), and where one synthetic row came from."""

from __future__ import annotations

import time
import warnings
from collections import Counter

import numpy as np
from sklearn.datasets import make_classification

from .. import __version__
from ..over_sampling import SMOTE

N_ROWS = 200_000

#: samplers timed on fewer rows, with the reason: the ones that search the
#: neighbours of every row (quadratic work in high dimensions), fit k-means or an
#: SVM over the majority class, or fit scikit-learn's random forest on folds
FEWER = {
    "TomekLinks": (20_000, "k-NN of every row"),
    "EditedNearestNeighbours": (20_000, "k-NN of every row"),
    "RepeatedEditedNearestNeighbours": (20_000, "k-NN of every row, repeated"),
    "AllKNN": (20_000, "k-NN of every row, for each k"),
    "NeighbourhoodCleaningRule": (20_000, "k-NN of every row"),
    "OneSidedSelection": (20_000, "k-NN of every row"),
    "SMOTEENN": (20_000, "ENN: k-NN of every row"),
    "SMOTETomek": (20_000, "Tomek links: k-NN of every row"),
    "ClusterCentroids": (20_000, "k-means with one cluster per kept row"),
    "SVMSMOTE": (20_000, "fits scikit-learn's SVC"),
    "KMeansSMOTE": (20_000, "k-means over every row"),
    "InstanceHardnessThreshold": (5_000, "fits scikit-learn's random forest"),
}

#: parameters a sampler needs on this data (the defaults find no cluster of the
#: 1% class for KMeansSMOTE)
PARAMS = {"KMeansSMOTE": {"cluster_balance_threshold": 0.001}}


def _counts(y) -> dict:
    """``{label: count}`` of ``y``, labels as ints, in label order."""
    return {int(k): int(v) for k, v in sorted(Counter(np.asarray(y).tolist()).items())}


def _samplers():
    from .. import combine, over_sampling, under_sampling

    for module in (over_sampling, under_sampling, combine):
        for name in module.__all__:
            yield name, getattr(module, name)


def _inputs(name, X):
    """The features a sampler is given: three binned columns for the categorical
    samplers (all categorical for SMOTEN, among the continuous ones for SMOTENC)."""
    if name not in ("SMOTEN", "SMOTENC"):
        return X, {}
    codes = np.digitize(X[:, :3], [-1.0, 0.0, 1.0])
    if name == "SMOTEN":
        return codes, {}
    Xc = X.copy()
    Xc[:, :3] = codes
    return Xc, {"categorical_features": [0, 1, 2]}


def tour(n_rows: int = N_ROWS) -> None:
    """Print every sampler's time on synthetic rows, and one synthetic row's
    provenance."""
    X, y = make_classification(
        n_samples=n_rows,
        n_features=20,
        weights=[0.99, 0.01],
        flip_y=0,
        random_state=0,
    )
    print(f"counterpoise {__version__}: {n_rows:,} rows x 20 features")
    print(f"  original class counts: {_counts(y)}")
    for name, cls in _samplers():
        rows, why = FEWER.get(name, (n_rows, ""))
        rows = min(rows, n_rows)
        Xs, kwargs = _inputs(name, X[:rows])
        kwargs.update(PARAMS.get(name, {}))
        if "random_state" in cls._get_param_names():
            kwargs["random_state"] = 0
        start = time.perf_counter()
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                _, y_res = cls(**kwargs).fit_resample(Xs, y[:rows])
        except (ValueError, RuntimeError) as exc:
            print(f"  {name:<31} did not run: {exc}")
            continue
        elapsed = time.perf_counter() - start
        note = f"  ({rows:,} rows: {why})" if rows < n_rows else ""
        print(f"  {name:<31} {elapsed:6.3f} s -> {_counts(y_res)}{note}")
    smote = SMOTE(random_state=0)
    smote.fit_resample(X, y)
    a, b = smote.synthetic_parents_[0]
    t = smote.synthetic_steps_[0]
    print(
        f"  provenance: synthetic row {X.shape[0]} = row {a} + {t:.3f} * "
        f"(row {b} - row {a})"
    )
