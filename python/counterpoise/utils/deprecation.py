"""Deprecation helpers (``imblearn.utils.deprecation``)."""

import warnings

__all__ = ["deprecate_parameter"]


def deprecate_parameter(sampler, version_deprecation, param_deprecated, new_param=None):
    """Warn that a parameter is deprecated and, if given, copy it to its successor.

    Nothing happens when the deprecated parameter is ``None`` (its default);
    otherwise a ``FutureWarning`` says in which version it was deprecated and in
    which it goes (two minor versions later), and with ``new_param`` its value
    is copied to ``new_param`` on ``sampler``.

    Parameters
    ----------
    sampler : object
        The estimator holding the parameter.
    version_deprecation : str
        The version that deprecated it, as ``'major.minor'``.
    param_deprecated : str
        The deprecated parameter's name.
    new_param : str, default=None
        The parameter that replaces it, if any.

    See Also
    --------
    warnings.warn : How the ``FutureWarning`` is issued.

    Examples
    --------
    >>> import warnings
    >>> from counterpoise.utils.deprecation import deprecate_parameter
    >>> class Sampler:
    ...     def __init__(self):
    ...         self.ratio, self.sampling_strategy = 0.5, "auto"
    >>> s = Sampler()
    >>> with warnings.catch_warnings(record=True) as w:
    ...     warnings.simplefilter("always")
    ...     deprecate_parameter(s, "0.4", "ratio", "sampling_strategy")
    >>> s.sampling_strategy, w[0].category.__name__
    (0.5, 'FutureWarning')
    """
    try:
        major, minor = version_deprecation.split(".")
        version_removed = f"{major}.{int(minor) + 2}"
    except ValueError:
        raise ValueError(
            f"version_deprecation must be 'major.minor', got {version_deprecation!r}."
        ) from None
    value = getattr(sampler, param_deprecated)
    if value is None:
        return
    message = (
        f"'{param_deprecated}' is deprecated from {version_deprecation} and will "
        f"be removed in {version_removed} for the estimator {sampler.__class__}."
    )
    if new_param is not None:
        message += f" Use '{new_param}' instead."
    warnings.warn(message, category=FutureWarning, stacklevel=2)
    if new_param is not None:
        setattr(sampler, new_param, value)
