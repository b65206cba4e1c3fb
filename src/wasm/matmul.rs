//! `MatmulCase`: the f32 matrix kernel, timed from the benchmark page.

use super::error_of_kind;
use crate::nn;
use crate::tensor::Shape;
use wasm_bindgen::prelude::*;

/// Two random matrices and their product, kept in wasm memory so that timing a product
/// measures the kernel, not copies across the boundary.
#[wasm_bindgen]
pub struct MatmulCase {
    m: usize,
    k: usize,
    n: usize,
    a: Vec<f32>,
    b: Vec<f32>,
    c: Vec<f32>,
}

#[wasm_bindgen]
impl MatmulCase {
    /// `A` (`m × k`) and `B` (`k × n`) with seeded values in [-1, 1).
    #[wasm_bindgen(constructor)]
    pub fn new(m: usize, k: usize, n: usize, seed: u64) -> Result<MatmulCase, JsValue> {
        let fits = |x: usize, y: usize| x.checked_mul(y).is_some_and(|len| len <= Shape::MAX_LEN);
        if m == 0 || k == 0 || n == 0 || !(fits(m, k) && fits(k, n) && fits(m, n)) {
            return Err(error_of_kind(
                "each dimension must be at least 1, each matrix at most 2^26 elements",
                "too-large",
            ));
        }
        let mut rng = nn::rng::Rng::new(seed);
        let mut random = |len: usize| (0..len).map(|_| rng.range(-1.0, 1.0) as f32).collect::<Vec<_>>();
        Ok(MatmulCase {
            a: random(m * k),
            b: random(k * n),
            c: vec![0.0; m * n],
            m,
            k,
            n,
        })
    }

    /// Runs the CPU kernel `times` times: `C = A·B`.
    pub fn run(&mut self, times: usize) {
        for _ in 0..times {
            self.multiply_rows(0, self.m);
        }
    }

    /// Rows `from..to` of `C = A·B` alone: one core's share when two split a product by
    /// rows (each holding the same seeded case), the others' rows left as they were.
    pub fn run_rows(&mut self, from: usize, to: usize) -> Result<(), JsValue> {
        self.check_rows(from, to)?;
        self.multiply_rows(from, to);
        Ok(())
    }

    /// Rows `from..to` of the last product, copied once into a JavaScript array.
    pub fn c_rows(&self, from: usize, to: usize) -> Result<js_sys::Float32Array, JsValue> {
        self.check_rows(from, to)?;
        Ok(js_sys::Float32Array::from(&self.c[from * self.n..to * self.n]))
    }

    /// Rows `from..to` of the last product copied into the same rows of `out`, an `m × n`
    /// array: the one copy of this thread's share when another computed the rest.
    pub fn c_rows_into(&self, from: usize, to: usize, out: &js_sys::Float32Array) -> Result<(), JsValue> {
        self.check_rows(from, to)?;
        if out.length() as usize != self.m * self.n {
            return Err(error_of_kind(
                &format!(
                    "the array holds {} numbers, not the {} × {} of C",
                    out.length(),
                    self.m,
                    self.n
                ),
                "length",
            ));
        }
        let n = self.n;
        out.subarray((from * n) as u32, (to * n) as u32)
            .copy_from(&self.c[from * n..to * n]);
        Ok(())
    }

    #[wasm_bindgen(getter)]
    pub fn a(&self) -> Vec<f32> {
        self.a.clone()
    }

    #[wasm_bindgen(getter)]
    pub fn b(&self) -> Vec<f32> {
        self.b.clone()
    }

    /// The last product, copied once into a JavaScript array (as TF.js's `dataSync` hands
    /// its result over).
    #[wasm_bindgen(getter)]
    pub fn c(&self) -> js_sys::Float32Array {
        js_sys::Float32Array::from(&self.c[..])
    }
}

impl MatmulCase {
    /// Rows `from..to` of C, in range (`run` and `run_rows` both multiply here).
    fn multiply_rows(&mut self, from: usize, to: usize) {
        let (k, n) = (self.k, self.n);
        crate::tensor::sgemm::sgemm(
            to - from,
            n,
            k,
            &self.a[from * k..to * k],
            false,
            &self.b,
            false,
            &mut self.c[from * n..to * n],
            false,
        );
    }

    fn check_rows(&self, from: usize, to: usize) -> Result<(), JsValue> {
        if from > to || to > self.m {
            return Err(error_of_kind(
                &format!("rows {from}..{to} are not rows of a {}-row product", self.m),
                "range",
            ));
        }
        Ok(())
    }
}
