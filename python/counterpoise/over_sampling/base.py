"""Base class for over-samplers (``imblearn.over_sampling.base``).

The same contract as imbalanced-learn 0.14.2's: ``sampling_strategy_`` maps each
class to the number of samples to generate, resolved by the same rules.
"""

from __future__ import annotations

import numbers
from collections.abc import Mapping

from sklearn.utils._param_validation import Interval, StrOptions

from ..base import BaseSampler
from ..utils._validation import checked_numeric


class BaseOverSampler(BaseSampler):
    """Base class of every over-sampler.

    An over-sampler adds samples to some classes. ``fit_resample`` resolves
    ``sampling_strategy`` into ``sampling_strategy_``, the number of samples to
    generate for each class, by imbalanced-learn's rules; a subclass implements
    ``_fit_resample(X, y)``. Not meant to be used directly.

    Parameters
    ----------
    sampling_strategy : float, str, dict or callable, default='auto'
        Which classes to over-sample and to how many samples: a float is the
        desired ratio of minority to majority samples after resampling (binary
        targets only); a str names the classes to over-sample ('minority', 'not
        minority', 'not majority', 'all', or 'auto', which is 'not majority'); a
        dict maps each class to its wanted number of samples; a callable
        ``f(y)`` returns such a dict.

    Attributes
    ----------
    sampling_strategy_ : dict
        Number of samples to generate per class, sorted by class.
    n_features_in_ : int
        Number of features seen in ``fit`` or ``fit_resample``.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of the features seen; defined only when ``X`` has string column names.

    See Also
    --------
    counterpoise.under_sampling.base.BaseUnderSampler : The under-samplers' base.
    SMOTE : An over-sampler.

    Examples
    --------
    >>> from counterpoise.over_sampling import SMOTE
    >>> from counterpoise.over_sampling.base import BaseOverSampler
    >>> issubclass(SMOTE, BaseOverSampler)
    True
    >>> sampler = SMOTE().fit([[0.0], [1.0], [2.0], [3.0]], [0, 0, 0, 1])
    >>> {int(c): int(n) for c, n in sampler.sampling_strategy_.items()}
    {1: 2}
    """

    _sampling_type = "over-sampling"

    _parameter_constraints: dict = {
        "sampling_strategy": [
            Interval(numbers.Real, 0, 1, closed="right"),
            StrOptions({"auto", "minority", "not minority", "not majority", "all"}),
            Mapping,
            callable,
        ],
        "random_state": ["random_state"],
    }

    def _check_X_y(
        self, X, y, accept_sparse=None, ensure_all_finite=True, *, type_y=None
    ):
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
