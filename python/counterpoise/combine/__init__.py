"""Combined over- and under-samplers (``imblearn.combine``)."""

from ._smote_combined import SMOTEENN, SMOTETomek

__all__ = ["SMOTEENN", "SMOTETomek"]
