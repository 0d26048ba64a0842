//! Fuzz targets for every core function the Python binding calls: arbitrary
//! shapes and values (NaN, infinities, values near the float64 maximum, tiny and
//! subnormal values, duplicated rows, `k` larger than the data, empty inputs,
//! out-of-range indices) must give an error or a valid result, never a panic.
//!
//! Bounded for CI: `COUNTERPOISE_FUZZ_CASES` (default 256) cases per target; set it
//! to, say, 20000 for a long run.

use counterpoise_core::cluster::kmeans;
use counterpoise_core::neighbours::{self, Algorithm};
use counterpoise_core::over::smote::{self, ClassPlan};
use counterpoise_core::over::{kmeans_smote, smoten};
use counterpoise_core::take;
use counterpoise_core::under::condensed_nearest_neighbour;
use ndarray::{Array1, Array2};
use proptest::prelude::*;
use proptest::test_runner::Config;

/// One class's plan, owned: (indices, samples, steps, neighbour table).
type OwnedPlan = (Vec<i64>, Vec<i64>, Vec<f64>, Option<Array2<i64>>);

fn config() -> Config {
    let cases = std::env::var("COUNTERPOISE_FUZZ_CASES")
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(256);
    Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    }
}

/// One value from a palette of awkward ones, or an ordinary one.
fn value() -> impl Strategy<Value = f64> {
    prop_oneof![
        4 => -3.0f64..3.0,
        1 => Just(0.0),
        1 => Just(-0.0),
        1 => (-2i32..3).prop_map(f64::from),
        1 => prop_oneof![Just(f64::MAX), Just(-f64::MAX), Just(1.7e308), Just(-1.6e308)],
        1 => (1e300f64..1.79e308, any::<bool>()).prop_map(|(v, s)| if s { v } else { -v }),
        1 => (1e-310f64..1e-300, any::<bool>()).prop_map(|(v, s)| if s { v } else { -v }),
        1 => prop_oneof![Just(5e-324), Just(f64::MIN_POSITIVE), Just(-5e-324)],
        1 => (1e150f64..1e160).prop_map(|v| v),
    ]
}

/// A value that may also be non-finite.
fn any_value() -> impl Strategy<Value = f64> {
    prop_oneof![
        12 => value(),
        1 => prop_oneof![Just(f64::NAN), Just(f64::INFINITY), Just(f64::NEG_INFINITY)],
    ]
}

/// Data at one scale (so that whole matrices of huge or tiny values occur), or a
/// mix of awkward values; rows may repeat.
fn matrix_with(
    rows: std::ops::Range<usize>,
    cols: std::ops::Range<usize>,
    finite: bool,
) -> impl Strategy<Value = Array2<f64>> {
    (
        rows,
        cols,
        prop_oneof![
            Just(1.0),
            Just(1e300),
            Just(1e-300),
            Just(1e154),
            Just(5e-324)
        ],
    )
        .prop_flat_map(move |(n, d, scale)| {
            let cell = if finite {
                value().boxed()
            } else {
                any_value().boxed()
            };
            (
                proptest::collection::vec(cell, n * d),
                proptest::collection::vec(0..n.max(1), n),
                any::<bool>(),
                any::<bool>(),
                Just((n, d, scale)),
            )
        })
        .prop_map(|(vals, dup, repeat, scaled, (n, d, scale))| {
            let mut x = Array2::from_shape_vec((n, d), vals).unwrap();
            if scaled {
                x.mapv_inplace(|v| {
                    let s = v.clamp(-3.0, 3.0) * scale;
                    if v.is_nan() {
                        v
                    } else {
                        s
                    }
                });
            }
            if repeat {
                for (i, &j) in dup.iter().enumerate().take(n) {
                    if j < i {
                        let r = x.row(j).to_owned();
                        x.row_mut(i).assign(&r);
                    }
                }
            }
            x
        })
}

fn algorithm() -> impl Strategy<Value = Algorithm> {
    prop_oneof![
        Just(Algorithm::Auto),
        Just(Algorithm::Brute),
        Just(Algorithm::KdTree)
    ]
}

/// `|a - b|` without overflow (relative error a few ulps).
fn safe_dist(a: &[f64], b: &[f64]) -> f64 {
    let m = a.iter().chain(b).fold(0.0f64, |m, v| m.max(v.abs()));
    if m == 0.0 {
        return 0.0;
    }
    let s: f64 = a
        .iter()
        .zip(b)
        .map(|(x, y)| {
            let t = x / m - y / m;
            t * t
        })
        .sum();
    s.sqrt() * m
}

fn close(a: f64, b: f64) -> bool {
    if a.is_infinite() || b.is_infinite() {
        // a true distance beyond f64::MAX is infinity either way
        return a == b || a.max(b) > 1e307;
    }
    let scale = a.abs().max(b.abs());
    (a - b).abs() <= 1e-6 * scale + 1e-300
}

fn check_knn(data: &Array2<f64>, queries: &Array2<f64>, k: usize, got: &neighbours::Neighbours) {
    let (n, m) = (data.nrows(), queries.nrows());
    // Below this, squared differences leave float64's normal range once the data
    // are brought to magnitude 1: such distances are only known to be small.
    let big = data
        .iter()
        .chain(queries.iter())
        .fold(0.0f64, |a, v| a.max(v.abs()));
    let unresolved = big * 2f64.powi(-480);
    let near = |a: f64, b: f64| close(a, b) || a.max(b) <= unresolved;
    assert_eq!(got.indices.dim(), (m, k));
    assert_eq!(got.distances.dim(), (m, k));
    for i in 0..m {
        let q = queries.row(i).to_vec();
        let mut all: Vec<f64> = (0..n)
            .map(|j| safe_dist(&q, data.row(j).as_slice().unwrap()))
            .collect();
        all.sort_by(|a, b| a.total_cmp(b));
        let mut seen = std::collections::HashSet::new();
        let mut prev = 0.0f64;
        for (j, &nearest) in all.iter().enumerate().take(k) {
            let idx = got.indices[[i, j]];
            assert!(idx >= 0 && (idx as usize) < n, "index {idx} of {n}");
            assert!(seen.insert(idx), "row {i} lists {idx} twice");
            let dd = got.distances[[i, j]];
            assert!(
                !dd.is_nan() && dd >= 0.0 && dd >= prev,
                "distances {:?}",
                got.distances.row(i)
            );
            prev = dd;
            let want = safe_dist(&q, data.row(idx as usize).as_slice().unwrap());
            assert!(near(dd, want), "distance {dd} vs {want}");
            // the j-th listed neighbour is as near as the j-th nearest row
            assert!(near(dd, nearest) || dd <= nearest, "{dd} vs {nearest}");
        }
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn kneighbors_never_panics(
        data in matrix_with(0..14, 0..5, false),
        q in matrix_with(0..6, 0..5, false),
        k in 0usize..16,
        alg in algorithm(),
        self_query in any::<bool>(),
    ) {
        let queries = if self_query { data.clone() } else { q };
        let run = |d: &Array2<f64>, qq: &Array2<f64>| {
            if self_query {
                neighbours::kneighbors(d.view(), d.view(), k, alg)
            } else {
                neighbours::kneighbors(d.view(), qq.view(), k, alg)
            }
        };
        if let Ok(got) = run(&data, &queries) {
            prop_assert!(data.iter().chain(queries.iter()).all(|v| v.is_finite()));
            check_knn(&data, &queries, k, &got);
        }
        // float32 too (huge values are infinite there)
        let d32 = data.mapv(|v| v as f32);
        let q32 = queries.mapv(|v| v as f32);
        let r32 = if self_query {
            neighbours::kneighbors(d32.view(), d32.view(), k, alg)
        } else {
            neighbours::kneighbors(d32.view(), q32.view(), k, alg)
        };
        if let Ok(got) = r32 {
            let (d64, q64) = (d32.mapv(f64::from), q32.mapv(f64::from));
            check_knn(&d64, &q64, k, &got);
        }
    }

    #[test]
    fn kneighbors_huge_and_tiny_scales_match_the_scaled_search(
        data in matrix_with(1..30, 1..5, true),
        k in 1usize..5,
        alg in algorithm(),
    ) {
        // Exact powers of two: the neighbours of x * 2^e are those of x.
        let k = k.min(data.nrows());
        // (ordinary magnitudes, so that only the scaling below can round)
        let base = data.mapv(|v| if v.abs() < 1e-3 { 0.0 } else { v.clamp(-3.0, 3.0) });
        let want = neighbours::kneighbors(base.view(), base.view(), k, alg).unwrap();
        for e in [600, 1000, -1000, -1060] {
            let x = base.mapv(|v| counterpoise_core::scale::mul_pow2(v, e));
            if e < -1000 && x.iter().zip(base.iter()).any(|(a, b)| counterpoise_core::scale::mul_pow2(*a, -e) != *b) {
                continue; // underflow lost bits: another problem
            }
            let got = neighbours::kneighbors(x.view(), x.view(), k, alg).unwrap();
            // same neighbour lists up to exact ties
            for i in 0..x.nrows() {
                for j in 0..k {
                    // compared where the output lives: a distance scaled into the
                    // subnormal range keeps fewer bits
                    let a = counterpoise_core::scale::mul_pow2(want.distances[[i, j]], e);
                    let b = got.distances[[i, j]];
                    prop_assert!(close(a, b) || (a - b).abs() <= 4.0 * 5e-324, "{a} vs {b} at scale 2^{e}");
                }
            }
        }
    }

    #[test]
    fn smote_resample_never_panics(
        x in matrix_with(0..16, 0..4, false),
        n_plans in 0usize..3,
        raw_idx in proptest::collection::vec(-2i64..20, 0..12),
        raw_samples in proptest::collection::vec(-2i64..80, 0..10),
        raw_steps in proptest::collection::vec(prop_oneof![8 => 0.0f64..1.0, 1 => Just(1.0), 1 => Just(f64::NAN), 1 => -1.0f64..2.0], 0..10),
        k in 0usize..6,
        own_table in any::<bool>(),
        table_vals in proptest::collection::vec(-2i64..20, 0..60),
        alg in algorithm(),
        f32_data in any::<bool>(),
    ) {
        let n = x.nrows();
        let plans_data: Vec<OwnedPlan> = (0..n_plans)
            .map(|p| {
                let idx: Vec<i64> = raw_idx.iter().map(|&i| if i >= 0 { i % (n as i64 + 1) } else { i }).skip(p).collect();
                let m = raw_samples.len().min(raw_steps.len());
                let samples = raw_samples[..m].to_vec();
                let steps = raw_steps[..m].to_vec();
                let table = if own_table && k > 0 {
                    let vals: Vec<i64> = (0..idx.len() * k)
                        .map(|t| table_vals.get(t).copied().unwrap_or(0) % (idx.len() as i64 + 1))
                        .collect();
                    Some(Array2::from_shape_vec((idx.len(), k), vals).unwrap())
                } else {
                    None
                };
                (idx, samples, steps, table)
            })
            .collect();
        let plans: Vec<ClassPlan> = plans_data
            .iter()
            .map(|(i, s, t, nn)| ClassPlan {
                indices: i,
                samples: s,
                steps: t,
                neighbours: nn.as_ref().map(|a| a.view()),
            })
            .collect();
        if f32_data {
            let x32 = x.mapv(|v| v as f32);
            if let Ok(out) = smote::resample(x32.view(), &plans, k, alg) {
                let x64 = x32.mapv(f64::from);
                check_smote(&x64, &out.x.mapv(f64::from), &out.parents, &plans, f64::from(f32::EPSILON))?;
            }
        } else if let Ok(out) = smote::resample(x.view(), &plans, k, alg) {
            check_smote(&x, &out.x, &out.parents, &plans, f64::EPSILON)?;
        }
    }

    #[test]
    fn kmeans_never_panics(
        x in matrix_with(0..24, 0..4, false),
        k in 0usize..8,
        first in 0usize..30,
        trials in 0usize..4,
        draws in proptest::collection::vec(prop_oneof![8 => 0.0f64..1.0, 1 => Just(f64::NAN), 1 => Just(1.0)], 0..40),
        max_iter in 0usize..40,
        tol in prop_oneof![Just(0.0), Just(1e-4), Just(f64::INFINITY), Just(f64::NAN), Just(-1.0)],
    ) {
        let n = x.nrows();
        let want = k.saturating_sub(1) * trials;
        let draws: Vec<f64> = if draws.len() >= want && !draws.is_empty() && first % 3 != 0 {
            draws[..want].to_vec()
        } else {
            draws
        };
        if let Ok(rows) = kmeans::plusplus(x.view(), k, first, &draws, trials) {
            prop_assert!(x.iter().all(|v| v.is_finite()));
            prop_assert_eq!(rows.len(), k);
            prop_assert!(rows.iter().all(|&r| r < n));
            let init = x.select(ndarray::Axis(0), &rows);
            check_lloyd(&x, &init, max_iter, tol)?;
        }
        // any init, not only seeded rows
        let init = x.slice(ndarray::s![..k.min(n), ..]).mapv(|v| v * 0.5);
        check_lloyd(&x, &init, max_iter, tol)?;
    }

    #[test]
    fn sum_pairwise_distances_never_panics(x in matrix_with(0..12, 0..4, false)) {
        let total = kmeans_smote::sum_pairwise_distances(x.view());
        if let Ok(t) = total {
            prop_assert!(x.iter().all(|v| v.is_finite()));
            prop_assert!(!t.is_nan() && t >= 0.0);
            let mut want = 0.0;
            for i in 0..x.nrows() {
                for j in 0..x.nrows() {
                    if i != j {
                        want += safe_dist(x.row(i).as_slice().unwrap(), x.row(j).as_slice().unwrap());
                    }
                }
            }
            prop_assert!(close(t, want) || (t.is_infinite() && want > 1e307), "{} vs {}", t, want);
        }
        let x32 = x.mapv(|v| v as f32);
        if let Ok(t) = kmeans_smote::sum_pairwise_distances(x32.view()) {
            prop_assert!(!t.is_nan() && t >= 0.0);
        }
    }

    #[test]
    fn cnn_never_panics(
        x in matrix_with(0..20, 0..4, false),
        rows in proptest::collection::vec(-1i64..22, 0..15),
        nearest in proptest::collection::vec(-1i64..22, 0..15),
        correct in proptest::collection::vec(any::<bool>(), 0..15),
        seeds in proptest::collection::vec(-1i64..22, 0..4),
    ) {
        let m = rows.len();
        let nearest: Vec<i64> = nearest.iter().cycle().take(if correct.len() % 2 == 0 { m } else { nearest.len() }).copied().collect();
        let correct: Vec<bool> = correct.iter().cycle().take(if nearest.len() == m { m } else { correct.len() }).copied().collect();
        if let Ok(added) = condensed_nearest_neighbour::condense_1nn(x.view(), &rows, &nearest, &correct, &seeds) {
            prop_assert!(added.iter().all(|a| rows.contains(a)));
            let mut uniq = added.clone();
            uniq.sort_unstable();
            uniq.dedup();
            prop_assert!(uniq.len() <= rows.len());
        }
    }

    #[test]
    fn smoten_never_panics(
        n in 0usize..12,
        n_features in 0usize..4,
        codes in proptest::collection::vec(-1i32..5, 0..48),
        n_cat in proptest::collection::vec(prop_oneof![0usize..5, Just(usize::MAX), Just(1usize << 40)], 0..5),
        table_vals in proptest::collection::vec(any_value(), 0..100),
        k in 0usize..14,
        nbrs in proptest::collection::vec(-1i64..13, 0..60),
        drawn in proptest::collection::vec(-1i64..13, 0..10),
        nb_cols in 0usize..4,
    ) {
        let codes = Array2::from_shape_fn((n, n_features), |(i, f)| codes.get(i * n_features + f).copied().unwrap_or(0));
        let small: Vec<usize> = n_cat.iter().map(|&c| c.min(5)).collect();
        let owned: Vec<Vec<f64>> = small.iter().map(|&c| (0..c * c).map(|t| table_vals.get(t).copied().unwrap_or(1.0)).collect()).collect();
        let tables: Vec<smoten::Table> = small.iter().zip(&owned).map(|(&c, v)| smoten::Table { n_cat: c, values: v }).collect();
        if let Ok(nn) = smoten::kneighbors(codes.view(), &tables, k) {
            prop_assert_eq!(nn.dim(), (n, k));
            for r in nn.outer_iter() {
                let mut v: Vec<i64> = r.to_vec();
                prop_assert!(v.iter().all(|&j| j >= 0 && (j as usize) < n));
                v.sort_unstable();
                v.dedup();
                prop_assert_eq!(v.len(), k);
            }
        }
        // a table of a huge declared size must be refused, not overflow
        let huge = [smoten::Table { n_cat: 1usize << 33, values: &[] }];
        prop_assert!(smoten::kneighbors(codes.view(), &huge, k).is_err() || n_features != 1 || n == 0 || k == 0 || k > n);
        let nb = Array2::from_shape_fn((n, nb_cols), |(i, j)| nbrs.get(i * nb_cols + j).copied().unwrap_or(0));
        let drawn = Array1::from(drawn);
        if let Ok(out) = smoten::mode_of_neighbours(codes.view(), nb.view(), drawn.view(), &n_cat) {
            prop_assert_eq!(out.dim(), (drawn.len(), n_features));
            for (f, col) in out.columns().into_iter().enumerate() {
                prop_assert!(col.iter().all(|&c| c >= 0 && (nb_cols == 0 || (c as usize) < n_cat[f])));
            }
        }
    }

    #[test]
    fn take_and_concat_never_panic(
        n in 0usize..10,
        w in 0usize..6,
        idx in proptest::collection::vec(-2i64..12, 0..20),
        parts in proptest::collection::vec((0usize..5, 0usize..4), 0..4),
    ) {
        let x = Array2::from_shape_fn((n, w), |(i, j)| (i * 7 + j) as u8);
        if let Ok(out) = take::take_rows(x.view(), &idx) {
            prop_assert_eq!(out.dim(), (idx.len(), w));
            for (r, &i) in idx.iter().enumerate() {
                prop_assert_eq!(out.row(r), x.row(i as usize));
            }
        } else {
            prop_assert!(idx.iter().any(|&i| i < 0 || i as usize >= n));
        }
        let arrays: Vec<Array2<u8>> = parts.iter().map(|&(r, c)| Array2::from_shape_fn((r, c), |(i, j)| (i + 3 * j) as u8)).collect();
        let views: Vec<_> = arrays.iter().map(|a| a.view()).collect();
        if let Ok(out) = take::concat_rows(&views) {
            let rows: usize = arrays.iter().map(|a| a.nrows()).sum();
            prop_assert_eq!(out.nrows(), rows);
            let mut at = 0;
            for a in &arrays {
                prop_assert_eq!(out.slice(ndarray::s![at..at + a.nrows(), ..]), a.view());
                at += a.nrows();
            }
        }
    }

    #[test]
    fn algorithm_names_parse_or_are_refused(name in ".{0,12}") {
        let ok = matches!(name.as_str(), "auto" | "kd_tree" | "brute");
        prop_assert_eq!(Algorithm::parse(&name).is_ok(), ok);
    }
}

fn check_lloyd(
    x: &Array2<f64>,
    init: &Array2<f64>,
    max_iter: usize,
    tol: f64,
) -> Result<(), TestCaseError> {
    let (n, d) = x.dim();
    if let Ok(c) = kmeans::lloyd(x.view(), init.view(), max_iter, tol) {
        let k = init.nrows();
        prop_assert!(x.iter().chain(init.iter()).all(|v| v.is_finite()));
        let big = x
            .iter()
            .chain(init.iter())
            .fold(0.0f64, |a, v| a.max(v.abs()));
        prop_assert_eq!(c.centers.dim(), (k, d));
        prop_assert!(
            c.centers.iter().all(|v| v.is_finite()),
            "centres {:?}",
            c.centers
        );
        prop_assert_eq!(c.labels.len(), n);
        prop_assert!(c.labels.iter().all(|&l| l >= 0 && (l as usize) < k));
        prop_assert!(!c.inertia.is_nan() && c.inertia >= 0.0);
        prop_assert!(c.n_iter >= 1 && c.n_iter <= max_iter);
        // every centre lies inside the bounding box of the data, the initial
        // centres and the origin (a cluster emptied by scikit-learn's relocation
        // keeps a zero sum: the origin, the mean of the centred data it expects)
        for j in 0..d {
            let lo = x.column(j).iter().fold(f64::INFINITY, |a, &b| a.min(b));
            let hi = x.column(j).iter().fold(f64::NEG_INFINITY, |a, &b| a.max(b));
            let lo_init = init.column(j).iter().fold(lo.min(0.0), |a, &b| a.min(b));
            let hi_init = init.column(j).iter().fold(hi.max(0.0), |a, &b| a.max(b));
            // (values below 2^-1000 of the largest may underflow when the data
            // are brought to magnitude 1)
            let slack = (1e-9 * lo_init.abs().max(hi_init.abs())).max(big * 2f64.powi(-1000));
            for &v in c.centers.column(j) {
                prop_assert!(
                    v >= lo_init - slack && v <= hi_init + slack,
                    "centre {} outside [{}, {}]",
                    v,
                    lo_init,
                    hi_init
                );
            }
        }
    }
    Ok(())
}

fn check_smote(
    x: &Array2<f64>,
    out: &Array2<f64>,
    parents: &Array2<i64>,
    plans: &[ClassPlan],
    eps: f64,
) -> Result<(), TestCaseError> {
    let (n, d) = x.dim();
    let total: usize = plans.iter().map(|p| p.samples.len()).sum();
    prop_assert_eq!(out.dim(), (n + total, d));
    prop_assert_eq!(parents.dim(), (total, 2));
    prop_assert!(x.iter().all(|v| v.is_finite()));
    for (a, b) in out.slice(ndarray::s![..n, ..]).iter().zip(x.iter()) {
        prop_assert_eq!(a.to_bits(), b.to_bits());
    }
    let steps: Vec<f64> = plans.iter().flat_map(|p| p.steps.iter().copied()).collect();
    for r in 0..total {
        let (a, b) = (parents[[r, 0]], parents[[r, 1]]);
        prop_assert!(a >= 0 && (a as usize) < n && b >= 0 && (b as usize) < n);
        let t = steps[r];
        for j in 0..d {
            let v = out[[n + r, j]];
            let (xa, xb) = (x[[a as usize, j]], x[[b as usize, j]]);
            if (0.0..=1.0).contains(&t) {
                prop_assert!(
                    v.is_finite(),
                    "row {} col {}: {} from {} {} t={}",
                    r,
                    j,
                    v,
                    xa,
                    xb,
                    t
                );
                let slack = 4.0 * eps * xa.abs().max(xb.abs());
                prop_assert!(
                    v >= xa.min(xb) - slack && v <= xa.max(xb) + slack,
                    "{} not between {} and {}",
                    v,
                    xa,
                    xb
                );
            }
        }
    }
    Ok(())
}
