"""Dataset helpers (``imblearn.datasets``)."""

from ._imbalance import make_imbalance
from ._zenodo import fetch_datasets

__all__ = ["fetch_datasets", "make_imbalance"]
