//! Under-samplers: the sequential selection loops that do not reduce to one search,
//! one module per imbalanced-learn sampler they serve.

pub mod condensed_nearest_neighbour;
