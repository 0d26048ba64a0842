"""Tomek links (Tomek, 1976): a drop-in for imblearn's ``TomekLinks``.

Two rows of different classes form a link when each is the other's nearest
neighbour. Rows of the classes to clean that are in a link are removed; the rest
are kept in their original order (``sample_indices_`` ascending), as imblearn does.
One exact 1-NN search over all rows, in Rust on every core.
"""

from __future__ import annotations

import numbers

import numpy as np

from ..utils._containers import take_rows
from ..utils._neighbours import kneighbors
from .base import BaseCleaningSampler


def tomek_mask(X, y, classes) -> np.ndarray:
    """True for rows of ``classes`` that belong to a Tomek link."""
    _, idx = kneighbors(X, X, 2)
    nearest = idx[:, 1]
    mutual = nearest[nearest] == np.arange(y.shape[0])
    links = (y[nearest] != y) & mutual
    return links & np.isin(y, list(classes))


class TomekLinks(BaseCleaningSampler):
    """Remove the samples of the targeted classes that are in a Tomek link.

    Two samples of different classes form a Tomek link when each is the other's
    nearest neighbour: they lie on the class border, or one of them is noise.
    Samples of the classes to clean that are in a link are removed; the others
    are kept in their original order. One exact 1-NN search over all samples,
    run by the Rust engine on every core.

    Parameters
    ----------
    sampling_strategy : str, list or callable, default='auto'
        Which classes to clean (their sample counts are not equalised):
        'majority', 'not minority', 'not majority', 'all' or 'auto'
        (= 'not minority'); a list of the classes to clean; or a callable
        taking ``y`` and returning a dict whose keys are the classes to clean.
    n_jobs : int, default=None
        Accepted for compatibility with imbalanced-learn; the search runs on
        every core whatever its value (``RAYON_NUM_THREADS`` limits it).

    Attributes
    ----------
    sampling_strategy_ : dict
        The classes to clean, as the keys of a dict.
    sample_indices_ : ndarray of shape (n_new_samples,)
        Indices of the kept samples in the input, ascending.
    n_features_in_ : int
        Number of features seen during ``fit_resample``.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Feature names seen during ``fit_resample``; defined only when ``X`` has
        string column names.

    See Also
    --------
    EditedNearestNeighbours : Remove samples whose neighbours disagree with them.
    OneSidedSelection : Condensed nearest neighbour followed by Tomek links.
    counterpoise.combine.SMOTETomek : SMOTE followed by Tomek links.

    References
    ----------
    .. [1] I. Tomek, "Two modifications of CNN," IEEE Transactions on Systems,
       Man, and Cybernetics, SMC-6(11), 769-772, 1976.

    Examples
    --------
    >>> from collections import Counter
    >>> from sklearn.datasets import make_classification
    >>> from counterpoise.under_sampling import TomekLinks
    >>> X, y = make_classification(n_samples=1000, n_features=4, n_informative=3,
    ...                            n_redundant=1, n_clusters_per_class=1,
    ...                            weights=[0.9, 0.1], flip_y=0, random_state=0)
    >>> sorted(Counter(y.tolist()).items())
    [(0, 900), (1, 100)]
    >>> X_res, y_res = TomekLinks().fit_resample(X, y)
    >>> sorted(Counter(y_res.tolist()).items())
    [(0, 899), (1, 100)]
    """

    _parameter_constraints: dict = {
        **BaseCleaningSampler._parameter_constraints,
        "n_jobs": [numbers.Integral, None],
    }

    def __init__(self, *, sampling_strategy="auto", n_jobs=None):
        super().__init__(sampling_strategy=sampling_strategy)
        self.n_jobs = n_jobs

    @staticmethod
    def is_tomek(y, nn_index, class_type):
        """Flag the samples of ``class_type`` that are in a Tomek link.

        imbalanced-learn's helper, kept for code that calls it.

        Parameters
        ----------
        y : array-like of shape (n_samples,)
            Target labels.
        nn_index : array-like of shape (n_samples,)
            Index of each sample's nearest neighbour (itself excluded).
        class_type : list or dict
            The classes whose samples may be flagged.

        Returns
        -------
        is_tomek : ndarray of shape (n_samples,), dtype=bool
            True for the samples of ``class_type`` in a Tomek link.

        Examples
        --------
        >>> import numpy as np
        >>> from counterpoise.under_sampling import TomekLinks
        >>> y = np.array([0, 1, 0, 0])
        >>> TomekLinks.is_tomek(y, np.array([1, 0, 3, 2]), [0]).tolist()
        [True, False, False, False]
        """
        y = np.asarray(y)
        nn_index = np.asarray(nn_index)
        mutual = nn_index[nn_index] == np.arange(y.shape[0])
        return (y[nn_index] != y) & mutual & np.isin(y, list(class_type))

    def _fit_resample(self, X, y):
        links = tomek_mask(X, y, self.sampling_strategy_)
        self.sample_indices_ = np.flatnonzero(~links)
        return take_rows(X, self.sample_indices_), y[self.sample_indices_]
