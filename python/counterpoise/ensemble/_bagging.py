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
        """Fit the ensemble: every bag is resampled, then its learner fitted."""
        self._validate_params()
        check_target_type(y)
        self.sampler_ = self._make_sampler()
        return super().fit(X, y)

    def _fit(self, X, y, max_samples=None, max_depth=None, *args, **kwargs):
        return super()._fit(X, y, self.max_samples, max_depth, *args, **kwargs)

    @property
    def base_estimator_(self):
        raise AttributeError(
            f"{type(self).__name__} object has no attribute 'base_estimator_'; "
            "use 'estimator_'."
        )


class BalancedBaggingClassifier(_SampledBagging):
    """A bagging classifier whose every bag is balanced by a sampler.

    Parameters are imblearn's: scikit-learn's ``BaggingClassifier`` ones plus
    ``sampling_strategy``, ``replacement`` (for the default
    ``RandomUnderSampler``) and ``sampler`` (any sampler, e.g. ``SMOTE()``).

    Attributes
    ----------
    estimator_ : Pipeline
        The sampler and learner fitted on each bag.
    estimators_ : list of Pipeline
    estimators_samples_, estimators_features_ : lists of arrays
    sampler_ : sampler object
    classes_, n_classes_ : labels and their number
    oob_score_, oob_decision_function_ : with ``oob_score=True``
    n_features_in_, feature_names_in_
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
    """Bag of AdaBoost learners, each trained on a balanced random under-sample
    (Liu et al., 2009).

    Attributes
    ----------
    estimator_ : Pipeline
    estimators_ : list of Pipeline
    estimators_samples_, estimators_features_ : lists of arrays
    classes_, n_classes_, n_features_in_, feature_names_in_
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
