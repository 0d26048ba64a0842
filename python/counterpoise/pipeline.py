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
(``sklearn.set_config(enable_metadata_routing=True)``; samplers take no metadata),
else with the ``step__param`` convention.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from contextlib import nullcontext

from sklearn import pipeline as _skpipeline
from sklearn.base import clone
from sklearn.utils.metadata_routing import _routing_enabled, process_routing
from sklearn.utils.validation import check_memory

try:  # scikit-learn's verbose timer, when present
    from sklearn.utils._user_interface import _print_elapsed_time
except ImportError:  # pragma: no cover - older/newer layouts

    def _print_elapsed_time(source, message=None):
        return nullcontext()


__all__ = ["Pipeline", "make_pipeline"]


def _is_sampler(step) -> bool:
    return hasattr(step, "fit_resample")


def _fit_transform_one(
    transformer, X, y, message_clsname="", message=None, params=None
):
    with _print_elapsed_time(message_clsname, message):
        params = params or {}
        if hasattr(transformer, "fit_transform"):
            result = transformer.fit_transform(X, y, **params)
        else:
            result = transformer.fit(X, y, **params).transform(X)
    return result, transformer


def _fit_resample_one(sampler, X, y, message_clsname="", message=None, params=None):
    with _print_elapsed_time(message_clsname, message):
        X_res, y_res = sampler.fit_resample(X, y, **(params or {}))
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
        Accepted for compatibility with scikit-learn's parameter but not
        applied: fit metadata reaches the steps untransformed.
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
        The feature names seen by the first step's ``fit``, when it records
        them.

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

    def _validate_steps(self):
        if not self.steps:
            raise ValueError("The pipeline is empty. Please add steps.")
        names, estimators = zip(*self.steps)
        self._validate_names(names)
        for t in estimators[:-1]:
            if t is None or t == "passthrough":
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
        if last is not None and last != "passthrough" and not hasattr(last, "fit"):
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

    def _step_params(self, params, method="fit"):
        """Fit parameters per step: through scikit-learn's metadata routing when it
        is enabled (samplers take no metadata), else by ``step__param`` names."""
        if _routing_enabled():
            routed = process_routing(self, method, **params)
            out = {}
            last = len(self.steps) - 1
            for i, (name, step) in enumerate(self.steps):
                if name not in routed:
                    continue
                if i == last:
                    callee = method if method != "fit_resample" else "fit"
                else:
                    callee = (
                        "fit_transform" if hasattr(step, "fit_transform") else "fit"
                    )
                out[name] = dict(routed[name].get(callee, {}))
            return out
        routed = defaultdict(dict)
        names = {name for name, _ in self.steps}
        for key, value in params.items():
            step, sep, param = key.partition("__")
            if not sep or step not in names:
                raise ValueError(
                    f"Pipeline.fit does not accept the {key} parameter. You can pass "
                    "parameters to specific steps of your pipeline using the "
                    "stepname__parameter format, e.g. "
                    "`Pipeline.fit(X, y, logisticregression__sample_weight"
                    "=sample_weight)`."
                )
            routed[step][param] = value
        return routed

    def _fit(self, X, y=None, routed_params=None, **_):
        self.steps = list(self.steps)
        self._validate_steps()
        routed_params = routed_params if routed_params is not None else {}
        memory = check_memory(self.memory)
        transform_cached = memory.cache(_fit_transform_one)
        resample_cached = memory.cache(_fit_resample_one)
        for idx, name, step in self._iter(
            with_final=False, filter_passthrough=False, filter_resample=False
        ):
            if step is None or step == "passthrough":
                with _print_elapsed_time("Pipeline", self._log_message(idx)):
                    continue
            uncached = hasattr(memory, "location") and memory.location is None
            step = step if uncached else clone(step)
            params = dict(routed_params.get(name, {}))
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

    def _final(self, params):
        name = self.steps[-1][0]
        return self._final_estimator, params.get(name, {})

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
            steps that request it (samplers take none).

        Returns
        -------
        self : Pipeline
            The fitted pipeline.
        """
        self._validate_params()
        routed = self._step_params(params)
        Xt, yt = self._fit(X, y, routed)
        with _print_elapsed_time("Pipeline", self._log_message(len(self.steps) - 1)):
            final, final_params = self._final(routed)
            if final is not None and final != "passthrough":
                final.fit(Xt, yt, **final_params)
        return self

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
            steps that request it (samplers take none).

        Returns
        -------
        Xt : ndarray of shape (n_samples_new, n_features_new)
            The resampled data, transformed by every step (the data after the
            samplers when the last step is ``"passthrough"``).
        """
        self._validate_params()
        routed = self._step_params(params, "fit_transform")
        Xt, yt = self._fit(X, y, routed)
        final, final_params = self._final(routed)
        with _print_elapsed_time("Pipeline", self._log_message(len(self.steps) - 1)):
            if final is None or final == "passthrough":
                return Xt
            if hasattr(final, "fit_transform"):
                return final.fit_transform(Xt, yt, **final_params)
            return final.fit(Xt, yt, **final_params).transform(Xt)

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
            steps that request it (samplers take none).

        Returns
        -------
        y_pred : ndarray of shape (n_samples_new,)
            The final estimator's ``fit_predict`` output.
        """
        self._validate_params()
        routed = self._step_params(params, "fit_predict")
        Xt, yt = self._fit(X, y, routed)
        final, final_params = self._final(routed)
        with _print_elapsed_time("Pipeline", self._log_message(len(self.steps) - 1)):
            return final.fit_predict(Xt, yt, **final_params)

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
            steps that request it (samplers take none).

        Returns
        -------
        X_res : array-like of shape (n_samples_new, n_features_new)
            The data resampled by every sampler and transformed by every
            transformer of the pipeline.
        y_res : array-like of shape (n_samples_new,)
            The matching targets.
        """
        self._validate_params()
        routed = self._step_params(params, "fit_resample")
        Xt, yt = self._fit(X, y, routed)
        final, final_params = self._final(routed)
        with _print_elapsed_time("Pipeline", self._log_message(len(self.steps) - 1)):
            if final is None or final == "passthrough":
                return Xt, yt
            return final.fit_resample(Xt, yt, **final_params)


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


def make_pipeline(*steps, memory=None, verbose=False):
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
    return Pipeline(_name_estimators(steps), memory=memory, verbose=verbose)
