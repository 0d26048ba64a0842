"""The imbalanced-learning workflow: look at the classes, then measure.

:func:`inspect` counts the classes of a target and rates its imbalance;
:func:`compare` fits class weights, threshold tuning, resampling inside the
pipeline and balanced ensembles on one set of stratified folds and compares
each with the plain model fold by fold; :class:`CompareResult` holds what it
measured, with a terminal table, plots and an HTML report; with
``refit=metric``, :func:`compare` also chooses a strategy (the rule of
:class:`counterpoise.model_selection.StrategySearchCV`) and refits it. The
``counterpoise`` command (:mod:`counterpoise.workflow.cli`) runs the same from a
terminal.

The modules, by concern: ``_inspect`` (inspect), ``_strategies`` (the default
model and the strategy plan), ``_runner`` (the cross-validation runner),
``_stats`` (summaries and paired statistics), ``_result`` (CompareResult),
``_text`` (the terminal table), ``_report`` (plots and HTML), ``cli`` with
``_commands``, ``_tables`` and ``_tour`` (the command line).
"""

from ._inspect import InspectResult, inspect
from ._result import CompareResult
from ._runner import compare

__all__ = ["CompareResult", "InspectResult", "compare", "inspect"]
