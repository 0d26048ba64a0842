"""The exact distributed k-NN join and the cleaning rules built on it (#22).

The truth is the local engine's exact search (``counterpoise._core.kneighbors``,
itself tested against scikit-learn's brute force) and the local samplers, which
the parity tests hold to imbalanced-learn. Data is continuous and tie-free,
heavy-tailed in one column (cells of very different widths), cut into many
partitions; ``CELL_ROWS`` is lowered so that the join uses many cells and most
rows' neighbourhoods cross cell boundaries.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from counterpoise import _core
from counterpoise._distributed import _join
from counterpoise.combine import SMOTEENN, SMOTETomek
from counterpoise.under_sampling import (
    AllKNN,
    EditedNearestNeighbours,
    NeighbourhoodCleaningRule,
    RepeatedEditedNearestNeighbours,
    TomekLinks,
)

NPART = 9


def heavy(n=1500, seed=0):
    """Three classes; one Cauchy-scaled column; integer ids 10, 13, 16, ..."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 3))
    X[:, 0] *= np.abs(rng.standard_cauchy(n)) + 0.1
    y = (X[:, 1] + 0.6 * rng.normal(size=n) > 0.9).astype(np.int64)
    y[(X[:, 2] > 1.4) & (y == 0)] = 2
    pdf = pd.DataFrame(X, columns=["a", "b", "c"])
    pdf.insert(0, "id", np.arange(n, dtype=np.int64) * 3 + 10)
    pdf["label"] = y
    return pdf, X, y


@pytest.fixture
def small_cells(monkeypatch):
    monkeypatch.setattr(_join, "CELL_ROWS", 60)


def neighbour_table(engine, out, k):
    """(ids, neighbour ids, distances) sorted by id, from either engine's format."""
    out = out.sort_values("id").reset_index(drop=True)
    if engine.name == "spark":
        nk = np.stack(out["neighbors"].to_numpy())
        d = np.stack(out["distances"].to_numpy())
    else:
        nk = out[[f"neighbor_{j}" for j in range(k)]].to_numpy()
        d = out[[f"distance_{j}" for j in range(k)]].to_numpy()
    return out["id"].to_numpy(), nk, d


def kneighbors(engine, df, k, **kw):
    if engine.name == "spark":
        from counterpoise.spark import kneighbors as run
    else:
        from counterpoise.dask import kneighbors as run
    return engine.to_pandas(run(df, k, **kw))


@pytest.mark.parametrize("k", [1, 7])
def test_join_equals_the_local_exact_search(engine, small_cells, k):
    pdf, X, _ = heavy()
    df = engine.frame(pdf, NPART)
    ids, nk, d = neighbour_table(
        engine, kneighbors(engine, df, k, features=["a", "b", "c"], key="id"), k
    )
    dist, idx = _core.kneighbors(X, X, k + 1)
    np.testing.assert_array_equal(ids, pdf["id"].to_numpy())
    np.testing.assert_array_equal(nk, pdf["id"].to_numpy()[idx[:, 1:]])
    np.testing.assert_allclose(d, dist[:, 1:], rtol=1e-12)
    # and scikit-learn's brute force agrees on the ids
    from sklearn.neighbors import NearestNeighbors

    sk = NearestNeighbors(n_neighbors=k, algorithm="brute").fit(X).kneighbors()[1]
    np.testing.assert_array_equal(nk, pdf["id"].to_numpy()[sk])


def test_spark_join_without_arrow_groups(spark, small_cells, monkeypatch):
    """pyspark < 4.0 has no ``applyInArrow``: the join's groups then run
    through ``applyInPandas``, with the same neighbours."""
    from pyspark.sql.pandas.group_ops import PandasGroupedOpsMixin

    from .conftest import SparkEngine

    monkeypatch.delattr(PandasGroupedOpsMixin, "applyInArrow")
    eng = SparkEngine(spark)
    pdf, X, _ = heavy(n=600, seed=2)
    ids, nk, d = neighbour_table(
        eng, kneighbors(eng, eng.frame(pdf, NPART), 3, features=["a", "b", "c"]), 3
    )
    dist, idx = _core.kneighbors(X, X, 4)
    np.testing.assert_array_equal(ids, np.arange(len(pdf)))
    np.testing.assert_array_equal(nk, idx[:, 1:])
    np.testing.assert_allclose(d, dist[:, 1:], rtol=1e-12)


def test_cells_stay_even_as_tables_grow(monkeypatch):
    """The KD split is cut from ``SAMPLE_PER_CELL`` sample rows a cell, not a
    fixed sample: on heavy-tailed data making 400 cells the largest holds at
    most 1.3x the mean rows; cut from a fixed sample of ~10 rows a cell (as
    65,536 rows are for 6,500 cells) it holds more than 1.5x."""
    monkeypatch.setattr(_join, "CELL_ROWS", 1000)
    monkeypatch.setattr(_join, "SAMPLE_ROWS", 4096)
    rng = np.random.default_rng(5)
    n = 400_000
    X = rng.standard_t(2, size=(n, 3)) * np.array([1.0, 10.0, 100.0])

    def largest(every):
        sample = X[::every]
        cells = _join.Cells(sample, _join._n_cells(n, sample.shape[0], 3))
        counts = np.bincount(cells.assign(X), minlength=cells.n_cells)
        return cells.n_cells, counts.max() / counts.mean()

    n_cells, ratio = largest(_join._sample_every(n, 3))
    assert n_cells == 400
    assert ratio < 1.3, ratio
    assert largest(n // 4096)[1] > 1.5


@pytest.mark.parametrize("share", [0.05, 0.5, 1.0])
def test_cell_neighbours_self_query_equals_a_query_set(share):
    """A cell's queries found by one self-query of all its rows (most rows
    queried) are the same lists as the query rows searched on their own."""
    pdf, X, _ = heavy(n=2000, seed=3)
    rng = np.random.default_rng(0)
    q = np.sort(rng.choice(len(X), size=int(share * len(X)), replace=False))
    d, i = _join._cell_neighbours(X, q, 6)
    dq, iq = _core.kneighbors(X, X[q], 6)
    np.testing.assert_array_equal(i, iq)
    np.testing.assert_allclose(d, dq, rtol=1e-12)
    # the truth: scikit-learn's brute force
    from sklearn.neighbors import NearestNeighbors

    sk = NearestNeighbors(n_neighbors=6, algorithm="brute").fit(X)
    np.testing.assert_array_equal(i, sk.kneighbors(X[q])[1])


@pytest.mark.parametrize("copies", [1, 3, 6])
def test_a_cells_lists_leave_each_row_out_of_its_own(copies):
    """A cell's own lists exclude the row itself, by position, also among exact
    duplicates (``copies`` of each row; 6 > k + 1: a row's whole list can be
    its duplicates at distance 0): distances as scikit-learn's brute force
    over the other rows."""
    from sklearn.neighbors import NearestNeighbors

    rng = np.random.default_rng(copies)
    X = np.repeat(rng.normal(size=(300, 3)), copies, axis=0)
    n, k = len(X), 4
    keys = np.arange(n, dtype=np.int64) * 2 + 7
    codes = np.zeros(n, dtype=np.int64)
    lo, hi = np.full((1, 3), -np.inf), np.full((1, 3), np.inf)
    step = _join._local_step(k, None, lo, hi, None, lambda *a: a)
    out = step(0, [("pts", keys, codes, X)], None)
    (final,) = [p[1] for _, p in out if p[0] == "final"]
    qkeys, _, D, NK, _ = final
    np.testing.assert_array_equal(qkeys, keys)
    assert not (NK == qkeys[:, None]).any()
    want = NearestNeighbors(n_neighbors=k + 1).fit(X).kneighbors(X)[0]
    np.testing.assert_allclose(D, want[:, 1:], atol=1e-12)


@pytest.mark.parametrize("n_classes, k", [(2, 3), (5, 7), (40, 9)])
def test_the_cells_vote_is_scipys_mode(n_classes, k):
    """ENN's vote in the cells (a pass a class and column, or ``np.add.at``
    past 256 of them) is scipy's mode, ties to the smallest class, as
    imbalanced-learn votes."""
    from scipy.stats import mode

    rng = np.random.default_rng(n_classes)
    labels = rng.integers(0, n_classes, size=(3000, k))
    labels[:500, : k // 2 * 2] = np.repeat(
        rng.integers(0, n_classes, (500, 2)), k // 2, 1
    )
    want = mode(labels, axis=1, keepdims=False).mode
    np.testing.assert_array_equal(_join._vote(labels, n_classes), want)


def test_box_distances_skip_open_sides_exactly():
    """The halo test's distances to a box, from outside (``_box_gap``) and from
    inside to the nearest side (``_inner_gap``), with a KD region's infinite
    sides, equal the same measured over every column without infinities."""
    rng = np.random.default_rng(5)
    X = rng.normal(size=(400, 6)) * [1, 10, 0.1, 1, 5, 1]
    lo = np.array([-np.inf, -3.0, -np.inf, -0.5, -np.inf, -np.inf])
    hi = np.array([np.inf, 4.0, 0.05, np.inf, np.inf, np.inf])
    big = 1e300  # stands for the open sides without infinities
    lo_f, hi_f = np.where(np.isinf(lo), -big, lo), np.where(np.isinf(hi), big, hi)
    gap = np.maximum(lo_f - X, 0.0) + np.maximum(X - hi_f, 0.0)
    np.testing.assert_allclose(
        _join._box_gap(X, lo, hi), np.sqrt((gap**2).sum(axis=1)), rtol=1e-14
    )
    inside = np.flatnonzero(((X >= lo) & (X <= hi)).all(axis=1))
    want = np.minimum(X[inside] - lo_f, hi_f - X[inside]).min(axis=1)
    np.testing.assert_array_equal(_join._inner_gap(X, inside, lo, hi), want)
    np.testing.assert_array_equal(_join._inner_gap(X[inside], None, lo, hi), want)
    # an empty box (a cell without rows: lo = inf, hi = -inf) is at infinity
    empty = _join._box_gap(X, np.full(6, np.inf), np.full(6, -np.inf))
    assert np.isinf(empty).all()
    # a box closed on every side: every column counts
    lo2, hi2 = np.full(6, -2.0), np.full(6, 2.0)
    gap2 = np.maximum(lo2 - X, 0.0) + np.maximum(X - hi2, 0.0)
    np.testing.assert_allclose(
        _join._box_gap(X, lo2, hi2), np.sqrt((gap2**2).sum(axis=1)), rtol=1e-14
    )


@pytest.mark.parametrize("engine", ["dask"], indirect=True)
@pytest.mark.parametrize("cell_rows", [3, 10**9])
def test_join_tiny_cells_and_one_cell(engine, monkeypatch, cell_rows):
    # cells of fewer rows than k (a row's own cell cannot bound its k-th
    # distance: it is sent everywhere), and a single cell (no halo at all)
    monkeypatch.setattr(_join, "CELL_ROWS", cell_rows)
    pdf, X, _ = heavy(n=300, seed=1)
    df = engine.frame(pdf.drop(columns=["id", "label"]), 5)
    ids, nk, d = neighbour_table(engine, kneighbors(engine, df, 5), 5)
    dist, idx = _core.kneighbors(X, X, 6)
    np.testing.assert_array_equal(ids, np.arange(len(pdf)))  # positions
    np.testing.assert_array_equal(nk, idx[:, 1:])
    np.testing.assert_allclose(d, dist[:, 1:], rtol=1e-12)


@pytest.mark.parametrize("engine", ["dask"], indirect=True)
def test_join_bad_input(engine):
    pdf, _, _ = heavy(n=50)
    df = engine.frame(pdf, 2)
    with pytest.raises(ValueError, match="needs more than 50 rows"):
        kneighbors(engine, df, 50, features=["a", "b"])
    with pytest.raises(TypeError, match="n_neighbors must be an int"):
        kneighbors(engine, df, True, features=["a", "b"])
    with pytest.raises(ValueError, match="at least 1"):
        kneighbors(engine, df, 0, features=["a", "b"])
    with pytest.raises(ValueError, match="not columns"):
        kneighbors(engine, df, 2, features=["a", "zz"])
    text = engine.frame(pdf.assign(name=[f"r{i}" for i in range(50)]), 2)
    with pytest.raises(ValueError, match="must hold integers"):
        kneighbors(engine, text, 2, features=["a", "b"], key="name")
    with pytest.raises(ValueError, match="must be numeric"):
        kneighbors(engine, text, 2, features=["a", "name"])
    nan = engine.frame(pdf.assign(a=np.where(pdf["a"] > 1, np.nan, pdf["a"])), 2)
    with pytest.raises(ValueError, match="NaN, null or infinity"):
        kneighbors(engine, nan, 2, features=["a", "b"])


CLEANING = [
    ("spark", EditedNearestNeighbours()),
    ("dask", EditedNearestNeighbours()),
    ("dask", EditedNearestNeighbours(n_neighbors=5, kind_sel="mode")),
    ("dask", EditedNearestNeighbours(sampling_strategy="all")),
    ("spark", TomekLinks()),
    ("dask", TomekLinks(sampling_strategy="all")),
    ("dask", RepeatedEditedNearestNeighbours()),
    ("spark", AllKNN()),
    ("dask", AllKNN(allow_minority=True, kind_sel="mode")),
    ("spark", NeighbourhoodCleaningRule()),
    ("dask", NeighbourhoodCleaningRule(n_neighbors=5, threshold_cleaning=0.1)),
    (
        "dask",
        NeighbourhoodCleaningRule(
            sampling_strategy="all",
            edited_nearest_neighbours=EditedNearestNeighbours(
                n_neighbors=2, kind_sel="all"
            ),
        ),
    ),
]


@pytest.mark.parametrize(
    "engine, sampler",
    [pytest.param(e, s, id=f"{e}-{s!r}") for e, s in CLEANING],
    indirect=["engine"],
)
def test_cleaning_rules_keep_the_local_rows(engine, small_cells, sampler):
    pdf, X, y = heavy()
    from sklearn.base import clone

    local = clone(sampler)
    local.fit_resample(X, y)
    out = engine.to_pandas(
        engine.fit_resample(
            sampler, engine.frame(pdf, NPART), label="label", features=["a", "b", "c"]
        )
    )
    # the same rows, whole and unchanged, in their input order
    expected = pdf.iloc[np.sort(local.sample_indices_)].reset_index(drop=True)
    pd.testing.assert_frame_equal(out.astype(pdf.dtypes.to_dict()), expected)
    removed = np.setdiff1d(np.arange(len(pdf)), local.sample_indices_)
    np.testing.assert_array_equal(sampler.removed_keys_, removed)
    assert sampler.sampling_strategy_ == local.sampling_strategy_
    if isinstance(sampler, RepeatedEditedNearestNeighbours):
        assert sampler.n_iter_ == local.n_iter_
    if isinstance(sampler, NeighbourhoodCleaningRule):
        assert sampler.classes_to_clean_ == local.classes_to_clean_
    assert 0 < removed.size < len(pdf)  # the case removes something


@pytest.mark.parametrize("engine", ["dask"], indirect=True)
def test_cleaning_keyed_rows(engine, small_cells):
    # with key=, the removed keys are the key column's values
    pdf, X, y = heavy()
    local = EditedNearestNeighbours().fit(X, y)
    local.fit_resample(X, y)
    sampler = EditedNearestNeighbours()
    engine.to_pandas(
        engine.fit_resample(
            sampler,
            engine.frame(pdf.sample(frac=1, random_state=0), NPART),
            label="label",
            features=["a", "b", "c"],
            key="id",
        )
    )
    removed = np.setdiff1d(np.arange(len(pdf)), local.sample_indices_)
    np.testing.assert_array_equal(sampler.removed_keys_, pdf["id"].to_numpy()[removed])


@pytest.mark.parametrize("key", [None, "id"])
def test_spark_many_removed_rows_filtered_in_python(
    spark, small_cells, monkeypatch, key
):
    """Past MAX_JVM_KEYS removed keys, the final filter runs in the Python
    workers instead of a broadcast anti-join built on the driver (which ran a
    1 GB driver out of heap at 60M rows): the same rows, in input order."""
    import counterpoise.spark as cs

    from .conftest import SparkEngine

    pdf, X, y = heavy()
    local = EditedNearestNeighbours()
    local.fit_resample(X, y)
    expected = pdf.iloc[np.sort(local.sample_indices_)].reset_index(drop=True)
    assert len(expected) < len(pdf) - 2
    monkeypatch.setattr(cs, "MAX_JVM_KEYS", 2)
    eng = SparkEngine(spark)
    sampler = EditedNearestNeighbours()
    out = eng.to_pandas(
        eng.fit_resample(
            sampler,
            eng.frame(pdf, NPART),
            label="label",
            features=["a", "b", "c"],
            key=key,
        )
    )
    pd.testing.assert_frame_equal(out.astype(pdf.dtypes.to_dict()), expected)


@pytest.mark.parametrize(
    "engine, sampler, large",
    [
        ("dask", SMOTEENN(random_state=0), False),
        ("spark", SMOTETomek(random_state=0), False),
        # the SMOTE of a class too large to broadcast (through the join), whose
        # output Spark recomputes for each pass the cleaner makes
        ("spark", SMOTEENN(random_state=0), True),
    ],
    indirect=["engine"],
)
def test_combined_is_the_cleaner_on_the_distributed_smote(
    engine, small_cells, monkeypatch, sampler, large
):
    from counterpoise._distributed import _plan
    from counterpoise.over_sampling import SMOTE

    if large:
        monkeypatch.setattr(_plan, "MAX_BROADCAST_BYTES", 0)
    pdf, _, _ = heavy(n=600)
    pdf = pdf.drop(columns=["id"])
    features = ["a", "b", "c"]
    df = engine.frame(pdf, 4)
    out = engine.to_pandas(engine.fit_resample(sampler, df, label="label"))
    smoted = engine.to_pandas(
        engine.fit_resample(SMOTE(random_state=0), df, label="label")
    )
    cleaner = (
        EditedNearestNeighbours(sampling_strategy="all")
        if isinstance(sampler, SMOTEENN)
        else TomekLinks(sampling_strategy="all")
    )
    Xs, ys = smoted[features].to_numpy(), smoted["label"].to_numpy()
    cleaner.fit_resample(Xs, ys)
    expected = smoted.iloc[np.sort(cleaner.sample_indices_)].reset_index(drop=True)
    pd.testing.assert_frame_equal(
        out.reset_index(drop=True).astype(expected.dtypes.to_dict()), expected
    )
    assert len(out) < len(smoted)


@pytest.mark.parametrize("engine", ["dask"], indirect=True)
def test_cleaning_clear_errors(engine):
    from sklearn.neighbors import NearestNeighbors

    pdf, _, _ = heavy(n=40)
    df = engine.frame(pdf, 2)
    with pytest.raises(ValueError, match="pass n_neighbors as an int"):
        engine.fit_resample(
            EditedNearestNeighbours(n_neighbors=NearestNeighbors(n_neighbors=4)),
            df,
            label="label",
        )
    with pytest.raises(ValueError, match="n_neighbors"):
        engine.fit_resample(EditedNearestNeighbours(n_neighbors=40), df, label="label")


class _Draws(np.random.RandomState):
    """A RandomState whose ``randint`` returns given seed positions, one array
    per call: imblearn's OneSidedSelection then starts from the seeds the
    distributed sampler chose (its only random draws)."""

    def __init__(self, positions):
        super().__init__(0)
        self.positions = list(positions)

    def randint(self, *args, **kwargs):
        return self.positions.pop(0)


OSS_CASES = [
    ("spark", {}),
    ("dask", {}),
    ("dask", {"n_neighbors": 3, "n_seeds_S": 4, "sampling_strategy": "all"}),
]


@pytest.mark.parametrize(
    "engine, params",
    [pytest.param(e, p, id=f"{e}-{p}") for e, p in OSS_CASES],
    indirect=["engine"],
)
def test_one_sided_selection_is_imblearns_from_the_same_seeds(
    engine, small_cells, params
):
    from counterpoise.under_sampling import OneSidedSelection
    from imblearn.under_sampling import OneSidedSelection as ImbOSS

    pdf, X, y = heavy()
    sampler = OneSidedSelection(random_state=0, **params)
    out = engine.to_pandas(
        engine.fit_resample(
            sampler, engine.frame(pdf, NPART), label="label", features=["a", "b", "c"]
        )
    )
    # the seeds: n_seeds_S rows of each cleaned class, by position (no key)
    classes = sorted(sampler.sampling_strategy_)
    assert list(sampler.seed_keys_) == classes
    positions = []
    for c in classes:
        seeds = sampler.seed_keys_[c]
        assert seeds.size == params.get("n_seeds_S", 1)
        assert (y[seeds] == c).all()
        positions.append(np.searchsorted(np.flatnonzero(y == c), seeds))
    # imblearn from the same seeds keeps the same rows, in input order here
    imb = ImbOSS(random_state=_Draws(positions), **params)
    imb.fit_resample(X, y)
    expected = pdf.iloc[np.sort(imb.sample_indices_)].reset_index(drop=True)
    pd.testing.assert_frame_equal(out.astype(pdf.dtypes.to_dict()), expected)
    assert 0 < len(out) < len(pdf)
    assert len(sampler.estimators_) == len(classes)


@pytest.mark.parametrize("engine", ["dask"], indirect=True)
def test_one_sided_selection_seeds_follow_keys_not_partitions(engine, small_cells):
    from counterpoise.under_sampling import OneSidedSelection

    pdf, _, _ = heavy(n=600)
    runs = []
    for frame in (
        engine.frame(pdf, 3),
        engine.frame(pdf.sample(frac=1, random_state=1), 7),
    ):
        sampler = OneSidedSelection(random_state=5)
        out = engine.to_pandas(
            engine.fit_resample(sampler, frame, label="label", key="id")
        )
        runs.append((sampler.seed_keys_, out.sort_values("id").reset_index(drop=True)))
    (seeds_a, out_a), (seeds_b, out_b) = runs
    assert seeds_a.keys() == seeds_b.keys()
    for c in seeds_a:
        np.testing.assert_array_equal(seeds_a[c], seeds_b[c])
        assert np.isin(seeds_a[c], pdf["id"]).all()
    pd.testing.assert_frame_equal(out_a, out_b)


@pytest.mark.parametrize("engine", ["dask"], indirect=True)
def test_one_sided_selection_clear_errors(engine):
    from counterpoise.under_sampling import OneSidedSelection
    from sklearn.neighbors import KNeighborsClassifier

    pdf, _, y = heavy(n=200)
    df = engine.frame(pdf, 2)
    with pytest.raises(NotImplementedError, match="n_neighbors=None or an int"):
        engine.fit_resample(
            OneSidedSelection(n_neighbors=KNeighborsClassifier(2)), df, label="label"
        )
    n_min = np.bincount(y).min()
    with pytest.raises(ValueError, match="more than the .* rows the rule"):
        engine.fit_resample(
            OneSidedSelection(n_neighbors=int(n_min) + 5), df, label="label"
        )


def _on_segments(Z, Xc, k):
    """Whether each row of ``Z`` lies on the segment from a row of ``Xc`` to
    one of that row's ``k`` nearest rows of ``Xc`` (scikit-learn's exact
    search)."""
    from sklearn.neighbors import NearestNeighbors

    nn = NearestNeighbors(n_neighbors=k + 1).fit(Xc).kneighbors(Xc)[1][:, 1:]
    A, B = Xc[:, None, :], Xc[nn]  # (N, 1, d), (N, k, d)
    v = B - A
    vv = np.einsum("nkd,nkd->nk", v, v)
    found = np.zeros(len(Z), dtype=bool)
    for j, z in enumerate(Z):
        s = np.einsum("nkd,nkd->nk", z - A, v) / vv
        gap = np.linalg.norm(A + s[..., None] * v - z, axis=2)
        hit = (gap < 1e-9 * (1 + np.abs(z).max())) & (s >= 0) & (s <= 1)
        found[j] = hit.any()
    return found


@pytest.mark.parametrize("engine", ["spark", "dask"], indirect=True)
def test_smote_of_a_class_too_large_to_broadcast(engine, small_cells, monkeypatch):
    from counterpoise._distributed import _plan
    from counterpoise.over_sampling import SMOTE

    pdf, X, y = heavy(n=900)
    features = ["a", "b", "c"]
    df = engine.frame(pdf, NPART)

    def run():
        sampler = SMOTE(random_state=3)
        out = engine.fit_resample(sampler, df, label="label", features=features)
        return engine.to_pandas(out)

    monkeypatch.setattr(_plan, "MAX_BROADCAST_BYTES", 0)  # no class fits: the join
    out = run()
    counts = np.bincount(y)
    assert (out["label"].value_counts().sort_index().to_numpy() == counts.max()).all()
    original = out[out["id"].notna()]
    pd.testing.assert_frame_equal(
        original.sort_values("id").reset_index(drop=True).astype(pdf.dtypes.to_dict()),
        pdf,
    )
    # every new row lies between a row of its class and one of that row's 5
    # nearest rows of the class
    new = out[out["id"].isna()]
    for c in np.flatnonzero(counts < counts.max()):
        Z = new.loc[new["label"] == c, features].to_numpy()
        assert _on_segments(Z, X[y == c], 5).all()
    # and the broadcast path, given the same counts per row (each row the base
    # of n // N or n // N + 1 new rows), makes the same rows
    monkeypatch.undo()
    monkeypatch.setattr(_join, "CELL_ROWS", 60)
    monkeypatch.setattr(_plan, "_multinomial", balanced_counts(y, np.unique(y)))
    broadcast = run()
    pd.testing.assert_frame_equal(
        canonical(out, list(pdf.columns)), canonical(broadcast, list(pdf.columns))
    )


def balanced_counts(y, classes, among=None):
    """A stand-in for the broadcast path's ``_multinomial``: the join paths'
    per-row counts (``n // N``, one more for the ``n % N`` rows of class
    ``classes[code]`` (and ``among``) with the smallest keyed numbers), so
    that both paths can be compared row for row."""
    from counterpoise._distributed import _plan

    def balanced(seed, code, n, size):
        at = y == classes[code]
        keys = np.flatnonzero(at if among is None else at & among)
        assert keys.size == size
        m = np.full(size, n // size)
        m[np.argsort(_plan._select_bits(seed, code, keys))[: n % size]] += 1
        return m

    return balanced


def canonical(out, columns):
    return out[columns].sort_values(columns).reset_index(drop=True)


@pytest.mark.parametrize("engine", ["dask"], indirect=True)
def test_ncr_lists_classes_to_clean_in_order_of_appearance(engine, small_cells):
    pdf, X, y = heavy()
    y = np.choose(y, [1, 0, 2])  # the largest class is now 1 and comes first
    pdf["label"] = y
    local = NeighbourhoodCleaningRule()
    local.fit_resample(X, y)
    assert local.classes_to_clean_ == [1, 0]  # imblearn's order, not sorted
    sampler = NeighbourhoodCleaningRule()
    out = engine.to_pandas(
        engine.fit_resample(
            sampler, engine.frame(pdf, NPART), label="label", features=["a", "b", "c"]
        )
    )
    assert sampler.classes_to_clean_ == local.classes_to_clean_
    expected = pdf.iloc[np.sort(local.sample_indices_)].reset_index(drop=True)
    pd.testing.assert_frame_equal(out.astype(pdf.dtypes.to_dict()), expected)


@pytest.mark.parametrize(
    "engine, kind",
    [("dask", "borderline-1"), ("dask", "borderline-2"), ("spark", "borderline-2")],
    indirect=["engine"],
)
def test_borderline_smote_of_a_class_too_large_to_broadcast(
    engine, small_cells, monkeypatch, kind
):
    from counterpoise._distributed import _plan
    from counterpoise.over_sampling import BorderlineSMOTE
    from sklearn.neighbors import NearestNeighbors

    pdf, X, y = heavy(n=900)
    features = ["a", "b", "c"]
    df = engine.frame(pdf, NPART)
    classes, counts = np.unique(y, return_counts=True)
    # the danger rows by scikit-learn: of a row's 10 nearest other rows, at
    # least half and not all of another class
    nn = NearestNeighbors(n_neighbors=11).fit(X).kneighbors(X)[1][:, 1:]
    n_other = (y[nn] != y[:, None]).sum(axis=1)
    danger = (n_other >= 5) & (n_other < 10)

    def run():
        sampler = BorderlineSMOTE(kind=kind, random_state=3)
        out = engine.fit_resample(sampler, df, label="label", features=features)
        return sampler, engine.to_pandas(out)

    monkeypatch.setattr(_plan, "MAX_BROADCAST_BYTES", 0)  # no class fits: the join
    sampler, out = run()
    grown = [c for c in classes if counts[c] < counts.max()]
    assert sorted(sampler.in_danger_indices) == grown
    for c in grown:
        expected = np.flatnonzero((y == c) & danger)
        np.testing.assert_array_equal(sampler.in_danger_indices[c], expected)
    assert (out["label"].value_counts().sort_index().to_numpy() == counts.max()).all()
    # the broadcast path, given the same counts per danger row, makes the same rows
    monkeypatch.undo()
    monkeypatch.setattr(_join, "CELL_ROWS", 60)
    monkeypatch.setattr(_plan, "_multinomial", balanced_counts(y, classes, danger))
    _, broadcast = run()
    pd.testing.assert_frame_equal(
        canonical(out, list(pdf.columns)), canonical(broadcast, list(pdf.columns))
    )


@pytest.mark.parametrize("engine", ["spark", "dask"], indirect=True)
def test_adasyn_of_a_class_too_large_to_broadcast(engine, small_cells, monkeypatch):
    """The join path's shares are scikit-learn's neighbour counts, and its rows
    are exactly the broadcast path's (both make rint(share * n) rows per row
    with the same keyed draws)."""
    from counterpoise._distributed import _plan
    from counterpoise.over_sampling import ADASYN
    from sklearn.neighbors import NearestNeighbors

    pdf, X, y = heavy(n=900)
    features = ["a", "b", "c"]
    df = engine.frame(pdf, NPART)
    classes, counts = np.unique(y, return_counts=True)
    nn = NearestNeighbors(n_neighbors=5).fit(X).kneighbors(X)[1][:, 1:]

    def run():
        sampler = ADASYN(n_neighbors=4, random_state=3)
        out = engine.fit_resample(sampler, df, label="label", features=features)
        return sampler, engine.to_pandas(out)

    monkeypatch.setattr(_plan, "MAX_BROADCAST_BYTES", 0)  # no class fits: the join
    sampler, out = run()
    grown = [c for c in classes if counts[c] < counts.max()]
    assert sorted(sampler.adasyn_weights_) == grown
    for c in grown:
        rows = np.flatnonzero(y == c)
        other = (y[nn[rows]] != c).sum(axis=1) / 4
        np.testing.assert_allclose(sampler.adasyn_weights_[c], other / other.sum())
        # about counts.max() rows in all (ADASYN rounds each row's count)
        made = int((out["label"] == c).sum())
        expected = np.rint(other / other.sum() * (counts.max() - counts[c])).sum()
        assert made == counts[c] + expected
        new = out.loc[out["id"].isna() & (out["label"] == c), features].to_numpy()
        assert _on_segments(new, X[rows], 4).all()
    original = out[out["id"].notna()]
    pd.testing.assert_frame_equal(
        original.sort_values("id").reset_index(drop=True).astype(pdf.dtypes.to_dict()),
        pdf,
    )
    monkeypatch.undo()
    monkeypatch.setattr(_join, "CELL_ROWS", 60)
    broadcast_sampler, broadcast = run()
    for c in grown:
        np.testing.assert_array_equal(
            sampler.adasyn_weights_[c], broadcast_sampler.adasyn_weights_[c]
        )
    pd.testing.assert_frame_equal(
        canonical(out, list(pdf.columns)), canonical(broadcast, list(pdf.columns))
    )


@pytest.mark.parametrize("engine", ["spark", "dask"], indirect=True)
def test_smotenc_of_a_class_too_large_to_broadcast(engine, small_cells, monkeypatch):
    """SMOTENC through the join (its encoding measured, the categories'
    codes carried): the median std is numpy's, and the broadcast path, given
    the same per-row counts, makes exactly the same rows; a new row's
    continuous values lie between a class row and one of its 4 nearest class
    rows in SMOTENC's encoding by scikit-learn."""
    from counterpoise._distributed import _plan
    from counterpoise.over_sampling import SMOTENC
    from sklearn.neighbors import NearestNeighbors

    pdf, X, y = heavy(n=900)
    rng = np.random.default_rng(1)
    pdf["colour"] = np.array(["red", "green", "blue"])[rng.integers(0, 3, len(pdf))]
    pdf["size"] = rng.integers(0, 4, len(pdf))
    features = ["a", "colour", "b", "size", "c"]
    df = engine.frame(pdf, NPART)
    classes, counts = np.unique(y, return_counts=True)
    grown = [c for c in classes if counts[c] < counts.max()]

    def run():
        sampler = SMOTENC(
            categorical_features=["colour", "size"], k_neighbors=4, random_state=3
        )
        out = engine.fit_resample(sampler, df, label="label", features=features)
        return sampler, engine.to_pandas(out)

    monkeypatch.setattr(_plan, "MAX_BROADCAST_BYTES", 0)  # no class fits: the join
    sampler, out = run()
    assert (out["label"].value_counts().sort_index().to_numpy() == counts.max()).all()
    original = out[out["id"].notna()]
    pd.testing.assert_frame_equal(
        original.sort_values("id").reset_index(drop=True).astype(pdf.dtypes.to_dict()),
        pdf,
    )
    for c in grown:
        rows = pdf[y == c]
        median = np.median(rows[["a", "b", "c"]].to_numpy().std(axis=0))
        assert sampler.median_std_[c] == pytest.approx(median, rel=1e-12)
        onehot = pd.get_dummies(rows[["colour", "size"]].astype(str)).to_numpy(float)
        cont = rows[["a", "b", "c"]].to_numpy()
        enc = np.hstack([cont, onehot * median / np.sqrt(2)])
        nn = NearestNeighbors(n_neighbors=5).fit(enc).kneighbors(enc)[1][:, 1:]
        new = out[out["id"].isna() & (out["label"] == c)]
        Z = new[["a", "b", "c"]].to_numpy()
        # on a segment from a class row to one of its 4 nearest (encoding)
        A, B = cont[:, None, :], cont[nn]
        v = B - A
        for z in Z:
            s = np.einsum("nkd,nkd->nk", z - A, v) / np.einsum("nkd,nkd->nk", v, v)
            gap = np.linalg.norm(A + s[..., None] * v - z, axis=2)
            assert ((gap < 1e-9 * (1 + np.abs(z).max())) & (s >= 0) & (s <= 1)).any()
    monkeypatch.undo()
    monkeypatch.setattr(_join, "CELL_ROWS", 60)
    monkeypatch.setattr(_plan, "_multinomial", balanced_counts(y, classes))
    broadcast_sampler, broadcast = run()
    for c in grown:
        assert sampler.median_std_[c] == pytest.approx(
            broadcast_sampler.median_std_[c], rel=1e-12
        )
    columns = list(pdf.columns)
    pd.testing.assert_frame_equal(
        canonical(out, columns), canonical(broadcast, columns)
    )
