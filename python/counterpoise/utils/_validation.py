"""Target, sampling-strategy and neighbour-estimator validation.

``check_sampling_strategy`` resolves every form imbalanced-learn 0.14.2 accepts
(float, 'auto', 'minority', 'majority', 'not minority', 'not majority', 'all',
dict, list for cleaning samplers, callable) to the same ordered dict of
``{class: n_samples}`` imblearn computes, with the same rules and errors.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping
from numbers import Integral, Real

import numpy as np
from numpy.random.bit_generator import ISeedSequence
from sklearn.base import clone
from sklearn.neighbors import NearestNeighbors
from sklearn.utils import check_random_state as _check_random_state
from sklearn.utils import column_or_1d
from sklearn.utils.multiclass import type_of_target
from sklearn.utils.validation import _assert_all_finite

SAMPLING_KIND = (
    "over-sampling",
    "under-sampling",
    "clean-sampling",
    "ensemble",
    "bypass",
)
TARGET_KIND = ("binary", "multiclass", "multilabel-indicator")

# imbalanced-learn's first sentence, so code matching on it keeps working
MULTI_OUTPUT_MESSAGE = (
    "Multilabel and multioutput targets are not supported. Only binary, multiclass "
    "and one-hot encoded multiclass targets are; resample each output separately."
)


class SamplingError(ValueError, RuntimeError):
    """The data cannot be resampled as asked (imbalanced-learn raises a
    ``RuntimeError`` there): both a ``ValueError``, what scikit-learn callers
    catch, and a ``RuntimeError``, so that code written for imbalanced-learn
    keeps working."""


def check_not_lazy(obj, name: str) -> None:
    """Refuse a polars ``LazyFrame`` (a query plan, not data) with a clear
    ``TypeError`` telling to ``.collect()`` it first."""
    if type(obj).__name__ == "LazyFrame" and type(obj).__module__.startswith("polars"):
        raise TypeError(
            f"{name} is a polars LazyFrame, a query that has not been run: call "
            f"{name}.collect() first and pass the resulting DataFrame."
        )


def _check_label_types(y):
    """Refuse labels mixing strings and numbers (they cannot be sorted into
    classes) with a message naming both."""
    y = np.asarray(y)
    if y.dtype.kind != "O" or y.ndim != 1:
        return
    kinds = {}
    for v in y:
        if v is None or (isinstance(v, float) and v != v):
            continue
        kind = "string" if isinstance(v, (str, bytes)) else "number"
        kinds.setdefault(kind, v)
        if len(kinds) == 2:
            raise ValueError(
                "y mixes label types: strings (e.g. "
                f"{kinds['string']!r}) and numbers (e.g. {_plain(kinds['number'])!r}). "
                "Give every class a label of one type, e.g. y.astype(str)."
            )


def _missing_labels(y):
    """Positions of missing labels (None or NaN) in a 1-D array, or None."""
    y = np.asarray(y)
    if y.ndim != 1 or y.size == 0:
        return None
    if y.dtype.kind == "f":
        missing = np.isnan(y)
    elif y.dtype.kind == "O":
        missing = np.fromiter(
            (v is None or (isinstance(v, float) and v != v) for v in y),
            dtype=bool,
            count=y.size,
        )
    else:
        return None
    return np.flatnonzero(missing) if missing.any() else None


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
    check_not_lazy(y, "y")
    type_y = _integer_target_type(y)
    if type_y is None:
        try:
            type_y = type_of_target(y, input_name="y")
        except (TypeError, ValueError):
            _explain_labels(y)
            raise
    if type_y not in _CLASSIFICATION_TARGETS:
        _explain_labels(y)
        raise ValueError(
            f"Unknown label type: {type_y}. Maybe you are trying to fit a "
            "classifier, which expects discrete classes on a regression target "
            "with continuous values."
        )
    return type_y


def _explain_labels(y):
    """Raise a ValueError naming what makes y no target, where it can tell: a
    missing label (None, NaN) or labels mixing strings and numbers. Run only
    once scikit-learn has refused y, so valid targets pay nothing."""
    try:
        arr = np.asarray(y)
    except Exception:  # scikit-learn's own error is the one to give
        return
    _check_label_types(arr)
    missing = _missing_labels(arr)
    if missing is not None:
        raise ValueError(
            f"y has {missing.size} missing label(s) (None or NaN), first at "
            f"row {int(missing[0])}. Every sample needs a class: drop those "
            "rows or give them a label of their own."
        )


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
            raise ValueError(MULTI_OUTPUT_MESSAGE)
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


def _counts_as_int(strategy: dict) -> dict:
    """The dict's sample counts as ints: integral floats (``20.0``) are taken,
    fractional ones (``20.5``), booleans and non-numbers refused by name."""
    out = {}
    for c, n in strategy.items():
        if isinstance(n, (bool, np.bool_)) or not isinstance(n, Real):
            raise TypeError(
                "The values of a dict 'sampling_strategy' are numbers of samples "
                f"(ints); got {n!r} of type {type(n).__name__} for class "
                f"{_plain(c)!r}."
            )
        if not isinstance(n, Integral):
            if not np.isfinite(n) or float(n) != int(n):
                raise ValueError(
                    "The values of a dict 'sampling_strategy' are numbers of "
                    f"samples and must be whole numbers; got {n!r} for class "
                    f"{_plain(c)!r}. Round it, e.g. int({n!r})."
                )
        out[c] = int(n)
    return out


def _from_dict(strategy: dict, stats: dict, sampling_type: str) -> dict:
    _missing_classes(strategy.keys(), stats)
    if sampling_type in ("over-sampling", "under-sampling"):
        strategy = _counts_as_int(strategy)
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
    return resolve_sampling_strategy(
        sampling_strategy, _class_counts(y), sampling_type, y, **kwargs
    )


def resolve_sampling_strategy(sampling_strategy, stats, sampling_type, y=None, **kw):
    """``check_sampling_strategy`` from the class counts instead of the labels.

    The one dispatch over the strategy's forms, shared by the local samplers
    (through ``check_sampling_strategy``) and the distributed plans, which count
    the classes with one aggregation and never hold the labels. ``stats`` maps
    each class to its number of samples. A callable strategy is called with
    ``y``; when ``y`` is None it gets labels rebuilt from the counts (same
    classes and counts, grouped by class). ``sampling_type`` must be one of
    ``SAMPLING_KIND`` (``check_sampling_strategy`` checks it before counting).
    """
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
        if y is None:
            y = np.repeat(np.asarray(list(stats)), np.asarray(list(stats.values())))
        returned = sampling_strategy(y, **kw)
        if not isinstance(returned, Mapping):
            name = getattr(sampling_strategy, "__name__", type(sampling_strategy))
            raise TypeError(
                f"A callable 'sampling_strategy' ({name}) must return a dict "
                "mapping each class to a number of samples; it returned "
                f"{type(returned).__name__} {returned!r:.80}."
            )
        resolved = _from_dict(dict(returned), stats, sampling_type)
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


def _text_columns(X) -> list:
    """``(name, example)`` of the columns of X holding text, for messages."""
    found = []
    kind = type(X).__module__.split(".")[0]
    if kind == "pandas" and hasattr(X, "columns"):
        import pandas as pd

        for name in X.columns:
            col = X[name]
            if isinstance(col, pd.DataFrame):
                continue
            dtype = col.dtype
            if isinstance(dtype, pd.CategoricalDtype):
                dtype = dtype.categories.dtype
            if dtype.kind in "OSU" or isinstance(dtype, pd.StringDtype):
                texts = [v for v in col if isinstance(v, (str, bytes))]
                if texts:
                    found.append((name, texts[0]))
        return found
    if kind == "polars" and hasattr(X, "schema"):
        for name, dtype in X.schema.items():
            if type(dtype).__name__ in ("String", "Utf8", "Categorical", "Enum"):
                col = X[name].drop_nulls()
                found.append((name, str(col[0]) if len(col) else ""))
        return found
    try:
        arr = np.asarray(X, dtype=object)
    except Exception:  # a ragged list: the shape error is the clear one
        return found
    if arr.ndim != 2:
        return found
    for j in range(arr.shape[1]):
        texts = [
            v for v in arr[:, j] if isinstance(v, (str, bytes, np.str_, np.bytes_))
        ]
        for v in texts:
            try:
                float(v)
            except ValueError:
                found.append((j, v))
                break
    return found


def text_columns_error(sampler, X, over_sampling: bool):
    """A ``ValueError`` naming the text columns of X for a sampler that needs
    numbers (and pointing an over-sampler to SMOTENC/SMOTEN), or None when X has
    none."""
    found = _text_columns(X)
    if not found:
        return None
    names = ", ".join(f"{name!r} (e.g. {value!r})" for name, value in found[:5])
    more = f" and {len(found) - 5} more" if len(found) > 5 else ""
    where = [name for name, _ in found]
    if over_sampling:
        fix = (
            "Use SMOTENC(categorical_features="
            f"{where!r}) for data mixing numeric and categorical columns, SMOTEN "
            "when every column is categorical, or encode these columns as numbers "
            "first."
        )
    else:
        fix = (
            "Encode these columns as numbers first (e.g. with "
            "sklearn.preprocessing.OneHotEncoder or OrdinalEncoder)."
        )
    return ValueError(
        f"{type(sampler).__name__} needs numeric features, but column(s) "
        f"{names}{more} hold text. {fix}"
    )


def checked_numeric(sampler, X, check, over_sampling: bool, **kwargs):
    """``check(X, y, **kwargs)`` (the base ``_check_X_y``) for a sampler that
    needs numbers: a ValueError naming X's text columns (and the sampler to use
    instead) when X has some, whether scikit-learn fails to convert them or,
    for polars input, leaves an object array; a sparse X is copied where a
    later step would sort or refuse it in place."""
    if type(X) is np.ndarray and X.dtype.kind in "biuf":
        # no text, nothing lazy, nothing sparse: the base check only
        return check(X, **kwargs)
    check_not_lazy(X, "X")
    try:
        X_, y_, binarize_y = check(X, **kwargs)
    except ValueError as exc:
        error = text_columns_error(sampler, X, over_sampling)
        if error is None:
            raise
        raise error from exc
    if isinstance(X_, np.ndarray) and X_.dtype.kind == "O":
        error = text_columns_error(sampler, X, over_sampling)
        if error is not None:
            raise error
        X_ = X_.astype(np.float64)
    return writable_sorted(X_), y_, binarize_y


def writable_sorted(X):
    """X, or a copy of it when it is a sparse matrix whose index order or
    read-only buffers a later step (scikit-learn's SVC, k-means) would change in
    place or refuse: the caller's matrix is never modified."""
    from scipy import sparse

    if not sparse.issparse(X) or X.format not in ("csr", "csc"):
        return X
    writable = all(getattr(X, a).flags.writeable for a in ("data", "indices", "indptr"))
    if writable and X.has_sorted_indices:
        return X
    X = X.copy()
    X.sort_indices()
    return X


def plain_X_y(sampler, X, y, type_y, ensure_all_finite=True):
    """``validate_data(sampler, X, y, reset=True, ensure_all_finite=...)`` and
    ``check_target_type`` for the common case, without their per-call cost:
    ``X`` a plain 2-D numpy array of numbers (bool, int, uint or float), ``y`` a
    plain 1-D numpy array of numeric labels of the same length, ``type_y``
    'binary' or 'multiclass'. scikit-learn returns such arrays unchanged (``y``
    made C-contiguous); here they are too, with the same effects on the sampler
    (``n_features_in_`` set, ``feature_names_in_`` removed) and the same error
    for a NaN or infinity (scikit-learn's own check). Returns ``(X, y)``, or
    ``None`` for any other input, which takes scikit-learn's path."""
    if (
        type(X) is not np.ndarray
        or type(y) is not np.ndarray
        or type_y not in ("binary", "multiclass")
        or X.ndim != 2
        or y.ndim != 1
        or X.dtype.kind not in "biuf"
        or y.dtype.kind not in "biuf"
        or X.shape[0] != y.shape[0]
        or X.shape[0] < 1
        or X.shape[1] < 1
    ):
        return None
    name = type(sampler).__name__
    if ensure_all_finite and X.dtype.kind == "f":
        _assert_all_finite(
            X,
            input_name="X",
            estimator_name=name,
            allow_nan=ensure_all_finite == "allow-nan",
        )
    if y.dtype.kind == "f":
        _assert_all_finite(y, input_name="y", estimator_name=name)
    if hasattr(sampler, "feature_names_in_"):
        del sampler.feature_names_in_
    sampler.n_features_in_ = X.shape[1]
    return X, np.ascontiguousarray(y)


class _Overwritten(ISeedSequence):
    """The seed sequence of a bit generator whose state is overwritten at once
    by legacy seeding: skips ``SeedSequence``'s hashing of 624 words (0.3 ms, as
    much as a whole small resampling call)."""

    def generate_state(self, n_words, dtype=np.uint32):
        return np.zeros(n_words, dtype=dtype)


def _seeded(seed: int):
    bit_generator = np.random.MT19937(_Overwritten())
    bit_generator._legacy_seeding(seed)
    return np.random.RandomState(bit_generator)


def _fast_seeding_works() -> bool:
    try:
        fast, slow = _seeded(20240613).get_state(), np.random.RandomState(20240613)
        slow = slow.get_state()
        return fast[0] == slow[0] and all(
            np.array_equal(a, b) for a, b in zip(fast[1:], slow[1:])
        )
    except Exception:  # a numpy without these internals: scikit-learn's way
        return False


_FAST_SEEDING = _fast_seeding_works()


def check_random_state(seed):
    """scikit-learn's ``check_random_state``: ``None`` gives numpy's global
    generator, an int a new ``RandomState(seed)``, a ``RandomState`` itself.

    An int seed's generator is built without ``SeedSequence`` (whose state
    legacy seeding overwrites anyway): the same state as ``RandomState(seed)``
    (checked once at import), 0.3 ms sooner.
    """
    if (
        _FAST_SEEDING
        and isinstance(seed, Integral)
        and not isinstance(seed, (bool, np.bool_))
        and 0 <= seed <= 0xFFFFFFFF
    ):
        return _seeded(int(seed))
    return _check_random_state(seed)


def check_one_output(y):
    """A ValueError with imbalanced-learn's message when ``y`` (as given to an
    ensemble's ``fit``) is a multilabel or multioutput target."""
    y = np.asarray(y) if not hasattr(y, "shape") else y
    if getattr(y, "ndim", 1) == 2 and y.shape[1] > 1:
        raise ValueError(MULTI_OUTPUT_MESSAGE)


from ._helpers import (  # noqa: E402,F401  (imbalanced-learn's utils._validation names)
    ArraysTransformer,
    _deprecate_positional_args,
    _is_neighbors_object,
)
