"""Imbalanced-classification metrics, equal to imbalanced-learn 0.14.2's.

Sensitivity is the recall of a class, specificity the recall of "not that class";
the geometric mean balances them; the index balanced accuracy (Garcia et al., 2009)
corrects any metric for the dominance ``sensitivity - specificity``.
"""

from __future__ import annotations

import functools
import warnings
from inspect import signature

import numpy as np
from scipy import stats
from sklearn.exceptions import UndefinedMetricWarning
from sklearn.metrics import mean_absolute_error, precision_recall_fscore_support
from sklearn.preprocessing import LabelEncoder
from sklearn.utils.multiclass import type_of_target, unique_labels
from sklearn.utils.validation import check_consistent_length, column_or_1d

_AVERAGES = (None, "micro", "macro", "weighted", "samples")


def _check_targets(y_true, y_pred, sample_weight=None):
    """Target type of the pair and the two as 1-D arrays (binary or multiclass)."""
    check_consistent_length(y_true, y_pred, sample_weight)
    types = {
        type_of_target(y_true, input_name="y_true"),
        type_of_target(y_pred, input_name="y_pred"),
    }
    if types & {"multilabel-indicator", "multilabel-sequences"}:
        raise ValueError("imblearn does not support multilabel")
    if types - {"binary", "multiclass"}:
        raise ValueError(
            "Classification metrics can't handle a mix of "
            f"{' and '.join(sorted(types))} targets: pass class labels, not scores."
        )
    y_true, y_pred = column_or_1d(y_true), column_or_1d(y_pred)
    y_type = "binary" if types == {"binary"} else "multiclass"
    if y_type == "binary" and unique_labels(y_true, y_pred).size > 2:
        y_type = "multiclass"
    return y_type, y_true, y_pred


def _divide(numerator, denominator, metric, modifier, average, warn_for):
    """numerator / denominator, 0.0 where the denominator is 0 (with sklearn's
    UndefinedMetricWarning when ``metric`` is in ``warn_for``)."""
    mask = denominator == 0.0
    denominator = denominator.copy()
    denominator[mask] = 1
    result = numerator / denominator
    if mask.any() and metric in warn_for:
        axis0, axis1 = "label", "labels"
        if average == "samples":
            axis0, axis1 = "sample", "samples"
        what = f"{metric.capitalize()} is"
        where = (
            f"{axis1} with no {modifier} samples"
            if result.size > 1
            else f"due to no {modifier} {axis0}s"
        )
        warnings.warn(
            f"{what} ill-defined and being set to 0.0 in {where}.",
            UndefinedMetricWarning,
            stacklevel=3,
        )
    result[mask] = 0.0
    return result


def _counts(y_true, y_pred, labels, n_labels, sample_weight):
    le = LabelEncoder().fit(labels)
    y_true, y_pred = le.transform(y_true), le.transform(y_pred)
    tp = y_true == y_pred
    weights_tp = None if sample_weight is None else np.asarray(sample_weight)[tp]
    size = len(labels)
    tp_sum = (
        np.bincount(y_true[tp], weights=weights_tp, minlength=size)
        if tp.any()
        else np.zeros(size)
    )
    pred_sum = (
        np.bincount(y_pred, weights=sample_weight, minlength=size)
        if len(y_pred)
        else np.zeros(size)
    )
    true_sum = (
        np.bincount(y_true, weights=sample_weight, minlength=size)
        if len(y_true)
        else np.zeros(size)
    )
    tn_sum = y_true.size - (pred_sum + true_sum - tp_sum)
    order = np.searchsorted(le.classes_, labels[:n_labels])
    return tp_sum[order], pred_sum[order], true_sum[order], tn_sum[order]


def _labels(y_true, y_pred, labels):
    present = unique_labels(y_true, y_pred)
    if labels is None:
        return present, None
    return np.hstack([labels, np.setdiff1d(present, labels, assume_unique=True)]), len(
        labels
    )


def sensitivity_specificity_support(
    y_true,
    y_pred,
    *,
    labels=None,
    pos_label=1,
    average=None,
    warn_for=("sensitivity", "specificity"),
    sample_weight=None,
):
    """Sensitivity, specificity and support of each class (or their average)."""
    if average not in _AVERAGES and average != "binary":
        raise ValueError("average has to be one of " + str(_AVERAGES))
    y_type, y_true, y_pred = _check_targets(y_true, y_pred, sample_weight)
    present = unique_labels(y_true, y_pred)
    if average == "binary":
        if y_type != "binary":
            raise ValueError(
                f"Target is {y_type} but average='binary'. Please choose another "
                "average setting."
            )
        if pos_label not in present:
            if len(present) < 2:
                return (0.0, 0.0, 0)
            raise ValueError(
                f"pos_label={pos_label!r} is not a valid label: {present!r}"
            )
        labels = [pos_label]
    elif pos_label not in (None, 1):
        warnings.warn(
            f"Note that pos_label (set to {pos_label!r}) is ignored when average != "
            f"'binary' (got {average!r}). You may use labels=[pos_label] to specify a "
            "single positive class.",
            UserWarning,
            stacklevel=2,
        )
    if average == "samples":
        raise ValueError(
            "Sample-based precision, recall, fscore is not meaningful outside "
            "multilabel classification. See the accuracy_score instead."
        )
    labels, n_labels = _labels(y_true, y_pred, labels)
    tp_sum, pred_sum, true_sum, tn_sum = _counts(
        y_true, y_pred, labels, n_labels, sample_weight
    )
    if average == "micro":
        tp_sum, pred_sum, true_sum, tn_sum = (
            np.array([v.sum()]) for v in (tp_sum, pred_sum, true_sum, tn_sum)
        )
    specificity = _divide(
        tn_sum,
        tn_sum + pred_sum - tp_sum,
        "specificity",
        "predicted",
        average,
        warn_for,
    )
    sensitivity = _divide(tp_sum, true_sum, "sensitivity", "true", average, warn_for)
    weights = None
    if average == "weighted":
        weights = true_sum
        if weights.sum() == 0:
            return 0, 0, None
    if average is not None:
        return (
            np.average(sensitivity, weights=weights),
            np.average(specificity, weights=weights),
            None,
        )
    return sensitivity, specificity, true_sum


def sensitivity_score(
    y_true, y_pred, *, labels=None, pos_label=1, average="binary", sample_weight=None
):
    """Sensitivity (recall) ``tp / (tp + fn)``."""
    return sensitivity_specificity_support(
        y_true,
        y_pred,
        labels=labels,
        pos_label=pos_label,
        average=average,
        warn_for=("sensitivity",),
        sample_weight=sample_weight,
    )[0]


def specificity_score(
    y_true, y_pred, *, labels=None, pos_label=1, average="binary", sample_weight=None
):
    """Specificity ``tn / (tn + fp)``."""
    return sensitivity_specificity_support(
        y_true,
        y_pred,
        labels=labels,
        pos_label=pos_label,
        average=average,
        warn_for=("specificity",),
        sample_weight=sample_weight,
    )[1]


def geometric_mean_score(
    y_true,
    y_pred,
    *,
    labels=None,
    pos_label=1,
    average="multiclass",
    sample_weight=None,
    correction=0.0,
):
    """Geometric mean of the per-class recalls (``average='multiclass'``), or of
    sensitivity and specificity for the other averages; ``correction`` replaces a
    zero recall."""
    if average != "multiclass":
        sen, spe, _ = sensitivity_specificity_support(
            y_true,
            y_pred,
            labels=labels,
            pos_label=pos_label,
            average=average,
            warn_for=("specificity", "specificity"),
            sample_weight=sample_weight,
        )
        return np.sqrt(sen * spe)
    y_true, y_pred = column_or_1d(y_true), column_or_1d(y_pred)
    check_consistent_length(y_true, y_pred, sample_weight)
    labels, n_labels = _labels(y_true, y_pred, labels)
    tp_sum, _, true_sum, _ = _counts(y_true, y_pred, labels, n_labels, sample_weight)
    recall = _divide(tp_sum, true_sum, "recall", "true", None, "recall")
    recall[recall == 0] = correction
    with np.errstate(divide="ignore", invalid="ignore"):
        gmean = stats.gmean(recall)
    if isinstance(gmean, np.ma.core.MaskedConstant):
        return 0.0
    return gmean


def make_index_balanced_accuracy(*, alpha=0.1, squared=True):
    """Decorator: ``(1 + alpha * (sensitivity - specificity)) * metric`` (squared
    metric when ``squared``), for metrics of ``y_true, y_pred``."""

    def decorate(scoring_func):
        @functools.wraps(scoring_func)
        def compute_score(*args, **kwargs):
            sig = signature(scoring_func)
            if {"y_score", "y_prob", "y2"} & set(sig.parameters):
                raise AttributeError(
                    f"The function {scoring_func.__name__} has an unsupported "
                    "attribute. Only metrics of `y_pred` are supported."
                )
            bound = sig.bind(*args, **kwargs)
            bound.apply_defaults()
            score = scoring_func(*bound.args, **bound.kwargs)
            if squared:
                score = np.power(score, 2)
            common = set(signature(sensitivity_specificity_support).parameters) & set(
                bound.arguments
            )
            params = {k: bound.arguments[k] for k in common}
            if scoring_func.__name__ == "geometric_mean_score":
                if params.get("average") == "multiclass":
                    params["average"] = "macro"
            elif scoring_func.__name__ in ("accuracy_score", "jaccard_score"):
                params["average"] = "binary"
            sensitivity, specificity, _ = sensitivity_specificity_support(**params)
            return (1.0 + alpha * (sensitivity - specificity)) * score

        return compute_score

    return decorate


def classification_report_imbalanced(
    y_true,
    y_pred,
    *,
    labels=None,
    target_names=None,
    sample_weight=None,
    digits=2,
    alpha=0.1,
    output_dict=False,
    zero_division="warn",
):
    """Per-class precision, recall, specificity, F1, geometric mean, IBA and
    support, as text (imbalanced-learn's layout) or as a dict."""
    labels = unique_labels(y_true, y_pred) if labels is None else np.asarray(labels)
    last_line = "avg / total"
    if target_names is None:
        target_names = [f"{label}" for label in labels]
    width = max(max(len(name) for name in target_names), len(last_line), digits)
    headers = ["pre", "rec", "spe", "f1", "geo", "iba", "sup"]
    fmt = f"%{width}s  " + " ".join(["% 9s"] * len(headers)) + "\n"
    report = fmt % tuple([""] + headers) + "\n"
    common = dict(labels=labels, average=None, sample_weight=sample_weight)
    precision, recall, f1, support = precision_recall_fscore_support(
        y_true, y_pred, zero_division=zero_division, **common
    )
    specificity = specificity_score(y_true, y_pred, **common)
    geo = geometric_mean_score(y_true, y_pred, **common)
    iba = make_index_balanced_accuracy(alpha=alpha, squared=True)(geometric_mean_score)(
        y_true, y_pred, **common
    )
    scores = [precision, recall, specificity, f1, geo, iba]
    result = {}
    for i, name in enumerate(target_names[: len(labels)]):
        row = {h: s[i] for h, s in zip(headers[:-1], scores)}
        row["sup"] = support[i]
        result[name] = row
        values = [f"{s[i]:0.{digits}f}" for s in scores] + [f"{support[i]}"]
        report += fmt % tuple([name] + values)
    report += "\n"
    averages = [np.average(s, weights=support) for s in scores]
    for h, v in zip(headers[:-1], averages):
        result[f"avg_{h}"] = v
    result["total_support"] = np.sum(support)
    values = [f"{v:0.{digits}f}" for v in averages] + [f"{np.sum(support)}"]
    report += fmt % tuple([last_line] + values)
    return result if output_dict else report


def macro_averaged_mean_absolute_error(y_true, y_pred, *, sample_weight=None):
    """Mean over classes of the mean absolute error within each true class
    (for ordinal classification)."""
    _, y_true, y_pred = _check_targets(y_true, y_pred, sample_weight)
    sample_weight = (
        np.ones(y_true.shape) if sample_weight is None else column_or_1d(sample_weight)
    )
    check_consistent_length(y_true, y_pred, sample_weight)
    errors = []
    for label in unique_labels(y_true, y_pred):
        rows = np.flatnonzero(y_true == label)
        errors.append(
            mean_absolute_error(
                y_true[rows], y_pred[rows], sample_weight=sample_weight[rows]
            )
        )
    return np.sum(errors) / len(errors)
