"""Private helpers imbalanced-learn keeps in ``imblearn.utils._validation``.

Code written against imbalanced-learn's private helpers (and its own tests)
imports them from ``utils._validation``, which re-exports these.
"""

from __future__ import annotations

import functools
import inspect
import warnings

__all__ = ["ArraysTransformer", "_deprecate_positional_args", "_is_neighbors_object"]


class ArraysTransformer:
    """Give resampled arrays back in the container types of the originals.

    Parameters
    ----------
    X : {array-like, dataframe, sparse matrix}
        The original data (list, numpy, pandas, polars or sparse).
    y : array-like
        The original target.
    """

    def __init__(self, X, y):
        # (imported here: _containers -> _validation -> this module)
        from ._containers import Containers

        self._containers = Containers(X, y)

    def transform(self, X, y):
        """Return ``X`` and ``y`` converted to the originals' container types."""
        return self._containers.restore(X, y)


def _is_neighbors_object(estimator) -> bool:
    """Whether ``estimator`` can answer k-neighbour queries like
    scikit-learn's ``KNeighborsMixin`` (``kneighbors`` and
    ``kneighbors_graph``)."""
    return all(hasattr(estimator, a) for a in ("kneighbors", "kneighbors_graph"))


def _deprecate_positional_args(func):
    """Let keyword-only parameters still be passed by position, with a warning.

    A ``FutureWarning`` names each such parameter with its value ("Pass c=3 as
    keyword args") and the call goes on as if it had been passed by keyword.
    """
    signature = inspect.signature(func)
    positional = [
        name
        for name, p in signature.parameters.items()
        if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
    ]
    keyword_only = [
        name for name, p in signature.parameters.items() if p.kind == p.KEYWORD_ONLY
    ]

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        extra = len(args) - len(positional)
        if extra <= 0:
            return func(*args, **kwargs)
        names = keyword_only[:extra]
        passed = ", ".join(f"{n}={v}" for n, v in zip(names, args[len(positional) :]))
        warnings.warn(
            f"Pass {passed} as keyword args. From version 0.9 passing these as "
            "positional arguments will result in an error",
            FutureWarning,
            stacklevel=2,
        )
        kwargs.update(zip(names, args[len(positional) :]))
        return func(*args[: len(positional)], **kwargs)

    return wrapper
