"""Borderline-SMOTE (Han, Wang & Mao, 2005) and ADASYN (He et al., 2008): drop-ins
for imblearn 0.14.2's ``BorderlineSMOTE`` and ``ADASYN``.

Both spend their time in neighbour searches of the minority rows among all rows,
done here by the Rust engine on every core. The random draws and the interpolation
follow imblearn's order and numpy arithmetic exactly (BorderlineSMOTE re-creates
the generator from an integer seed for each class and again for borderline-2's
half steps; ADASYN uses one generator for the call), so the same integer seed
gives imblearn's rows on tie-free data.
"""

from __future__ import annotations

import numbers

import numpy as np
from scipy import sparse
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions

from .. import _core
from ..utils._containers import vstack_rows
from ..utils._neighbours import kneighbors
from ..utils._validation import _plain, check_neighbors_object
from ._smote import BaseSMOTE
from .base import BaseOverSampler

_NEIGHBOURS = [
    Interval(numbers.Integral, 1, None, closed="left"),
    HasMethods(["kneighbors", "kneighbors_graph"]),
]


def _search(estimator, n_neighbors, data, queries, name="k_neighbors", among="rows"):
    """Indices of the n_neighbors + 1 nearest ``data`` rows (the engine, or a
    user's neighbours estimator fitted on ``data``). ``name`` and ``among`` word
    the error when ``data`` is too small."""
    if isinstance(n_neighbors, numbers.Integral):
        n = data.shape[0]
        if n_neighbors + 1 > n:
            raise ValueError(
                f"{name}={n_neighbors} needs at least {n_neighbors + 1} {among}, but "
                f"there are {n}. Lower {name} to at most {max(n - 1, 1)}."
            )
        _, idx = kneighbors(data, queries, int(n_neighbors) + 1)
        return idx
    estimator.fit(data)
    return estimator.kneighbors(queries, return_distance=False)


def _other_class_neighbours(estimator, n_neighbors, X, y, klass, name):
    """The rows of class ``klass``, their data, and how many of each one's
    ``n_neighbors`` nearest rows of the whole data set belong to other classes."""
    rows = np.flatnonzero(y == klass)
    X_class = X[rows]
    near = _search(estimator, n_neighbors, X, X_class, name, "samples")[:, 1:]
    return rows, X_class, np.sum(y[near] != klass, axis=1)


def _interpolate(X_base, X_target, steps, dtype):
    """``X_base + steps * (X_target - X_base)`` in numpy's order, cast to dtype."""
    if sparse.issparse(X_base):
        X_new = X_base + sparse.diags(steps.ravel()).tocsr() @ (X_target - X_base)
        return X_new.astype(dtype)
    return (X_base + steps * (X_target - X_base)).astype(dtype)


def _smote_draws(seed, nns, n_samples, step_size=1.0):
    """imblearn's ``_make_samples`` draws from a generator created afresh from
    ``seed``: ``randint`` over the neighbour table, then ``uniform`` steps. Returns
    the table row and column of each draw and its step (a column vector)."""
    random_state = check_random_state(seed)
    draws = random_state.randint(low=0, high=nns.size, size=n_samples)
    steps = step_size * random_state.uniform(size=n_samples)[:, np.newaxis]
    return np.floor_divide(draws, nns.shape[1]), np.mod(draws, nns.shape[1]), steps


def _generate(sampler, X, plan):
    """SMOTE's generator in the Rust core (the same arithmetic, written in parallel
    straight into the output) for every entry of ``plan``: ``(class rows, draws
    into the n_class x k neighbour table, steps, neighbour table)``. Returns ``X``
    followed by the new rows and sets the sampler's provenance attributes."""
    if not plan:
        sampler.synthetic_parents_ = np.empty((0, 2), dtype=np.int64)
        sampler.synthetic_steps_ = np.empty(0)
        return X
    X_res, sampler.synthetic_parents_ = _core.smote_resample(
        np.ascontiguousarray(X),
        [np.ascontiguousarray(rows, dtype=np.int64) for rows, _, _, _ in plan],
        [np.ascontiguousarray(draws, dtype=np.int64) for _, draws, _, _ in plan],
        [np.ascontiguousarray(steps, dtype=np.float64) for _, _, steps, _ in plan],
        0,
        [np.ascontiguousarray(nns, dtype=np.int64) for _, _, _, nns in plan],
    )
    sampler.synthetic_steps_ = np.concatenate([steps for _, _, steps, _ in plan])
    return X_res


class _Provenance:
    """Collects, per synthetic row, its two parent rows and its step ``t`` (the row
    is ``X[a] + t * (X[b] - X[a])``), and sets SMOTE's provenance attributes."""

    def __init__(self):
        self.parents, self.steps = [], []

    def add(self, a, b, steps):
        self.parents.append(np.column_stack([a, b]).astype(np.int64))
        self.steps.append(np.asarray(steps, dtype=np.float64).ravel())

    def set_on(self, sampler):
        sampler.synthetic_parents_ = (
            np.concatenate(self.parents) if self.parents else np.empty((0, 2), np.int64)
        )
        sampler.synthetic_steps_ = (
            np.concatenate(self.steps) if self.steps else np.empty(0, np.float64)
        )


class BorderlineSMOTE(BaseSMOTE):
    """SMOTE from the minority samples on the class border ("in danger").

    Attributes
    ----------
    sampling_strategy_ : dict
    nn_k_, nn_m_ : estimator objects
    in_danger_indices : dict
        For each over-sampled class, the rows whose ``m_neighbors`` are at least
        half, but not all, of other classes.
    n_features_in_, feature_names_in_
    """

    _parameter_constraints: dict = {
        **BaseSMOTE._parameter_constraints,
        "m_neighbors": _NEIGHBOURS,
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
        parts_X, parts_y = [X], [y]
        provenance = _Provenance()
        self.in_danger_indices = {}
        for class_sample, n_samples in self.sampling_strategy_.items():
            if n_samples == 0:
                continue
            rows, X_class, n_other = _other_class_neighbours(
                self.nn_m_, self.m_neighbors, X, y, class_sample, "m_neighbors"
            )
            danger = (n_other >= m / 2) & (n_other < m)
            if not danger.any():
                continue
            self.in_danger_indices[class_sample] = rows[danger]
            X_danger = X_class[danger]
            source = X_class if self.kind == "borderline-1" else X
            among = "samples of the class" if self.kind == "borderline-1" else "samples"
            nns = _search(
                self.nn_k_, self.k_neighbors, source, X_danger, "k_neighbors", among
            )[:, 1:]
            r, c, steps = _smote_draws(self.random_state, nns, n_samples)
            targets = source[nns[r, c]]
            target_rows = rows[nns[r, c]] if self.kind == "borderline-1" else nns[r, c]
            effective = steps.ravel().copy()
            if self.kind == "borderline-2":
                # imblearn draws the half steps from a generator seeded afresh.
                half = check_random_state(self.random_state)
                other = y[nns[r, c]] != class_sample
                diffs = targets - X_danger[r]
                if sparse.issparse(diffs):
                    scale = np.ones(n_samples)
                    scale[other] = half.uniform(low=0.0, high=0.5, size=other.sum())
                    effective *= scale
                    diffs = sparse.diags(scale).tocsr() @ diffs
                    X_new = (
                        X_danger[r] + sparse.diags(steps.ravel()).tocsr() @ diffs
                    ).astype(X.dtype)
                else:
                    halves = half.uniform(low=0.0, high=0.5, size=(other.sum(), 1))
                    diffs[other] *= halves
                    effective[other] *= halves.ravel()
                    X_new = (X_danger[r] + steps * diffs).astype(X.dtype)
            else:
                X_new = _interpolate(X_danger[r], targets, steps, X.dtype)
            provenance.add(rows[danger][r], target_rows, effective)
            parts_X.append(X_new)
            parts_y.append(np.full(n_samples, class_sample, dtype=y.dtype))
        provenance.set_on(self)
        return vstack_rows(parts_X), np.hstack(parts_y)


class ADASYN(BaseOverSampler):
    """Adaptive synthetic sampling: more new rows next to minority rows with more
    neighbours of other classes.

    Attributes
    ----------
    sampling_strategy_ : dict
    nn_ : estimator object
    n_features_in_, feature_names_in_
    """

    _parameter_constraints: dict = {
        **BaseOverSampler._parameter_constraints,
        "n_neighbors": _NEIGHBOURS,
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
        parts_X, parts_y = [X], [y]
        provenance, plan = _Provenance(), []
        dense = not sparse.issparse(X) and X.dtype in (np.float32, np.float64)
        for class_sample, n_samples in self.sampling_strategy_.items():
            if n_samples == 0:
                continue
            rows, X_class, n_other = _other_class_neighbours(
                self.nn_, self.n_neighbors, X, y, class_sample, "n_neighbors"
            )
            ratio = n_other / k
            if not np.sum(ratio):
                raise RuntimeError(
                    "Not any neigbours belong to the majority class. This case will "
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
            nns = _search(
                self.nn_,
                self.n_neighbors,
                X_class,
                X_class,
                "n_neighbors",
                f"samples of class {_plain(class_sample)!r}",
            )[:, 1:]
            r = np.repeat(np.arange(rows.size), per_row)
            c = random_state.choice(k, size=n_new)
            steps = random_state.uniform(size=(n_new, 1))
            parts_y.append(np.full(n_new, class_sample, dtype=y.dtype))
            plan.append((rows, r * k + c, steps.ravel(), nns))
            if dense:
                continue
            parts_X.append(_interpolate(X_class[r], X_class[nns[r, c]], steps, X.dtype))
            provenance.add(rows[r], rows[nns[r, c]], steps)
        if dense:
            return _generate(self, X, plan), np.hstack(parts_y)
        provenance.set_on(self)
        return vstack_rows(parts_X), np.hstack(parts_y)


class SVMSMOTE(BaseSMOTE):
    """SMOTE from the minority support vectors of an SVM (Nguyen, Cooper &
    Kamei, 2011): interpolation from support vectors in danger, extrapolation by
    ``out_step`` from safe ones. The SVM is scikit-learn's (or the user's
    ``svm_estimator``); the neighbour searches run in the Rust engine.

    Attributes
    ----------
    sampling_strategy_ : dict
    nn_k_, nn_m_ : estimator objects
    svm_estimator_ : estimator object
    n_features_in_, feature_names_in_
    """

    _parameter_constraints: dict = {
        **BaseSMOTE._parameter_constraints,
        "m_neighbors": _NEIGHBOURS,
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

    def _samples(self, base, X_class, n_samples, step_size, dtype, where):
        """imblearn's ``_make_samples``: a generator seeded afresh, ``randint`` over
        the neighbour table then ``uniform`` steps. ``where``: (provenance, global
        rows of ``base``, global rows of ``X_class``)."""
        nns = _search(
            self.nn_k_,
            self.k_neighbors,
            X_class,
            base,
            "k_neighbors",
            "samples of the class",
        )[:, 1:]
        r, c, steps = _smote_draws(self.random_state, nns, n_samples, step_size)
        provenance, base_rows, class_rows = where
        provenance.add(base_rows[r], class_rows[nns[r, c]], steps)
        return _interpolate(base[r], X_class[nns[r, c]], steps, dtype)

    def _fit_resample(self, X, y):
        from sklearn.base import clone
        from sklearn.svm import SVC

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
        parts_X, parts_y = [X], [y]
        provenance = _Provenance()
        for class_sample, n_samples in self.sampling_strategy_.items():
            if n_samples == 0:
                continue
            class_rows = np.flatnonzero(y == class_sample)
            X_class = X[class_rows]
            self.svm_estimator_.fit(X, y)
            if not hasattr(self.svm_estimator_, "support_"):
                raise RuntimeError(
                    "`svm_estimator` is required to exposed a `support_` fitted "
                    "attribute. Such estimator belongs to the familly of Support "
                    "Vector Machine."
                )
            support = self.svm_estimator_.support_
            vector_rows = support[y[support] == class_sample]
            vectors = X[vector_rows]
            n_other = np.sum(
                y[
                    _search(
                        self.nn_m_,
                        self.m_neighbors,
                        X,
                        vectors,
                        "m_neighbors",
                        "samples",
                    )[:, 1:]
                ]
                != class_sample,
                axis=1,
            )
            # drop noise: every neighbour of another class
            vectors, vector_rows = vectors[n_other != m], vector_rows[n_other != m]
            if vectors.shape[0] == 0:
                raise ValueError(
                    "All support vectors are considered as noise. SVM-SMOTE is not "
                    "adapted to your dataset. Try another SMOTE variant."
                )
            n_other = n_other[n_other != m]
            danger = (n_other >= m / 2) & (n_other < m)
            n_interpolated = int(random_state.beta(10, 10) * (n_samples + 1))
            made = 0
            if danger.any():
                parts_X.append(
                    self._samples(
                        vectors[danger],
                        X_class,
                        n_interpolated,
                        1.0,
                        X.dtype,
                        (provenance, vector_rows[danger], class_rows),
                    )
                )
                made += n_interpolated
            if (~danger).any():
                parts_X.append(
                    self._samples(
                        vectors[~danger],
                        X_class,
                        n_samples - n_interpolated,
                        -self.out_step,
                        X.dtype,
                        (provenance, vector_rows[~danger], class_rows),
                    )
                )
                made += n_samples - n_interpolated
            parts_y.append(np.full(made, class_sample, dtype=y.dtype))
        provenance.set_on(self)
        return vstack_rows(parts_X), np.hstack(parts_y)
