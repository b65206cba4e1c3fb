//! The hand-off of training steps to another device (`Trainer::train_on` and `take_over`),
//! with a device that takes them on a CPU graph of its own: the same steps as
//! `Trainer::step`, and the one guard against taking over steps that are out of date.
#![cfg(not(target_arch = "wasm32"))]

use gradscope::nn::{
    Config, LayerParams, Net, Optimizer, OptimizerKind, Regularization, StepsJob, StepsTaken, Stopped,
    TrainState, Trainer, TrainingDevice,
};
use std::num::NonZeroUsize;

/// Another device, as far as the trainer can tell: it takes the job's steps on a network
/// of its own, built from the job's start, and finishes at once.
struct CpuDevice;

impl TrainingDevice for CpuDevice {
    type Started = StepsTaken;

    fn start(&self, mut job: StepsJob<'_>) -> StepsTaken {
        let (config, arch) = (job.config().clone(), job.architecture().clone());
        let start = job.start().clone();
        let layers: Vec<LayerParams> = start
            .params
            .chunks(2)
            .map(|wb| LayerParams {
                w: wb[0].iter().map(|&v| v as f64).collect(),
                b: wb[1].iter().map(|&v| v as f64).collect(),
            })
            .collect();
        let (loss, reg, lambda) = (config.loss, config.regularization, config.lambda);
        let mut net = Net::<f32>::build(&arch, &layers, job.batch_size(), loss, reg, lambda).unwrap();
        let params: Vec<_> = net.params.iter().flat_map(|&(w, b)| [w, b]).collect();
        let mut optimizer = Optimizer::new(config.optimizer, config.momentum, &net.graph);
        optimizer.set_moments(&start.m, &start.v, start.t);
        let value = |net: &Net<f32>| params.iter().map(|&id| net.graph.value(id).to_vec()).collect();
        let mut previous = Vec::new();
        let mut point_losses = Vec::new();
        for _ in 0..job.steps() {
            let (x, y) = job.next_batch();
            net.graph.set_value(net.x, x).unwrap();
            net.graph.set_value(net.target, y).unwrap();
            net.graph.forward();
            previous = value(&net);
            // The graph keeps only the mean: each point is given it.
            point_losses = vec![net.graph.value(net.data_loss)[0]; y.len()];
            net.graph.backward(net.loss);
            optimizer.step(&mut net.graph, &params, config.learning_rate);
        }
        let (m, v, t) = optimizer.moments();
        StepsTaken {
            ticket: job.ticket(),
            state: TrainState {
                params: value(&net),
                m: m.to_vec(),
                v: v.to_vec(),
                t,
            },
            grads: params.iter().map(|&id| net.graph.grad(id).to_vec()).collect(),
            previous,
            logits: net.graph.value(net.logits()).to_vec(),
            point_losses,
        }
    }
}

fn steps(n: usize) -> NonZeroUsize {
    NonZeroUsize::new(n).unwrap()
}

fn config(optimizer: OptimizerKind, regularization: Regularization) -> Config {
    Config {
        optimizer,
        regularization,
        lambda: if regularization == Regularization::None {
            0.0
        } else {
            0.01
        },
        batch_size: 20,
        ..Config::default()
    }
}

#[test]
fn steps_taken_on_another_device_are_the_steps_the_trainer_would_take() {
    use OptimizerKind::*;
    for (optimizer, regularization) in [
        (Sgd, Regularization::L1),
        (Momentum, Regularization::None),
        (Adam, Regularization::L2),
    ] {
        let c = config(optimizer, regularization);
        let (mut here, mut elsewhere) = (Trainer::new(c.clone()).unwrap(), Trainer::new(c).unwrap());
        // Two hand-offs, so the second starts from moments and a step count handed back.
        let mut last = None;
        for n in [7, 5] {
            for _ in 0..n {
                last = Some(here.step().unwrap());
            }
            let taken = elsewhere.train_on(&CpuDevice, steps(n)).unwrap();
            let result = elsewhere.take_over(taken).unwrap();
            let last = last.unwrap();
            assert_eq!(result.step, last.step);
            assert_eq!(result.accuracy, last.accuracy, "{optimizer:?}");
            assert!(
                (result.loss - last.loss).abs() < 1e-6,
                "{} vs {}",
                result.loss,
                last.loss
            );
            assert_eq!(elsewhere.last_batch(), here.last_batch(), "the same batches");
            assert_eq!(elsewhere.epochs(), here.epochs());
        }
        for (a, b) in elsewhere.layers().iter().zip(here.layers()) {
            assert_eq!(
                (&a.w, &a.b),
                (&b.w, &b.b),
                "{optimizer:?}: the same weights, bit for bit"
            );
            assert_eq!((&a.w_grad, &a.b_grad), (&b.w_grad, &b.b_grad), "and gradients");
        }
        // And the next CPU steps go on from the same optimiser state.
        assert_eq!(elsewhere.step().unwrap(), here.step().unwrap());
    }
}

#[test]
fn steps_are_not_taken_over_once_the_trainer_has_changed() {
    // Whatever the trainer did between handing the steps out and getting them back.
    type Change = fn(&mut Trainer, &StepsTaken);
    let changes: [(&str, Change); 5] = [
        ("a live change of settings", |t, _| {
            let faster = Config {
                learning_rate: 0.1,
                ..t.config.clone()
            };
            t.reconfigure(faster).unwrap();
        }),
        ("a step", |t, _| {
            t.step().unwrap();
        }),
        ("a new point", |t, _| t.add_point([0.5, 0.5], 1.0, false).unwrap()),
        ("a newer hand-off", |t, _| {
            t.train_on(&CpuDevice, steps(1)).unwrap();
        }),
        ("taking them over already", |t, taken| {
            t.take_over(taken.clone()).unwrap();
        }),
    ];
    for (what, change) in changes {
        let mut trainer = Trainer::new(Config::default()).unwrap();
        let taken = trainer.train_on(&CpuDevice, steps(3)).unwrap();
        change(&mut trainer, &taken);
        let before = (trainer.params(), trainer.steps);
        assert!(!trainer.accepts(&taken), "after {what}");
        assert_eq!(trainer.take_over(taken), Err(Stopped::Stale), "after {what}");
        assert_eq!(
            (trainer.params(), trainer.steps),
            before,
            "nothing changes after {what}"
        );
    }
}

#[test]
fn steps_handed_out_by_one_trainer_are_not_taken_over_by_another() {
    let (mut one, mut other) = (
        Trainer::new(Config::default()).unwrap(),
        Trainer::new(Config::default()).unwrap(),
    );
    let mine = one.train_on(&CpuDevice, steps(2)).unwrap();
    let theirs = other.train_on(&CpuDevice, steps(2)).unwrap();
    assert!(!other.accepts(&mine) && !one.accepts(&theirs));
    assert!(one.take_over(mine).is_ok() && other.take_over(theirs).is_ok());
}

#[test]
fn steps_that_do_not_fit_the_network_are_not_taken_over() {
    let mut trainer = Trainer::new(Config::default()).unwrap();
    let mut taken = trainer.train_on(&CpuDevice, steps(2)).unwrap();
    taken.grads.pop();
    assert!(!trainer.accepts(&taken));
    assert_eq!(trainer.take_over(taken), Err(Stopped::Stale));
}

#[test]
fn non_finite_weights_from_another_device_stop_training_and_keep_the_last_good_ones() {
    let mut trainer = Trainer::new(Config::default()).unwrap();
    trainer.step().unwrap();
    let mut taken = trainer.train_on(&CpuDevice, steps(4)).unwrap();
    // What a device that does not carry NaN through max or clamp may hand back: finite
    // losses and a NaN weight.
    taken.state.params[0][0] = f32::NAN;
    let stopped = trainer.take_over(taken);
    assert!(matches!(stopped, Err(Stopped::Diverged { .. })), "{stopped:?}");
    assert_eq!(trainer.steps, 1, "no step of a failed hand-off counts");
    let finite = trainer
        .params()
        .iter()
        .flat_map(|l| l.w.iter().chain(&l.b))
        .all(|v| v.is_finite());
    assert!(finite);
}

#[test]
fn without_training_points_nothing_is_handed_out() {
    let mut trainer = Trainer::new(Config::default()).unwrap();
    trainer.clear_points();
    assert_eq!(
        trainer.train_on(&CpuDevice, steps(1)).err(),
        Some(Stopped::NoTrainingPoints)
    );
}
