"""Borderline-SMOTE (Han, Wang & Mao, 2005), a drop-in for imblearn 0.14.2's
``BorderlineSMOTE``.

The time goes into neighbour searches of the minority rows among all rows, done
here by the Rust engine on every core, and the new rows are written by SMOTE's Rust
generator. The random draws follow imblearn's order (the generator re-created from
an integer seed for each class, and again for borderline-2's half steps) and the
arithmetic is numpy's, so the same integer seed gives imblearn's rows on tie-free
data.
"""

from __future__ import annotations

import numpy as np
from sklearn.utils._param_validation import StrOptions

from ..utils._neighbours import NEIGHBOURS_PARAM, nearest
from ..utils._validation import check_neighbors_object, check_random_state
from ._smote_base import (
    BaseSMOTE,
    _Batch,
    _generate,
    _n_other_class,
    _set_provenance,
    _smote_draws,
)


class BorderlineSMOTE(BaseSMOTE):
    """Over-sample with SMOTE from the samples on the class border only.

    A sample of a class to over-sample is "in danger" when at least half, but not
    all, of its ``m_neighbors`` nearest neighbours (among all samples) belong to
    other classes. New samples are made by SMOTE from the samples in danger only:
    towards their ``k_neighbors`` nearest neighbours of the same class
    (``kind='borderline-1'``), or towards their nearest neighbours of any class
    (``kind='borderline-2'``), with steps towards another class drawn in
    ``[0, 0.5)`` so that the new sample stays nearer its own class. The neighbour
    searches and the interpolation run in the Rust engine; the same integer
    ``random_state`` gives imbalanced-learn's rows on data without distance ties.

    Parameters
    ----------
    sampling_strategy : float, str, dict or callable, default='auto'
        Which classes to over-sample and to how many samples, as in
        :class:`SMOTE`.
    random_state : int, RandomState instance or None, default=None
        Seed of the random draws; the same integer gives imbalanced-learn's rows.
    k_neighbors : int or object, default=5
        Number of nearest neighbours to interpolate towards, or a neighbours
        estimator with ``kneighbors`` used instead of the built-in search.
    m_neighbors : int or object, default=10
        Number of nearest neighbours (among all samples) that decide whether a
        sample is in danger, or a neighbours estimator.
    kind : {'borderline-1', 'borderline-2'}, default='borderline-1'
        Interpolate towards neighbours of the same class only ('borderline-1') or
        of any class ('borderline-2').

    Attributes
    ----------
    sampling_strategy_ : dict
        Number of samples generated per class.
    nn_k_ : estimator object
        ``NearestNeighbors(n_neighbors=k_neighbors + 1)`` or a clone of the given
        estimator (with an int, the search runs in the Rust engine).
    nn_m_ : estimator object
        ``NearestNeighbors(n_neighbors=m_neighbors + 1)`` or a clone of the given
        estimator (with an int, the search runs in the Rust engine).
    in_danger_indices : dict
        For each over-sampled class with samples in danger, the indices of those
        samples in ``X``.
    synthetic_parents_ : ndarray of shape (n_synthetic, 2)
        For synthetic row ``i``: the input row in danger it starts from and the
        input row it steps towards.
    synthetic_steps_ : ndarray of shape (n_synthetic,)
        The step ``t`` of each synthetic row, ``x + t * (neighbour - x)``
        (borderline-2's shortened steps included).
    n_features_in_ : int
        Number of features seen in ``fit_resample``.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of the features seen; defined only when ``X`` has string column names.

    See Also
    --------
    SMOTE : SMOTE from every sample of the class.
    SVMSMOTE : SMOTE from the support vectors of an SVM.
    ADASYN : More new samples where the class is hardest to learn.

    References
    ----------
    .. [1] H. Han, W.-Y. Wang and B.-H. Mao, "Borderline-SMOTE: a new
       over-sampling method in imbalanced data sets learning", Advances in
       Intelligent Computing (ICIC 2005), LNCS 3644, 878-887, 2005.

    Examples
    --------
    >>> from collections import Counter
    >>> from sklearn.datasets import make_classification
    >>> from counterpoise.over_sampling import BorderlineSMOTE
    >>> X, y = make_classification(n_samples=1000, weights=[0.9, 0.1],
    ...                            random_state=0)
    >>> X_res, y_res = BorderlineSMOTE(random_state=0).fit_resample(X, y)
    >>> sorted(Counter(y_res.tolist()).items())
    [(0, 897), (1, 897)]
    """

    _parameter_constraints: dict = {
        **BaseSMOTE._parameter_constraints,
        "m_neighbors": NEIGHBOURS_PARAM,
        "kind": [StrOptions({"borderline-1", "borderline-2"})],
    }

    def __init__(
        self,
        *,
        sampling_strategy="auto",
        random_state=None,
        k_neighbors=5,
        m_neighbors=10,
        kind="borderline-1",
    ):
        super().__init__(
            sampling_strategy=sampling_strategy,
            random_state=random_state,
            k_neighbors=k_neighbors,
        )
        self.m_neighbors = m_neighbors
        self.kind = kind

    def _fit_resample(self, X, y):
        self._validate_estimator()
        self.nn_m_ = check_neighbors_object(
            "m_neighbors", self.m_neighbors, additional_neighbor=1
        )
        m = int(self.nn_m_.n_neighbors) - 1
        batches, labels = [], [y]
        self.in_danger_indices = {}
        for class_sample, n_samples in self.sampling_strategy_.items():
            if n_samples == 0:
                continue
            rows = np.flatnonzero(y == class_sample)
            n_other = _n_other_class(
                self.m_neighbors,
                self.nn_m_,
                X,
                y,
                X[rows],
                class_sample,
                name="m_neighbors",
            )
            danger = (n_other >= m / 2) & (n_other < m)
            if not danger.any():
                continue
            danger_rows = rows[danger]
            self.in_danger_indices[class_sample] = danger_rows
            batches.append(
                self._batch(X, y, class_sample, rows, danger_rows, n_samples)
            )
            labels.append(np.full(n_samples, class_sample, dtype=y.dtype))
        X_res, parents, steps = _generate(X, batches)
        _set_provenance(self, parents, steps)
        return X_res, np.hstack(labels)

    def _batch(self, X, y, class_sample, rows, danger_rows, n_samples):
        """The new rows of one class, from its rows in danger."""
        X_danger = X[danger_rows]
        if self.kind == "borderline-1":
            nns = nearest(
                self.k_neighbors,
                self.nn_k_,
                X[rows],
                X_danger,
                name="k_neighbors",
                klass=class_sample,
            )[:, 1:]
            targets = rows
        else:
            nns = nearest(self.k_neighbors, self.nn_k_, X, X_danger, name="k_neighbors")
            nns, targets = nns[:, 1:], np.arange(X.shape[0])
        r, c, steps = _smote_draws(self.random_state, nns, n_samples)
        scale = None
        if self.kind == "borderline-2":
            # Steps towards another class are shortened by a factor in [0, 0.5),
            # drawn from a generator seeded afresh, as imblearn does.
            other = y[nns[r, c]] != class_sample
            half = check_random_state(self.random_state)
            scale = (other, half.uniform(low=0.0, high=0.5, size=(other.sum(), 1)))
        return _Batch.from_table(danger_rows, nns, r, c, steps, targets, scale)
