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

from . import _core

__version__ = _core.__version__

from . import (  # noqa: E402
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
from .base import BaseSampler, FunctionSampler, is_sampler  # noqa: E402
from .utils._show_versions import show_versions  # noqa: E402
from .utils._threads import register_controller  # noqa: E402
from .workflow import CompareResult, InspectResult, compare, inspect  # noqa: E402

# threadpoolctl's threadpool_limits/threadpool_info see the Rust thread pool
register_controller()

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
