"""Bad input gives a clear ValueError/TypeError naming the problem, never a panic."""

import numpy as np
import pytest
from counterpoise import _core
from counterpoise.over_sampling import SMOTE, RandomOverSampler
from counterpoise.under_sampling import RandomUnderSampler
from numpy.testing import assert_array_equal

from .conftest import make_data

SAMPLERS = [SMOTE, RandomOverSampler, RandomUnderSampler]


def test_nan_and_inf_are_rejected_by_smote():
    X, y = make_data()
    X[3, 1] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        SMOTE().fit_resample(X, y)
    X[3, 1] = np.inf
    with pytest.raises(ValueError, match="infinity"):
        SMOTE().fit_resample(X, y)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
@pytest.mark.parametrize("where", ["first", "minority", "majority", "last"])
def test_smote_non_finite_error_is_imblearns(dtype, bad, where):
    # SMOTE checks X while the engine copies it (no separate pass): the error
    # must still be exactly scikit-learn's, as imblearn raises it, wherever the
    # value sits (first row, either class, the very last value).
    from imblearn.over_sampling import SMOTE as ImbSMOTE

    X, y = make_data(n=300, d=4)
    X = X.astype(dtype)
    rows = {"first": 0, "last": -1}
    rows["minority"] = int(np.flatnonzero(y == 1)[3])
    rows["majority"] = int(np.flatnonzero(y == 0)[7])
    row = rows[where]
    X[row, -1] = bad
    original = X.copy()
    with pytest.raises(ValueError) as ours:
        SMOTE(random_state=0).fit_resample(X, y)
    with pytest.raises(ValueError) as theirs:
        ImbSMOTE(random_state=0).fit_resample(X, y)
    assert str(ours.value) == str(theirs.value)
    assert ours.value.__context__ is None and ours.value.__cause__ is None
    np.testing.assert_array_equal(X, original)
    with pytest.raises(ValueError) as fitted:
        SMOTE().fit(X, y)
    assert str(fitted.value) == str(theirs.value)


def test_smote_subclass_with_its_own_resample_keeps_the_finite_check():
    class Passthrough(SMOTE):
        def _fit_resample(self, X, y):
            return X, y

    X, y = make_data()
    X[5, 0] = np.nan
    with pytest.raises(ValueError, match="Input X contains NaN"):
        Passthrough().fit_resample(X, y)


def test_smote_with_a_neighbours_estimator_keeps_the_finite_check():
    from sklearn.neighbors import NearestNeighbors

    X, y = make_data()
    X[5, 0] = np.inf
    with pytest.raises(ValueError, match="Input X contains infinity"):
        SMOTE(k_neighbors=NearestNeighbors(n_neighbors=6)).fit_resample(X, y)


@pytest.mark.parametrize("Sampler", SAMPLERS)
def test_empty_one_class_and_mismatched_lengths(Sampler):
    with pytest.raises(ValueError, match="sample"):
        Sampler().fit_resample(np.empty((0, 3)), np.empty(0))
    X, y = make_data()
    with pytest.raises(ValueError, match="more than 1 class"):
        Sampler().fit_resample(X, np.zeros(len(y)))
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        Sampler().fit_resample(X, y[:-1])


def test_k_neighbors_too_large_for_a_class_names_the_fix():
    X, y = make_data(n=100, d=3, weights=(0.96, 0.04))
    with pytest.raises(ValueError, match="Lower k_neighbors"):
        SMOTE(k_neighbors=5).fit_resample(X, y)


def test_non_numeric_and_one_dimensional_x():
    X, y = make_data(n=50, d=2)
    with pytest.raises(ValueError):
        SMOTE().fit_resample(np.array([["a", "b"]] * 50), y)
    with pytest.raises(ValueError, match="2D array"):
        SMOTE().fit_resample(X[:, 0], y)
    with pytest.raises(ValueError, match="numerical"):
        RandomOverSampler(shrinkage=1.0).fit_resample(
            np.array([["a"]] * 50, dtype=object), y
        )


@pytest.mark.parametrize(
    "params",
    [
        {"sampling_strategy": 1.5},
        {"sampling_strategy": "bogus"},
        {"sampling_strategy": {7: 10}},
        {"k_neighbors": 0},
        {"k_neighbors": "five"},
        {"random_state": "seed"},
    ],
)
def test_bad_parameters_are_value_or_type_errors(params):
    X, y = make_data()
    with pytest.raises((ValueError, TypeError)):
        SMOTE(**params).fit_resample(X, y)


def test_shrinkage_must_cover_every_resampled_class():
    X, y = make_data(weights=(0.5, 0.3, 0.2))
    with pytest.raises(ValueError, match="missing classes"):
        RandomOverSampler(shrinkage={1: 1.0}).fit_resample(X, y)


def test_engine_errors_are_value_errors_not_panics():
    X = np.random.default_rng(0).standard_normal((10, 3))
    with pytest.raises(ValueError, match="n_neighbors"):
        _core.kneighbors(X, X, 11)
    with pytest.raises(ValueError, match="features"):
        _core.kneighbors(X, X[:, :2], 1)
    with pytest.raises(ValueError, match="dtype"):
        _core.kneighbors(X, X.astype(np.float32), 1)
    with pytest.raises(ValueError, match="algorithm"):
        _core.kneighbors(X, X, 1, "ball_tree")
    bad = X.copy()
    bad[2, 2] = np.nan
    with pytest.raises(ValueError, match="row 2, column 2"):
        _core.kneighbors(bad, X, 1)
    with pytest.raises(ValueError, match="out of bounds"):
        _core.take_rows(np.zeros((3, 8), np.uint8), np.array([3]))
    with pytest.raises(ValueError, match="cannot stack rows of 8 and 4 columns"):
        _core.concat_rows([np.zeros((3, 8), np.uint8), np.zeros((2, 4), np.uint8)])
    with pytest.raises(ValueError, match="unknown category|outside"):
        _core.vdm_kneighbors(np.array([[0], [5]], np.int32), [np.zeros((2, 2))], 1)
    with pytest.raises(ValueError, match="not square"):
        _core.vdm_kneighbors(np.array([[0], [1]], np.int32), [np.zeros((2, 3))], 1)
    with pytest.raises(ValueError, match="row 0, column 1"):
        _core.sum_pairwise_distances(np.array([[0.0, np.inf], [1.0, 2.0]]))
    with pytest.raises(ValueError, match="out of bounds"):
        _core.smote_resample(
            X, [np.array([0, 1, 2])], [np.array([99])], [np.array([0.5])], 1
        )


def test_callers_arrays_are_not_modified_on_error():
    X, y = make_data(n=100, d=3, weights=(0.96, 0.04))
    X0 = X.copy()
    with pytest.raises(ValueError):
        SMOTE(k_neighbors=9).fit_resample(X, y)
    np.testing.assert_array_equal(X, X0)


def test_cleaning_rules_with_too_many_neighbours_fail_clearly():
    from counterpoise.under_sampling import (
        EditedNearestNeighbours,
        NearMiss,
        RepeatedEditedNearestNeighbours,
    )

    X, y = make_data(n=30, d=3, weights=(0.8, 0.2))
    for sampler in (
        EditedNearestNeighbours(n_neighbors=40),
        RepeatedEditedNearestNeighbours(n_neighbors=40),
        NearMiss(n_neighbors=40),
    ):
        with pytest.raises(ValueError, match="n_neighbors"):
            sampler.fit_resample(X, y)


def test_instance_hardness_needs_predict_proba():
    from counterpoise.under_sampling import InstanceHardnessThreshold
    from sklearn.svm import LinearSVC

    X, y = make_data()
    with pytest.raises(ValueError, match="predict_proba"):
        InstanceHardnessThreshold(estimator=LinearSVC()).fit_resample(X, y)


def test_a_class_with_one_sample():
    from counterpoise.under_sampling import EditedNearestNeighbours, TomekLinks

    X, y = make_data(n=50, d=2)
    y = y.copy()
    y[:] = 0
    y[7] = 1
    # a single-sample class is valid input for cleaning rules: it is never cleaned
    for sampler in (EditedNearestNeighbours(), TomekLinks()):
        sampler.fit_resample(X, y)
        assert 7 in sampler.sample_indices_
    with pytest.raises(ValueError, match="k_neighbors"):
        SMOTE().fit_resample(X, y)


# --- issue #18: where imbalanced-learn 0.14.2 is wrong, a correct result or a
# clear error (each test shows imblearn's fault, then ours)


def _imb():
    import imblearn.over_sampling as over
    import imblearn.under_sampling as under

    return over, under


def _two_classes(seed=0, n_major=28, n_minor=12, d=3):
    rng = np.random.default_rng(seed)
    y = np.array([0] * n_major + [1] * n_minor)
    return rng.normal(size=(y.size, d)) + 1.2 * y[:, None], y


@pytest.mark.parametrize(
    "name,kwargs",
    [
        ("BorderlineSMOTE", {}),
        ("BorderlineSMOTE", {"kind": "borderline-2"}),
        ("ADASYN", {}),
        ("KMeansSMOTE", {"cluster_balance_threshold": 0.0, "kmeans_estimator": 2}),
        ("SMOTENC", {"categorical_features": [0]}),
        ("SMOTE", {}),
    ],
)
def test_integer_x_never_wraps_around(name, kwargs):
    import counterpoise.over_sampling as ours

    imb_over, _ = _imb()
    rng = np.random.default_rng(0)
    _, y = _two_classes()
    X = rng.integers(50, 201, size=(y.size, 3)).astype(np.uint8)
    lo, hi = X.min(axis=0), X.max(axis=0)
    try:
        X_imb, _ = getattr(imb_over, name)(random_state=0, **kwargs).fit_resample(X, y)
        imb_wraps = bool(((X_imb < lo) | (X_imb > hi)).any())
    except TypeError:  # borderline-2: numpy's UFuncTypeError
        imb_wraps = True
    if name != "SMOTE":  # imblearn's SMOTE wraps too; ours never did
        assert imb_wraps
    X_res, _ = getattr(ours, name)(random_state=0, **kwargs).fit_resample(X, y)
    assert X_res.dtype == np.uint8
    assert_array_equal(X_res[: y.size], X)
    assert ((X_res >= lo) & (X_res <= hi)).all()


def test_int64_extremes_stay_in_each_columns_range():
    import counterpoise.over_sampling as ours

    rng = np.random.default_rng(1)
    _, y = _two_classes()
    top = np.iinfo(np.int64).max
    X = rng.integers(top - 5000, top, size=(y.size, 3), endpoint=True)
    for Sampler in (ours.SMOTE, ours.BorderlineSMOTE, ours.ADASYN):
        X_res, _ = Sampler(random_state=0).fit_resample(X, y)
        assert X_res.dtype == np.int64
        assert (X_res >= X.min(axis=0)).all() and (X_res <= X.max(axis=0)).all()


def test_integer_x_is_truncated_as_imblearn_casts_where_it_does_not_wrap():
    # the rule on integers: computed in float64, truncated toward zero (numpy's
    # cast, imblearn's) and kept between the two parents; no wrap-around
    import counterpoise.over_sampling as ours

    imb_over, _ = _imb()
    X, y = _two_classes(seed=3, d=4)
    Xi = np.round(X * 1000).astype(np.int64)
    for name in ("SMOTE", "BorderlineSMOTE", "ADASYN"):
        X_res, y_res = getattr(ours, name)(random_state=0).fit_resample(Xi, y)
        X_imb, y_imb = getattr(imb_over, name)(random_state=0).fit_resample(Xi, y)
        assert_array_equal(y_res, y_imb)
        assert_array_equal(X_res, X_imb)


def test_sampling_strategy_callable_returning_no_dict_is_a_type_error():
    _, imb_under = _imb()
    X, y = _two_classes()
    with pytest.raises(AttributeError):  # imblearn: 'str' object has no 'keys'
        imb_under.RandomUnderSampler(sampling_strategy=lambda y: "auto").fit_resample(
            X, y
        )
    with pytest.raises(TypeError, match="callable 'sampling_strategy'.*must return"):
        RandomUnderSampler(sampling_strategy=lambda y: "auto").fit_resample(X, y)


@pytest.mark.parametrize("value", [12.5, np.float64(30.25)])
def test_fractional_counts_in_a_dict_strategy_are_refused(value):
    from counterpoise.over_sampling import ADASYN, KMeansSMOTE
    from counterpoise.under_sampling import InstanceHardnessThreshold

    imb_over, _ = _imb()
    X, y = _two_classes()
    imb_over.ADASYN(sampling_strategy={1: value + 20}).fit_resample(X, y)  # accepted
    for sampler in (
        ADASYN(sampling_strategy={1: value + 20}),
        KMeansSMOTE(sampling_strategy={1: value + 20}),
        InstanceHardnessThreshold(sampling_strategy={0: value}),
    ):
        with pytest.raises(ValueError, match="whole numbers"):
            sampler.fit_resample(X, y)


def test_whole_float_counts_in_a_dict_strategy_are_taken():
    X, y = _two_classes()
    _, y_res = SMOTE(sampling_strategy={1: 20.0}, random_state=0).fit_resample(X, y)
    assert np.bincount(y_res).tolist() == [28, 20]


def test_unsuitable_data_errors_are_value_and_runtime_errors():
    from counterpoise.over_sampling import ADASYN, KMeansSMOTE
    from counterpoise.utils._validation import SamplingError

    assert issubclass(SamplingError, ValueError)
    assert issubclass(SamplingError, RuntimeError)
    rng = np.random.default_rng(0)
    y = np.array([0] * 28 + [1] * 12)
    X = rng.normal(size=(40, 3)) + 100.0 * y[:, None]  # far apart: no danger
    with pytest.raises(SamplingError, match="Not any neighbours"):
        ADASYN().fit_resample(X, y)
    X = rng.normal(size=(40, 3))  # classes mixed: no cluster is 90% minority
    with pytest.raises(SamplingError, match="No clusters found"):
        KMeansSMOTE(random_state=0, cluster_balance_threshold=0.9).fit_resample(X, y)


def test_missing_and_mixed_labels_are_named():
    X, y = _two_classes()
    y_none = y.astype(object)
    y_none[5] = None
    for Sampler in SAMPLERS:
        with pytest.raises(ValueError, match="missing label.*row 5"):
            Sampler().fit_resample(X, y_none)
    y_mixed = y.astype(object)
    y_mixed[0] = "a"
    with pytest.raises(ValueError, match="mixes label types"):
        SMOTE().fit_resample(X, y_mixed)


def test_text_column_is_named_with_the_sampler_to_use():
    import pandas as pd
    import polars as pl

    X, y = _two_classes()
    df = pd.DataFrame(X, columns=["a", "b", "c"])
    df["sex"] = np.where(X[:, 0] > 0, "M", "F")
    with pytest.raises(ValueError, match=r"'sex'.*SMOTENC.*SMOTEN"):
        SMOTE().fit_resample(df, y)
    with pytest.raises(ValueError, match=r"'sex'.*SMOTENC.*SMOTEN"):
        SMOTE().fit_resample(pl.from_pandas(df), y)
    from counterpoise.under_sampling import NearMiss

    with pytest.raises(ValueError, match=r"'sex'.*Encode"):
        NearMiss().fit_resample(df, y)


def test_polars_lazyframe_asks_for_collect():
    import polars as pl

    X, y = _two_classes()
    for Sampler in SAMPLERS:
        with pytest.raises(TypeError, match=r"LazyFrame.*collect\(\)"):
            Sampler().fit_resample(pl.DataFrame(X).lazy(), y)


def test_allknn_refuses_more_neighbours_than_rows():
    from counterpoise.under_sampling import AllKNN

    _, imb_under = _imb()
    X, y = _two_classes()
    imb_under.AllKNN(n_neighbors=100).fit_resample(X, y)  # imblearn accepts it
    with pytest.raises(ValueError, match="n_neighbors=100 needs at least 101"):
        AllKNN(n_neighbors=100).fit_resample(X, y)


def test_smotenc_refuses_x_and_y_of_different_lengths():
    from counterpoise.over_sampling import SMOTENC

    imb_over, _ = _imb()
    X, y = _two_classes()
    X = np.column_stack([X, np.arange(40) % 3])
    X_imb, y_imb = imb_over.SMOTENC(categorical_features=[3]).fit_resample(X, y[:-2])
    assert X_imb.shape[0] != y_imb.shape[0]  # imblearn's garbage
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        SMOTENC(categorical_features=[3]).fit_resample(X, y[:-2])
