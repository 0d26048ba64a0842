"""The leakage-safe Pipeline, FunctionSampler and make_imbalance."""

import numpy as np
import pytest
from counterpoise import FunctionSampler
from counterpoise.base import BaseSampler
from counterpoise.datasets import make_imbalance
from counterpoise.over_sampling import SMOTE
from counterpoise.pipeline import Pipeline, make_pipeline
from counterpoise.under_sampling import RandomUnderSampler
from imblearn.datasets import make_imbalance as imb_make_imbalance
from imblearn.over_sampling import SMOTE as ImbSMOTE
from imblearn.pipeline import make_pipeline as imb_make_pipeline
from numpy.testing import assert_array_equal
from sklearn.base import BaseEstimator, clone
from sklearn.datasets import load_iris
from sklearn.decomposition import PCA
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, StratifiedKFold, cross_val_score
from sklearn.pipeline import make_pipeline as sk_make_pipeline
from sklearn.preprocessing import StandardScaler

from .conftest import make_data

RECORDED: list = []


class RecordingSampler(BaseSampler):
    """Records the rows it is given (by the unique value of column 0) in RECORDED
    (a module-level list: clone() deep-copies parameters, so no list parameter)."""

    _sampling_type = "bypass"

    def _fit_resample(self, X, y):
        RECORDED.append(set(X[:, 0].tolist()))
        return X, y


def test_validation_rows_never_reach_a_sampler():
    X, y = make_data(n=300, d=3, weights=(0.8, 0.2))
    X[:, 0] = np.arange(X.shape[0])  # row id
    RECORDED.clear()
    log = RECORDED
    pipe = make_pipeline(RecordingSampler(), LogisticRegression())
    folds = list(StratifiedKFold(n_splits=5).split(X, y))
    cross_val_score(pipe, X, y, cv=folds)
    assert len(log) == len(folds)
    for seen, (train, test) in zip(log, folds):
        assert seen == set(train.tolist())
        assert seen.isdisjoint(test.tolist())


def test_predict_and_score_skip_samplers():
    X, y = make_data(n=300, d=3, weights=(0.8, 0.2))
    RECORDED.clear()
    log = RECORDED
    pipe = make_pipeline(StandardScaler(), RecordingSampler(), LogisticRegression())
    pipe.fit(X, y)
    assert len(log) == 1
    pipe.predict(X)
    pipe.predict_proba(X)
    pipe.score(X, y)
    assert len(log) == 1


def test_resampling_changes_what_the_final_estimator_sees():
    X, y = make_data(n=400, d=4, weights=(0.9, 0.1))
    pipe = make_pipeline(SMOTE(random_state=0), LogisticRegression())
    pipe.fit(X, y)
    X_res, y_res = SMOTE(random_state=0).fit_resample(X, y)
    ref = LogisticRegression().fit(X_res, y_res)
    assert_array_equal(pipe.predict(X), ref.predict(X))


def test_same_scores_as_imblearn_pipeline_and_accepts_imblearn_samplers():
    X, y = make_data(n=600, d=5, weights=(0.85, 0.15))
    ours = make_pipeline(StandardScaler(), SMOTE(random_state=1), LogisticRegression())
    mixed = make_pipeline(
        StandardScaler(), ImbSMOTE(random_state=1), LogisticRegression()
    )
    theirs = imb_make_pipeline(
        StandardScaler(), ImbSMOTE(random_state=1), LogisticRegression()
    )
    kw = dict(cv=StratifiedKFold(4), scoring="balanced_accuracy")
    a = cross_val_score(ours, X, y, **kw)
    assert_array_equal(a, cross_val_score(theirs, X, y, **kw))
    assert_array_equal(a, cross_val_score(mixed, X, y, **kw))


def test_grid_search_clone_and_params():
    X, y = make_data(n=400, d=4, weights=(0.85, 0.15))
    pipe = make_pipeline(SMOTE(random_state=0), LogisticRegression())
    assert [name for name, _ in pipe.steps] == ["smote", "logisticregression"]
    grid = GridSearchCV(
        pipe, {"smote__k_neighbors": [1, 3], "logisticregression__C": [0.1, 1.0]}, cv=3
    )
    grid.fit(X, y)
    assert set(grid.best_params_) == {"smote__k_neighbors", "logisticregression__C"}
    cloned = clone(pipe)
    assert cloned.get_params()["smote__k_neighbors"] == 5


def test_memory_caches_fitted_samplers(tmp_path):
    X, y = make_data(n=300, d=4, weights=(0.8, 0.2))
    pipe = make_pipeline(
        StandardScaler(),
        SMOTE(random_state=0),
        PCA(2),
        LogisticRegression(),
        memory=str(tmp_path),
    )
    pipe.fit(X, y)
    first = pipe.predict(X)
    pipe.fit(X, y)  # loaded from the cache
    assert_array_equal(pipe.predict(X), first)
    assert any(tmp_path.rglob("*.pkl"))


def test_fit_params_are_routed_and_unknown_ones_rejected():
    X, y = make_data(n=300, d=3, weights=(0.8, 0.2))
    w = np.ones(len(y))
    pipe = make_pipeline(StandardScaler(), LogisticRegression())
    pipe.fit(X, y, logisticregression__sample_weight=w)
    with pytest.raises(ValueError, match="stepname__parameter"):
        pipe.fit(X, y, sample_weight=w)


def test_set_output_and_feature_names():
    X, y = load_iris(return_X_y=True, as_frame=True)
    pipe = make_pipeline(StandardScaler(), RandomUnderSampler(random_state=0), PCA(2))
    pipe.set_output(transform="pandas")
    out = pipe.fit_transform(X, y)
    assert list(out.columns) == ["pca0", "pca1"]
    assert list(pipe.get_feature_names_out()) == ["pca0", "pca1"]


def test_fit_resample_with_a_final_sampler():
    X, y = make_data(n=300, d=3, weights=(0.8, 0.2))
    pipe = make_pipeline(StandardScaler(), RandomUnderSampler(random_state=0))
    X_res, y_res = pipe.fit_resample(X, y)
    assert np.bincount(y_res).tolist() == [np.bincount(y).min()] * 2


def test_plain_sklearn_pipeline_refuses_samplers_and_points_to_ours():
    X, y = make_data(n=100, d=3)
    with pytest.raises(TypeError, match="counterpoise.pipeline.Pipeline"):
        sk_make_pipeline(SMOTE(), LogisticRegression()).fit(X, y)
    # everywhere else a sampler simply has no transform
    assert not hasattr(SMOTE(), "transform")
    assert not hasattr(RandomUnderSampler(), "fit_transform")
    make_pipeline(SMOTE(random_state=0), LogisticRegression()).fit(X, y)
    imb_make_pipeline(SMOTE(random_state=0), LogisticRegression()).fit(X, y)


def test_bad_steps_are_refused():
    with pytest.raises(TypeError, match="fit and transform or fit_resample"):
        Pipeline([("bad", object()), ("lr", LogisticRegression())]).fit([[0]], [0])
    inner = make_pipeline(StandardScaler())
    with pytest.raises(TypeError, match="Pipelines"):
        Pipeline([("inner", inner), ("lr", LogisticRegression())]).fit(
            [[0], [1]], [0, 1]
        )


class _NotAnEstimator(BaseEstimator):
    pass


def test_function_sampler():
    X, y = make_data(n=200, d=3, weights=(0.7, 0.3))
    X_res, y_res = FunctionSampler().fit_resample(X, y)
    assert_array_equal(X_res, X)

    def first_rows(X, y, n):
        return X[:n], y[:n]

    sampler = FunctionSampler(func=first_rows, kw_args={"n": 10})
    X_res, y_res = sampler.fit_resample(X, y)
    assert_array_equal(X_res, X[:10])
    assert_array_equal(y_res, y[:10])
    # validate=False passes anything through untouched
    raw = FunctionSampler(func=lambda X, y: (X, y), validate=False)
    obj = [["a", None]] * 4
    assert raw.fit_resample(obj, [0, 1, 0, 1])[0] is obj


@pytest.mark.parametrize("seed", [0, 7])
def test_make_imbalance_matches_imblearn(seed):
    X, y = load_iris(return_X_y=True)
    strategy = {0: 10, 1: 20, 2: 47}
    a = make_imbalance(X, y, sampling_strategy=strategy, random_state=seed)
    b = imb_make_imbalance(X, y, sampling_strategy=strategy, random_state=seed)
    assert_array_equal(a[0], b[0])
    assert_array_equal(a[1], b[1])
    with pytest.raises(ValueError, match="dict"):
        make_imbalance(X, y, sampling_strategy=0.5)


def test_metadata_routing_reaches_transformers_before_a_sampler():
    import sklearn

    X, y = make_data(n=300, d=3, weights=(0.8, 0.2))
    w = np.linspace(0.5, 2.0, len(y))
    with sklearn.config_context(enable_metadata_routing=True):
        scaler = StandardScaler().set_fit_request(sample_weight=True)
        lr = LogisticRegression().set_fit_request(sample_weight=False)
        pipe = make_pipeline(scaler, RandomUnderSampler(random_state=0), lr)
        pipe.fit(X, y, sample_weight=w)
        fitted = pipe.named_steps["standardscaler"]
        np.testing.assert_allclose(fitted.mean_, np.average(X, axis=0, weights=w))
        assert pipe.predict(X).shape == y.shape


def test_cross_validate_with_a_sampler_in_the_pipeline():
    from sklearn.model_selection import cross_validate

    X, y = make_data(n=300, d=3, weights=(0.85, 0.15))
    pipe = make_pipeline(SMOTE(random_state=0), LogisticRegression())
    out = cross_validate(pipe, X, y, cv=3, scoring=["balanced_accuracy", "f1"])
    assert out["test_balanced_accuracy"].shape == (3,)
    assert np.all(out["test_f1"] > 0)


def test_function_sampler_sparse_handling():
    from scipy import sparse

    X, y = make_data(n=100, d=3)
    Xs = sparse.csr_matrix(X)
    X_res, _ = FunctionSampler().fit_resample(Xs, y)
    assert sparse.issparse(X_res)
    with pytest.raises(TypeError, match="[Ss]parse"):
        FunctionSampler(accept_sparse=False).fit_resample(Xs, y)
