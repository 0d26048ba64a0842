"""SMOTETomek against imbalanced-learn 0.14.2: identical output for the same
seed."""

import pytest
from counterpoise import combine
from imblearn import combine as imb_combine

from ._cleaning_cases import compare, dataset


@pytest.mark.parametrize("seed", [0, 5])
def test_smote_tomek_matches_imblearn(seed):
    X, y = dataset(seed, 3, 5)
    ours = combine.SMOTETomek(random_state=seed)
    theirs = imb_combine.SMOTETomek(random_state=seed)
    compare(ours, theirs, X, y)
    assert ours.sampling_strategy_ == theirs.sampling_strategy_
