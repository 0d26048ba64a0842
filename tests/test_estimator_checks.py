"""scikit-learn's estimator checks on every public sampler."""

from counterpoise.combine import SMOTEENN, SMOTETomek
from counterpoise.over_sampling import SMOTE, RandomOverSampler
from counterpoise.under_sampling import (
    AllKNN,
    ClusterCentroids,
    CondensedNearestNeighbour,
    EditedNearestNeighbours,
    InstanceHardnessThreshold,
    NearMiss,
    NeighbourhoodCleaningRule,
    OneSidedSelection,
    RandomUnderSampler,
    RepeatedEditedNearestNeighbours,
    TomekLinks,
)
from sklearn.linear_model import LogisticRegression
from sklearn.utils.estimator_checks import parametrize_with_checks

SAMPLERS = [
    SMOTE(random_state=0),
    RandomOverSampler(random_state=0),
    RandomUnderSampler(random_state=0),
    EditedNearestNeighbours(),
    RepeatedEditedNearestNeighbours(),
    AllKNN(),
    TomekLinks(),
    NeighbourhoodCleaningRule(),
    NearMiss(),
    OneSidedSelection(random_state=0),
    CondensedNearestNeighbour(random_state=0),
    InstanceHardnessThreshold(estimator=LogisticRegression(), random_state=0),
    ClusterCentroids(random_state=0),
    SMOTEENN(random_state=0),
    SMOTETomek(random_state=0),
]


@parametrize_with_checks(SAMPLERS)
def test_sklearn_compatible(estimator, check):
    check(estimator)
