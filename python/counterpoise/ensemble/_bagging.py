"""Balanced bagging (Hido et al., 2009; Liu et al., 2009): drop-ins for imblearn's
``BalancedBaggingClassifier`` and ``EasyEnsembleClassifier``.

Each bag's estimator is ``Pipeline([('sampler', sampler), ('classifier', est)])``:
the bag is resampled (by default with ``RandomUnderSampler``, through the Rust row
gather) before the learner sees it, and only at fit time. Any sampler works, so
SMOTE-bagging is ``BalancedBaggingClassifier(sampler=SMOTE())``. The learners and
the bagging itself are scikit-learn's ``BaggingClassifier``.
"""

from __future__ import annotations

import copy

import numpy as np
from sklearn.base import clone
from sklearn.ensemble import AdaBoostClassifier, BaggingClassifier
from sklearn.tree import DecisionTreeClassifier
from sklearn.utils._param_validation import HasMethods

from ..pipeline import Pipeline
from ..under_sampling import RandomUnderSampler
from ..under_sampling.base import BaseUnderSampler
from ..utils._validation import check_sampling_strategy, check_target_type

# The same values an under-sampler accepts (a dict is a Mapping).
_STRATEGY = BaseUnderSampler._parameter_constraints["sampling_strategy"]


class _SampledBagging(BaggingClassifier):
    """Bagging whose bags are resampled by ``self.sampler_`` before fitting."""

    def _make_sampler(self):
        raise NotImplementedError

    def _validate_y(self, y):
        y_encoded = super()._validate_y(y)
        kind = getattr(self.sampler_, "_sampling_type", "under-sampling")
        if isinstance(self.sampling_strategy, dict) and kind != "bypass":
            # The bags see encoded labels: translate the classes of the dict.
            resolved = check_sampling_strategy(self.sampling_strategy, y, kind)
            self._sampling_strategy = {
                int(np.flatnonzero(self.classes_ == c)[0]): n
                for c, n in resolved.items()
            }
        else:
            self._sampling_strategy = self.sampling_strategy
        return y_encoded

    def _validate_estimator(self, default=None):
        estimator = clone(self.estimator if self.estimator is not None else default)
        if getattr(self.sampler_, "_sampling_type", None) != "bypass":
            self.sampler_.set_params(sampling_strategy=self._sampling_strategy)
        self.estimator_ = Pipeline(
            [("sampler", self.sampler_), ("classifier", estimator)]
        )

    def fit(self, X, y):
        """Fit the ensemble: every bag is resampled, then its learner fitted.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The training samples.
        y : array-like of shape (n_samples,)
            The class labels (binary or multiclass).

        Returns
        -------
        self : object
            The fitted ensemble.
        """
        self._validate_params()
        check_target_type(y)
        self.sampler_ = self._make_sampler()
        return super().fit(X, y)

    def _fit(self, X, y, max_samples=None, max_depth=None, *args, **kwargs):
        return super()._fit(X, y, self.max_samples, max_depth, *args, **kwargs)

    @property
    def base_estimator_(self):
        """Removed alias of ``estimator_``: reading it raises ``AttributeError``."""
        raise AttributeError(
            f"{type(self).__name__} object has no attribute 'base_estimator_'; "
            "use 'estimator_'."
        )


class BalancedBaggingClassifier(_SampledBagging):
    """A bagging classifier whose every bag is balanced by a sampler.

    scikit-learn's ``BaggingClassifier`` with one step added: each member is
    ``Pipeline([('sampler', sampler), ('classifier', estimator)])``, so the rows
    drawn for a bag are resampled before its learner sees them, and only at
    fit time (prediction uses every learner on the unchanged input). With the
    default :class:`~counterpoise.under_sampling.RandomUnderSampler` every bag
    is exactly balanced, the under-bagging that roughly balanced bagging [1]_
    is measured against; ``sampler=RandomOverSampler()`` gives over-bagging
    [2]_ and ``sampler=SMOTE()`` SMOTE-bagging [3]_. Parameters, defaults,
    fitted attributes and random draws are imbalanced-learn 0.14.2's; the
    default sampler gathers its rows in counterpoise's Rust core.

    Parameters
    ----------
    estimator : estimator object, default=None
        The learner fitted on each balanced bag; ``None`` means a
        ``DecisionTreeClassifier``.
    n_estimators : int, default=10
        The number of members in the ensemble.
    max_samples : int or float, default=1.0
        Rows drawn for each bag, before resampling: an int is a count, a float
        a fraction of ``X.shape[0]``.
    max_features : int or float, default=1.0
        Features drawn for each bag: an int is a count, a float a fraction of
        ``X.shape[1]``.
    bootstrap : bool, default=True
        Whether the rows of a bag are drawn with replacement.
    bootstrap_features : bool, default=False
        Whether the features of a bag are drawn with replacement.
    oob_score : bool, default=False
        Whether to score the ensemble on each row with the members whose bag
        did not draw it.
    warm_start : bool, default=False
        Whether a new ``fit`` keeps the members already fitted and only adds
        more, up to ``n_estimators``.
    sampling_strategy : float, str, dict or callable, default='auto'
        How much each bag's sampler resamples, with the meaning it has for
        :class:`~counterpoise.under_sampling.RandomUnderSampler`:

        - float (binary targets only): the ratio ``n_minority / n_majority``
          wanted after resampling;
        - str: which classes are under-sampled to the minority class's size,
          one of ``'majority'``, ``'not minority'``, ``'not majority'``,
          ``'all'`` and ``'auto'`` (``'not minority'``);
        - dict: ``{class: n_samples}`` to keep for each class named;
        - callable: ``f(y)`` returning such a dict.

        A dict is written with the original labels; the bags see the labels
        encoded ``0..n_classes - 1`` and the dict is translated for them.
    replacement : bool, default=False
        Whether the default ``RandomUnderSampler`` draws with replacement;
        ignored when ``sampler`` is given.
    n_jobs : int, default=None
        Number of jobs fitting the members and predicting in parallel (joblib);
        ``None`` means 1 unless in a ``joblib.parallel_backend`` context, ``-1``
        all processors.
    random_state : int, RandomState instance or None, default=None
        Seeds the bags, the features drawn, the samplers and the learners, as
        scikit-learn's ``BaggingClassifier`` does; an int gives the same
        ensemble on every run and for any ``n_jobs``.
    verbose : int, default=0
        Verbosity of the fitting and predicting.
    sampler : sampler object, default=None
        Any object with ``fit_resample`` (a counterpoise or imbalanced-learn
        sampler), cloned for each bag; ``None`` means
        ``RandomUnderSampler(replacement=replacement)``.

    Attributes
    ----------
    estimator_ : Pipeline
        The unfitted member (sampler and learner) the ensemble is cloned from.
    estimators_ : list of Pipeline
        The fitted members, each a sampler followed by its learner.
    sampler_ : sampler object
        The sampler made from ``sampler`` (or the default one).
    estimators_samples_ : list of ndarray
        The rows drawn for each bag, before its sampler resampled them.
    estimators_features_ : list of ndarray
        The features drawn for each bag.
    classes_ : ndarray of shape (n_classes,)
        The class labels.
    n_classes_ : int
        The number of classes.
    oob_score_ : float
        The out-of-bag accuracy; only with ``oob_score=True``.
    oob_decision_function_ : ndarray of shape (n_samples, n_classes)
        The out-of-bag class probabilities of each training row (NaN for a row
        every bag drew); only with ``oob_score=True``.
    n_features_in_ : int
        The number of features seen by ``fit``.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        The column names seen by ``fit``; defined only when they are all strings.

    See Also
    --------
    EasyEnsembleClassifier : Bag of AdaBoost learners on balanced under-samples.
    BalancedRandomForestClassifier : Random forest of trees on balanced
        under-samples.
    RUSBoostClassifier : AdaBoost with random under-sampling at each round.
    counterpoise.pipeline.Pipeline : The sampler-aware pipeline each member is.

    References
    ----------
    .. [1] S. Hido, H. Kashima and Y. Takahashi, "Roughly balanced bagging for
       imbalanced data", Statistical Analysis and Data Mining, 2(5-6),
       412-426, 2009.
    .. [2] R. Maclin and D. Opitz, "An empirical evaluation of bagging and
       boosting", AAAI/IAAI, 546-551, 1997.
    .. [3] S. Wang and X. Yao, "Diversity analysis on imbalanced data sets by
       using ensemble models", IEEE Symposium on Computational Intelligence
       and Data Mining, 324-331, 2009.
    .. [4] L. Breiman, "Bagging predictors", Machine Learning, 24(2), 123-140,
       1996.

    Examples
    --------
    >>> from collections import Counter
    >>> from sklearn.datasets import make_classification
    >>> from counterpoise.ensemble import BalancedBaggingClassifier
    >>> X, y = make_classification(n_samples=200, n_features=4, n_informative=2,
    ...                            weights=[0.9, 0.1], flip_y=0, random_state=0)
    >>> sorted(Counter(y.tolist()).items())
    [(0, 180), (1, 20)]
    >>> clf = BalancedBaggingClassifier(n_estimators=5, random_state=0).fit(X, y)
    >>> len(clf.estimators_)
    5
    >>> clf.predict(X[:5]).tolist()
    [0, 0, 0, 0, 0]
    """

    _parameter_constraints = copy.deepcopy(BaggingClassifier._parameter_constraints)
    _parameter_constraints.update(
        {
            "sampling_strategy": _STRATEGY,
            "replacement": ["boolean"],
            "sampler": [HasMethods(["fit_resample"]), None],
        }
    )

    def __init__(
        self,
        estimator=None,
        n_estimators=10,
        *,
        max_samples=1.0,
        max_features=1.0,
        bootstrap=True,
        bootstrap_features=False,
        oob_score=False,
        warm_start=False,
        sampling_strategy="auto",
        replacement=False,
        n_jobs=None,
        random_state=None,
        verbose=0,
        sampler=None,
    ):
        super().__init__(
            n_estimators=n_estimators,
            max_samples=max_samples,
            max_features=max_features,
            bootstrap=bootstrap,
            bootstrap_features=bootstrap_features,
            oob_score=oob_score,
            warm_start=warm_start,
            n_jobs=n_jobs,
            random_state=random_state,
            verbose=verbose,
        )
        self.estimator = estimator
        self.sampling_strategy = sampling_strategy
        self.replacement = replacement
        self.sampler = sampler

    def _get_estimator(self):
        return (
            self.estimator if self.estimator is not None else DecisionTreeClassifier()
        )

    def _make_sampler(self):
        if self.sampler is None:
            return RandomUnderSampler(replacement=self.replacement)
        return clone(self.sampler)


class EasyEnsembleClassifier(_SampledBagging):
    """Bag of AdaBoost learners, each trained on a balanced random under-sample.

    EasyEnsemble [1]_: every member is AdaBoost fitted on all the minority rows
    and an equally sized random subset of the others, drawn without
    replacement by :class:`~counterpoise.under_sampling.RandomUnderSampler`;
    prediction averages the members. The bags take every row and feature (no
    bootstrap), so the under-sampling is the only randomness besides the
    learners'. Parameters, defaults, fitted attributes and random draws are
    imbalanced-learn 0.14.2's.

    Parameters
    ----------
    n_estimators : int, default=10
        The number of AdaBoost learners in the ensemble.
    estimator : estimator object, default=None
        The learner fitted on each under-sample; ``None`` means scikit-learn's
        ``AdaBoostClassifier()``.
    warm_start : bool, default=False
        Whether a new ``fit`` keeps the members already fitted and only adds
        more, up to ``n_estimators``.
    sampling_strategy : float, str, dict or callable, default='auto'
        How much each bag's sampler resamples, with the meaning it has for
        :class:`~counterpoise.under_sampling.RandomUnderSampler`:

        - float (binary targets only): the ratio ``n_minority / n_majority``
          wanted after resampling;
        - str: which classes are under-sampled to the minority class's size,
          one of ``'majority'``, ``'not minority'``, ``'not majority'``,
          ``'all'`` and ``'auto'`` (``'not minority'``);
        - dict: ``{class: n_samples}`` to keep for each class named;
        - callable: ``f(y)`` returning such a dict.

        A dict is written with the original labels; the bags see the labels
        encoded ``0..n_classes - 1`` and the dict is translated for them.
    replacement : bool, default=False
        Whether the under-sampler draws with replacement.
    n_jobs : int, default=None
        Number of jobs fitting the members and predicting in parallel (joblib);
        ``None`` means 1 unless in a ``joblib.parallel_backend`` context, ``-1``
        all processors.
    random_state : int, RandomState instance or None, default=None
        Seeds the bags, the features drawn, the samplers and the learners, as
        scikit-learn's ``BaggingClassifier`` does; an int gives the same
        ensemble on every run and for any ``n_jobs``.
    verbose : int, default=0
        Verbosity of the fitting and predicting.

    Attributes
    ----------
    estimator_ : Pipeline
        The unfitted member (under-sampler and learner) the ensemble is cloned
        from.
    estimators_ : list of Pipeline
        The fitted members, each an under-sampler followed by its learner.
    sampler_ : RandomUnderSampler
        The under-sampler each member starts from.
    estimators_samples_ : list of ndarray
        The rows given to each member, before its under-sampler.
    estimators_features_ : list of ndarray
        The features given to each member (all of them).
    classes_ : ndarray of shape (n_classes,)
        The class labels.
    n_classes_ : int
        The number of classes.
    n_features_in_ : int
        The number of features seen by ``fit``.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        The column names seen by ``fit``; defined only when they are all strings.

    See Also
    --------
    BalancedBaggingClassifier : Bagging of any learner with any sampler.
    BalancedRandomForestClassifier : Random forest of trees on balanced
        under-samples.
    RUSBoostClassifier : AdaBoost with random under-sampling at each round.

    References
    ----------
    .. [1] X.-Y. Liu, J. Wu and Z.-H. Zhou, "Exploratory undersampling for
       class-imbalance learning", IEEE Transactions on Systems, Man, and
       Cybernetics, Part B (Cybernetics), 39(2), 539-550, 2009.

    Examples
    --------
    >>> from collections import Counter
    >>> from sklearn.datasets import make_classification
    >>> from counterpoise.ensemble import EasyEnsembleClassifier
    >>> X, y = make_classification(n_samples=200, n_features=4, n_informative=2,
    ...                            weights=[0.9, 0.1], flip_y=0, random_state=0)
    >>> clf = EasyEnsembleClassifier(n_estimators=3, random_state=0).fit(X, y)
    >>> sampler = clf.estimators_[0].named_steps["sampler"]
    >>> sorted(Counter(y[sampler.sample_indices_].tolist()).items())
    [(0, 20), (1, 20)]
    >>> clf.predict(X[:5]).tolist()
    [0, 0, 0, 0, 0]
    """

    _parameter_constraints = copy.deepcopy(BaggingClassifier._parameter_constraints)
    for _name in (
        "bootstrap",
        "bootstrap_features",
        "max_features",
        "oob_score",
        "max_samples",
    ):
        _parameter_constraints.pop(_name, None)
    _parameter_constraints.update(
        {"sampling_strategy": _STRATEGY, "replacement": ["boolean"]}
    )

    def __init__(
        self,
        n_estimators=10,
        estimator=None,
        *,
        warm_start=False,
        sampling_strategy="auto",
        replacement=False,
        n_jobs=None,
        random_state=None,
        verbose=0,
    ):
        super().__init__(
            n_estimators=n_estimators,
            max_samples=1.0,
            max_features=1.0,
            bootstrap=False,
            bootstrap_features=False,
            oob_score=False,
            warm_start=warm_start,
            n_jobs=n_jobs,
            random_state=random_state,
            verbose=verbose,
        )
        self.estimator = estimator
        self.sampling_strategy = sampling_strategy
        self.replacement = replacement

    def _get_estimator(self):
        return self.estimator if self.estimator is not None else AdaBoostClassifier()

    def _make_sampler(self):
        return RandomUnderSampler(replacement=self.replacement)
