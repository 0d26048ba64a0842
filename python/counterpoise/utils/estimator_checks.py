"""Checks that a sampler behaves like one: scikit-learn's estimator checks plus
sampler-specific ones, for users who write their own samplers.

    from counterpoise.utils.estimator_checks import parametrize_with_checks

    @parametrize_with_checks([MySampler()])
    def test_my_sampler(estimator, check):
        check(estimator)
"""

from __future__ import annotations

import warnings
from functools import partial
from unittest import SkipTest

import numpy as np
from sklearn.base import clone
from sklearn.datasets import make_classification
from sklearn.exceptions import SkipTestWarning
from sklearn.utils.estimator_checks import estimator_checks_generator

__all__ = ["check_estimator", "parametrize_with_checks", "sampler_checks"]


def _data(n_classes=3, seed=0):
    return make_classification(
        n_samples=300,
        n_features=5,
        n_informative=3,
        n_redundant=0,
        n_classes=n_classes,
        n_clusters_per_class=1,
        weights=[0.6, 0.3, 0.1][:n_classes] if n_classes == 3 else [0.8, 0.2],
        flip_y=0,
        random_state=seed,
    )


def check_samplers_fit(name, sampler):
    X, y = _data()
    assert sampler.fit(X, y) is sampler, f"{name}.fit must return self"
    assert hasattr(sampler, "sampling_strategy_"), (
        f"{name}.fit must set sampling_strategy_"
    )


def check_samplers_fit_resample(name, sampler):
    X, y = _data()
    X_res, y_res = sampler.fit_resample(X, y)
    assert X_res.shape[0] == y_res.shape[0], f"{name}: X and y lengths differ"
    assert X_res.shape[1] == X.shape[1], f"{name}: the number of features changed"
    kind = getattr(sampler, "_sampling_type", None)
    counts = dict(zip(*np.unique(y, return_counts=True)))
    after = dict(zip(*np.unique(y_res, return_counts=True)))
    strategy = getattr(sampler, "sampling_strategy_", None)
    if not isinstance(strategy, dict):  # e.g. SMOTEENN keeps the parameter as given
        return
    for c in strategy:
        if kind == "over-sampling":
            # ADASYN rounds per row, so only "does not shrink" holds for all.
            assert after[c] >= counts[c], f"{name}: class {c} shrank"
        elif kind == "under-sampling":
            assert after[c] <= counts[c], f"{name}: class {c} grew"


def check_samplers_one_label(name, sampler):
    X, _ = _data()
    try:
        sampler.fit_resample(X, np.zeros(X.shape[0], dtype=int))
    except ValueError as exc:
        assert "class" in str(exc), f"{name}: unhelpful error {exc!r}"
    else:
        raise AssertionError(f"{name} accepted a target with a single class")


def check_samplers_pandas(name, sampler):
    import pandas as pd

    X, y = _data()
    df = pd.DataFrame(X, columns=[f"f{i}" for i in range(X.shape[1])])
    X_res, y_res = sampler.fit_resample(df, pd.Series(y, name="target"))
    assert isinstance(X_res, pd.DataFrame), f"{name} must return a DataFrame"
    assert list(X_res.columns) == list(df.columns), f"{name} lost the column names"
    assert y_res.name == "target", f"{name} lost the target's name"


def check_samplers_list(name, sampler):
    X, y = _data()
    X_res, y_res = sampler.fit_resample(X.tolist(), y.tolist())
    assert isinstance(X_res, list) and isinstance(y_res, list), (
        f"{name}: list in, list out"
    )


def check_samplers_preserve_dtype(name, sampler):
    X, y = _data()
    X_res, _ = sampler.fit_resample(X.astype(np.float32), y)
    assert X_res.dtype == np.float32, f"{name} changed float32 to {X_res.dtype}"


def check_samplers_sample_indices(name, sampler):
    X, y = _data()
    X_res, y_res = sampler.fit_resample(X, y)
    if hasattr(sampler, "sample_indices_"):
        np.testing.assert_array_equal(X_res, X[sampler.sample_indices_])
        np.testing.assert_array_equal(y_res, y[sampler.sample_indices_])


def check_samplers_does_not_modify_input(name, sampler):
    X, y = _data()
    X0, y0 = X.copy(), y.copy()
    X.setflags(write=False)
    sampler.fit_resample(X, y)
    np.testing.assert_array_equal(X, X0)
    np.testing.assert_array_equal(y, y0)


_SAMPLER_CHECKS = (
    check_samplers_fit,
    check_samplers_fit_resample,
    check_samplers_one_label,
    check_samplers_pandas,
    check_samplers_list,
    check_samplers_preserve_dtype,
    check_samplers_sample_indices,
    check_samplers_does_not_modify_input,
)


def sampler_checks(estimator):
    """Yield ``(estimator, check)`` for the sampler-specific checks.

    The checks a sampler must pass beyond scikit-learn's: ``fit`` returns
    ``self`` and sets ``sampling_strategy_``; ``fit_resample`` keeps ``X`` and
    ``y`` the same length and the features unchanged, and moves each class the
    way its kind allows; a single-class target is refused with a ``ValueError``
    naming the class; pandas, lists and float32 come back as they went in;
    ``sample_indices_``, where set, selects the rows returned; the input is
    not modified. Each check is called as ``check(estimator)`` and raises
    ``AssertionError`` on failure.

    Parameters
    ----------
    estimator : sampler object
        The sampler to check (an object with ``fit_resample``).

    Yields
    ------
    estimator : sampler object
        The sampler given.
    check : callable
        A check to call on it.

    See Also
    --------
    check_estimator : Run these and scikit-learn's checks at once.
    parametrize_with_checks : The same checks as pytest parameters.

    Examples
    --------
    >>> from counterpoise.under_sampling import RandomUnderSampler
    >>> from counterpoise.utils.estimator_checks import sampler_checks
    >>> for sampler, check in sampler_checks(RandomUnderSampler(random_state=0)):
    ...     check(sampler)
    >>> len(list(sampler_checks(RandomUnderSampler())))
    8
    """
    name = type(estimator).__name__
    for check in _SAMPLER_CHECKS:
        yield estimator, partial(check, name)


def _all_checks(estimator, expected_failed_checks=None):
    yield from estimator_checks_generator(
        estimator,
        legacy=True,
        expected_failed_checks=expected_failed_checks,
        mark="xfail",
    )
    if hasattr(estimator, "fit_resample"):
        yield from sampler_checks(estimator)


def check_estimator(estimator):
    """Run every check on a clone of ``estimator``; raise on the first failure.

    The checks are scikit-learn's estimator checks (the legacy set included)
    and, for a sampler (an object with ``fit_resample``), the sampler checks of
    :func:`sampler_checks`. A check that scikit-learn skips (``SkipTest``, e.g.
    the array-API checks without ``SCIPY_ARRAY_API``) is reported as a
    ``SkipTestWarning`` instead, as scikit-learn's ``check_estimator`` does.

    Parameters
    ----------
    estimator : estimator object
        The estimator or sampler to check; it is cloned, never modified.

    See Also
    --------
    parametrize_with_checks : One pytest test per check.
    sampler_checks : The sampler-specific checks alone.

    Examples
    --------
    >>> import warnings
    >>> from counterpoise.under_sampling import RandomUnderSampler
    >>> from counterpoise.utils.estimator_checks import check_estimator
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     check_estimator(RandomUnderSampler(random_state=0))
    """
    for est, check in _all_checks(clone(estimator)):
        try:
            check(clone(est))
        except SkipTest as exc:  # e.g. array-API checks without SCIPY_ARRAY_API
            warnings.warn(str(exc), SkipTestWarning, stacklevel=2)


def parametrize_with_checks(estimators, *, expected_failed_checks=None):
    """Parametrize a pytest test over every check of every estimator.

    Return ``pytest.mark.parametrize('estimator, check', ...)`` with one
    parameter per estimator and check, named ``Class-check_name``: the checks
    of :func:`check_estimator` (scikit-learn's and, for samplers, those of
    :func:`sampler_checks`). The decorated test calls ``check(estimator)``.

    Parameters
    ----------
    estimators : list of estimator objects
        The estimators or samplers to check.
    expected_failed_checks : callable, default=None
        ``f(estimator)`` returning a dict ``{check_name: reason}`` of the
        checks expected to fail for it; they are marked ``xfail``.

    Returns
    -------
    decorator : pytest.MarkDecorator
        The ``pytest.mark.parametrize`` decorator for the test.

    See Also
    --------
    check_estimator : Run the checks in one call, without pytest.
    sampler_checks : The sampler-specific checks alone.

    Examples
    --------
    >>> from counterpoise.under_sampling import RandomUnderSampler
    >>> from counterpoise.utils.estimator_checks import parametrize_with_checks
    >>> mark = parametrize_with_checks([RandomUnderSampler(random_state=0)])
    >>> mark.args[0]
    'estimator, check'

    In a test module::

        @parametrize_with_checks([RandomUnderSampler(random_state=0)])
        def test_sampler(estimator, check):
            check(estimator)
    """
    import pytest

    def _id(obj):
        if isinstance(obj, partial):
            return obj.func.__name__
        return getattr(obj, "__name__", None) or type(obj).__name__

    params = []
    for estimator in estimators:
        failures = expected_failed_checks(estimator) if expected_failed_checks else None
        for est, check in _all_checks(estimator, failures):
            if hasattr(est, "values"):  # already a pytest param (an expected failure)
                params.append(est)
            else:
                params.append(
                    pytest.param(est, check, id=f"{type(est).__name__}-{_id(check)}")
                )
    return pytest.mark.parametrize("estimator, check", params)
