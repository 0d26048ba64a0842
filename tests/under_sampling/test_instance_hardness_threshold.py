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


def test_fold_count_behind_the_thread_choice():
    # On >= 5,000 rows the default forest gets the cores when there are more
    # cores than folds; the fold count is the splitter's own (X matters to
    # LeaveOneOut), and a splitter that needs groups counts as the default 5.
    from counterpoise.under_sampling._instance_hardness_threshold import _n_splits
    from sklearn.model_selection import GroupKFold, LeaveOneOut

    X, y = make_data(n=40, d=3, weights=(0.7, 0.3))
    assert _n_splits(StratifiedKFold(3), X, y) == 3
    assert _n_splits(LeaveOneOut(), X, y) == 40
    assert _n_splits(GroupKFold(4), X, y) == 4
    assert _n_splits(PredefinedSplitNeedingGroups(), X, y) == 5


class PredefinedSplitNeedingGroups:
    def get_n_splits(self, X=None, y=None, groups=None):
        if groups is None:
            raise ValueError("The 'groups' parameter should not be None.")
        return 2


@pytest.mark.parametrize(
    "estimator, n, n_jobs, expected",
    [
        ("user", 600, 1, 1),
        ("user", 600, 2, 2),
        ("user", 600, None, -1),
        ("default", 600, 2, 2),
        ("default", 100, None, None),
    ],
)
def test_n_jobs_reaches_the_cross_validation(
    monkeypatch, estimator, n, n_jobs, expected
):
    # a user's n_jobs runs the folds on that many workers; the default runs
    # them on every core, except the default forest on tiny data (threads only
    # add contention there: one fold after another)
    import counterpoise.under_sampling._instance_hardness_threshold as iht

    seen = []

    def spy(*args, n_jobs=None, **kwargs):
        seen.append(n_jobs)
        return cross_val_predict(*args, n_jobs=n_jobs, **kwargs)

    monkeypatch.setattr(iht, "cross_val_predict", spy)
    X, y = make_data(n=n, d=4, weights=(0.8, 0.2))
    InstanceHardnessThreshold(
        estimator=LogisticRegression() if estimator == "user" else None,
        n_jobs=n_jobs,
        random_state=0,
    ).fit_resample(X, y)
    assert seen == [expected]
