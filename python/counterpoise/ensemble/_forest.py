"""Balanced random forest (Chen, Liaw & Breiman, 2004): a drop-in for imblearn's
``BalancedRandomForestClassifier`` (defaults of imblearn 0.14: ``sampling_strategy=
'all'``, ``replacement=True``, ``bootstrap=False``).

Every tree is grown on its own random under-sample of the training set (so each
sees balanced classes), optionally bootstrapped again. The under-sampling is
counterpoise's ``RandomUnderSampler``; the trees are scikit-learn's, fitted in
threads (tree building releases the GIL). Prediction, probabilities and feature
importances are scikit-learn's ``RandomForestClassifier``'s, over these trees.
The out-of-bag estimate is imblearn's: a tree predicts the rows of its
under-sample that its bootstrap left out.
"""

from __future__ import annotations

import copy
import numbers
import warnings
from copy import deepcopy

import numpy as np
from joblib import Parallel, delayed
from scipy.sparse import issparse
from sklearn.base import clone
from sklearn.ensemble import RandomForestClassifier
from sklearn.metrics import accuracy_score
from sklearn.tree import DecisionTreeClassifier
from sklearn.utils import check_random_state
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import _check_sample_weight, validate_data

from ..pipeline import make_pipeline
from ..under_sampling import RandomUnderSampler
from ..utils._validation import check_one_output, check_sampling_strategy
from ._bagging import _STRATEGY

_MAX_INT = np.iinfo(np.int32).max
_TREE_PARAMS = (
    "criterion",
    "max_depth",
    "min_samples_split",
    "min_samples_leaf",
    "min_weight_fraction_leaf",
    "max_features",
    "max_leaf_nodes",
    "min_impurity_decrease",
    "ccp_alpha",
    "monotonic_cst",
)


def _bootstrap_counts(n, max_samples, seed):
    """How many times the bootstrap of seed ``seed`` draws each of ``n`` rows."""
    size = (
        n
        if max_samples is None
        else (
            max_samples
            if isinstance(max_samples, numbers.Integral)
            else max(round(n * max_samples), 1)
        )
    )
    draws = check_random_state(seed).randint(0, n, min(size, n))
    return np.bincount(draws, minlength=n)


def _grow(sampler, tree, X, y, sample_weight, bootstrap, max_samples, seed):
    """Fit one tree on its sampler's under-sample (bootstrapped when asked)."""
    X_res, y_res = sampler.fit_resample(X, y)
    weight = None if sample_weight is None else sample_weight[sampler.sample_indices_]
    if bootstrap:
        counts = _bootstrap_counts(X_res.shape[0], max_samples, seed)
        counts = counts.astype(np.float64)
        weight = counts if weight is None else weight * counts
    tree.fit(X_res, y_res, sample_weight=weight)
    return sampler, tree


def _out_of_bag_rows(sampler, max_samples, seed):
    """The training rows (indices into ``X``) out of the bag of one tree: in its
    under-sample but not drawn by its bootstrap. A row the under-sample holds
    twice (``replacement=True``) is out of bag only if no copy was drawn."""
    kept = sampler.sample_indices_
    counts = _bootstrap_counts(len(kept), max_samples, seed)
    return np.setdiff1d(kept[counts == 0], kept[counts > 0])


class BalancedRandomForestClassifier(RandomForestClassifier):
    """A random forest whose trees each see a balanced random under-sample.

    Balanced random forest [1]_: each tree is grown on its own draw of
    :class:`~counterpoise.under_sampling.RandomUnderSampler`, by default a
    bootstrap (``replacement=True``) of every class down to the minority
    class's size (``sampling_strategy='all'``), then, with ``bootstrap=True``,
    bootstrapped once more. The trees are scikit-learn's, grown in threads;
    prediction, probabilities and feature importances are scikit-learn's
    ``RandomForestClassifier``'s over them. Parameters, defaults (those of
    imbalanced-learn 0.14) and fitted attributes are imbalanced-learn's. With
    ``bootstrap=True`` and ``oob_score=True`` each tree predicts, as in
    imbalanced-learn, the rows of its under-sample its bootstrap left out;
    unlike imbalanced-learn, a row the under-sample drew twice is left out only
    if neither copy was bootstrapped (a tree never scores a row it was grown
    on), and the left-out rows are those of the bootstrap the tree was grown on
    also when ``max_samples`` is a fraction. ``class_weight=
    'balanced_subsample'`` weighs the classes over the whole training set, as
    ``'balanced'`` does.

    Parameters
    ----------
    n_estimators : int, default=100
        The number of trees.
    criterion : {"gini", "entropy", "log_loss"}, default="gini"
        The split quality measure of the trees.
    max_depth : int, default=None
        The maximum depth of a tree; ``None`` grows leaves until they are pure
        or hold fewer than ``min_samples_split`` rows.
    min_samples_split : int or float, default=2
        The fewest rows a node needs to be split: a count, or a fraction of the
        tree's rows.
    min_samples_leaf : int or float, default=1
        The fewest rows a leaf may hold: a count, or a fraction of the tree's
        rows.
    min_weight_fraction_leaf : float, default=0.0
        The smallest fraction of the total sample weight a leaf may hold.
    max_features : {"sqrt", "log2"}, int, float or None, default="sqrt"
        The number of features tried at each split: a name, a count, a fraction
        of the features, or ``None`` for all of them.
    max_leaf_nodes : int, default=None
        The most leaves a tree may have, grown best-first; ``None`` for no
        limit.
    min_impurity_decrease : float, default=0.0
        A node is split only when the split lowers the weighted impurity by at
        least this much.
    bootstrap : bool, default=False
        Whether each tree's under-sample is bootstrapped again before the tree
        is grown.
    oob_score : bool or callable, default=False
        Whether to estimate the generalisation score on the out-of-bag rows
        (``bootstrap=True`` only): each tree votes on the rows of its
        under-sample its bootstrap did not draw. ``True`` scores with the
        accuracy, a callable ``f(y_true, y_pred)`` with itself.
    sampling_strategy : float, str, dict or callable, default="all"
        What each tree's under-sampler keeps, with the meaning it has for
        :class:`~counterpoise.under_sampling.RandomUnderSampler`: a float (the
        ratio ``n_minority / n_majority``, binary targets only), a class
        selection (``'majority'``, ``'not minority'``, ``'not majority'``,
        ``'all'``, ``'auto'``) under-sampled to the minority class's size, a
        dict ``{class: n_samples}`` or a callable ``f(y)`` returning one.
    replacement : bool, default=True
        Whether the under-sampler draws with replacement.
    n_jobs : int, default=None
        Number of threads growing the trees and predicting; ``None`` means 1
        unless in a ``joblib.parallel_backend`` context, ``-1`` all processors.
    random_state : int, RandomState instance or None, default=None
        Seeds every tree, its under-sampler and its bootstrap; an int gives the
        same forest on every run and for any ``n_jobs``.
    verbose : int, default=0
        Verbosity of the fitting and predicting.
    warm_start : bool, default=False
        Whether a new ``fit`` keeps the trees already grown and only adds more,
        up to ``n_estimators``.
    class_weight : dict, list of dict, {"balanced", "balanced_subsample"} \
            or None, default=None
        Class weights multiplied into ``sample_weight``: a dict
        ``{class: weight}``, or ``'balanced'`` (``'balanced_subsample'`` is
        the same here) for weights inversely proportional to the class counts.
    ccp_alpha : float, default=0.0
        The complexity parameter of minimal cost-complexity pruning; 0 prunes
        nothing.
    max_samples : int or float, default=None
        With ``bootstrap=True``, the rows drawn from each under-sample: a count,
        a fraction, or ``None`` for as many as it has.
    monotonic_cst : array-like of int of shape (n_features,), default=None
        The monotonicity constraint of each feature: 1 increasing, -1
        decreasing, 0 none.

    Attributes
    ----------
    estimator_ : DecisionTreeClassifier
        The unfitted tree the forest is cloned from.
    base_sampler_ : RandomUnderSampler
        The unfitted under-sampler each tree's sampler is cloned from.
    estimators_ : list of DecisionTreeClassifier
        The fitted trees.
    samplers_ : list of RandomUnderSampler
        The fitted under-sampler of each tree, in the same order.
    pipelines_ : list of Pipeline
        Each tree with its under-sampler, as a pipeline.
    classes_ : ndarray of shape (n_classes,)
        The class labels.
    n_classes_ : int
        The number of classes.
    n_outputs_ : int
        The number of outputs (always 1).
    n_features_in_ : int
        The number of features seen by ``fit``.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        The column names seen by ``fit``; defined only when they are all strings.
    feature_importances_ : ndarray of shape (n_features,)
        The impurity-based importance of each feature, averaged over the trees.
    oob_score_ : float
        The score on the out-of-bag rows; only with ``oob_score``.
    oob_decision_function_ : ndarray of shape (n_samples, n_classes)
        The mean class probabilities of each training row over the trees it
        was out of bag for (zeros for a row never out of bag, with a warning);
        only with ``oob_score``.

    See Also
    --------
    BalancedBaggingClassifier : Bagging of any learner with any sampler.
    EasyEnsembleClassifier : Bag of AdaBoost learners on balanced
        under-samples.
    RUSBoostClassifier : AdaBoost with random under-sampling at each round.

    References
    ----------
    .. [1] C. Chen, A. Liaw and L. Breiman, "Using random forest to learn
       imbalanced data", Technical report 666, Department of Statistics,
       University of California, Berkeley, 2004.

    Examples
    --------
    >>> from collections import Counter
    >>> from sklearn.datasets import make_classification
    >>> from counterpoise.ensemble import BalancedRandomForestClassifier
    >>> X, y = make_classification(n_samples=200, n_features=4, n_informative=2,
    ...                            weights=[0.9, 0.1], flip_y=0, random_state=0)
    >>> clf = BalancedRandomForestClassifier(n_estimators=10, max_depth=3,
    ...                                      random_state=0).fit(X, y)
    >>> drawn = y[clf.samplers_[0].sample_indices_]
    >>> sorted(Counter(drawn.tolist()).items())
    [(0, 20), (1, 20)]
    >>> clf.predict(X[:5]).tolist()
    [0, 0, 0, 0, 0]
    """

    _parameter_constraints = copy.deepcopy(
        RandomForestClassifier._parameter_constraints
    )
    _parameter_constraints.update(
        {
            "sampling_strategy": _STRATEGY,
            "replacement": ["boolean"],
        }
    )

    def __init__(
        self,
        n_estimators=100,
        *,
        criterion="gini",
        max_depth=None,
        min_samples_split=2,
        min_samples_leaf=1,
        min_weight_fraction_leaf=0.0,
        max_features="sqrt",
        max_leaf_nodes=None,
        min_impurity_decrease=0.0,
        bootstrap=False,
        oob_score=False,
        sampling_strategy="all",
        replacement=True,
        n_jobs=None,
        random_state=None,
        verbose=0,
        warm_start=False,
        class_weight=None,
        ccp_alpha=0.0,
        max_samples=None,
        monotonic_cst=None,
    ):
        super().__init__(
            n_estimators=n_estimators,
            criterion=criterion,
            max_depth=max_depth,
            min_samples_split=min_samples_split,
            min_samples_leaf=min_samples_leaf,
            min_weight_fraction_leaf=min_weight_fraction_leaf,
            max_features=max_features,
            max_leaf_nodes=max_leaf_nodes,
            min_impurity_decrease=min_impurity_decrease,
            bootstrap=bootstrap,
            oob_score=oob_score,
            n_jobs=n_jobs,
            random_state=random_state,
            verbose=verbose,
            warm_start=warm_start,
            class_weight=class_weight,
            ccp_alpha=ccp_alpha,
            max_samples=max_samples,
            monotonic_cst=monotonic_cst,
        )
        self.sampling_strategy = sampling_strategy
        self.replacement = replacement

    def fit(self, X, y, sample_weight=None):
        """Grow ``n_estimators`` trees, each on its own balanced under-sample.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The training samples (converted to float32, as scikit-learn's trees
            need; a sparse matrix to CSC).
        y : array-like of shape (n_samples,)
            The class labels (one output).
        sample_weight : array-like of shape (n_samples,), default=None
            Weights of the rows; a tree sees the weights of the rows it drew.

        Returns
        -------
        self : object
            The fitted forest.
        """
        self._validate_params()
        check_one_output(y)
        if self.oob_score and not self.bootstrap:
            raise ValueError("Out of bag estimation only available if bootstrap=True")
        X, y = validate_data(
            self,
            X,
            y,
            accept_sparse="csc",
            dtype=np.float32,
            ensure_all_finite="allow-nan",
        )
        check_classification_targets(y)
        y = np.asarray(y)
        if y.ndim == 2 and y.shape[1] == 1:
            y = y.ravel()
        if y.ndim != 1:
            raise ValueError("BalancedRandomForestClassifier supports one output only.")
        self.classes_, y_encoded = np.unique(y, return_inverse=True)
        self.n_classes_ = len(self.classes_)
        self.n_outputs_ = 1
        if sample_weight is not None:
            sample_weight = _check_sample_weight(sample_weight, X, dtype=np.float64)
        if self.class_weight is not None:
            from sklearn.utils.class_weight import compute_sample_weight

            expanded = compute_sample_weight(self.class_weight, y)
            sample_weight = (
                expanded if sample_weight is None else sample_weight * expanded
            )

        strategy = self.sampling_strategy
        if isinstance(strategy, dict):
            resolved = check_sampling_strategy(strategy, y, "under-sampling")
            strategy = {
                int(np.flatnonzero(self.classes_ == c)[0]): n
                for c, n in resolved.items()
            }
        self.base_sampler_ = RandomUnderSampler(
            sampling_strategy=strategy, replacement=self.replacement
        )
        self.estimator_ = DecisionTreeClassifier(
            **{p: getattr(self, p) for p in _TREE_PARAMS}
        )

        random_state = check_random_state(self.random_state)
        if not self.warm_start or not hasattr(self, "estimators_"):
            self.estimators_, self.samplers_, self.pipelines_ = [], [], []
            self._bootstrap_seeds = []
        n_more = self.n_estimators - len(self.estimators_)
        if n_more < 0:
            raise ValueError(
                f"n_estimators={self.n_estimators} must be larger or equal to "
                f"len(estimators_)={len(self.estimators_)} when warm_start==True"
            )
        if n_more == 0:
            warnings.warn(
                "Warm-start fitting without increasing n_estimators does not "
                "fit new trees.",
                UserWarning,
                stacklevel=2,
            )
        if self.warm_start and self.estimators_:
            random_state.randint(
                _MAX_INT, size=len(self.estimators_)
            )  # skip used seeds
        members = []
        for _ in range(n_more):
            tree = clone(self.estimator_).set_params(
                random_state=random_state.randint(_MAX_INT)
            )
            sampler = clone(self.base_sampler_).set_params(
                random_state=random_state.randint(_MAX_INT)
            )
            members.append((sampler, tree, random_state.randint(_MAX_INT)))
        grown = Parallel(n_jobs=self.n_jobs, prefer="threads", verbose=self.verbose)(
            delayed(_grow)(
                sampler,
                tree,
                X,
                y_encoded,
                sample_weight,
                self.bootstrap,
                self.max_samples,
                seed,
            )
            for sampler, tree, seed in members
        )
        for (sampler, tree), (_, _, seed) in zip(grown, members):
            self.samplers_.append(sampler)
            self.estimators_.append(tree)
            self.pipelines_.append(make_pipeline(deepcopy(sampler), deepcopy(tree)))
            self._bootstrap_seeds.append(seed)
        if self.oob_score:
            self._set_oob_score(X, y_encoded)
        return self

    def _set_oob_score(self, X, y_encoded):
        """``oob_decision_function_`` and ``oob_score_`` from the out-of-bag rows
        of each tree's under-sample."""
        if issparse(X):
            X = X.tocsr()
        n_samples = X.shape[0]
        proba = np.zeros((n_samples, self.n_classes_), dtype=np.float64)
        n_votes = np.zeros(n_samples, dtype=np.int64)
        for sampler, tree, seed in zip(
            self.samplers_, self.estimators_, self._bootstrap_seeds
        ):
            rows = _out_of_bag_rows(sampler, self.max_samples, seed)
            if rows.size == 0:
                continue
            columns = tree.classes_.astype(np.intp)
            proba[np.ix_(rows, columns)] += tree.predict_proba(X[rows])
            n_votes[rows] += 1
        if (n_votes == 0).any():
            warnings.warn(
                "Some inputs do not have OOB scores. This probably means too few "
                "trees were used to compute any reliable OOB estimates.",
                UserWarning,
                stacklevel=3,
            )
        proba /= np.maximum(n_votes, 1)[:, None]
        self.oob_decision_function_ = proba
        score = self.oob_score if callable(self.oob_score) else accuracy_score
        self.oob_score_ = score(y_encoded, np.argmax(proba, axis=1))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = False
        tags.classifier_tags.multi_label = False
        return tags
