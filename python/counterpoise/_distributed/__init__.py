"""The engine-neutral plan behind :mod:`counterpoise.spark` and
:mod:`counterpoise.dask`.

A plan is a sequence of partition-level steps (count, select, gather, query,
merge, generate) over pandas batches, each calling the same Rust engine as the
local samplers. An engine adapter (:class:`~._plan.Frame`) only says how to run
a step on every partition and bring back its small result, how to merge results
in a tree, and how to build the output DataFrame; the engine schedules the
tasks, shuffles and retries.
"""

from ._plan import Frame, resample

__all__ = ["Frame", "resample"]
