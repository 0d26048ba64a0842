"""SMOTE followed by Tomek-link removal (Batista et al., 2003): a drop-in for
imblearn's ``SMOTETomek``.

The parts default to ``SMOTE(sampling_strategy, random_state)`` and
``TomekLinks(sampling_strategy='all')``, as in imblearn; a user's
``smote``/``tomek`` object (ours or imblearn's) is cloned and used instead. As in
imblearn, ``sampling_strategy_`` holds the parameter as given.
"""

from __future__ import annotations

import numbers

from sklearn.base import clone
from sklearn.utils._param_validation import HasMethods

from ..over_sampling.base import BaseOverSampler
from ..under_sampling import TomekLinks
from ._base import _SMOTEThenClean


class SMOTETomek(_SMOTEThenClean):
    """Over-sample with SMOTE, then remove Tomek links.

    SMOTE first adds synthetic minority samples; every sample of a Tomek link
    (two samples of different classes, each the other's nearest neighbour) is
    then removed, from every class. This clears the class border that
    over-sampling may have blurred.

    Parameters
    ----------
    sampling_strategy : float, str, dict or callable, default='auto'
        How SMOTE over-samples, with the meaning of
        :class:`~counterpoise.over_sampling.SMOTE`'s parameter: a float is the
        desired ratio of minority to majority samples after resampling (binary
        problems only); 'minority', 'not minority', 'not majority', 'all' or
        'auto' (= 'not majority') name the classes to over-sample up to the
        majority's count; a dict maps each class to its number of samples after
        over-sampling; a callable takes ``y`` and returns such a dict. Ignored
        when ``smote`` is given.
    random_state : int, RandomState instance or None, default=None
        Seed of the default SMOTE's draws; the same integer gives the same
        synthetic samples as imbalanced-learn's ``SMOTETomek``. Ignored when
        ``smote`` is given.
    smote : sampler object, default=None
        The over-sampler, cloned before use. ``None`` means
        ``SMOTE(sampling_strategy=sampling_strategy, random_state=random_state)``.
        imbalanced-learn's samplers are accepted too.
    tomek : sampler object, default=None
        The cleaning sampler, cloned before use. ``None`` means
        ``TomekLinks(sampling_strategy='all', n_jobs=n_jobs)``.
    n_jobs : int, default=None
        Passed to the default ``TomekLinks``; the neighbour search runs in the
        Rust engine on every core whatever its value.

    Attributes
    ----------
    sampling_strategy_ : float, str, dict or callable
        The ``sampling_strategy`` parameter as given (imbalanced-learn keeps it
        unresolved for the combined samplers).
    smote_ : sampler object
        The fitted over-sampler.
    tomek_ : sampler object
        The fitted cleaning sampler.
    n_features_in_ : int
        Number of features seen during ``fit_resample``.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Feature names seen during ``fit_resample``; defined only when ``X`` has
        string column names.

    See Also
    --------
    SMOTEENN : SMOTE followed by edited nearest neighbours.
    counterpoise.over_sampling.SMOTE : The over-sampling step.
    counterpoise.under_sampling.TomekLinks : The cleaning step.

    References
    ----------
    .. [1] G. E. A. P. A. Batista, A. L. C. Bazzan and M. C. Monard, "Balancing
       training data for automated annotation of keywords: a case study," in
       Proceedings of the II Brazilian Workshop on Bioinformatics, 10-18, 2003.

    Examples
    --------
    >>> from collections import Counter
    >>> from sklearn.datasets import make_classification
    >>> from counterpoise.combine import SMOTETomek
    >>> X, y = make_classification(n_samples=1000, n_features=4, n_informative=3,
    ...                            n_redundant=1, n_clusters_per_class=1,
    ...                            weights=[0.9, 0.1], flip_y=0, random_state=0)
    >>> sorted(Counter(y.tolist()).items())
    [(0, 900), (1, 100)]
    >>> X_res, y_res = SMOTETomek(random_state=0).fit_resample(X, y)
    >>> sorted(Counter(y_res.tolist()).items())
    [(0, 900), (1, 900)]
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

    def _validate_estimator(self):
        """Build ``smote_`` and ``tomek_`` from the parameters."""
        self._validate_smote()
        if self.tomek is not None:
            self.tomek_ = clone(self.tomek)
        else:
            self.tomek_ = TomekLinks(sampling_strategy="all", n_jobs=self.n_jobs)
