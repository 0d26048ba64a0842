"""Base classes for samplers, mirroring ``imblearn.base``.

``__init__`` only stores parameters; validation happens in ``fit``/``fit_resample``
(scikit-learn's convention). A subclass implements ``_fit_resample(X, y)`` and sets
``_sampling_type`` ('over-sampling', 'under-sampling', 'clean-sampling', 'ensemble'
or 'bypass'), exactly as with imblearn's ``BaseSampler``.

A subclass's ``_check_X_y(X, y)`` may take the keyword ``type_y`` (the target's
``type_of_target``, which ``fit_resample`` computes once) and may return, after
``(X, y, binarize_y)``, a dict of private keyword arguments for ``_fit_resample``:
work done while checking that resampling reuses (SMOTENC's checked continuous
columns), passed along instead of being kept on the estimator.
"""

from __future__ import annotations

import functools
import inspect
import sys
from abc import ABCMeta, abstractmethod

import numpy as np
from sklearn.base import BaseEstimator, OneToOneFeatureMixin
from sklearn.preprocessing import label_binarize
from sklearn.utils._metadata_requests import METHODS, SIMPLE_METHODS
from sklearn.utils._param_validation import validate_parameter_constraints
from sklearn.utils.validation import validate_data

from .utils._containers import Containers, to_numpy_target
from .utils._tags import as_sampler_tags
from .utils._threads import thread_limit
from .utils._validation import (
    check_classification_type,
    check_sampling_strategy,
    check_target_type,
    plain_X_y,
)

# `fit_resample` as a method scikit-learn's metadata routing knows (imbalanced-learn
# registers it the same way), so every sampler gets `set_fit_resample_request` and a
# pipeline can route metadata to it. Idempotent, whoever registers first.
for _methods in (SIMPLE_METHODS, METHODS):
    if "fit_resample" not in _methods:
        _methods.append("fit_resample")
del _methods


class SamplerMixin(metaclass=ABCMeta):
    """Mixin class for every sampler: ``fit`` and ``fit_resample``.

    ``fit`` validates the parameters and the data and computes
    ``sampling_strategy_``; ``fit_resample`` does the same and returns the
    resampled data, in the container types it was given (numpy, list, pandas,
    polars or sparse). A subclass implements ``_fit_resample(X, y)``.

    Attributes
    ----------
    sampling_strategy_ : dict
        The resolved strategy: for each class, the number of samples to
        generate (over-samplers) or to keep (under-samplers).

    See Also
    --------
    BaseSampler : The base class that combines this mixin with scikit-learn's.

    Examples
    --------
    >>> from counterpoise.base import SamplerMixin
    >>> from counterpoise.over_sampling import RandomOverSampler
    >>> isinstance(RandomOverSampler(), SamplerMixin)
    True
    """

    _estimator_type = "sampler"

    def fit(self, X, y, **params):
        """Check the inputs and compute ``sampling_strategy_``.

        Use :meth:`fit_resample` to get the resampled data.

        Parameters
        ----------
        X : {array-like, dataframe, sparse matrix} of shape (n_samples, n_features)
            Data to resample.
        y : array-like of shape (n_samples,)
            Target labels (or a one-hot encoded target).
        **params : dict
            Unused; kept for compatibility with imbalanced-learn.

        Returns
        -------
        self : object
            The fitted sampler.
        """
        self._validate_params()
        y = to_numpy_target(y)
        _check_inputs(self, X, y)
        self.sampling_strategy_ = check_sampling_strategy(
            self.sampling_strategy, y, self._sampling_type
        )
        return self

    def fit_resample(self, X, y, **params):
        """Resample the data set.

        Parameters
        ----------
        X : {array-like, dataframe, sparse matrix} of shape (n_samples, n_features)
            Data to resample.
        y : array-like of shape (n_samples,)
            Target labels (or a one-hot encoded target).
        **params : dict
            Extra arguments passed to the sampler's ``_fit_resample``.

        Returns
        -------
        X_resampled : {ndarray, dataframe, sparse matrix} of shape \
                (n_samples_new, n_features)
            The resampled data, of the same container type as ``X`` (numpy,
            list, pandas, polars or sparse).
        y_resampled : array-like of shape (n_samples_new,)
            The labels of ``X_resampled``, of the same container type as ``y``.
        """
        self._validate_params()
        # n_jobs, where the sampler takes it, limits the engine's threads for
        # this call (this thread only; restored afterwards)
        with thread_limit(getattr(self, "n_jobs", None)):
            return self._fit_resample_checked(X, y, **params)

    def _fit_resample_checked(self, X, y, **params):
        containers = Containers(X, y)
        y = to_numpy_target(y)
        # type_of_target costs a pass over y: computed once here and handed to
        # _check_X_y (where it accepts `type_y`).
        type_y = check_classification_type(y)
        X, y, binarize_y, context = _check_inputs(self, X, y, type_y)
        self.sampling_strategy_ = check_sampling_strategy(
            self.sampling_strategy, y, self._sampling_type
        )
        output = self._fit_resample(X, y, **params, **context)
        y_ = (
            label_binarize(output[1], classes=np.unique(y)) if binarize_y else output[1]
        )
        X_, y_ = containers.restore(output[0], y_)
        return (X_, y_) if len(output) == 2 else (X_, y_, output[2])

    @abstractmethod
    def _fit_resample(self, X, y, **params):
        """Return ``(X_resampled, y_resampled)`` for validated ``X, y``."""

    def __getattr__(self, name):
        # Samplers have no `transform`. scikit-learn's own Pipeline probes for one
        # in `_validate_steps` and would reject the sampler with a generic message;
        # for that caller only, say which pipeline to use instead.
        if name in ("transform", "fit_transform"):
            caller = sys._getframe(1)
            if (
                caller.f_code.co_name == "_validate_steps"
                and caller.f_globals.get("__name__") == "sklearn.pipeline"
            ):
                raise TypeError(
                    f"{type(self).__name__} is a sampler: it cannot be a step of "
                    "sklearn.pipeline.Pipeline, which would also apply it at predict "
                    "time. Use counterpoise.pipeline.Pipeline (or make_pipeline), "
                    "which resamples only while fitting."
                )
        raise AttributeError(
            f"{type(self).__name__!r} object has no attribute {name!r}"
        )


@functools.cache
def _takes_type_y(check) -> bool:
    """Whether a ``_check_X_y`` implementation accepts the ``type_y`` keyword
    (imbalanced-learn's signature, ``_check_X_y(X, y)``, does not)."""
    return "type_y" in inspect.signature(check).parameters


def _check_inputs(sampler, X, y, type_y=None):
    """``sampler._check_X_y(X, y)``, passing ``type_y`` (``type_of_target(y)``,
    already computed) where it is accepted. Returns ``(X, y, binarize_y,
    context)``: ``context`` is the dict of private keyword arguments for
    ``_fit_resample`` that a ``_check_X_y`` may return as a fourth element (work
    done while checking that resampling reuses), empty otherwise."""
    check = type(sampler)._check_X_y
    if type_y is not None and _takes_type_y(check):
        out = sampler._check_X_y(X, y, type_y=type_y)
    else:
        out = sampler._check_X_y(X, y)
    return (*out, {}) if len(out) == 3 else tuple(out)


class BaseSampler(SamplerMixin, OneToOneFeatureMixin, BaseEstimator):
    """Base class of every sampler.

    The same contract as ``imblearn.base.BaseSampler``: ``__init__`` only stores
    the parameters, ``fit_resample`` validates them and the data, resolves
    ``sampling_strategy`` into ``sampling_strategy_`` according to the
    subclass's ``_sampling_type``, and calls the subclass's
    ``_fit_resample(X, y)``. Not meant to be used directly.

    Parameters
    ----------
    sampling_strategy : float, str, dict, list or callable, default='auto'
        Which classes to resample and how; its meaning depends on the kind of
        sampler (see the over-, under- and cleaning samplers' base classes).

    Attributes
    ----------
    sampling_strategy_ : dict
        The resolved strategy: for each class, the number of samples to
        generate (over-samplers) or to keep (under-samplers).
    n_features_in_ : int
        Number of features seen in ``fit`` or ``fit_resample``.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of the features seen; defined only when ``X`` has string column
        names.

    See Also
    --------
    FunctionSampler : A sampler from any function.
    counterpoise.over_sampling.base.BaseOverSampler : Base of the over-samplers.
    counterpoise.under_sampling.base.BaseUnderSampler : Base of the
        under-samplers.

    Examples
    --------
    >>> from counterpoise.base import BaseSampler
    >>> from counterpoise.over_sampling import SMOTE
    >>> issubclass(SMOTE, BaseSampler)
    True
    """

    _parameter_constraints: dict = {}

    def __init__(self, sampling_strategy="auto"):
        self.sampling_strategy = sampling_strategy

    @classmethod
    def _get_param_names(cls):
        # scikit-learn reads __init__'s signature on every get_params (so on
        # every fit_resample); a class's signature does not change: read once.
        return list(_param_names(cls))

    def _validate_params(self):
        # scikit-learn's check, skipped for parameters (plain ints, floats,
        # strings, bools, None) that already passed it for this class.
        params = self.get_params(deep=False)
        key = _params_key(self, params)
        if key is not None and key in _VALID_PARAMS:
            return
        validate_parameter_constraints(
            self._parameter_constraints, params, caller_name=type(self).__name__
        )
        if key is not None:
            if len(_VALID_PARAMS) >= 4096:
                _VALID_PARAMS.clear()
            _VALID_PARAMS.add(key)

    def _check_X_y(
        self, X, y, accept_sparse=None, ensure_all_finite=True, *, type_y=None
    ):
        plain = plain_X_y(self, X, y, type_y, ensure_all_finite)
        if plain is not None:  # numpy arrays: scikit-learn's checks, done directly
            return (*plain, False)
        if accept_sparse is None:
            accept_sparse = ["csr", "csc"]
        y, binarize_y = check_target_type(y, indicate_one_vs_all=True, type_y=type_y)
        X, y = validate_data(
            self,
            X=X,
            y=y,
            reset=True,
            accept_sparse=accept_sparse,
            ensure_all_finite=ensure_all_finite,
        )
        return X, y, binarize_y

    def __sklearn_tags__(self):
        tags = as_sampler_tags(
            super().__sklearn_tags__(), sample_indices=_sets_sample_indices(type(self))
        )
        tags.estimator_type = "sampler"
        tags.target_tags.required = True
        tags.transformer_tags = None
        tags.input_tags.sparse = True
        tags.input_tags.two_d_array = True
        tags.input_tags.dataframe = True
        return tags


@functools.cache
def _param_names(cls) -> tuple:
    return tuple(BaseEstimator._get_param_names.__func__(cls))


_PLAIN_PARAM_TYPES = (type(None), bool, int, float, str)
_VALID_PARAMS: set = set()


def _params_key(sampler, params):
    """A hashable key of a sampler's class, constraints and parameters when
    every parameter is a plain value (whose check cannot change), else None."""
    items = []
    for name, value in params.items():
        kind = type(value)
        if kind not in _PLAIN_PARAM_TYPES:
            return None
        items.append((name, kind, value))
    return type(sampler), id(sampler._parameter_constraints), tuple(items)


# The samplers whose fit_resample sets ``sample_indices_`` (the rows kept or
# repeated): imbalanced-learn's SamplerTags.sample_indices. A subclass inherits
# the tag; a sampler can also say so itself with a ``_sample_indices`` class
# attribute.
_SAMPLE_INDICES = frozenset(
    {
        "counterpoise.over_sampling._random_over_sampler.RandomOverSampler",
        "counterpoise.under_sampling._random_under_sampler.RandomUnderSampler",
        "counterpoise.under_sampling._condensed_nearest_neighbour."
        "CondensedNearestNeighbour",
        "counterpoise.under_sampling._edited_nearest_neighbours."
        "EditedNearestNeighbours",
        "counterpoise.under_sampling._edited_nearest_neighbours."
        "RepeatedEditedNearestNeighbours",
        "counterpoise.under_sampling._edited_nearest_neighbours.AllKNN",
        "counterpoise.under_sampling._instance_hardness_threshold."
        "InstanceHardnessThreshold",
        "counterpoise.under_sampling._nearmiss.NearMiss",
        "counterpoise.under_sampling._neighbourhood_cleaning_rule."
        "NeighbourhoodCleaningRule",
        "counterpoise.under_sampling._one_sided_selection.OneSidedSelection",
        "counterpoise.under_sampling._tomek_links.TomekLinks",
    }
)


@functools.cache
def _sets_sample_indices(cls) -> bool:
    for klass in cls.__mro__:
        explicit = klass.__dict__.get("_sample_indices")
        if explicit is not None:
            return bool(explicit)
        if f"{klass.__module__}.{klass.__qualname__}" in _SAMPLE_INDICES:
            return True
    return False


def is_sampler(estimator) -> bool:
    """Return whether an estimator is a sampler (ours or imbalanced-learn's).

    A sampler declares ``_estimator_type = 'sampler'`` or, in scikit-learn's
    tags, an estimator type 'sampler' or sampler tags; pipelines use this to
    resample only while fitting.

    Parameters
    ----------
    estimator : object
        The estimator to test.

    Returns
    -------
    bool
        True when ``estimator`` is a sampler.

    See Also
    --------
    BaseSampler : The base class of the samplers.

    Examples
    --------
    >>> from sklearn.linear_model import LogisticRegression
    >>> from counterpoise.base import is_sampler
    >>> from counterpoise.over_sampling import SMOTE
    >>> is_sampler(SMOTE()), is_sampler(LogisticRegression())
    (True, False)
    """
    if getattr(estimator, "_estimator_type", None) == "sampler":
        return True
    tags = getattr(estimator, "__sklearn_tags__", None)
    if tags is not None:
        try:
            t = tags()
        except Exception:  # an estimator whose tags cannot be built is no sampler
            return False
        return getattr(t, "estimator_type", None) == "sampler" or (
            getattr(t, "sampler_tags", None) is not None
        )
    return False


def _identity(X, y):
    return X, y


class FunctionSampler(BaseSampler):
    """Build a sampler from any function ``func(X, y, **kw_args) -> (X, y)``.

    The function does the resampling; the sampler gives it the estimator API,
    so that it can be a step of a :class:`~counterpoise.pipeline.Pipeline`
    (applied while fitting only). With ``validate=True`` the data are checked
    and converted as for any sampler, and the output is converted back to the
    input's container type; with ``validate=False`` any data go straight to
    ``func``.

    Parameters
    ----------
    func : callable, default=None
        The resampling function, called as ``func(X, y, **kw_args)`` and
        returning ``(X_resampled, y_resampled)``; ``None`` returns the data
        unchanged.
    accept_sparse : bool, default=True
        Whether sparse input is accepted when validating.
    kw_args : dict, default=None
        Keyword arguments passed to ``func``.
    validate : bool, default=True
        Whether to validate ``X, y`` (and convert the output back to the
        input's type).

    Attributes
    ----------
    sampling_strategy_ : str
        Always 'auto' (the function decides what to resample).
    n_features_in_ : int
        Number of features seen (when ``validate=True``).
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of the features seen; defined only when ``X`` has string column
        names and ``validate=True``.

    See Also
    --------
    BaseSampler : The base class of the samplers.
    is_sampler : Whether an estimator is a sampler.

    Examples
    --------
    >>> import numpy as np
    >>> from counterpoise.base import FunctionSampler
    >>> def keep_first(X, y, n):
    ...     return X[:n], y[:n]
    >>> X, y = np.arange(20.0).reshape(10, 2), np.array([0, 1] * 5)
    >>> X_res, y_res = FunctionSampler(func=keep_first, kw_args={"n": 4}).fit_resample(
    ...     X, y)
    >>> X_res.shape, y_res.tolist()
    ((4, 2), [0, 1, 0, 1])
    """

    _sampling_type = "bypass"

    _parameter_constraints: dict = {
        "func": [callable, None],
        "accept_sparse": ["boolean"],
        "kw_args": [dict, None],
        "validate": ["boolean"],
    }

    def __init__(self, *, func=None, accept_sparse=True, kw_args=None, validate=True):
        super().__init__()
        self.func = func
        self.accept_sparse = accept_sparse
        self.kw_args = kw_args
        self.validate = validate

    def _check_X_y(self, X, y, accept_sparse=None, *, type_y=None):
        if accept_sparse is None:
            accept_sparse = self.accept_sparse
        return super()._check_X_y(X, y, accept_sparse=accept_sparse, type_y=type_y)

    def fit(self, X, y):
        """Check the inputs (when ``validate``) and the parameters.

        Parameters
        ----------
        X : {array-like, dataframe, sparse matrix} of shape (n_samples, n_features)
            Data to resample (anything ``func`` accepts when not ``validate``).
        y : array-like of shape (n_samples,)
            Target labels.

        Returns
        -------
        self : object
            The fitted sampler.
        """
        if self.validate:
            return super().fit(X, y)
        self._validate_params()
        self.sampling_strategy_ = check_sampling_strategy(
            self.sampling_strategy, y, self._sampling_type
        )
        return self

    def fit_resample(self, X, y):
        """Resample the data set with ``func``.

        Parameters
        ----------
        X : {array-like, dataframe, sparse matrix} of shape (n_samples, n_features)
            Data to resample (anything ``func`` accepts when not ``validate``).
        y : array-like of shape (n_samples,)
            Target labels.

        Returns
        -------
        X_resampled : {array-like, dataframe, sparse matrix}
            What ``func`` returned as data (converted back to ``X``'s container
            type when ``validate``).
        y_resampled : array-like
            What ``func`` returned as labels (converted back to ``y``'s container
            type when ``validate``).
        """
        if self.validate:
            return super().fit_resample(X, y)
        self._validate_params()
        self.sampling_strategy_ = check_sampling_strategy(
            self.sampling_strategy, y, self._sampling_type
        )
        return self._fit_resample(X, y)

    def _fit_resample(self, X, y):
        func = _identity if self.func is None else self.func
        return func(X, y, **(self.kw_args or {}))
