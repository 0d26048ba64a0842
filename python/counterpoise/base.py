"""Base classes for samplers, mirroring ``imblearn.base``.

``__init__`` only stores parameters; validation happens in ``fit``/``fit_resample``
(scikit-learn's convention). A subclass implements ``_fit_resample(X, y)`` and sets
``_sampling_type`` ('over-sampling', 'under-sampling', 'clean-sampling', 'ensemble'
or 'bypass'), exactly as with imblearn's ``BaseSampler``.
"""

from __future__ import annotations

import sys
from abc import ABCMeta, abstractmethod

import numpy as np
from sklearn.base import BaseEstimator, OneToOneFeatureMixin
from sklearn.preprocessing import label_binarize
from sklearn.utils.validation import validate_data

from .utils._containers import Containers, to_numpy_target
from .utils._validation import (
    check_classification_type,
    check_sampling_strategy,
    check_target_type,
)


class SamplerMixin(metaclass=ABCMeta):
    """Mixin for samplers: ``fit`` validates and computes ``sampling_strategy_``,
    ``fit_resample`` also returns the resampled data."""

    _estimator_type = "sampler"

    def fit(self, X, y, **params):
        """Check inputs and compute ``sampling_strategy_``; returns ``self``.

        Use ``fit_resample`` to get resampled data.
        """
        self._validate_params()
        y = to_numpy_target(y)
        X, y, _ = self._check_X_y(X, y)
        self.sampling_strategy_ = check_sampling_strategy(
            self.sampling_strategy, y, self._sampling_type
        )
        return self

    def fit_resample(self, X, y, **params):
        """Resample ``X, y``; returns ``(X_resampled, y_resampled)`` of the same
        container types as the input (numpy, list, pandas, polars or sparse)."""
        self._validate_params()
        containers = Containers(X, y)
        y = to_numpy_target(y)
        # type_of_target costs a pass over y; subclasses override _check_X_y(X, y)
        # with imblearn's signature, so the result reaches them as a temporary
        # attribute rather than an argument.
        self._type_y = check_classification_type(y)
        try:
            X, y, binarize_y = self._check_X_y(X, y)
        finally:
            del self._type_y
        self.sampling_strategy_ = check_sampling_strategy(
            self.sampling_strategy, y, self._sampling_type
        )
        output = self._fit_resample(X, y, **params)
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


class BaseSampler(SamplerMixin, OneToOneFeatureMixin, BaseEstimator):
    """Base class of every sampler (same contract as ``imblearn.base.BaseSampler``)."""

    _parameter_constraints: dict = {}

    def __init__(self, sampling_strategy="auto"):
        self.sampling_strategy = sampling_strategy

    def _check_X_y(self, X, y, accept_sparse=None, ensure_all_finite=True):
        if accept_sparse is None:
            accept_sparse = ["csr", "csc"]
        y, binarize_y = check_target_type(
            y, indicate_one_vs_all=True, type_y=getattr(self, "_type_y", None)
        )
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
        tags = super().__sklearn_tags__()
        tags.estimator_type = "sampler"
        tags.target_tags.required = True
        tags.transformer_tags = None
        tags.input_tags.sparse = True
        tags.input_tags.two_d_array = True
        return tags


def is_sampler(estimator) -> bool:
    """True if ``estimator`` is a sampler (ours or imblearn's)."""
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
    """A sampler from any function ``func(X, y, **kw_args) -> (X, y)``.

    Parameters
    ----------
    func : callable, default=None
        The resampling function; ``None`` returns the data unchanged.
    accept_sparse : bool, default=True
        Whether sparse input is accepted when validating.
    kw_args : dict, default=None
        Keyword arguments passed to ``func``.
    validate : bool, default=True
        Validate ``X, y`` (and convert the output back to the input's type);
        ``False`` passes any data straight to ``func``.
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

    def _check_X_y(self, X, y, accept_sparse=None):
        if accept_sparse is None:
            accept_sparse = self.accept_sparse
        return super()._check_X_y(X, y, accept_sparse=accept_sparse)

    def fit(self, X, y):
        """Validate (when ``validate``) and return ``self``."""
        if self.validate:
            return super().fit(X, y)
        self._validate_params()
        self.sampling_strategy_ = check_sampling_strategy(
            self.sampling_strategy, y, self._sampling_type
        )
        return self

    def fit_resample(self, X, y):
        """Apply ``func`` to ``X, y`` (validated and converted back to the input's
        type when ``validate``, passed through untouched otherwise)."""
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
