"""scikit-learn's estimator checks and the package's sampler checks on every
public sampler."""

from counterpoise.combine import SMOTEENN, SMOTETomek
from counterpoise.over_sampling import (
    ADASYN,
    SMOTE,
    SMOTEN,
    SMOTENC,
    SVMSMOTE,
    BorderlineSMOTE,
    KMeansSMOTE,
    RandomOverSampler,
)
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
from counterpoise.utils.estimator_checks import parametrize_with_checks
from sklearn.linear_model import LogisticRegression

SAMPLERS = [
    SMOTE(random_state=0),
    BorderlineSMOTE(random_state=0),
    BorderlineSMOTE(kind="borderline-2", random_state=0),
    ADASYN(random_state=0),
    SVMSMOTE(random_state=0),
    SMOTENC(categorical_features=[1], random_state=0),
    SMOTEN(random_state=0),
    KMeansSMOTE(random_state=0),
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


def test_sampler_checks_catch_a_broken_sampler():
    import numpy as np
    import pytest
    from counterpoise.base import BaseSampler
    from counterpoise.utils.estimator_checks import check_samplers_preserve_dtype

    class Upcasting(BaseSampler):
        _sampling_type = "bypass"

        def _fit_resample(self, X, y):
            return X.astype(np.float64), y

    with pytest.raises(AssertionError, match="float32"):
        check_samplers_preserve_dtype("Upcasting", Upcasting())
