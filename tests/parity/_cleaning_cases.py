"""Shared data and comparison for the cleaning and prototype samplers' parity
tests (one module per sampler: test_tomek_links.py, test_nearmiss.py, ...).

``cleaning_data`` is the hypothesis strategy behind the generated parity tests:
binary and multi-class, 40 to 300 rows, d from 2 to 40 (the KD-tree answers
d <= 8, brute force the rest, in two query/data blocks past 128/256 rows), with
Gaussian, heavy-tailed (log-normal) or mixed-scale (1e-3 to 1e3) columns. Parity
is defined on tie-free data only, so each example must pass ``tie_free`` (through
``assume``; never an early return)."""

import numpy as np
from counterpoise import under_sampling
from hypothesis import assume
from hypothesis import strategies as st
from imblearn import under_sampling as imb_under
from numpy.testing import assert_allclose, assert_array_equal

from ..conftest import examples, make_data

# Every generated parity test draws this many datasets in CI (the nightly profile
# draws five times as many); the report of `--hypothesis-show-statistics` shows them.
N_EXAMPLES = examples(200)

COLUMNS = ("gaussian", "lognormal", "mixed-scale")


def dataset(seed, n_classes, d):
    """300 tie-free rows with overlapping classes, 2 to 4 classes."""
    weights = {2: (0.75, 0.25), 3: (0.55, 0.3, 0.15), 4: (0.4, 0.3, 0.2, 0.1)}[
        n_classes
    ]
    X, y = make_data(n=300, d=d, weights=weights, seed=seed)
    X += np.random.default_rng(seed).normal(scale=0.8, size=X.shape)  # overlap
    return X, y


def generate(seed, n, d, n_classes, columns, min_per_class=8):
    """Overlapping Gaussian classes of random sizes; ``columns`` makes some
    columns heavy-tailed (exp of the Gaussian) or rescales them by 1e-3..1e3."""
    rng = np.random.default_rng(seed)
    share = np.sort(rng.dirichlet(np.ones(n_classes)))[::-1]
    counts = np.maximum((share * n).astype(int), min_per_class)
    y = rng.permutation(np.repeat(np.arange(n_classes), counts))
    # centres about two noise units apart whatever d, so the classes overlap
    centres = rng.normal(scale=1.5 / np.sqrt(d), size=(n_classes, d))
    X = centres[y] + rng.standard_normal((y.size, d))
    if columns == "lognormal":
        heavy = rng.random(d) < 0.7
        heavy[rng.integers(d)] = True
        X[:, heavy] = np.exp(1.5 * X[:, heavy])
    elif columns == "mixed-scale":
        X *= 10.0 ** rng.uniform(-3, 3, d)
    return X, y


def tie_free(X, rel=1e-11):
    """True when, from every row, all distances to the other rows (and to itself,
    0) differ by more than imblearn's rounding could move them. scikit-learn's
    brute force computes squared distances as ``|x|^2 - 2 x.y + |y|^2``, whose
    error grows with the norms, so two squared distances from row i to rows j
    and k must differ by more than ``rel * (2|x_i|^2 + |x_j|^2 + |x_k|^2)``
    (``rel`` is about 5e4 machine epsilons). Then every neighbour order, in any
    subset of the rows, is the same in both libraries."""
    sq = np.einsum("ij,ij->i", X, X)
    d2 = ((X[:, None, :] - X[None, :, :]) ** 2).sum(-1)
    order = np.argsort(d2, axis=1)
    d2 = np.take_along_axis(d2, order, axis=1)
    norms = sq[order]
    margin = rel * (2 * sq[:, None] + norms[:, 1:] + norms[:, :-1])
    return bool((np.diff(d2, axis=1) > margin).all())


@st.composite
def cleaning_data(draw, max_classes=4, min_n=40, max_n=300):
    """A tie-free ``(X, y)`` for the generated parity tests (see module doc)."""
    seed = draw(st.integers(0, 2**32 - 1))
    n_classes = draw(st.integers(2, max_classes))
    n = draw(st.integers(min_n, max_n))
    d = draw(st.one_of(st.integers(2, 8), st.integers(9, 40)))
    columns = draw(st.sampled_from(COLUMNS))
    X, y = generate(seed, n, d, n_classes, columns)
    assume(tie_free(X))
    return X, y


def compare(ours, theirs, X, y):
    """Same ``sample_indices_`` (where imblearn has them), labels and rows;
    returns our labels."""
    Xa, ya = ours.fit_resample(X, y)
    Xb, yb = theirs.fit_resample(X, y)
    if hasattr(theirs, "sample_indices_"):
        assert_array_equal(ours.sample_indices_, theirs.sample_indices_)
    assert_array_equal(ya, yb)
    assert_allclose(Xa, Xb, rtol=0, atol=0)
    return ya


def removes_rows(name, params, X, y):
    """True when our ``under_sampling.<name>(**params)`` removes some rows: a
    generated example counts only then (``assume`` it before comparing; imblearn's
    RepeatedEditedNearestNeighbours misreports sample_indices_ when it removes
    nothing, see test_edited_nearest_neighbours.py)."""
    _, ya = getattr(under_sampling, name)(**params).fit_resample(X, y)
    return ya.size < y.size


def compare_rule(name, params, X, y, **extra):
    """Our ``under_sampling.<name>(**params)`` against imblearn's, same data;
    returns the number of rows removed."""
    ya = compare(
        getattr(under_sampling, name)(**params, **extra),
        getattr(imb_under, name)(**params, **extra),
        X,
        y,
    )
    return y.size - ya.size
