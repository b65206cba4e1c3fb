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
            crate::tensor::sgemm::sgemm(
                self.m,
                self.n,
                self.k,
                &self.a,
                false,
                &self.b,
                false,
                &mut self.c,
                false,
            );
        }
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
