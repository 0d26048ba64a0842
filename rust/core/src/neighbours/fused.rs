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
        let mut padded = vec![f32::NAN; rows.div_ceil(PANEL) * PANEL];
        padded[..rows].copy_from_slice(norms);
        Panels {
            dim,
            rows,
            data: interleave(rows_major, rows, dim),
            norms: padded,
        }
    }

    pub fn groups(&self) -> usize {
        self.norms.len() / PANEL
    }
}

/// The first `rows` rows of `rows_major` in panels of sixteen, dimension-major
/// (`panel g, dimension p, lane l` at `(g * dim + p) * 16 + l`), zero-padded.
pub fn interleave(rows_major: &[f32], rows: usize, dim: usize) -> Vec<f32> {
    let mut data = vec![0.0f32; rows.div_ceil(PANEL) * PANEL * dim];
    for (r, row) in rows_major.chunks_exact(dim.max(1)).enumerate().take(rows) {
        let base = (r / PANEL) * PANEL * dim + r % PANEL;
        for (p, &v) in row.iter().enumerate() {
            data[base + p * PANEL] = v;
        }
    }
    data
}

/// Where the tile of four rows starting at `row` begins in [`interleave`]d data.
pub fn tile_offset(row: usize, dim: usize) -> usize {
    (row / PANEL) * PANEL * dim + row % PANEL
}

/// The 4 x 16 dot products of one tile, in eight registers: `[2i]` and `[2i + 1]`
/// hold query `i` against the panel's rows 0-7 and 8-15. `x` points at a panel
/// (sixteen floats per dimension) and `q` at four consecutive rows of a panel (the
/// same stride), so one loop walks both; each sum is accumulated by FMA in
/// dimension order, whichever way round the two rows come.
///
/// # Safety
/// AVX2 and FMA are available; `x` and `q` each point at `dim` groups of sixteen
/// floats (of which `q` reads the first four).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
#[inline]
pub unsafe fn tile_dots(
    x: *const f32,
    q: *const f32,
    dim: usize,
) -> [std::arch::x86_64::__m256; 8] {
    // SAFETY: AVX2 and FMA run and `x` and `q` each point at `dim` groups of sixteen
    // floats (the caller's contract); the loop reads groups `0..dim` only, sixteen
    // floats of `x` and four of `q` per group.
    unsafe {
        use std::arch::x86_64::*;
        let mut a = [_mm256_setzero_ps(); 8];
        let end = x.add(dim * PANEL);
        let (mut x, mut q) = (x, q);
        while x < end {
            let x0 = _mm256_loadu_ps(x);
            let x1 = _mm256_loadu_ps(x.add(8));
            for i in 0..4 {
                let b = _mm256_broadcast_ss(&*q.add(i));
                a[2 * i] = _mm256_fmadd_ps(b, x0, a[2 * i]);
                a[2 * i + 1] = _mm256_fmadd_ps(b, x1, a[2 * i + 1]);
            }
            x = x.add(PANEL);
            q = q.add(PANEL);
        }
        a
    }
}

/// Scan panel groups `g0..g1` for the 4 queries at `q` (four consecutive rows of
/// a packed panel, see [`tile_dots`]); push every `(key, row)` with `key <= thr[i]`
/// into `lists[i]`. Only the first `live` queries are real.
///
/// # Safety
/// The CPU must support AVX2 and FMA ([`crate::cpu::avx2_fma`]); `q` points at `dim` groups
/// of sixteen floats.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
pub unsafe fn scan_tile(
    q: *const f32,
    live: usize,
    panels: &Panels,
    g0: usize,
    g1: usize,
    thr: [f32; 4],
    lists: &mut [Vec<(f32, usize)>],
) {
    // SAFETY: AVX2 and FMA run and `q` points at `dim` groups of sixteen floats (the
    // caller's contract); `g0..g1` are panel groups of `panels` (`g < groups()`), so
    // each `tile_dots` call gets a whole panel of `dim` groups.
    unsafe {
        use std::arch::x86_64::*;
        let dim = panels.dim;
        let two = _mm256_set1_ps(2.0);
        let t: [__m256; 4] = std::array::from_fn(|i| _mm256_set1_ps(thr[i]));
        let mut keys = [0.0f32; PANEL];
        for g in g0..g1 {
            let a = tile_dots(panels.data.as_ptr().add(g * PANEL * dim), q, dim);
            let n0 = _mm256_loadu_ps(panels.norms.as_ptr().add(g * PANEL));
            let n1 = _mm256_loadu_ps(panels.norms.as_ptr().add(g * PANEL + 8));
            for i in 0..4 {
                if i >= live {
                    break;
                }
                // key = norm - 2 dot: one rounding for the product by 2 (exact) and one
                // for the subtraction, as in the portable path.
                let k0 = _mm256_fnmadd_ps(two, a[2 * i], n0);
                let k1 = _mm256_fnmadd_ps(two, a[2 * i + 1], n1);
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
}
