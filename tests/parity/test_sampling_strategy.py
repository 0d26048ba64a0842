"""sampling_strategy_ resolution against imbalanced-learn 0.14.2 over a grid."""

import numpy as np
import pytest
from counterpoise.utils import check_sampling_strategy
from counterpoise.utils._validation import _class_counts
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from imblearn.utils import check_sampling_strategy as imb_check

LABELS = [
    np.array([0] * 50 + [1] * 20),
    np.array(["cat"] * 40 + ["dog"] * 25 + ["eel"] * 10),
    np.array([3] * 30 + [1] * 30 + [7] * 5 + [2] * 12),
    np.array(["b"] * 7 + ["a"] * 90),
]
KINDS = ["over-sampling", "under-sampling", "clean-sampling"]
STRATEGIES = [
    "auto",
    "minority",
    "majority",
    "not minority",
    "not majority",
    "all",
    0.5,
    0.8,
    1.0,
    0.05,
]


def _outcome(fn, *args):
    try:
        return "ok", dict(fn(*args))
    except ValueError:
        return "ValueError", None


@pytest.mark.parametrize("y", LABELS, ids=lambda y: str(sorted(set(y.tolist()))))
@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("strategy", STRATEGIES, ids=str)
def test_named_and_float_strategies_match_imblearn(y, kind, strategy):
    assert _outcome(check_sampling_strategy, strategy, y, kind) == _outcome(
        imb_check, strategy, y, kind
    )


@pytest.mark.parametrize("kind", KINDS)
def test_dict_list_and_callable_match_imblearn(kind):
    y = LABELS[2]
    for strategy in [
        {3: 30, 7: 40},
        {7: 5, 2: 3},
        {1: 10},
        {9: 3},
        {3: -1},
        [7, 2],
        [3],
        [9],
        lambda y: {7: 30},
        lambda y: {2: 1},
    ]:
        assert _outcome(check_sampling_strategy, strategy, y, kind) == _outcome(
            imb_check, strategy, y, kind
        ), strategy


def test_order_is_sorted_and_one_class_is_rejected():
    y = np.array(["z"] * 10 + ["a"] * 3 + ["m"] * 5)
    got = check_sampling_strategy("all", y, "over-sampling")
    assert list(got) == ["a", "m", "z"]
    with pytest.raises(ValueError, match="more than 1 class"):
        check_sampling_strategy("auto", np.zeros(5), "over-sampling")


@settings(max_examples=100, deadline=None)
@given(
    y=arrays(
        st.sampled_from([np.int8, np.int64, np.uint16, np.uint64]),
        st.integers(1, 300),
        elements=st.integers(0, 120),
    ),
    shift=st.sampled_from([0, -100, 10**6]),
)
def test_fast_class_counts_equal_numpy_unique(y, shift):
    if y.dtype.kind == "i" and y.dtype.itemsize > 1:
        y = y + shift
    classes, counts = np.unique(y, return_counts=True)
    got = _class_counts(y)
    assert list(got) == list(classes)
    assert [type(c) for c in got] == [type(c) for c in classes]
    assert list(got.values()) == list(counts)


@settings(max_examples=60, deadline=None)
@given(
    y=st.one_of(
        arrays(np.int64, st.integers(1, 60), elements=st.integers(-3, 4)),
        arrays(np.uint8, st.integers(1, 60), elements=st.integers(0, 2)),
        arrays(np.int32, st.integers(1, 30), elements=st.integers(-(2**31), 2**31 - 1)),
        arrays(
            np.float64, st.integers(1, 30), elements=st.sampled_from([0.0, 1.0, 2.5])
        ),
    ),
)
def test_fast_target_type_equals_type_of_target(y):
    # The bincount path for integer labels must say what scikit-learn says.
    from counterpoise.utils._validation import check_classification_type
    from sklearn.utils.multiclass import type_of_target

    want = type_of_target(y, input_name="y")
    if want in ("binary", "multiclass"):
        assert check_classification_type(y) == want
    else:
        with pytest.raises(ValueError, match="Unknown label type"):
            check_classification_type(y)
