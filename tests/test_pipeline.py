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
    # a float is refused (imbalanced-learn's parameter validation: a dict, a
    # callable or None)
    for func in (make_imbalance, imb_make_imbalance):
        with pytest.raises(ValueError, match="sampling_strategy"):
            func(X, y, sampling_strategy=0.5)


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


# imbalanced-learn 0.14.2's Pipeline behaviours (issue #17)
# ---------------------------------------------------------


class _RecordsFitMetadata(BaseEstimator):
    """A classifier that keeps the metadata its fit was given."""

    def fit(self, X, y, X_val=None, y_val=None):
        self.X_val_, self.y_val_ = X_val, y_val
        self.classes_ = np.unique(y)
        return self

    def predict(self, X):
        return np.full(len(X), self.classes_[0])


def test_transform_input_scales_the_validation_set_like_x():
    import sklearn
    from imblearn.pipeline import Pipeline as ImbPipeline

    X, y = make_data(n=200, d=3, weights=(0.8, 0.2))
    X_val = X[:20] * 3.0 + 1.0
    y_val = y[:20]
    oracle = StandardScaler().fit(X)  # what the pipeline's scaler learns
    with sklearn.config_context(enable_metadata_routing=True):
        for sampler_at in (1, 2):  # a sampler before and after the scaler
            steps = [("scaler", StandardScaler())]
            steps.insert(sampler_at - 1, ("rus", RandomUnderSampler(random_state=0)))
            final = _RecordsFitMetadata().set_fit_request(X_val=True, y_val=True)
            pipe = Pipeline([*steps, ("model", final)], transform_input=["X_val"])
            pipe.fit(X, y, X_val=X_val, y_val=y_val)
            fitted = pipe.named_steps["model"]
            scaler = pipe.named_steps["scaler"]
            expected = scaler.transform(X_val)
            np.testing.assert_allclose(fitted.X_val_, expected)
            assert fitted.X_val_.shape == X_val.shape  # never resampled
            assert_array_equal(fitted.y_val_, y_val)  # not listed: untouched
            if sampler_at == 2:  # scaler first: fitted on every row of X
                np.testing.assert_allclose(expected, oracle.transform(X_val))
        # imbalanced-learn gives the same value where its sub-pipeline can
        # transform (the step before the consumer is not a sampler)
        final = _RecordsFitMetadata().set_fit_request(X_val=True, y_val=True)
        imb = ImbPipeline(
            [
                ("rus", RandomUnderSampler(random_state=0)),
                ("scaler", StandardScaler()),
                ("model", final),
            ],
            transform_input=["X_val"],
        ).fit(X, y, X_val=X_val, y_val=y_val)
        ours = Pipeline(
            [
                ("rus", RandomUnderSampler(random_state=0)),
                ("scaler", StandardScaler()),
                ("model", clone(final)),
            ],
            transform_input=["X_val"],
        ).fit(X, y, X_val=X_val, y_val=y_val)
        np.testing.assert_array_equal(
            ours.named_steps["model"].X_val_, imb.named_steps["model"].X_val_
        )
        # a tuple of validation sets is transformed element by element
        final = _RecordsFitMetadata().set_fit_request(X_val=True, y_val=True)
        pipe = Pipeline(
            [("scaler", StandardScaler()), ("model", final)], transform_input=["X_val"]
        ).fit(X, y, X_val=(X_val, X_val[:5]))
        got = pipe.named_steps["model"].X_val_
        assert isinstance(got, tuple) and len(got) == 2
        np.testing.assert_allclose(got[1], oracle.transform(X_val[:5]))


def test_transform_input_needs_metadata_routing():
    X, y = make_data(n=50, d=2)
    for build in (
        lambda: make_pipeline(
            StandardScaler(), LogisticRegression(), transform_input=["X_val"]
        ),
        lambda: imb_make_pipeline(
            StandardScaler(), LogisticRegression(), transform_input=["X_val"]
        ),
    ):
        with pytest.raises(ValueError, match="can only be set if metadata routing"):
            build().fit(X, y)


class _Stateless(BaseEstimator):
    """Needs no fit and sets no fitted attribute."""

    def fit(self, X, y=None):
        return self

    def transform(self, X):
        return np.asarray(X)

    def predict(self, X):
        return np.ones(len(X))

    def score(self, X, y=None):
        return 1.0


@pytest.mark.parametrize("method", ["predict", "transform", "score"])
def test_unfitted_pipeline_warns_or_raises_as_imblearn(method):
    from imblearn.pipeline import Pipeline as ImbPipeline
    from sklearn.exceptions import NotFittedError

    X = [[1.0, 2.0]]
    for cls in (Pipeline, ImbPipeline):
        # a stateless last step runs, with imbalanced-learn's FutureWarning
        pipe = cls([("rus", RandomUnderSampler()), ("est", _Stateless())])
        with pytest.warns(FutureWarning, match="This Pipeline instance is not fitted"):
            getattr(pipe, method)(X)
    # a step that needs fitting raises the pipeline's NotFittedError
    for cls in (Pipeline, ImbPipeline):
        pipe = cls([("scaler", StandardScaler()), ("est", _Stateless())])
        if method == "transform":
            with pytest.raises(NotFittedError, match="Pipeline is not fitted yet"):
                pipe.transform(X)


def test_fit_methods_exist_only_where_the_final_step_allows():
    from imblearn.pipeline import Pipeline as ImbPipeline
    from sklearn.cluster import KMeans

    finals = [
        LogisticRegression(),
        StandardScaler(),
        KMeans(n_init=1),
        RandomUnderSampler(),
        "passthrough",
    ]
    for final in finals:
        for method in ("fit_transform", "fit_predict", "fit_resample", "predict"):
            ours = Pipeline([("pca", PCA()), ("last", final)])
            theirs = ImbPipeline([("pca", PCA()), ("last", final)])
            assert hasattr(ours, method) == hasattr(theirs, method), (final, method)
    # an empty list of steps: nothing to call, fit names the problem
    empty = Pipeline([])
    assert not hasattr(empty, "fit_transform") and not hasattr(empty, "predict")
    with pytest.raises(ValueError, match="empty"):
        empty.fit([[0.0]], [0])
    # steps set after construction are the ones used
    pipe = Pipeline([("lr", LogisticRegression())])
    pipe.steps = []
    with pytest.raises(ValueError, match="empty"):
        pipe.fit([[0.0]], [0])


def test_verbose_fit_predict_prints_every_step(capsys):
    from sklearn.cluster import KMeans

    X, _ = make_data(n=60, d=2)
    pipe = Pipeline(
        [("scaler", StandardScaler()), ("skip", None), ("km", KMeans(2, n_init=1))],
        verbose=True,
    )
    labels = pipe.fit_predict(X)
    out = capsys.readouterr().out
    assert labels.shape == (60,)
    for i, name in enumerate(["scaler", "skip", "km"], 1):
        assert f"(step {i} of 3) Processing {name}" in out


def test_make_pipeline_validates_its_parameters():
    from sklearn.utils._param_validation import InvalidParameterError

    for bad in (dict(memory=1), dict(verbose="yes"), dict(transform_input="X_val")):
        with pytest.raises(InvalidParameterError):
            make_pipeline(LogisticRegression(), **bad)
    pipe = make_pipeline(LogisticRegression(), transform_input=["X_val"])
    assert pipe.transform_input == ["X_val"]


_ROUTING_WITHOUT_IMBLEARN = """
import sys
import numpy as np
import sklearn
from counterpoise.base import BaseSampler
from counterpoise.pipeline import Pipeline
from sklearn.linear_model import LogisticRegression

class CostSampler(BaseSampler):
    _sampling_type = "bypass"
    def fit_resample(self, X, y, cost=None):
        self.cost_ = cost
        return np.asarray(X)[: len(X) // 2], np.asarray(y)[: len(y) // 2]
    def _fit_resample(self, X, y):
        return X, y

X = np.arange(40.0).reshape(20, 2)
y = np.tile([0, 1], 10)
cost = np.linspace(0.0, 1.0, 20)
with sklearn.config_context(enable_metadata_routing=True):
    sampler = CostSampler().set_fit_resample_request(cost=True)
    pipe = Pipeline([("s", sampler), ("lr", LogisticRegression())])
    pipe.fit(X, y, cost=cost)
    assert pipe[0].cost_ is cost
    assert pipe[-1].coef_.shape == (1, 2)
    # an unrequested sampler gets nothing and the metadata is refused
    try:
        Pipeline([("s", CostSampler()), ("lr", LogisticRegression())]).fit(
            X, y, cost=cost
        )
    except Exception as exc:
        assert "cost" in str(exc), exc
    else:
        raise AssertionError("unrequested metadata was accepted")
assert "imblearn" not in sys.modules
print("ok")
"""


def test_samplers_take_metadata_under_routing_without_imblearn_loaded():
    # imbalanced-learn registers `fit_resample` with scikit-learn's routing when
    # imported; run where it is not, so counterpoise's own registration is tested
    import subprocess
    import sys

    out = subprocess.run(
        [sys.executable, "-c", _ROUTING_WITHOUT_IMBLEARN],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"
