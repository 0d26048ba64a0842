"""Public helpers with no other test: check_target_type, check_neighbors_object,
is_sampler, utils.estimator_checks.check_estimator, make_index_balanced_accuracy
(squared and not, against a hand computation) and SVMSMOTE's svm_estimator."""

import warnings

import numpy as np
import pytest
from counterpoise import is_sampler
from counterpoise.base import BaseSampler
from counterpoise.metrics import geometric_mean_score, make_index_balanced_accuracy
from counterpoise.over_sampling import SMOTE, SVMSMOTE
from counterpoise.pipeline import make_pipeline
from counterpoise.under_sampling import RandomUnderSampler
from counterpoise.utils import check_neighbors_object, check_target_type
from counterpoise.utils.estimator_checks import check_estimator
from imblearn import over_sampling as imb_over
from imblearn.utils import check_neighbors_object as imb_check_neighbors_object
from imblearn.utils import check_target_type as imb_check_target_type
from numpy.testing import assert_array_equal
from sklearn.linear_model import LogisticRegression
from sklearn.neighbors import KNeighborsClassifier, NearestNeighbors
from sklearn.svm import SVC

from .conftest import make_data


@pytest.mark.parametrize(
    "y",
    [
        np.array([0, 1, 1, 0, 1]),
        np.array(["a", "c", "b", "a", "c"]),
        np.array([[1, 0, 0], [0, 0, 1], [0, 1, 0], [0, 0, 1]]),  # one-hot
    ],
    ids=["binary", "multiclass", "one-hot"],
)
def test_check_target_type_is_imblearns(y):
    assert_array_equal(check_target_type(y), imb_check_target_type(y))
    ours, one_vs_all = check_target_type(y, indicate_one_vs_all=True)
    theirs, their_flag = imb_check_target_type(y, indicate_one_vs_all=True)
    assert_array_equal(ours, theirs)
    assert one_vs_all == their_flag == (y.ndim == 2)
    if y.ndim == 2:
        assert_array_equal(ours, [0, 2, 1, 2])  # the column of each row's 1


def test_check_target_type_refuses_multilabel():
    y = np.array([[1, 1, 0], [0, 0, 1]])
    with pytest.raises(ValueError, match="(?i)multilabel"):
        imb_check_target_type(y)
    with pytest.raises(ValueError, match="(?i)multilabel"):
        check_target_type(y)


def test_check_neighbors_object_builds_or_clones():
    nn = check_neighbors_object("n_neighbors", 3, additional_neighbor=1)
    assert type(nn) is NearestNeighbors and nn.n_neighbors == 4
    ref = imb_check_neighbors_object("n_neighbors", 3, additional_neighbor=1)
    assert nn.get_params() == ref.get_params()
    given = KNeighborsClassifier(n_neighbors=7, weights="distance")
    cloned = check_neighbors_object("n_neighbors", given, additional_neighbor=1)
    assert cloned is not given and type(cloned) is KNeighborsClassifier
    assert cloned.get_params() == given.get_params()  # no neighbour added
    with pytest.raises((TypeError, ValueError), match="n_neighbors"):
        check_neighbors_object("n_neighbors", "three")


def test_is_sampler():
    assert is_sampler(SMOTE()) and is_sampler(RandomUnderSampler())
    assert is_sampler(imb_over.SMOTE())  # imbalanced-learn's samplers too
    assert not is_sampler(LogisticRegression())
    assert not is_sampler(make_pipeline(SMOTE(), LogisticRegression()))
    assert not is_sampler(object())


class _Upcasting(BaseSampler):
    """A sampler that breaks the float32 contract."""

    _sampling_type = "bypass"

    def _fit_resample(self, X, y):
        return X.astype(np.float64), y


def test_check_estimator_passes_a_sampler_and_fails_a_broken_one():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        check_estimator(RandomUnderSampler(random_state=0))
        with pytest.raises(AssertionError, match="float32"):
            check_estimator(_Upcasting())


@pytest.mark.parametrize("squared", [True, False])
def test_index_balanced_accuracy_by_hand(squared):
    # sensitivity (recall of 1) 2/3, specificity (recall of 0) 3/5: G-mean
    # sqrt(2/5); squared 2/5; weighted by 1 + 0.2 * (2/3 - 3/5) = 1 + 1/75
    y_true = [1, 1, 1, 0, 0, 0, 0, 0]
    y_pred = [1, 1, 0, 0, 0, 0, 1, 1]
    iba = make_index_balanced_accuracy(alpha=0.2, squared=squared)(geometric_mean_score)
    gmean = 0.4 if squared else np.sqrt(0.4)
    expected = (1 + 1 / 75) * gmean
    assert iba(y_true, y_pred, average="binary") == pytest.approx(expected, rel=1e-12)


def test_svm_smote_uses_the_given_svm_as_imblearn_does():
    X, y = make_data(n=400, d=4, weights=(0.8, 0.2), seed=2)
    X += np.random.default_rng(2).normal(scale=0.8, size=X.shape)
    svm = SVC(kernel="linear", C=0.5)
    ours = SVMSMOTE(svm_estimator=svm, random_state=0)
    Xa, ya = ours.fit_resample(X, y)
    Xb, yb = imb_over.SVMSMOTE(svm_estimator=svm, random_state=0).fit_resample(X, y)
    assert_array_equal(Xa, Xb)
    assert_array_equal(ya, yb)
    assert ours.svm_estimator_ is not svm
    assert ours.svm_estimator_.get_params() == svm.get_params()
    # the estimator matters: the default RBF SVM picks other support vectors
    Xd, _ = SVMSMOTE(random_state=0).fit_resample(X, y)
    assert Xd.shape == Xa.shape and not np.array_equal(Xd, Xa)


# ---------------------------------------------------------------------------
# imbalanced-learn's tags, exceptions, deprecation and docstring helpers:
# imbalanced-learn 0.14.2 is the oracle.


def _sampler_classes():
    import counterpoise.combine
    import counterpoise.over_sampling
    import counterpoise.under_sampling
    import imblearn.combine
    import imblearn.over_sampling
    import imblearn.under_sampling

    for ours, theirs in (
        (counterpoise.over_sampling, imblearn.over_sampling),
        (counterpoise.under_sampling, imblearn.under_sampling),
        (counterpoise.combine, imblearn.combine),
    ):
        for name in theirs.__all__:
            yield name, getattr(ours, name), getattr(theirs, name)


# imbalanced-learn's SMOTENC tag says no sparse input, yet both libraries
# resample sparse input (identically); counterpoise's tag says what it does.
_TAG_DIFFERENCES = {("SMOTENC", "sparse"): True}


@pytest.mark.parametrize(
    "name, ours, theirs",
    list(_sampler_classes()),
    ids=lambda v: getattr(v, "__name__", v),
)
def test_sampler_tags_are_imblearns(name, ours, theirs):
    from dataclasses import asdict

    from counterpoise.utils._tags import InputTags, SamplerTags, Tags

    kw = {"categorical_features": [0]} if name == "SMOTENC" else {}
    got, want = ours(**kw).__sklearn_tags__(), theirs(**kw).__sklearn_tags__()
    assert isinstance(got, Tags) and isinstance(got.input_tags, InputTags)
    assert isinstance(got.sampler_tags, SamplerTags)
    got, want = asdict(got), asdict(want)
    for field, value in _TAG_DIFFERENCES.items():
        if field[0] == name:
            assert got["input_tags"][field[1]] == value
            got["input_tags"][field[1]] = want["input_tags"][field[1]]
    assert got == want


def test_tags_are_sklearns_with_imblearns_fields():
    from counterpoise.utils._tags import Tags
    from sklearn.utils import InputTags as SkInputTags
    from sklearn.utils import Tags as SkTags
    from sklearn.utils import get_tags

    tags = get_tags(SMOTE())
    assert isinstance(tags, SkTags) and isinstance(tags.input_tags, SkInputTags)
    assert tags.input_tags.dataframe and tags.sampler_tags.sample_indices is False
    assert Tags(estimator_type=None, target_tags=None).sampler_tags is None

    # a user's sampler derived from BaseSampler gets imbalanced-learn's default
    class Mine(BaseSampler):
        _sampling_type = "bypass"

        def _fit_resample(self, X, y):
            return X, y

    assert get_tags(Mine()).sampler_tags.sample_indices is False


def test_sample_indices_tag_matches_the_fitted_attribute():
    X, y = make_data(n=200, d=3)
    for name, ours, _ in _sampler_classes():
        kw = {"categorical_features": [0]} if name == "SMOTENC" else {}
        sampler = ours(**kw)
        tag = sampler.__sklearn_tags__().sampler_tags.sample_indices
        sampler.fit_resample(X, y)
        assert hasattr(sampler, "sample_indices_") is tag, name


def test_raise_isinstance_error_is_imblearns():
    from counterpoise.exceptions import raise_isinstance_error
    from imblearn.exceptions import raise_isinstance_error as theirs

    messages = []
    for fn in (raise_isinstance_error, theirs):
        with pytest.raises(ValueError) as info:
            fn("n_neighbors", [int, NearestNeighbors], "3")
        messages.append(str(info.value))
    assert messages[0] == messages[1]


@pytest.mark.parametrize("new_param", [None, "b"])
def test_deprecate_parameter_is_imblearns(new_param):
    from counterpoise.utils.deprecation import deprecate_parameter
    from imblearn.utils.deprecation import deprecate_parameter as theirs

    class Sampler:
        def __init__(self, a):
            self.a, self.b = a, "old"

    for value in (None, "given"):
        results = []
        for fn in (deprecate_parameter, theirs):
            s = Sampler(value)
            with warnings.catch_warnings(record=True) as w:
                warnings.simplefilter("always")
                fn(s, "0.12", "a", new_param)
            results.append((s.b, [(x.category, "0.14" in str(x.message)) for x in w]))
            if w:
                msg = str(w[0].message)
                assert "'a' is deprecated from 0.12" in msg
                if new_param:
                    assert msg.endswith("Use 'b' instead.")
        assert results[0] == results[1]


def test_substitution_is_imblearns():
    from counterpoise.utils import Substitution
    from imblearn.utils import Substitution as Theirs

    def make():
        def f():
            """Takes {a} and {b}."""

        return f

    assert (
        Substitution(a="x", b="y")(make()).__doc__
        == Theirs(a="x", b="y")(make()).__doc__
    )

    # positional fields work here (imbalanced-learn's raises a TypeError)
    def g():
        """{0} then {1}."""

    assert Substitution("x", "y")(g).__doc__ == "x then y."
    with pytest.raises(AssertionError):
        Substitution("x", b="y")
    h = make()
    h.__doc__ = None  # python -OO
    assert Substitution(a="x", b="y")(h).__doc__ is None


@pytest.mark.parametrize("github", [False, True])
def test_show_versions(capsys, github):
    import importlib.metadata

    import counterpoise

    counterpoise.show_versions(github=github)
    out = capsys.readouterr().out
    for name in ("counterpoise", "imbalanced-learn", "scikit-learn", "numpy"):
        assert name in out
    assert counterpoise.__version__ in out
    assert importlib.metadata.version("scikit-learn") in out
    assert ("<details>" in out) is github


def test_top_level_has_imblearns_names():
    import counterpoise
    import imblearn

    missing = [
        n
        for n in imblearn.__all__
        if n not in ("keras", "tensorflow") and not hasattr(counterpoise, n)
    ]
    assert missing == []
    assert callable(counterpoise.show_versions)


def test_package_loads_submodules_on_first_use():
    """``import counterpoise`` is light (the Rust engine and threadpoolctl's
    hook), so a Spark or Dask worker that only needs the engine does not import
    scikit-learn; every public name still resolves, by attribute, ``from``
    import and ``import *``."""
    import subprocess
    import sys

    code = """
import sys
import counterpoise
assert "sklearn" not in sys.modules and "scipy" not in sys.modules, "eager"
import threadpoolctl
info = threadpoolctl.threadpool_info()
assert any(i.get("internal_api") == "counterpoise" for i in info)
names = {}
exec("from counterpoise import *", names)
missing = [n for n in counterpoise.__all__ if n not in names]
assert missing == [], missing
from counterpoise import compare, BaseSampler
from counterpoise.utils import check_sampling_strategy, Substitution
assert counterpoise.over_sampling.SMOTE.__name__ == "SMOTE"
assert set(counterpoise.__all__) <= set(dir(counterpoise))
try:
    counterpoise.nope
except AttributeError as exc:
    assert "nope" in str(exc)
else:
    raise AssertionError("no AttributeError")
print("ok")
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.stdout.strip() == "ok", out.stderr
