"""The strategies :func:`compare` measures, and the plan it runs.

Every strategy wraps the user's estimator: the estimator itself (``baseline``),
balanced class weights, decision-threshold tuning, a sampler placed right before
the final step of a :class:`counterpoise.pipeline.Pipeline` (so it resamples the
training part of a fold only), or a balanced ensemble in place of the model.
"""

from __future__ import annotations

from typing import Callable

import numpy as np
from sklearn.base import clone
from sklearn.metrics import f1_score, precision_score, recall_score
from sklearn.model_selection import StratifiedKFold


def default_estimator():
    """Scaled logistic regression: fast, calibrated enough, supports class weights."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    return make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))


def _final_step(estimator):
    steps = getattr(estimator, "steps", None)
    return (steps[-1][0], steps[-1][1]) if steps else (None, estimator)


def _with_class_weight(estimator, random_state):
    name, final = _final_step(estimator)
    if "class_weight" not in final.get_params():
        return None, f"{type(final).__name__} has no class_weight parameter"
    est = clone(estimator)
    key = f"{name}__class_weight" if name else "class_weight"
    est.set_params(**{key: "balanced"})
    return est, None


def _with_sampler(estimator, sampler):
    """The estimator with ``sampler`` right before its final step (after any
    scaling or encoding), in a pipeline that resamples only while fitting."""
    from ..pipeline import Pipeline

    steps = getattr(estimator, "steps", None)
    if steps:
        head = [(n, clone(s)) for n, s in steps[:-1]]
        return Pipeline(
            [*head, ("sampler", sampler), (steps[-1][0], clone(steps[-1][1]))]
        )
    return Pipeline([("sampler", sampler), ("model", clone(estimator))])


_POSITIVE_METRICS = {
    "f1": f1_score,
    "precision": precision_score,
    "recall": recall_score,
}


def is_cost_matrix(scoring) -> bool:
    """Whether ``scoring`` is a 2x2 cost matrix (not a scorer name or callable)."""
    if isinstance(scoring, (str, bytes)) or callable(scoring) or scoring is None:
        return False
    try:
        return np.asarray(scoring, dtype=float).shape == (2, 2)
    except (TypeError, ValueError):
        return False


def _cost_scorer(costs, pos_label):
    """A scorer that is minus the total cost: ``costs[t][p]`` is the cost of
    predicting p (0: other class, 1: positive) for a row of true class t."""
    from sklearn.metrics import make_scorer

    def neg_cost(y_true, y_pred):
        t = (np.asarray(y_true) == pos_label).astype(int)
        p = (np.asarray(y_pred) == pos_label).astype(int)
        return -float(costs[t, p].sum())

    return make_scorer(neg_cost)


def _threshold(estimator, scoring, random_state, pos_label):
    """Decision-threshold tuning: the threshold that maximises ``scoring`` on 3
    inner stratified folds of the training data it is fitted on."""
    from sklearn.metrics import make_scorer
    from sklearn.model_selection import TunedThresholdClassifierCV

    if is_cost_matrix(scoring):
        scoring = _cost_scorer(np.asarray(scoring, dtype=float), pos_label)
    elif isinstance(scoring, str) and scoring in _POSITIVE_METRICS:
        kwargs = {"pos_label": pos_label}
        if scoring != "recall":
            kwargs["zero_division"] = 0
        scoring = make_scorer(_POSITIVE_METRICS[scoring], **kwargs)
    return TunedThresholdClassifierCV(
        clone(estimator),
        scoring=scoring,
        cv=StratifiedKFold(3, shuffle=True, random_state=random_state),
        random_state=random_state,
    )


def _sampler_strategy(cls_path):
    module, name = cls_path.rsplit(".", 1)

    def build(estimator, random_state, scoring, pos_label):
        mod = __import__(f"counterpoise.{module}", fromlist=[name])
        return _with_sampler(
            estimator, getattr(mod, name)(random_state=random_state)
        ), None

    return build


def _ensemble_strategy(name):
    """A balanced ensemble in place of the model (after the estimator's own
    preprocessing steps, if it is a pipeline)."""

    def build(estimator, random_state, scoring, pos_label):
        from sklearn.pipeline import Pipeline as SkPipeline

        from .. import ensemble

        model = getattr(ensemble, name)(random_state=random_state, n_jobs=-1)
        steps = getattr(estimator, "steps", None)
        if steps and len(steps) > 1:
            head = [(n, clone(s)) for n, s in steps[:-1]]
            return SkPipeline([*head, ("model", model)]), None
        return model, None

    return build


#: name -> builder(estimator, random_state, threshold_scoring, positive_class)
#: -> (estimator, None) or (None, why it cannot run)
STRATEGIES: dict[str, Callable] = {
    "baseline": lambda est, rs, sc, pos: (clone(est), None),
    "class_weight": lambda est, rs, sc, pos: _with_class_weight(est, rs),
    "threshold": lambda est, rs, sc, pos: (_threshold(est, sc, rs, pos), None),
    "SMOTE": _sampler_strategy("over_sampling.SMOTE"),
    "BorderlineSMOTE": _sampler_strategy("over_sampling.BorderlineSMOTE"),
    "ADASYN": _sampler_strategy("over_sampling.ADASYN"),
    "RandomUnderSampler": _sampler_strategy("under_sampling.RandomUnderSampler"),
    "SMOTEENN": _sampler_strategy("combine.SMOTEENN"),
    "SMOTETomek": _sampler_strategy("combine.SMOTETomek"),
    "BalancedRandomForest": _ensemble_strategy("BalancedRandomForestClassifier"),
    "EasyEnsemble": _ensemble_strategy("EasyEnsembleClassifier"),
}


#: the built-in strategies from simplest to most elaborate, the order the one-SE
#: rule breaks ties in: the plain model, class weights, threshold tuning, random
#: resampling, the SMOTE family, cleaning and combined samplers, ensembles
SIMPLICITY = (
    "baseline",
    "class_weight",
    "threshold",
    "RandomUnderSampler",
    "SMOTE",
    "BorderlineSMOTE",
    "ADASYN",
    "SMOTEENN",
    "SMOTETomek",
    "BalancedRandomForest",
    "EasyEnsemble",
)


def simplicity(names) -> list:
    """The simplicity rank of each name (0 the simplest): the built-in strategies
    by :data:`SIMPLICITY`, strategies of the user's own after them, in the order
    given."""
    ranks, extra = [], len(SIMPLICITY)
    for name in names:
        if name in SIMPLICITY:
            ranks.append(SIMPLICITY.index(name))
        else:
            ranks.append(extra)
            extra += 1
    return ranks


def describe(estimator) -> str:
    """The estimator's class name, or its steps' names joined by arrows."""
    steps = getattr(estimator, "steps", None)
    if steps:
        return " → ".join(type(s).__name__ for _, s in steps)
    return type(estimator).__name__


def plan(strategies, estimator, random_state, scoring, positive_class, binary=True):
    """The ``(name, estimator)`` pairs to run, baseline first, and the strategies
    that cannot run with this estimator, ``{name: reason}`` (threshold tuning
    among them when the target is not ``binary``)."""
    if strategies is None:
        strategies = list(STRATEGIES)
    if isinstance(strategies, dict):
        strategies = list(strategies.items())
    if isinstance(strategies, str):
        strategies = [strategies]
    runs, skipped, seen = [], {}, set()
    for item in strategies:
        if isinstance(item, str):
            if item not in STRATEGIES:
                raise ValueError(
                    f"unknown strategy {item!r}; choose from {list(STRATEGIES)} or "
                    "pass (name, estimator) pairs of your own."
                )
            if item == "threshold" and not binary:
                model, reason = None, "threshold tuning needs a binary target"
            else:
                model, reason = STRATEGIES[item](
                    estimator, random_state, scoring, positive_class
                )
            name = item
        else:
            try:
                name, model = item
            except (TypeError, ValueError):
                raise TypeError(
                    "strategies must hold names or (name, estimator) pairs; got "
                    f"{item!r}."
                ) from None
            reason = None
        if name in seen:
            raise ValueError(f"strategy {name!r} is listed twice.")
        seen.add(name)
        if reason is not None:
            skipped[name] = reason
            continue
        runs.append((name, model))
    # the baseline first, so the paired comparison has its reference on top
    runs.sort(key=lambda p: p[0] != "baseline")
    if not runs:
        raise ValueError("no strategy left to run.")
    return runs, skipped
