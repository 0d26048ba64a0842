"""Hypothesis strategies: labelled datasets of the shapes real tables have.

``labelled_data`` draws one of three kinds of dataset:
- "drawn": every value drawn by hypothesis (2 to 30 rows per class, d 1 to 12),
  which finds the awkward floats: zeros, huge and tiny values, many exact ties;
- "generated": 2 to 150 rows per class from a seeded generator, d 1 to 40 (the
  KD-tree answers d <= 8, brute force the rest, over several 128-row query blocks
  and 256-row data blocks past 256 rows);
- "large": 2,000 to 5,000 rows (about one example in ten).
Generated columns are Gaussian, heavy-tailed (log-normal), on mixed scales (1e-3
to 1e3) or small integer codes (exact ties everywhere); a share of the rows may be
exact duplicates of others, and classes overlap.
"""

import numpy as np
from hypothesis import event
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

COLUMNS = ("gaussian", "lognormal", "mixed-scale", "integer codes")


def generated_X(seed, n, d, columns, duplicates, dtype=np.float64, y=None):
    """A seeded ``(n, d)`` array of one of the ``COLUMNS`` kinds, with a share
    ``duplicates`` of its rows copied from other rows; classes (``y``) shift the
    mean a little so they overlap."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d))
    if y is not None:
        X += 0.7 * rng.standard_normal((int(y.max()) + 1, d))[y] / np.sqrt(d)
    if columns == "lognormal":
        X = np.exp(1.5 * X)
    elif columns == "mixed-scale":
        X *= 10.0 ** rng.uniform(-3, 3, d)
    elif columns == "integer codes":
        X = np.round(1.5 * X)
    if duplicates:
        copies = rng.random(n) < duplicates
        X[copies] = X[rng.integers(0, n, copies.sum())]
    return X.astype(dtype)


@st.composite
def labelled_data(draw, min_per_class=2, max_classes=4, dtype=np.float64):
    """``(X, y)``: 2 to ``max_classes`` classes of at least ``min_per_class``
    rows each (see the module docstring for the kinds of X)."""
    n_classes = draw(st.integers(2, max_classes))
    kind = draw(st.sampled_from(["drawn"] * 5 + ["generated"] * 4 + ["large"]))
    event(f"labelled_data: {kind}")
    if kind == "drawn":
        counts = [draw(st.integers(min_per_class, 30)) for _ in range(n_classes)]
        d = draw(st.integers(1, 12))
        n = sum(counts)
        width = np.dtype(dtype).itemsize * 8
        X = draw(
            arrays(
                dtype,
                (n, d),
                elements=st.floats(-1e3, 1e3, allow_nan=False, width=width),
            )
        )
        y = np.repeat(np.arange(n_classes), counts)
        perm = draw(st.permutations(range(n)))
        return X, y[np.array(perm)]
    seed = draw(st.integers(0, 2**32 - 1))
    if kind == "generated":
        hi = max(min_per_class, 150)
        counts = [draw(st.integers(min_per_class, hi)) for _ in range(n_classes)]
        d = draw(st.one_of(st.integers(1, 8), st.integers(9, 40)))
    else:
        n = draw(st.integers(2000, 5000))
        share = np.random.default_rng(seed).dirichlet(np.ones(n_classes))
        counts = np.maximum((share * n).astype(int), min_per_class).tolist()
        d = draw(st.sampled_from([2, 5, 12, 30]))
    columns = draw(st.sampled_from(COLUMNS))
    event(f"labelled_data: {columns}, d {'> 8' if d > 8 else '<= 8'}")
    duplicates = draw(st.sampled_from([0.0, 0.0, 0.1, 0.5]))
    y = np.random.default_rng(seed).permutation(np.repeat(np.arange(n_classes), counts))
    return generated_X(seed, y.size, d, columns, duplicates, dtype, y), y
