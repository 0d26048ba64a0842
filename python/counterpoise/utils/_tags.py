"""imbalanced-learn's estimator tags, as scikit-learn tag dataclasses.

Samplers return :class:`Tags` from ``__sklearn_tags__``: scikit-learn's
``Tags`` with one more field, ``sampler_tags`` (:class:`SamplerTags`), and
``input_tags`` an :class:`InputTags`, scikit-learn's with one more field,
``dataframe``. Subclassing keeps every scikit-learn reader working; the extra
fields are what imbalanced-learn's code (its estimator checks, ``is_sampler``)
reads.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields

from sklearn.utils import InputTags as _SklearnInputTags
from sklearn.utils import Tags as _SklearnTags
from sklearn.utils import get_tags

__all__ = ["InputTags", "SamplerTags", "Tags", "get_tags"]


@dataclass(slots=True)
class InputTags(_SklearnInputTags):
    """Tags for the input data: scikit-learn's, plus ``dataframe``.

    Parameters
    ----------
    dataframe : bool, default=False
        Whether the estimator accepts dataframes (pandas, polars) and gives
        back the same kind.

    Examples
    --------
    >>> from counterpoise.over_sampling import SMOTE
    >>> SMOTE().__sklearn_tags__().input_tags.dataframe
    True
    """

    dataframe: bool = False


@dataclass(slots=True)
class SamplerTags:
    """Tags specific to samplers.

    Parameters
    ----------
    sample_indices : bool, default=False
        Whether ``fit_resample`` sets ``sample_indices_``, the input rows the
        output was taken from.

    Examples
    --------
    >>> from counterpoise.under_sampling import RandomUnderSampler
    >>> RandomUnderSampler().__sklearn_tags__().sampler_tags.sample_indices
    True
    """

    sample_indices: bool = False


@dataclass(slots=True)
class Tags(_SklearnTags):
    """Estimator tags: scikit-learn's, plus ``sampler_tags``.

    Parameters
    ----------
    sampler_tags : SamplerTags or None, default=None
        The sampler tags; ``None`` for estimators that are not samplers.

    Examples
    --------
    >>> from counterpoise.over_sampling import SMOTE
    >>> tags = SMOTE().__sklearn_tags__()
    >>> tags.estimator_type, tags.sampler_tags.sample_indices
    ('sampler', False)
    """

    input_tags: InputTags = field(default_factory=InputTags)
    sampler_tags: SamplerTags | None = None


def _as_input_tags(tags) -> InputTags:
    if isinstance(tags, InputTags):
        return tags
    return InputTags(**{f.name: getattr(tags, f.name) for f in fields(tags)})


def as_sampler_tags(tags, *, sample_indices: bool = False) -> Tags:
    """scikit-learn ``Tags`` made into imbalanced-learn's, for a sampler."""
    values = {f.name: getattr(tags, f.name) for f in fields(_SklearnTags)}
    values["input_tags"] = _as_input_tags(values["input_tags"])
    sampler = getattr(tags, "sampler_tags", None)
    values["sampler_tags"] = sampler or SamplerTags(sample_indices=sample_indices)
    return Tags(**values)
