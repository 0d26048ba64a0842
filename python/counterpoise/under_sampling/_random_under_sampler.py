"""Random under-sampling, a drop-in for
``imblearn.under_sampling.RandomUnderSampler``.

One ``RandomState`` for the call; classes visited in sorted order, each resampled
class drawing ``choice(n_class, n_keep, replace=replacement)`` exactly as imblearn
0.14.2, so the same integer seed keeps the same rows. ``X[sample_indices_]`` is
gathered in parallel by the Rust core (dataframes are indexed directly).
"""

from __future__ import annotations

import numpy as np

from ..utils._containers import take_rows
from ..utils._sampling import check_X_y_any
from ..utils._validation import check_random_state
from .base import BaseUnderSampler


class RandomUnderSampler(BaseUnderSampler):
    """Under-sample by keeping a random subset of each targeted class.

    Each class to under-sample keeps ``sampling_strategy_[class]`` of its
    samples, drawn at random with or without replacement. Classes are visited
    in sorted order and draw from one ``RandomState`` exactly as
    imbalanced-learn does, so the same integer seed keeps the same samples.
    Any data is accepted, with missing values and strings (the rows are only
    gathered, by the Rust engine for arrays).

    Parameters
    ----------
    sampling_strategy : float, str, dict or callable, default='auto'
        Which classes to under-sample and to how many samples. A float is the
        desired ratio of minority to majority samples after resampling (binary
        problems only); 'majority', 'not minority', 'not majority', 'all' or
        'auto' (= 'not minority') name the classes to reduce to the minority's
        count; a dict maps each targeted class to the number of samples to
        keep; a callable takes ``y`` and returns such a dict.
    random_state : int, RandomState instance or None, default=None
        Seed of the draws; the same integer keeps the same samples as
        imbalanced-learn's ``RandomUnderSampler``.
    replacement : bool, default=False
        Whether to draw with replacement.

    Attributes
    ----------
    sampling_strategy_ : dict
        Each class to under-sample mapped to the number of samples to keep.
    sample_indices_ : ndarray of shape (n_new_samples,)
        Indices of the kept samples in the input.
    n_features_in_ : int
        Number of features seen during ``fit_resample``.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Feature names seen during ``fit_resample``; defined only when ``X`` has
        string column names.

    See Also
    --------
    NearMiss : Keep samples by their distance to the minority class.
    counterpoise.over_sampling.RandomOverSampler : Random over-sampling.

    References
    ----------
    .. [1] H. He and E. A. Garcia, "Learning from imbalanced data," IEEE
       Transactions on Knowledge and Data Engineering, 21(9), 1263-1284, 2009
       (random under-sampling, section 3.1.1).

    Examples
    --------
    >>> from collections import Counter
    >>> from sklearn.datasets import make_classification
    >>> from counterpoise.under_sampling import RandomUnderSampler
    >>> X, y = make_classification(n_samples=1000, n_features=4, n_informative=3,
    ...                            n_redundant=1, n_clusters_per_class=1,
    ...                            weights=[0.9, 0.1], flip_y=0, random_state=0)
    >>> sorted(Counter(y.tolist()).items())
    [(0, 900), (1, 100)]
    >>> X_res, y_res = RandomUnderSampler(random_state=0).fit_resample(X, y)
    >>> sorted(Counter(y_res.tolist()).items())
    [(0, 100), (1, 100)]
    """

    _parameter_constraints: dict = {
        **BaseUnderSampler._parameter_constraints,
        "replacement": ["boolean"],
        "random_state": ["random_state"],
    }

    def __init__(
        self, *, sampling_strategy="auto", random_state=None, replacement=False
    ):
        super().__init__(sampling_strategy=sampling_strategy)
        self.random_state = random_state
        self.replacement = replacement

    def _check_X_y(self, X, y, *, type_y=None):
        return check_X_y_any(self, X, y, type_y=type_y)

    def _fit_resample(self, X, y):
        random_state = check_random_state(self.random_state)
        kept = []
        for target_class in np.unique(y):
            class_indices = np.flatnonzero(y == target_class)
            if target_class in self.sampling_strategy_:
                chosen = random_state.choice(
                    class_indices.size,
                    size=self.sampling_strategy_[target_class],
                    replace=self.replacement,
                )
                class_indices = class_indices[chosen]
            kept.append(class_indices)
        self.sample_indices_ = np.concatenate(kept).astype(np.int64, copy=False)
        return take_rows(X, self.sample_indices_), y[self.sample_indices_]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        tags.input_tags.string = True
        return tags
