//! Large output buffers backed by transparent huge pages where the kernel offers them.
//!
//! Writing a freshly allocated 0.5 GB result costs more in 4 KiB page faults than in
//! the copying itself (measured on the project machine: ~0.2 s of faults against
//! ~0.03 s to rewrite resident memory). A zeroed allocation this large comes straight
//! from `mmap` untouched, so advising `MADV_HUGEPAGE` before the first write lets the
//! kernel fault it in 2 MiB pages. On other systems, or when the advice is refused,
//! this is an ordinary zeroed array.

use ndarray::Array2;

use crate::errors::{CoreError, Result};

/// Below this many bytes the advice is not worth a system call.
const HUGE_MIN_BYTES: usize = 2 << 20;

/// Element types whose all-zero bit pattern is a valid value (zero).
///
/// # Safety
/// Implement only for types for which all-zero bytes are a valid value.
pub unsafe trait ZeroBits: Copy + Send + Sync + 'static {}
// SAFETY: all-zero bytes are the IEEE 754 value +0.0.
unsafe impl ZeroBits for f32 {}
// SAFETY: all-zero bytes are the IEEE 754 value +0.0.
unsafe impl ZeroBits for f64 {}
// SAFETY: every bit pattern of an integer is valid; all-zero is 0.
unsafe impl ZeroBits for u8 {}
// SAFETY: every bit pattern of an integer is valid; all-zero is 0.
unsafe impl ZeroBits for i64 {}

/// A `rows × cols` array of zeros that has not been written yet: the memory comes
/// from `alloc_zeroed` (calloc, which maps fresh zero pages without touching them),
/// advised to use huge pages when large. The first write, typically by parallel
/// workers, faults the pages in; nothing is written twice.
pub fn zeroed<T: ZeroBits>(rows: usize, cols: usize) -> Result<Array2<T>> {
    let too_big = || {
        CoreError::InvalidParameter(format!(
            "an output of {rows} x {cols} values is too large to allocate"
        ))
    };
    let len = rows.checked_mul(cols).ok_or_else(too_big)?;
    let v: Vec<T> = match std::alloc::Layout::array::<T>(len) {
        Ok(layout) if layout.size() > 0 => {
            // SAFETY: the layout has non-zero size; the pointer is checked for null;
            // all-zero bytes are a valid `T` (ZeroBits); `Vec` frees it with the same
            // layout (capacity `len` of `T` through the global allocator).
            unsafe {
                let ptr = std::alloc::alloc_zeroed(layout) as *mut T;
                if ptr.is_null() {
                    std::alloc::handle_alloc_error(layout);
                }
                advise_huge(ptr as *mut u8, layout.size());
                Vec::from_raw_parts(ptr, len, len)
            }
        }
        Ok(_) => Vec::new(),
        Err(_) => return Err(too_big()),
    };
    Array2::from_shape_vec((rows, cols), v).map_err(|_| too_big())
}

#[cfg(target_os = "linux")]
fn advise_huge(ptr: *mut u8, bytes: usize) {
    if bytes < HUGE_MIN_BYTES {
        return;
    }
    const PAGE: usize = 4096;
    let start = (ptr as usize).div_ceil(PAGE) * PAGE;
    let end = (ptr as usize + bytes) / PAGE * PAGE;
    if end > start {
        // Advice only: failure (e.g. THP disabled) leaves ordinary pages, so the
        // return value is deliberately ignored.
        // SAFETY: `start..end` lies inside the allocation of `bytes` bytes at `ptr`
        // (rounded inwards to whole pages); `madvise` with MADV_HUGEPAGE changes no
        // contents and touches no memory outside that range.
        unsafe {
            libc::madvise(start as *mut libc::c_void, end - start, libc::MADV_HUGEPAGE);
        }
    }
}

#[cfg(not(target_os = "linux"))]
fn advise_huge(_ptr: *mut u8, _bytes: usize) {}

#[cfg(test)]
mod tests {
    #[test]
    fn zeroed_arrays_are_zero_at_any_size() {
        let a = super::zeroed::<f64>(3000, 400).unwrap();
        assert!(a.iter().all(|&v| v == 0.0));
        let b = super::zeroed::<u8>(0, 5).unwrap();
        assert_eq!(b.dim(), (0, 5));
        assert!(super::zeroed::<f64>(usize::MAX, 2).is_err());
    }
}
