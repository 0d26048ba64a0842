"""SMOTEENN against imbalanced-learn 0.14.2: identical output for the same seed,
with our parts or imblearn's."""

import pytest
from counterpoise import combine
from imblearn import combine as imb_combine
from imblearn import under_sampling as imb_under

from ._cleaning_cases import compare, dataset


@pytest.mark.parametrize("seed", [0, 5])
def test_smote_enn_matches_imblearn(seed):
    X, y = dataset(seed, 3, 5)
    ours = combine.SMOTEENN(random_state=seed)
    theirs = imb_combine.SMOTEENN(random_state=seed)
    compare(ours, theirs, X, y)
    assert ours.sampling_strategy_ == theirs.sampling_strategy_


def test_smote_enn_accepts_imblearn_parts():
    from imblearn.over_sampling import SMOTE as ImbSMOTE

    X, y = dataset(2, 2, 3)
    enn = imb_under.EditedNearestNeighbours(sampling_strategy="all")
    ours = combine.SMOTEENN(smote=ImbSMOTE(random_state=1), enn=enn)
    theirs = imb_combine.SMOTEENN(smote=ImbSMOTE(random_state=1))
    compare(ours, theirs, X, y)
