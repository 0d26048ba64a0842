//! Clustering for the samplers that cluster: the k-means under imblearn's
//! `ClusterCentroids` (its default `KMeans`, `counterpoise.utils._kmeans.KMeans` on
//! the Python side), reproducing scikit-learn's
//! `KMeans(init="k-means++", algorithm="lloyd")` (see [`kmeans`]).

pub mod kmeans;
