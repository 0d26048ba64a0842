//! Under-samplers: the sequential selection loops that do not reduce to one search.

pub mod cnn;
