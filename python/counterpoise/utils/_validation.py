"""Target, sampling-strategy and neighbour-estimator validation.

``check_sampling_strategy`` resolves every form imbalanced-learn 0.14.2 accepts
(float, 'auto', 'minority', 'majority', 'not minority', 'not majority', 'all',
dict, list for cleaning samplers, callable) to the same ordered dict of
``{class: n_samples}`` imblearn computes, with the same rules and errors.
"""

from __future__ import annotations

from collections import OrderedDict
from numbers import Integral, Real

import numpy as np
from sklearn.base import clone
from sklearn.neighbors import NearestNeighbors
from sklearn.utils import column_or_1d
from sklearn.utils.multiclass import type_of_target

SAMPLING_KIND = (
    "over-sampling",
    "under-sampling",
    "clean-sampling",
    "ensemble",
    "bypass",
)
TARGET_KIND = ("binary", "multiclass", "multilabel-indicator")


def _compact_counts(y):
    """``(lo, bincount(y - lo))`` for a non-empty 1-D integer array whose values
    span a compact range (no sort, no hash pass); ``None`` for anything else."""
    if not (y.dtype.kind in "iu" and y.ndim == 1 and y.size):
        return None
    lo, hi = int(y.min()), int(y.max())
    if hi - lo >= 4 * y.size + 1024:
        return None
    shifted = y if lo == 0 else y - lo
    return lo, np.bincount(shifted.astype(np.intp, copy=False), minlength=1)


def _class_counts(y) -> dict:
    """``dict(zip(*np.unique(y, return_counts=True)))``; integer labels in a compact
    range are counted with ``bincount`` (same classes, order and counts, no sort)."""
    y = np.asarray(y)
    compact = _compact_counts(y)
    if compact is not None:
        lo, counts = compact
        present = np.flatnonzero(counts)
        classes = (present + lo).astype(y.dtype)
        return dict(zip(classes, counts[present]))
    classes, counts = np.unique(y, return_counts=True)
    return dict(zip(classes, counts))


def _integer_target_type(y):
    """``type_of_target`` for a 1-D integer array whose values span a compact
    range: 'binary' for at most two distinct values, else 'multiclass' (what
    scikit-learn returns there), counted with ``bincount`` instead of a hash pass
    (16 ms -> 2 ms on a million labels). ``None`` for anything else."""
    compact = _compact_counts(y) if isinstance(y, np.ndarray) else None
    if compact is None:
        return None
    return "binary" if np.count_nonzero(compact[1]) <= 2 else "multiclass"


_CLASSIFICATION_TARGETS = (
    "binary",
    "multiclass",
    "multiclass-multioutput",
    "multilabel-indicator",
    "multilabel-sequences",
)


def check_classification_type(y) -> str:
    """``type_of_target(y)``, rejecting continuous targets as sklearn's
    ``check_classification_targets`` does (computed once, reused by callers)."""
    type_y = _integer_target_type(y)
    if type_y is None:
        type_y = type_of_target(y, input_name="y")
    if type_y not in _CLASSIFICATION_TARGETS:
        raise ValueError(
            f"Unknown label type: {type_y}. Maybe you are trying to fit a "
            "classifier, which expects discrete classes on a regression target "
            "with continuous values."
        )
    return type_y


def check_target_type(y, indicate_one_vs_all: bool = False, type_y=None):
    """Return the target as a 1-D array of labels.

    A one-hot encoded target (scikit-learn's 'multilabel-indicator' with one
    label per row) becomes the index of each row's label, as imbalanced-learn
    does; a target with several labels in a row is refused.

    Parameters
    ----------
    y : array-like of shape (n_samples,) or (n_samples, n_classes)
        The target: labels, or a one-hot encoding of them.
    indicate_one_vs_all : bool, default=False
        Whether to also return whether ``y`` was one-hot encoded.
    type_y : str, default=None
        ``type_of_target(y)`` when already computed; ``None`` computes it.

    Returns
    -------
    y : ndarray of shape (n_samples,)
        The labels.
    is_one_vs_all : bool
        Whether ``y`` was one-hot encoded; returned only when
        ``indicate_one_vs_all`` is True.

    See Also
    --------
    check_sampling_strategy : Resolve a sampling strategy against the labels.

    Examples
    --------
    >>> import numpy as np
    >>> from counterpoise.utils import check_target_type
    >>> check_target_type(np.array([[1, 0], [0, 1], [1, 0]])).tolist()
    [0, 1, 0]
    >>> y, one_hot = check_target_type([2, 1, 2], indicate_one_vs_all=True)
    >>> y.tolist(), one_hot
    ([2, 1, 2], False)
    """
    if type_y is None:
        type_y = type_of_target(y)
    if type_y == "multilabel-indicator":
        if np.any(y.sum(axis=1) > 1):
            raise ValueError(
                "Only binary, multiclass and one-hot encoded multiclass targets are "
                "supported; got a multilabel or multioutput target. Resample each "
                "output separately."
            )
        y = y.argmax(axis=1)
    else:
        y = column_or_1d(y)
    return (y, type_y == "multilabel-indicator") if indicate_one_vs_all else y


def _majority(stats: dict):
    return max(stats, key=stats.get)


def _minority(stats: dict):
    return min(stats, key=stats.get)


def _targets(kind: str, stats: dict, sampling_type: str) -> dict:
    """The named strategies: which classes are resampled, to how many samples."""
    n_max, n_min = max(stats.values()), min(stats.values())
    if sampling_type == "over-sampling":
        if kind == "majority":
            raise ValueError(
                "'sampling_strategy'='majority' cannot be used with over-sampler."
            )
        keep = {
            "minority": lambda c: c == _minority(stats),
            "not minority": lambda c: c != _minority(stats),
            "not majority": lambda c: c != _majority(stats),
            "auto": lambda c: c != _majority(stats),
            "all": lambda c: True,
        }[kind]
        return {c: n_max - n for c, n in stats.items() if keep(c)}
    if sampling_type in ("under-sampling", "clean-sampling"):
        if kind == "minority":
            raise ValueError(
                "'sampling_strategy'='minority' cannot be used with"
                " under-sampler and clean-sampler."
            )
        keep = {
            "majority": lambda c: c == _majority(stats),
            "not minority": lambda c: c != _minority(stats),
            "auto": lambda c: c != _minority(stats),
            "not majority": lambda c: c != _majority(stats),
            "all": lambda c: True,
        }[kind]
        return {c: n_min for c in stats if keep(c)}
    raise NotImplementedError(sampling_type)


def _missing_classes(requested, stats: dict) -> None:
    missing = set(requested) - set(stats)
    if missing:
        raise ValueError(
            f"The {missing} target class is/are not present in the data. "
            f"Classes present: {sorted(stats)}."
        )


def _from_dict(strategy: dict, stats: dict, sampling_type: str) -> dict:
    _missing_classes(strategy.keys(), stats)
    if any(n < 0 for n in strategy.values()):
        raise ValueError(
            "The number of samples in a class cannot be negative."
            f"'sampling_strategy' contains some negative value: {strategy}"
        )
    if sampling_type == "over-sampling":
        out = {}
        for c, n in strategy.items():
            if n < stats[c]:
                raise ValueError(
                    "With over-sampling methods, the number of samples in a class "
                    "should be greater or equal to the original number of samples. "
                    f"Originally, there is {stats[c]} samples and {n} samples are "
                    "asked."
                )
            out[c] = n - stats[c]
        return out
    if sampling_type == "under-sampling":
        for c, n in strategy.items():
            if n > stats[c]:
                raise ValueError(
                    "With under-sampling methods, the number of samples in a class "
                    "should be less or equal to the original number of samples. "
                    f"Originally, there is {stats[c]} samples and {n} samples are "
                    "asked."
                )
        return dict(strategy)
    if sampling_type == "clean-sampling":
        raise ValueError(
            "'sampling_strategy' as a dict for cleaning methods is not supported. "
            "Please give a list of the classes to be targeted by the sampling."
        )
    raise NotImplementedError(sampling_type)


def _from_list(strategy: list, stats: dict, sampling_type: str) -> dict:
    if sampling_type != "clean-sampling":
        raise ValueError(
            "'sampling_strategy' cannot be a list for samplers which are not "
            "cleaning methods."
        )
    _missing_classes(strategy, stats)
    return {c: min(stats.values()) for c in strategy}


def _from_float(ratio: float, stats: dict, sampling_type: str) -> dict:
    if len(stats) != 2:
        raise ValueError(
            '"sampling_strategy" can be a float only when the type '
            "of target is binary. For multi-class, use a dict."
        )
    if sampling_type == "over-sampling":
        n_max, major = max(stats.values()), _majority(stats)
        out = {c: int(n_max * ratio - n) for c, n in stats.items() if c != major}
        if any(n <= 0 for n in out.values()):
            raise ValueError(
                "The specified ratio required to remove samples from the minority "
                "class while trying to generate new samples. Please increase the "
                "ratio."
            )
        return out
    if sampling_type == "under-sampling":
        n_min, minor = min(stats.values()), _minority(stats)
        out = {c: int(n_min / ratio) for c in stats if c != minor}
        if any(n > stats[c] for c, n in out.items()):
            raise ValueError(
                "The specified ratio required to generate new sample in the "
                "majority class while trying to remove samples. Please increase "
                "the ratio."
            )
        return out
    raise ValueError(
        "'clean-sampling' methods do let the user specify the sampling ratio."
    )


_NAMED = ("minority", "majority", "not minority", "not majority", "all", "auto")


def check_sampling_strategy(sampling_strategy, y, sampling_type, **kwargs):
    """Resolve a sampling strategy against the labels.

    Every form imbalanced-learn 0.14.2 accepts is resolved by its rules, with its
    errors: for over-samplers the values are the numbers of samples to
    *generate*, for under-samplers the numbers of samples to *keep*, for
    cleaning samplers the classes to clean (mapped to the minority count).

    Parameters
    ----------
    sampling_strategy : float, str, dict, list or callable
        The strategy: a ratio (binary targets only), a name ('minority',
        'majority', 'not minority', 'not majority', 'all', 'auto'), a dict of
        class to number of samples, a list of classes (cleaning samplers only),
        or a callable ``f(y, **kwargs)`` returning a dict.
    y : array-like of shape (n_samples,)
        The labels.
    sampling_type : {'over-sampling', 'under-sampling', 'clean-sampling', \
            'ensemble', 'bypass'}
        The kind of sampler; 'ensemble' and 'bypass' return the strategy as is.
    **kwargs : dict
        Keyword arguments passed to a callable ``sampling_strategy``.

    Returns
    -------
    sampling_strategy_ : OrderedDict
        For each class concerned, sorted by class, the number of samples to
        generate, to keep or to clean towards.

    See Also
    --------
    check_target_type : Turn a one-hot target into labels.

    Examples
    --------
    >>> from counterpoise.utils import check_sampling_strategy
    >>> y = [0, 0, 0, 0, 1, 1, 2]
    >>> strategy = check_sampling_strategy("auto", y, "over-sampling")
    >>> {int(c): int(n) for c, n in strategy.items()}
    {1: 2, 2: 3}
    >>> strategy = check_sampling_strategy("auto", y, "under-sampling")
    >>> {int(c): int(n) for c, n in strategy.items()}
    {0: 1, 1: 1}
    """
    if sampling_type not in SAMPLING_KIND:
        raise ValueError(
            f"'sampling_type' should be one of {SAMPLING_KIND}. "
            f"Got '{sampling_type} instead."
        )
    stats = _class_counts(y)  # counted once, shared by the resolvers below
    n_classes = len(stats)
    if n_classes <= 1:
        raise ValueError(
            "The target 'y' needs to have more than 1 class. "
            f"Got {n_classes} class instead"
        )
    if sampling_type in ("ensemble", "bypass"):
        return sampling_strategy
    if isinstance(sampling_strategy, str):
        if sampling_strategy not in _NAMED:
            raise ValueError(
                "When 'sampling_strategy' is a string, it needs to be one of "
                f"{_NAMED}. Got '{sampling_strategy}' instead."
            )
        resolved = _targets(sampling_strategy, stats, sampling_type)
    elif isinstance(sampling_strategy, dict):
        resolved = _from_dict(sampling_strategy, stats, sampling_type)
    elif isinstance(sampling_strategy, list):
        resolved = _from_list(sampling_strategy, stats, sampling_type)
    elif isinstance(sampling_strategy, Real):
        if sampling_strategy <= 0 or sampling_strategy > 1:
            raise ValueError(
                "When 'sampling_strategy' is a float, it should be "
                f"in the range (0, 1]. Got {sampling_strategy} instead."
            )
        resolved = _from_float(sampling_strategy, stats, sampling_type)
    elif callable(sampling_strategy):
        resolved = _from_dict(sampling_strategy(y, **kwargs), stats, sampling_type)
    else:
        raise TypeError(
            "'sampling_strategy' must be a float, a string, a dict, a list or a "
            f"callable; got {type(sampling_strategy).__name__}."
        )
    return OrderedDict(sorted(resolved.items()))


def _is_neighbors_object(estimator) -> bool:
    return all(hasattr(estimator, a) for a in ("kneighbors", "kneighbors_graph"))


def check_neighbors_object(nn_name, nn_object, additional_neighbor=0):
    """Return a neighbours estimator built from a neighbours parameter.

    As in imbalanced-learn: an int gives
    ``NearestNeighbors(n_neighbors=nn_object + additional_neighbor)``; an object
    with ``kneighbors`` and ``kneighbors_graph`` is cloned. (The samplers search
    with the Rust engine when the parameter is an int; this estimator then only
    records the parameter.)

    Parameters
    ----------
    nn_name : str
        The parameter's name, for the error message.
    nn_object : int or object
        The number of neighbours, or a neighbours estimator.
    additional_neighbor : int, default=0
        Added to an int ``nn_object`` (1 when the query point is its own
        nearest neighbour).

    Returns
    -------
    nn_object : estimator object
        ``NearestNeighbors`` or a clone of the given estimator.

    See Also
    --------
    check_sampling_strategy : Resolve a sampling strategy against the labels.

    Examples
    --------
    >>> from counterpoise.utils import check_neighbors_object
    >>> check_neighbors_object("k_neighbors", 5, additional_neighbor=1)
    NearestNeighbors(n_neighbors=6)
    """
    if isinstance(nn_object, Integral) and not isinstance(nn_object, bool):
        return NearestNeighbors(n_neighbors=nn_object + additional_neighbor)
    if not _is_neighbors_object(nn_object):
        raise TypeError(
            f"{nn_name} must be an int or an object with 'kneighbors' and "
            f"'kneighbors_graph' (e.g. sklearn.neighbors.NearestNeighbors); got "
            f"{type(nn_object).__name__}."
        )
    return clone(nn_object)


def _plain(label):
    """A class label as users wrote it (``1``, not ``np.int64(1)``) for messages."""
    return label.item() if isinstance(label, np.generic) else label
