//! counterpoise-core: the pure-Rust engine under the `counterpoise` Python package.
//!
//! No Python types live here. Every public function takes plain `ndarray` views and
//! returns owned arrays or a [`CoreError`]; nothing reachable from the bindings panics
//! on user data. Parallel work runs in a private rayon pool of the requested size
//! ([`pool::run`], kept per process for later calls), so output never depends on the
//! thread count and a forked child never uses a pool whose threads died in the fork.
// Off x86-64 the AVX2/FMA kernels are compiled out (runtime dispatch never picks
// them there), which leaves the helpers and fields only they use unused.
#![cfg_attr(
    not(target_arch = "x86_64"),
    allow(dead_code, unused_imports, unused_variables)
)]

pub mod alloc;
pub mod cluster;
pub mod cpu;
pub mod errors;
pub mod neighbours;
pub mod over;
pub mod pool;
pub mod progress;
pub mod real;
pub mod scale;
pub mod take;
pub mod under;

pub use errors::{CoreError, Result};
pub use real::Real;
