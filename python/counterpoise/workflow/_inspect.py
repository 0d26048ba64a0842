"""``inspect``: the class counts of a target and how severe its imbalance is."""

from __future__ import annotations

import textwrap
from collections import Counter
from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass
class InspectResult:
    """Class counts of a target and how severe its imbalance is.

    Returned by :func:`inspect`; ``str()`` of it is the report that the
    ``counterpoise inspect`` command prints.

    Parameters
    ----------
    counts : dict
        Number of rows of every class, ``{label: count}``.
    imbalance_ratio : float
        Rows of the largest class divided by rows of the smallest.
    minority_class : object
        Label of the smallest class (the first one met on a tie).
    minority_share : float
        Fraction of all rows that belong to the minority class.
    severity : {'mild', 'moderate', 'severe'}
        ``'mild'`` up to 90/10 (ratio 9), ``'moderate'`` up to 99/1 (ratio 99),
        ``'severe'`` beyond.
    advice : str
        What to try first at this severity, in one paragraph.

    Attributes
    ----------
    counts : dict
        Number of rows of every class, ``{label: count}``.
    imbalance_ratio : float
        Rows of the largest class divided by rows of the smallest.
    minority_class : object
        Label of the smallest class.
    minority_share : float
        Fraction of all rows that belong to the minority class.
    severity : str
        One of ``'mild'``, ``'moderate'``, ``'severe'``.
    advice : str
        What to try first at this severity.

    See Also
    --------
    inspect : Builds this result from a target.
    compare : Measures the strategies that the advice names.

    Examples
    --------
    >>> from counterpoise import inspect
    >>> info = inspect([0] * 95 + [1] * 5)
    >>> info.severity, round(info.imbalance_ratio, 1)
    ('moderate', 19.0)
    >>> print(str(info).splitlines()[0])
    class counts:
    """

    counts: dict
    imbalance_ratio: float
    minority_class: Any
    minority_share: float
    severity: str
    advice: str

    def __str__(self) -> str:
        total = sum(self.counts.values())
        width = max(len(str(k)) for k in self.counts)
        lines = ["class counts:"]
        for label, count in sorted(self.counts.items(), key=lambda kv: -kv[1]):
            lines.append(f"  {str(label):>{width}}  {count:>10,}  {count / total:7.2%}")
        lines.append(
            f"imbalance ratio {self.imbalance_ratio:,.1f}:1 "
            f"(minority {self.minority_class!r}, {self.minority_share:.2%}): "
            f"{self.severity}"
        )
        lines += textwrap.wrap(
            f"advice: {self.advice}", width=88, subsequent_indent="  "
        )
        return "\n".join(lines)


_ADVICE = {
    "mild": (
        "up to 90/10 a well-regularised model usually copes; measure with PR-AUC "
        "and F1 rather than accuracy, and try class_weight='balanced' or threshold "
        "tuning before any resampling."
    ),
    "moderate": (
        "between 90/10 and 99/1 the default 0.5 threshold is usually wrong: tune the "
        "decision threshold, compare class weights and resampling inside the "
        "pipeline (SMOTE, random under-sampling) on the same folds, and judge by "
        "PR-AUC, recall and MCC."
    ),
    "severe": (
        "beyond 99/1 there are few minority rows to learn from: use stratified "
        "folds, judge by PR-AUC and recall at a tuned threshold, prefer balanced "
        "ensembles (BalancedRandomForest, EasyEnsemble) or under-sampling, and "
        "gather more minority examples if you can."
    ),
}


def inspect(y) -> InspectResult:
    """Count the classes of a target and rate how imbalanced it is.

    The imbalance ratio is the size of the largest class over the size of the
    smallest. Its severity band is ``'mild'`` up to 90/10 (ratio 9),
    ``'moderate'`` up to 99/1 (ratio 99) and ``'severe'`` beyond; each band
    comes with advice on what to try first.

    Parameters
    ----------
    y : array-like of shape (n_samples,) or (n_samples, 1)
        The target: any labels, with at least two classes.

    Returns
    -------
    InspectResult
        The counts, ratio, minority class and its share, severity and advice;
        print it for a readable report.

    Raises
    ------
    ValueError
        If ``y`` is empty, not one-dimensional, or holds a single class.

    See Also
    --------
    compare : Compare imbalance strategies on the same stratified folds.
    InspectResult : The result, with its fields.

    Examples
    --------
    >>> from counterpoise import inspect
    >>> info = inspect(["ok"] * 990 + ["fraud"] * 10)
    >>> info.counts
    {'ok': 990, 'fraud': 10}
    >>> info.minority_class, info.imbalance_ratio, info.severity
    ('fraud', 99.0, 'moderate')
    """
    y = np.asarray(y)
    if y.ndim != 1:
        y = y.ravel() if y.ndim == 2 and y.shape[1] == 1 else y
    if y.ndim != 1:
        raise ValueError(f"inspect expects a 1-d target; got shape {y.shape}.")
    if y.size == 0:
        raise ValueError("inspect got an empty target.")
    counts = Counter(y.tolist())
    if len(counts) < 2:
        raise ValueError(
            f"the target has a single class ({next(iter(counts))!r}): there is "
            "nothing to balance; check the target column."
        )
    minority, n_min = min(counts.items(), key=lambda kv: kv[1])
    n_max = max(counts.values())
    ratio = n_max / n_min
    severity = "mild" if ratio <= 9 else "moderate" if ratio <= 99 else "severe"
    return InspectResult(
        counts=dict(counts),
        imbalance_ratio=ratio,
        minority_class=minority,
        minority_share=n_min / y.size,
        severity=severity,
        advice=_ADVICE[severity],
    )
