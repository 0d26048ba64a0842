"""OneSidedSelection against imbalanced-learn 0.14.2: the same integer seed keeps
the same rows (identical sample_indices_ and output), binary and multi-class, on
N_EXAMPLES generated tie-free datasets."""

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
        "n_neighbors": st.sampled_from([None, 1, 3]),
        "n_seeds_S": st.integers(1, 3),
        "random_state": st.integers(0, 2**31 - 1),
        "sampling_strategy": st.sampled_from(["auto", "majority", "not minority"]),
    }
)


@settings(max_examples=N_EXAMPLES, deadline=None)
@given(params=PARAMS, Xy=cleaning_data())
def test_one_sided_selection_matches_imblearn(params, Xy):
    assume(
        removes_rows("OneSidedSelection", params, *Xy)
    )  # an example counts only when rows go
    compare_rule("OneSidedSelection", params, *Xy)


CASES = [
    ("OneSidedSelection", {}),
    ("OneSidedSelection", {"n_seeds_S": 3}),
]


@pytest.mark.parametrize("name,params", CASES, ids=lambda v: str(v))
@pytest.mark.parametrize("seed", [0, 3, 11])
def test_one_sided_selection_matches_imblearn_for_the_same_seed(name, params, seed):
    assert compare_rule(name, params, *dataset(seed, 3, 4), random_state=seed) > 0
