//! The floating-point element types the engine works in: `f32` and `f64`.
//!
//! Data stays in the caller's precision (float32 is never up-cast as a whole); exact
//! distances and interpolation steps are carried in `f64`, as numpy does when it mixes
//! a float32 array with float64 random steps.

use std::fmt::Debug;

pub trait Real:
    Copy
    + Send
    + Sync
    + Debug
    + PartialOrd
    + Default
    + 'static
    + std::ops::Add<Output = Self>
    + std::ops::Sub<Output = Self>
    + std::ops::Mul<Output = Self>
{
    /// Unit round-off of the type.
    const EPSILON: f64;
    fn to_f64(self) -> f64;
    fn from_f64(v: f64) -> Self;
    fn is_finite(self) -> bool;

    /// `C = A · B` for general strides (`matrixmultiply`), `C` overwritten.
    ///
    /// # Safety
    /// The pointers and strides must describe valid `m×k`, `k×n` and `m×n` matrices.
    #[allow(clippy::too_many_arguments)]
    unsafe fn gemm(
        m: usize,
        k: usize,
        n: usize,
        a: *const Self,
        rsa: isize,
        csa: isize,
        b: *const Self,
        rsb: isize,
        csb: isize,
        c: *mut Self,
        rsc: isize,
        csc: isize,
    );
}

impl Real for f64 {
    const EPSILON: f64 = f64::EPSILON;
    #[inline(always)]
    fn to_f64(self) -> f64 {
        self
    }
    #[inline(always)]
    fn from_f64(v: f64) -> Self {
        v
    }
    #[inline(always)]
    fn is_finite(self) -> bool {
        f64::is_finite(self)
    }
    unsafe fn gemm(
        m: usize,
        k: usize,
        n: usize,
        a: *const Self,
        rsa: isize,
        csa: isize,
        b: *const Self,
        rsb: isize,
        csb: isize,
        c: *mut Self,
        rsc: isize,
        csc: isize,
    ) {
        // SAFETY: the caller upholds this function's contract (valid `m×k`, `k×n`
        // and `m×n` matrices), which is exactly `dgemm`'s.
        unsafe { matrixmultiply::dgemm(m, k, n, 1.0, a, rsa, csa, b, rsb, csb, 0.0, c, rsc, csc) };
    }
}

impl Real for f32 {
    const EPSILON: f64 = f32::EPSILON as f64;
    #[inline(always)]
    fn to_f64(self) -> f64 {
        self as f64
    }
    #[inline(always)]
    fn from_f64(v: f64) -> Self {
        v as f32
    }
    #[inline(always)]
    fn is_finite(self) -> bool {
        f32::is_finite(self)
    }
    unsafe fn gemm(
        m: usize,
        k: usize,
        n: usize,
        a: *const Self,
        rsa: isize,
        csa: isize,
        b: *const Self,
        rsb: isize,
        csb: isize,
        c: *mut Self,
        rsc: isize,
        csc: isize,
    ) {
        // SAFETY: the caller upholds this function's contract (valid `m×k`, `k×n`
        // and `m×n` matrices), which is exactly `sgemm`'s.
        unsafe { matrixmultiply::sgemm(m, k, n, 1.0, a, rsa, csa, b, rsb, csb, 0.0, c, rsc, csc) };
    }
}

/// Whether every value of `src` is finite, in one vectorised pass: `v - v` is 0
/// for a finite value and NaN otherwise, summed in 16 independent lanes so that the
/// compiler vectorises the test together with whatever `visit` does with each
/// chunk (called with the chunk's offset: 16 values, then the remainder), e.g. a
/// copy, which then costs no more than the copy alone (memory-bound).
#[allow(clippy::eq_op)] // `v - v` is the test itself
#[inline(always)]
pub(crate) fn finite_scan<T: Real>(src: &[T], mut visit: impl FnMut(usize, &[T])) -> bool {
    const W: usize = 16;
    let mut acc = [T::default(); W];
    let mut chunks = src.chunks_exact(W);
    for (c, v) in (&mut chunks).enumerate() {
        visit(c * W, v);
        for l in 0..W {
            acc[l] = acc[l] + (v[l] - v[l]);
        }
    }
    let rest = chunks.remainder();
    visit(src.len() - rest.len(), rest);
    acc.iter().all(|&a| a == T::default()) && rest.iter().all(|v| v.is_finite())
}
