"""counterpoise: imbalanced-learning samplers with a Rust core.

A drop-in for imbalanced-learn 0.14.2: the same class names, parameters, defaults
and fitted attributes, the same rows for the same seed, on every core.
"""

from . import _core
from ._compare import CompareResult, InspectResult, compare, inspect
from .base import BaseSampler, FunctionSampler, is_sampler

__version__ = _core.__version__

__all__ = [
    "BaseSampler",
    "CompareResult",
    "FunctionSampler",
    "InspectResult",
    "compare",
    "inspect",
    "is_sampler",
    "__version__",
]
