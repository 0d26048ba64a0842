//! Over-samplers: generation of synthetic rows.

pub mod density;
pub mod smote;
pub mod vdm;
