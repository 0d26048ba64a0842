"""RUSBoost (Seiffert et al., 2010): a drop-in for imblearn's ``RUSBoostClassifier``.

AdaBoost (SAMME) where each weak learner is fitted on a random under-sample of the
training set (with the boosting weights of the rows kept), while the errors and the
weight updates are computed on the whole set. The under-sampling is counterpoise's
``RandomUnderSampler``; boosting and learners are scikit-learn's.
"""

from __future__ import annotations

import copy
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
from ._bagging import _STRATEGY


class RUSBoostClassifier(AdaBoostClassifier):
    """Boosting with random under-sampling before each weak learner.

    Attributes
    ----------
    estimator_ : estimator
    base_sampler_ : RandomUnderSampler
    estimators_ : list of estimators
    samplers_ : list of RandomUnderSampler
    pipelines_ : list of Pipeline (sampler and estimator of each round)
    classes_, n_classes_ : labels and their number
    estimator_weights_, estimator_errors_ : ndarray of shape (n_estimators,)
    feature_importances_, n_features_in_, feature_names_in_
    """

    _parameter_constraints = copy.deepcopy(AdaBoostClassifier._parameter_constraints)
    _parameter_constraints.update(
        {
            "algorithm": [Hidden(StrOptions({"deprecated", "SAMME"}))],
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
        """Build the boosted ensemble from ``X, y``."""
        self._validate_params()
        self.samplers_ = []
        self.pipelines_ = []
        return super().fit(X, y, sample_weight=sample_weight)

    def _validate_estimator(self):
        default = DecisionTreeClassifier(max_depth=1)
        self.estimator_ = clone(
            self.estimator if self.estimator is not None else default
        )
        if not has_fit_parameter(self.estimator_, "sample_weight"):
            raise ValueError(
                f"{type(self.estimator_).__name__} doesn't support sample_weight; "
                "boosting needs a learner whose fit accepts it."
            )
        self.base_sampler_ = RandomUnderSampler(
            sampling_strategy=self.sampling_strategy, replacement=self.replacement
        )

    def _boost(self, iboost, X, y, sample_weight, random_state):
        """One SAMME round on an under-sample; errors and weights on all rows."""
        estimator = self._make_estimator(random_state=random_state)
        sampler = clone(self.base_sampler_)
        _set_random_states(sampler, random_state)
        self.samplers_.append(sampler)
        self.pipelines_.append(make_pipeline(deepcopy(sampler), deepcopy(estimator)))

        X_res, y_res = sampler.fit_resample(X, y)
        estimator.fit(
            X_res, y_res, sample_weight=sample_weight[sampler.sample_indices_]
        )
        predicted = estimator.predict(X)
        if iboost == 0:
            self.classes_ = getattr(estimator, "classes_", None)
            self.n_classes_ = len(self.classes_)
        incorrect = predicted != y
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
