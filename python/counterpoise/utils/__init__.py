"""Validation helpers shared by the samplers (imblearn.utils' public names).

``counterpoise.utils.estimator_checks`` has the checks for users' own samplers.
"""

from ._docstring import Substitution
from ._progress import progress
from ._validation import (
    check_neighbors_object,
    check_sampling_strategy,
    check_target_type,
)

__all__ = [
    "Substitution",
    "check_neighbors_object",
    "check_sampling_strategy",
    "check_target_type",
    "progress",
]
