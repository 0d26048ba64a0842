"""``StrategySearchCV``: choose the imbalance strategy on inner folds, refit it.

The strategies and how each wraps the estimator come from the plan of
:func:`counterpoise.compare` (``counterpoise.workflow._strategies``), the folds
from the same rule (stratified, shuffled, seeded by ``random_state``) and the
choice from the same function (``counterpoise.workflow._stats.select``), so
``compare(..., refit=metric)`` and this search choose alike.
"""

from __future__ import annotations

import time
import warnings
from numbers import Integral

import numpy as np
from joblib import Parallel, delayed
from sklearn.base import (
    BaseEstimator,
    ClassifierMixin,
    MetaEstimatorMixin,
    clone,
    is_classifier,
)
from sklearn.exceptions import FitFailedWarning
from sklearn.metrics import (
    average_precision_score,
    balanced_accuracy_score,
    f1_score,
    get_scorer,
    make_scorer,
    matthews_corrcoef,
    precision_score,
    recall_score,
    roc_auc_score,
)
from sklearn.utils import _safe_indexing, check_random_state, get_tags, indexable
from sklearn.utils.metaestimators import available_if
from sklearn.utils.multiclass import check_classification_targets, type_of_target
from sklearn.utils.validation import (
    check_array,
    check_is_fitted,
    column_or_1d,
    validate_data,
)

from ..metrics import geometric_mean_score
from ..workflow._inspect import inspect
from ..workflow._runner import _folds
from ..workflow._stats import RULES, select
from ..workflow._strategies import (
    _cost_scorer,
    default_estimator,
    is_cost_matrix,
    plan,
)

_LABEL_METRICS = {"f1": f1_score, "precision": precision_score, "recall": recall_score}
_ALIASES = {
    "average_precision": "pr_auc",
    "matthews_corrcoef": "mcc",
    "geometric_mean": "g_mean",
}


def _build_scorer(scoring, binary, positive):
    """The scorer of ``scoring``: for the names of :func:`compare`'s metrics,
    the score of the positive class on a binary target and the macro average
    over the classes on a multi-class one; any other name as scikit-learn's."""
    if is_cost_matrix(scoring):
        if not binary:
            raise ValueError("a 2x2 cost matrix needs a binary target.")
        return _cost_scorer(np.asarray(scoring, dtype=float), positive)
    if callable(scoring):
        return scoring
    if not isinstance(scoring, str):
        raise ValueError(
            "scoring must be a scorer name, a scorer, or a 2x2 cost matrix "
            f"[[tn, fp], [fn, tp]]; got {scoring!r}."
        )
    name = _ALIASES.get(scoring, scoring)
    both = ("predict_proba", "decision_function")
    if name in _LABEL_METRICS:
        kw = {"pos_label": positive} if binary else {"average": "macro"}
        return make_scorer(_LABEL_METRICS[name], zero_division=0, **kw)
    if name == "pr_auc":
        if binary:
            return make_scorer(
                average_precision_score, response_method=both, pos_label=positive
            )
        return make_scorer(
            average_precision_score, response_method="predict_proba", average="macro"
        )
    if name == "roc_auc":
        if binary:
            return make_scorer(roc_auc_score, response_method=both)
        return make_scorer(
            roc_auc_score,
            response_method="predict_proba",
            multi_class="ovr",
            average="macro",
        )
    if name == "mcc":
        return make_scorer(matthews_corrcoef)
    if name == "balanced_accuracy":
        return make_scorer(balanced_accuracy_score)
    if name == "g_mean":
        if binary:
            return make_scorer(
                geometric_mean_score, average="binary", pos_label=positive
            )
        return make_scorer(geometric_mean_score)
    try:
        return get_scorer(scoring)
    except ValueError:
        raise ValueError(
            f"scoring={scoring!r} is not a scorer name; use e.g. 'f1', "
            "'average_precision', 'balanced_accuracy', a make_scorer(...) object, "
            "or a 2x2 cost matrix."
        ) from None


def _threshold_scoring(scoring, scorer):
    """What threshold tuning maximises: the search's own metric when it scores
    labels, else the F1 of the positive class (a ranking metric such as PR-AUC
    does not depend on the threshold)."""
    if is_cost_matrix(scoring):
        return scoring
    if isinstance(scoring, str) and scoring in _LABEL_METRICS:
        return scoring
    if getattr(scorer, "_response_method", None) == "predict":
        return scorer
    return "f1"


def _fit_and_score(model, X, y, train, test, scorer):
    """Fit ``model`` on the ``train`` rows, score it on the ``test`` rows:
    ``(score, fit seconds, score seconds, exception or None)``."""
    t0 = time.perf_counter()
    try:
        model.fit(_safe_indexing(X, train), y[train])
        t1 = time.perf_counter()
        score = float(scorer(model, _safe_indexing(X, test), y[test]))
    except Exception as exc:  # recorded as a failed fold, as GridSearchCV does
        return np.nan, time.perf_counter() - t0, 0.0, exc
    return score, t1 - t0, time.perf_counter() - t1, None


def _search_estimator_has(attr):
    """``available_if`` check: the refitted model has ``attr`` (before fitting,
    the estimator the strategies wrap has it)."""

    def check(self):
        if not self.refit:
            raise AttributeError(
                f"this StrategySearchCV was created with refit=False: {attr} needs "
                "a refitted model."
            )
        if hasattr(self, "best_estimator_"):
            getattr(self.best_estimator_, attr)
            return True
        base = default_estimator() if self.estimator is None else self.estimator
        getattr(base, attr)
        return True

    return check


class StrategySearchCV(MetaEstimatorMixin, ClassifierMixin, BaseEstimator):
    """Choose the imbalance strategy by cross-validation and refit it.

    Evaluates the strategies of :func:`counterpoise.compare` (the estimator as
    given, balanced class weights, decision-threshold tuning, a sampler inside
    the leakage-safe :class:`counterpoise.pipeline.Pipeline`, balanced
    ensembles), each wrapping the same ``estimator``, on one set of inner
    stratified folds; chooses one by ``selection``; and refits the chosen one on
    all the data ``fit`` was given. Each sampler only ever sees the training part
    of an inner fold, and threshold tuning chooses its threshold on folds of that
    training part. Because the whole choice happens inside ``fit``,
    ``cross_val_score(StrategySearchCV(...), X, y)`` is a nested, honest estimate
    of the procedure, not of the winner after the fact.

    The default rule, ``selection='one_se'``, guards against the winner's curse
    (with many strategies and few folds, the best-looking one is often best by
    noise): it takes the *simplest* strategy whose mean score is within one
    standard error of the best mean. The standard error is the best
    strategy's ``std_test_score`` over the square root of the number of folds.
    The simplicity order is: the plain model (``'baseline'``),
    ``'class_weight'``, ``'threshold'``, random resampling
    (``'RandomUnderSampler'``), the SMOTE family (``'SMOTE'``,
    ``'BorderlineSMOTE'``, ``'ADASYN'``), the cleaning and combined samplers
    (``'SMOTEENN'``, ``'SMOTETomek'``), then the ensembles
    (``'BalancedRandomForest'``, ``'EasyEnsemble'``); strategies of your own
    come after those, in the order given. ``selection='best'`` takes the
    highest mean (the simplest on a tie). ``cv_results_`` shows the rule:
    every strategy's ``se_test_score``, ``simplicity``, whether it is
    ``within_one_se`` of the best, and which one is ``selected``.

    Scores are of the minority class on a binary target (as :func:`compare`,
    whose default positive class it is) and macro-averaged over the classes on
    a multi-class one, where threshold tuning, which needs two classes, is
    skipped. A fit that fails on an inner fold scores NaN there (with a
    ``FitFailedWarning``), and a strategy with a NaN fold is never chosen; when
    every strategy fails, the first error is raised.

    Parameters
    ----------
    estimator : classifier, default=None
        The model every strategy wraps. None means the default model of
        :func:`compare`, a scaled logistic regression
        (``make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))``).
        Samplers are inserted before the final step of a pipeline, and the
        ensembles replace that step.
    strategies : str, list or dict, default=None
        The strategies to choose from, as :func:`compare` takes them: names from
        ``'baseline'``, ``'class_weight'``, ``'threshold'``, ``'SMOTE'``,
        ``'BorderlineSMOTE'``, ``'ADASYN'``, ``'RandomUnderSampler'``,
        ``'SMOTEENN'``, ``'SMOTETomek'``, ``'BalancedRandomForest'``,
        ``'EasyEnsemble'`` (None: all of them), a dict of
        ``name -> estimator`` of your own, or a list mixing names and
        ``(name, estimator)`` pairs. Strategies the estimator cannot support
        (``'class_weight'`` for a model without that parameter) are skipped and
        listed in ``skipped_``.
    scoring : str, callable or array-like of shape (2, 2), default='f1'
        What the strategies are compared by. The names ``'f1'``,
        ``'precision'``, ``'recall'``, ``'average_precision'`` (or
        ``'pr_auc'``), ``'roc_auc'``, ``'mcc'``, ``'balanced_accuracy'`` and
        ``'g_mean'`` score the minority class of a binary target and the macro
        average of a multi-class one; any other scikit-learn scorer name, or a
        scorer (``make_scorer(...)``), is used as is; a cost matrix
        ``[[cost_tn, cost_fp], [cost_fn, cost_tp]]`` (binary targets) scores
        minus the total cost. Threshold tuning maximises the same metric when it
        scores labels, and the minority-class F1 when it scores a ranking
        (PR-AUC, ROC-AUC), which no threshold changes.
    cv : int or cross-validation splitter, default=5
        The inner folds, the same for every strategy; an int gives
        ``StratifiedKFold(cv, shuffle=True, random_state=random_state)``.
        A repeated splitter (``RepeatedStratifiedKFold(n_splits=5,
        n_repeats=3)``) costs that many times the fits and makes the choice
        less noisy, which matters most for small minority classes. Under
        nested cross-validation on KEEL datasets (``benches/README.md``) the
        one-SE search was 0.007 below the best fixed strategy in hindsight
        with ``cv=5`` and 0.003 below with ``RepeatedStratifiedKFold(5, 3)``
        on 15 sets with at least 90 minority rows; 0.029 and 0.020 below on
        7 sets with 13-81.
    refit : bool, default=True
        Refit the chosen strategy on all the data. Without it the search only
        chooses: ``predict`` and the other prediction methods are unavailable.
    selection : {'one_se', 'best'}, default='one_se'
        The rule of the choice: the simplest strategy within one standard error
        of the best mean, or the best mean.
    random_state : int, RandomState instance or None, default=None
        Seed of the folds and of every randomised strategy (samplers, threshold
        tuning's folds, ensembles). An int gives the folds and models of
        ``compare(..., random_state=random_state)``.
    n_jobs : int, default=None
        Number of (strategy, fold) fits run in parallel by joblib; None means 1
        unless in a ``joblib.parallel_backend`` context, -1 means all cores.

    Attributes
    ----------
    best_strategy_ : str
        The chosen strategy.
    best_index_ : int
        Its index in ``cv_results_``.
    best_params_ : dict
        ``{'strategy': best_strategy_}``, as scikit-learn's searches say it.
    best_score_ : float
        Its mean score over the inner folds (optimistic: the choice was made on
        these folds; cross-validate the search for an honest estimate).
    best_estimator_ : estimator
        The chosen strategy refitted on all the data (with ``refit=True``).
    cv_results_ : dict of ndarray
        One entry per strategy that ran, in scikit-learn's format:
        ``params`` (``{'strategy': name}``), ``param_strategy``,
        ``split{i}_test_score``, ``mean_test_score``, ``std_test_score``,
        ``rank_test_score``, ``mean_fit_time``, ``std_fit_time``,
        ``mean_score_time``, ``std_score_time``; and for the rule,
        ``se_test_score``, ``simplicity`` (0 the simplest), ``within_one_se``
        and ``selected``.
    classes_ : ndarray of shape (n_classes,)
        The class labels.
    n_splits_ : int
        The number of inner folds.
    positive_class_ : object or None
        The class scored on a binary target (the minority class); None on a
        multi-class one.
    scorer_ : callable
        The scorer the strategies were compared by (and ``score`` uses).
    skipped_ : dict
        Strategies that could not run, ``{name: reason}``.
    refit_time_ : float
        Seconds spent refitting the chosen strategy (with ``refit=True``).
    n_features_in_ : int
        Number of features seen during ``fit``.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of the features seen during ``fit``; defined only when they are all
        strings.

    See Also
    --------
    counterpoise.compare : The same strategies measured and reported, with
        ``refit=`` making the same choice.
    counterpoise.pipeline.Pipeline : Resamples while fitting only.
    sklearn.model_selection.GridSearchCV : The search over parameters this one
        mirrors.

    References
    ----------
    .. [1] T. Hastie, R. Tibshirani and J. Friedman, "The Elements of
       Statistical Learning", 2nd ed., Springer, 2009, section 7.10 (the
       one-standard-error rule).

    Examples
    --------
    >>> from sklearn.datasets import make_classification
    >>> from counterpoise.model_selection import StrategySearchCV
    >>> X, y = make_classification(
    ...     n_samples=400, weights=[0.95], class_sep=2, flip_y=0, random_state=0
    ... )
    >>> search = StrategySearchCV(
    ...     strategies=["baseline", "class_weight", "RandomUnderSampler"],
    ...     cv=3,
    ...     random_state=0,
    ... ).fit(X, y)
    >>> search.cv_results_["params"][0]
    {'strategy': 'baseline'}
    >>> search.best_strategy_
    'baseline'
    >>> search.predict(X[:4]).tolist()
    [0, 0, 0, 0]

    An honest estimate of the whole choice is a nested cross-validation:

    >>> from sklearn.model_selection import cross_val_score
    >>> scores = cross_val_score(search, X, y, cv=3)
    >>> scores.shape
    (3,)
    """

    def __init__(
        self,
        estimator=None,
        *,
        strategies=None,
        scoring="f1",
        cv=5,
        refit=True,
        selection="one_se",
        random_state=None,
        n_jobs=None,
    ):
        self.estimator = estimator
        self.strategies = strategies
        self.scoring = scoring
        self.cv = cv
        self.refit = refit
        self.selection = selection
        self.random_state = random_state
        self.n_jobs = n_jobs

    def _base(self):
        return default_estimator() if self.estimator is None else self.estimator

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        inner = get_tags(self._base())
        # the default model centres its features, which sparse input cannot take
        tags.input_tags.sparse = self.estimator is not None and inner.input_tags.sparse
        tags.input_tags.allow_nan = inner.input_tags.allow_nan
        tags.input_tags.categorical = inner.input_tags.categorical
        tags.input_tags.string = inner.input_tags.string
        return tags

    def fit(self, X, y):
        """Evaluate every strategy on the inner folds, choose one, refit it.

        Parameters
        ----------
        X : {array-like, sparse matrix, DataFrame} of shape (n_samples, n_features)
            The features. DataFrames (pandas, polars) are split by rows and
            reach the strategies as DataFrames.
        y : array-like of shape (n_samples,)
            The classes, two or more.

        Returns
        -------
        self : object
            The fitted search.
        """
        if self.selection not in RULES:
            raise ValueError(f"selection={self.selection!r}: use one of {list(RULES)}.")
        if not isinstance(self.refit, (bool, np.bool_)):
            raise ValueError(f"refit must be True or False; got {self.refit!r}.")
        estimator = self._base()
        if not hasattr(estimator, "fit") or not is_classifier(estimator):
            raise TypeError(
                "estimator must be a scikit-learn classifier; got "
                f"{type(estimator).__name__}."
            )
        validate_data(self, X, y, reset=True, skip_check_array=True)
        check_array(
            X,
            accept_sparse=self.__sklearn_tags__().input_tags.sparse,
            dtype=None,
            ensure_all_finite=False,
            ensure_min_samples=2,
        )
        X, y = indexable(X, column_or_1d(y, warn=True))
        check_classification_targets(y)
        self.classes_ = np.unique(y)
        info = inspect(y)
        binary = type_of_target(y) == "binary"
        self.positive_class_ = info.minority_class if binary else None
        pos = None
        if binary:
            pos = self.classes_[list(self.classes_).index(info.minority_class)]
        self.scorer_ = _build_scorer(self.scoring, binary, pos)
        rs = self.random_state
        if not (rs is None or isinstance(rs, Integral)):
            rs = int(check_random_state(rs).randint(np.iinfo(np.int32).max))
        folds = _folds(self.cv, y, min(info.counts.values()), rs)
        self.n_splits_ = len(folds)
        runs, self.skipped_ = plan(
            self.strategies,
            estimator,
            rs,
            _threshold_scoring(self.scoring, self.scorer_) if binary else None,
            pos,
            binary=binary,
        )
        names = [name for name, _ in runs]
        out = Parallel(n_jobs=self.n_jobs)(
            delayed(_fit_and_score)(clone(model), X, y, train, test, self.scorer_)
            for _, model in runs
            for train, test in folds
        )
        k = len(folds)
        shape = (len(runs), k)
        scores = np.array([o[0] for o in out], dtype=float).reshape(shape)
        fit_t = np.array([o[1] for o in out], dtype=float).reshape(shape)
        score_t = np.array([o[2] for o in out], dtype=float).reshape(shape)
        errors = [(names[i // k], o[3]) for i, o in enumerate(out) if o[3] is not None]
        if errors and np.isnan(scores).all():
            raise errors[0][1]
        if errors:
            failed = sorted({n for n, _ in errors})
            warnings.warn(
                f"{len(errors)} of {len(out)} inner fits failed (strategies "
                f"{failed}; they are not chosen). The first error: "
                f"{type(errors[0][1]).__name__}: {errors[0][1]}",
                FitFailedWarning,
                stacklevel=2,
            )
        choice = select(names, scores, self.selection)
        self.cv_results_ = self._results(names, scores, fit_t, score_t, choice)
        self.best_index_ = choice["index"]
        self.best_strategy_ = names[self.best_index_]
        self.best_params_ = {"strategy": self.best_strategy_}
        self.best_score_ = float(choice["mean"][self.best_index_])
        if self.refit:
            t0 = time.perf_counter()
            self.best_estimator_ = clone(runs[self.best_index_][1]).fit(X, y)
            self.refit_time_ = time.perf_counter() - t0
        return self

    @staticmethod
    def _results(names, scores, fit_t, score_t, choice):
        """``cv_results_`` in scikit-learn's format, with the rule's columns."""
        n, k = scores.shape
        mean = choice["mean"]
        # rank like scikit-learn: 1 the best, ties share the lower rank, NaN last
        filled = np.where(np.isnan(mean), -np.inf, mean)
        rank = np.array([1 + int((filled > m).sum()) for m in filled], dtype=np.int32)
        param = np.ma.MaskedArray(np.empty(n, dtype=object), mask=False)
        param[:] = names
        res = {
            "mean_fit_time": fit_t.mean(axis=1),
            "std_fit_time": fit_t.std(axis=1),
            "mean_score_time": score_t.mean(axis=1),
            "std_score_time": score_t.std(axis=1),
            "param_strategy": param,
            "params": [{"strategy": s} for s in names],
        }
        for i in range(k):
            res[f"split{i}_test_score"] = scores[:, i]
        res["mean_test_score"] = mean
        res["std_test_score"] = choice["std"]
        res["rank_test_score"] = rank
        res["se_test_score"] = choice["se"]
        res["simplicity"] = np.asarray(choice["simplicity"], dtype=np.int32)
        res["within_one_se"] = np.asarray(choice["within_one_se"], dtype=bool)
        selected = np.zeros(n, dtype=bool)
        selected[choice["index"]] = True
        res["selected"] = selected
        return res

    @available_if(_search_estimator_has("predict"))
    def predict(self, X):
        """Predict classes with the chosen, refitted strategy.

        Parameters
        ----------
        X : {array-like, sparse matrix, DataFrame} of shape (n_samples, n_features)
            The rows to classify.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
            The predicted classes.
        """
        check_is_fitted(self)
        return self.best_estimator_.predict(X)

    @available_if(_search_estimator_has("predict_proba"))
    def predict_proba(self, X):
        """Predict class probabilities with the chosen, refitted strategy.

        Available when the chosen strategy has ``predict_proba``.

        Parameters
        ----------
        X : {array-like, sparse matrix, DataFrame} of shape (n_samples, n_features)
            The rows to classify.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            The probability of each class, in the order of ``classes_``.
        """
        check_is_fitted(self)
        return self.best_estimator_.predict_proba(X)

    @available_if(_search_estimator_has("predict_log_proba"))
    def predict_log_proba(self, X):
        """Predict class log-probabilities with the chosen, refitted strategy.

        Available when the chosen strategy has ``predict_log_proba``.

        Parameters
        ----------
        X : {array-like, sparse matrix, DataFrame} of shape (n_samples, n_features)
            The rows to classify.

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
            The log-probability of each class, in the order of ``classes_``.
        """
        check_is_fitted(self)
        return self.best_estimator_.predict_log_proba(X)

    @available_if(_search_estimator_has("decision_function"))
    def decision_function(self, X):
        """Compute decision values with the chosen, refitted strategy.

        Available when the chosen strategy has ``decision_function``.

        Parameters
        ----------
        X : {array-like, sparse matrix, DataFrame} of shape (n_samples, n_features)
            The rows to classify.

        Returns
        -------
        scores : ndarray of shape (n_samples,) or (n_samples, n_classes)
            The decision values, as the chosen strategy returns them.
        """
        check_is_fitted(self)
        return self.best_estimator_.decision_function(X)

    @available_if(_search_estimator_has("predict"))
    def score(self, X, y):
        """Score the chosen, refitted strategy with the search's own metric.

        As scikit-learn's searches do, this is ``scorer_`` (the minority-class
        F1 by default), not the accuracy of ``ClassifierMixin.score``; so
        ``cross_val_score(search, X, y)`` estimates the metric the strategy was
        chosen by.

        Parameters
        ----------
        X : {array-like, sparse matrix, DataFrame} of shape (n_samples, n_features)
            The rows to score on.
        y : array-like of shape (n_samples,)
            Their true classes.

        Returns
        -------
        score : float
            The value of ``scorer_`` on ``X, y``.
        """
        check_is_fitted(self)
        return float(self.scorer_(self.best_estimator_, X, y))
