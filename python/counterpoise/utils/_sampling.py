"""Input checks shared by the samplers that only select rows."""

from __future__ import annotations

from sklearn.utils import check_array
from sklearn.utils.validation import (
    _num_samples,
    check_consistent_length,
    validate_data,
)

from ._containers import is_pandas_df, is_polars_df
from ._validation import check_not_lazy, check_target_type, plain_X_y


def check_X_y_any(sampler, X, y, *, type_y=None):
    """Validate for row-selecting samplers: any dtype, NaN allowed, dataframes kept
    as they are (they are indexed, never converted). ``type_y``: the target's
    ``type_of_target`` when the caller already knows it."""
    plain = plain_X_y(sampler, X, y, type_y, ensure_all_finite=False)
    if plain is not None:  # numpy arrays: scikit-learn's checks, done directly
        return (*plain, False)
    check_not_lazy(X, "X")
    y, binarize_y = check_target_type(y, indicate_one_vs_all=True, type_y=type_y)
    n_samples = _num_samples(X)
    if n_samples < 1:
        raise ValueError(
            f"Found array with {n_samples} sample(s) while a minimum of 1 is required."
        )
    if not (is_pandas_df(X) or is_polars_df(X)):
        X = check_array(
            X, dtype=None, accept_sparse=["csr", "csc"], ensure_all_finite=False
        )
    check_consistent_length(X, y)
    validate_data(sampler, X=X, reset=True, skip_check_array=True)
    return X, y, binarize_y
