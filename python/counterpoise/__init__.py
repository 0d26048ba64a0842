"""Imbalanced-learning samplers with a Rust core.

counterpoise is a drop-in for imbalanced-learn 0.14.2: the same class names,
parameters, defaults and fitted attributes, and the same rows for the same seed,
on every core. The samplers live in :mod:`counterpoise.over_sampling`,
:mod:`counterpoise.under_sampling` and :mod:`counterpoise.combine`; the balanced
ensembles in :mod:`counterpoise.ensemble`; the resampling-aware pipeline in
:mod:`counterpoise.pipeline`; the imbalance metrics in
:mod:`counterpoise.metrics`.

The top level holds the workflow (:func:`inspect` and :func:`compare`, from
:mod:`counterpoise.workflow`) and the sampler base classes.

See Also
--------
counterpoise.workflow : The workflow: inspect, compare, the report, the command.
counterpoise.over_sampling : SMOTE and the other over-samplers.
counterpoise.under_sampling : Random under-sampling and the cleaning rules.

Examples
--------
>>> from collections import Counter
>>> from sklearn.datasets import make_classification
>>> from counterpoise import inspect
>>> from counterpoise.over_sampling import SMOTE
>>> X, y = make_classification(n_samples=500, weights=[0.9], random_state=0)
>>> inspect(y).severity
'mild'
>>> X_res, y_res = SMOTE(random_state=0).fit_resample(X, y)
>>> sorted(Counter(y_res.tolist()).items())
[(0, 450), (1, 450)]
"""

from typing import TYPE_CHECKING

from . import _core
from .utils._lazy import lazy_names
from .utils._threads import register_controller

__version__ = _core.__version__

# threadpoolctl's threadpool_limits/threadpool_info see the Rust thread pool
register_controller()

# The submodules and names below load on first use (PEP 562), so importing one
# light module (the Rust engine for a Spark or Dask worker's step) does not
# import scikit-learn and SciPy; ``from counterpoise import X`` works as before.
_SUBMODULES = {
    "combine",
    "ensemble",
    "exceptions",
    "metrics",
    "model_selection",
    "over_sampling",
    "pipeline",
    "under_sampling",
    "utils",
}
_NAMES = {
    "BaseSampler": "base",
    "FunctionSampler": "base",
    "is_sampler": "base",
    "show_versions": "utils._show_versions",
    "CompareResult": "workflow",
    "InspectResult": "workflow",
    "compare": "workflow",
    "inspect": "workflow",
}

if TYPE_CHECKING:  # what type checkers and IDEs see; loaded lazily at run time
    from . import (
        combine,
        ensemble,
        exceptions,
        metrics,
        model_selection,
        over_sampling,
        pipeline,
        under_sampling,
        utils,
    )
    from .base import BaseSampler, FunctionSampler, is_sampler
    from .utils._show_versions import show_versions
    from .workflow import CompareResult, InspectResult, compare, inspect


__getattr__, __dir__ = lazy_names(__name__, _NAMES, _SUBMODULES)

__all__ = [
    "BaseSampler",
    "CompareResult",
    "FunctionSampler",
    "InspectResult",
    "combine",
    "compare",
    "ensemble",
    "exceptions",
    "inspect",
    "is_sampler",
    "metrics",
    "model_selection",
    "over_sampling",
    "pipeline",
    "show_versions",
    "under_sampling",
    "utils",
    "__version__",
]
