"""RUSBoost (Seiffert et al., 2010): a drop-in for imblearn's ``RUSBoostClassifier``.

AdaBoost (SAMME) where each weak learner is fitted on a random under-sample of the
training set (with the boosting weights of the rows kept), while the errors and the
weight updates are computed on the whole set. The under-sampling is counterpoise's
``RandomUnderSampler``; boosting and learners are scikit-learn's.
"""

from __future__ import annotations

import copy
import warnings
from copy import deepcopy

import numpy as np
from sklearn.base import clone
from sklearn.ensemble import AdaBoostClassifier
from sklearn.ensemble._base import _set_random_states
from sklearn.tree import DecisionTreeClassifier
from sklearn.utils._param_validation import Hidden, StrOptions
from sklearn.utils.validation import has_fit_parameter

from ..pipeline import make_pipeline
from ..under_sampling import RandomUnderSampler
from ..utils._validation import check_one_output
from ._bagging import _STRATEGY


class RUSBoostClassifier(AdaBoostClassifier):
    """Boosting with random under-sampling before each weak learner.

    RUSBoost [1]_: AdaBoost (SAMME) in which each round fits its weak learner
    on a random under-sample of the training set, drawn by
    :class:`~counterpoise.under_sampling.RandomUnderSampler`, with the boosting
    weights of the rows kept; the error and the weight update of the round are
    computed on every row. A round no better than chance is discarded, a
    perfect one ends the boosting. Parameters, defaults, fitted attributes and
    random draws are imbalanced-learn 0.14.2's.

    Parameters
    ----------
    estimator : estimator object, default=None
        The weak learner, whose ``fit`` must accept ``sample_weight``; ``None``
        means ``DecisionTreeClassifier(max_depth=1)``.
    n_estimators : int, default=50
        The most boosting rounds.
    learning_rate : float, default=1.0
        Shrinks the weight of each learner.
    algorithm : {"SAMME", "SAMME.R"}, default="deprecated"
        Deprecated, as in imbalanced-learn 0.14.2: setting it warns
        (``FutureWarning``) at every boosting round. Unset or ``'SAMME'``, the
        boosting is SAMME. ``'SAMME.R'`` reproduces imbalanced-learn 0.14.2
        under scikit-learn >= 1.6: the rows are reweighted by the learner's
        class probabilities (real AdaBoost) but every learner votes with weight
        1 (``estimator_weights_`` all ones), since scikit-learn no longer
        predicts with SAMME.R; it needs a learner with ``predict_proba``.
    sampling_strategy : float, str, dict or callable, default="auto"
        What each round's under-sampler keeps, with the meaning it has for
        :class:`~counterpoise.under_sampling.RandomUnderSampler`: a float (the
        ratio ``n_minority / n_majority``, binary targets only), a class
        selection (``'majority'``, ``'not minority'``, ``'not majority'``,
        ``'all'``, ``'auto'``) under-sampled to the minority class's size, a
        dict ``{class: n_samples}`` or a callable ``f(y)`` returning one.
    replacement : bool, default=False
        Whether the under-sampler draws with replacement.
    random_state : int, RandomState instance or None, default=None
        Seeds the learners and the under-samplers of every round; an int gives
        the same ensemble on every run.

    Attributes
    ----------
    estimator_ : estimator
        The unfitted weak learner the rounds are cloned from.
    base_sampler_ : RandomUnderSampler
        The unfitted under-sampler the rounds are cloned from.
    estimators_ : list of estimators
        The fitted learner of each kept round.
    samplers_ : list of RandomUnderSampler
        The under-sampler of each kept round, in the same order.
    pipelines_ : list of Pipeline
        Each round's under-sampler and learner, as a pipeline.
    classes_ : ndarray of shape (n_classes,)
        The class labels.
    n_classes_ : int
        The number of classes.
    estimator_weights_ : ndarray of shape (n_estimators,)
        The weight of each learner in the vote.
    estimator_errors_ : ndarray of shape (n_estimators,)
        The weighted training error of each learner.
    feature_importances_ : ndarray of shape (n_features,)
        The learners' feature importances, averaged with their weights.
    n_features_in_ : int
        The number of features seen by ``fit``.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        The column names seen by ``fit``; defined only when they are all strings.

    See Also
    --------
    BalancedBaggingClassifier : Bagging of any learner with any sampler.
    BalancedRandomForestClassifier : Random forest of trees on balanced
        under-samples.
    EasyEnsembleClassifier : Bag of AdaBoost learners on balanced
        under-samples.

    References
    ----------
    .. [1] C. Seiffert, T. M. Khoshgoftaar, J. Van Hulse and A. Napolitano,
       "RUSBoost: A hybrid approach to alleviating class imbalance", IEEE
       Transactions on Systems, Man, and Cybernetics, Part A: Systems and
       Humans, 40(1), 185-197, 2010.

    Examples
    --------
    >>> from collections import Counter
    >>> from sklearn.datasets import make_classification
    >>> from counterpoise.ensemble import RUSBoostClassifier
    >>> X, y = make_classification(n_samples=200, n_features=4, n_informative=2,
    ...                            weights=[0.9, 0.1], flip_y=0, random_state=0)
    >>> clf = RUSBoostClassifier(n_estimators=5, random_state=0).fit(X, y)
    >>> drawn = y[clf.samplers_[0].sample_indices_]
    >>> sorted(Counter(drawn.tolist()).items())
    [(0, 20), (1, 20)]
    >>> clf.predict(X[:5]).tolist()
    [0, 0, 0, 0, 0]
    """

    _parameter_constraints = copy.deepcopy(AdaBoostClassifier._parameter_constraints)
    _parameter_constraints.update(
        {
            "algorithm": [
                StrOptions({"SAMME", "SAMME.R"}),
                Hidden(StrOptions({"deprecated"})),
            ],
            "sampling_strategy": _STRATEGY,
            "replacement": ["boolean"],
        }
    )

    def __init__(
        self,
        estimator=None,
        *,
        n_estimators=50,
        learning_rate=1.0,
        algorithm="deprecated",
        sampling_strategy="auto",
        replacement=False,
        random_state=None,
    ):
        super().__init__(
            estimator=estimator,
            n_estimators=n_estimators,
            learning_rate=learning_rate,
            random_state=random_state,
        )
        self.algorithm = algorithm
        self.sampling_strategy = sampling_strategy
        self.replacement = replacement

    def fit(self, X, y, sample_weight=None):
        """Build the boosted ensemble from ``X, y``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The training samples.
        y : array-like of shape (n_samples,)
            The class labels.
        sample_weight : array-like of shape (n_samples,), default=None
            The initial boosting weights; ``None`` weighs every row
            ``1 / n_samples``.

        Returns
        -------
        self : object
            The fitted ensemble.
        """
        self._validate_params()
        check_one_output(y)
        self.samplers_ = []
        self.pipelines_ = []
        return super().fit(X, y, sample_weight=sample_weight)

    def _validate_estimator(self):
        default = DecisionTreeClassifier(max_depth=1)
        self.estimator_ = clone(
            self.estimator if self.estimator is not None else default
        )
        if self.algorithm == "SAMME.R" and not hasattr(
            self.estimator_, "predict_proba"
        ):
            raise TypeError(
                "RUSBoostClassifier with algorithm='SAMME.R' requires a weak learner "
                f"with predict_proba, which {type(self.estimator_).__name__} lacks: "
                "use algorithm='SAMME' (or leave algorithm unset) instead."
            )
        if not has_fit_parameter(self.estimator_, "sample_weight"):
            raise ValueError(
                f"{type(self.estimator_).__name__} doesn't support sample_weight; "
                "boosting needs a learner whose fit accepts it."
            )
        self.base_sampler_ = RandomUnderSampler(
            sampling_strategy=self.sampling_strategy, replacement=self.replacement
        )

    def _fit_round(self, iboost, X, y, sample_weight, random_state):
        """Draw this round's under-sample and fit its learner on it."""
        estimator = self._make_estimator(random_state=random_state)
        sampler = clone(self.base_sampler_)
        _set_random_states(sampler, random_state)
        self.samplers_.append(sampler)
        self.pipelines_.append(make_pipeline(deepcopy(sampler), deepcopy(estimator)))

        X_res, y_res = sampler.fit_resample(X, y)
        estimator.fit(
            X_res, y_res, sample_weight=sample_weight[sampler.sample_indices_]
        )
        if iboost == 0:
            self.classes_ = getattr(estimator, "classes_", None)
            self.n_classes_ = len(self.classes_)
        return estimator

    def _boost(self, iboost, X, y, sample_weight, random_state):
        """One boosting round on an under-sample; errors and weights on all rows."""
        if self.algorithm != "deprecated":
            warnings.warn(
                "`algorithm` parameter is deprecated in 0.12 and will be removed in "
                "0.14. In the future, the SAMME algorithm will always be used.",
                FutureWarning,
                stacklevel=3,
            )
        if self.algorithm == "SAMME.R":
            return self._boost_real(iboost, X, y, sample_weight, random_state)
        estimator = self._fit_round(iboost, X, y, sample_weight, random_state)
        incorrect = estimator.predict(X) != y
        error = np.mean(np.average(incorrect, weights=sample_weight, axis=0))
        if error <= 0:  # perfect fit: stop early
            return sample_weight, 1.0, 0.0
        n_classes = self.n_classes_
        if error >= 1.0 - 1.0 / n_classes:  # no better than chance: discard
            self.estimators_.pop(-1)
            self.samplers_.pop(-1)
            self.pipelines_.pop(-1)
            if not self.estimators_:
                raise ValueError(
                    "BaseClassifier in AdaBoostClassifier ensemble is worse than "
                    "random, ensemble can not be fit."
                )
            return None, None, None
        weight = self.learning_rate * (
            np.log((1.0 - error) / error) + np.log(n_classes - 1.0)
        )
        if iboost != self.n_estimators - 1:
            sample_weight = sample_weight * np.exp(
                weight * incorrect * (sample_weight > 0)
            )
        return sample_weight, weight, error

    def _boost_real(self, iboost, X, y, sample_weight, random_state):
        """One round of imbalanced-learn 0.14.2's deprecated ``'SAMME.R'``: the
        rows are reweighted by the learner's class probabilities (Zhu et al.'s
        real AdaBoost) and the learner votes with weight 1."""
        estimator = self._fit_round(iboost, X, y, sample_weight, random_state)
        proba = estimator.predict_proba(X)
        incorrect = self.classes_.take(np.argmax(proba, axis=1), axis=0) != y
        error = np.mean(np.average(incorrect, weights=sample_weight, axis=0))
        if error <= 0:
            return sample_weight, 1.0, 0.0
        n_classes = self.n_classes_
        # the target coded 1 for its class and -1 / (K - 1) for the others
        coding = np.where(self.classes_ == y[:, None], 1.0, -1.0 / (n_classes - 1))
        proba = np.clip(proba, np.finfo(proba.dtype).eps, None)
        boost = (
            -self.learning_rate
            * ((n_classes - 1.0) / n_classes)
            * (coding * np.log(proba)).sum(axis=1)
        )
        if iboost != self.n_estimators - 1:
            sample_weight = sample_weight * np.exp(
                boost * ((sample_weight > 0) | (boost < 0))
            )
        return sample_weight, 1.0, error
