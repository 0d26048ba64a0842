"""Balanced random forest (Chen, Liaw & Breiman, 2004): a drop-in for imblearn's
``BalancedRandomForestClassifier`` (defaults of imblearn 0.14: ``sampling_strategy=
'all'``, ``replacement=True``, ``bootstrap=False``).

Every tree is grown on its own random under-sample of the training set (so each
sees balanced classes), optionally bootstrapped again. The under-sampling is
counterpoise's ``RandomUnderSampler``; the trees are scikit-learn's, fitted in
threads (tree building releases the GIL). Prediction, probabilities and feature
importances are scikit-learn's ``RandomForestClassifier``'s, over these trees.
"""

from __future__ import annotations

import copy
import numbers
from copy import deepcopy

import numpy as np
from joblib import Parallel, delayed
from sklearn.base import clone
from sklearn.ensemble import RandomForestClassifier
from sklearn.tree import DecisionTreeClassifier
from sklearn.utils import check_random_state
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import _check_sample_weight, validate_data

from ..pipeline import make_pipeline
from ..under_sampling import RandomUnderSampler
from ..utils._validation import check_sampling_strategy
from ._bagging import _STRATEGY

_MAX_INT = np.iinfo(np.int32).max
_TREE_PARAMS = (
    "criterion",
    "max_depth",
    "min_samples_split",
    "min_samples_leaf",
    "min_weight_fraction_leaf",
    "max_features",
    "max_leaf_nodes",
    "min_impurity_decrease",
    "ccp_alpha",
    "monotonic_cst",
)


def _grow(sampler, tree, X, y, sample_weight, bootstrap, max_samples, seed):
    """Fit one tree on its sampler's under-sample (bootstrapped when asked)."""
    X_res, y_res = sampler.fit_resample(X, y)
    weight = None if sample_weight is None else sample_weight[sampler.sample_indices_]
    if bootstrap:
        n = X_res.shape[0]
        size = (
            n
            if max_samples is None
            else (
                max_samples
                if isinstance(max_samples, numbers.Integral)
                else max(round(n * max_samples), 1)
            )
        )
        draws = check_random_state(seed).randint(0, n, min(size, n))
        counts = np.bincount(draws, minlength=n).astype(np.float64)
        weight = counts if weight is None else weight * counts
    tree.fit(X_res, y_res, sample_weight=weight)
    return sampler, tree


class BalancedRandomForestClassifier(RandomForestClassifier):
    """A random forest whose trees each see a balanced random under-sample.

    Parameters are imblearn's: scikit-learn's ``RandomForestClassifier`` ones plus
    ``sampling_strategy`` and ``replacement`` for the per-tree under-sampler.

    Attributes
    ----------
    estimator_ : DecisionTreeClassifier
    base_sampler_ : RandomUnderSampler
    estimators_ : list of DecisionTreeClassifier
    samplers_ : list of RandomUnderSampler
    pipelines_ : list of Pipeline (sampler and tree of each member)
    classes_, n_classes_, n_outputs_, n_features_in_, feature_names_in_
    feature_importances_ : ndarray
    """

    _parameter_constraints = copy.deepcopy(
        RandomForestClassifier._parameter_constraints
    )
    _parameter_constraints.update(
        {
            "sampling_strategy": _STRATEGY,
            "replacement": ["boolean"],
        }
    )

    def __init__(
        self,
        n_estimators=100,
        *,
        criterion="gini",
        max_depth=None,
        min_samples_split=2,
        min_samples_leaf=1,
        min_weight_fraction_leaf=0.0,
        max_features="sqrt",
        max_leaf_nodes=None,
        min_impurity_decrease=0.0,
        bootstrap=False,
        oob_score=False,
        sampling_strategy="all",
        replacement=True,
        n_jobs=None,
        random_state=None,
        verbose=0,
        warm_start=False,
        class_weight=None,
        ccp_alpha=0.0,
        max_samples=None,
        monotonic_cst=None,
    ):
        super().__init__(
            n_estimators=n_estimators,
            criterion=criterion,
            max_depth=max_depth,
            min_samples_split=min_samples_split,
            min_samples_leaf=min_samples_leaf,
            min_weight_fraction_leaf=min_weight_fraction_leaf,
            max_features=max_features,
            max_leaf_nodes=max_leaf_nodes,
            min_impurity_decrease=min_impurity_decrease,
            bootstrap=bootstrap,
            oob_score=oob_score,
            n_jobs=n_jobs,
            random_state=random_state,
            verbose=verbose,
            warm_start=warm_start,
            class_weight=class_weight,
            ccp_alpha=ccp_alpha,
            max_samples=max_samples,
            monotonic_cst=monotonic_cst,
        )
        self.sampling_strategy = sampling_strategy
        self.replacement = replacement

    def fit(self, X, y, sample_weight=None):
        """Grow ``n_estimators`` trees, each on its own balanced under-sample."""
        self._validate_params()
        if self.oob_score:
            raise ValueError(
                "oob_score is not supported by BalancedRandomForestClassifier here: "
                "each tree sees an under-sample, so use cross-validation instead."
            )
        X, y = validate_data(
            self,
            X,
            y,
            accept_sparse="csc",
            dtype=np.float32,
            ensure_all_finite="allow-nan",
        )
        check_classification_targets(y)
        y = np.asarray(y)
        if y.ndim == 2 and y.shape[1] == 1:
            y = y.ravel()
        if y.ndim != 1:
            raise ValueError("BalancedRandomForestClassifier supports one output only.")
        self.classes_, y_encoded = np.unique(y, return_inverse=True)
        self.n_classes_ = len(self.classes_)
        self.n_outputs_ = 1
        if sample_weight is not None:
            sample_weight = _check_sample_weight(sample_weight, X, dtype=np.float64)
        if self.class_weight is not None:
            from sklearn.utils.class_weight import compute_sample_weight

            expanded = compute_sample_weight(self.class_weight, y)
            sample_weight = (
                expanded if sample_weight is None else sample_weight * expanded
            )

        strategy = self.sampling_strategy
        if isinstance(strategy, dict):
            resolved = check_sampling_strategy(strategy, y, "under-sampling")
            strategy = {
                int(np.flatnonzero(self.classes_ == c)[0]): n
                for c, n in resolved.items()
            }
        self.base_sampler_ = RandomUnderSampler(
            sampling_strategy=strategy, replacement=self.replacement
        )
        self.estimator_ = DecisionTreeClassifier(
            **{p: getattr(self, p) for p in _TREE_PARAMS}
        )

        random_state = check_random_state(self.random_state)
        if not self.warm_start or not hasattr(self, "estimators_"):
            self.estimators_, self.samplers_, self.pipelines_ = [], [], []
        n_more = self.n_estimators - len(self.estimators_)
        if n_more < 0:
            raise ValueError(
                f"n_estimators={self.n_estimators} must be larger or equal to "
                f"len(estimators_)={len(self.estimators_)} when warm_start==True"
            )
        if self.warm_start and self.estimators_:
            random_state.randint(
                _MAX_INT, size=len(self.estimators_)
            )  # skip used seeds
        members = []
        for _ in range(n_more):
            tree = clone(self.estimator_).set_params(
                random_state=random_state.randint(_MAX_INT)
            )
            sampler = clone(self.base_sampler_).set_params(
                random_state=random_state.randint(_MAX_INT)
            )
            members.append((sampler, tree, random_state.randint(_MAX_INT)))
        grown = Parallel(n_jobs=self.n_jobs, prefer="threads", verbose=self.verbose)(
            delayed(_grow)(
                sampler,
                tree,
                X,
                y_encoded,
                sample_weight,
                self.bootstrap,
                self.max_samples,
                seed,
            )
            for sampler, tree, seed in members
        )
        for sampler, tree in grown:
            self.samplers_.append(sampler)
            self.estimators_.append(tree)
            self.pipelines_.append(make_pipeline(deepcopy(sampler), deepcopy(tree)))
        return self

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = False
        tags.classifier_tags.multi_label = False
        return tags
