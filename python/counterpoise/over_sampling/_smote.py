"""SMOTE (Chawla et al., 2002), a drop-in for ``imblearn.over_sampling.SMOTE``.

For the same integer ``random_state`` and tie-free data the output is bit-identical
to imbalanced-learn 0.14.2: the random draws are made here with numpy in imblearn's
order (per class, a ``RandomState`` re-created from the seed, ``randint`` over
``n_class * k`` then ``uniform``), and the Rust core does the neighbour search and
the interpolation in numpy's floating-point order, on all cores. The output does not
depend on the number of threads.

Beyond imblearn, every synthetic row is auditable: ``synthetic_parents_[i]`` holds
the input rows that synthetic row ``i`` (output row ``n_samples + i``) lies between,
and ``synthetic_steps_[i]`` its position on that segment.
"""

from __future__ import annotations

import numpy as np
from scipy import sparse
from sklearn.utils import assert_all_finite

from .. import _core
from ..utils._neighbours import check_enough_rows, class_neighbours
from ..utils._validation import check_random_state
from ._smote_base import (
    BaseSMOTE,
    _Batch,
    _generate,
    _is_integer_like,
    _set_provenance,
    _to_integer,
)


class SMOTE(BaseSMOTE):
    """Over-sample with the Synthetic Minority Over-sampling Technique.

    Each new sample of a class lies on the segment between a sample of that class,
    drawn at random, and one of its ``k_neighbors`` nearest neighbours of the same
    class, at a uniformly drawn position. The neighbour search and the
    interpolation run in the Rust engine on all cores; for the same integer
    ``random_state`` and data without distance ties the output is the same, bit
    for bit, as imbalanced-learn's ``SMOTE``, whatever the number of threads.

    Parameters
    ----------
    sampling_strategy : float, str, dict or callable, default='auto'
        Which classes to over-sample and to how many samples: a float is the
        desired ratio of minority to majority samples (binary targets only); a
        str names the classes ('minority', 'not minority', 'not majority', 'all',
        'auto' = 'not majority'); a dict maps each class to its wanted number of
        samples; a callable ``f(y)`` returns such a dict.
    random_state : int, RandomState instance or None, default=None
        Seed of the random draws; the same integer gives imbalanced-learn's rows.
    k_neighbors : int or object, default=5
        Number of nearest same-class neighbours to interpolate towards, or a
        neighbours estimator with ``kneighbors`` (e.g.
        ``sklearn.neighbors.NearestNeighbors``) used instead of the built-in exact
        search.

    Attributes
    ----------
    sampling_strategy_ : dict
        Number of samples generated per class.
    nn_k_ : estimator object
        ``NearestNeighbors(n_neighbors=k_neighbors + 1)`` or a clone of the given
        estimator (with an int, the search itself runs in the Rust engine).
    synthetic_parents_ : ndarray of shape (n_synthetic, 2)
        For synthetic row ``i`` (output row ``n_samples + i``): the input row it
        starts from and the input row of the neighbour it steps towards.
    synthetic_steps_ : ndarray of shape (n_synthetic,)
        The step ``t`` of each synthetic row: ``x + t * (neighbour - x)``.
    n_features_in_ : int
        Number of features seen in ``fit_resample``.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of the features seen; defined only when ``X`` has string column names.

    See Also
    --------
    BorderlineSMOTE : SMOTE from the samples on the class border.
    SVMSMOTE : SMOTE from the support vectors of an SVM.
    ADASYN : More new samples where the class is hardest to learn.
    KMeansSMOTE : SMOTE inside clusters.
    SMOTENC : SMOTE for mixed continuous and categorical features.
    SMOTEN : SMOTE for categorical features only.
    RandomOverSampler : Over-sample by duplicating samples.

    References
    ----------
    .. [1] N. V. Chawla, K. W. Bowyer, L. O. Hall and W. P. Kegelmeyer, "SMOTE:
       synthetic minority over-sampling technique", Journal of Artificial
       Intelligence Research, 16, 321-357, 2002.

    Examples
    --------
    >>> from collections import Counter
    >>> from sklearn.datasets import make_classification
    >>> from counterpoise.over_sampling import SMOTE
    >>> X, y = make_classification(n_samples=1000, weights=[0.9, 0.1],
    ...                            random_state=0)
    >>> sorted(Counter(y.tolist()).items())
    [(0, 897), (1, 103)]
    >>> sampler = SMOTE(random_state=0)
    >>> X_res, y_res = sampler.fit_resample(X, y)
    >>> sorted(Counter(y_res.tolist()).items())
    [(0, 897), (1, 897)]
    >>> sampler.synthetic_parents_.shape
    (794, 2)
    """

    def __init__(self, *, sampling_strategy="auto", random_state=None, k_neighbors=5):
        super().__init__(
            sampling_strategy=sampling_strategy,
            random_state=random_state,
            k_neighbors=k_neighbors,
        )

    def _check_X_y(self, X, y, accept_sparse=None, *, type_y=None):
        # In fit_resample (which passes `type_y`) with the built-in search on
        # dense X, the engine checks finiteness while it copies X into the output,
        # so scikit-learn's separate pass over X is skipped; a NaN or infinity
        # still gets scikit-learn's error (see _generate_dense). A subclass that
        # replaces _fit_resample keeps scikit-learn's check.
        in_core = (
            type_y is not None
            and type(self)._fit_resample is SMOTE._fit_resample
            and self._uses_engine()
            and not sparse.issparse(X)
        )
        return super()._check_X_y(
            X,
            y,
            accept_sparse=accept_sparse,
            ensure_all_finite=not in_core,
            type_y=type_y,
        )

    def _fit_resample(self, X, y):
        self._validate_estimator()
        searched = self._uses_engine() and not sparse.issparse(X)
        batches, labels = [], []
        for class_sample, n_samples in self.sampling_strategy_.items():
            if n_samples == 0:
                continue
            indices = np.flatnonzero(y == class_sample).astype(np.int64)
            if searched:  # the Rust generator searches the neighbours itself
                check_enough_rows(
                    "k_neighbors", self.k_neighbors, indices.size, klass=class_sample
                )
                nns, k = None, self.k_neighbors
            else:
                X_class = X[indices]
                if self._uses_engine():  # sparse: searched densified, in float64
                    X_class = X_class.astype(np.float64)
                nns = class_neighbours(
                    self.k_neighbors, self.nn_k_, X_class, klass=class_sample
                )
                k = nns.shape[1]
            # imblearn re-creates the generator from the seed for every class.
            random_state = check_random_state(self.random_state)
            draws = random_state.randint(0, indices.size * k, size=n_samples)
            steps = random_state.uniform(size=n_samples)
            batches.append(_Batch(indices, draws, steps, nns))
            labels.append(np.full(n_samples, class_sample, dtype=y.dtype))
        if sparse.issparse(X):
            X_res, parents, steps = _generate(X, batches)
            _set_provenance(self, parents, steps)
        else:
            X_res = self._generate_dense(X, batches)
        return X_res, np.concatenate([y, *labels])

    def _generate_dense(self, X, batches):
        """The Rust generator on dense X (other numeric types as float64, cast
        back), with scikit-learn's error for a NaN or infinity in X."""
        work = X if X.dtype in (np.float32, np.float64) else X.astype(np.float64)
        k = self.k_neighbors if self._uses_engine() else 0
        try:
            X_res, parents, steps = _generate(work, batches, k)
        except _core.NonFiniteError as err:
            message = str(err)
        else:
            _set_provenance(self, parents, steps)
            if X_res.dtype == X.dtype:
                return X_res
            return _cast_back(X, X_res, parents, steps)
        # Found while copying X (see _check_X_y): scikit-learn's own error, raised
        # outside the except block so that it is not chained to the engine's.
        assert_all_finite(X, estimator_name=type(self).__name__, input_name="X")
        raise ValueError(message)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags


def _cast_back(X, X_res, parents, steps):
    """The generator's float64 output as X's dtype: X's own rows copied as they
    are (float64 cannot hold every int64), the new rows cast by the rule of
    :func:`_to_integer` (integers and booleans) or numpy's cast (float16)."""
    n = X.shape[0]
    out = np.empty(X_res.shape, dtype=X.dtype)
    out[:n] = X
    new = X_res[n:]
    if _is_integer_like(X.dtype):
        parents = np.asarray(parents, dtype=np.intp).reshape(-1, 2)
        steps = np.asarray(steps, dtype=np.float64).reshape(-1, 1)
        out[n:] = _to_integer(new, X.dtype, X[parents[:, 0]], X[parents[:, 1]], steps)
    else:
        out[n:] = new.astype(X.dtype)
    return out
