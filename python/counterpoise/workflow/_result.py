"""``CompareResult``: what :func:`compare` measured, with its summaries, its
terminal table and its report."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from . import _report, _stats, _text
from ._inspect import InspectResult


@dataclass
class CompareResult:
    """What :func:`compare` measured, fold by fold, for every strategy.

    Holds the per-fold scores and the out-of-fold predictions; its methods
    summarise them (:meth:`summary_rows`, :meth:`paired`), render them
    (:meth:`table`, :meth:`plot`, :meth:`to_html`) or hand them to pandas
    (:meth:`to_frame`, :meth:`paired_frame`). ``str()`` of it is :meth:`table`.

    Parameters
    ----------
    strategies : list of str
        Strategies that ran, baseline first.
    skipped : dict
        Strategies that could not run, ``{name: reason}``.
    scores : dict
        ``scores[strategy][metric]``: array of the per-fold values of every
        metric in ``metrics``, and ``fit_time`` (seconds per fold).
    oof_scores : dict
        Out-of-fold score of the positive class (probability, else decision
        value) for every row, per strategy: what PR curves are drawn from.
    oof_predictions : dict
        Out-of-fold predicted labels per strategy, 1 for the positive class and
        0 otherwise, at each strategy's own threshold.
    y_true : ndarray of shape (n_samples,)
        1 where the row is of the positive class, else 0.
    positive_class : object
        The class treated as positive (the minority class by default).
    folds : list of tuple of ndarray
        The ``(train, test)`` index arrays of the stratified folds every
        strategy was fitted and scored on.
    metrics : tuple of str, default=('pr_auc', 'roc_auc', 'f1', 'precision', \
'recall', 'mcc', 'balanced_accuracy', 'g_mean')
        The metrics in ``scores``, in the order summaries list them.
    inspect : InspectResult or None, default=None
        The class counts and imbalance of the target.
    estimator_name : str, default=''
        The model every strategy wraps, as shown in the report.
    extra : dict, default={}
        Room for anything else a caller wants to keep with the result.
    estimators : dict, default={}
        The unfitted estimator of every strategy that ran, ``{name: estimator}``;
        :meth:`make_estimator` hands out clones of them.
    refit : str or None, default=None
        The metric the strategy was chosen by, when :func:`compare` ran with
        ``refit``.
    selection : dict or None, default=None
        How the strategy was chosen: the ``rule`` (``'one_se'`` or ``'best'``),
        the chosen ``strategy`` and its ``index``, the ``best_index`` of the
        highest mean, the ``threshold`` (lowest mean the rule accepts), and per
        strategy the ``mean``, ``std``, ``se``, ``within_one_se`` and
        ``simplicity`` of the ``refit`` metric.
    best_strategy_ : str or None, default=None
        The chosen strategy.
    best_estimator_ : estimator or None, default=None
        The chosen strategy refitted on all the data.

    Attributes
    ----------
    strategies : list of str
        Strategies that ran, baseline first.
    skipped : dict
        Strategies that could not run, ``{name: reason}``.
    scores : dict
        ``scores[strategy][metric]``: per-fold values, and ``fit_time``.
    oof_scores : dict
        Out-of-fold positive-class scores of every row, per strategy.
    oof_predictions : dict
        Out-of-fold 0/1 predictions of every row, per strategy.
    y_true : ndarray of shape (n_samples,)
        1 where the row is of the positive class, else 0.
    positive_class : object
        The class treated as positive.
    folds : list of tuple of ndarray
        The ``(train, test)`` index arrays shared by every strategy.
    metrics : tuple of str
        The metrics in ``scores``.
    inspect : InspectResult or None
        The class counts and imbalance of the target.
    estimator_name : str
        The model every strategy wraps.
    extra : dict
        Anything else kept with the result.
    estimators : dict
        The unfitted estimator of every strategy that ran.
    refit : str or None
        The metric the strategy was chosen by, or None.
    selection : dict or None
        How the strategy was chosen (see Parameters), or None.
    best_strategy_ : str or None
        The chosen strategy, or None without ``refit``.
    best_estimator_ : estimator or None
        The chosen strategy fitted on all the data, or None without ``refit``.

    See Also
    --------
    compare : Runs the strategies and returns this result.
    InspectResult : The class counts kept in ``inspect``.

    Examples
    --------
    >>> from sklearn.datasets import make_classification
    >>> from counterpoise import compare
    >>> X, y = make_classification(n_samples=200, weights=[0.9], random_state=0)
    >>> result = compare(X, y, strategies=["baseline", "class_weight"], cv=3)
    >>> result.strategies
    ['baseline', 'class_weight']
    >>> len(result.folds), result.scores["baseline"]["pr_auc"].shape
    (3, (3,))
    """

    strategies: list
    skipped: dict
    scores: dict
    oof_scores: dict
    oof_predictions: dict
    y_true: np.ndarray
    positive_class: Any
    folds: list
    metrics: tuple = _stats.METRICS
    inspect: InspectResult | None = None
    estimator_name: str = ""
    extra: dict = field(default_factory=dict)
    estimators: dict = field(default_factory=dict)
    refit: str | None = None
    selection: dict | None = None
    best_strategy_: str | None = None
    best_estimator_: Any = None

    # -- summaries
    def summary_rows(self):
        """Summarise every strategy: mean and standard deviation over the folds.

        The spread is over the outer folds, so it shows how much a score moves
        with the split, not a confidence interval.

        Returns
        -------
        list of dict
            One dict per strategy, in the order of ``strategies``: the key
            ``'strategy'``, and for every metric and ``fit_time`` the mean under
            its name and the standard deviation (ddof=1) under ``name + '_std'``.

        See Also
        --------
        CompareResult.to_frame : The same rows as a pandas DataFrame.
        CompareResult.paired : Each strategy against the baseline, fold by fold.

        Examples
        --------
        >>> from sklearn.datasets import make_classification
        >>> from counterpoise import compare
        >>> X, y = make_classification(n_samples=200, weights=[0.9], random_state=0)
        >>> result = compare(X, y, strategies=["baseline", "class_weight"], cv=3)
        >>> rows = result.summary_rows()
        >>> [row["strategy"] for row in rows]
        ['baseline', 'class_weight']
        >>> 0.0 <= rows[0]["pr_auc"] <= 1.0
        True
        """
        return _stats.summary_rows(self.scores, self.strategies, self.metrics)

    def paired(self, baseline: str = "baseline"):
        """Compare each strategy with ``baseline`` on the same folds.

        Because every strategy ran on the same folds, the per-fold differences
        are paired. With few folds, read the t-test p-value as a hint, not a
        verdict.

        Parameters
        ----------
        baseline : str, default='baseline'
            The strategy every other one is measured against.

        Returns
        -------
        list of dict
            One dict per (strategy, metric): ``strategy``, ``metric``, the mean
            and standard deviation of the per-fold differences (``mean_diff``,
            ``std_diff``), the folds won and lost (``wins``, ``losses``) and the
            paired t-test ``p_value`` (1.0 where the two agree on every fold).

        Raises
        ------
        ValueError
            If no strategy named ``baseline`` ran.

        See Also
        --------
        CompareResult.paired_frame : The same rows as a pandas DataFrame.

        Examples
        --------
        >>> from sklearn.datasets import make_classification
        >>> from counterpoise import compare
        >>> X, y = make_classification(n_samples=200, weights=[0.9], random_state=0)
        >>> result = compare(X, y, strategies=["baseline", "class_weight"], cv=3)
        >>> row = result.paired()[0]
        >>> row["strategy"], row["metric"], row["wins"] + row["losses"] <= 3
        ('class_weight', 'pr_auc', True)
        """
        return _stats.paired(self.scores, self.strategies, self.metrics, baseline)

    def to_frame(self):
        """Return the per-strategy summary as a pandas DataFrame.

        Needs pandas. The columns are those of :meth:`summary_rows`: every
        metric, ``fit_time``, and each one's ``_std``.

        Returns
        -------
        pandas.DataFrame
            The rows of :meth:`summary_rows`, indexed by strategy.

        See Also
        --------
        CompareResult.summary_rows : The same rows as plain dicts.

        Examples
        --------
        >>> from sklearn.datasets import make_classification
        >>> from counterpoise import compare
        >>> X, y = make_classification(n_samples=200, weights=[0.9], random_state=0)
        >>> result = compare(X, y, strategies=["baseline", "class_weight"], cv=3)
        >>> list(result.to_frame().index)
        ['baseline', 'class_weight']
        """
        import pandas as pd

        return pd.DataFrame(self.summary_rows()).set_index("strategy")

    def paired_frame(self, baseline: str = "baseline"):
        """Return the paired comparison with ``baseline`` as a pandas DataFrame.

        Needs pandas. The columns are ``mean_diff``, ``std_diff``, ``wins``,
        ``losses`` and ``p_value`` of :meth:`paired`.

        Parameters
        ----------
        baseline : str, default='baseline'
            The strategy every other one is measured against.

        Returns
        -------
        pandas.DataFrame
            The rows of :meth:`paired`, indexed by (strategy, metric).

        See Also
        --------
        CompareResult.paired : The same rows as plain dicts.

        Examples
        --------
        >>> from sklearn.datasets import make_classification
        >>> from counterpoise import compare
        >>> X, y = make_classification(n_samples=200, weights=[0.9], random_state=0)
        >>> result = compare(X, y, strategies=["baseline", "class_weight"], cv=3)
        >>> result.paired_frame().index[0]
        ('class_weight', 'pr_auc')
        """
        import pandas as pd

        return pd.DataFrame(self.paired(baseline)).set_index(["strategy", "metric"])

    def best(self, metric: str = "pr_auc") -> str:
        """Name the strategy with the highest mean ``metric`` over the folds.

        Higher is better for every metric, so ``best('fit_time')`` names the
        slowest strategy.

        Parameters
        ----------
        metric : str, default='pr_auc'
            One of ``metrics``, or ``'fit_time'``.

        Returns
        -------
        str
            The strategy's name; the first in ``strategies`` on a tie.

        See Also
        --------
        CompareResult.summary_rows : The means it picks from.

        Examples
        --------
        >>> from sklearn.datasets import make_classification
        >>> from counterpoise import compare
        >>> X, y = make_classification(n_samples=200, weights=[0.9], random_state=0)
        >>> result = compare(X, y, strategies=["baseline", "class_weight"], cv=3)
        >>> result.best("recall") in result.strategies
        True
        """
        return _stats.best(self.summary_rows(), metric)

    def make_estimator(self, name: str):
        """Return strategy ``name`` as an unfitted estimator.

        The same model :func:`compare` fitted on every fold for that strategy
        (the same wrapping, seed and parameters), cloned, ready to fit on any
        data.

        Parameters
        ----------
        name : str
            A strategy that ran (one of ``strategies``).

        Returns
        -------
        estimator
            An unfitted clone of the strategy's estimator.

        Raises
        ------
        ValueError
            If no strategy of that name ran (with the reason it was skipped,
            where it was).

        See Also
        --------
        compare : Its ``refit`` argument fits the chosen strategy.

        Examples
        --------
        >>> from sklearn.datasets import make_classification
        >>> from counterpoise import compare
        >>> X, y = make_classification(n_samples=200, weights=[0.9], random_state=0)
        >>> result = compare(X, y, strategies=["baseline", "SMOTE"], cv=3)
        >>> model = result.make_estimator("SMOTE")
        >>> [name for name, _ in model.steps]
        ['standardscaler', 'sampler', 'logisticregression']
        """
        from sklearn.base import clone

        if name not in self.estimators:
            if name in self.skipped:
                raise ValueError(f"strategy {name!r} did not run: {self.skipped[name]}")
            raise ValueError(
                f"no strategy named {name!r} ran; choose from {list(self.estimators)}."
            )
        return clone(self.estimators[name])

    def __str__(self) -> str:
        return self.table()

    # -- rendering
    def table(self, metrics=_text.TABLE_METRICS) -> str:
        """Render the results as a plain-text table for a terminal.

        This is what ``str(result)`` and the ``counterpoise compare`` command
        print.

        Parameters
        ----------
        metrics : sequence of str, default=('pr_auc', 'roc_auc', 'f1', 'recall', \
'precision', 'mcc', 'balanced_accuracy', 'g_mean')
            The metric columns, in order; every one must be in ``metrics``.

        Returns
        -------
        str
            A header, one line per strategy with mean ± std over the folds and
            the fit seconds per fold, the skipped strategies, and a closing line
            on the best PR-AUC against the baseline; with ``refit``, two more
            lines on the chosen strategy, the rule, and the paired comparison of
            it with the baseline.

        See Also
        --------
        CompareResult.to_html : The same tables in an HTML report with plots.

        Examples
        --------
        >>> from sklearn.datasets import make_classification
        >>> from counterpoise import compare
        >>> X, y = make_classification(n_samples=200, weights=[0.9], random_state=0)
        >>> result = compare(X, y, strategies=["baseline", "class_weight"], cv=3)
        >>> print(result.table(metrics=("pr_auc",)).splitlines()[0])
        strategy           PR-AUC  fit s
        """
        return _text.table(self, metrics)

    def plot(self, metric: str = "pr_auc"):
        """Draw the out-of-fold PR curves and ``metric`` by strategy.

        Needs matplotlib. The left panel pools the out-of-fold scores of all
        folds into one precision-recall curve per strategy; the right panel
        shows the mean ± std of ``metric`` over the folds.

        Parameters
        ----------
        metric : str, default='pr_auc'
            The metric of the bar chart; one of ``metrics``.

        Returns
        -------
        matplotlib.figure.Figure
            The figure with the two panels.

        See Also
        --------
        CompareResult.save_plots : Write this figure to a PNG file.
        CompareResult.to_html : Embed it in an HTML report.

        Examples
        --------
        >>> from sklearn.datasets import make_classification
        >>> from counterpoise import compare
        >>> X, y = make_classification(n_samples=200, weights=[0.9], random_state=0)
        >>> result = compare(X, y, strategies=["baseline", "class_weight"], cv=3)
        >>> fig = result.plot("recall")  # doctest: +SKIP
        """
        return _report.plot(self, metric)

    def save_plots(self, path, metric: str = "pr_auc"):
        """Write the figure of :meth:`plot` to a PNG file.

        Needs matplotlib. The figure is closed after writing, so a loop over
        many results does not pile up open figures.

        Parameters
        ----------
        path : str or path-like
            Where to write the PNG.
        metric : str, default='pr_auc'
            The metric of the bar chart; one of ``metrics``.

        See Also
        --------
        CompareResult.plot : The figure written.

        Examples
        --------
        >>> from sklearn.datasets import make_classification
        >>> from counterpoise import compare
        >>> X, y = make_classification(n_samples=200, weights=[0.9], random_state=0)
        >>> result = compare(X, y, strategies=["baseline", "class_weight"], cv=3)
        >>> result.save_plots("compare.png")  # doctest: +SKIP
        """
        _report.save_plots(self, path, metric)

    def to_html(self, path=None, title: str = "counterpoise compare") -> str:
        """Render a self-contained HTML report, and write it to ``path`` if given.

        The page holds the target's class counts, the per-strategy table, the
        paired comparison with the baseline (PR-AUC, F1, recall, MCC), the
        skipped strategies and the figure of :meth:`plot` embedded as PNG.
        Needs matplotlib.

        Parameters
        ----------
        path : str or path-like, default=None
            Where to write the page (UTF-8); nothing is written when None.
        title : str, default='counterpoise compare'
            The page's title and heading.

        Returns
        -------
        str
            The HTML document.

        See Also
        --------
        CompareResult.table : The same numbers as plain text.

        Examples
        --------
        >>> from sklearn.datasets import make_classification
        >>> from counterpoise import compare
        >>> X, y = make_classification(n_samples=200, weights=[0.9], random_state=0)
        >>> result = compare(X, y, strategies=["baseline", "class_weight"], cv=3)
        >>> page = result.to_html("report.html")  # doctest: +SKIP
        """
        return _report.to_html(self, path, title)
