//! CPU features and the environment switches of the vector kernels, in one place.
//!
//! Every kernel with an AVX2 build asks here whether it may run it; nothing else
//! in the crate calls `is_x86_feature_detected!` or reads a `COUNTERPOISE_*`
//! variable. Detection is cached by the standard library (one atomic load per
//! question after the first). The switches are read on each call, so setting one
//! between calls takes effect, as it always has:
//!
//! - `COUNTERPOISE_PORTABLE_KNN=1`: the k-NN engine uses its portable kernels even
//!   where the AVX2 ones could run (the answers are bit-identical either way; the
//!   switch exists to check that on one machine);
//! - `COUNTERPOISE_ONE_WAY_KNN=1`: the brute-force self-query scans each pair of
//!   rows once per direction, as for other queries, instead of once for both.

/// Whether the CPU runs AVX2.
#[inline]
pub fn avx2() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        std::arch::is_x86_feature_detected!("avx2")
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}

/// Whether the CPU runs AVX2 and FMA.
#[inline]
pub fn avx2_fma() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma")
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}

/// Whether a variable is set to exactly `1`.
fn switch_on(name: &str) -> bool {
    std::env::var_os(name).is_some_and(|v| v == "1")
}

/// `COUNTERPOISE_PORTABLE_KNN=1`: the k-NN engine keeps to its portable kernels.
pub fn portable_knn_forced() -> bool {
    switch_on("COUNTERPOISE_PORTABLE_KNN")
}

/// `COUNTERPOISE_ONE_WAY_KNN=1`: brute-force self-queries scan one way.
pub fn one_way_knn_forced() -> bool {
    switch_on("COUNTERPOISE_ONE_WAY_KNN")
}

/// Which kernels one k-NN search may use. Chosen once per call
/// ([`Kernels::from_env`] for the public entry points), so tests can compare both
/// in one process without touching the environment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kernels {
    /// The vector kernels wherever the CPU runs them.
    Native,
    /// The portable kernels only.
    Portable,
}

impl Kernels {
    /// [`Kernels::Portable`] when `COUNTERPOISE_PORTABLE_KNN=1`, else native.
    pub fn from_env() -> Self {
        if portable_knn_forced() {
            Kernels::Portable
        } else {
            Kernels::Native
        }
    }

    /// Whether AVX2 kernels may run.
    pub fn avx2(self) -> bool {
        self == Kernels::Native && avx2()
    }

    /// Whether AVX2 + FMA kernels may run.
    pub fn avx2_fma(self) -> bool {
        self == Kernels::Native && avx2_fma()
    }
}
