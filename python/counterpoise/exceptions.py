"""Errors and the error helpers of counterpoise (``imblearn.exceptions``).

Examples
--------
>>> from counterpoise.exceptions import raise_isinstance_error
>>> try:
...     raise_isinstance_error("n_neighbors", [int], "three")
... except ValueError as exc:
...     print(exc)
n_neighbors has to be one of [<class 'int'>]. Got <class 'str'> instead.
"""

__all__ = ["raise_isinstance_error"]


def raise_isinstance_error(variable_name, possible_type, variable):
    """Raise a ValueError saying that a variable has the wrong type.

    The message names the variable, the accepted types and the type received,
    in the words imbalanced-learn uses.

    Parameters
    ----------
    variable_name : str
        Name of the variable, as the user wrote it (a parameter's name).
    possible_type : type or list of type
        The type(s) the variable may have.
    variable : object
        The value received.

    Raises
    ------
    ValueError
        Always.

    See Also
    --------
    counterpoise.utils.check_neighbors_object : Uses it for ``n_neighbors``.

    Examples
    --------
    >>> from counterpoise.exceptions import raise_isinstance_error
    >>> raise_isinstance_error("k", [int], 2.5)
    Traceback (most recent call last):
    ...
    ValueError: k has to be one of [<class 'int'>]. Got <class 'float'> instead.
    """
    raise ValueError(
        f"{variable_name} has to be one of {possible_type}. "
        f"Got {type(variable)} instead."
    )
