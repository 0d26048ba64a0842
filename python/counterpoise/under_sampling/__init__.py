"""Under-samplers and cleaning rules (``imblearn.under_sampling``)."""

from ._cluster_centroids import ClusterCentroids
from ._condensed_nearest_neighbour import CondensedNearestNeighbour
from ._edited_nearest_neighbours import (
    AllKNN,
    EditedNearestNeighbours,
    RepeatedEditedNearestNeighbours,
)
from ._instance_hardness_threshold import InstanceHardnessThreshold
from ._nearmiss import NearMiss
from ._neighbourhood_cleaning_rule import NeighbourhoodCleaningRule
from ._one_sided_selection import OneSidedSelection
from ._random_under_sampler import RandomUnderSampler
from ._tomek_links import TomekLinks

__all__ = [
    "AllKNN",
    "ClusterCentroids",
    "CondensedNearestNeighbour",
    "EditedNearestNeighbours",
    "InstanceHardnessThreshold",
    "NearMiss",
    "NeighbourhoodCleaningRule",
    "OneSidedSelection",
    "RandomUnderSampler",
    "RepeatedEditedNearestNeighbours",
    "TomekLinks",
]
