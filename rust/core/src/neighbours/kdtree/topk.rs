//! The three top-k lists of the KD-tree searches: [`Best`] in memory (any k),
//! [`Lanes`] held in AVX2 registers (k up to [`VECTOR_K`]), and the [`List`] trait
//! the leaf scans offer candidates through. All keep entries sorted by (squared
//! distance, index), so every list gives the same answer. [`RowWriter`] copies a
//! finished list into its row of the outputs.

/// Lists of at most this many entries are kept in two AVX2 register pairs' worth
/// of memory and updated without branches where AVX2 runs.
pub(super) const VECTOR_K: usize = 8;

/// The `k` best candidates so far, sorted by (squared distance, index), padded
/// with `(inf, MAX)` so that every slot is always filled: `worst` (the k-th
/// distance) is the one pruning bound, kept in a field the search loops read
/// without touching the lists. Lists of up to [`VECTOR_K`] entries live in fixed
/// arrays and take offers as a branch-free merge in AVX2 registers (`vector`);
/// others shift entries one by one.
pub(super) struct Best {
    pub(super) k: usize,
    pub(super) vector: bool,
    pub(super) vd: [f64; VECTOR_K],
    pub(super) vi: [i64; VECTOR_K],
    pub(super) d2: Vec<f64>,
    pub(super) id: Vec<usize>,
    pub(super) worst: f64,
}

impl Best {
    /// `wide`: the searches run their AVX2 copies ([`wide_lanes`]).
    pub(super) fn new(k: usize, wide: bool) -> Self {
        let vector = wide && k <= VECTOR_K;
        let long = if vector { 0 } else { k };
        Best {
            k,
            vector,
            vd: [f64::INFINITY; VECTOR_K],
            vi: [i64::MAX; VECTOR_K],
            d2: vec![f64::INFINITY; long],
            id: vec![usize::MAX; long],
            worst: f64::INFINITY,
        }
    }

    pub(super) fn reset(&mut self) {
        if self.vector {
            self.vd = [f64::INFINITY; VECTOR_K];
            self.vi = [i64::MAX; VECTOR_K];
        } else {
            self.d2.fill(f64::INFINITY);
            self.id.fill(usize::MAX);
        }
        self.worst = f64::INFINITY;
    }

    /// [`Self::reset`] for a search bounded by the squared distance `bound`:
    /// every slot is padded with `(bound, MAX)` instead of `(inf, MAX)`, so only
    /// candidates at squared distance `<= bound` enter and the search prunes on
    /// the bound from its first node. Slots no candidate filled are written as
    /// index -1 at distance infinity ([`Self::write`]).
    pub(super) fn reset_within(&mut self, bound: f64) {
        if self.vector {
            self.vd = [bound; VECTOR_K];
            self.vi = [i64::MAX; VECTOR_K];
        } else {
            self.d2.fill(bound);
            self.id.fill(usize::MAX);
        }
        self.worst = bound;
    }

    /// Offer `(d2, i)`: it enters if it sorts before the k-th entry by
    /// (distance, index), else nothing changes.
    #[inline(always)]
    pub(super) fn offer(&mut self, d2: f64, i: usize) {
        #[cfg(target_arch = "x86_64")]
        if self.vector {
            // SAFETY: `vector` is set only where the AVX2 copies run.
            unsafe { self.offer_vector(d2, i) };
            return;
        }
        let (dl, il) = (&mut self.d2[..], &mut self.id[..]);
        let k = dl.len().min(il.len());
        if k == 0 {
            return;
        }
        let worse = |d: f64, id: usize| d > d2 || (d == d2 && id > i);
        let mut j = k - 1;
        if !worse(dl[j], il[j]) {
            return;
        }
        while j > 0 && worse(dl[j - 1], il[j - 1]) {
            dl[j] = dl[j - 1];
            il[j] = il[j - 1];
            j -= 1;
        }
        dl[j] = d2;
        il[j] = i;
        self.worst = dl[k - 1];
    }

    /// The offer of [`Lanes`] (a branch-free merge) through memory, for the
    /// searches that do not hold their lists in registers. Inlined (never called)
    /// into the AVX2 copies of the searches, its only callers at run time.
    ///
    /// # Safety
    /// The CPU must support AVX2; indices are below 2^63 (they index memory).
    #[cfg(target_arch = "x86_64")]
    #[inline(always)]
    pub(super) unsafe fn offer_vector(&mut self, x: f64, i: usize) {
        // SAFETY: AVX2 runs and `self.vector` is set (this function's contract and its only
        // callers' condition), which is all `Lanes::load` and `Lanes::store` ask.
        unsafe {
            let mut list = Lanes::load(self);
            list.offer(x, i);
            list.store(self);
        }
    }

    /// Write the list (already in final order) as indices and distances; a
    /// padding slot (left only by a bounded search, [`Self::reset_within`]) as
    /// index -1 at distance infinity.
    pub(super) fn write(&self, idx: &mut [i64], dist: &mut [f64]) {
        if self.vector {
            for (((o, d), &i), &v) in idx
                .iter_mut()
                .zip(dist.iter_mut())
                .zip(&self.vi)
                .zip(&self.vd)
            {
                (*o, *d) = if i == i64::MAX {
                    (-1, f64::INFINITY)
                } else {
                    (i, v.sqrt())
                };
            }
            return;
        }
        for (((o, d), &i), &v) in idx
            .iter_mut()
            .zip(dist.iter_mut())
            .zip(&self.id)
            .zip(&self.d2)
        {
            (*o, *d) = if i == usize::MAX {
                (-1, f64::INFINITY)
            } else {
                (i as i64, v.sqrt())
            };
        }
    }
}

/// What the leaf scans offer candidates to: a [`Best`] in memory, or, in the
/// AVX2 copies of the searches, a short list held in registers ([`Lanes`]).
pub(super) trait List {
    /// The k-th squared distance so far: the one pruning bound.
    fn worst(&self) -> f64;
    /// Offer `(d2, i)`: it enters if it sorts before the k-th entry by
    /// (distance, index), else nothing changes (callers usually drop
    /// `d2 > worst()` first).
    fn offer(&mut self, d2: f64, i: usize);
}

impl List for Best {
    #[inline(always)]
    fn worst(&self) -> f64 {
        self.worst
    }
    #[inline(always)]
    fn offer(&mut self, d2: f64, i: usize) {
        Best::offer(self, d2, i)
    }
}

/// A list of up to [`VECTOR_K`] entries (a [`Best`] with `vector` set) held in
/// AVX2 registers while one row is searched, so consecutive offers do not go
/// through memory (each would otherwise wait for the previous one's stores).
/// `worst` holds the k-th distance in every lane. Same entries, same order, as
/// the [`Best`] it is loaded from and stored back to.
#[cfg(target_arch = "x86_64")]
#[derive(Clone, Copy)]
pub(super) struct Lanes {
    pub(super) d: [std::arch::x86_64::__m256d; 2],
    pub(super) i: [std::arch::x86_64::__m256i; 2],
    pub(super) worst: std::arch::x86_64::__m256d,
    /// `_mm256_permutevar8x32_ps` indices that copy the k-th slot's lane of its
    /// register to every lane.
    pub(super) pick: std::arch::x86_64::__m256i,
    /// The k-th slot is in the upper register.
    pub(super) high: bool,
}

#[cfg(target_arch = "x86_64")]
impl Lanes {
    /// # Safety
    /// The CPU must support AVX2; `best.vector` is set.
    #[inline(always)]
    pub(super) unsafe fn load(best: &Best) -> Self {
        // SAFETY: AVX2 runs (the caller's contract); `vd` and `vi` hold VECTOR_K = 8
        // entries each, so the 4-lane loads at offsets 0 and 4 stay inside them.
        unsafe {
            use std::arch::x86_64::*;
            // `k >= 1` (validated), so the k-th slot is `k - 1 < VECTOR_K`.
            let slot = (best.k - 1) & (VECTOR_K - 1);
            let lane = (slot & 3) as i32;
            Lanes {
                d: [
                    _mm256_loadu_pd(best.vd.as_ptr()),
                    _mm256_loadu_pd(best.vd.as_ptr().add(4)),
                ],
                i: [
                    _mm256_loadu_si256(best.vi.as_ptr() as *const __m256i),
                    _mm256_loadu_si256(best.vi.as_ptr().add(4) as *const __m256i),
                ],
                worst: _mm256_set1_pd(best.worst),
                pick: _mm256_setr_epi32(
                    2 * lane,
                    2 * lane + 1,
                    2 * lane,
                    2 * lane + 1,
                    2 * lane,
                    2 * lane + 1,
                    2 * lane,
                    2 * lane + 1,
                ),
                high: slot >= 4,
            }
        }
    }

    /// # Safety
    /// The CPU must support AVX2.
    #[inline(always)]
    pub(super) unsafe fn store(&self, best: &mut Best) {
        // SAFETY: AVX2 runs (the caller's contract); `vd` and `vi` hold VECTOR_K = 8
        // entries each, so the 4-lane stores at offsets 0 and 4 stay inside them.
        unsafe {
            use std::arch::x86_64::*;
            _mm256_storeu_pd(best.vd.as_mut_ptr(), self.d[0]);
            _mm256_storeu_pd(best.vd.as_mut_ptr().add(4), self.d[1]);
            _mm256_storeu_si256(best.vi.as_mut_ptr() as *mut __m256i, self.i[0]);
            _mm256_storeu_si256(best.vi.as_mut_ptr().add(4) as *mut __m256i, self.i[1]);
            best.worst = _mm256_cvtsd_f64(self.worst);
        }
    }

    /// Write the first `k` entries (as indices and distances) to output row `row`
    /// straight from the registers.
    ///
    /// # Safety
    /// The CPU must support AVX2; the rows' contract of [`RowWriter::write`].
    #[inline(always)]
    pub(super) unsafe fn write(&self, rows: &RowWriter, row: usize) {
        // SAFETY: AVX2 runs (the caller's contract); `row < rows.n` (checked first), so the
        // `rows.k` values at `row * rows.k` of either output lie inside it, and `put`
        // writes at most `min(rows.k, 8)` of them; no other thread writes this row
        // (the contract of `RowWriter`).
        unsafe {
            use std::arch::x86_64::*;
            if row >= rows.n {
                return;
            }
            let k = rows.k.min(VECTOR_K);
            let idx = rows.idx.add(row * rows.k) as *mut f64;
            let dist = rows.dist.add(row * rows.k);
            let put = |out: *mut f64, lo: __m256d, hi: __m256d| {
                let (first, rest, n) = if k >= 4 {
                    _mm256_storeu_pd(out, lo);
                    (out.add(4), hi, k - 4)
                } else {
                    (out, lo, k)
                };
                let half = _mm256_castpd256_pd128(rest);
                match n {
                    1 => _mm_storel_pd(first, half),
                    2 => _mm_storeu_pd(first, half),
                    3 => {
                        _mm_storeu_pd(first, half);
                        _mm_storel_pd(first.add(2), _mm256_extractf128_pd::<1>(rest));
                    }
                    4 => _mm256_storeu_pd(first, rest),
                    _ => {}
                }
            };
            put(
                idx,
                _mm256_castsi256_pd(self.i[0]),
                _mm256_castsi256_pd(self.i[1]),
            );
            put(dist, _mm256_sqrt_pd(self.d[0]), _mm256_sqrt_pd(self.d[1]));
        }
    }
}

#[cfg(target_arch = "x86_64")]
impl List for Lanes {
    #[inline(always)]
    fn worst(&self) -> f64 {
        // SAFETY: a `Lanes` exists only where AVX2 runs (`load` is unsafe).
        unsafe { std::arch::x86_64::_mm256_cvtsd_f64(self.worst) }
    }

    /// The offer as a merge over all [`VECTOR_K`] slots: `worse[j]` marks the
    /// entries that sort after `(x, i)` (a suffix, the list being sorted); slot
    /// `j` takes entry `j - 1` where `worse[j - 1]`, else `(x, i)` where
    /// `worse[j]`, else keeps its entry. Entries past `k` are never read.
    #[inline(always)]
    fn offer(&mut self, x: f64, i: usize) {
        use std::arch::x86_64::*;
        // SAFETY: a `Lanes` exists only where AVX2 runs; indices are below 2^63
        // (they index memory).
        unsafe {
            let xd = _mm256_set1_pd(x);
            let xi = _mm256_set1_epi64x(i as i64);
            let [d_lo, d_hi] = self.d;
            let [i_lo, i_hi] = self.i;
            let worse = |d: __m256d, id: __m256i| {
                _mm256_or_pd(
                    _mm256_cmp_pd::<_CMP_GT_OQ>(d, xd),
                    _mm256_and_pd(
                        _mm256_cmp_pd::<_CMP_EQ_OQ>(d, xd),
                        _mm256_castsi256_pd(_mm256_cmpgt_epi64(id, xi)),
                    ),
                )
            };
            let (w_lo, w_hi) = (worse(d_lo, i_lo), worse(d_hi, i_hi));
            // Each register's lanes moved up one slot: [_, v0, v1, v2] and
            // [v3, v4, v5, v6] (lane 0 of the low half is masked off below).
            let up = |lo: __m256d, hi: __m256d| {
                (
                    _mm256_permute4x64_pd::<0b10_01_00_00>(lo),
                    _mm256_blend_pd::<0b0001>(
                        _mm256_permute4x64_pd::<0b10_01_00_00>(hi),
                        _mm256_permute4x64_pd::<0b11_11_11_11>(lo),
                    ),
                )
            };
            let (pw_lo, pw_hi) = up(w_lo, w_hi);
            let pw_lo = _mm256_blend_pd::<0b0001>(pw_lo, _mm256_setzero_pd());
            let (pd_lo, pd_hi) = up(d_lo, d_hi);
            let (pi_lo, pi_hi) = up(_mm256_castsi256_pd(i_lo), _mm256_castsi256_pd(i_hi));
            let xi = _mm256_castsi256_pd(xi);
            let merge = |old: __m256d, new: __m256d, w: __m256d, prev: __m256d, pw: __m256d| {
                _mm256_blendv_pd(_mm256_blendv_pd(old, new, w), prev, pw)
            };
            let nd_lo = merge(d_lo, xd, w_lo, pd_lo, pw_lo);
            let nd_hi = merge(d_hi, xd, w_hi, pd_hi, pw_hi);
            let ni_lo = merge(_mm256_castsi256_pd(i_lo), xi, w_lo, pi_lo, pw_lo);
            let ni_hi = merge(_mm256_castsi256_pd(i_hi), xi, w_hi, pi_hi, pw_hi);
            self.d = [nd_lo, nd_hi];
            self.i = [_mm256_castpd_si256(ni_lo), _mm256_castpd_si256(ni_hi)];
            let kth = if self.high { nd_hi } else { nd_lo };
            self.worst =
                _mm256_castps_pd(_mm256_permutevar8x32_ps(_mm256_castpd_ps(kth), self.pick));
        }
    }
}

/// Writes finished rows into the `n × k` outputs from several threads at once.
pub(super) struct RowWriter {
    pub(super) idx: *mut i64,
    pub(super) dist: *mut f64,
    pub(super) k: usize,
    pub(super) n: usize,
}

// SAFETY: the pointers are only written through `write`, at rows that the callers
// guarantee distinct across threads (a permutation), within the `n × k` outputs,
// which outlive every use.
unsafe impl Sync for RowWriter {}

impl RowWriter {
    /// Ask for the cache lines of output row `row` ahead of its write: the rows
    /// of a leaf are scattered over the outputs, and each write would otherwise
    /// wait for its lines to be read in.
    #[inline(always)]
    pub(super) fn prefetch(&self, row: usize) {
        #[cfg(target_arch = "x86_64")]
        if row < self.n {
            use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
            let bytes = self.k * 8;
            // SAFETY: `row < n`: the first and last bytes of the row lie inside the
            // outputs (`k >= 1`); prefetching reads nothing and cannot fault.
            unsafe {
                let (i, d) = (
                    self.idx.add(row * self.k) as *const i8,
                    self.dist.add(row * self.k) as *const i8,
                );
                _mm_prefetch::<_MM_HINT_T0>(i);
                _mm_prefetch::<_MM_HINT_T0>(i.add(bytes - 1));
                _mm_prefetch::<_MM_HINT_T0>(d);
                _mm_prefetch::<_MM_HINT_T0>(d.add(bytes - 1));
            }
        }
    }

    #[inline(always)]
    pub(super) fn write(&self, row: usize, best: &Best) {
        if row >= self.n {
            return;
        }
        // SAFETY: `row < n`, so the k values at `row * k` lie inside the outputs;
        // no other thread writes this row (see the `Sync` note).
        let (idx, dist) = unsafe {
            (
                std::slice::from_raw_parts_mut(self.idx.add(row * self.k), self.k),
                std::slice::from_raw_parts_mut(self.dist.add(row * self.k), self.k),
            )
        };
        best.write(idx, dist);
    }
}
