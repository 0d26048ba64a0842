"""Docstring templates shared by the estimators (``imblearn.utils._docstring``)."""

__all__ = ["Substitution"]


class Substitution:
    """Decorator filling the ``{name}`` fields of a function's or class's docstring.

    Give either positional values (for ``{0}``, ``{1}``...) or keyword values
    (for ``{name}``), not both. An object without a docstring (Python run with
    ``-OO``) is returned unchanged.

    Parameters
    ----------
    *args : str
        Values of the positional fields.
    **kwargs : str
        Values of the named fields.

    See Also
    --------
    counterpoise.utils.deprecation.deprecate_parameter : The other helper for
        estimator authors.

    Examples
    --------
    >>> from counterpoise.utils import Substitution
    >>> @Substitution(what="the seed")
    ... def f(random_state):
    ...     '''random_state : {what}'''
    >>> f.__doc__
    'random_state : the seed'
    """

    def __init__(self, *args, **kwargs):
        if args and kwargs:
            raise AssertionError("Only positional or keyword args are allowed")
        self.args = args
        self.kwargs = kwargs

    def __call__(self, obj):
        if obj.__doc__:
            obj.__doc__ = obj.__doc__.format(*self.args, **self.kwargs)
        return obj


_random_state_docstring = """random_state : int, RandomState instance, default=None
        Control the randomization of the algorithm.

        - If int, ``random_state`` is the seed used by the random number
          generator;
        - If ``RandomState`` instance, random_state is the random number
          generator;
        - If ``None``, the random number generator is the ``RandomState``
          instance used by ``np.random``.
    """.rstrip()

_n_jobs_docstring = """n_jobs : int, default=None
        Number of threads used by the computation. ``None`` means all cores
        (or the limit set with ``threadpoolctl.threadpool_limits``), ``-1``
        means all cores, a positive number that many threads.
    """.rstrip()
