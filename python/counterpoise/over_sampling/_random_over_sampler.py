"""Random over-sampling with optional smoothed bootstrap, a drop-in for
``imblearn.over_sampling.RandomOverSampler``.

Draws come from numpy in imblearn 0.14.2's order (one ``RandomState`` for the whole
call: per class in sorted order, ``choice`` of the bootstrap rows, then ``randn`` for
the smoothing noise when ``shrinkage`` is set), so the same integer seed gives the
same rows. The output ``X[sample_indices_]`` is written in one parallel pass by the
Rust core instead of imblearn's copy + index + ``vstack``; dataframes are indexed
directly, keeping dtypes and categories.
"""

from __future__ import annotations

from numbers import Real

import numpy as np
from scipy import sparse
from sklearn.utils import check_array
from sklearn.utils._param_validation import Interval
from sklearn.utils.sparsefuncs import mean_variance_axis

from ..utils._containers import take_rows
from ..utils._sampling import check_X_y_any
from ..utils._validation import check_random_state
from .base import BaseOverSampler


class RandomOverSampler(BaseOverSampler):
    """Over-sample by drawing samples of a class at random, with replacement.

    Each class to over-sample gets copies of its own samples, drawn uniformly with
    replacement. With ``shrinkage`` set, Gaussian noise is added to every drawn
    copy (a smoothed bootstrap, as in ROSE), so the new samples are no longer
    exact duplicates. The draws are numpy's, in imbalanced-learn's order, so the
    same integer ``random_state`` gives the same rows; the output is written in
    one parallel pass by the Rust engine, and DataFrames are indexed directly,
    keeping their dtypes and categories. Any dtype (strings, objects, missing
    values) is accepted unless ``shrinkage`` is set.

    Parameters
    ----------
    sampling_strategy : float, str, dict or callable, default='auto'
        Which classes to over-sample and to how many samples, as in
        :class:`SMOTE`.
    random_state : int, RandomState instance or None, default=None
        Seed of the random draws; the same integer gives imbalanced-learn's rows.
    shrinkage : float or dict, default=None
        ``None``: plain copies. A float (or a dict of one float per class to
        over-sample) makes a smoothed bootstrap: to each drawn copy is added
        Gaussian noise whose standard deviation for each feature is the
        feature's standard deviation within the class times ``shrinkage * (4 /
        ((n_features + 2) * n_samples)) ** (1 / (n_features + 4))``.

    Attributes
    ----------
    sampling_strategy_ : dict
        Number of samples generated per class.
    sample_indices_ : ndarray of shape (n_new_samples,)
        The input row of each output row (before the smoothing noise).
    shrinkage_ : dict or None
        The shrinkage factor of each over-sampled class, or ``None``.
    n_features_in_ : int
        Number of features seen in ``fit_resample``.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of the features seen; defined only when ``X`` has string column names.

    See Also
    --------
    SMOTE : New samples between samples of the class, not copies.
    counterpoise.under_sampling.RandomUnderSampler : Drop samples at random.

    References
    ----------
    .. [1] G. Menardi and N. Torelli, "Training and assessing classification
       rules with imbalanced data", Data Mining and Knowledge Discovery, 28(1),
       92-122, 2014 (the smoothed bootstrap).

    Examples
    --------
    >>> from collections import Counter
    >>> from sklearn.datasets import make_classification
    >>> from counterpoise.over_sampling import RandomOverSampler
    >>> X, y = make_classification(n_samples=1000, weights=[0.9, 0.1],
    ...                            random_state=0)
    >>> sampler = RandomOverSampler(random_state=0)
    >>> X_res, y_res = sampler.fit_resample(X, y)
    >>> sorted(Counter(y_res.tolist()).items())
    [(0, 897), (1, 897)]
    >>> bool((X_res == X[sampler.sample_indices_]).all())
    True
    """

    _parameter_constraints: dict = {
        **BaseOverSampler._parameter_constraints,
        "shrinkage": [Interval(Real, 0, None, closed="left"), dict, None],
    }

    def __init__(self, *, sampling_strategy="auto", random_state=None, shrinkage=None):
        super().__init__(sampling_strategy=sampling_strategy)
        self.random_state = random_state
        self.shrinkage = shrinkage

    def _check_X_y(self, X, y, *, type_y=None):
        return check_X_y_any(self, X, y, type_y=type_y)

    def _resolve_shrinkage(self):
        if isinstance(self.shrinkage, Real):
            shrinkage = {c: self.shrinkage for c in self.sampling_strategy_}
        else:
            shrinkage = self.shrinkage
        if shrinkage is not None:
            missing = self.sampling_strategy_.keys() - shrinkage.keys()
            if missing:
                raise ValueError(
                    "`shrinkage` should contain a shrinkage factor for each class "
                    f"that will be resampled. The missing classes are: {missing!r}"
                )
            for c, factor in shrinkage.items():
                if factor < 0:
                    raise ValueError(
                        f"The shrinkage factor needs to be >= 0. Got {factor} for "
                        f"class {c}."
                    )
        return shrinkage

    def _fit_resample(self, X, y):
        random_state = check_random_state(self.random_state)
        self.shrinkage_ = self._resolve_shrinkage()
        if self.shrinkage_ is not None:
            try:
                X = check_array(X, accept_sparse=["csr", "csc"], dtype="numeric")
            except ValueError as exc:
                raise ValueError(
                    "When shrinkage is not None, X needs to contain only numerical "
                    "data to later generate a smoothed bootstrap sample; encode "
                    "non-numeric columns first."
                ) from exc

        n_samples = X.shape[0]
        chunks = [np.arange(n_samples)]
        noise = []
        for class_sample, num_samples in self.sampling_strategy_.items():
            class_indices = np.flatnonzero(y == class_sample)
            bootstrap = random_state.choice(
                class_indices, size=num_samples, replace=True
            )
            chunks.append(bootstrap)
            if self.shrinkage_ is not None:
                noise.append(
                    self._smoothing(
                        X, class_indices, class_sample, random_state, num_samples
                    )
                )
        self.sample_indices_ = np.concatenate(chunks).astype(np.int64, copy=False)
        y_res = y[self.sample_indices_]
        if self.shrinkage_ is None:
            return take_rows(X, self.sample_indices_), y_res
        return self._smoothed(X, chunks[1:], noise), y_res

    def _smoothing(self, X, class_indices, class_sample, random_state, num_samples):
        """Scaled Gaussian noise for one class (drawn in imblearn's order)."""
        n_samples, n_features = X.shape
        constant = (4 / ((n_features + 2) * n_samples)) ** (1 / (n_features + 4))
        if sparse.issparse(X):
            _, variance = mean_variance_axis(X[class_indices, :], axis=0)
            scale = np.sqrt(variance)
        else:
            scale = np.std(X[class_indices, :], axis=0)
        factor = self.shrinkage_[class_sample] * constant * scale
        # A product with the diagonal matrix of `factor` equals this elementwise
        # product bit for bit (every other term of each dot product is an exact 0).
        return random_state.randn(num_samples, n_features) * factor

    @staticmethod
    def _smoothed(X, bootstraps, noise):
        parts = [X] + [n + take_rows(X, b) for b, n in zip(bootstraps, noise)]
        if sparse.issparse(X):
            parts = [X] + [sparse.csr_matrix(p, dtype=X.dtype) for p in parts[1:]]
            return sparse.vstack(parts, format=X.format)
        out = np.empty(
            (sum(p.shape[0] for p in parts), X.shape[1]),
            dtype=np.result_type(X.dtype, np.float64),
        )
        np.concatenate(parts, axis=0, out=out)
        return out

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        tags.input_tags.string = True
        return tags
