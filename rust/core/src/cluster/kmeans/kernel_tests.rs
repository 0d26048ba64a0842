//! Tests of the AVX2 kernels ([`super::kernels`]) against their portable twins:
//! the k-means++ screen, the exact and float32 group scans and the first
//! assignment's strip screen must give the same results bit for bit. They go
//! through the dispatching callers, so they sit above the kernels, not in them.

use super::layout::{Cands, Centres32, GroupTable, Groups, ScoreBlock, StripMins32, Taken};
use super::screen::group_mins;
use super::{dist2, sq_norms};
use crate::cpu;
use crate::neighbours::testutil::random_matrix;

#[test]
fn vector_kernels_equal_the_portable_ones_bit_for_bit() {
    let (m, d) = (1000 + 5, 7);
    let x = random_matrix(m, d, 21);
    let xs = x.as_slice().unwrap();

    // k-means++ screen: the same rows and changes as the exact loop, with
    // some rows exactly at the distance of a candidate (changes at zero).
    let norm: Vec<f64> = (0..m)
        .map(|i| dist2(&xs[i * d..(i + 1) * d], &vec![0.0; d]))
        .collect();
    let rows: Vec<usize> = (0..11).map(|t| t * 13).collect();
    let mut dist: Vec<f64> = (0..m).map(|i| (i % 17) as f64 * 0.3).collect();
    for i in (0..m).step_by(5) {
        let q = rows[i % 11];
        dist[i] = dist2(&xs[i * d..(i + 1) * d], &xs[q * d..(q + 1) * d]);
    }
    let w: Vec<f64> = norm.iter().zip(&dist).map(|(a, b)| a - b).collect();
    let w32: Vec<f32> = w.iter().map(|&v| v as f32).collect();
    let xt32: Vec<f32> = (0..d)
        .flat_map(|j| (0..m).map(move |i| xs[i * d + j] as f32))
        .collect();
    let c = Cands::new(xs, d, &norm, &rows);
    let g = norm.iter().fold(0.0f64, |a, &b| a.max(b));
    let dm = dist.iter().fold(0.0f64, |a, &b| a.max(b));

    let blk = ScoreBlock {
        lo: 0,
        xs,
        d,
        cols32: (0..d).map(|j| &xt32[j * m..(j + 1) * m]).collect(),
        w: &w,
        w32: &w32,
        norm_max: g,
        dist_max: dm,
        screen: true,
    };
    let mut want = vec![Taken::new(); 11];
    blk.taken_rows(&c, &mut want, 0..m);
    let mut got = vec![Taken::new(); 11];
    blk.taken(&c, &mut got);
    assert_eq!(got, want);
    assert!(want.iter().all(|t| !t.is_empty()));

    // A group scan: lengths around the 16-centre blocks, a repeated centre.
    for len in [1usize, 4, 7, 16, 21, 40] {
        let plen = len.next_multiple_of(4);
        let mut cg = vec![f64::INFINITY; plen * d];
        for p in 0..len {
            let src = if p == len / 2 && len > 2 { 1 } else { 60 + p };
            for j in 0..d {
                cg[j * plen + p] = xs[src * d + j];
            }
        }
        for r in [0usize, 1, 500] {
            let xr = &xs[r * d..(r + 1) * d];
            assert_eq!(
                group_mins(xr, &cg, plen, cpu::avx2()),
                group_mins(xr, &cg, plen, false)
            );
        }
    }

    // The first assignment's screen: eight rows against groups of centres,
    // a repeated centre among them.
    let mut cs = xs[..30 * d].to_vec();
    let dup: Vec<f64> = cs[3 * d..4 * d].to_vec();
    cs[9 * d..10 * d].copy_from_slice(&dup);
    let c32 = Centres32::new(&cs, &sq_norms(&cs, d));
    let groups = Groups::new(&cs, 30, d, m);
    let xl: Vec<[f32; 8]> = (0..d)
        .map(|j| std::array::from_fn(|l| xs[(40 + l) * d + j] as f32))
        .collect();
    let xn: [f32; 8] = std::array::from_fn(|l| norm[40 + l] as f32);
    let mut fast = StripMins32::new(groups.len());
    fast.fill(&xl, &xn, &c32, &groups);
    let mut slow = StripMins32::new(groups.len());
    slow.fill_portable(&xl, &xn, &c32, &groups);
    assert_eq!((fast.m1, fast.id1, fast.m2), (slow.m1, slow.id1, slow.m2));

    // The iterations' group screen.
    let table = GroupTable::new(&cs, &sq_norms(&cs, d), d, &groups);
    for g in 0..groups.len() {
        for r in [0usize, 7, 600] {
            let x32: Vec<f32> = xs[r * d..(r + 1) * d].iter().map(|&v| v as f32).collect();
            let xn = norm[r] as f32;
            assert_eq!(
                table.screen(&x32, xn, g, cpu::avx2_fma()),
                table.screen(&x32, xn, g, false)
            );
        }
    }
}
