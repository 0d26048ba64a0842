"""vstack_rows (the parallel row concatenation the SMOTE variants build their
output with) against numpy's vstack."""

import numpy as np
import pytest
from counterpoise.utils._containers import vstack_rows
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_array_equal
from scipy import sparse


@settings(max_examples=50, deadline=None)
@given(
    sizes=st.lists(st.integers(0, 40), min_size=1, max_size=5),
    width=st.integers(0, 6),
    dtype=st.sampled_from([np.float64, np.float32, np.int64, np.bool_, np.uint8]),
)
def test_equals_numpy_vstack(sizes, width, dtype):
    rng = np.random.default_rng(sum(sizes) + width)
    parts = [(rng.random((n, width)) * 10).astype(dtype) for n in sizes]
    parts[0] = np.asfortranarray(parts[0])  # any memory layout
    got = vstack_rows(parts)
    want = np.vstack(parts)
    assert got.dtype == want.dtype and got.shape == want.shape
    assert_array_equal(got, want)


def test_mixed_or_object_or_sparse_parts_fall_back():
    a = np.ones((2, 2))
    assert vstack_rows([a, np.zeros((1, 2), np.float32)]).dtype == np.float64
    obj = np.array([["x", 1]], dtype=object)
    assert vstack_rows([obj, obj]).shape == (2, 2)
    s = vstack_rows([sparse.csr_matrix(a), sparse.csr_matrix(a)])
    assert sparse.issparse(s) and s.format == "csr"
    with pytest.raises(ValueError):
        vstack_rows([a, np.ones((1, 3))])
