//! Fused AVX2/FMA candidate scan for the brute-force search (x86-64 only).
//!
//! Computes `key = |x|^2 - 2 q.x` for a tile of 4 queries x 16 data rows in
//! registers (dot products by FMA over the dimension) and compares each key with
//! its query's threshold there, so the distance block is never written to memory;
//! only keys that pass are pushed. The data are packed once into panels of 16 rows,
//! dimension-major, padded with NaN norms (a NaN key never passes the ordered
//! comparison). The rounding of an FMA-accumulated dot product obeys the same bound
//! as the GEMM path's, so the caller's margin argument (brute.rs) holds unchanged.

#![allow(clippy::missing_safety_doc)]

/// Rows per panel (two 8-lane registers).
pub const PANEL: usize = 16;

/// Data packed for [`scan_tile`]: `panels[g]` holds rows `16g..16g+16` as `dim`
/// groups of 16 floats; `norms` the rows' squared norms (NaN for padding).
pub struct Panels {
    pub dim: usize,
    pub rows: usize,
    pub data: Vec<f32>,
    pub norms: Vec<f32>,
}

impl Panels {
    pub fn pack(rows_major: &[f32], norms: &[f32], dim: usize) -> Panels {
        let rows = norms.len();
        let groups = rows.div_ceil(PANEL);
        let mut data = vec![0.0f32; groups * PANEL * dim];
        let mut padded = vec![f32::NAN; groups * PANEL];
        padded[..rows].copy_from_slice(norms);
        for (r, row) in rows_major.chunks_exact(dim.max(1)).enumerate().take(rows) {
            let (g, l) = (r / PANEL, r % PANEL);
            let base = g * PANEL * dim;
            for (p, &v) in row.iter().enumerate() {
                data[base + p * PANEL + l] = v;
            }
        }
        Panels {
            dim,
            rows,
            data,
            norms: padded,
        }
    }

    pub fn groups(&self) -> usize {
        self.norms.len() / PANEL
    }
}

pub fn available() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma")
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}

/// Scan panel groups `g0..g1` for 4 queries (`q[i]` of length `dim`); push every
/// `(key, row)` with `key <= thr[i]` into `lists[i]`. Only the first `live` queries
/// are real (the others repeat one of them and are ignored).
///
/// # Safety
/// The CPU must support AVX2 and FMA ([`available`]); `q` rows must hold `dim`
/// values each.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
#[allow(clippy::too_many_arguments)]
pub unsafe fn scan_tile(
    q: [&[f32]; 4],
    live: usize,
    panels: &Panels,
    g0: usize,
    g1: usize,
    thr: [f32; 4],
    lists: &mut [Vec<(f32, usize)>],
) {
    use std::arch::x86_64::*;
    let dim = panels.dim;
    let two = _mm256_set1_ps(2.0);
    let t: [__m256; 4] = [
        _mm256_set1_ps(thr[0]),
        _mm256_set1_ps(thr[1]),
        _mm256_set1_ps(thr[2]),
        _mm256_set1_ps(thr[3]),
    ];
    let mut keys = [0.0f32; PANEL];
    for g in g0..g1 {
        let base = panels.data.as_ptr().add(g * PANEL * dim);
        let mut a00 = _mm256_setzero_ps();
        let mut a01 = _mm256_setzero_ps();
        let mut a10 = _mm256_setzero_ps();
        let mut a11 = _mm256_setzero_ps();
        let mut a20 = _mm256_setzero_ps();
        let mut a21 = _mm256_setzero_ps();
        let mut a30 = _mm256_setzero_ps();
        let mut a31 = _mm256_setzero_ps();
        for p in 0..dim {
            let x0 = _mm256_loadu_ps(base.add(p * PANEL));
            let x1 = _mm256_loadu_ps(base.add(p * PANEL + 8));
            let b0 = _mm256_set1_ps(*q[0].get_unchecked(p));
            a00 = _mm256_fmadd_ps(b0, x0, a00);
            a01 = _mm256_fmadd_ps(b0, x1, a01);
            let b1 = _mm256_set1_ps(*q[1].get_unchecked(p));
            a10 = _mm256_fmadd_ps(b1, x0, a10);
            a11 = _mm256_fmadd_ps(b1, x1, a11);
            let b2 = _mm256_set1_ps(*q[2].get_unchecked(p));
            a20 = _mm256_fmadd_ps(b2, x0, a20);
            a21 = _mm256_fmadd_ps(b2, x1, a21);
            let b3 = _mm256_set1_ps(*q[3].get_unchecked(p));
            a30 = _mm256_fmadd_ps(b3, x0, a30);
            a31 = _mm256_fmadd_ps(b3, x1, a31);
        }
        let n0 = _mm256_loadu_ps(panels.norms.as_ptr().add(g * PANEL));
        let n1 = _mm256_loadu_ps(panels.norms.as_ptr().add(g * PANEL + 8));
        let acc = [(a00, a01), (a10, a11), (a20, a21), (a30, a31)];
        for (i, &(lo, hi)) in acc.iter().enumerate().take(live) {
            // key = norm - 2 dot: one rounding for the product by 2 (exact) and one
            // for the subtraction, as in the portable path.
            let k0 = _mm256_fnmadd_ps(two, lo, n0);
            let k1 = _mm256_fnmadd_ps(two, hi, n1);
            let m0 = _mm256_movemask_ps(_mm256_cmp_ps::<_CMP_LE_OQ>(k0, t[i]));
            let m1 = _mm256_movemask_ps(_mm256_cmp_ps::<_CMP_LE_OQ>(k1, t[i]));
            if (m0 | m1) != 0 {
                _mm256_storeu_ps(keys.as_mut_ptr(), k0);
                _mm256_storeu_ps(keys.as_mut_ptr().add(8), k1);
                let mask = (m0 as u32) | ((m1 as u32) << 8);
                let list = &mut lists[i];
                let mut bits = mask;
                while bits != 0 {
                    let l = bits.trailing_zeros() as usize;
                    let row = g * PANEL + l;
                    if row < panels.rows {
                        list.push((keys[l], row));
                    }
                    bits &= bits - 1;
                }
            }
        }
    }
}
