"""InstanceHardnessCV gives imbalanced-learn's folds (its splitter is the oracle)
and refuses what it cannot split with a clear error."""

import numpy as np
import pytest
from counterpoise.model_selection import InstanceHardnessCV
from imblearn.model_selection import InstanceHardnessCV as Theirs
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression
from sklearn.naive_bayes import GaussianNB


def _folds(cv, X, y, groups=None):
    return [(tr.tolist(), te.tolist()) for tr, te in cv.split(X, y, groups)]


@pytest.mark.parametrize("seed", [0, 1])
@pytest.mark.parametrize("n_splits", [2, 3, 5])
@pytest.mark.parametrize("labels", [None, ("neg", "pos"), (3, -1)])
def test_same_folds_as_imblearn(seed, n_splits, labels):
    X, y = make_classification(
        n_samples=120, weights=[0.8], flip_y=0.05, random_state=seed
    )
    if labels is not None:
        y = np.asarray(labels, dtype=object if isinstance(labels[0], str) else None)[y]
    for pos_label in [None, *np.unique(y).tolist()]:
        kw = dict(n_splits=n_splits, pos_label=pos_label)
        ours = _folds(InstanceHardnessCV(GaussianNB(), **kw), X, y)
        theirs = _folds(Theirs(GaussianNB(), **kw), X, y)
        assert ours == theirs
        assert InstanceHardnessCV(GaussianNB(), **kw).get_n_splits() == n_splits
    # every sample is tested exactly once
    tested = np.sort(np.concatenate([np.asarray(te) for _, te in ours]))
    assert tested.tolist() == list(range(len(y)))


def test_groups_warn_and_are_ignored():
    X, y = make_classification(n_samples=60, random_state=0)
    cv = InstanceHardnessCV(LogisticRegression(), n_splits=3)
    with pytest.warns(UserWarning, match="groups parameter is ignored"):
        with_groups = _folds(cv, X, y, groups=np.arange(60))
    assert with_groups == _folds(cv, X, y)


@pytest.mark.parametrize(
    "kw, y, match",
    [
        ({}, np.arange(60) % 3, "only supports binary"),
        ({"pos_label": 7}, np.arange(60) % 2, "pos_label=7 is not one of"),
        ({"n_splits": 1}, np.arange(60) % 2, "n_splits must be an integer"),
    ],
)
def test_errors(kw, y, match):
    X = np.random.RandomState(0).rand(60, 3)
    with pytest.raises(ValueError, match=match):
        next(InstanceHardnessCV(LogisticRegression(), **kw).split(X, y))
