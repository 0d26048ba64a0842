"""The distributed samplers against the local ones and against scikit-learn's
exact neighbours, on Spark ``local[2]`` and a Dask ``LocalCluster``, with the rows
spread over many partitions."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pandas as pd
import pytest
from counterpoise.over_sampling import (
    ADASYN,
    SMOTE,
    SMOTEN,
    SMOTENC,
    BorderlineSMOTE,
    RandomOverSampler,
)
from counterpoise.under_sampling import NearMiss, RandomUnderSampler
from sklearn.neighbors import NearestNeighbors

from .conftest import table

NPART = 7
DASK_ONLY = pytest.mark.parametrize("engine", ["dask"], indirect=True)


def counts(labels):
    return {int(k): int(v) for k, v in Counter(np.asarray(labels).tolist()).items()}


def split(out, pdf):
    """``(original rows, synthetic rows)`` of an output: synthetic ones have no id."""
    synthetic = out["id"].isna().to_numpy()
    return out[~synthetic], out[synthetic]


def on_segments(new, starts, ends, tmax=1.0):
    """For each row of ``new``: whether it lies on one of the segments
    ``starts[i] -> ends[i]`` at a step in ``[0, tmax]`` (all float64)."""
    D = ends - starts
    norm = np.einsum("ij,ij->i", D, D)
    ok = np.zeros(new.shape[0], dtype=bool)
    for s in range(0, new.shape[0], 256):
        diff = new[s : s + 256, None, :] - starts[None]
        t = np.einsum("sij,ij->si", diff, D) / np.where(norm > 0, norm, 1.0)
        resid = np.abs(diff - t[..., None] * D[None]).max(axis=2)
        scale = 1e-9 * (1.0 + np.abs(starts).max())
        ok[s : s + 256] = ((resid <= scale) & (t >= -1e-12) & (t <= tmax + 1e-12)).any(
            axis=1
        )
    return ok


def class_segments(X, k):
    """Every (row, one of its k exact nearest rows) pair of X, by scikit-learn."""
    idx = NearestNeighbors(n_neighbors=k + 1).fit(X).kneighbors(X)[1][:, 1:]
    return np.repeat(X, k, axis=0), X[idx.ravel()]


RANDOM_CASES = [
    ("under", ["spark", "dask"], RandomUnderSampler(random_state=0)),
    (
        "under-dict",
        ["dask"],
        RandomUnderSampler(random_state=1, sampling_strategy={0: 150, 1: 60}),
    ),
    (
        "under-replacement",
        ["dask"],
        RandomUnderSampler(random_state=0, replacement=True),
    ),
    ("over", ["dask"], RandomOverSampler(random_state=0)),
    (
        "over-shrinkage",
        ["spark", "dask"],
        RandomOverSampler(random_state=0, shrinkage=0.5),
    ),
]


@pytest.mark.parametrize(
    "engine, sampler",
    [
        pytest.param(e, s, id=f"{e}-{name}")
        for name, engines, s in RANDOM_CASES
        for e in engines
    ],
    indirect=["engine"],
)
def test_random_samplers_exact_counts(engine, sampler):
    pdf, X, y, features = table()
    out = engine.to_pandas(
        engine.fit_resample(
            sampler, engine.frame(pdf, NPART), label="label", features=features
        )
    )
    _, y_local = type(sampler)(**sampler.get_params()).fit_resample(X, y)
    assert counts(out["label"]) == counts(y_local)
    assert list(out.columns) == list(pdf.columns)
    original, synthetic = split(out, pdf)
    by_id = pdf.set_index("id")
    ids = original["id"].astype(np.int64).to_numpy()
    # every kept or copied row is an input row, unchanged
    np.testing.assert_array_equal(
        original[features].to_numpy(), by_id.loc[ids, features].to_numpy()
    )
    if isinstance(sampler, RandomUnderSampler):
        if not sampler.replacement:
            assert len(set(ids.tolist())) == ids.size  # drawn without replacement
        else:  # with replacement: some rows drawn more than once
            assert len(set(ids.tolist())) < ids.size
        assert synthetic.empty
    elif sampler.shrinkage is None:
        assert synthetic.empty
        assert set(ids.tolist()) == set(range(len(pdf)))
    else:
        # smoothed copies: new values, no id, label of an over-sampled class
        assert set(original["id"].astype(int)) == set(range(len(pdf)))
        assert len(synthetic) == sum(sampler.sampling_strategy_.values())
        assert not np.isin(synthetic["f0"].to_numpy(), pdf["f0"].to_numpy()).any()
    assert (
        sampler.sampling_strategy_
        == type(sampler)(**sampler.get_params()).fit(X, y).sampling_strategy_
    )


def test_smote_segments_to_exact_neighbours(engine):
    pdf, X, y, features = table()
    sampler = SMOTE(k_neighbors=4, random_state=0)
    out = engine.to_pandas(
        engine.fit_resample(
            sampler, engine.frame(pdf, NPART), label="label", features=features
        )
    )
    _, y_local = SMOTE(k_neighbors=4, random_state=0).fit_resample(X, y)
    assert counts(out["label"]) == counts(y_local)
    original, synthetic = split(out, pdf)
    pd.testing.assert_frame_equal(
        original.sort_values("id").reset_index(drop=True).astype(pdf.dtypes.to_dict()),
        pdf,
    )
    for klass, n in sampler.sampling_strategy_.items():
        new = synthetic[synthetic["label"] == klass][features].to_numpy()
        assert new.shape[0] == n
        starts, ends = class_segments(X[y == klass], 4)
        assert on_segments(new, starts, ends).all()
        # the draws spread over the class: many distinct base rows are used
        assert len(np.unique(np.round(new, 6), axis=0)) == n


@pytest.mark.parametrize(
    "engine, kind",
    [("dask", "borderline-1"), ("spark", "borderline-2"), ("dask", "borderline-2")],
    indirect=["engine"],
)
def test_borderline_smote_danger_set_and_segments(engine, kind):
    pdf, X, y, features = table()
    sampler = BorderlineSMOTE(kind=kind, random_state=0, k_neighbors=3, m_neighbors=6)
    out = engine.to_pandas(
        engine.fit_resample(
            sampler, engine.frame(pdf, NPART), label="label", features=features
        )
    )
    local = BorderlineSMOTE(kind=kind, random_state=0, k_neighbors=3, m_neighbors=6)
    _, y_local = local.fit_resample(X, y)
    assert counts(out["label"]) == counts(y_local)
    assert local.in_danger_indices.keys() == sampler.in_danger_indices.keys()
    for klass, rows in local.in_danger_indices.items():
        np.testing.assert_array_equal(sampler.in_danger_indices[klass], rows)
    _, synthetic = split(out, pdf)
    everyone = NearestNeighbors(n_neighbors=4).fit(X)
    for klass, danger in sampler.in_danger_indices.items():
        new = synthetic[synthetic["label"] == klass][features].to_numpy()
        if kind == "borderline-1":
            Xc = X[y == klass]
            pos = np.searchsorted(np.flatnonzero(y == klass), danger)
            idx = NearestNeighbors(n_neighbors=4).fit(Xc).kneighbors(Xc[pos])[1][:, 1:]
            assert on_segments(
                new, np.repeat(Xc[pos], 3, axis=0), Xc[idx.ravel()]
            ).all()
        else:
            idx = everyone.kneighbors(X[danger])[1][:, 1:].ravel()
            starts = np.repeat(X[danger], 3, axis=0)
            same = y[idx] == klass
            # towards the own class: a full step; towards another: at most half
            full = on_segments(new, starts[same], X[idx][same])
            half = on_segments(new, starts[~same], X[idx][~same], tmax=0.5)
            assert (full | half).all()


@DASK_ONLY
def test_adasyn_density_weights_and_segments(engine):
    pdf, X, y, features = table()
    sampler = ADASYN(n_neighbors=4, random_state=0)
    out = engine.to_pandas(
        engine.fit_resample(
            sampler, engine.frame(pdf, NPART), label="label", features=features
        )
    )
    _, y_local = ADASYN(n_neighbors=4, random_state=0).fit_resample(X, y)
    assert counts(out["label"]) == counts(y_local)
    idx = NearestNeighbors(n_neighbors=5).fit(X).kneighbors(X)[1][:, 1:]
    _, synthetic = split(out, pdf)
    for klass in sampler.sampling_strategy_:
        rows = np.flatnonzero(y == klass)
        other = (y[idx[rows]] != klass).sum(axis=1) / 4
        np.testing.assert_allclose(sampler.adasyn_weights_[klass], other / other.sum())
        new = synthetic[synthetic["label"] == klass][features].to_numpy()
        starts, ends = class_segments(X[rows], 4)
        assert on_segments(new, starts, ends).all()


@pytest.mark.parametrize(
    "engine, version",
    [("dask", 1), ("dask", 2), ("spark", 3), ("dask", 3)],
    indirect=["engine"],
)
def test_near_miss_selects_the_local_rows(engine, version):
    pdf, X, y, features = table(n=450)
    sampler = NearMiss(version=version, n_neighbors=3)
    out = engine.to_pandas(
        engine.fit_resample(
            sampler, engine.frame(pdf, NPART), label="label", features=features
        )
    )
    local = NearMiss(version=version, n_neighbors=3)
    local.fit_resample(X, y)
    np.testing.assert_array_equal(
        np.sort(out["id"].to_numpy()), np.sort(local.sample_indices_)
    )


def categorical_table(n=400, seed=0):
    rng = np.random.default_rng(seed)
    pdf = pd.DataFrame(
        {
            "id": np.arange(n, dtype=np.int64),
            "colour": np.array(["red", "green", "blue"])[rng.integers(0, 3, n)],
            "size": rng.integers(0, 4, n),
            "x": rng.normal(size=n),
            "label": np.r_[np.zeros(n - n // 5, int), np.ones(n // 5, int)],
        }
    )
    return pdf


@DASK_ONLY
def test_smoten_values_are_neighbourhood_modes(engine):
    from imblearn.metrics.pairwise import ValueDifferenceMetric
    from sklearn.preprocessing import OrdinalEncoder

    pdf = categorical_table()
    features = ["colour", "size"]
    sampler = SMOTEN(k_neighbors=3, random_state=0)
    out = engine.to_pandas(
        engine.fit_resample(
            sampler, engine.frame(pdf, NPART), label="label", features=features
        )
    )
    Xl, yl = pdf[features].to_numpy(dtype=object), pdf["label"].to_numpy()
    _, y_local = SMOTEN(k_neighbors=3, random_state=0).fit_resample(Xl, yl)
    assert counts(out["label"]) == counts(y_local)
    _, synthetic = split(out, pdf)
    assert synthetic["x"].isna().all()
    enc = OrdinalEncoder(dtype=np.int32).fit(Xl)
    codes = enc.transform(Xl).astype(np.int32)
    vdm = ValueDifferenceMetric().fit(codes, yl)
    rows = np.flatnonzero(yl == 1)
    dist = vdm.pairwise(codes[rows])
    nn = NearestNeighbors(n_neighbors=4, metric="precomputed").fit(dist)
    hood = nn.kneighbors(dist)[1]  # each row and its 3 nearest
    allowed = set()
    for h in hood:
        modes = []
        for f in range(2):
            vals, cnt = np.unique(codes[rows][h, f], return_counts=True)
            modes.append(set(vals[cnt == cnt.max()].tolist()))
        allowed |= {(a, b) for a in modes[0] for b in modes[1]}
    new = enc.transform(synthetic[features].to_numpy(dtype=object)).astype(int)
    assert all((a, b) in allowed for a, b in new.tolist())


def test_smotenc_continuous_on_segments_categories_from_neighbours(engine):
    pdf = categorical_table()
    features = ["colour", "size", "x"]
    sampler = SMOTENC(
        categorical_features=["colour", "size"], k_neighbors=3, random_state=0
    )
    out = engine.to_pandas(
        engine.fit_resample(
            sampler, engine.frame(pdf, NPART), label="label", features=features
        )
    )
    assert counts(out["label"]) == {0: 320, 1: 320}
    _, synthetic = split(out, pdf)
    cls = pdf[pdf["label"] == 1].reset_index(drop=True)
    median = np.median(cls[["x"]].to_numpy().std(axis=0))
    assert sampler.median_std_[1] == pytest.approx(median)
    onehot = pd.get_dummies(cls[["colour", "size"]].astype(str)).to_numpy(float)
    encoded = np.hstack([cls[["x"]].to_numpy(), onehot * median / np.sqrt(2)])
    idx = NearestNeighbors(n_neighbors=4).fit(encoded).kneighbors(encoded)[1][:, 1:]
    x = cls["x"].to_numpy()
    new_x = synthetic["x"].to_numpy()
    lo = np.minimum(x[:, None], x[idx])  # each base's segments, on the one axis
    hi = np.maximum(x[:, None], x[idx])
    for value, colour, size in zip(new_x, synthetic["colour"], synthetic["size"]):
        on = (lo <= value + 1e-12) & (value - 1e-12 <= hi)
        bases = np.flatnonzero(on.any(axis=1))
        ok = False
        for b in bases:
            hood = cls.iloc[idx[b]]
            top_c = hood["colour"].value_counts()
            top_s = hood["size"].value_counts()
            ok |= (top_c.get(colour, 0) == top_c.max()) and (
                top_s.get(size, 0) == top_s.max()
            )
        assert ok
