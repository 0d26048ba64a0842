"""NeighbourhoodCleaningRule against imbalanced-learn 0.14.2: identical
sample_indices_ and output on tie-free data, binary and multi-class, on
N_EXAMPLES generated datasets."""

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

PARAMS = st.fixed_dictionaries(
    {
        "n_neighbors": st.integers(1, 5),
        "threshold_cleaning": st.sampled_from([0.01, 0.1, 0.5, 1.0]),
        "sampling_strategy": st.sampled_from(
            ["auto", "all", "majority", "not minority", "not majority"]
        ),
    }
)


@settings(max_examples=N_EXAMPLES, deadline=None)
@given(params=PARAMS, Xy=cleaning_data())
def test_neighbourhood_cleaning_rule_matches_imblearn(params, Xy):
    assume(
        removes_rows("NeighbourhoodCleaningRule", params, *Xy)
    )  # an example counts only when rows go
    compare_rule("NeighbourhoodCleaningRule", params, *Xy)


CASES = [
    ("NeighbourhoodCleaningRule", {}),
    ("NeighbourhoodCleaningRule", {"threshold_cleaning": 0.1, "n_neighbors": 4}),
]


@pytest.mark.parametrize("name,params", CASES, ids=lambda v: str(v))
def test_neighbourhood_cleaning_rule_on_a_fixed_multiclass_dataset(name, params):
    assert compare_rule(name, params, *dataset(7, 3, 6)) > 0
