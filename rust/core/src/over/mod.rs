//! Over-samplers: generation of synthetic rows, one module per imbalanced-learn
//! sampler they serve (`smote` for SMOTE and the samplers built on its
//! generation, `smoten` for SMOTEN, `kmeans_smote` for KMeansSMOTE).

pub mod kmeans_smote;
pub mod smote;
pub mod smoten;
