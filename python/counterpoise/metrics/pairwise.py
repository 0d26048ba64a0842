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

    The Value Difference Metric [1]_ [2]_: two categories of a feature are close
    when the classes are distributed alike among the samples having them.
    ``fit`` learns ``P(c | v)``, the share of class ``c`` among the training
    samples with category ``v``, for every feature; the distance between rows
    ``x`` and ``y`` is then
    ``sum_f (sum_c |P(c | x_f) - P(c | y_f)|^k)^(r / k)``. SMOTEN uses it to
    find neighbours of categorical samples. The same distances as
    imbalanced-learn 0.14.2.

    Parameters
    ----------
    n_categories : "auto" or array-like of shape (n_features,), default="auto"
        The number of categories of each feature; "auto" takes the largest code
        seen by ``fit`` plus one. Give it when rows passed to ``pairwise`` may
        hold categories absent from the training data.
    k : int, default=1
        The exponent of the class-probability differences within a feature.
    r : int, default=2
        The exponent of each feature's distance in the sum over features.

    Attributes
    ----------
    n_categories_ : ndarray of shape (n_features,)
        The number of categories of each feature.
    proba_per_class_ : list of ndarray of shape (n_categories_[f], n_classes)
        ``P(class | category)`` for each feature ``f`` (0 for categories absent
        from the training data).
    n_features_in_ : int
        The number of features seen by ``fit``.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of the features seen by ``fit``; defined only when ``X`` has
        string column names.

    See Also
    --------
    counterpoise.over_sampling.SMOTEN : Over-sampler of categorical data that
        uses this metric.

    References
    ----------
    .. [1] C. Stanfill and D. Waltz, "Toward memory-based reasoning",
       Communications of the ACM, 29(12), 1213-1228, 1986.
    .. [2] D. R. Wilson and T. R. Martinez, "Improved heterogeneous distance
       functions", Journal of Artificial Intelligence Research, 6, 1-34, 1997.

    Examples
    --------
    Category 0 holds classes ``[0, 0, 0, 1]``, category 1 ``[0, 1]`` and
    category 2 ``[1, 1]``, so ``P(c | v)`` is ``(3/4, 1/4)``, ``(1/2, 1/2)`` and
    ``(0, 1)``; with ``k=1, r=2`` the distance between categories 0 and 1 is
    ``(1/4 + 1/4)^2``:

    >>> import numpy as np
    >>> from counterpoise.metrics.pairwise import ValueDifferenceMetric
    >>> X = np.array([[0], [0], [0], [0], [1], [1], [2], [2]])
    >>> y = [0, 0, 0, 1, 0, 1, 1, 1]
    >>> vdm = ValueDifferenceMetric().fit(X, y)
    >>> vdm.pairwise(np.array([[0], [1], [2]])).tolist()
    [[0.0, 0.25, 2.25], [0.25, 0.0, 1.0], [2.25, 1.0, 0.0]]
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
        """Learn ``P(class | category)`` for every feature.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            The training samples, each feature's categories encoded as
            integers ``0..n_categories - 1`` (e.g. by scikit-learn's
            ``OrdinalEncoder``).
        y : array-like of shape (n_samples,)
            The class labels.

        Returns
        -------
        self : object
            The fitted metric.
        """
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
        """Compute the distance matrix between the rows of ``X`` and of ``Y``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Rows encoded as for ``fit``.
        Y : array-like of shape (n_samples_Y, n_features), default=None
            Rows encoded as for ``fit``; ``None`` means ``X``.

        Returns
        -------
        distance_matrix : ndarray of shape (n_samples, n_samples_Y)
            The distance between each row of ``X`` and each row of ``Y``.
        """
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
