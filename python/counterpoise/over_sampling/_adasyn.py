"""ADASYN (He, Bai, Garcia & Li, 2008), a drop-in for imblearn 0.14.2's ``ADASYN``.

The neighbour searches run in the Rust engine on every core and the new rows are
written by SMOTE's Rust generator. The random draws follow imblearn's order (one
generator for the whole call: per class, ``choice`` of the neighbours then
``uniform`` steps) and the arithmetic is numpy's, so the same integer seed gives
imblearn's rows on tie-free data.
"""

from __future__ import annotations

import numpy as np

from ..utils._neighbours import NEIGHBOURS_PARAM, class_neighbours
from ..utils._validation import (
    SamplingError,
    check_neighbors_object,
    check_random_state,
)
from ._smote_base import _Batch, _generate, _n_other_class, _set_provenance
from .base import BaseOverSampler


class ADASYN(BaseOverSampler):
    """Over-sample with Adaptive Synthetic sampling.

    Like SMOTE, new samples lie between a sample of the class and one of its
    nearest neighbours of the same class, but each sample gets a share of the new
    samples proportional to the fraction of its ``n_neighbors`` nearest
    neighbours (among all samples) that belong to other classes: more new samples
    where the class is harder to learn. The neighbour searches and the
    interpolation run in the Rust engine; the same integer ``random_state`` gives
    imbalanced-learn's rows on data without distance ties.

    Parameters
    ----------
    sampling_strategy : float, str, dict or callable, default='auto'
        Which classes to over-sample and to how many samples, as in
        :class:`SMOTE`. The number actually made can differ slightly, as each
        sample's share is rounded.
    random_state : int, RandomState instance or None, default=None
        Seed of the random draws; the same integer gives imbalanced-learn's rows.
    n_neighbors : int or object, default=5
        Number of nearest neighbours used both to weigh each sample and to
        interpolate towards, or a neighbours estimator with ``kneighbors``.

    Attributes
    ----------
    sampling_strategy_ : dict
        Number of samples asked for per class.
    nn_ : estimator object
        ``NearestNeighbors(n_neighbors=n_neighbors + 1)`` or a clone of the given
        estimator (with an int, the search runs in the Rust engine).
    synthetic_parents_ : ndarray of shape (n_synthetic, 2)
        For synthetic row ``i``: the input row it starts from and the input row
        of the neighbour it steps towards.
    synthetic_steps_ : ndarray of shape (n_synthetic,)
        The step ``t`` of each synthetic row: ``x + t * (neighbour - x)``.
    n_features_in_ : int
        Number of features seen in ``fit_resample``.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of the features seen; defined only when ``X`` has string column names.

    See Also
    --------
    SMOTE : The same number of new samples from every sample of the class.
    BorderlineSMOTE : SMOTE from the samples on the class border.
    SVMSMOTE : SMOTE from the support vectors of an SVM.

    References
    ----------
    .. [1] H. He, Y. Bai, E. A. Garcia and S. Li, "ADASYN: adaptive synthetic
       sampling approach for imbalanced learning", IEEE International Joint
       Conference on Neural Networks (IJCNN 2008), 1322-1328, 2008.

    Examples
    --------
    >>> from collections import Counter
    >>> from sklearn.datasets import make_classification
    >>> from counterpoise.over_sampling import ADASYN
    >>> X, y = make_classification(n_samples=1000, weights=[0.9, 0.1],
    ...                            random_state=0)
    >>> X_res, y_res = ADASYN(random_state=0).fit_resample(X, y)
    >>> sorted(Counter(y_res.tolist()).items())
    [(0, 897), (1, 903)]
    """

    _parameter_constraints: dict = {
        **BaseOverSampler._parameter_constraints,
        "n_neighbors": NEIGHBOURS_PARAM,
    }

    def __init__(self, *, sampling_strategy="auto", random_state=None, n_neighbors=5):
        super().__init__(sampling_strategy=sampling_strategy)
        self.random_state = random_state
        self.n_neighbors = n_neighbors

    def _fit_resample(self, X, y):
        self.nn_ = check_neighbors_object(
            "n_neighbors", self.n_neighbors, additional_neighbor=1
        )
        random_state = check_random_state(self.random_state)
        k = int(self.nn_.n_neighbors) - 1
        batches, labels = [], [y]
        for class_sample, n_samples in self.sampling_strategy_.items():
            if n_samples == 0:
                continue
            rows = np.flatnonzero(y == class_sample)
            X_class = X[rows]
            n_other = _n_other_class(
                self.n_neighbors,
                self.nn_,
                X,
                y,
                X_class,
                class_sample,
                name="n_neighbors",
            )
            ratio = n_other / k
            if not np.sum(ratio):
                raise SamplingError(
                    "Not any neighbours belong to the majority class. This case will "
                    "induce a NaN case with a division by zero. ADASYN is not suited "
                    "for this specific dataset. Use SMOTE instead."
                )
            ratio /= np.sum(ratio)
            per_row = np.rint(ratio * n_samples).astype(int)
            n_new = int(np.sum(per_row))
            if not n_new:
                raise ValueError(
                    "No samples will be generated with the provided ratio settings."
                )
            nns = class_neighbours(
                self.n_neighbors,
                self.nn_,
                X_class,
                name="n_neighbors",
                klass=class_sample,
            )
            r = np.repeat(np.arange(rows.size), per_row)
            c = random_state.choice(k, size=n_new)
            steps = random_state.uniform(size=(n_new, 1))
            batches.append(_Batch.from_table(rows, nns, r, c, steps))
            labels.append(np.full(n_new, class_sample, dtype=y.dtype))
        X_res, parents, steps = _generate(X, batches)
        _set_provenance(self, parents, steps)
        return X_res, np.hstack(labels)
