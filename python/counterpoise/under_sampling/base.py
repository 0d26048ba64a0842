"""Base classes for under-samplers (``imblearn.under_sampling.base``)."""

from __future__ import annotations

import numbers
from collections.abc import Mapping

from sklearn.utils._param_validation import Interval, StrOptions

from ..base import BaseSampler
from ..utils._validation import checked_numeric


def _checked(sampler, parent_check, X, y, accept_sparse, ensure_all_finite, type_y):
    """The base check, with an error naming the text columns of X, if any, and
    a sparse X copied where a later step would sort or refuse it in place."""
    return checked_numeric(
        sampler,
        X,
        parent_check,
        False,
        y=y,
        accept_sparse=accept_sparse,
        ensure_all_finite=ensure_all_finite,
        type_y=type_y,
    )


class BaseUnderSampler(BaseSampler):
    """Base class of the under-samplers that reduce classes to a target count.

    Not used directly: derived classes implement ``_fit_resample``. Fitting
    resolves ``sampling_strategy`` into ``sampling_strategy_``, a dict mapping
    each class to under-sample to the number of its samples to keep.

    Parameters
    ----------
    sampling_strategy : float, str, dict or callable, default='auto'
        Which classes to under-sample and to how many samples. A float is the
        desired ratio of minority to majority samples after resampling (binary
        problems only); 'majority', 'not minority', 'not majority', 'all' or
        'auto' (= 'not minority') name the classes to reduce to the minority's
        count; a dict maps each targeted class to the number of samples to
        keep; a callable takes ``y`` and returns such a dict.

    Attributes
    ----------
    sampling_strategy_ : dict
        Each class to under-sample mapped to the number of samples to keep.

    See Also
    --------
    BaseCleaningSampler : Base class of the cleaning rules.

    Examples
    --------
    >>> from counterpoise.under_sampling import RandomUnderSampler
    >>> from counterpoise.under_sampling.base import BaseUnderSampler
    >>> issubclass(RandomUnderSampler, BaseUnderSampler)
    True
    """

    _sampling_type = "under-sampling"

    def _check_X_y(
        self, X, y, accept_sparse=None, ensure_all_finite=True, *, type_y=None
    ):
        return _checked(
            self, super()._check_X_y, X, y, accept_sparse, ensure_all_finite, type_y
        )

    _parameter_constraints: dict = {
        "sampling_strategy": [
            Interval(numbers.Real, 0, 1, closed="right"),
            StrOptions({"auto", "majority", "not minority", "not majority", "all"}),
            Mapping,
            callable,
        ],
    }


class BaseCleaningSampler(BaseSampler):
    """Base class of the cleaning rules, which remove samples by a criterion.

    Not used directly: derived classes implement ``_fit_resample``. A cleaning
    rule does not aim at a sample count: fitting resolves ``sampling_strategy``
    into ``sampling_strategy_``, whose keys are the classes the rule may remove
    samples from.

    Parameters
    ----------
    sampling_strategy : str, list or callable, default='auto'
        Which classes to clean (their sample counts are not equalised):
        'majority', 'not minority', 'not majority', 'all' or 'auto'
        (= 'not minority'); a list of the classes to clean; or a callable
        taking ``y`` and returning a dict whose keys are the classes to clean.

    Attributes
    ----------
    sampling_strategy_ : dict
        The classes to clean, as the keys of a dict.

    See Also
    --------
    BaseUnderSampler : Base class of the under-samplers with a target count.

    Examples
    --------
    >>> from counterpoise.under_sampling import TomekLinks
    >>> from counterpoise.under_sampling.base import BaseCleaningSampler
    >>> issubclass(TomekLinks, BaseCleaningSampler)
    True
    """

    _sampling_type = "clean-sampling"

    def _check_X_y(
        self, X, y, accept_sparse=None, ensure_all_finite=True, *, type_y=None
    ):
        return _checked(
            self, super()._check_X_y, X, y, accept_sparse, ensure_all_finite, type_y
        )

    _parameter_constraints: dict = {
        "sampling_strategy": [
            Interval(numbers.Real, 0, 1, closed="right"),
            StrOptions({"auto", "majority", "not minority", "not majority", "all"}),
            list,
            callable,
        ],
    }
