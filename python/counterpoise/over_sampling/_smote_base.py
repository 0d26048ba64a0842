"""The SMOTE family's shared machinery (``imblearn.over_sampling._smote.base``).

Every sampler of the family makes its new rows the same way: random draws into a
table of each base row's nearest neighbours, then ``x + t * (neighbour - x)``.
What is shared lives here:

- :class:`BaseSMOTE`, the ``k_neighbors`` / ``random_state`` parameters;
- :func:`_smote_draws`, imbalanced-learn 0.14.2's ``_make_samples`` draws (a
  ``RandomState`` re-created from the seed, ``randint`` over the neighbour table,
  then ``uniform`` steps), so the same integer seed draws the same rows;
- :class:`_Batch` and :func:`_generate`, the one way new rows are written: dense
  float data in one call to the Rust generator ``_core.smote_resample`` (numpy's
  floating-point order, in parallel, straight into the output), sparse data through
  scipy (:func:`_interpolate`), in imblearn's arithmetic either way;
- the provenance of every synthetic row (``synthetic_parents_`` and
  ``synthetic_steps_``, returned by :func:`_generate`, set by
  :func:`_set_provenance`): the two input rows it lies between and its step;
- :func:`_n_other_class`, the danger test (how many of a row's nearest
  neighbours belong to other classes) of Borderline-SMOTE, SVM-SMOTE and ADASYN.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from scipy import sparse

from .. import _core
from ..utils._containers import vstack_rows
from ..utils._neighbours import NEIGHBOURS_PARAM, nearest, uses_engine
from ..utils._threads import threads_for
from ..utils._validation import check_neighbors_object, check_random_state
from .base import BaseOverSampler


class BaseSMOTE(BaseOverSampler):
    """Base class of the SMOTE family: the ``k_neighbors`` and ``random_state``
    parameters and the neighbours estimator built from them.

    Not meant to be used directly; use one of its subclasses.

    Parameters
    ----------
    sampling_strategy : float, str, dict or callable, default='auto'
        Which classes to over-sample and to how many samples, as in
        :class:`~counterpoise.over_sampling.base.BaseOverSampler`.
    random_state : int, RandomState instance or None, default=None
        Seed of the random draws.
    k_neighbors : int or object, default=5
        Number of nearest neighbours of each sample to interpolate towards, or a
        neighbours estimator with ``kneighbors`` used instead of the built-in
        exact search.

    Attributes
    ----------
    sampling_strategy_ : dict
        Number of samples to generate per class.
    nn_k_ : estimator object
        ``NearestNeighbors(n_neighbors=k_neighbors + 1)`` or a clone of the given
        estimator; with an int the search itself runs in the Rust engine.
    n_features_in_ : int
        Number of features seen in ``fit_resample``.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of the features seen; defined only when ``X`` has string column names.

    See Also
    --------
    SMOTE : The plain SMOTE sampler.

    References
    ----------
    .. [1] N. V. Chawla, K. W. Bowyer, L. O. Hall and W. P. Kegelmeyer, "SMOTE:
       synthetic minority over-sampling technique", Journal of Artificial
       Intelligence Research, 16, 321-357, 2002.

    Examples
    --------
    >>> from counterpoise.over_sampling import SMOTE
    >>> from counterpoise.over_sampling._smote_base import BaseSMOTE
    >>> isinstance(SMOTE(), BaseSMOTE)
    True
    """

    _parameter_constraints: dict = {
        **BaseOverSampler._parameter_constraints,
        "k_neighbors": NEIGHBOURS_PARAM,
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
        """Whether the Rust engine searches the ``k_neighbors`` (an int)."""
        return uses_engine(self.k_neighbors)


def _smote_draws(seed, nns, n_samples, step_size=1.0):
    """imblearn's ``_make_samples`` draws from a generator created afresh from
    ``seed``: ``randint`` over the neighbour table, then ``uniform`` steps. Returns
    the table row and column of each draw and its step (a column vector)."""
    random_state = check_random_state(seed)
    draws = random_state.randint(low=0, high=nns.size, size=n_samples)
    steps = step_size * random_state.uniform(size=n_samples)[:, np.newaxis]
    return np.floor_divide(draws, nns.shape[1]), np.mod(draws, nns.shape[1]), steps


class _Batch(NamedTuple):
    """New rows ``X[rows[r]] + t * (X[targets[nns[r, c]]] - X[rows[r]])``, one per
    draw ``r * k + c`` into the ``(rows.size, k)`` neighbour table ``nns``.

    ``targets`` defaults to ``rows`` (neighbours of the class's own rows, SMOTE's
    case); ``nns=None`` lets the Rust engine search each row's ``k`` nearest
    ``rows`` itself (SMOTE with an int ``k_neighbors`` on dense data).
    ``scale``, ``(mask, halves)``: Borderline-SMOTE-2 shortens the difference of
    the draws in ``mask`` by ``halves`` before the step, ``x + t * (h * (n - x))``
    in imblearn's order (the difference rounded to X's precision first).
    """

    rows: np.ndarray
    draws: np.ndarray
    steps: np.ndarray
    nns: np.ndarray | None = None
    targets: np.ndarray | None = None
    scale: tuple | None = None

    @classmethod
    def from_table(cls, rows, nns, r, c, steps, targets=None, scale=None):
        """A batch from :func:`_smote_draws`' table rows ``r`` and columns ``c``."""
        return cls(rows, r * nns.shape[1] + c, np.ravel(steps), nns, targets, scale)

    def effective_steps(self):
        """The step of each new row on the segment between its parents."""
        steps = np.asarray(self.steps, dtype=np.float64).ravel()
        if self.scale is None:
            return steps
        mask, halves = self.scale
        steps = steps.copy()
        steps[mask] *= np.ravel(halves)
        return steps

    def parents(self):
        """``(base rows, target rows)`` of every draw, as indices into X."""
        k = self.nns.shape[1]
        r, c = np.divmod(self.draws, k)
        targets = self.rows if self.targets is None else self.targets
        return self.rows[r], targets[self.nns[r, c]]

    def for_generator(self):
        """``(indices, neighbour table)`` for ``_core.smote_resample``, whose table
        points into the rows it draws from. When the base rows differ from the
        targets (danger rows or support vectors towards class rows), the indices
        are the base rows followed by the targets that are used, and the table's
        first ``n_base`` rows point past the base rows; its other rows are
        never drawn (each points at itself)."""
        if self.targets is None:
            return self.rows, self.nns
        used, inverse = np.unique(self.nns, return_inverse=True)
        n_base = self.rows.size
        table = np.empty((n_base + used.size, self.nns.shape[1]), dtype=np.int64)
        table[:n_base] = inverse.reshape(self.nns.shape) + n_base
        table[n_base:] = np.arange(n_base, n_base + used.size)[:, np.newaxis]
        return np.concatenate([self.rows, self.targets[used]]), table


def _interpolate(X_base, X_target, steps, dtype, scale=None):
    """``X_base + steps * (X_target - X_base)`` in numpy's (or scipy's) order, cast
    to ``dtype``: the path for sparse data and non-float dense data (and for
    Borderline-SMOTE-2's shortened steps, ``scale`` as in :class:`_Batch`).

    Integer and boolean data are computed in float64 (imblearn subtracts in the
    integer type, which wraps around: uint8 values in [50, 200] gave 16 and 253)
    and cast back by :func:`_to_integer`."""
    steps = np.asarray(steps, dtype=np.float64).reshape(-1, 1)
    dtype = np.dtype(dtype)
    if _is_integer_like(dtype) and not sparse.issparse(X_base):
        base = np.asarray(X_base, dtype=np.float64)
        new = _interpolate(
            base, np.asarray(X_target, dtype=np.float64), steps, np.float64, scale
        )
        return _to_integer(new, dtype, X_base, X_target, steps)
    if not sparse.issparse(X_base) and dtype == np.float16:
        # the difference of two float16 values can overflow float16 (65504)
        base = np.asarray(X_base, dtype=np.float64)
        target = np.asarray(X_target, dtype=np.float64)
        return _interpolate(base, target, steps, np.float64, scale).astype(dtype)
    if sparse.issparse(X_base) and _is_integer_like(dtype):
        new = _interpolate(
            X_base.astype(np.float64),
            X_target.astype(np.float64),
            steps,
            np.float64,
            scale,
        )
        dense = _to_integer(
            new.toarray(), dtype, X_base.toarray(), X_target.toarray(), steps
        )
        return sparse.csr_matrix(dense)
    diffs = X_target - X_base
    if sparse.issparse(X_base):
        if scale is not None:
            mask, halves = scale
            factor = np.ones(steps.shape[0])
            factor[mask] = np.ravel(halves)
            diffs = sparse.diags(factor).tocsr() @ diffs
        X_new = X_base + sparse.diags(steps.ravel()).tocsr() @ diffs
        return X_new.astype(dtype)
    if scale is not None:
        mask, halves = scale
        diffs[mask] *= np.reshape(halves, (-1, 1))
    return (X_base + steps * diffs).astype(dtype)


def _is_integer_like(dtype) -> bool:
    return np.dtype(dtype).kind in "iub"


def _to_integer(new, dtype, X_base, X_target, steps):
    """Synthetic rows computed in float64 as ``dtype`` (integer or boolean),
    truncated toward zero as numpy's cast (and imblearn's) does, without
    wrap-around: a row on the segment between its parents (step in [0, 1])
    stays between them, so inside each column's range; a row extrapolated past
    them (SVM-SMOTE's negative steps) stays inside the dtype's range."""
    dtype = np.dtype(dtype)
    new = np.trunc(np.asarray(new, dtype=np.float64))
    if dtype.kind == "b":
        return new != 0
    info = np.iinfo(dtype)
    a, b = np.asarray(X_base), np.asarray(X_target)
    lo, hi = np.minimum(a, b).astype(dtype), np.maximum(a, b).astype(dtype)
    outside = np.ravel((steps < 0) | (steps > 1))
    if outside.any():
        lo[outside], hi[outside] = info.min, info.max
    # compare in float64, then take the integer bound itself: float64 cannot hold
    # every int64, so the bound is never recomputed from its float value
    below, above = new <= lo.astype(np.float64), new >= hi.astype(np.float64)
    inside = np.where(below | above, 0.0, new).astype(dtype)
    return np.where(below, lo, np.where(above, hi, inside)).astype(dtype)


def _is_dense_float(X) -> bool:
    return not sparse.issparse(X) and X.dtype in (np.float32, np.float64)


def _generate(X, batches, k=0):
    """``X`` followed by the new rows of every batch, in order, and their
    provenance ``(parents, steps)``.

    Dense float32/float64 data go through the one Rust generator (which also
    checks, while copying X, that every value is finite; ``k`` is the engine's
    search size for batches without a table); anything else is interpolated by
    :func:`_interpolate`, one batch at a time.
    """
    steps = [b.effective_steps() for b in batches]
    all_steps = np.concatenate(steps) if steps else np.empty(0, dtype=np.float64)
    if _is_dense_float(X):
        plans = [b.for_generator() for b in batches]
        searched = any(nns is None for _, nns in plans)
        # the copy of X and the new rows, plus each searched class's k-NN
        d = max(X.shape[1], 1)
        work = (X.shape[0] + all_steps.size) * d + sum(
            rows.size * rows.size * d for rows, nns in plans if nns is None
        )
        X_res, parents = _core.smote_resample(
            np.ascontiguousarray(X),
            [np.ascontiguousarray(rows, dtype=np.int64) for rows, _ in plans],
            [np.ascontiguousarray(b.draws, dtype=np.int64) for b in batches],
            [np.ascontiguousarray(b.steps, dtype=np.float64).ravel() for b in batches],
            int(k),
            None
            if searched
            else [np.ascontiguousarray(nns, dtype=np.int64) for _, nns in plans],
            n_threads=threads_for(work),
        )
        start = X.shape[0]
        for batch in batches:
            if batch.scale is not None:
                _rescale(X, X_res[start : start + batch.draws.size], batch)
            start += batch.draws.size
        return X_res, parents, all_steps
    parts, parents = [X], [np.empty((0, 2), dtype=np.int64)]
    for batch in batches:
        if not batch.draws.size:
            continue
        base, target = batch.parents()
        parts.append(
            _interpolate(X[base], X[target], batch.steps, X.dtype, batch.scale)
        )
        parents.append(np.column_stack([base, target]).astype(np.int64))
    return vstack_rows(parts), np.concatenate(parents), all_steps


def _rescale(X, out, batch):
    """Rewrite in ``out`` (a batch's rows from the generator) the rows whose
    difference Borderline-SMOTE-2 shortens: ``x + t * (h * (n - x))`` is not
    ``x + (t * h) * (n - x)`` in floating point, so they are computed as imblearn
    does."""
    mask, halves = batch.scale
    at = np.flatnonzero(mask)
    if not at.size:
        return
    base, target = batch.parents()
    base, target = base[at], target[at]
    steps = np.asarray(batch.steps, dtype=np.float64).ravel()[at]
    out[at] = _interpolate(
        X[base], X[target], steps, X.dtype, (np.ones(at.size, bool), halves)
    )


def _set_provenance(sampler, parents, steps):
    """Set ``synthetic_parents_`` and ``synthetic_steps_`` on a fitted sampler."""
    sampler.synthetic_parents_ = np.asarray(parents, dtype=np.int64).reshape(-1, 2)
    sampler.synthetic_steps_ = np.asarray(steps, dtype=np.float64).ravel()


def _n_other_class(n_neighbors, estimator, X, y, queries, klass, *, name):
    """How many of the ``n_neighbors`` nearest rows of X (the query row itself
    dropped) of each of ``queries`` belong to a class other than ``klass``: the
    danger test of Borderline-SMOTE, SVM-SMOTE and ADASYN."""
    near = nearest(n_neighbors, estimator, X, queries, name=name)[:, 1:]
    return np.sum(y[near] != klass, axis=1)
