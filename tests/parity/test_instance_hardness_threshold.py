"""InstanceHardnessThreshold against imbalanced-learn 0.14.2: the same integer
seed keeps the same rows (identical sample_indices_ and output), binary and
multi-class, on N_EXAMPLES generated datasets with cheap classifiers (the default
forest on three fixed datasets)."""

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.naive_bayes import GaussianNB
from sklearn.neighbors import KNeighborsClassifier
from sklearn.tree import DecisionTreeClassifier

from ._cleaning_cases import (
    N_EXAMPLES,
    cleaning_data,
    compare_rule,
    dataset,
    removes_rows,
)

ESTIMATORS = [
    LogisticRegression(),
    DecisionTreeClassifier(max_depth=3),
    KNeighborsClassifier(),
    GaussianNB(),
    RandomForestClassifier(n_estimators=5),
]

PARAMS = st.fixed_dictionaries(
    {
        "estimator": st.sampled_from(ESTIMATORS),
        "cv": st.sampled_from([2, 3, 5]),
        "random_state": st.integers(0, 2**31 - 1),
        "sampling_strategy": st.sampled_from(["auto", "majority", "not minority"]),
    }
)


@settings(max_examples=N_EXAMPLES, deadline=None)
@given(params=PARAMS, Xy=cleaning_data())
def test_instance_hardness_threshold_matches_imblearn(params, Xy):
    assume(
        removes_rows("InstanceHardnessThreshold", params, *Xy)
    )  # an example counts only when rows go
    compare_rule("InstanceHardnessThreshold", params, *Xy)


CASES = [
    ("InstanceHardnessThreshold", {"estimator": LogisticRegression()}),
    ("InstanceHardnessThreshold", {}),
]


@pytest.mark.parametrize("name,params", CASES, ids=lambda v: str(v))
@pytest.mark.parametrize("seed", [0, 3, 11])
def test_instance_hardness_threshold_matches_imblearn_for_the_same_seed(
    name, params, seed
):
    assert compare_rule(name, params, *dataset(seed, 3, 4), random_state=seed) > 0
