//! Clustering for the samplers that cluster (ClusterCentroids' default k-means).

pub mod kmeans;
