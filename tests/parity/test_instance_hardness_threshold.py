"""InstanceHardnessThreshold against imbalanced-learn 0.14.2: the same integer
seed keeps the same rows (identical sample_indices_ and output), multi-class."""

import pytest
from sklearn.linear_model import LogisticRegression

from ._cleaning_cases import compare_rule, dataset

CASES = [
    ("InstanceHardnessThreshold", {"estimator": LogisticRegression()}),
    ("InstanceHardnessThreshold", {}),
]


@pytest.mark.parametrize("name,params", CASES, ids=lambda v: str(v))
@pytest.mark.parametrize("seed", [0, 3, 11])
def test_instance_hardness_threshold_matches_imblearn_for_the_same_seed(
    name, params, seed
):
    compare_rule(name, params, *dataset(seed, 3, 4), random_state=seed)
