"""Model selection for imbalanced data (``imblearn.model_selection``).

:class:`InstanceHardnessCV` is imbalanced-learn's splitter that spreads the hard
samples evenly over the folds.

:class:`StrategySearchCV` is a scikit-learn meta-estimator that evaluates the
strategies :func:`counterpoise.compare` measures (the plain model, class
weights, decision-threshold tuning, the samplers inside the leakage-safe
pipeline, balanced ensembles) on one set of inner folds, chooses one by the
one-standard-error rule, and refits it on all the data it is given. Because the
choice happens inside ``fit``, cross-validating the search is an honest, nested
estimate of the whole procedure.

See Also
--------
counterpoise.compare : The same strategies, measured and reported.
counterpoise.pipeline.Pipeline : Resamples while fitting only.

Examples
--------
>>> from sklearn.datasets import make_classification
>>> from counterpoise.model_selection import StrategySearchCV
>>> X, y = make_classification(n_samples=300, weights=[0.9], random_state=0)
>>> search = StrategySearchCV(
...     strategies=["baseline", "class_weight"], cv=3, random_state=0
... ).fit(X, y)
>>> search.best_strategy_ in ("baseline", "class_weight")
True
"""

from ._search import StrategySearchCV
from ._split import InstanceHardnessCV

__all__ = ["InstanceHardnessCV", "StrategySearchCV"]
