"""scikit-learn's estimator checks on every public sampler."""

from counterpoise.over_sampling import SMOTE, RandomOverSampler
from counterpoise.under_sampling import RandomUnderSampler
from sklearn.utils.estimator_checks import parametrize_with_checks


@parametrize_with_checks(
    [
        SMOTE(random_state=0),
        RandomOverSampler(random_state=0),
        RandomUnderSampler(random_state=0),
    ]
)
def test_sklearn_compatible(estimator, check):
    check(estimator)
