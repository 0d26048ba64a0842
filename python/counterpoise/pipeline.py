"""A pipeline that accepts samplers: drop-in for ``imblearn.pipeline``.

Samplers (objects with ``fit_resample``) run only while fitting (``fit``,
``fit_transform``, ``fit_predict``, ``fit_resample``): at ``predict``, ``transform``,
``score`` and the other inference methods they are skipped, so under
cross-validation only the training folds are resampled and validation rows never
reach a sampler. Everything else is scikit-learn's ``Pipeline``: ``clone``,
``GridSearchCV`` parameters (``step__param``), ``memory=`` caching of fitted
transformers and samplers, ``set_output``, ``get_feature_names_out``. Samplers from
counterpoise and from imbalanced-learn are both accepted. Fit parameters are
routed by scikit-learn's metadata routing when it is enabled
(``sklearn.set_config(enable_metadata_routing=True)``; a sampler receives the
metadata it requests with ``set_fit_resample_request``), else with the
``step__param`` convention; ``transform_input`` passes fit metadata (a
validation set) through the preceding transformers first.
"""

from __future__ import annotations

import warnings
from collections import Counter
from contextlib import contextmanager, nullcontext

from sklearn import pipeline as _skpipeline
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.utils import Bunch
from sklearn.utils._param_validation import HasMethods, validate_params
from sklearn.utils.metadata_routing import (
    MetadataRouter,
    MethodMapping,
    _raise_for_params,
    _routing_enabled,
    get_routing_for_object,
    process_routing,
)
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import check_is_fitted, check_memory

try:  # scikit-learn's verbose timer, when present
    from sklearn.utils._user_interface import _print_elapsed_time
except ImportError:  # pragma: no cover - older/newer layouts

    def _print_elapsed_time(source, message=None):
        return nullcontext()


__all__ = ["Pipeline", "make_pipeline"]

# the caller methods of a pipeline that fit its steps
_FIT_METHODS = ("fit", "fit_transform", "fit_predict", "fit_resample")


def _is_sampler(step) -> bool:
    return hasattr(step, "fit_resample")


def _is_skipped(step) -> bool:
    return step is None or (isinstance(step, str) and step == "passthrough")


@contextmanager
def _raise_or_warn_if_not_fitted(pipeline):
    """imbalanced-learn 0.14.2's rule at inference: a step's NotFittedError becomes
    the pipeline's; a pipeline that runs although unfitted (stateless steps) warns."""
    try:
        yield
    except NotFittedError as exc:
        raise NotFittedError("Pipeline is not fitted yet.") from exc
    try:
        check_is_fitted(pipeline)
    except NotFittedError:
        warnings.warn(
            "This Pipeline instance is not fitted yet. Call 'fit' with appropriate "
            "arguments before using other methods such as transform, predict, etc. "
            "This will raise an error in a future version (as in imbalanced-learn "
            "0.15) instead of the current warning.",
            FutureWarning,
            stacklevel=3,
        )


def _final_estimator_has(attr):
    """For ``available_if``: the final step has ``attr`` (else AttributeError)."""

    def check(self):
        getattr(self._final_estimator, attr)
        return True

    return check


def _fit_transform_one(
    transformer, X, y, message_clsname="", message=None, params=None
):
    params = params or {}
    with _print_elapsed_time(message_clsname, message):
        if hasattr(transformer, "fit_transform"):
            result = transformer.fit_transform(X, y, **params.get("fit_transform", {}))
        else:
            result = transformer.fit(X, y, **params.get("fit", {})).transform(
                X, **params.get("transform", {})
            )
    return result, transformer


def _fit_resample_one(sampler, X, y, message_clsname="", message=None, params=None):
    params = params or {}
    with _print_elapsed_time(message_clsname, message):
        X_res, y_res = sampler.fit_resample(X, y, **params.get("fit_resample", {}))
    return X_res, y_res, sampler


class Pipeline(_skpipeline.Pipeline):
    """A sequence of transformers and samplers ending in an estimator.

    scikit-learn's ``Pipeline`` whose intermediate steps may also be samplers
    (objects with ``fit_resample``, from counterpoise or imbalanced-learn). A
    sampler resamples ``X`` and ``y`` only while the pipeline is fitted
    (``fit``, ``fit_transform``, ``fit_predict``, ``fit_resample``); at
    ``predict``, ``transform``, ``score`` and the other inference methods it
    is skipped, so under cross-validation only the training folds are
    resampled. As in imbalanced-learn, ``fit_transform`` therefore returns
    resampled rows while ``fit(X, y).transform(X)`` does not. Everything else
    is scikit-learn's: ``clone``, ``step__param`` names in ``set_params`` and
    grid searches, ``memory`` caching (samplers included), ``set_output``,
    ``get_feature_names_out``.

    Parameters
    ----------
    steps : list of tuple
        The ``(name, estimator)`` pairs, in order: transformers or samplers
        (not both in one object), then a final estimator or sampler;
        ``"passthrough"`` or ``None`` skips a step.
    transform_input : list of str, default=None
        The names of fit metadata (routed with scikit-learn's metadata routing,
        which must be enabled) to transform by the steps before the step that
        consumes them, as ``X`` is: a validation set ``X_val`` for the final
        estimator reaches it scaled like ``X``. Samplers are skipped, so the
        transformed metadata is never resampled. A tuple is transformed element
        by element.
    memory : str or object with the joblib.Memory interface, default=None
        Where to cache the fitted transformers and samplers (a directory or a
        ``joblib.Memory``); ``None`` caches nothing. With a cache the steps are
        cloned before fitting, so read them through ``named_steps``.
    verbose : bool, default=False
        Whether to print the time each step takes to fit.

    Attributes
    ----------
    named_steps : :class:`~sklearn.utils.Bunch`
        The steps by name.
    classes_ : ndarray of shape (n_classes,)
        The class labels of the final estimator.
    n_features_in_ : int
        The number of features seen by the first step's ``fit``.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        The feature names seen by the first step's ``fit``; defined only when it
        records them.

    See Also
    --------
    make_pipeline : Build a pipeline, naming the steps after their classes.
    sklearn.pipeline.Pipeline : The pipeline this one extends.

    Examples
    --------
    The under-sampler balances the training rows only; ``predict`` sees all of
    them:

    >>> from collections import Counter
    >>> from sklearn.datasets import make_classification
    >>> from sklearn.linear_model import LogisticRegression
    >>> from counterpoise.pipeline import Pipeline
    >>> from counterpoise.under_sampling import RandomUnderSampler
    >>> X, y = make_classification(n_samples=100, n_features=4, weights=[0.8],
    ...                            flip_y=0, random_state=0)
    >>> sorted(Counter(y.tolist()).items())
    [(0, 81), (1, 19)]
    >>> pipe = Pipeline([("sampler", RandomUnderSampler(random_state=0)),
    ...                  ("model", LogisticRegression())]).fit(X, y)
    >>> kept = pipe.named_steps["sampler"].sample_indices_
    >>> sorted(Counter(y[kept].tolist()).items())
    [(0, 19), (1, 19)]
    >>> pipe.predict(X).shape
    (100,)
    """

    _parameter_constraints: dict = {
        **_skpipeline.Pipeline._parameter_constraints,
        "transform_input": [list, None],
    }

    def _validate_steps(self):
        if not self.steps:
            raise ValueError("The pipeline is empty. Please add steps.")
        names, estimators = zip(*self.steps)
        self._validate_names(names)
        for t in estimators:
            if isinstance(t, type):
                raise TypeError(
                    f"Expected an estimator instance ({t.__name__}()), got the "
                    f"estimator class instead ({t.__name__})."
                )
        for t in estimators[:-1]:
            if _is_skipped(t):
                continue
            if isinstance(t, _skpipeline.Pipeline):
                raise TypeError(
                    "All intermediate steps of the chain should not be Pipelines; "
                    f"'{t}' is one: add its steps to this pipeline instead."
                )
            is_transformer = hasattr(t, "transform") and (
                hasattr(t, "fit") or hasattr(t, "fit_transform")
            )
            if not (is_transformer or _is_sampler(t)):
                raise TypeError(
                    "All intermediate steps of the chain should be estimators that "
                    "implement fit and transform or fit_resample; "
                    f"'{t}' (type {type(t)}) doesn't."
                )
            if _is_sampler(t) and hasattr(t, "transform"):
                raise TypeError(
                    "All intermediate steps of the chain should be estimators that "
                    "implement fit and transform or fit_resample (but not both); "
                    f"'{t}' (type {type(t)}) implements both."
                )
        last = estimators[-1]
        if not _is_skipped(last) and not hasattr(last, "fit"):
            raise TypeError(
                "Last step of Pipeline should implement fit or be the string "
                f"'passthrough'. '{last}' (type {type(last)}) doesn't."
            )

    def _iter(self, with_final=True, filter_passthrough=True, filter_resample=True):
        """Steps as (index, name, estimator); samplers are skipped unless fitting."""
        for idx, name, trans in super()._iter(
            with_final=with_final, filter_passthrough=filter_passthrough
        ):
            if filter_resample and _is_sampler(trans):
                continue
            yield idx, name, trans

    # -- fit parameters -------------------------------------------------------

    def _step_params(self, method, params):
        """Fit parameters per step name, then per callee method: scikit-learn's
        metadata routing when enabled, else the ``step__param`` convention."""
        if _routing_enabled():
            return process_routing(self, method, **params)
        if self.transform_input is not None:
            raise ValueError(
                "The `transform_input` parameter can only be set if metadata "
                "routing is enabled. You can enable metadata routing using "
                "`sklearn.set_config(enable_metadata_routing=True)`."
            )
        routed = Bunch(
            **{
                name: Bunch(**{m: {} for m in (*_FIT_METHODS, "transform")})
                for name, _ in self.steps
            }
        )
        for key, value in params.items():
            step, sep, param = key.partition("__")
            if not sep or step not in routed:
                raise ValueError(
                    f"Pipeline.fit does not accept the {key} parameter. You can pass "
                    "parameters to specific steps of your pipeline using the "
                    "stepname__parameter format, e.g. "
                    "`Pipeline.fit(X, y, logisticregression__sample_weight"
                    "=sample_weight)`."
                )
            for m in _FIT_METHODS:
                routed[step][m][param] = value
        return routed

    def _metadata_for_step(self, step_idx, step_params, raw_params):
        """``step_params`` with the metadata named in ``transform_input``
        transformed by the steps before ``step_idx`` (samplers skipped)."""
        if (
            self.transform_input is None
            or not raw_params
            or not step_params
            or step_idx == 0
        ):
            return step_params
        head = self[:step_idx]
        consumed = get_routing_for_object(head).consumes(
            method="transform", params=raw_params.keys()
        )
        transform_params = {k: v for k, v in raw_params.items() if k in consumed}
        cache = {}

        def transformed(name, value):
            if name not in cache:
                if isinstance(value, tuple):  # several validation sets
                    cache[name] = tuple(
                        self._transform_through(head, v, transform_params)
                        for v in value
                    )
                else:
                    cache[name] = self._transform_through(head, value, transform_params)
            return cache[name]

        return Bunch(
            **{
                method: Bunch(
                    **{
                        name: (
                            transformed(name, value)
                            if name in self.transform_input
                            else value
                        )
                        for name, value in method_params.items()
                    }
                )
                for method, method_params in step_params.items()
            }
        )

    @staticmethod
    def _transform_through(head, X, transform_params):
        """Transform ``X`` by the fitted transformers of ``head`` (samplers and
        passthrough skipped), routing ``transform_params`` to them."""
        routed = process_routing(head, "transform", **transform_params)
        for _, name, step in head._iter():
            X = step.transform(X, **routed[name].transform)
        return X

    def _fit(self, X, y=None, routed_params=None, raw_params=None):
        self.steps = list(self.steps)
        self._validate_steps()
        memory = check_memory(self.memory)
        transform_cached = memory.cache(_fit_transform_one)
        resample_cached = memory.cache(_fit_resample_one)
        for idx, name, step in self._iter(
            with_final=False, filter_passthrough=False, filter_resample=False
        ):
            if _is_skipped(step):
                with _print_elapsed_time("Pipeline", self._log_message(idx)):
                    continue
            uncached = hasattr(memory, "location") and memory.location is None
            step = step if uncached else clone(step)
            params = self._metadata_for_step(idx, routed_params[name], raw_params)
            if _is_sampler(step):
                X, y, fitted = resample_cached(
                    step, X, y, "Pipeline", self._log_message(idx), params
                )
            else:
                X, fitted = transform_cached(
                    step, X, y, "Pipeline", self._log_message(idx), params
                )
            self.steps[idx] = (name, fitted)
        return X, y

    def _fit_all_but_final(self, method, X, y, params):
        """Validate, route, fit every step but the last; return the final step,
        its parameters for ``method`` and the resampled, transformed data."""
        self._validate_params()
        routed = self._step_params(method, params)
        Xt, yt = self._fit(X, y, routed, raw_params=params)
        final_params = self._metadata_for_step(
            len(self.steps) - 1, routed[self.steps[-1][0]], params
        )
        return self._final_estimator, final_params, Xt, yt

    # -- fitting --------------------------------------------------------------

    def fit(self, X, y=None, **params):
        """Fit every step in turn (samplers resample), then the final estimator.

        Parameters
        ----------
        X : iterable
            The training data, in any form the first step accepts.
        y : iterable, default=None
            The training targets, resampled along with ``X`` by the samplers.
        **params : dict of str -> object
            Fit parameters: ``step__param=value`` for a step by name or, with
            scikit-learn's metadata routing enabled, metadata routed to the
            steps that request it (samplers through
            ``set_fit_resample_request``).

        Returns
        -------
        self : Pipeline
            The fitted pipeline.
        """
        final, final_params, Xt, yt = self._fit_all_but_final("fit", X, y, params)
        with _print_elapsed_time("Pipeline", self._log_message(len(self.steps) - 1)):
            if final != "passthrough":
                final.fit(Xt, yt, **final_params.get("fit", {}))
        return self

    def _can_fit_transform(self):
        final = self._final_estimator
        return (
            final == "passthrough"
            or hasattr(final, "transform")
            or hasattr(final, "fit_transform")
        )

    @available_if(_can_fit_transform)
    def fit_transform(self, X, y=None, **params):
        """Fit, then return the final step's transform of the resampled data.

        Unlike ``fit(X, y).transform(X)``, the rows returned are the resampled
        ones.

        Parameters
        ----------
        X : iterable
            The training data, in any form the first step accepts.
        y : iterable, default=None
            The training targets, resampled along with ``X`` by the samplers.
        **params : dict of str -> object
            Fit parameters: ``step__param=value`` for a step by name or, with
            scikit-learn's metadata routing enabled, metadata routed to the
            steps that request it.

        Returns
        -------
        Xt : ndarray of shape (n_samples_new, n_features_new)
            The resampled data, transformed by every step (the data after the
            samplers when the last step is ``"passthrough"``).
        """
        final, final_params, Xt, yt = self._fit_all_but_final(
            "fit_transform", X, y, params
        )
        with _print_elapsed_time("Pipeline", self._log_message(len(self.steps) - 1)):
            if final == "passthrough":
                return Xt
            if hasattr(final, "fit_transform"):
                return final.fit_transform(
                    Xt, yt, **final_params.get("fit_transform", {})
                )
            return final.fit(Xt, yt, **final_params.get("fit", {})).transform(
                Xt, **final_params.get("transform", {})
            )

    @available_if(_final_estimator_has("fit_predict"))
    def fit_predict(self, X, y=None, **params):
        """Fit, then return the final estimator's ``fit_predict`` on the data.

        The final estimator sees the resampled rows, so the predictions are
        those of the resampled rows.

        Parameters
        ----------
        X : iterable
            The training data, in any form the first step accepts.
        y : iterable, default=None
            The training targets, resampled along with ``X`` by the samplers.
        **params : dict of str -> object
            Fit parameters: ``step__param=value`` for a step by name or, with
            scikit-learn's metadata routing enabled, metadata routed to the
            steps that request it.

        Returns
        -------
        y_pred : ndarray of shape (n_samples_new,)
            The final estimator's ``fit_predict`` output.
        """
        final, final_params, Xt, yt = self._fit_all_but_final(
            "fit_predict", X, y, params
        )
        with _print_elapsed_time("Pipeline", self._log_message(len(self.steps) - 1)):
            return final.fit_predict(Xt, yt, **final_params.get("fit_predict", {}))

    def _can_fit_resample(self):
        final = self._final_estimator
        return final == "passthrough" or hasattr(final, "fit_resample")

    @available_if(_can_fit_resample)
    def fit_resample(self, X, y=None, **params):
        """Fit, then return the final sampler's ``fit_resample`` output.

        Parameters
        ----------
        X : iterable
            The training data, in any form the first step accepts.
        y : iterable, default=None
            The training targets, resampled along with ``X`` by the samplers.
        **params : dict of str -> object
            Fit parameters: ``step__param=value`` for a step by name or, with
            scikit-learn's metadata routing enabled, metadata routed to the
            steps that request it.

        Returns
        -------
        X_res : array-like of shape (n_samples_new, n_features_new)
            The data resampled by every sampler and transformed by every
            transformer of the pipeline.
        y_res : array-like of shape (n_samples_new,)
            The matching targets.
        """
        final, final_params, Xt, yt = self._fit_all_but_final(
            "fit_resample", X, y, params
        )
        with _print_elapsed_time("Pipeline", self._log_message(len(self.steps) - 1)):
            if final == "passthrough":
                return Xt, yt
            return final.fit_resample(Xt, yt, **final_params.get("fit_resample", {}))

    # -- inference: samplers are skipped --------------------------------------

    def _infer(self, method, X, params):
        """Transform ``X`` by the transformers, then call the final ``method``."""
        with _raise_or_warn_if_not_fitted(self):
            final_name, final = self.steps[-1]
            if not _routing_enabled():
                for _, _, step in self._iter(with_final=False):
                    X = step.transform(X)
                return getattr(final, method)(X, **params)
            routed = process_routing(self, method, **params)
            for _, name, step in self._iter(with_final=False):
                X = step.transform(X, **routed[name].transform)
            return getattr(final, method)(X, **routed[final_name][method])

    @available_if(_final_estimator_has("predict"))
    def predict(self, X, **params):
        """Transform the data by the transformers, then predict.

        Samplers are skipped: every row of ``X`` gets a prediction.

        Parameters
        ----------
        X : iterable
            The data to predict, in any form the first step accepts.
        **params : dict of str -> object
            Parameters of the final estimator's ``predict`` or, with metadata
            routing enabled, metadata routed to the steps that request it.

        Returns
        -------
        y_pred : ndarray
            The final estimator's ``predict`` output.
        """
        return self._infer("predict", X, params)

    @available_if(_final_estimator_has("predict_proba"))
    def predict_proba(self, X, **params):
        """Transform the data by the transformers, then predict probabilities.

        Samplers are skipped: every row of ``X`` gets probabilities.

        Parameters
        ----------
        X : iterable
            The data to predict, in any form the first step accepts.
        **params : dict of str -> object
            Parameters of the final estimator's ``predict_proba`` or, with
            metadata routing enabled, metadata routed to the steps that request
            it.

        Returns
        -------
        y_proba : ndarray of shape (n_samples, n_classes)
            The final estimator's ``predict_proba`` output.
        """
        return self._infer("predict_proba", X, params)

    @available_if(_final_estimator_has("predict_log_proba"))
    def predict_log_proba(self, X, **params):
        """Transform the data by the transformers, then predict log-probabilities.

        Samplers are skipped: every row of ``X`` gets log-probabilities.

        Parameters
        ----------
        X : iterable
            The data to predict, in any form the first step accepts.
        **params : dict of str -> object
            Parameters of the final estimator's ``predict_log_proba`` or, with
            metadata routing enabled, metadata routed to the steps that request
            it.

        Returns
        -------
        y_log_proba : ndarray of shape (n_samples, n_classes)
            The final estimator's ``predict_log_proba`` output.
        """
        return self._infer("predict_log_proba", X, params)

    @available_if(_final_estimator_has("decision_function"))
    def decision_function(self, X, **params):
        """Transform the data by the transformers, then compute the decision function.

        Samplers are skipped: every row of ``X`` gets a score.

        Parameters
        ----------
        X : iterable
            The data to score, in any form the first step accepts.
        **params : dict of str -> object
            Metadata routed to the steps that request it (only with metadata
            routing enabled).

        Returns
        -------
        y_score : ndarray of shape (n_samples,) or (n_samples, n_classes)
            The final estimator's ``decision_function`` output.
        """
        _raise_for_params(params, self, "decision_function")
        return self._infer("decision_function", X, params)

    @available_if(_final_estimator_has("score_samples"))
    def score_samples(self, X):
        """Transform the data by the transformers, then score each sample.

        Samplers are skipped: every row of ``X`` gets a score.

        Parameters
        ----------
        X : iterable
            The data to score, in any form the first step accepts.

        Returns
        -------
        y_score : ndarray of shape (n_samples,)
            The final estimator's ``score_samples`` output.
        """
        return self._infer("score_samples", X, {})

    @available_if(_final_estimator_has("score"))
    def score(self, X, y=None, sample_weight=None, **params):
        """Transform the data by the transformers, then score the final estimator.

        Samplers are skipped: the score is over every row of ``X``.

        Parameters
        ----------
        X : iterable
            The data to score, in any form the first step accepts.
        y : iterable, default=None
            The targets of ``X``.
        sample_weight : array-like, default=None
            Passed as ``sample_weight`` to the final estimator's ``score`` when
            not None.
        **params : dict of str -> object
            Metadata routed to the steps that request it (only with metadata
            routing enabled).

        Returns
        -------
        score : float
            The final estimator's ``score``.
        """
        with _raise_or_warn_if_not_fitted(self):
            final_name, final = self.steps[-1]
            if not _routing_enabled():
                _raise_for_params(params, self, "score")
                final_params = {}
                if sample_weight is not None:
                    final_params["sample_weight"] = sample_weight
                routed = process_routing(self, "score")
            else:
                routed = process_routing(
                    self, "score", sample_weight=sample_weight, **params
                )
                final_params = routed[final_name].score
            Xt = X
            for _, name, step in self._iter(with_final=False):
                Xt = step.transform(Xt, **routed[name].transform)
            return final.score(Xt, y, **final_params)

    def _can_transform(self):
        final = self._final_estimator
        return final == "passthrough" or hasattr(final, "transform")

    @available_if(_can_transform)
    def transform(self, X, **params):
        """Transform the data by every transformer, the final step included.

        Samplers are skipped: every row of ``X`` is transformed, none is added
        or removed.

        Parameters
        ----------
        X : iterable
            The data to transform, in any form the first step accepts.
        **params : dict of str -> object
            Metadata routed to the steps that request it (only with metadata
            routing enabled).

        Returns
        -------
        Xt : ndarray of shape (n_samples, n_features_new)
            The transformed data.
        """
        with _raise_or_warn_if_not_fitted(self):
            _raise_for_params(params, self, "transform")
            routed = process_routing(self, "transform", **params)
            for _, name, step in self._iter():
                X = step.transform(X, **routed[name].transform)
            return X

    def _can_inverse_transform(self):
        return all(hasattr(t, "inverse_transform") for _, _, t in self._iter())

    @available_if(_can_inverse_transform)
    def inverse_transform(self, X, **params):
        """Apply ``inverse_transform`` of each transformer, in reverse order.

        Samplers are skipped.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features_new)
            Data in the pipeline's output space.
        **params : dict of str -> object
            Metadata routed to the steps that request it (only with metadata
            routing enabled).

        Returns
        -------
        X_original : ndarray of shape (n_samples, n_features)
            The data in the original feature space.
        """
        with _raise_or_warn_if_not_fitted(self):
            _raise_for_params(params, self, "inverse_transform")
            routed = process_routing(self, "inverse_transform", **params)
            for _, name, step in reversed(list(self._iter())):
                X = step.inverse_transform(X, **routed[name].inverse_transform)
            return X

    # -- metadata routing -----------------------------------------------------

    def get_metadata_routing(self):
        """Get the metadata routing of this pipeline.

        scikit-learn's routing for transformers and the final estimator; a
        sampler step receives, while the pipeline is fitted (``fit``,
        ``fit_transform``, ``fit_predict``, ``fit_resample``), the metadata it
        requests with ``set_fit_resample_request``, and nothing at inference.

        Returns
        -------
        routing : MetadataRouter
            The routing information, as scikit-learn's
            :class:`~sklearn.utils.metadata_routing.MetadataRouter`.
        """
        router = MetadataRouter(owner=self)
        for _, name, step in self._iter(with_final=False, filter_resample=False):
            mapping = MethodMapping()
            if _is_sampler(step):
                for caller in _FIT_METHODS:
                    mapping.add(caller=caller, callee="fit_resample")
                router.add(method_mapping=mapping, **{name: step})
                continue
            fit_callees = (
                ("fit_transform",)
                if hasattr(step, "fit_transform")
                else ("fit", "transform")
            )
            for caller in _FIT_METHODS:
                for callee in fit_callees:
                    mapping.add(caller=caller, callee=callee)
            for caller in (
                "predict",
                "predict_proba",
                "predict_log_proba",
                "decision_function",
                "score",
                "transform",
            ):
                mapping.add(caller=caller, callee="transform")
            mapping.add(caller="inverse_transform", callee="inverse_transform")
            router.add(method_mapping=mapping, **{name: step})

        final_name, final = self.steps[-1]
        if _is_skipped(final):
            return router
        mapping = MethodMapping()
        if hasattr(final, "fit_transform"):
            mapping.add(caller="fit_transform", callee="fit_transform")
        else:
            mapping.add(caller="fit_transform", callee="fit")
            mapping.add(caller="fit_transform", callee="transform")
        for method in (
            "fit",
            "predict",
            "fit_predict",
            "predict_proba",
            "decision_function",
            "predict_log_proba",
            "transform",
            "inverse_transform",
            "score",
            "fit_resample",
        ):
            mapping.add(caller=method, callee=method)
        router.add(method_mapping=mapping, **{final_name: final})
        return router


def _name_estimators(estimators):
    """Lower-case class names, numbered where they repeat (scikit-learn's rule)."""
    names = [
        est if isinstance(est, str) else type(est).__name__.lower()
        for est in estimators
    ]
    counts = {name: n for name, n in Counter(names).items() if n > 1}
    for i in reversed(range(len(estimators))):
        name = names[i]
        if name in counts:
            names[i] += f"-{counts[name]}"
            counts[name] -= 1
    return list(zip(names, estimators))


@validate_params(
    {
        "memory": [None, str, HasMethods(["cache"])],
        "transform_input": [None, list],
        "verbose": ["boolean"],
    },
    prefer_skip_nested_validation=True,
)
def make_pipeline(*steps, memory=None, transform_input=None, verbose=False):
    """Build a :class:`Pipeline` naming each step after its class.

    Each step is named after its class in lower case (``randomundersampler``),
    numbered (``-1``, ``-2``) where two steps share a class, as scikit-learn's
    ``make_pipeline`` does; samplers are accepted as steps.

    Parameters
    ----------
    *steps : list of estimators
        The transformers or samplers, then the final estimator.
    memory : str or object with the joblib.Memory interface, default=None
        Where to cache the fitted transformers and samplers; ``None`` caches
        nothing.
    transform_input : list of str, default=None
        The fit metadata to transform by the preceding steps before the step
        that consumes it (metadata routing must be enabled); see
        :class:`Pipeline`.
    verbose : bool, default=False
        Whether to print the time each step takes to fit.

    Returns
    -------
    p : Pipeline
        The unfitted pipeline.

    See Also
    --------
    Pipeline : The pipeline class, with explicit step names.

    Examples
    --------
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn.preprocessing import StandardScaler
    >>> from counterpoise.over_sampling import RandomOverSampler
    >>> from counterpoise.pipeline import make_pipeline
    >>> pipe = make_pipeline(StandardScaler(), RandomOverSampler(),
    ...                      LogisticRegression())
    >>> [name for name, _ in pipe.steps]
    ['standardscaler', 'randomoversampler', 'logisticregression']
    """
    return Pipeline(
        _name_estimators(steps),
        transform_input=transform_input,
        memory=memory,
        verbose=verbose,
    )
