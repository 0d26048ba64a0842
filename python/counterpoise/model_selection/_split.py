"""``InstanceHardnessCV``: folds that share the hard samples out evenly."""

import warnings

import numpy as np
from sklearn.base import clone
from sklearn.model_selection import cross_val_predict
from sklearn.model_selection._split import BaseCrossValidator
from sklearn.utils.multiclass import type_of_target
from sklearn.utils.validation import _num_samples


class InstanceHardnessCV(BaseCrossValidator):
    """Cross-validation splitter that spreads hard samples evenly over the folds.

    Each sample's instance hardness is estimated as the probability
    ``estimator`` gives it of the positive class, out of fold (stratified
    cross-validation with ``n_splits`` folds). Within each class the samples are
    ranked by that probability and dealt to the folds in turn, so every fold
    gets as many easy and as many hard samples of each class as the others.
    Binary targets only, as in imbalanced-learn.

    Parameters
    ----------
    estimator : estimator object
        Classifier with ``predict_proba`` that estimates the hardness.
    n_splits : int, default=5
        Number of folds, at least 2.
    pos_label : int, float, bool or str, default=None
        The class whose probability is the hardness; ``None`` takes the
        larger of the two sorted labels (``estimator.classes_[1]``).

    See Also
    --------
    counterpoise.under_sampling.InstanceHardnessThreshold : Removes the hard
        samples instead.

    Examples
    --------
    >>> from sklearn.datasets import make_classification
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn.model_selection import cross_validate
    >>> from counterpoise.model_selection import InstanceHardnessCV
    >>> X, y = make_classification(weights=[0.9, 0.1], class_sep=2, n_informative=3,
    ...     n_redundant=1, flip_y=0.05, n_samples=1000, random_state=10)
    >>> cv = InstanceHardnessCV(LogisticRegression())
    >>> scores = cross_validate(LogisticRegression(), X, y, cv=cv)["test_score"]
    >>> bool(scores.std() < 0.01)
    True
    """

    def __init__(self, estimator, *, n_splits=5, pos_label=None):
        self.estimator = estimator
        self.n_splits = n_splits
        self.pos_label = pos_label

    def split(self, X, y, groups=None):
        """Generate the train and test indices of each fold.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples,)
            Binary target.
        groups : object
            Ignored (a warning says so when given).

        Yields
        ------
        train : ndarray
            The training indices of the fold.
        test : ndarray
            The test indices of the fold.
        """
        if groups is not None:
            warnings.warn(
                f"The groups parameter is ignored by {type(self).__name__}",
                UserWarning,
                stacklevel=2,
            )
        n_splits = self.n_splits
        if (
            isinstance(n_splits, bool)
            or not isinstance(n_splits, (int, np.integer))
            or n_splits < 2
        ):
            raise ValueError(
                f"n_splits must be an integer of at least 2, got {n_splits!r}."
            )
        y = np.asarray(y)
        if type_of_target(y) != "binary":
            raise ValueError("InstanceHardnessCV only supports binary classification.")
        classes = np.unique(y)
        if self.pos_label is None:
            column = 1
        else:
            match = np.flatnonzero(classes == self.pos_label)
            if match.size == 0:
                raise ValueError(
                    f"pos_label={self.pos_label!r} is not one of the classes "
                    f"{classes.tolist()}; give one of them or None."
                )
            column = int(match[0])
        proba = cross_val_predict(
            clone(self.estimator), X, y, cv=n_splits, method="predict_proba"
        )
        n_samples = _num_samples(X)
        # by class, then by hardness; deal the ranked samples to the folds in turn
        order = np.lexsort((proba[:, column], y))
        fold = np.empty(n_samples, dtype=np.intp)
        fold[order] = np.arange(n_samples) % n_splits
        for k in range(n_splits):
            yield np.flatnonzero(fold != k), np.flatnonzero(fold == k)

    def get_n_splits(self, X=None, y=None, groups=None):
        """Return the number of folds.

        Parameters
        ----------
        X : object
            Ignored.
        y : object
            Ignored.
        groups : object
            Ignored.

        Returns
        -------
        n_splits : int
            The number of folds.
        """
        return self.n_splits
