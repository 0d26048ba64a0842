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

import numbers

import numpy as np
from scipy import sparse
from sklearn.utils import assert_all_finite, check_random_state
from sklearn.utils._param_validation import HasMethods, Interval

from .. import _core
from ..utils._validation import _plain, check_neighbors_object
from .base import BaseOverSampler


class BaseSMOTE(BaseOverSampler):
    """Shared parameters of the SMOTE family (``k_neighbors``, ``random_state``)."""

    _parameter_constraints: dict = {
        **BaseOverSampler._parameter_constraints,
        "k_neighbors": [
            Interval(numbers.Integral, 1, None, closed="left"),
            HasMethods(["kneighbors", "kneighbors_graph"]),
        ],
    }

    def __init__(self, sampling_strategy="auto", random_state=None, k_neighbors=5):
        super().__init__(sampling_strategy=sampling_strategy)
        self.random_state = random_state
        self.k_neighbors = k_neighbors

    def _validate_estimator(self):
        self.nn_k_ = check_neighbors_object(
            "k_neighbors", self.k_neighbors, additional_neighbor=1
        )

    def _uses_engine(self) -> bool:
        return isinstance(self.k_neighbors, numbers.Integral)


class SMOTE(BaseSMOTE):
    """Synthetic Minority Over-sampling Technique.

    Parameters
    ----------
    sampling_strategy : float, str, dict or callable, default='auto'
        As in imbalanced-learn: which classes to over-sample and to how many.
    random_state : int, RandomState instance or None, default=None
        Seed of the draws; the same integer gives imblearn's rows.
    k_neighbors : int or object, default=5
        Number of nearest same-class neighbours to interpolate towards, or a
        fitted-style neighbours estimator (with ``kneighbors``) used instead of
        the built-in exact search.

    Attributes
    ----------
    sampling_strategy_ : dict
        Number of samples generated per class.
    nn_k_ : estimator object
        ``NearestNeighbors(n_neighbors=k_neighbors + 1)`` or a clone of the given
        estimator (with an int, the search itself runs in the Rust engine).
    synthetic_parents_ : ndarray of shape (n_synthetic, 2)
        For synthetic row ``i``: the input row it starts from and the input row
        of the neighbour it steps towards.
    synthetic_steps_ : ndarray of shape (n_synthetic,)
        The step ``t`` of each synthetic row: ``x + t * (neighbour - x)``.
    n_features_in_ : int
    feature_names_in_ : ndarray of shape (n_features_in_,)
    """

    def __init__(self, *, sampling_strategy="auto", random_state=None, k_neighbors=5):
        super().__init__(
            sampling_strategy=sampling_strategy,
            random_state=random_state,
            k_neighbors=k_neighbors,
        )

    def _check_X_y(self, X, y, accept_sparse=None):
        # In fit_resample (where SamplerMixin sets `_type_y`) with the built-in
        # search on dense X, the engine checks finiteness while it copies X into
        # the output, so scikit-learn's separate pass over X is skipped; a NaN or
        # infinity still gets scikit-learn's error (see _generate_dense). A
        # subclass that replaces _fit_resample keeps scikit-learn's check.
        in_core = (
            getattr(self, "_type_y", None) is not None
            and type(self)._fit_resample is SMOTE._fit_resample
            and self._uses_engine()
            and not sparse.issparse(X)
        )
        return super()._check_X_y(
            X, y, accept_sparse=accept_sparse, ensure_all_finite=not in_core
        )

    def _fit_resample(self, X, y):
        self._validate_estimator()
        labels, class_indices, draws, steps, neighbours = [], [], [], [], []
        for class_sample, n_samples in self.sampling_strategy_.items():
            if n_samples == 0:
                continue
            indices = np.flatnonzero(y == class_sample)
            if self._uses_engine() and not sparse.issparse(X):
                k = self.k_neighbors
                if k >= indices.size:
                    raise ValueError(
                        f"k_neighbors={k} needs at least {k + 1} samples in every "
                        f"class to over-sample, but class {_plain(class_sample)!r} has "
                        f"{indices.size}. Lower k_neighbors to at most "
                        f"{max(indices.size - 1, 1)} or gather more samples of it."
                    )
            else:
                nn = self._neighbours_of(X[indices])
                k = nn.shape[1]
                neighbours.append(np.ascontiguousarray(nn, dtype=np.int64))
            # imblearn re-creates the generator from the seed for every class.
            random_state = check_random_state(self.random_state)
            draws.append(random_state.randint(0, indices.size * k, size=n_samples))
            steps.append(random_state.uniform(size=n_samples))
            class_indices.append(indices.astype(np.int64))
            labels.append(class_sample)

        self.synthetic_steps_ = (
            np.concatenate(steps) if steps else np.empty(0, dtype=np.float64)
        )
        y_new = [y] + [np.full(d.size, c, dtype=y.dtype) for c, d in zip(labels, draws)]
        if sparse.issparse(X):
            X_res = self._generate_sparse(X, class_indices, draws, steps, neighbours)
        else:
            X_res = self._generate_dense(X, class_indices, draws, steps, neighbours)
        return X_res, np.concatenate(y_new)

    def _neighbours_of(self, X_class):
        """Neighbour table (self column dropped) from the user's estimator, or from
        the engine on a densified class block for sparse input."""
        if self._uses_engine():
            dense = np.ascontiguousarray(X_class.toarray(), dtype=np.float64)
            if self.k_neighbors >= dense.shape[0]:
                raise ValueError(
                    f"k_neighbors={self.k_neighbors} needs at least "
                    f"{self.k_neighbors + 1} samples in every class to over-sample, "
                    f"got {dense.shape[0]}. Lower k_neighbors."
                )
            _, nn = _core.kneighbors(dense, dense, self.k_neighbors + 1)
            return nn[:, 1:]
        self.nn_k_.fit(X_class)
        return self.nn_k_.kneighbors(X_class, return_distance=False)[:, 1:]

    def _generate_dense(self, X, class_indices, draws, steps, neighbours):
        work = X if X.dtype in (np.float32, np.float64) else X.astype(np.float64)
        work = np.ascontiguousarray(work)
        try:
            X_res, parents = _core.smote_resample(
                work,
                class_indices,
                [np.ascontiguousarray(d, dtype=np.int64) for d in draws],
                steps,
                self.k_neighbors if self._uses_engine() else 0,
                neighbours or None,
            )
        except _core.NonFiniteError as err:
            message = str(err)
        else:
            self.synthetic_parents_ = parents
            return X_res if X_res.dtype == X.dtype else X_res.astype(X.dtype)
        # Found while copying X (see _check_X_y): scikit-learn's own error, raised
        # outside the except block so that it is not chained to the engine's.
        assert_all_finite(X, estimator_name=type(self).__name__, input_name="X")
        raise ValueError(message)

    def _generate_sparse(self, X, class_indices, draws, steps, neighbours):
        parts, parents = [X], []
        for indices, d, st, nn in zip(class_indices, draws, steps, neighbours):
            k = nn.shape[1]
            rows, cols = d // k, d % k
            start, end = indices[rows], indices[nn[rows, cols]]
            X_start, X_end = X[start], X[end]
            # x + t * (neighbour - x): the difference in X's precision, then float64.
            step = sparse.diags(st).tocsr()
            X_new = X_start + step @ (X_end - X_start)
            parts.append(X_new.astype(X.dtype))
            parents.append(np.column_stack([start, end]))
        self.synthetic_parents_ = (
            np.concatenate(parents).astype(np.int64)
            if parents
            else np.empty((0, 2), dtype=np.int64)
        )
        return sparse.vstack(parts, format=X.format)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags
