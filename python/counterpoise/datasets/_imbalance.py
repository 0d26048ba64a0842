"""``make_imbalance``: turn a balanced dataset into an imbalanced one."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping

from sklearn.utils._param_validation import validate_params

from ..under_sampling import RandomUnderSampler
from ..utils._validation import check_sampling_strategy


@validate_params(
    {
        "X": ["array-like", "sparse matrix"],
        "y": ["array-like"],
        "sampling_strategy": [Mapping, callable, None],
        "random_state": ["random_state"],
        "verbose": ["boolean"],
    },
    prefer_skip_nested_validation=True,
)
def make_imbalance(
    X, y, *, sampling_strategy=None, random_state=None, verbose=False, **kwargs
):
    """Turn a dataset into an imbalanced one by dropping random rows per class.

    Keep ``sampling_strategy[c]`` random rows of each class ``c`` named, and
    every row of the other classes. The rows are drawn without replacement by
    :class:`~counterpoise.under_sampling.RandomUnderSampler`, exactly as
    imbalanced-learn 0.14.2 draws them, so the same seed keeps the same rows.

    Parameters
    ----------
    X : {array-like, dataframe, sparse matrix} of shape (n_samples, n_features)
        The samples; the result has the same container type.
    y : array-like of shape (n_samples,)
        The class labels.
    sampling_strategy : dict or callable, default=None
        A dict ``{class: n_samples}`` of the rows to keep in each class named
        (at most its current count), or a callable ``f(y, **kwargs)`` returning
        one. Required: ``None`` raises ``ValueError``.
    random_state : int, RandomState instance or None, default=None
        Seeds the draw of the kept rows.
    verbose : bool, default=False
        Whether to print the class counts before and after.
    **kwargs : dict
        Passed to ``sampling_strategy`` when it is a callable.

    Returns
    -------
    X_resampled : {ndarray, dataframe, sparse matrix} of shape \
            (n_samples_new, n_features)
        The kept rows of ``X``.
    y_resampled : ndarray of shape (n_samples_new,)
        Their labels.

    See Also
    --------
    counterpoise.under_sampling.RandomUnderSampler : The sampler that draws the
        rows.

    Examples
    --------
    >>> from collections import Counter
    >>> from sklearn.datasets import load_iris
    >>> from counterpoise.datasets import make_imbalance
    >>> X, y = load_iris(return_X_y=True)
    >>> sorted(Counter(y.tolist()).items())
    [(0, 50), (1, 50), (2, 50)]
    >>> X_res, y_res = make_imbalance(X, y, sampling_strategy={0: 10, 1: 20},
    ...                               random_state=0)
    >>> sorted(Counter(y_res.tolist()).items())
    [(0, 10), (1, 20), (2, 50)]
    >>> X_res.shape
    (80, 4)
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
