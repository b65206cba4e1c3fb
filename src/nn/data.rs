//! Seeded 2-D datasets, a train/test split, and the input features of TensorFlow
//! Playground computed from the two coordinates.

use super::config::Problem;
use super::rng::Rng;
use serde::{Deserialize, Serialize};

#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DatasetKind {
    Moons,
    Circles,
    Xor,
    Blobs,
    Spiral,
    /// Points the user loaded (a CSV file or pasted text): nothing to draw from a seed.
    Own,
    // Regression, after TensorFlow Playground's two: a plane, and a mixture of Gaussians.
    Plane,
    Gaussians,
    // One-dimensional fits, y = f(x1) with x2 = 0, to watch a curve being approximated.
    Sine,
    Abs,
    Step,
}

/// The most classes any dataset has.
pub const MAX_CLASSES: usize = 3;

impl DatasetKind {
    pub const ALL: [DatasetKind; 11] = [
        DatasetKind::Moons,
        DatasetKind::Circles,
        DatasetKind::Xor,
        DatasetKind::Blobs,
        DatasetKind::Spiral,
        DatasetKind::Own,
        DatasetKind::Plane,
        DatasetKind::Gaussians,
        DatasetKind::Sine,
        DatasetKind::Abs,
        DatasetKind::Step,
    ];

    /// Whether this dataset poses `problem` (own points may pose either).
    pub fn poses(self, problem: Problem) -> bool {
        use DatasetKind::*;
        match self {
            Own => true,
            Plane | Gaussians | Sine | Abs | Step => problem == Problem::Regression,
            Moons | Circles | Xor | Blobs | Spiral => problem == Problem::Classification,
        }
    }

    /// Whether the points lie on the line x2 = 0 (a fit of y = f(x1)).
    pub fn is_curve(self) -> bool {
        matches!(self, DatasetKind::Sine | DatasetKind::Abs | DatasetKind::Step)
    }

    /// How many classes this dataset can have.
    pub fn supports(self, classes: usize) -> bool {
        match self {
            DatasetKind::Blobs | DatasetKind::Spiral | DatasetKind::Own => classes == 2 || classes == 3,
            DatasetKind::Moons | DatasetKind::Circles | DatasetKind::Xor => classes == 2,
            // A regression has no classes: its class count is never read.
            _ => true,
        }
    }
}

/// Points with class labels (a classification) or targets (a regression), split into a
/// training and a test set.
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Dataset {
    /// `x1, x2` of every point.
    pub points: Vec<[f64; 2]>,
    /// Each point's class; empty for a regression.
    pub labels: Vec<usize>,
    /// 0 for a regression.
    pub classes: usize,
    /// Each point's target `y`; empty for a classification.
    #[serde(default)]
    pub targets: Vec<f64>,
    /// Indices into `points`.
    pub train: Vec<usize>,
    pub test: Vec<usize>,
}

impl Dataset {
    /// Whether the points have targets rather than classes.
    pub fn is_regression(&self) -> bool {
        self.classes == 0
    }

    /// Why these points cannot be trained on as they are, if they cannot: a label or split
    /// that does not fit, or a coordinate that is not a finite number (a damaged file, or
    /// data from JavaScript).
    pub fn check(&self) -> Result<(), String> {
        let n = self.points.len();
        if let Some(i) = self.points.iter().position(|p| !p.iter().all(|v| v.is_finite())) {
            return Err(format!("point {i} is not a pair of finite numbers"));
        }
        if self.is_regression() {
            if !self.labels.is_empty() || self.targets.len() != n {
                return Err(format!(
                    "{} targets and {} labels for {n} points",
                    self.targets.len(),
                    self.labels.len()
                ));
            }
            if let Some(i) = self.targets.iter().position(|y| !y.is_finite()) {
                return Err(format!("point {i}'s target is not a finite number"));
            }
        } else {
            if !(2..=MAX_CLASSES).contains(&self.classes) {
                return Err(format!("{} classes: a dataset has 2 or 3", self.classes));
            }
            if self.labels.len() != n || !self.targets.is_empty() {
                return Err(format!(
                    "{} labels and {} targets for {n} points",
                    self.labels.len(),
                    self.targets.len()
                ));
            }
            if let Some(i) = self.labels.iter().position(|&c| c >= self.classes) {
                return Err(format!(
                    "point {i} has class {}, not one of 0…{}",
                    self.labels[i],
                    self.classes - 1
                ));
            }
        }
        let mut used = vec![false; n];
        for &i in self.train.iter().chain(&self.test) {
            if i >= n || std::mem::replace(&mut used[i], true) {
                return Err(format!(
                    "the training and test sets do not split the {n} points (index {i})"
                ));
            }
        }
        Ok(())
    }
}

/// `n` points of `kind` with Gaussian noise of standard deviation `noise` (on the points
/// of a classification, on the targets of a regression), of which `test_fraction` go to
/// the test set. `Own` has no points to draw: it gives none.
pub fn generate(
    kind: DatasetKind,
    classes: usize,
    n: usize,
    noise: f64,
    test_fraction: f64,
    seed: u64,
) -> Dataset {
    let mut rng = Rng::new(seed);
    let n = if kind == DatasetKind::Own { 0 } else { n };
    let mut points = Vec::with_capacity(n);
    let mut labels = Vec::new();
    let mut targets = Vec::new();
    if kind.poses(Problem::Regression) {
        for _ in 0..n {
            let x1 = rng.range(-1.5, 1.5);
            let p = if kind.is_curve() {
                [x1, 0.0]
            } else {
                [x1, rng.range(-1.5, 1.5)]
            };
            points.push(p);
            targets.push(target(kind, p) + noise * rng.normal());
        }
        return split(points, labels, targets, 0, test_fraction, &mut rng);
    }
    for i in 0..n {
        let class = i % classes;
        let [x, y] = point(kind, class, classes, &mut rng);
        points.push([x + noise * rng.normal(), y + noise * rng.normal()]);
        labels.push(class);
    }
    split(points, labels, targets, classes, test_fraction, &mut rng)
}

/// The noise-free target of a regression dataset at `p`, within [-1, 1].
fn target(kind: DatasetKind, [x1, x2]: [f64; 2]) -> f64 {
    match kind {
        DatasetKind::Plane => (x1 + x2) / 3.0,
        // TF Playground's six Gaussians (scaled from its [-6, 6]² to our [-1.5, 1.5]²): the
        // signed bump whose magnitude is largest at the point.
        DatasetKind::Gaussians => {
            const BUMPS: [(f64, f64, f64); 6] = [
                (-1.0, 0.625, 1.0),
                (0.0, 0.625, -1.0),
                (1.0, 0.625, 1.0),
                (-1.0, -0.625, -1.0),
                (0.0, -0.625, 1.0),
                (1.0, -0.625, -1.0),
            ];
            BUMPS.iter().fold(0.0, |best: f64, &(cx, cy, sign)| {
                let d = ((x1 - cx).powi(2) + (x2 - cy).powi(2)).sqrt();
                let y = sign * (1.0 - d / 0.5).max(0.0);
                if y.abs() > best.abs() {
                    y
                } else {
                    best
                }
            })
        }
        DatasetKind::Sine => (2.0 * x1).sin(),
        DatasetKind::Abs => x1.abs() - 0.75,
        DatasetKind::Step => {
            if x1 < 0.0 {
                -0.5
            } else {
                0.5
            }
        }
        _ => 0.0,
    }
}

/// Points of the user's own with their classes (`targets` empty) or their targets
/// (`labels` empty, `classes` 0), split into training and test sets by `seed` (as
/// `generate` splits its points).
pub fn own(
    points: Vec<[f64; 2]>,
    labels: Vec<usize>,
    targets: Vec<f64>,
    classes: usize,
    test_fraction: f64,
    seed: u64,
) -> Dataset {
    split(
        points,
        labels,
        targets,
        classes,
        test_fraction,
        &mut Rng::new(seed),
    )
}

/// `test_fraction` of the points, in a seeded random order, to the test set; the rest to training.
fn split(
    points: Vec<[f64; 2]>,
    labels: Vec<usize>,
    targets: Vec<f64>,
    classes: usize,
    test_fraction: f64,
    rng: &mut Rng,
) -> Dataset {
    let n = points.len();
    let mut order: Vec<usize> = (0..n).collect();
    rng.shuffle(&mut order);
    let test_len = ((n as f64) * test_fraction.clamp(0.0, 0.9)).round() as usize;
    let test = order[..test_len].to_vec();
    let train = order[test_len..].to_vec();
    Dataset {
        points,
        labels,
        classes,
        targets,
        train,
        test,
    }
}

/// A noise-free point of `class`, roughly within [-1.5, 1.5]².
fn point(kind: DatasetKind, class: usize, classes: usize, rng: &mut Rng) -> [f64; 2] {
    use std::f64::consts::{PI, TAU};
    match kind {
        // scikit-learn's two moons, centred.
        DatasetKind::Moons => {
            let t = rng.range(0.0, PI);
            if class == 0 {
                [t.cos() - 0.5, t.sin() - 0.25]
            } else {
                [0.5 - t.cos(), 0.25 - t.sin()]
            }
        }
        DatasetKind::Circles => {
            let t = rng.range(0.0, TAU);
            let r = if class == 0 {
                rng.range(0.0, 0.5)
            } else {
                rng.range(0.8, 1.2)
            };
            [r * t.cos(), r * t.sin()]
        }
        DatasetKind::Xor => {
            let (sx, sy) = match class {
                0 => (if rng.uniform() < 0.5 { 1.0 } else { -1.0 }, 1.0),
                _ => (if rng.uniform() < 0.5 { 1.0 } else { -1.0 }, -1.0),
            };
            // Class 0 where x and y agree in sign, class 1 where they differ.
            let x = sx * rng.range(0.1, 1.2);
            let y = sx * sy * rng.range(0.1, 1.2);
            [x, y]
        }
        DatasetKind::Blobs => {
            let angle = TAU * class as f64 / classes as f64 + PI / 4.0;
            [angle.cos() + 0.3 * rng.normal(), angle.sin() + 0.3 * rng.normal()]
        }
        // CS231n's spiral: radius grows with the angle, one arm per class.
        DatasetKind::Spiral => {
            let r = rng.uniform();
            let theta = 4.0 * r + TAU * class as f64 / classes as f64;
            [1.2 * r * theta.sin(), 1.2 * r * theta.cos()]
        }
        // Never drawn: `generate` gives `Own` no points, and a regression's targets.
        _ => [0.0, 0.0],
    }
}

/// An input feature of the network, computed from a point `(x1, x2)`.
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Feature {
    X1,
    X2,
    X1Squared,
    X2Squared,
    X1X2,
    SinX1,
    SinX2,
}

impl Feature {
    pub const ALL: [Feature; 7] = [
        Feature::X1,
        Feature::X2,
        Feature::X1Squared,
        Feature::X2Squared,
        Feature::X1X2,
        Feature::SinX1,
        Feature::SinX2,
    ];

    pub fn of(self, [x1, x2]: [f64; 2]) -> f64 {
        match self {
            Feature::X1 => x1,
            Feature::X2 => x2,
            Feature::X1Squared => x1 * x1,
            Feature::X2Squared => x2 * x2,
            Feature::X1X2 => x1 * x2,
            Feature::SinX1 => x1.sin(),
            Feature::SinX2 => x2.sin(),
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Feature::X1 => "x1",
            Feature::X2 => "x2",
            Feature::X1Squared => "x1²",
            Feature::X2Squared => "x2²",
            Feature::X1X2 => "x1·x2",
            Feature::SinX1 => "sin x1",
            Feature::SinX2 => "sin x2",
        }
    }
}
