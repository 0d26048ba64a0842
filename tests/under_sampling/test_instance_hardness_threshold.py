"""InstanceHardnessThreshold: the kept rows are the easiest of each class, any
labels, and the classifier check."""

import numpy as np
import pytest
from counterpoise.under_sampling import InstanceHardnessThreshold
from numpy.testing import assert_array_equal
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_predict

from ..conftest import make_data


def _data(seed=0):
    X, y = make_data(n=300, d=4, weights=(0.55, 0.3, 0.15), seed=seed)
    X += np.random.default_rng(seed).normal(scale=0.8, size=X.shape)
    return X, y


def test_kept_rows_are_those_at_or_above_the_class_percentile():
    X, y = _data(1)
    folds = StratifiedKFold(n_splits=3, shuffle=True, random_state=0)
    sampler = InstanceHardnessThreshold(estimator=LogisticRegression(), cv=folds)
    _, y_res = sampler.fit_resample(X, y)
    proba = cross_val_predict(
        LogisticRegression(), X, y, cv=folds, method="predict_proba"
    )
    own = proba[np.arange(y.size), y]
    counts = np.bincount(y)
    for klass in np.unique(y):
        rows = np.flatnonzero(y == klass)
        kept = sampler.sample_indices_[y_res == klass]
        if klass not in sampler.sampling_strategy_:
            assert_array_equal(kept, rows)
            continue
        assert kept.size >= sampler.sampling_strategy_[klass]
        dropped = np.setdiff1d(rows, kept)
        assert own[kept].min() >= own[dropped].max()
        assert kept.size < counts[klass]


def test_labels_need_not_be_a_range():
    X, y = _data(2)
    names = np.array(["low", "mid", "top"])[y]
    ints = InstanceHardnessThreshold(estimator=LogisticRegression(), random_state=0)
    strs = InstanceHardnessThreshold(estimator=LogisticRegression(), random_state=0)
    ints.fit_resample(X, y)
    _, y_res = strs.fit_resample(X, names)
    assert_array_equal(ints.sample_indices_, strs.sample_indices_)
    assert set(y_res) == {"low", "mid", "top"}


def test_an_estimator_without_predict_proba_is_refused():
    from sklearn.svm import LinearSVC

    X, y = _data()
    with pytest.raises(ValueError, match="predict_proba"):
        InstanceHardnessThreshold(estimator=LinearSVC()).fit_resample(X, y)
