"""TomekLinks against imbalanced-learn 0.14.2: identical sample_indices_ and
output on tie-free data, binary and multi-class, on N_EXAMPLES generated
datasets."""

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from ._cleaning_cases import (
    N_EXAMPLES,
    cleaning_data,
    compare_rule,
    dataset,
    removes_rows,
)

STRATEGIES = ["auto", "all", "majority", "not minority", "not majority"]


@settings(max_examples=N_EXAMPLES, deadline=None)
@given(strategy=st.sampled_from(STRATEGIES), Xy=cleaning_data())
def test_tomek_links_matches_imblearn(strategy, Xy):
    assume(
        removes_rows("TomekLinks", {"sampling_strategy": strategy}, *Xy)
    )  # an example counts only when rows go
    compare_rule("TomekLinks", {"sampling_strategy": strategy}, *Xy)


@pytest.mark.parametrize("strategy", ["auto", "all"])
def test_tomek_links_on_a_fixed_multiclass_dataset(strategy):
    X, y = dataset(7, 3, 6)
    assert compare_rule("TomekLinks", {"sampling_strategy": strategy}, X, y) > 0
