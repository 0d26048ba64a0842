"""Hypothesis strategies: arbitrary small labelled datasets."""

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays


@st.composite
def labelled_data(draw, min_per_class=2, max_classes=4, dtype=np.float64):
    n_classes = draw(st.integers(2, max_classes))
    counts = [draw(st.integers(min_per_class, 30)) for _ in range(n_classes)]
    d = draw(st.integers(1, 6))
    n = sum(counts)
    X = draw(
        arrays(
            dtype,
            (n, d),
            elements=st.floats(
                -1e3, 1e3, allow_nan=False, width=np.dtype(dtype).itemsize * 8
            ),
        )
    )
    y = np.repeat(np.arange(n_classes), counts)
    perm = draw(st.permutations(range(n)))
    return X, y[np.array(perm)]
