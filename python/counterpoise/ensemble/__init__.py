"""Ensembles trained on balanced resamples (``imblearn.ensemble``)."""

from ._bagging import BalancedBaggingClassifier, EasyEnsembleClassifier

__all__ = ["BalancedBaggingClassifier", "EasyEnsembleClassifier"]
