//! Matrix-product kernels, the one piece of arithmetic below the ops: `Real::gemm` picks
//! one per element type (`sgemm` for f32, these loops otherwise), and `ops::matmul` builds
//! the forward and backward products on top.

use super::Real;

/// The reference kernel: plain loops, ordered so the innermost walks memory contiguously.
#[allow(clippy::too_many_arguments)]
pub fn gemm_loops<T: Real>(
    m: usize,
    n: usize,
    k: usize,
    a: &[T],
    a_transposed: bool,
    b: &[T],
    b_transposed: bool,
    c: &mut [T],
    accumulate: bool,
) {
    if !accumulate {
        c[..m * n].fill(T::zero());
    }
    match (a_transposed, b_transposed) {
        (false, false) => {
            for i in 0..m {
                let c_row = &mut c[i * n..(i + 1) * n];
                for p in 0..k {
                    let a_ip = a[i * k + p];
                    let b_row = &b[p * n..(p + 1) * n];
                    c_row.iter_mut().zip(b_row).for_each(|(c, &b)| *c += a_ip * b);
                }
            }
        }
        (false, true) => {
            for i in 0..m {
                let a_row = &a[i * k..(i + 1) * k];
                for j in 0..n {
                    let b_row = &b[j * k..(j + 1) * k];
                    c[i * n + j] += a_row.iter().zip(b_row).map(|(&a, &b)| a * b).sum::<T>();
                }
            }
        }
        (true, false) => {
            for p in 0..k {
                let b_row = &b[p * n..(p + 1) * n];
                for i in 0..m {
                    let a_pi = a[p * m + i];
                    let c_row = &mut c[i * n..(i + 1) * n];
                    c_row.iter_mut().zip(b_row).for_each(|(c, &b)| *c += a_pi * b);
                }
            }
        }
        (true, true) => {
            for i in 0..m {
                for j in 0..n {
                    let mut s = T::zero();
                    for p in 0..k {
                        s += a[p * m + i] * b[j * k + p];
                    }
                    c[i * n + j] += s;
                }
            }
        }
    }
}
