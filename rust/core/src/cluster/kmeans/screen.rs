//! The float32 screens of the assignment step: expanded squared distances
//! `|x|^2 + |c|^2 - 2 x.c` in float32 with a proven error bound ([`ScreenError`]),
//! which decide only which rows must be measured again exactly, never a label.

use super::keep_two;
#[cfg(target_arch = "x86_64")]
use super::kernels::{group_mins32_avx2, group_mins_avx2};
use super::layout::{f32_safe, Centres32, GroupTable, Groups, Lanes32, StripMins32};
use crate::cpu;

/// A group's nearest centre to `x`: `(m1, p1, m2)`, the smallest squared distance,
/// its first position in the group and the second smallest (a repeat of the
/// smallest counts), as a scan in position order with `v < m1` deciding would
/// find. `cg` holds the group's centres dimension-major, `len` per dimension,
/// `len` a multiple of 4; padding centres have infinite coordinates. Distances
/// add their terms in dimension order, as [`dist2`].
#[inline]
pub(super) fn group_mins(x: &[f64], cg: &[f64], len: usize, use_avx2: bool) -> (f64, usize, f64) {
    #[cfg(target_arch = "x86_64")]
    if use_avx2 && len % 4 == 0 && cg.len() >= len * x.len() {
        // SAFETY: the caller checked that the CPU supports AVX2; the lengths are
        // checked above.
        return unsafe { group_mins_avx2(x, cg, len) };
    }
    let _ = use_avx2;
    let (mut m1, mut p1, mut m2) = (f64::INFINITY, 0usize, f64::INFINITY);
    for p in 0..len {
        let mut v = 0.0;
        for (c, &xc) in x.iter().enumerate() {
            let t = xc - cg[c * len + p];
            v += t * t;
        }
        keep_two(&mut m1, &mut p1, &mut m2, v, p);
    }
    (m1, p1, m2)
}

/// The screen of one group: `cg` holds the group's squared norms (`len` of
/// them), then its centres times -2, dimension-major; `len` is a multiple of 8
/// and padding centres have infinite norm. Returns the lanes and their smallest
/// distance.
#[inline]
pub(super) fn group_mins32(
    x: &[f32],
    xn: f32,
    cg: &[f32],
    len: usize,
    use_fma: bool,
) -> (Lanes32, f32) {
    #[cfg(target_arch = "x86_64")]
    if use_fma && len % 8 == 0 && cg.len() >= len * (x.len() + 1) {
        // SAFETY: the caller checked that the CPU supports AVX2 and FMA; the
        // lengths are checked above.
        return unsafe { group_mins32_avx2(x, xn, cg, len) };
    }
    let _ = use_fma;
    let mut lanes = Lanes32 {
        m1: [f32::INFINITY; 8],
        pos: [0.0; 8],
        m2: [f32::INFINITY; 8],
    };
    for p in 0..len {
        let mut v = xn + cg[p];
        for (c, &xc) in x.iter().enumerate() {
            v = xc.mul_add(cg[(c + 1) * len + p], v);
        }
        let l = p % 8;
        keep_two(
            &mut lanes.m1[l],
            &mut lanes.pos[l],
            &mut lanes.m2[l],
            v,
            p as f32,
        );
    }
    (lanes, lanes.min())
}

impl GroupTable {
    pub(super) fn exact(&self, x: &[f64], g: usize, use_avx2: bool) -> (f64, usize, f64) {
        group_mins(
            x,
            &self.ct[self.off[g]..self.off[g + 1]],
            self.plen[g],
            use_avx2,
        )
    }

    pub(super) fn screen(&self, x: &[f32], xn: f32, g: usize, use_fma: bool) -> (Lanes32, f32) {
        let cg = &self.ct32[self.off32[g]..self.off32[g + 1]];
        group_mins32(x, xn, cg, self.plen32[g], use_fma)
    }
}

/// The float32 screens' error bounds against the centres of each group.
pub(super) struct ScreenError {
    /// `2 (d + 3) u`, or infinite when the screens may not run (see
    /// [`f32_safe`]; ids and positions also travel as float32, exact below 2^24),
    /// so that every row is then measured exactly.
    pub(super) coef: f64,
    /// Per group, the square root of its centres' largest squared norm.
    pub(super) roots: Vec<f64>,
}

impl ScreenError {
    /// `norms`: the centres' squared norms; `row_max`: the rows' largest.
    pub(super) fn new(norms: &[f64], d: usize, groups: &Groups, row_max: f64) -> Self {
        let max_norm = norms.iter().fold(0.0, |a: f64, &b| a.max(b));
        let usable = f32_safe(max_norm.max(row_max)) && norms.len() <= 1 << 24;
        ScreenError {
            coef: if usable {
                2.0 * (d as f64 + 3.0) * (f32::EPSILON as f64 / 2.0)
            } else {
                f64::INFINITY
            },
            roots: (0..groups.len())
                .map(|g| {
                    groups.order[groups.start[g]..groups.start[g + 1]]
                        .iter()
                        .map(|&j| norms[j])
                        .fold(0.0, f64::max)
                        .sqrt()
                })
                .collect(),
        }
    }

    pub(super) fn usable(&self) -> bool {
        self.coef.is_finite()
    }

    /// A bound on `|float32 expanded squared distance - squared distance|` for a
    /// row of norm `root_x` and any centre of group `g`: float32 rounding of the
    /// inputs and of `d + 1` fused operations stays within
    /// `(d + 3) u (|x| + |c|)^2`; doubled for margin.
    pub(super) fn err(&self, root_x: f64, g: usize) -> f64 {
        let s = root_x + self.roots[g];
        self.coef * s * s
    }
}

impl StripMins32 {
    pub(super) fn fill(&mut self, xl: &[[f32; 8]], xn: &[f32; 8], c: &Centres32, groups: &Groups) {
        #[cfg(target_arch = "x86_64")]
        if cpu::avx2_fma() {
            // SAFETY: the CPU supports AVX2 and FMA.
            unsafe { self.fill_avx2(xl, xn, c, groups) };
            return;
        }
        self.fill_portable(xl, xn, c, groups)
    }
}
