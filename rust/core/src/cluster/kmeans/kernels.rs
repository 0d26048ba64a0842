//! The AVX2 builds of the k-means loops: the k-means++ screen, the exact and the
//! float32 group scans, and the first assignment's strip screen. Each rounds as
//! its portable twin does (the exact scan uses no FMA; the float32 ones use FMA
//! where the portable ones use `mul_add`), so results are the same on any machine.

#![cfg(target_arch = "x86_64")]

use super::layout::{
    Cands, Centres32, Groups, Lanes32, ScoreBlock, StripMins32, Taken, TILE_Q, TILE_R32,
};
use super::merge_lanes;

impl ScoreBlock<'_> {
    /// A float32 screen, 16 rows by 4 candidates at a time in AVX2 registers: a
    /// row whose float32 change is at least the error bound cannot have a
    /// negative change; the few others are computed exactly, so the result is
    /// [`Self::taken_rows`]'.
    ///
    /// # Safety
    /// The CPU must support AVX2 and FMA. (Lengths are checked here: on a
    /// mismatch the exact loop runs instead.)
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2,fma")]
    pub(super) unsafe fn taken_avx2(&self, c: &Cands, taken: &mut [Taken]) {
        // SAFETY: AVX2 and FMA run (the caller's contract); `w32` and every column hold
        // `m` values and each 16-row strip starts at `i <= m - 16` (lengths checked at
        // the top, strips counted from `m`), so every 8-lane load stays inside them.
        unsafe {
            use std::arch::x86_64::*;
            let m = self.w.len();
            let d = self.d;
            let strips = m / TILE_R32;
            let ok = self.w32.len() == m
                && self.cols32.len() == d
                && self.cols32.iter().all(|col| col.len() == m)
                && c.qm2_32.iter().all(|q| q.len() == d);
            if !ok {
                return self.taken_rows(c, taken, 0..m);
            }
            let nq = c.qn.len();
            for t0 in (0..nq).step_by(TILE_Q) {
                let live = (nq - t0).min(TILE_Q);
                let pick = |t: usize| t0 + t.min(live - 1);

                let qv: Vec<[f32; TILE_Q]> = (0..d)
                    .map(|j| std::array::from_fn(|t| c.qm2_32[pick(t)][j]))
                    .collect();
                // Each candidate's error bound is taken off where the sum starts, so a
                // row passes the screen when its sum is negative. (The bound is
                // doubled, which covers this one more rounding.)
                let qnv: [__m256; TILE_Q] = std::array::from_fn(|t| {
                    let qn = c.qn[pick(t)];
                    _mm256_set1_ps((qn - self.err(qn) as f64) as f32)
                });
                let zero = _mm256_setzero_ps();
                for s in 0..strips {
                    let i = s * TILE_R32;
                    // SAFETY: i + 16 <= m, the length of w32 and of every column
                    // (checked above).
                    let w0 = _mm256_loadu_ps(self.w32.as_ptr().add(i));
                    let w1 = _mm256_loadu_ps(self.w32.as_ptr().add(i + 8));
                    let mut acc: [__m256; 2 * TILE_Q] = std::array::from_fn(|a| {
                        _mm256_add_ps(if a % 2 == 0 { w0 } else { w1 }, qnv[a / 2])
                    });
                    for (col, q) in self.cols32.iter().zip(&qv) {
                        let x0 = _mm256_loadu_ps(col.as_ptr().add(i));
                        let x1 = _mm256_loadu_ps(col.as_ptr().add(i + 8));
                        for t in 0..TILE_Q {
                            let qt = _mm256_set1_ps(q[t]);
                            acc[2 * t] = _mm256_fmadd_ps(x0, qt, acc[2 * t]);
                            acc[2 * t + 1] = _mm256_fmadd_ps(x1, qt, acc[2 * t + 1]);
                        }
                    }
                    let mut any = _mm256_setzero_ps();
                    for a in acc {
                        any = _mm256_or_ps(any, _mm256_cmp_ps::<_CMP_LT_OQ>(a, zero));
                    }
                    if _mm256_movemask_ps(any) == 0 {
                        continue;
                    }
                    for t in 0..live {
                        let near =
                            _mm256_movemask_ps(_mm256_cmp_ps::<_CMP_LT_OQ>(acc[2 * t], zero))
                                | (_mm256_movemask_ps(_mm256_cmp_ps::<_CMP_LT_OQ>(
                                    acc[2 * t + 1],
                                    zero,
                                )) << 8);
                        for l in 0..TILE_R32 {
                            if near & (1 << l) != 0 {
                                let v = self.exact(c, t0 + t, i + l);
                                if v < 0.0 {
                                    taken[t0 + t].push(((self.lo + i + l) as u32, v));
                                }
                            }
                        }
                    }
                }
            }
            self.taken_rows(c, taken, strips * TILE_R32..m);
        }
    }
}

/// [`group_mins`] with the distances of 16 centres in AVX2 registers while the
/// dimensions stream past, and the running minima kept per lane: lane `l` sees
/// positions `l, l + 4, ...` in order, and the lanes merge as the sequential scan
/// would (lowest position on a tie).
///
/// # Safety
/// The CPU must support AVX2; `len` is a multiple of 4 and
/// `cg.len() >= len * x.len()`.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
pub(super) unsafe fn group_mins_avx2(x: &[f64], cg: &[f64], len: usize) -> (f64, usize, f64) {
    // SAFETY: AVX2 runs (the caller's contract); `len` is a multiple of 4 and
    // `cg.len() >= len * x.len()` (the contract; `group_mins` checks both), so the
    // loads below stay inside `cg` (see the note at the loop).
    unsafe {
        use std::arch::x86_64::*;
        let inf = _mm256_set1_pd(f64::INFINITY);
        let (mut m1, mut m2) = (inf, inf);
        let mut id = _mm256_setzero_pd();
        let lanes = _mm256_set_pd(3.0, 2.0, 1.0, 0.0);
        let base = cg.as_ptr();
        let fold = |v: __m256d, p: usize, m1: &mut __m256d, m2: &mut __m256d, id: &mut __m256d| {
            let lt = _mm256_cmp_pd::<_CMP_LT_OQ>(v, *m1);
            *m2 = _mm256_blendv_pd(_mm256_min_pd(*m2, v), *m1, lt);
            *m1 = _mm256_blendv_pd(*m1, v, lt);
            *id = _mm256_blendv_pd(*id, _mm256_add_pd(lanes, _mm256_set1_pd(p as f64)), lt);
        };
        let mut p = 0;
        // SAFETY (all loads): dimension c of the block starts at base + c len + p,
        // and p + 4 h + 4 <= len, so every load lies within d len <= cg.len().
        while p + 16 <= len {
            let mut acc = [_mm256_setzero_pd(); 4];
            let mut ptr = base.add(p);
            for &xc in x {
                let xv = _mm256_set1_pd(xc);
                for (h, a) in acc.iter_mut().enumerate() {
                    let t = _mm256_sub_pd(xv, _mm256_loadu_pd(ptr.add(4 * h)));
                    *a = _mm256_add_pd(*a, _mm256_mul_pd(t, t));
                }
                ptr = ptr.wrapping_add(len);
            }
            for (h, &a) in acc.iter().enumerate() {
                fold(a, p + 4 * h, &mut m1, &mut m2, &mut id);
            }
            p += 16;
        }
        while p < len {
            let mut a = _mm256_setzero_pd();
            let mut ptr = base.add(p);
            for &xc in x {
                let t = _mm256_sub_pd(_mm256_set1_pd(xc), _mm256_loadu_pd(ptr));
                a = _mm256_add_pd(a, _mm256_mul_pd(t, t));
                ptr = ptr.wrapping_add(len);
            }
            fold(a, p, &mut m1, &mut m2, &mut id);
            p += 4;
        }
        let (mut v1, mut v2, mut vi) = ([0.0f64; 4], [0.0f64; 4], [0.0f64; 4]);
        _mm256_storeu_pd(v1.as_mut_ptr(), m1);
        _mm256_storeu_pd(v2.as_mut_ptr(), m2);
        _mm256_storeu_pd(vi.as_mut_ptr(), id);
        let (m1, id, m2) = merge_lanes(&v1, &vi, &v2);
        (m1, id as usize, m2)
    }
}

/// [`group_mins32`] with 32 centres in AVX2 registers at a time.
///
/// # Safety
/// The CPU must support AVX2 and FMA; `len` is a multiple of 8 and
/// `cg.len() >= len * (x.len() + 1)`.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
pub(super) unsafe fn group_mins32_avx2(
    x: &[f32],
    xn: f32,
    cg: &[f32],
    len: usize,
) -> (Lanes32, f32) {
    // SAFETY: AVX2 and FMA run (the caller's contract); `len` is a multiple of 8 and
    // `cg.len() >= len * (x.len() + 1)` (the contract; `group_mins32` checks both),
    // so the loads below stay inside `cg` (see the note at the loop).
    unsafe {
        use std::arch::x86_64::*;
        let inf = _mm256_set1_ps(f32::INFINITY);
        let (mut m1, mut m2) = (inf, inf);
        let mut id = _mm256_setzero_ps();
        let lanes = _mm256_set_ps(7.0, 6.0, 5.0, 4.0, 3.0, 2.0, 1.0, 0.0);
        let xnv = _mm256_set1_ps(xn);
        let base = cg.as_ptr();
        let fold = |v: __m256, p: usize, m1: &mut __m256, m2: &mut __m256, id: &mut __m256| {
            let lt = _mm256_cmp_ps::<_CMP_LT_OQ>(v, *m1);
            *m2 = _mm256_blendv_ps(_mm256_min_ps(*m2, v), *m1, lt);
            *m1 = _mm256_blendv_ps(*m1, v, lt);
            *id = _mm256_blendv_ps(*id, _mm256_add_ps(lanes, _mm256_set1_ps(p as f32)), lt);
        };
        let mut p = 0;
        // SAFETY (all loads): row c + 1 of the block starts at base + (c + 1) len + p,
        // and p + 8 h + 8 <= len, so every load lies within (d + 1) len <= cg.len().
        // Pointers advance by `add` (no overflow-checked index arithmetic in the
        // loop).
        while p + 32 <= len {
            let mut ptr = base.add(p);
            let mut acc: [__m256; 4] =
                std::array::from_fn(|h| _mm256_add_ps(xnv, _mm256_loadu_ps(ptr.add(8 * h))));
            for &xc in x {
                ptr = ptr.add(len);
                let xv = _mm256_set1_ps(xc);
                for (h, a) in acc.iter_mut().enumerate() {
                    *a = _mm256_fmadd_ps(xv, _mm256_loadu_ps(ptr.add(8 * h)), *a);
                }
            }
            for (h, &a) in acc.iter().enumerate() {
                fold(a, p + 8 * h, &mut m1, &mut m2, &mut id);
            }
            p += 32;
        }
        while p < len {
            let mut ptr = base.add(p);
            let mut a = _mm256_add_ps(xnv, _mm256_loadu_ps(ptr));
            for &xc in x {
                ptr = ptr.add(len);
                a = _mm256_fmadd_ps(_mm256_set1_ps(xc), _mm256_loadu_ps(ptr), a);
            }
            fold(a, p, &mut m1, &mut m2, &mut id);
            p += 8;
        }
        let mut out = Lanes32 {
            m1: [0.0; 8],
            pos: [0.0; 8],
            m2: [0.0; 8],
        };
        _mm256_storeu_ps(out.m1.as_mut_ptr(), m1);
        _mm256_storeu_ps(out.pos.as_mut_ptr(), id);
        _mm256_storeu_ps(out.m2.as_mut_ptr(), m2);
        // The smallest lane: a horizontal minimum.
        let h = _mm_min_ps(_mm256_castps256_ps128(m1), _mm256_extractf128_ps::<1>(m1));
        let h = _mm_min_ps(h, _mm_movehl_ps(h, h));
        let h = _mm_min_ss(h, _mm_shuffle_ps::<1>(h, h));
        (out, _mm_cvtss_f32(h))
    }
}

impl StripMins32 {
    /// [`Self::fill`] with 8 rows by 8 centres in AVX2 registers.
    ///
    /// # Safety
    /// The CPU must support AVX2 and FMA. (The table's sizes are checked here: on
    /// a mismatch the portable loop runs instead.)
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2,fma")]
    pub(super) unsafe fn fill_avx2(
        &mut self,
        xl: &[[f32; 8]],
        xn: &[f32; 8],
        c: &Centres32,
        groups: &Groups,
    ) {
        // SAFETY: AVX2 and FMA run (the caller's contract); every centre id is below
        // `k` and `cm2` holds `k * d` values (both checked at the top), so each
        // broadcast reads inside `cn` and `cm2`; `xn`, `xl[j]` and the outputs are arrays
        // of eight.
        unsafe {
            use std::arch::x86_64::*;
            const T: usize = 8;
            let d = xl.len();
            let k = c.cn.len();
            // `order` is a permutation of the k centre ids (see [`Groups`]).
            if c.cm2.len() < k * d || groups.order.len() != k {
                return self.fill_portable(xl, xn, c, groups);
            }
            let xnv = _mm256_loadu_ps(xn.as_ptr());
            let inf = _mm256_set1_ps(f32::INFINITY);
            for g in 0..groups.len().min(self.m1.len()) {
                let ids = &groups.order[groups.start[g]..groups.start[g + 1]];
                let (mut m1, mut m2, mut id1) = (inf, inf, _mm256_setzero_ps());
                for p0 in (0..ids.len()).step_by(T) {
                    let live = (ids.len() - p0).min(T);
                    let id: [usize; T] = std::array::from_fn(|t| ids[p0 + t.min(live - 1)]);
                    // SAFETY: every id is below k (checked above), cm2 holds k * d.
                    let mut acc: [__m256; T] = std::array::from_fn(|t| {
                        _mm256_add_ps(xnv, _mm256_set1_ps(*c.cn.get_unchecked(id[t])))
                    });
                    let base: [*const f32; T] =
                        std::array::from_fn(|t| c.cm2.as_ptr().add(id[t] * d));
                    for (j, x) in xl.iter().enumerate() {
                        let xv = _mm256_loadu_ps(x.as_ptr());
                        for t in 0..T {
                            acc[t] =
                                _mm256_fmadd_ps(xv, _mm256_broadcast_ss(&*base[t].add(j)), acc[t]);
                        }
                    }
                    for t in 0..live {
                        let v = acc[t];
                        let lt = _mm256_cmp_ps::<_CMP_LT_OQ>(v, m1);
                        m2 = _mm256_blendv_ps(_mm256_min_ps(m2, v), m1, lt);
                        m1 = _mm256_blendv_ps(m1, v, lt);
                        id1 = _mm256_blendv_ps(id1, _mm256_set1_ps(id[t] as f32), lt);
                    }
                }
                _mm256_storeu_ps(self.m1[g].as_mut_ptr(), m1);
                _mm256_storeu_ps(self.id1[g].as_mut_ptr(), id1);
                _mm256_storeu_ps(self.m2[g].as_mut_ptr(), m2);
            }
        }
    }
}
