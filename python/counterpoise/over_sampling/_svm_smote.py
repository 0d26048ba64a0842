"""SVM-SMOTE (Nguyen, Cooper & Kamei, 2011), a drop-in for imblearn 0.14.2's
``SVMSMOTE``.

The SVM is scikit-learn's (or the user's ``svm_estimator``); the neighbour searches
run in the Rust engine and the new rows are written by SMOTE's Rust generator
(extrapolation is a negative step). The random draws follow imblearn's order (one
generator for the split between interpolation and extrapolation, and one re-created
from an integer seed for each set of new rows), so the same integer seed and the
same SVM give imblearn's rows on tie-free data.
"""

from __future__ import annotations

import numbers

import numpy as np
from sklearn.base import clone
from sklearn.utils._param_validation import HasMethods, Interval

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


class SVMSMOTE(BaseSMOTE):
    """Over-sample with SMOTE from the support vectors of an SVM.

    An SVM is fitted on the whole data set; the support vectors of the class to
    over-sample are its border. Support vectors whose ``m_neighbors`` nearest
    neighbours all belong to other classes are dropped as noise. From the support
    vectors in danger (at least half of the neighbours of other classes) new
    samples are interpolated towards their ``k_neighbors`` nearest neighbours of
    the class; from the safe ones they are extrapolated away from them, by up to
    ``out_step``. How many of each is drawn from a Beta(10, 10) distribution, as
    imbalanced-learn does.

    Parameters
    ----------
    sampling_strategy : float, str, dict or callable, default='auto'
        Which classes to over-sample and to how many samples, as in
        :class:`SMOTE`.
    random_state : int, RandomState instance or None, default=None
        Seed of the random draws (and of the default SVC); the same integer
        gives imbalanced-learn's rows.
    k_neighbors : int or object, default=5
        Number of nearest same-class neighbours to interpolate towards (or away
        from), or a neighbours estimator with ``kneighbors``.
    m_neighbors : int or object, default=10
        Number of nearest neighbours (among all samples) that decide whether a
        support vector is noise, in danger or safe, or a neighbours estimator.
    svm_estimator : estimator object, default=None
        A support vector classifier exposing ``support_`` after ``fit``;
        ``None`` uses ``sklearn.svm.SVC(gamma='scale',
        random_state=random_state)``.
    out_step : float, default=0.5
        Largest step of an extrapolation away from a safe support vector.

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
    svm_estimator_ : estimator object
        The fitted support vector classifier.
    synthetic_parents_ : ndarray of shape (n_synthetic, 2)
        For synthetic row ``i``: the support vector it starts from and the input
        row it steps towards (or away from).
    synthetic_steps_ : ndarray of shape (n_synthetic,)
        The step ``t`` of each synthetic row, ``x + t * (neighbour - x)``:
        negative for an extrapolation.
    n_features_in_ : int
        Number of features seen in ``fit_resample``.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of the features seen; defined only when ``X`` has string column names.

    See Also
    --------
    SMOTE : SMOTE from every sample of the class.
    BorderlineSMOTE : SMOTE from the samples on the class border.
    ADASYN : More new samples where the class is hardest to learn.

    References
    ----------
    .. [1] H. M. Nguyen, E. W. Cooper and K. Kamei, "Borderline over-sampling for
       imbalanced data classification", International Journal of Knowledge
       Engineering and Soft Data Paradigms, 3(1), 4-21, 2011.

    Examples
    --------
    >>> from collections import Counter
    >>> from sklearn.datasets import make_classification
    >>> from counterpoise.over_sampling import SVMSMOTE
    >>> X, y = make_classification(n_samples=1000, weights=[0.9, 0.1],
    ...                            random_state=0)
    >>> X_res, y_res = SVMSMOTE(random_state=0).fit_resample(X, y)
    >>> sorted(Counter(y_res.tolist()).items())
    [(0, 897), (1, 897)]
    """

    _parameter_constraints: dict = {
        **BaseSMOTE._parameter_constraints,
        "m_neighbors": NEIGHBOURS_PARAM,
        "svm_estimator": [HasMethods(["fit", "predict"]), None],
        "out_step": [Interval(numbers.Real, 0, 1, closed="both")],
    }

    def __init__(
        self,
        *,
        sampling_strategy="auto",
        random_state=None,
        k_neighbors=5,
        m_neighbors=10,
        svm_estimator=None,
        out_step=0.5,
    ):
        super().__init__(
            sampling_strategy=sampling_strategy,
            random_state=random_state,
            k_neighbors=k_neighbors,
        )
        self.m_neighbors = m_neighbors
        self.svm_estimator = svm_estimator
        self.out_step = out_step

    def _batch(self, X, class_rows, base_rows, n_samples, step_size, klass):
        """imblearn's ``_make_samples`` from the support vectors ``base_rows``
        towards their nearest rows of the class (a generator seeded afresh,
        ``randint`` over the neighbour table then ``uniform`` steps)."""
        nns = nearest(
            self.k_neighbors,
            self.nn_k_,
            X[class_rows],
            X[base_rows],
            name="k_neighbors",
            klass=klass,
        )[:, 1:]
        r, c, steps = _smote_draws(self.random_state, nns, n_samples, step_size)
        return _Batch.from_table(base_rows, nns, r, c, steps, class_rows)

    def _fit_resample(self, X, y):
        from sklearn.svm import SVC  # imported when used: it is slow to import

        self._validate_estimator()
        self.nn_m_ = check_neighbors_object(
            "m_neighbors", self.m_neighbors, additional_neighbor=1
        )
        self.svm_estimator_ = (
            SVC(gamma="scale", random_state=self.random_state)
            if self.svm_estimator is None
            else clone(self.svm_estimator)
        )
        m = int(self.nn_m_.n_neighbors) - 1
        random_state = check_random_state(self.random_state)
        batches, labels = [], [y]
        for class_sample, n_samples in self.sampling_strategy_.items():
            if n_samples == 0:
                continue
            class_rows = np.flatnonzero(y == class_sample)
            self.svm_estimator_.fit(X, y)
            if not hasattr(self.svm_estimator_, "support_"):
                raise RuntimeError(
                    "`svm_estimator` is required to exposed a `support_` fitted "
                    "attribute. Such estimator belongs to the familly of Support "
                    "Vector Machine."
                )
            support = self.svm_estimator_.support_
            vector_rows = support[y[support] == class_sample]
            n_other = _n_other_class(
                self.m_neighbors,
                self.nn_m_,
                X,
                y,
                X[vector_rows],
                class_sample,
                name="m_neighbors",
            )
            # drop noise: every neighbour of another class
            vector_rows, n_other = vector_rows[n_other != m], n_other[n_other != m]
            if vector_rows.size == 0:
                raise ValueError(
                    "All support vectors are considered as noise. SVM-SMOTE is not "
                    "adapted to your dataset. Try another SMOTE variant."
                )
            danger = (n_other >= m / 2) & (n_other < m)
            n_interpolated = int(random_state.beta(10, 10) * (n_samples + 1))
            made = 0
            if danger.any():
                batches.append(
                    self._batch(
                        X,
                        class_rows,
                        vector_rows[danger],
                        n_interpolated,
                        1.0,
                        class_sample,
                    )
                )
                made += n_interpolated
            if (~danger).any():
                batches.append(
                    self._batch(
                        X,
                        class_rows,
                        vector_rows[~danger],
                        n_samples - n_interpolated,
                        -self.out_step,
                        class_sample,
                    )
                )
                made += n_samples - n_interpolated
            labels.append(np.full(made, class_sample, dtype=y.dtype))
        X_res, parents, steps = _generate(X, batches)
        _set_provenance(self, parents, steps)
        return X_res, np.hstack(labels)
