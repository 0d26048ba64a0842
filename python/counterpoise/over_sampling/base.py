"""Base class for over-samplers (``imblearn.over_sampling.base``)."""

from __future__ import annotations

import numbers
from collections.abc import Mapping

from sklearn.utils._param_validation import Interval, StrOptions

from ..base import BaseSampler


class BaseOverSampler(BaseSampler):
    """Over-samplers: ``sampling_strategy_`` maps each class to the number of new
    samples to generate."""

    _sampling_type = "over-sampling"

    _parameter_constraints: dict = {
        "sampling_strategy": [
            Interval(numbers.Real, 0, 1, closed="right"),
            StrOptions({"auto", "minority", "not minority", "not majority", "all"}),
            Mapping,
            callable,
        ],
        "random_state": ["random_state"],
    }
