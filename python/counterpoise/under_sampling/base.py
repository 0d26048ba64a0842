"""Base classes for under-samplers (``imblearn.under_sampling.base``)."""

from __future__ import annotations

import numbers
from collections.abc import Mapping

from sklearn.utils._param_validation import Interval, StrOptions

from ..base import BaseSampler


class BaseUnderSampler(BaseSampler):
    """Under-samplers: ``sampling_strategy_`` maps each class to the number of
    samples to keep."""

    _sampling_type = "under-sampling"

    _parameter_constraints: dict = {
        "sampling_strategy": [
            Interval(numbers.Real, 0, 1, closed="right"),
            StrOptions({"auto", "majority", "not minority", "not majority", "all"}),
            Mapping,
            callable,
        ],
    }


class BaseCleaningSampler(BaseSampler):
    """Cleaning samplers: ``sampling_strategy_`` lists the classes to clean."""

    _sampling_type = "clean-sampling"

    _parameter_constraints: dict = {
        "sampling_strategy": [
            Interval(numbers.Real, 0, 1, closed="right"),
            StrOptions({"auto", "majority", "not minority", "not majority", "all"}),
            list,
            callable,
        ],
    }
