"""Instance hardness threshold (Smith et al., 2014): a drop-in for imblearn's
``InstanceHardnessThreshold``.

Cross-validated probabilities of each row's own class from the user's classifier
(a random forest by default), then per class the rows above the percentile that
keeps the requested count. The folds are imblearn's (``StratifiedKFold(cv,
shuffle=True, random_state=...)`` from the same generator), so the same seed keeps
the same rows. Unlike imblearn, the fold fits run on every core by default, in
threads (``n_jobs=None`` means all cores here; the probabilities do not depend on
it), and labels need not be 0..n_classes-1.
"""

from __future__ import annotations

import numbers

import numpy as np
from joblib import parallel_config
from sklearn.base import clone, is_classifier
from sklearn.ensemble import RandomForestClassifier
from sklearn.ensemble._base import _set_random_states
from sklearn.model_selection import StratifiedKFold, check_cv, cross_val_predict
from sklearn.utils._param_validation import HasMethods

from ..utils._containers import take_rows
from ..utils._threads import _cpu_count
from ..utils._validation import check_random_state
from .base import BaseUnderSampler

# The default forest's schedule (see _fit_resample): below _TINY_ROWS rows one
# fold after another, each forest on one thread; below _SMALL_ROWS the folds in
# parallel, each forest on one thread; from there on, with more cores than
# folds, one fold after another, each forest on every core.
_TINY_ROWS = 1000
_SMALL_ROWS = 5000


def _n_splits(folds, X, y) -> int:
    try:
        return int(folds.get_n_splits(X, y))
    except Exception:  # a splitter that needs groups: assume the default, 5
        return 5


class InstanceHardnessThreshold(BaseUnderSampler):
    """Under-sample the samples a classifier finds hardest.

    Smith et al.'s instance hardness: a classifier's cross-validated
    probability of each sample's own class. In each class to under-sample, the
    samples whose probability is below the percentile that keeps the requested
    count are removed (ties at the threshold are kept, so a class may keep a
    few more). The folds are imbalanced-learn's (``StratifiedKFold(cv,
    shuffle=True)`` drawn from the same generator), so the same seed keeps the
    same samples. Unlike imbalanced-learn, the fold fits run in threads on
    every core by default and labels need not be ``0 .. n_classes - 1``.

    Parameters
    ----------
    estimator : estimator object, default=None
        A classifier with ``predict_proba``, cloned before use (its random
        states are set from ``random_state``). ``None`` means
        ``RandomForestClassifier(n_estimators=100, random_state=random_state,
        n_jobs=n_jobs)``.
    sampling_strategy : float, str, dict or callable, default='auto'
        Which classes to under-sample and to how many samples. A float is the
        desired ratio of minority to majority samples after resampling (binary
        problems only); 'majority', 'not minority', 'not majority', 'all' or
        'auto' (= 'not minority') name the classes to reduce to the minority's
        count; a dict maps each targeted class to the number of samples to
        keep; a callable takes ``y`` and returns such a dict.
    random_state : int, RandomState instance or None, default=None
        Seed of the folds' shuffle and of the classifier.
    cv : int, cross-validation generator or iterable, default=5
        The folds: an int is the number of stratified shuffled folds, anything
        else is passed to scikit-learn's ``check_cv``.
    n_jobs : int, default=None
        Number of threads fitting the folds (or, with the default forest and
        ``None``, growing each forest's trees); ``None`` means every core here,
        not one as in imbalanced-learn. The probabilities do not depend on it.

    Attributes
    ----------
    sampling_strategy_ : dict
        Each class to under-sample mapped to the number of samples to keep.
    estimator_ : estimator object
        The classifier (an unfitted clone; the folds fit their own copies).
    sample_indices_ : ndarray of shape (n_new_samples,)
        Indices of the kept samples in the input.
    n_features_in_ : int
        Number of features seen during ``fit_resample``.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Feature names seen during ``fit_resample``; defined only when ``X`` has
        string column names.

    See Also
    --------
    NearMiss : Keep samples by their distance to the minority class.
    RandomUnderSampler : Keep a random subset of each class.

    References
    ----------
    .. [1] M. R. Smith, T. Martinez and C. Giraud-Carrier, "An instance level
       analysis of data complexity," Machine Learning, 95(2), 225-256, 2014.

    Examples
    --------
    >>> from collections import Counter
    >>> from sklearn.datasets import make_classification
    >>> from sklearn.linear_model import LogisticRegression
    >>> from counterpoise.under_sampling import InstanceHardnessThreshold
    >>> X, y = make_classification(n_samples=1000, n_features=4, n_informative=3,
    ...                            n_redundant=1, n_clusters_per_class=1,
    ...                            weights=[0.9, 0.1], flip_y=0, random_state=0)
    >>> sorted(Counter(y.tolist()).items())
    [(0, 900), (1, 100)]
    >>> iht = InstanceHardnessThreshold(estimator=LogisticRegression(), random_state=0)
    >>> X_res, y_res = iht.fit_resample(X, y)
    >>> sorted(Counter(y_res.tolist()).items())
    [(0, 100), (1, 100)]
    """

    _parameter_constraints: dict = {
        **BaseUnderSampler._parameter_constraints,
        "estimator": [HasMethods(["fit", "predict_proba"]), None],
        "cv": ["cv_object"],
        "n_jobs": [numbers.Integral, None],
        "random_state": ["random_state"],
    }

    def __init__(
        self,
        *,
        estimator=None,
        sampling_strategy="auto",
        random_state=None,
        cv=5,
        n_jobs=None,
    ):
        super().__init__(sampling_strategy=sampling_strategy)
        self.random_state = random_state
        self.estimator = estimator
        self.cv = cv
        self.n_jobs = n_jobs

    def _validate_estimator(self, random_state):
        if self.estimator is None:
            self.estimator_ = RandomForestClassifier(
                n_estimators=100, random_state=self.random_state, n_jobs=self.n_jobs
            )
        elif is_classifier(self.estimator) and hasattr(self.estimator, "predict_proba"):
            self.estimator_ = clone(self.estimator)
            _set_random_states(self.estimator_, random_state)
        else:
            raise ValueError(
                "Invalid parameter `estimator`: it must be a classifier with a "
                f"`predict_proba` method; got {self.estimator!r}. Use e.g. "
                "LogisticRegression() or RandomForestClassifier()."
            )

    def _fit_resample(self, X, y):
        random_state = check_random_state(self.random_state)
        self._validate_estimator(random_state)
        classes, counts = np.unique(y, return_counts=True)
        if isinstance(self.cv, numbers.Integral):
            folds = StratifiedKFold(
                n_splits=self.cv, shuffle=True, random_state=random_state
            )
        else:
            folds = check_cv(self.cv, y, classifier=True)
        # Folds run in threads: scikit-learn's forests and trees release the GIL,
        # and no worker processes are spawned (a process pool started inside a
        # forked worker can keep that worker from exiting). The default forest
        # (with n_jobs=None) instead grows each fold's trees on every core, one fold
        # after another, when there are more cores than folds (five folds in
        # parallel would use only five cores) and the data are not small (there a
        # forest's own thread pool per fold costs more than it saves). On tiny
        # data, where a tree is mostly Python overhead that holds the GIL, threads
        # only add contention: the folds run one after another. A forest's output
        # does not depend on its n_jobs.
        estimator, fold_jobs = (
            self.estimator_,
            (-1 if self.n_jobs is None else self.n_jobs),
        )
        if self.estimator is None and self.n_jobs is None:
            if X.shape[0] < _TINY_ROWS:
                fold_jobs = None
            elif X.shape[0] >= _SMALL_ROWS and _cpu_count() > _n_splits(folds, X, y):
                estimator = clone(self.estimator_).set_params(n_jobs=-1)
                fold_jobs = 1
        with parallel_config(backend="threading"):
            probabilities = cross_val_predict(
                estimator,
                X,
                y,
                cv=folds,
                n_jobs=fold_jobs,
                method="predict_proba",
            )
        own = probabilities[np.arange(y.shape[0]), np.searchsorted(classes, y)]
        kept = []
        for target_class, count in zip(classes, counts):
            rows = np.flatnonzero(y == target_class)
            if target_class in self.sampling_strategy_:
                n_samples = self.sampling_strategy_[target_class]
                threshold = np.percentile(own[rows], (1.0 - n_samples / count) * 100.0)
                rows = rows[own[rows] >= threshold]
            kept.append(rows)
        self.sample_indices_ = np.concatenate(kept).astype(np.int64)
        return take_rows(X, self.sample_indices_), y[self.sample_indices_]
