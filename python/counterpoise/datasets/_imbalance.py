"""``make_imbalance``: turn a balanced dataset into an imbalanced one."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping

from ..under_sampling import RandomUnderSampler
from ..utils._validation import check_sampling_strategy


def make_imbalance(
    X, y, *, sampling_strategy=None, random_state=None, verbose=False, **kwargs
):
    """Keep ``sampling_strategy[c]`` random rows of each class ``c``.

    ``sampling_strategy`` is a dict ``{class: n_samples}`` or a callable
    ``f(y, **kwargs)`` returning one; the rows are drawn by ``RandomUnderSampler``
    exactly as imbalanced-learn 0.14.2 does, so the same seed keeps the same rows.
    """
    if not (isinstance(sampling_strategy, Mapping) or callable(sampling_strategy)):
        raise ValueError(
            "sampling_strategy must be a dict {class: n_samples} or a callable "
            f"returning one; got {sampling_strategy!r}."
        )
    target_stats = Counter(y)
    strategy = check_sampling_strategy(sampling_strategy, y, "under-sampling", **kwargs)
    if verbose:
        print(f"The original target distribution in the dataset is: {target_stats}")
    sampler = RandomUnderSampler(
        sampling_strategy=strategy, replacement=False, random_state=random_state
    )
    X_res, y_res = sampler.fit_resample(X, y)
    if verbose:
        print(f"Make the dataset imbalanced: {Counter(y_res)}")
    return X_res, y_res
