"""Validation helpers shared by the samplers (imblearn.utils' public names).

``counterpoise.utils.estimator_checks`` has the checks for users' own samplers.
"""

from typing import TYPE_CHECKING

from ._lazy import lazy_names

# Loaded on first use, so that ``counterpoise.utils._threads`` (imported by the
# package itself) does not pull in scikit-learn.
_NAMES = {
    "Substitution": "_docstring",
    "progress": "_progress",
    "check_neighbors_object": "_validation",
    "check_sampling_strategy": "_validation",
    "check_target_type": "_validation",
}

if TYPE_CHECKING:  # what type checkers and IDEs see; loaded lazily at run time
    from ._docstring import Substitution
    from ._progress import progress
    from ._validation import (
        check_neighbors_object,
        check_sampling_strategy,
        check_target_type,
    )


__getattr__, __dir__ = lazy_names(__name__, _NAMES)

__all__ = [
    "Substitution",
    "check_neighbors_object",
    "check_sampling_strategy",
    "check_target_type",
    "progress",
]
