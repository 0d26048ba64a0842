"""Metrics against imbalanced-learn 0.14.2 (to 1e-12) on hypothesis label sets."""

import warnings

import numpy as np
import pytest
from counterpoise import metrics as ours
from hypothesis import given, settings
from hypothesis import strategies as st
from imblearn import metrics as imb
from numpy.testing import assert_allclose
from sklearn.metrics import accuracy_score


@st.composite
def label_pairs(draw):
    n_classes = draw(st.integers(2, 4))
    n = draw(st.integers(4, 60))
    labels = st.integers(0, n_classes - 1)
    y_true = np.array(draw(st.lists(labels, min_size=n, max_size=n)))
    y_pred = np.array(draw(st.lists(labels, min_size=n, max_size=n)))
    weighted = draw(st.booleans())
    w = (
        np.array(draw(st.lists(st.floats(0.1, 5), min_size=n, max_size=n)))
        if weighted
        else None
    )
    return y_true, y_pred, w


def _same(a, b):
    if isinstance(a, tuple):
        for x, y in zip(a, b):
            _same(x, y)
        return
    if a is None or b is None:
        assert a is b
        return
    assert_allclose(
        np.asarray(a, dtype=float), np.asarray(b, dtype=float), rtol=1e-12, atol=1e-12
    )


def _both(name, *args, **kwargs):
    out = []
    for mod in (ours, imb):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                out.append(("ok", getattr(mod, name)(*args, **kwargs)))
            except ValueError:
                out.append(("ValueError", None))
    assert out[0][0] == out[1][0], (name, kwargs, out)
    if out[0][0] == "ok":
        _same(out[0][1], out[1][1])


@settings(max_examples=80, deadline=None)
@given(
    data=label_pairs(),
    average=st.sampled_from([None, "binary", "micro", "macro", "weighted"]),
)
def test_sensitivity_specificity_match(data, average):
    y_true, y_pred, w = data
    kw = dict(average=average, sample_weight=w)
    _both("sensitivity_specificity_support", y_true, y_pred, **kw)
    if average is not None:
        _both("sensitivity_score", y_true, y_pred, **kw)
        _both("specificity_score", y_true, y_pred, **kw)


@settings(max_examples=80, deadline=None)
@given(
    data=label_pairs(),
    average=st.sampled_from(["multiclass", "macro", "weighted", "binary", None]),
    correction=st.sampled_from([0.0, 0.001]),
)
def test_geometric_mean_matches(data, average, correction):
    y_true, y_pred, w = data
    _both(
        "geometric_mean_score",
        y_true,
        y_pred,
        average=average,
        sample_weight=w,
        correction=correction,
    )


@settings(max_examples=50, deadline=None)
@given(data=label_pairs())
def test_report_and_iba_match(data):
    y_true, y_pred, w = data
    a = ours.classification_report_imbalanced(
        y_true, y_pred, sample_weight=w, output_dict=True
    )
    b = imb.classification_report_imbalanced(
        y_true, y_pred, sample_weight=w, output_dict=True
    )
    assert a.keys() == b.keys()
    for key in a:
        if isinstance(a[key], dict):
            for k in a[key]:
                _same(a[key][k], b[key][k])
        else:
            _same(a[key], b[key])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert ours.classification_report_imbalanced(
            y_true, y_pred, digits=4
        ) == imb.classification_report_imbalanced(y_true, y_pred, digits=4)
        iba_a = ours.make_index_balanced_accuracy(alpha=0.2, squared=False)(
            accuracy_score
        )
        iba_b = imb.make_index_balanced_accuracy(alpha=0.2, squared=False)(
            accuracy_score
        )
        if set(y_true) | set(y_pred) <= {0, 1}:
            _same(iba_a(y_true, y_pred), iba_b(y_true, y_pred))


@settings(max_examples=50, deadline=None)
@given(data=label_pairs())
def test_macro_averaged_mae_matches(data):
    y_true, y_pred, w = data
    _both("macro_averaged_mean_absolute_error", y_true, y_pred, sample_weight=w)


def test_string_labels_and_target_names():
    y_true = np.array(["a", "b", "b", "c", "a", "c"])
    y_pred = np.array(["a", "b", "c", "c", "b", "c"])
    names = ["ant", "bee", "cat"]
    a = ours.classification_report_imbalanced(y_true, y_pred, target_names=names)
    b = imb.classification_report_imbalanced(y_true, y_pred, target_names=names)
    assert a == b
    with pytest.raises(ValueError, match="average"):
        ours.sensitivity_score(y_true, y_pred, average="bogus")


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 1000),
    k=st.sampled_from([1, 2, 3]),
    r=st.sampled_from([1, 2]),
)
def test_value_difference_metric_matches_imblearn(seed, k, r):
    from counterpoise.metrics.pairwise import ValueDifferenceMetric
    from imblearn.metrics.pairwise import ValueDifferenceMetric as ImbVDM

    rng = np.random.default_rng(seed)
    X = rng.integers(0, 4, size=(40, 3))
    X[:4] = np.arange(4)[:, None]  # every category seen in every feature
    y = rng.integers(0, 3, size=40)
    Q = rng.integers(0, 4, size=(7, 3))
    a = ValueDifferenceMetric(k=k, r=r).fit(X, y)
    b = ImbVDM(k=k, r=r).fit(X, y)
    for pa, pb in zip(a.proba_per_class_, b.proba_per_class_):
        assert_allclose(pa, pb, rtol=1e-12)
    assert_allclose(a.pairwise(X), b.pairwise(X), rtol=1e-12, atol=1e-12)
    assert_allclose(a.pairwise(X, Q), b.pairwise(X, Q), rtol=1e-12, atol=1e-12)


def test_value_difference_metric_names_a_category_unseen_in_fit():
    # imblearn fails here with an IndexError; we say which category and the fix.
    from counterpoise.metrics.pairwise import ValueDifferenceMetric

    X = np.array([[0, 1], [1, 0], [2, 1], [0, 0]])
    y = np.array([0, 1, 0, 1])
    vdm = ValueDifferenceMetric().fit(X, y)
    with pytest.raises(ValueError, match="category 3 in feature 1.*n_categories"):
        vdm.pairwise(X, np.array([[0, 3]]))
    with pytest.raises(ValueError, match="3 features"):
        vdm.pairwise(np.array([[0, 1, 1]]))
    wide = ValueDifferenceMetric(n_categories=[3, 4]).fit(X, y)
    assert wide.pairwise(X, np.array([[0, 3]])).shape == (4, 1)


# ---------------------------------------------------------------------------
# scikit-learn's parameter validation: the same values are refused as by
# imbalanced-learn, with scikit-learn's InvalidParameterError.

_VALIDATED = {
    "sensitivity_specificity_support": {
        "average": "bogus",
        "pos_label": 1.5,
        "labels": 3,
        "sample_weight": "w",
    },
    "sensitivity_score": {"average": "multiclass", "pos_label": [1]},
    "specificity_score": {"average": "bogus", "labels": 3},
    "geometric_mean_score": {"average": "bogus", "correction": -0.1},
    "classification_report_imbalanced": {
        "digits": -1,
        "alpha": "a",
        "output_dict": "yes",
        "zero_division": 2,
    },
    "macro_averaged_mean_absolute_error": {"sample_weight": "w"},
}


@pytest.mark.parametrize(
    "name, param, value",
    [(n, p, v) for n, d in _VALIDATED.items() for p, v in d.items()],
)
def test_metric_parameters_validated_as_imblearn(name, param, value):
    from sklearn.utils._param_validation import InvalidParameterError

    y_true, y_pred = [0, 1, 1, 0, 1, 2], [0, 1, 0, 0, 2, 2]
    for module in (ours, imb):
        with pytest.raises(InvalidParameterError, match=f"'{param}' parameter"):
            getattr(module, name)(y_true, y_pred, **{param: value})


@pytest.mark.parametrize("kw", [{"alpha": "a"}, {"squared": "yes"}])
def test_make_index_balanced_accuracy_validated(kw):
    from sklearn.utils._param_validation import InvalidParameterError

    for module in (ours, imb):
        with pytest.raises(InvalidParameterError):
            module.make_index_balanced_accuracy(**kw)


def test_make_imbalance_validated_as_imblearn():
    from counterpoise.datasets import make_imbalance
    from imblearn.datasets import make_imbalance as imb_make_imbalance
    from sklearn.utils._param_validation import InvalidParameterError

    X, y = np.arange(20.0).reshape(10, 2), np.array([0] * 5 + [1] * 5)
    for fn in (make_imbalance, imb_make_imbalance):
        for bad in (
            {"sampling_strategy": 0.5},
            {"verbose": "yes"},
            {"random_state": "seed"},
        ):
            with pytest.raises(InvalidParameterError):
                fn(X, y, **bad)
        X_res, y_res = fn(X, y, sampling_strategy={0: 2}, random_state=0)
        assert np.bincount(y_res).tolist() == [2, 5]


@pytest.mark.parametrize("average", ["binary", None, "macro"])
def test_ill_defined_warning_reads_as_imblearns(average):
    """The UndefinedMetricWarning text is imbalanced-learn's first sentence (its
    advice to use a `zero_division` parameter these metrics lack is left out)."""

    def messages(func):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            func([0, 0, 1, 1], [1, 1, 1, 1], average=average)
            func([1, 1, 1, 1], [0, 0, 0, 0], average=average)
        return [str(w.message) for w in caught]

    mine_all = messages(ours.sensitivity_specificity_support)
    theirs = messages(imb.sensitivity_specificity_support)
    assert mine_all and len(mine_all) == len(theirs)
    for mine, text in zip(mine_all, theirs):
        assert text.startswith(mine), (mine, text)
        assert " in due to " not in mine
