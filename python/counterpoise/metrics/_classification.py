"""Imbalanced-classification metrics, equal to imbalanced-learn 0.14.2's.

Sensitivity is the recall of a class, specificity the recall of "not that class";
the geometric mean balances them; the index balanced accuracy (Garcia et al., 2009)
corrects any metric for the dominance ``sensitivity - specificity``.
"""

from __future__ import annotations

import functools
import numbers
import warnings
from inspect import signature

import numpy as np
from scipy import stats
from sklearn.exceptions import UndefinedMetricWarning
from sklearn.metrics import mean_absolute_error, precision_recall_fscore_support
from sklearn.preprocessing import LabelEncoder
from sklearn.utils._param_validation import Interval, StrOptions, validate_params
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
        axis0, axis1 = "sample", "label"
        if average == "samples":
            axis0, axis1 = axis1, axis0
        where = (
            f"in {axis1}s with no {modifier} {axis0}s"
            if result.size > 1
            else f"due to no {modifier} {axis0}s"
        )
        # imbalanced-learn's text, without its advice to use a `zero_division`
        # parameter that these metrics do not have
        warnings.warn(
            f"{metric.capitalize()} is ill-defined and being set to 0.0 {where}.",
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


# the parameters sensitivity_score and specificity_score take (and, with
# `warn_for`, sensitivity_specificity_support), validated as imbalanced-learn does
_SCORE_PARAMS = {
    "y_true": ["array-like"],
    "y_pred": ["array-like"],
    "labels": ["array-like", None],
    "pos_label": [str, numbers.Integral, None],
    "average": [
        None,
        StrOptions({"binary", "micro", "macro", "weighted", "samples"}),
    ],
    "sample_weight": ["array-like", None],
}


@validate_params(
    {**_SCORE_PARAMS, "warn_for": ["array-like"]},
    prefer_skip_nested_validation=True,
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
    """Compute the sensitivity, specificity and support of each class.

    For a class taken as positive, the sensitivity is ``tp / (tp + fn)`` (its
    recall: the share of its samples predicted as it) and the specificity
    ``tn / (tn + fp)`` (the share of the other samples not predicted as it).
    With ``average`` set, the per-class values are averaged and no support is
    returned. A ratio whose denominator is 0 is set to 0.0 with an
    ``UndefinedMetricWarning``. The same values as imbalanced-learn 0.14.2.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        The true class labels (binary or multiclass).
    y_pred : array-like of shape (n_samples,)
        The predicted class labels.
    labels : array-like, default=None
        The classes to report, in this order, with ``average=None``, or to
        average over otherwise; classes present in the data but not listed
        still count as negatives. ``None`` means every class of ``y_true`` and
        ``y_pred``, sorted.
    pos_label : str, int or None, default=1
        The positive class with ``average='binary'``; ignored (with a warning
        when not 1 or ``None``) for the other averages.
    average : {'binary', 'micro', 'macro', 'weighted'} or None, default=None
        ``None`` returns the score of each class (in the order of ``labels``);
        ``'binary'`` the score of ``pos_label`` (binary targets only);
        ``'micro'`` the score of the summed counts of all classes; ``'macro'``
        the unweighted mean of the per-class scores; ``'weighted'`` their mean
        weighted by each class's support. ``'samples'`` raises ``ValueError``
        (it only means something for multilabel targets, not supported).
    warn_for : tuple or set of str, default=("sensitivity", "specificity")
        The metrics, among ``"sensitivity"`` and ``"specificity"``, for which an
        ill-defined value warns.
    sample_weight : array-like of shape (n_samples,), default=None
        Weights of the samples in the counts.

    Returns
    -------
    sensitivity : float or ndarray of shape (n_labels,)
        The sensitivity of each class, or their average.
    specificity : float or ndarray of shape (n_labels,)
        The specificity of each class, or their average.
    support : ndarray of shape (n_labels,) or None
        The number of true samples of each class (their summed weights with
        ``sample_weight``); ``None`` when ``average`` is set.

    See Also
    --------
    sensitivity_score : The sensitivity alone.
    specificity_score : The specificity alone.
    geometric_mean_score : The geometric mean of sensitivity and specificity.
    sklearn.metrics.precision_recall_fscore_support : Precision and recall of
        each class.

    Examples
    --------
    Class 0 has 4 samples, 3 predicted right; class 1 has 2, 1 predicted right.

    >>> from counterpoise.metrics import sensitivity_specificity_support
    >>> y_true = [0, 0, 0, 0, 1, 1]
    >>> y_pred = [0, 0, 0, 1, 1, 0]
    >>> sensitivity, specificity, support = sensitivity_specificity_support(
    ...     y_true, y_pred)
    >>> sensitivity.tolist(), specificity.tolist(), support.tolist()
    ([0.75, 0.5], [0.5, 0.75], [4, 2])
    >>> sen, spe, _ = sensitivity_specificity_support(
    ...     y_true, y_pred, average="binary")
    >>> float(sen), float(spe)
    (0.5, 0.75)
    """
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


@validate_params(
    _SCORE_PARAMS,
    prefer_skip_nested_validation=True,
)
def sensitivity_score(
    y_true, y_pred, *, labels=None, pos_label=1, average="binary", sample_weight=None
):
    """Compute the sensitivity ``tp / (tp + fn)``, the recall of a class.

    The share of a class's samples predicted as that class: for the positive
    class by default (``average='binary'``), else for every class and
    averaged. 0.0, with an ``UndefinedMetricWarning``, for a class with no
    true sample. The same values as imbalanced-learn 0.14.2.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        The true class labels (binary or multiclass).
    y_pred : array-like of shape (n_samples,)
        The predicted class labels.
    labels : array-like, default=None
        The classes to report, in this order, with ``average=None``, or to
        average over otherwise; classes present in the data but not listed
        still count as negatives. ``None`` means every class of ``y_true`` and
        ``y_pred``, sorted.
    pos_label : str, int or None, default=1
        The positive class with ``average='binary'``; ignored (with a warning
        when not 1 or ``None``) for the other averages.
    average : {'binary', 'micro', 'macro', 'weighted'} or None, default='binary'
        ``None`` returns the score of each class (in the order of ``labels``);
        ``'binary'`` the score of ``pos_label`` (binary targets only);
        ``'micro'`` the score of the summed counts of all classes; ``'macro'``
        the unweighted mean of the per-class scores; ``'weighted'`` their mean
        weighted by each class's support. ``'samples'`` raises ``ValueError``
        (it only means something for multilabel targets, not supported).
    sample_weight : array-like of shape (n_samples,), default=None
        Weights of the samples in the counts.

    Returns
    -------
    sensitivity : float or ndarray of shape (n_labels,)
        The sensitivity of the positive class, the average, or with
        ``average=None`` the sensitivity of each class.

    See Also
    --------
    specificity_score : The recall of the negative class.
    sensitivity_specificity_support : Sensitivity, specificity and support
        together.
    sklearn.metrics.recall_score : The same quantity in scikit-learn.

    Examples
    --------
    >>> from counterpoise.metrics import sensitivity_score
    >>> y_true = [0, 0, 0, 0, 1, 1]
    >>> y_pred = [0, 0, 0, 1, 1, 0]
    >>> float(sensitivity_score(y_true, y_pred))  # 1 of the 2 positives found
    0.5
    >>> sensitivity_score(y_true, y_pred, average=None).tolist()
    [0.75, 0.5]

    In the multiclass case, class 0 is always found, classes 1 and 2 never:

    >>> y_true = [0, 1, 2, 0, 1, 2]
    >>> y_pred = [0, 2, 1, 0, 0, 1]
    >>> round(float(sensitivity_score(y_true, y_pred, average="macro")), 4)
    0.3333
    """
    return sensitivity_specificity_support(
        y_true,
        y_pred,
        labels=labels,
        pos_label=pos_label,
        average=average,
        warn_for=("sensitivity",),
        sample_weight=sample_weight,
    )[0]


@validate_params(
    _SCORE_PARAMS,
    prefer_skip_nested_validation=True,
)
def specificity_score(
    y_true, y_pred, *, labels=None, pos_label=1, average="binary", sample_weight=None
):
    """Compute the specificity ``tn / (tn + fp)``, the recall of "not the class".

    The share of the samples outside a class that are not predicted as that
    class: for the positive class by default (``average='binary'``), else for
    every class and averaged. 0.0, with an ``UndefinedMetricWarning``, when
    there is no such sample. The same values as imbalanced-learn 0.14.2.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        The true class labels (binary or multiclass).
    y_pred : array-like of shape (n_samples,)
        The predicted class labels.
    labels : array-like, default=None
        The classes to report, in this order, with ``average=None``, or to
        average over otherwise; classes present in the data but not listed
        still count as negatives. ``None`` means every class of ``y_true`` and
        ``y_pred``, sorted.
    pos_label : str, int or None, default=1
        The positive class with ``average='binary'``; ignored (with a warning
        when not 1 or ``None``) for the other averages.
    average : {'binary', 'micro', 'macro', 'weighted'} or None, default='binary'
        ``None`` returns the score of each class (in the order of ``labels``);
        ``'binary'`` the score of ``pos_label`` (binary targets only);
        ``'micro'`` the score of the summed counts of all classes; ``'macro'``
        the unweighted mean of the per-class scores; ``'weighted'`` their mean
        weighted by each class's support. ``'samples'`` raises ``ValueError``
        (it only means something for multilabel targets, not supported).
    sample_weight : array-like of shape (n_samples,), default=None
        Weights of the samples in the counts.

    Returns
    -------
    specificity : float or ndarray of shape (n_labels,)
        The specificity of the positive class, the average, or with
        ``average=None`` the specificity of each class.

    See Also
    --------
    sensitivity_score : The recall of the positive class.
    sensitivity_specificity_support : Sensitivity, specificity and support
        together.

    Examples
    --------
    >>> from counterpoise.metrics import specificity_score
    >>> y_true = [0, 0, 0, 0, 1, 1]
    >>> y_pred = [0, 0, 0, 1, 1, 0]
    >>> float(specificity_score(y_true, y_pred))  # 3 of the 4 negatives kept
    0.75
    >>> specificity_score(y_true, y_pred, average=None).tolist()
    [0.5, 0.75]

    In the multiclass case the specificities are 3/4, 2/4 and 3/4:

    >>> y_true = [0, 1, 2, 0, 1, 2]
    >>> y_pred = [0, 2, 1, 0, 0, 1]
    >>> round(float(specificity_score(y_true, y_pred, average="macro")), 4)
    0.6667
    """
    return sensitivity_specificity_support(
        y_true,
        y_pred,
        labels=labels,
        pos_label=pos_label,
        average=average,
        warn_for=("specificity",),
        sample_weight=sample_weight,
    )[1]


@validate_params(
    {
        "y_true": ["array-like"],
        "y_pred": ["array-like"],
        "labels": ["array-like", None],
        "pos_label": [str, numbers.Integral, None],
        "average": [
            None,
            StrOptions(
                {"binary", "micro", "macro", "weighted", "samples", "multiclass"}
            ),
        ],
        "sample_weight": ["array-like", None],
        "correction": [Interval(numbers.Real, 0, None, closed="left")],
    },
    prefer_skip_nested_validation=True,
)
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
    """Compute the geometric mean of the per-class recalls.

    With ``average='multiclass'`` (the default) the score is the geometric mean
    of the recall of every class [1]_ [2]_, so one class never predicted right
    makes it 0 (unless ``correction`` replaces its zero recall). With any
    other ``average`` it is ``sqrt(sensitivity * specificity)``, computed for
    each class or for their averages as in
    :func:`sensitivity_specificity_support`. The same values as
    imbalanced-learn 0.14.2.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        The true class labels (binary or multiclass).
    y_pred : array-like of shape (n_samples,)
        The predicted class labels.
    labels : array-like, default=None
        The classes to report, in this order, with ``average=None``, or to
        average over otherwise; classes present in the data but not listed
        still count as negatives. ``None`` means every class of ``y_true`` and
        ``y_pred``, sorted.
    pos_label : str, int or None, default=1
        The positive class with ``average='binary'``; ignored (with a warning
        when not 1 or ``None``) for the other averages.
    average : {'multiclass', 'binary', 'micro', 'macro', 'weighted'} or None, \
            default='multiclass'
        ``'multiclass'``: the geometric mean of the per-class recalls. The
        others, as in :func:`sensitivity_specificity_support`:
        ``sqrt(sensitivity * specificity)`` of each class (``None``), of
        ``pos_label`` (``'binary'``), or of the averaged sensitivity and
        specificity.
    sample_weight : array-like of shape (n_samples,), default=None
        Weights of the samples in the counts.
    correction : float, default=0.0
        The value that replaces a zero recall with ``average='multiclass'``.

    Returns
    -------
    geometric_mean : float or ndarray of shape (n_labels,)
        The geometric mean, or with ``average=None`` one per class.

    See Also
    --------
    sensitivity_specificity_support : The sensitivity and specificity it is
        computed from.
    make_index_balanced_accuracy : Corrects a metric such as this one for the
        dominance of one class.

    References
    ----------
    .. [1] M. Kubat and S. Matwin, "Addressing the curse of imbalanced training
       sets: one-sided selection", ICML, 179-186, 1997.
    .. [2] R. Barandela, J. S. Sanchez, V. Garcia and E. Rangel, "Strategies
       for learning in class imbalance problems", Pattern Recognition, 36(3),
       849-851, 2003.

    Examples
    --------
    The recalls are 3/4 and 1/2, so the score is ``sqrt(3/8)``:

    >>> from counterpoise.metrics import geometric_mean_score
    >>> y_true = [0, 0, 0, 0, 1, 1]
    >>> y_pred = [0, 0, 0, 1, 1, 0]
    >>> round(float(geometric_mean_score(y_true, y_pred)), 4)
    0.6124

    Classes 1 and 2 are never predicted right; ``correction`` stands in for
    their zero recalls:

    >>> y_true = [0, 1, 2, 0, 1, 2]
    >>> y_pred = [0, 2, 1, 0, 0, 1]
    >>> float(geometric_mean_score(y_true, y_pred))
    0.0
    >>> round(float(geometric_mean_score(y_true, y_pred, correction=0.001)), 4)
    0.01
    """
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


@validate_params(
    {"alpha": [numbers.Real], "squared": ["boolean"]},
    prefer_skip_nested_validation=True,
)
def make_index_balanced_accuracy(*, alpha=0.1, squared=True):
    """Balance a classification metric by the index balanced accuracy (IBA).

    Return a decorator that turns a metric of ``y_true, y_pred`` into
    ``(1 + alpha * (sensitivity - specificity)) * metric`` [1]_ [2]_ (the
    metric squared when ``squared``): the dominance ``sensitivity -
    specificity`` rewards a classifier that does well on the positive class.
    The sensitivity and specificity are computed with the arguments the metric
    shares with :func:`sensitivity_specificity_support` (``labels``,
    ``pos_label``, ``average``, ``sample_weight``); ``average='multiclass'`` of
    :func:`geometric_mean_score` is taken as ``'macro'`` for them, and
    scikit-learn's ``accuracy_score`` and ``jaccard_score`` use ``'binary'``.
    Metrics of scores (``y_score``, ``y_prob``) are refused with
    ``AttributeError`` when called.

    Parameters
    ----------
    alpha : float, default=0.1
        The weight of the dominance.
    squared : bool, default=True
        Whether the metric is squared before being weighted.

    Returns
    -------
    iba_scoring_func : callable
        A decorator taking a metric and returning its balanced version, with
        the metric's signature.

    See Also
    --------
    geometric_mean_score : The metric it is most often applied to.
    classification_report_imbalanced : Reports the IBA of the geometric mean.

    References
    ----------
    .. [1] V. Garcia, R. A. Mollineda and J. S. Sanchez, "Index of balanced
       accuracy: a performance measure for skewed class distributions",
       Pattern Recognition and Image Analysis (IbPRIA), LNCS 5524, 441-448,
       2009.
    .. [2] V. Garcia, J. S. Sanchez and R. A. Mollineda, "On the effectiveness
       of preprocessing methods when dealing with different levels of class
       imbalance", Knowledge-Based Systems, 25(1), 13-21, 2012.

    Examples
    --------
    Sensitivity 1/2 and specificity 3/4 give a geometric mean of
    ``sqrt(3/8)``, squared 0.375, weighted by ``1 + 0.1 * (0.5 - 0.75)``:

    >>> from counterpoise.metrics import geometric_mean_score
    >>> from counterpoise.metrics import make_index_balanced_accuracy
    >>> iba_gmean = make_index_balanced_accuracy(alpha=0.1, squared=True)(
    ...     geometric_mean_score)
    >>> y_true = [0, 0, 0, 0, 1, 1]
    >>> y_pred = [0, 0, 0, 1, 1, 0]
    >>> round(float(iba_gmean(y_true, y_pred, average="binary")), 6)
    0.365625
    """

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


@validate_params(
    {
        "y_true": ["array-like"],
        "y_pred": ["array-like"],
        "labels": ["array-like", None],
        "target_names": ["array-like", None],
        "sample_weight": ["array-like", None],
        "digits": [Interval(numbers.Integral, 0, None, closed="left")],
        "alpha": [numbers.Real],
        "output_dict": ["boolean"],
        "zero_division": [
            StrOptions({"warn"}),
            Interval(numbers.Integral, 0, 1, closed="both"),
        ],
    },
    prefer_skip_nested_validation=True,
)
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
    """Build a report of the imbalanced-classification metrics of each class.

    One row per class with its precision (``pre``), recall (``rec``),
    specificity (``spe``), F1 score (``f1``), geometric mean of recall and
    specificity (``geo``), index balanced accuracy of that geometric mean
    (``iba``) and support (``sup``), then their averages weighted by the
    support. The text has imbalanced-learn 0.14.2's layout and numbers.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        The true class labels.
    y_pred : array-like of shape (n_samples,)
        The predicted class labels.
    labels : array-like of shape (n_labels,), default=None
        The classes to report, in this order; ``None`` means every class of
        ``y_true`` and ``y_pred``, sorted.
    target_names : list of str of shape (n_labels,), default=None
        The names printed for the classes; ``None`` uses the labels.
    sample_weight : array-like of shape (n_samples,), default=None
        Weights of the samples in the counts.
    digits : int, default=2
        The number of decimals printed; the dict is not rounded.
    alpha : float, default=0.1
        The weight of the dominance in the index balanced accuracy.
    output_dict : bool, default=False
        Whether to return a dict instead of the text.
    zero_division : {"warn", 0.0, 1.0, np.nan}, default="warn"
        The precision and F1 score where they divide by zero, as in
        scikit-learn's ``precision_recall_fscore_support``; "warn" gives 0.0
        with a warning.

    Returns
    -------
    report : str or dict
        The text report or, with ``output_dict=True``, a dict mapping each
        class name to ``{'pre': ..., 'rec': ..., 'spe': ..., 'f1': ...,
        'geo': ..., 'iba': ..., 'sup': ...}``, plus the averages under
        ``'avg_pre'``, ..., ``'avg_iba'`` and the total support under
        ``'total_support'``.

    See Also
    --------
    sklearn.metrics.classification_report : scikit-learn's report (precision,
        recall, F1 score).
    geometric_mean_score : The ``geo`` column.
    make_index_balanced_accuracy : The ``iba`` column.

    Examples
    --------
    The columns are narrower here than in the real output (whitespace is not
    compared):

    >>> from counterpoise.metrics import classification_report_imbalanced
    >>> y_true = [0, 0, 0, 0, 1, 1]
    >>> y_pred = [0, 0, 0, 1, 1, 0]
    >>> print(classification_report_imbalanced(
    ...     y_true, y_pred, target_names=["neg", "pos"]))
                   pre   rec   spe    f1   geo   iba   sup
    <BLANKLINE>
            neg   0.75  0.75  0.50  0.75  0.61  0.38     4
            pos   0.50  0.50  0.75  0.50  0.61  0.37     2
    <BLANKLINE>
    avg / total   0.67  0.67  0.58  0.67  0.61  0.38     6
    <BLANKLINE>
    >>> report = classification_report_imbalanced(y_true, y_pred, output_dict=True)
    >>> float(report["1"]["spe"]), int(report["total_support"])
    (0.75, 6)
    """
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


@validate_params(
    {
        "y_true": ["array-like"],
        "y_pred": ["array-like"],
        "sample_weight": ["array-like", None],
    },
    prefer_skip_nested_validation=True,
)
def macro_averaged_mean_absolute_error(y_true, y_pred, *, sample_weight=None):
    """Compute the macro-averaged mean absolute error, for ordinal classes.

    The mean absolute error ``|y_true - y_pred|`` is computed within each
    class of ``y_true`` (and ``y_pred``), then averaged over the classes with
    equal weights [1]_, so a rare class counts as much as a frequent one. The
    labels must be numbers whose differences mean something (ordered
    classes). The same values as imbalanced-learn 0.14.2.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        The true ordinal labels.
    y_pred : array-like of shape (n_samples,)
        The predicted ordinal labels.
    sample_weight : array-like of shape (n_samples,), default=None
        Weights of the samples in the counts.

    Returns
    -------
    loss : float
        The macro-averaged mean absolute error; 0.0 is best.

    See Also
    --------
    sklearn.metrics.mean_absolute_error : The error averaged over samples.

    References
    ----------
    .. [1] S. Baccianella, A. Esuli and F. Sebastiani, "Evaluation measures for
       ordinal regression", Ninth International Conference on Intelligent
       Systems Design and Applications (ISDA), 283-287, 2009.

    Examples
    --------
    Class 0 is off by 1 in 1 of its 4 samples, class 1 in 1 of its 2:

    >>> from sklearn.metrics import mean_absolute_error
    >>> from counterpoise.metrics import macro_averaged_mean_absolute_error
    >>> y_true = [0, 0, 0, 0, 1, 1]
    >>> y_pred = [0, 0, 0, 1, 1, 0]
    >>> float(macro_averaged_mean_absolute_error(y_true, y_pred))  # (1/4 + 1/2) / 2
    0.375
    >>> round(float(mean_absolute_error(y_true, y_pred)), 4)  # 2 / 6
    0.3333
    """
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
