"""Public helpers with no other test: check_target_type, check_neighbors_object,
is_sampler, utils.estimator_checks.check_estimator, make_index_balanced_accuracy
(squared and not, against a hand computation) and SVMSMOTE's svm_estimator."""

import warnings

import numpy as np
import pytest
from counterpoise import is_sampler
from counterpoise.base import BaseSampler
from counterpoise.metrics import geometric_mean_score, make_index_balanced_accuracy
from counterpoise.over_sampling import SMOTE, SVMSMOTE
from counterpoise.pipeline import make_pipeline
from counterpoise.under_sampling import RandomUnderSampler
from counterpoise.utils import check_neighbors_object, check_target_type
from counterpoise.utils.estimator_checks import check_estimator
from imblearn import over_sampling as imb_over
from imblearn.utils import check_neighbors_object as imb_check_neighbors_object
from imblearn.utils import check_target_type as imb_check_target_type
from numpy.testing import assert_array_equal
from sklearn.linear_model import LogisticRegression
from sklearn.neighbors import KNeighborsClassifier, NearestNeighbors
from sklearn.svm import SVC

from .conftest import make_data


@pytest.mark.parametrize(
    "y",
    [
        np.array([0, 1, 1, 0, 1]),
        np.array(["a", "c", "b", "a", "c"]),
        np.array([[1, 0, 0], [0, 0, 1], [0, 1, 0], [0, 0, 1]]),  # one-hot
    ],
    ids=["binary", "multiclass", "one-hot"],
)
def test_check_target_type_is_imblearns(y):
    assert_array_equal(check_target_type(y), imb_check_target_type(y))
    ours, one_vs_all = check_target_type(y, indicate_one_vs_all=True)
    theirs, their_flag = imb_check_target_type(y, indicate_one_vs_all=True)
    assert_array_equal(ours, theirs)
    assert one_vs_all == their_flag == (y.ndim == 2)
    if y.ndim == 2:
        assert_array_equal(ours, [0, 2, 1, 2])  # the column of each row's 1


def test_check_target_type_refuses_multilabel():
    y = np.array([[1, 1, 0], [0, 0, 1]])
    with pytest.raises(ValueError, match="(?i)multilabel"):
        imb_check_target_type(y)
    with pytest.raises(ValueError, match="(?i)multilabel"):
        check_target_type(y)


def test_check_neighbors_object_builds_or_clones():
    nn = check_neighbors_object("n_neighbors", 3, additional_neighbor=1)
    assert type(nn) is NearestNeighbors and nn.n_neighbors == 4
    ref = imb_check_neighbors_object("n_neighbors", 3, additional_neighbor=1)
    assert nn.get_params() == ref.get_params()
    given = KNeighborsClassifier(n_neighbors=7, weights="distance")
    cloned = check_neighbors_object("n_neighbors", given, additional_neighbor=1)
    assert cloned is not given and type(cloned) is KNeighborsClassifier
    assert cloned.get_params() == given.get_params()  # no neighbour added
    with pytest.raises((TypeError, ValueError), match="n_neighbors"):
        check_neighbors_object("n_neighbors", "three")


def test_is_sampler():
    assert is_sampler(SMOTE()) and is_sampler(RandomUnderSampler())
    assert is_sampler(imb_over.SMOTE())  # imbalanced-learn's samplers too
    assert not is_sampler(LogisticRegression())
    assert not is_sampler(make_pipeline(SMOTE(), LogisticRegression()))
    assert not is_sampler(object())


class _Upcasting(BaseSampler):
    """A sampler that breaks the float32 contract."""

    _sampling_type = "bypass"

    def _fit_resample(self, X, y):
        return X.astype(np.float64), y


def test_check_estimator_passes_a_sampler_and_fails_a_broken_one():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        check_estimator(RandomUnderSampler(random_state=0))
        with pytest.raises(AssertionError, match="float32"):
            check_estimator(_Upcasting())


@pytest.mark.parametrize("squared", [True, False])
def test_index_balanced_accuracy_by_hand(squared):
    # sensitivity (recall of 1) 2/3, specificity (recall of 0) 3/5: G-mean
    # sqrt(2/5); squared 2/5; weighted by 1 + 0.2 * (2/3 - 3/5) = 1 + 1/75
    y_true = [1, 1, 1, 0, 0, 0, 0, 0]
    y_pred = [1, 1, 0, 0, 0, 0, 1, 1]
    iba = make_index_balanced_accuracy(alpha=0.2, squared=squared)(geometric_mean_score)
    gmean = 0.4 if squared else np.sqrt(0.4)
    expected = (1 + 1 / 75) * gmean
    assert iba(y_true, y_pred, average="binary") == pytest.approx(expected, rel=1e-12)


def test_svm_smote_uses_the_given_svm_as_imblearn_does():
    X, y = make_data(n=400, d=4, weights=(0.8, 0.2), seed=2)
    X += np.random.default_rng(2).normal(scale=0.8, size=X.shape)
    svm = SVC(kernel="linear", C=0.5)
    ours = SVMSMOTE(svm_estimator=svm, random_state=0)
    Xa, ya = ours.fit_resample(X, y)
    Xb, yb = imb_over.SVMSMOTE(svm_estimator=svm, random_state=0).fit_resample(X, y)
    assert_array_equal(Xa, Xb)
    assert_array_equal(ya, yb)
    assert ours.svm_estimator_ is not svm
    assert ours.svm_estimator_.get_params() == svm.get_params()
    # the estimator matters: the default RBF SVM picks other support vectors
    Xd, _ = SVMSMOTE(random_state=0).fit_resample(X, y)
    assert Xd.shape == Xa.shape and not np.array_equal(Xd, Xa)
