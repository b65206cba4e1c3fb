//! A warm training step allocates nothing: every buffer is kept from one step to the next.
#![cfg(not(target_arch = "wasm32"))]

use gradscope::nn::{Activation, Config, Loss, OptimizerKind, Trainer};
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

/// Counts the allocations made by the current thread.
struct Counting;

thread_local! {
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.with(|n| n.set(n.get() + 1));
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static COUNTING: Counting = Counting;

fn allocations() -> usize {
    ALLOCATIONS.with(Cell::get)
}

#[test]
fn a_warm_training_step_allocates_nothing() {
    // The counter sees allocations, so a zero below means something.
    let before = allocations();
    let probe = std::hint::black_box(vec![1u8; 16]);
    assert!(allocations() > before);
    drop(probe);

    for config in [
        Config::default(),
        Config {
            classes: 3,
            dataset: gradscope::nn::DatasetKind::Spiral,
            loss: Loss::SoftmaxCrossEntropy,
            optimizer: OptimizerKind::Momentum,
            hidden: vec![16, 16],
            activations: vec![Activation::Relu; 2],
            batch_size: 50,
            ..Config::default()
        },
    ] {
        let mut trainer = Trainer::new(config).unwrap();
        for _ in 0..20 {
            trainer.step().unwrap();
        }
        let before = allocations();
        // Several epochs: reshuffling at an epoch boundary must not allocate either.
        for _ in 0..200 {
            trainer.step().unwrap();
        }
        assert_eq!(allocations() - before, 0, "allocations in 200 warm steps");
    }
}
