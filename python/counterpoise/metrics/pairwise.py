"""Value Difference Metric (Stanfill & Waltz, 1986; Wilson & Martinez, 1997) for
ordinal-encoded categorical data: drop-in for ``imblearn.metrics.pairwise``.

Two categories of a feature are close when the classes are distributed alike
among the samples that have them: with ``P(c | v)`` the class proportions among
the samples with category ``v``, the distance between rows ``x`` and ``y`` is
``sum_f (sum_c |P(c | x_f) - P(c | y_f)|^k)^(r/k)``.
"""

from __future__ import annotations

import numbers

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.utils import check_array
from sklearn.utils._param_validation import StrOptions
from sklearn.utils.multiclass import unique_labels
from sklearn.utils.validation import (
    check_consistent_length,
    check_is_fitted,
    validate_data,
)

__all__ = ["ValueDifferenceMetric"]


class ValueDifferenceMetric(BaseEstimator):
    """Distances between rows of categorical features encoded 0..n_categories-1.

    Attributes
    ----------
    n_categories_ : ndarray of shape (n_features,)
    proba_per_class_ : list of ndarray of shape (n_categories_[f], n_classes)
        ``P(class | category)`` for each feature (0 for unseen categories).
    n_features_in_ : int
    """

    _parameter_constraints: dict = {
        "n_categories": [StrOptions({"auto"}), "array-like"],
        "k": [numbers.Integral],
        "r": [numbers.Integral],
    }

    def __init__(self, *, n_categories="auto", k=1, r=2):
        self.n_categories = n_categories
        self.k = k
        self.r = r

    def fit(self, X, y):
        """Learn ``P(class | category)`` for every feature."""
        self._validate_params()
        check_consistent_length(X, y)
        X, y = validate_data(self, X=X, y=y, reset=True, dtype=np.int32)
        X = check_array(X, ensure_non_negative=True)
        if isinstance(self.n_categories, str):
            self.n_categories_ = X.max(axis=0) + 1
        else:
            if len(self.n_categories) != self.n_features_in_:
                raise ValueError(
                    "The length of n_categories is not consistent with the number of "
                    f"feature in X. Got {len(self.n_categories)} elements in "
                    f"n_categories and {self.n_features_in_} in X."
                )
            self.n_categories_ = np.asarray(self.n_categories)
        classes = unique_labels(y)
        y_index = np.searchsorted(classes, y)  # each row's class, 0..n_classes-1
        n_classes = classes.size
        self.proba_per_class_ = []
        for f, n_cat in enumerate(self.n_categories_):
            # counts[v, c]: rows with category v of feature f and class c
            codes = X[:, f].astype(np.int64)
            n_rows = max(int(n_cat), int(codes.max()) + 1 if codes.size else 0)
            counts = (
                np.bincount(codes * n_classes + y_index, minlength=n_rows * n_classes)
                .reshape(n_rows, n_classes)
                .astype(np.float64)
            )
            totals = counts.sum(axis=1, keepdims=True)
            with np.errstate(invalid="ignore", divide="ignore"):
                proba = counts / totals
            self.proba_per_class_.append(np.nan_to_num(proba))
        return self

    def pairwise(self, X, Y=None):
        """Distance matrix between the rows of ``X`` and of ``Y`` (or ``X``)."""
        check_is_fitted(self)
        X = check_array(X, ensure_non_negative=True, dtype=np.int32)
        Y = X if Y is None else check_array(Y, ensure_non_negative=True, dtype=np.int32)
        for name, A in (("X", X), ("Y", Y)):
            if A.shape[1] != len(self.proba_per_class_):
                raise ValueError(
                    f"{name} has {A.shape[1]} features but the metric was fitted "
                    f"with {len(self.proba_per_class_)}."
                )
            for f, proba in enumerate(self.proba_per_class_):
                if A.shape[0] and int(A[:, f].max()) >= proba.shape[0]:
                    top, seen = int(A[:, f].max()), proba.shape[0] - 1
                    raise ValueError(
                        f"{name} has category {top} in feature {f}, but the metric "
                        f"was fitted with categories 0..{seen} there; pass "
                        "n_categories to fit to cover every category."
                    )
        distance = np.zeros((X.shape[0], Y.shape[0]), dtype=np.float64)
        for f, proba in enumerate(self.proba_per_class_):
            diff = np.abs(proba[X[:, f]][:, None, :] - proba[Y[:, f]][None, :, :])
            if self.k == 1:
                minkowski = diff.sum(axis=2)
            else:
                minkowski = (diff**self.k).sum(axis=2) ** (1.0 / self.k)
            distance += minkowski**self.r
        return distance

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.positive_only = True
        return tags
