"""Metrics for imbalanced classification (``imblearn.metrics``)."""

from . import pairwise
from ._classification import (
    classification_report_imbalanced,
    geometric_mean_score,
    macro_averaged_mean_absolute_error,
    make_index_balanced_accuracy,
    sensitivity_score,
    sensitivity_specificity_support,
    specificity_score,
)

__all__ = [
    "pairwise",
    "classification_report_imbalanced",
    "geometric_mean_score",
    "macro_averaged_mean_absolute_error",
    "make_index_balanced_accuracy",
    "sensitivity_score",
    "sensitivity_specificity_support",
    "specificity_score",
]
