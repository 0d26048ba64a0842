"""SMOTEN (Chawla et al., 2002), a drop-in for ``imblearn.over_sampling.SMOTEN``:
SMOTE for data whose features are all categorical.

SMOTEN uses the Value Difference Metric on ordinal codes and gives each feature of a
new row its most frequent value among the ``k_neighbors + 1`` nearest rows (the row
itself included) of a drawn row. imblearn builds the full ``n_class x n_class``
distance matrix; the Rust engine computes the same distances (the same float
additions, from per-feature tables) row by row and keeps only the nearest, so no
square matrix is ever stored.

For the same integer ``random_state`` and tie-free data the output equals imblearn's.
Ties between equal distances are broken by (distance, index); imblearn's order
among exact ties is that of numpy's ``argpartition`` and is not reproduced.
"""

from __future__ import annotations

import warnings

import numpy as np
from scipy import sparse
from scipy.spatial import distance_matrix
from sklearn.base import clone
from sklearn.exceptions import DataConversionWarning
from sklearn.preprocessing import OrdinalEncoder
from sklearn.utils.validation import validate_data

from .. import _core
from ..metrics.pairwise import ValueDifferenceMetric
from ..utils._containers import vstack_rows
from ..utils._neighbours import check_enough_rows, nearest
from ..utils._validation import check_not_lazy, check_random_state, check_target_type
from ._categorical import ENCODER_PARAM, _decode, _ordinal_codes
from ._smote import SMOTE


class SMOTEN(SMOTE):
    """Over-sample data whose features are all categorical (SMOTE-N).

    Distances between samples of a class are the Value Difference Metric over the
    ordinal codes of the features (two values are close when they are as frequent
    in every class). Each new sample is built from a sample drawn at random: each
    of its features takes the most frequent value among that sample and its
    ``k_neighbors`` nearest neighbours. The Rust engine computes the metric row
    by row and keeps only the nearest rows, so no ``n_class x n_class`` matrix is
    stored; for the same integer ``random_state`` and data without distance ties
    the output equals imbalanced-learn's.

    Parameters
    ----------
    categorical_encoder : estimator object, default=None
        Ordinal encoder of the features, with ``fit_transform`` and
        ``inverse_transform``; ``None`` uses ``OrdinalEncoder(dtype=np.int32)``.
    sampling_strategy : float, str, dict or callable, default='auto'
        Which classes to over-sample and to how many samples, as in
        :class:`SMOTE`.
    random_state : int, RandomState instance or None, default=None
        Seed of the random draws; the same integer gives imbalanced-learn's rows.
    k_neighbors : int or object, default=5
        Number of nearest same-class neighbours, or a neighbours estimator with
        ``kneighbors`` (used with ``metric='precomputed'`` on the metric's
        distance matrix).

    Attributes
    ----------
    sampling_strategy_ : dict
        Number of samples generated per class.
    categorical_encoder_ : estimator object
        The fitted ordinal encoder.
    nn_k_ : estimator object
        ``NearestNeighbors(n_neighbors=k_neighbors + 1, metric='precomputed')``
        or a clone of the given estimator (with an int, the search runs in the
        Rust engine on the metric directly).
    n_features_in_ : int
        Number of features seen in ``fit_resample``.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of the features seen; defined only when ``X`` has string column names.

    See Also
    --------
    SMOTENC : For mixed continuous and categorical features.
    SMOTE : For continuous features only.

    References
    ----------
    .. [1] N. V. Chawla, K. W. Bowyer, L. O. Hall and W. P. Kegelmeyer, "SMOTE:
       synthetic minority over-sampling technique", Journal of Artificial
       Intelligence Research, 16, 321-357, 2002 (section 6.2, SMOTE-N).

    Examples
    --------
    >>> from collections import Counter
    >>> import numpy as np
    >>> from counterpoise.over_sampling import SMOTEN
    >>> rng = np.random.default_rng(0)
    >>> X = np.array(["red", "green", "blue"])[rng.integers(0, 3, size=(100, 2))]
    >>> y = np.array([0] * 80 + [1] * 20)
    >>> X_res, y_res = SMOTEN(random_state=0).fit_resample(X, y)
    >>> sorted(Counter(y_res.tolist()).items())
    [(0, 80), (1, 80)]
    >>> sorted(set(X_res.ravel().tolist()))
    ['blue', 'green', 'red']
    """

    _parameter_constraints: dict = {
        **SMOTE._parameter_constraints,
        "categorical_encoder": ENCODER_PARAM,
    }

    def __init__(
        self,
        categorical_encoder=None,
        *,
        sampling_strategy="auto",
        random_state=None,
        k_neighbors=5,
    ):
        super().__init__(
            sampling_strategy=sampling_strategy,
            random_state=random_state,
            k_neighbors=k_neighbors,
        )
        self.categorical_encoder = categorical_encoder

    def _check_X_y(self, X, y, accept_sparse=None, *, type_y=None):
        check_not_lazy(X, "X")
        y, binarize_y = check_target_type(y, indicate_one_vs_all=True, type_y=type_y)
        X, y = validate_data(
            self, X=X, y=y, reset=True, dtype=None, accept_sparse=["csr", "csc"]
        )
        return X, y, binarize_y

    def _validate_estimator(self):
        super()._validate_estimator()
        self.nn_k_.set_params(metric="precomputed")

    def _fit_resample(self, X, y):
        sparse_format = None
        if sparse.issparse(X):
            sparse_format = X.format
            X = X.toarray()
            warnings.warn(
                "Passing a sparse matrix to SMOTEN is not really efficient since it "
                "is converted to a dense array internally.",
                DataConversionWarning,
                stacklevel=3,
            )
        self._validate_estimator()
        fast = None
        if self.categorical_encoder is None:
            fast = _ordinal_codes(X)
        if fast is not None:
            X_encoded, self.categorical_encoder_ = fast
        elif self.categorical_encoder is None:
            self.categorical_encoder_ = OrdinalEncoder(dtype=np.int32)
        else:
            self.categorical_encoder_ = clone(self.categorical_encoder)
        try:
            if fast is None:
                X_encoded = self.categorical_encoder_.fit_transform(X)
        except (ValueError, TypeError) as exc:
            raise type(exc)(
                f"SMOTEN could not encode X as categories: {exc}. SMOTEN expects "
                "categorical features only (strings, integers or categories, no "
                "missing values); use SMOTENC for mixed data."
            ) from exc
        X_encoded = np.ascontiguousarray(X_encoded, dtype=np.int32)
        sizes = [len(c) for c in self.categorical_encoder_.categories_]
        vdm = ValueDifferenceMetric(n_categories=sizes).fit(X_encoded, y)
        tables = None
        if self._uses_engine():
            tables = [
                np.ascontiguousarray(distance_matrix(p, p, p=vdm.k) ** vdm.r)
                for p in vdm.proba_per_class_
            ]

        parts, labels = [X], [y]
        for klass, n_samples in self.sampling_strategy_.items():
            if n_samples == 0:
                continue
            idx = np.flatnonzero(y == klass)
            codes = np.ascontiguousarray(X_encoded[idx])
            if tables is not None:
                check_enough_rows(
                    "k_neighbors", self.k_neighbors, idx.size, klass=klass
                )
                nns = _core.vdm_kneighbors(codes, tables, self.k_neighbors + 1)
            else:
                dist = vdm.pairwise(codes)  # the estimator's precomputed metric
                nns = nearest(self.k_neighbors, self.nn_k_, dist, name="k_neighbors")
            random_state = check_random_state(self.random_state)
            drawn = random_state.choice(np.arange(idx.size), size=n_samples)
            new_codes = _core.vdm_mode(
                codes,
                np.ascontiguousarray(nns, dtype=np.int64),
                np.ascontiguousarray(drawn, dtype=np.int64),
                sizes,
            )
            if self.categorical_encoder is None:
                parts.append(_decode(self.categorical_encoder_.categories_, new_codes))
            else:
                parts.append(self.categorical_encoder_.inverse_transform(new_codes))
            labels.append(np.full(n_samples, klass, dtype=y.dtype))
        X_res, y_res = vstack_rows(parts), np.hstack(labels)
        if sparse_format == "csr":
            return sparse.csr_matrix(X_res), y_res
        if sparse_format == "csc":
            return sparse.csc_matrix(X_res), y_res
        return X_res, y_res

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        tags.input_tags.string = True
        return tags
