//! Seeded 2-D datasets, a train/test split, and the input features of TensorFlow
//! Playground computed from the two coordinates.

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
}

/// The most classes any dataset has.
pub const MAX_CLASSES: usize = 3;

impl DatasetKind {
    pub const ALL: [DatasetKind; 6] = [
        DatasetKind::Moons,
        DatasetKind::Circles,
        DatasetKind::Xor,
        DatasetKind::Blobs,
        DatasetKind::Spiral,
        DatasetKind::Own,
    ];

    /// How many classes this dataset can have.
    pub fn supports(self, classes: usize) -> bool {
        match self {
            DatasetKind::Blobs | DatasetKind::Spiral | DatasetKind::Own => classes == 2 || classes == 3,
            _ => classes == 2,
        }
    }
}

/// Points with class labels, split into a training and a test set.
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Dataset {
    /// `x1, x2` of every point.
    pub points: Vec<[f64; 2]>,
    pub labels: Vec<usize>,
    pub classes: usize,
    /// Indices into `points`.
    pub train: Vec<usize>,
    pub test: Vec<usize>,
}

impl Dataset {
    /// Why these points cannot be trained on as they are, if they cannot: a label or split
    /// that does not fit, or a coordinate that is not a finite number (a damaged file, or
    /// data from JavaScript).
    pub fn check(&self) -> Result<(), String> {
        let n = self.points.len();
        if !(2..=MAX_CLASSES).contains(&self.classes) {
            return Err(format!("{} classes: a dataset has 2 or 3", self.classes));
        }
        if self.labels.len() != n {
            return Err(format!("{} labels for {n} points", self.labels.len()));
        }
        if let Some(i) = self.points.iter().position(|p| !p.iter().all(|v| v.is_finite())) {
            return Err(format!("point {i} is not a pair of finite numbers"));
        }
        if let Some(i) = self.labels.iter().position(|&c| c >= self.classes) {
            return Err(format!(
                "point {i} has class {}, not one of 0…{}",
                self.labels[i],
                self.classes - 1
            ));
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

/// `n` points of `kind` with Gaussian noise of standard deviation `noise`, of which
/// `test_fraction` go to the test set. `Own` has no points to draw: it gives none.
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
    let mut labels = Vec::with_capacity(n);
    for i in 0..n {
        let class = i % classes;
        let [x, y] = point(kind, class, classes, &mut rng);
        points.push([x + noise * rng.normal(), y + noise * rng.normal()]);
        labels.push(class);
    }
    split(points, labels, classes, test_fraction, &mut rng)
}

/// Points of the user's own, split into training and test sets by `seed` (as `generate`
/// splits its points).
pub fn own(
    points: Vec<[f64; 2]>,
    labels: Vec<usize>,
    classes: usize,
    test_fraction: f64,
    seed: u64,
) -> Dataset {
    split(points, labels, classes, test_fraction, &mut Rng::new(seed))
}

/// `test_fraction` of the points, in a seeded random order, to the test set; the rest to training.
fn split(
    points: Vec<[f64; 2]>,
    labels: Vec<usize>,
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
        DatasetKind::Own => [0.0, 0.0], // never drawn: `generate` gives `Own` no points
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
