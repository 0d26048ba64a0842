"""Balanced ensembles: imblearn's API and attributes; under the same CV split on
scikit-learn datasets made imbalanced, imblearn's balanced accuracy exactly where
the draws are imblearn's, and imblearn's class probabilities (within a bound a
plain forest fails) for the balanced random forest."""

import numpy as np
import pytest
from counterpoise import ensemble as ours
from counterpoise.datasets import make_imbalance
from counterpoise.over_sampling import SMOTE
from imblearn import ensemble as imb
from sklearn.datasets import load_breast_cancer, load_wine
from sklearn.ensemble import RandomForestClassifier
from sklearn.model_selection import StratifiedKFold, cross_val_predict, cross_val_score
from sklearn.tree import DecisionTreeClassifier
from sklearn.utils.estimator_checks import parametrize_with_checks

NAMES = [
    "BalancedBaggingClassifier",
    "BalancedRandomForestClassifier",
    "EasyEnsembleClassifier",
    "RUSBoostClassifier",
]


def _imbalanced(loader, ratio):
    X, y = loader(return_X_y=True)
    counts = np.bincount(y)
    majority = counts.argmax()
    strategy = {
        c: (n if c == majority else max(int(n * ratio), 10))
        for c, n in enumerate(counts)
    }
    return make_imbalance(X, y, sampling_strategy=strategy, random_state=0)


@pytest.mark.parametrize("name", NAMES)
def test_same_parameters_and_fitted_attributes_as_imblearn(name):
    X, y = _imbalanced(load_breast_cancer, 0.2)
    a = getattr(ours, name)(random_state=0).fit(X, y)
    b = getattr(imb, name)(random_state=0).fit(X, y)
    assert a.get_params().keys() == b.get_params().keys()
    fitted_b = {k for k in vars(b) if k.endswith("_") and not k.startswith("_")}
    assert fitted_b <= set(vars(a)), fitted_b - set(vars(a))
    assert len(a.estimators_) == len(b.estimators_)
    assert a.predict_proba(X).shape == b.predict_proba(X).shape
    np.testing.assert_array_equal(a.classes_, b.classes_)


LOADERS = [(load_breast_cancer, 0.15), (load_wine, 0.3)]
# the ensembles whose draws replicate imblearn's: the same scores, fold by fold
IDENTICAL = [n for n in NAMES if n != "BalancedRandomForestClassifier"]


@pytest.mark.parametrize("name", IDENTICAL)
@pytest.mark.parametrize("loader,ratio", LOADERS)
def test_balanced_accuracy_is_imblearns(name, loader, ratio):
    X, y = _imbalanced(loader, ratio)
    cv = StratifiedKFold(5, shuffle=True, random_state=0)
    kw = dict(cv=cv, scoring="balanced_accuracy")
    # stumps are no better than chance on 3-class wine, in both libraries
    extra = {"estimator": DecisionTreeClassifier(max_depth=2)} if "RUS" in name else {}
    a = cross_val_score(getattr(ours, name)(random_state=0, **extra), X, y, **kw)
    b = cross_val_score(getattr(imb, name)(random_state=0, **extra), X, y, **kw)
    np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("loader,ratio", LOADERS)
def test_balanced_random_forest_predicts_like_imblearns(loader, ratio):
    # Our forest draws its under-samples differently, so compare what balancing
    # does: the mean out-of-fold probability of each class. Ours is within 0.006
    # of imblearn's here (another seed of imblearn's moves it 0.004); a plain
    # forest, which does not balance, is 0.07 to 0.11 away and must fail the bound.
    X, y = _imbalanced(loader, ratio)
    cv = StratifiedKFold(5, shuffle=True, random_state=0)

    def mean_proba(est):
        return cross_val_predict(est, X, y, cv=cv, method="predict_proba").mean(0)

    b = mean_proba(imb.BalancedRandomForestClassifier(random_state=0))
    a = mean_proba(ours.BalancedRandomForestClassifier(random_state=0))
    plain = mean_proba(RandomForestClassifier(random_state=0))
    bound = 0.02
    assert np.abs(a - b).max() <= bound
    assert np.abs(plain - b).max() > 3 * bound


def test_rusboost_draws_match_imblearn_exactly():
    X, y = _imbalanced(load_breast_cancer, 0.2)
    a = ours.RUSBoostClassifier(n_estimators=20, random_state=3).fit(X, y)
    b = imb.RUSBoostClassifier(n_estimators=20, random_state=3).fit(X, y)
    np.testing.assert_array_equal(a.predict(X), b.predict(X))
    np.testing.assert_allclose(a.estimator_weights_, b.estimator_weights_)
    for sa, sb in zip(a.samplers_, b.samplers_):
        np.testing.assert_array_equal(sa.sample_indices_, sb.sample_indices_)


def test_smote_bagging_and_dict_strategy_on_string_labels():
    X, y = _imbalanced(load_wine, 0.3)
    labels = np.array(["a", "b", "c"])[y]
    clf = ours.BalancedBaggingClassifier(sampler=SMOTE(), random_state=0).fit(X, labels)
    assert set(clf.predict(X)) <= {"a", "b", "c"}
    counts = dict(zip(*np.unique(labels, return_counts=True)))
    small = min(counts.values())
    clf = ours.BalancedBaggingClassifier(
        sampling_strategy={c: small for c in counts}, bootstrap=False, random_state=0
    ).fit(X, labels)
    assert clf.score(X, labels) > 0.5


def _expected_failures(estimator):
    if isinstance(estimator, ours.BalancedBaggingClassifier):
        return {
            "check_estimators_nan_inf": "NaN/inf reach the sampler of each bag, whose "
            "error differs from the one the check expects (imblearn marks it xfail too)"
        }
    if isinstance(
        estimator, (ours.RUSBoostClassifier, ours.BalancedRandomForestClassifier)
    ):
        reason = (
            "under-sampling draws rows, so a weight of 2 is not a duplicated row "
            "(imblearn's RUSBoost and balanced forest fail these checks too)"
        )
        return {
            "check_sample_weight_equivalence_on_dense_data": reason,
            "check_sample_weight_equivalence_on_sparse_data": reason,
        }
    return {}


@parametrize_with_checks(
    [
        ours.BalancedBaggingClassifier(n_estimators=3, random_state=0),
        ours.EasyEnsembleClassifier(n_estimators=2, random_state=0),
        ours.RUSBoostClassifier(n_estimators=5, random_state=0),
        ours.BalancedRandomForestClassifier(n_estimators=5, random_state=0),
    ],
    expected_failed_checks=_expected_failures,
)
def test_sklearn_compatible(estimator, check):
    check(estimator)
