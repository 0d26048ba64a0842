"""SMOTE followed by cleaning: drop-ins for imblearn's ``SMOTEENN`` (Batista et al.,
2004) and ``SMOTETomek`` (Batista et al., 2003).

The parts default to ``SMOTE(sampling_strategy, random_state)`` and
``EditedNearestNeighbours(sampling_strategy='all')`` / ``TomekLinks(sampling_strategy=
'all')``, as in imblearn; a user's ``smote``/``enn``/``tomek`` object (ours or
imblearn's) is cloned and used instead. As in imblearn, ``sampling_strategy_`` holds
the parameter as given.
"""

from __future__ import annotations

import numbers

from sklearn.base import clone
from sklearn.utils import check_X_y
from sklearn.utils._param_validation import HasMethods

from ..base import BaseSampler
from ..over_sampling import SMOTE
from ..over_sampling.base import BaseOverSampler
from ..under_sampling import EditedNearestNeighbours, TomekLinks
from ..utils._validation import check_target_type


class _SMOTEThenClean(BaseSampler):
    _sampling_type = "over-sampling"
    _cleaner_name = ""

    def _make_cleaner(self):
        raise NotImplementedError

    def _fit_resample(self, X, y):
        self.smote_ = (
            clone(self.smote)
            if self.smote is not None
            else SMOTE(
                sampling_strategy=self.sampling_strategy, random_state=self.random_state
            )
        )
        cleaner = self._make_cleaner()
        setattr(self, self._cleaner_name + "_", cleaner)
        y = check_target_type(y)
        X, y = check_X_y(X, y, accept_sparse=["csr", "csc"])
        self.sampling_strategy_ = self.sampling_strategy
        X_res, y_res = self.smote_.fit_resample(X, y)
        return cleaner.fit_resample(X_res, y_res)


class SMOTEENN(_SMOTEThenClean):
    """Over-sample with SMOTE, then clean with edited nearest neighbours.

    Attributes
    ----------
    sampling_strategy_ : as given
    smote_ : sampler object
    enn_ : sampler object
    """

    _cleaner_name = "enn"
    _parameter_constraints: dict = {
        **BaseOverSampler._parameter_constraints,
        "smote": [HasMethods(["fit_resample"]), None],
        "enn": [HasMethods(["fit_resample"]), None],
        "n_jobs": [numbers.Integral, None],
    }

    def __init__(
        self,
        *,
        sampling_strategy="auto",
        random_state=None,
        smote=None,
        enn=None,
        n_jobs=None,
    ):
        super().__init__()
        self.sampling_strategy = sampling_strategy
        self.random_state = random_state
        self.smote = smote
        self.enn = enn
        self.n_jobs = n_jobs

    def _make_cleaner(self):
        if self.enn is not None:
            return clone(self.enn)
        return EditedNearestNeighbours(sampling_strategy="all", n_jobs=self.n_jobs)


class SMOTETomek(_SMOTEThenClean):
    """Over-sample with SMOTE, then remove Tomek links.

    Attributes
    ----------
    sampling_strategy_ : as given
    smote_ : sampler object
    tomek_ : sampler object
    """

    _cleaner_name = "tomek"
    _parameter_constraints: dict = {
        **BaseOverSampler._parameter_constraints,
        "smote": [HasMethods(["fit_resample"]), None],
        "tomek": [HasMethods(["fit_resample"]), None],
        "n_jobs": [numbers.Integral, None],
    }

    def __init__(
        self,
        *,
        sampling_strategy="auto",
        random_state=None,
        smote=None,
        tomek=None,
        n_jobs=None,
    ):
        super().__init__()
        self.sampling_strategy = sampling_strategy
        self.random_state = random_state
        self.smote = smote
        self.tomek = tomek
        self.n_jobs = n_jobs

    def _make_cleaner(self):
        if self.tomek is not None:
            return clone(self.tomek)
        return TomekLinks(sampling_strategy="all", n_jobs=self.n_jobs)
