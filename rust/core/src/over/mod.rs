//! Over-samplers: generation of synthetic rows.

pub mod smote;
pub mod vdm;
