"""NearMiss against imbalanced-learn 0.14.2: identical sample_indices_ and
output on tie-free data, binary and multi-class."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ._cleaning_cases import compare_rule, dataset

CASES = [
    ("NearMiss", {"version": 1}),
    ("NearMiss", {"version": 2}),
    ("NearMiss", {"version": 3}),
    ("NearMiss", {"version": 3, "n_neighbors_ver3": 1, "n_neighbors": 2}),
]


@settings(max_examples=25, deadline=None)
@given(
    case=st.sampled_from(CASES),
    seed=st.integers(0, 10_000),
    n_classes=st.sampled_from([2, 3, 4]),
    d=st.sampled_from([2, 5, 12]),
)
def test_nearmiss_matches_imblearn(case, seed, n_classes, d):
    name, params = case
    compare_rule(name, params, *dataset(seed, n_classes, d))


@pytest.mark.parametrize("name,params", CASES, ids=lambda v: str(v))
def test_nearmiss_on_a_fixed_multiclass_dataset(name, params):
    compare_rule(name, params, *dataset(7, 3, 6))
