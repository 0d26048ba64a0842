"""``compare``: every strategy fitted and scored on one set of stratified folds.

Resampling lives inside :class:`counterpoise.pipeline.Pipeline`, so it only ever
sees the training part of a fold; threshold tuning picks its threshold on inner
folds of the training part only. Each strategy is scored on the held-out fold
with the metrics that matter under imbalance.
"""

from __future__ import annotations

import time
import warnings

import numpy as np
from sklearn.base import clone, is_classifier
from sklearn.exceptions import FitFailedWarning, UndefinedMetricWarning
from sklearn.metrics import (
    average_precision_score,
    balanced_accuracy_score,
    f1_score,
    get_scorer,
    matthews_corrcoef,
    precision_score,
    recall_score,
    roc_auc_score,
)
from sklearn.model_selection import StratifiedKFold, check_cv
from sklearn.utils.multiclass import type_of_target

from ..metrics import geometric_mean_score
from ._inspect import inspect
from ._result import CompareResult
from ._stats import METRICS, RULES, select
from ._strategies import default_estimator, describe, is_cost_matrix, plan


def _positive_scores(estimator, X, positive_index):
    """Score of the positive class per row: its probability, else the decision
    value (negated when the positive class comes first)."""
    if hasattr(estimator, "predict_proba"):
        try:
            return estimator.predict_proba(X)[:, positive_index]
        except (AttributeError, NotImplementedError):
            pass
    scores = estimator.decision_function(X)
    return scores if positive_index == 1 else -scores


def _fold_metrics(y_true, scores, y_pred):
    """Every metric of :data:`METRICS` on one held-out fold (0/1 labels)."""
    out = {}
    out["pr_auc"] = average_precision_score(y_true, scores)
    out["roc_auc"] = roc_auc_score(y_true, scores)
    out["f1"] = f1_score(y_true, y_pred, zero_division=0)
    out["precision"] = precision_score(y_true, y_pred, zero_division=0)
    out["recall"] = recall_score(y_true, y_pred, zero_division=0)
    out["mcc"] = matthews_corrcoef(y_true, y_pred)
    out["balanced_accuracy"] = balanced_accuracy_score(y_true, y_pred)
    with warnings.catch_warnings():
        # 0.0 where a rate is undefined, as for F1 and precision above: the
        # table says so in its numbers, a warning per fold would only repeat it
        warnings.simplefilter("ignore", UndefinedMetricWarning)
        out["g_mean"] = geometric_mean_score(y_true, y_pred, average="binary")
    return out


def _take(X, idx):
    """Rows ``idx`` of an array or a DataFrame."""
    if hasattr(X, "iloc"):
        return X.iloc[idx]
    return X[idx]


def _folds(cv, y, n_min, random_state):
    """The outer ``(train, test)`` folds: ``cv`` stratified shuffled folds for an
    int, else those of the splitter given."""
    if isinstance(cv, int) or cv is None:
        n_splits = 5 if cv is None else cv
        if n_splits < 2:
            raise ValueError(f"cv={cv} folds: use at least 2.")
        if n_min < n_splits:
            raise ValueError(
                f"cv={n_splits} stratified folds need at least {n_splits} rows of "
                f"every class; the minority class has {n_min}. Lower cv."
            )
        splitter = StratifiedKFold(n_splits, shuffle=True, random_state=random_state)
    else:
        splitter = check_cv(cv, y, classifier=True)
    return [(tr, te) for tr, te in splitter.split(np.zeros(len(y)), y)]


def _check_scoring(scoring):
    """``scoring`` if threshold tuning can optimise it, else a ValueError."""
    if isinstance(scoring, str):
        try:
            get_scorer(scoring)
        except ValueError:
            raise ValueError(
                f"scoring={scoring!r} is not a scikit-learn scorer name; "
                "use e.g. 'f1', 'balanced_accuracy', a make_scorer(...) object, or a "
                "2x2 cost matrix."
            ) from None
    elif not callable(scoring) and not is_cost_matrix(scoring):
        raise ValueError(
            "scoring must be a scorer name, a scorer, or a 2x2 cost matrix "
            f"[[tn, fp], [fn, tp]]; got {scoring!r}."
        )
    return scoring


def compare(
    X,
    y,
    estimator=None,
    strategies=None,
    cv=5,
    scoring=None,
    *,
    positive_class=None,
    random_state=0,
    progress=None,
    refit=None,
    selection="one_se",
) -> CompareResult:
    """Compare imbalance strategies on one set of stratified folds.

    Every strategy wraps the same ``estimator`` and is fitted and scored on the
    same outer folds, so the per-fold differences between strategies are
    paired. The strategies by name:

    - ``'baseline'``: the estimator as given;
    - ``'class_weight'``: the estimator with ``class_weight='balanced'`` (skipped
      when its final step has no such parameter);
    - ``'threshold'``: the estimator in scikit-learn's
      ``TunedThresholdClassifierCV``, the decision threshold chosen to maximise
      ``scoring`` on 3 inner stratified folds of the training part;
    - ``'SMOTE'``, ``'BorderlineSMOTE'``, ``'ADASYN'``,
      ``'RandomUnderSampler'``, ``'SMOTEENN'``, ``'SMOTETomek'``: that sampler
      right before the estimator's final step in a
      :class:`counterpoise.pipeline.Pipeline`, so it resamples the training
      part of a fold only and never a held-out row;
    - ``'BalancedRandomForest'``, ``'EasyEnsemble'``: that balanced ensemble in
      place of the final step (after the estimator's own preprocessing).

    On each held-out fold it scores PR-AUC (average precision) and ROC-AUC
    from the positive-class scores, and F1, precision, recall, MCC, balanced
    accuracy and G-mean from the predicted labels.

    A strategy whose fit fails on a fold (ADASYN where no minority row has a
    majority neighbour, say) is left out of the comparison with a
    ``FitFailedWarning``; the result's ``skipped`` gives the fold and the
    error. When the plain model itself cannot be fitted, its error is raised.

    With ``refit=metric`` it also chooses a strategy, by the rule of
    :class:`counterpoise.model_selection.StrategySearchCV` on the same folds
    (by default the simplest strategy whose mean ``metric`` is within one
    standard error of the best mean), and refits it on all of ``X, y``:
    ``result.best_strategy_`` names it and ``result.best_estimator_`` is the
    fitted model. The table, the report and the command line then say which
    strategy was chosen, by which rule, and whether it is distinguishable from
    the plain model. The scores of the chosen strategy are still those of the
    folds it was chosen on, so they are optimistic; cross-validate the
    search itself for an honest estimate.

    Parameters
    ----------
    X : {array-like, DataFrame} of shape (n_samples, n_features)
        The features. DataFrames are split with ``.iloc`` and reach the
        estimator as DataFrames.
    y : array-like of shape (n_samples,)
        A binary target.
    estimator : classifier, default=None
        The model every strategy wraps; by default a scaled logistic regression
        (``make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))``).
        Samplers are inserted before the final step of a pipeline.
    strategies : str, list or dict, default=None
        Names of the strategies above (default: all of them); or a dict of
        ``name -> estimator`` for strategies of your own (any classifier or
        :class:`counterpoise.pipeline.Pipeline`); or a list mixing names and
        ``(name, estimator)`` pairs. The baseline runs first.
    cv : int or cross-validation splitter, default=5
        The outer folds; an int gives
        ``StratifiedKFold(cv, shuffle=True, random_state=random_state)``.
    scoring : str, callable or array-like of shape (2, 2), default=None
        What threshold tuning maximises (default ``'f1'`` of the positive
        class): a scikit-learn scorer name, a scorer (``make_scorer(...)``), or a
        cost matrix ``[[cost_tn, cost_fp], [cost_fn, cost_tp]]`` (rows: true
        class, negative then positive; columns: predicted) whose total is
        minimised.
    positive_class : object, default=None
        The class of interest; by default the minority class.
    random_state : int, default=0
        Seed of the folds and of every randomised strategy.
    progress : callable, default=None
        Called as ``progress(done, total, label)`` after every fit.
    refit : str, default=None
        One of the metrics above (``'pr_auc'``, ``'roc_auc'``, ``'f1'``,
        ``'precision'``, ``'recall'``, ``'mcc'``, ``'balanced_accuracy'``,
        ``'g_mean'``): choose a strategy by it and refit that strategy on all
        the data. None (the default) chooses nothing and fits nothing more.
    selection : {'one_se', 'best'}, default='one_se'
        The rule of the choice when ``refit`` is given: ``'one_se'`` takes the
        simplest strategy whose mean is within one standard error of the best
        mean (the simplicity order is that of
        :class:`counterpoise.model_selection.StrategySearchCV`), ``'best'``
        the highest mean.

    Returns
    -------
    CompareResult
        The per-fold scores, out-of-fold predictions and folds of every
        strategy that ran, and the reason for every one skipped.

    Raises
    ------
    ValueError
        If the target is not binary, ``positive_class`` is not one of its
        classes, the minority class has fewer rows than ``cv`` folds, a strategy
        name is unknown or listed twice, ``scoring`` is not a scorer name, a
        scorer or a 2x2 cost matrix, ``refit`` is not a metric name or
        ``selection`` not a rule.
    TypeError
        If ``estimator`` is not a scikit-learn classifier.

    See Also
    --------
    inspect : Class counts and imbalance severity of a target.
    CompareResult : The result, with its summaries and report.
    counterpoise.model_selection.StrategySearchCV : The same choice as an
        estimator, for nested cross-validation.
    counterpoise.pipeline.Pipeline : Resamples while fitting only.

    Examples
    --------
    >>> from sklearn.datasets import make_classification
    >>> from counterpoise import compare
    >>> X, y = make_classification(
    ...     n_samples=300, weights=[0.9], flip_y=0, random_state=0
    ... )
    >>> result = compare(
    ...     X, y, strategies=["baseline", "class_weight", "SMOTE"], cv=3
    ... )
    >>> result.strategies
    ['baseline', 'class_weight', 'SMOTE']
    >>> result.positive_class, len(result.folds)
    (1, 3)
    >>> result.to_html("report.html")  # doctest: +SKIP

    Choose a strategy by F1 and refit it on all the rows:

    >>> result = compare(
    ...     X, y, strategies=["baseline", "class_weight"], cv=3, refit="f1"
    ... )
    >>> result.best_strategy_, result.best_estimator_.predict(X[:3]).tolist()
    ('baseline', [0, 0, 0])
    """
    y_arr = np.asarray(y)
    if y_arr.ndim == 2 and y_arr.shape[1] == 1:
        y_arr = y_arr.ravel()
    info = inspect(y_arr)
    kind = type_of_target(y_arr)
    if kind != "binary":
        raise ValueError(
            f"compare needs a binary target; got {kind} with "
            f"{len(info.counts)} classes. Compare one class against the rest "
            "(e.g. y == 'fraud')."
        )
    if positive_class is None:
        positive_class = info.minority_class
    if positive_class not in info.counts:
        raise ValueError(
            f"positive_class={positive_class!r} is not a class of y "
            f"({sorted(info.counts, key=str)})."
        )
    y_true = (y_arr == positive_class).astype(int)
    folds = _folds(cv, y_arr, min(info.counts.values()), random_state)

    if estimator is None:
        estimator = default_estimator()
    elif not hasattr(estimator, "fit") or not is_classifier(estimator):
        raise TypeError(
            f"estimator must be a scikit-learn classifier; got "
            f"{type(estimator).__name__}."
        )
    threshold_scoring = _check_scoring("f1" if scoring is None else scoring)
    if refit is not None and refit not in METRICS:
        raise ValueError(f"refit={refit!r}: choose a metric from {list(METRICS)}.")
    if selection not in RULES:
        raise ValueError(f"selection={selection!r}: use one of {list(RULES)}.")

    runs, skipped = plan(
        strategies, estimator, random_state, threshold_scoring, positive_class
    )
    total = len(runs) * len(folds) + (refit is not None)
    done = 0
    n = len(y_arr)
    scores, oof, oof_pred = {}, {}, {}
    ran = []
    for name, model in runs:
        per_fold = {m: [] for m in (*METRICS, "fit_time")}
        oof[name] = np.full(n, np.nan)
        oof_pred[name] = np.zeros(n, dtype=int)
        for i, (train, test) in enumerate(folds):
            est = clone(model)
            t0 = time.perf_counter()
            try:
                est.fit(_take(X, train), y_arr[train])
            except Exception as exc:
                # The plain model is every comparison's reference: when it
                # cannot be fitted there is nothing to compare, so say why.
                if name == runs[0][0]:
                    raise
                # Any other strategy that cannot be fitted on a fold (ADASYN on
                # a class with no majority neighbour, say) is left out with the
                # reason, as GridSearchCV scores a failed fit, and the rest run.
                skipped[name] = (
                    f"failed on fold {i + 1} of {len(folds)}: "
                    f"{type(exc).__name__}: {exc}"
                )
                warnings.warn(
                    f"compare: strategy {name!r} {skipped[name]} It is left out.",
                    FitFailedWarning,
                    stacklevel=2,
                )
                break
            per_fold["fit_time"].append(time.perf_counter() - t0)
            classes = list(est.classes_)
            pos = classes.index(positive_class)
            s = _positive_scores(est, _take(X, test), pos)
            pred = (np.asarray(est.predict(_take(X, test))) == positive_class).astype(
                int
            )
            oof[name][test] = s
            oof_pred[name][test] = pred
            for m, v in _fold_metrics(y_true[test], s, pred).items():
                per_fold[m].append(v)
            done += 1
            if progress is not None:
                progress(done, total, name)
        if name in skipped:
            del oof[name], oof_pred[name]
            total -= len(folds) - len(per_fold["fit_time"])
            continue
        ran.append((name, model))
        scores[name] = {m: np.asarray(v) for m, v in per_fold.items()}
    runs = ran
    names = [name for name, _ in runs]
    extra = {}
    if refit is not None:
        choice = select(names, [scores[s][refit] for s in names], selection)
        chosen = names[choice["index"]]
        best_estimator = clone(dict(runs)[chosen]).fit(X, y_arr)
        done += 1
        if progress is not None:
            progress(done, total, f"refit {chosen}")
        extra = {
            "refit": refit,
            "selection": {**choice, "strategy": chosen},
            "best_strategy_": chosen,
            "best_estimator_": best_estimator,
        }
    return CompareResult(
        strategies=[name for name, _ in runs],
        skipped=skipped,
        scores=scores,
        oof_scores=oof,
        oof_predictions=oof_pred,
        y_true=y_true,
        positive_class=positive_class,
        folds=folds,
        inspect=info,
        estimator_name=describe(estimator),
        estimators=dict(runs),
        **extra,
    )
