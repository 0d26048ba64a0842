"""What SMOTEENN and SMOTETomek share: over-sample with SMOTE, then clean.

imbalanced-learn's ``combine`` samplers validate their parts in
``_validate_estimator`` (``smote_`` and the cleaner), check ``X, y`` with
scikit-learn's ``check_X_y`` (sparse CSR/CSC accepted) and set
``sampling_strategy_`` to the parameter as given, not a resolved dict; the same
steps are taken here, once for both.
"""

from __future__ import annotations

import numpy as np
from sklearn.base import clone
from sklearn.utils import check_X_y

from ..base import BaseSampler
from ..over_sampling import SMOTE
from ..utils._validation import check_target_type, checked_numeric


class _SMOTEThenClean(BaseSampler):
    """SMOTE (``smote_``) followed by a cleaning sampler (``<_cleaner_name>_``)."""

    _sampling_type = "over-sampling"
    _cleaner_name = ""

    def _validate_smote(self):
        """``smote_``: a clone of the user's ``smote``, else imbalanced-learn's
        default ``SMOTE(sampling_strategy, random_state)``."""
        if self.smote is not None:
            self.smote_ = clone(self.smote)
        else:
            self.smote_ = SMOTE(
                sampling_strategy=self.sampling_strategy,
                random_state=self.random_state,
            )

    def _validate_estimator(self):
        raise NotImplementedError

    def _check_X_y(
        self, X, y, accept_sparse=None, ensure_all_finite=True, *, type_y=None
    ):
        # a text column is named, with SMOTENC/SMOTEN as the way out, instead of
        # numpy's "could not convert string to float"
        return checked_numeric(
            self,
            X,
            super()._check_X_y,
            True,
            y=y,
            accept_sparse=accept_sparse,
            ensure_all_finite=ensure_all_finite,
            type_y=type_y,
        )

    def _fit_resample(self, X, y):
        self._validate_estimator()
        if not _checked_arrays(X, y):  # fit_resample's check_X_y already ran
            y = check_target_type(y)
            X, y = check_X_y(X, y, accept_sparse=["csr", "csc"])
        self.sampling_strategy_ = self.sampling_strategy
        X_res, y_res = self.smote_.fit_resample(X, y)
        cleaner = getattr(self, self._cleaner_name + "_")
        return cleaner.fit_resample(X_res, y_res)


def _checked_arrays(X, y) -> bool:
    """Whether ``X, y`` are what ``check_X_y`` returns unchanged: a 2-D numeric
    numpy array and a 1-D C-contiguous numeric one of the same length (what
    ``fit_resample``'s own check hands ``_fit_resample`` for numpy input; the
    SMOTE step checks the values again)."""
    return (
        type(X) is np.ndarray
        and type(y) is np.ndarray
        and X.ndim == 2
        and y.ndim == 1
        and X.dtype.kind in "biuf"
        and y.dtype.kind in "biuf"
        and y.flags.c_contiguous
        and X.shape[0] == y.shape[0] >= 1
        and X.shape[1] >= 1
    )
