"""Random under-sampling, a drop-in for
``imblearn.under_sampling.RandomUnderSampler``.

One ``RandomState`` for the call; classes visited in sorted order, each resampled
class drawing ``choice(n_class, n_keep, replace=replacement)`` exactly as imblearn
0.14.2, so the same integer seed keeps the same rows. ``X[sample_indices_]`` is
gathered in parallel by the Rust core (dataframes are indexed directly).
"""

from __future__ import annotations

import numpy as np
from sklearn.utils import check_random_state

from ..utils._containers import take_rows
from ..utils._sampling import check_X_y_any
from .base import BaseUnderSampler


class RandomUnderSampler(BaseUnderSampler):
    """Under-sample by keeping a random subset of each targeted class.

    Parameters
    ----------
    sampling_strategy : float, str, dict or callable, default='auto'
    random_state : int, RandomState instance or None, default=None
    replacement : bool, default=False
        Draw with replacement.

    Attributes
    ----------
    sampling_strategy_ : dict
    sample_indices_ : ndarray of shape (n_new_samples,)
    n_features_in_ : int
    feature_names_in_ : ndarray of shape (n_features_in_,)
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

    def _check_X_y(self, X, y):
        return check_X_y_any(self, X, y)

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
