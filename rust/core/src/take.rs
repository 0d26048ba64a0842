//! Row gather for the random samplers (`RandomOverSampler`, `RandomUnderSampler`).
//!
//! Both samplers' output is `X[sample_indices_]`; imblearn builds it with a copy, a
//! fancy-index and a `vstack`. Here it is one parallel pass writing each output row
//! once. Rows are moved as opaque fixed-size elements (the binding passes any
//! non-object numpy dtype as bytes), so every numeric, boolean or datetime dtype is
//! handled by the same code.

use ndarray::{Array2, ArrayView2};
use rayon::prelude::*;

use crate::errors::{CoreError, Result};

const ROW_CHUNK: usize = 1024;

pub fn take_rows<E: crate::alloc::ZeroBits>(
    x: ArrayView2<E>,
    indices: &[i64],
) -> Result<Array2<E>> {
    let n = x.nrows();
    if let Some(&bad) = indices.iter().find(|&&i| i < 0 || i as usize >= n) {
        return Err(CoreError::IndexOutOfBounds { index: bad, len: n });
    }
    let x = x.as_standard_layout();
    let w = x.ncols();
    let mut out = crate::alloc::zeroed::<E>(indices.len(), w)?;
    let (Some(src), Some(dst)) = (x.as_slice(), out.as_slice_mut()) else {
        return Ok(out);
    };
    if w == 0 {
        return Ok(out);
    }
    dst.par_chunks_mut(ROW_CHUNK * w)
        .zip(indices.par_chunks(ROW_CHUNK))
        .for_each(|(block, idx)| {
            // Runs of consecutive indices (the kept originals, an `arange`) are
            // copied in one piece rather than row by row.
            let mut r = 0;
            while r < idx.len() {
                let start = idx[r] as usize;
                let mut len = 1;
                while r + len < idx.len() && idx[r + len] as usize == start + len {
                    len += 1;
                }
                block[r * w..(r + len) * w].copy_from_slice(&src[start * w..(start + len) * w]);
                r += len;
            }
        });
    Ok(out)
}

/// The rows of `parts`, one after another (numpy's `vstack`), written in parallel
/// into a lazily zeroed, huge-page backed array, so a large output costs far fewer
/// page faults than a fresh `np.vstack`.
pub fn concat_rows<E: crate::alloc::ZeroBits>(parts: &[ArrayView2<E>]) -> Result<Array2<E>> {
    let w = parts.first().map_or(0, |p| p.ncols());
    if let Some(p) = parts.iter().find(|p| p.ncols() != w) {
        return Err(CoreError::ShapeMismatch(format!(
            "cannot stack rows of {} and {} columns",
            w,
            p.ncols()
        )));
    }
    let n: usize = parts.iter().map(|p| p.nrows()).sum();
    let mut out = crate::alloc::zeroed::<E>(n, w)?;
    let Some(dst) = out.as_slice_mut() else {
        return Ok(out);
    };
    if w == 0 {
        return Ok(out);
    }
    // Split the output into one mutable block per part, then copy each part's
    // rows in parallel chunks.
    let mut blocks = Vec::with_capacity(parts.len());
    let mut rest = dst;
    for p in parts {
        let (head, tail) = rest.split_at_mut(p.nrows() * w);
        blocks.push((head, p));
        rest = tail;
    }
    blocks.into_par_iter().for_each(|(block, part)| {
        let part = part.as_standard_layout();
        if let Some(src) = part.as_slice() {
            block
                .par_chunks_mut(ROW_CHUNK * w)
                .zip(src.par_chunks(ROW_CHUNK * w))
                .for_each(|(d, s)| d.copy_from_slice(s));
        }
    });
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn concatenates_rows_and_rejects_mixed_widths() {
        let a = array![[1u8, 2], [3, 4]];
        let b = array![[5u8, 6]];
        let got = concat_rows(&[a.view(), b.view(), a.view()]).unwrap();
        assert_eq!(got, array![[1, 2], [3, 4], [5, 6], [1, 2], [3, 4]]);
        let c = array![[1u8, 2, 3]];
        assert!(concat_rows(&[a.view(), c.view()]).is_err());
        assert_eq!(concat_rows::<u8>(&[]).unwrap().dim(), (0, 0));
    }

    #[test]
    fn gathers_rows_in_order_with_repeats() {
        let x = array![[1u8, 2], [3, 4], [5, 6]];
        let got = take_rows(x.view(), &[2, 0, 2, 1]).unwrap();
        assert_eq!(got, array![[5, 6], [1, 2], [5, 6], [3, 4]]);
    }

    #[test]
    fn runs_of_consecutive_indices_match_row_by_row_gathering() {
        let x = Array2::from_shape_fn((3000, 3), |(i, j)| (i * 3 + j) as i64);
        // Runs that cross the parallel chunks' edges, a run ending at the last
        // row, repeats, descending steps and single rows.
        let mut idx: Vec<i64> = (0..2500).collect();
        idx.extend([7, 7, 8, 9, 2999, 5, 4, 3]);
        idx.extend(2000..3000);
        idx.extend((0..600).map(|i| (i * 37) % 3000));
        let got = take_rows(x.view(), &idx).unwrap();
        for (r, &i) in idx.iter().enumerate() {
            assert_eq!(got.row(r), x.row(i as usize), "output row {r}");
        }
    }

    #[test]
    fn out_of_range_is_an_error() {
        let x = array![[1.0f64], [2.0]];
        assert!(take_rows(x.view(), &[2]).is_err());
        assert!(take_rows(x.view(), &[-1]).is_err());
    }
}
