//! `gradscope train`: the classifier from the command line, and a JSON record of a run that
//! another framework can replay step by step (conventions in README, "Replaying a run").

use super::UserError;
use gradscope::nn::csv::{read_points, OwnPoints};
use gradscope::nn::{Config, LayerParams, Problem, Trainer};
use gradscope::session::TrainingSession;
use serde::Serialize;
use serde_json::{json, Map, Value};
use std::io::{self, Write};

const HELP: &str = "\
gradscope train: train a network on a 2-D dataset

  --problem classification|regression   (a regression fits each point's number, y, by
                       squared error: --loss mse; it reports RMSE and R²)
  --dataset moons|circles|xor|blobs|spiral   --classes 2|3     --points N
            plane|gaussians (regression over the plane), sine|abs|step (y = f(x1))
  --noise F            --test-fraction F     --seed N
  --features x1,x2,x1_squared,x2_squared,x1_x2,sin_x1,sin_x2
  --hidden 16,16       --activations relu[,tanh...]  (sigmoid, tanh, relu, linear; one for all or one per layer)
  --loss softmax_cross_entropy|logistic|hinge|mse
  --optimizer sgd|momentum|adam   --lr F   --momentum F   --batch N
  --regularization none|l1|l2     --lambda F
  --steps N (default 300)   --every N (print every N steps, default 25)
  --config FILE.json   (a configuration object; flags given after it override it)
  --data FILE.csv      train on your own points: x1,x2,label a line (label 0, 1 or 2),
                       a header row optional; split by --seed and --test-fraction
  --save FILE.json     after training, save the run: configuration, points, weights,
                       optimiser state, step count
  --load FILE.json     go on training a saved run exactly where it stopped (its
                       configuration is the file's: only --steps, --every, --json, --save)
  --json    one JSON document: configuration, dataset, initial parameters, every step's
            batch, loss and accuracy, final parameters and metrics";

/// Flags that are not configuration fields.
struct RunOptions {
    steps: usize,
    every: usize,
    json: bool,
    /// Files: own points to train on (and the points read from it), a run to save, a run
    /// to go on with.
    data: Option<String>,
    own: Option<OwnPoints>,
    save: Option<String>,
    load: Option<String>,
}

pub fn run(args: &[String]) -> Result<(), UserError> {
    let (config, mut options) = parse(args)?;
    let trainer = match (&options.load, options.own.take()) {
        (Some(file), _) => {
            let text = std::fs::read_to_string(file).map_err(|e| UserError(format!("--load {file}: {e}")))?;
            Trainer::load_json(&text).map_err(|e| UserError(format!("{file}: {e}")))?
        }
        (None, Some(own)) => Trainer::with_points(config, own).map_err(|e| UserError(e.to_string()))?,
        (None, None) => Trainer::new(config).map_err(|e| UserError(e.to_string()))?,
    };
    let mut session = TrainingSession { trainer };
    let written = if options.json {
        write_json(&mut session, options.steps).map(Ok)
    } else {
        write_table(&mut session, &options)
    };
    let trained = written.map_err(|e| UserError(format!("error writing output: {e}")))?;
    if let Some(file) = &options.save {
        // Saved even if training stopped early: the weights are the last finite ones.
        std::fs::write(file, session.trainer.save_json() + "\n")
            .map_err(|e| UserError(format!("--save {file}: {e}")))?;
    }
    trained
}

/// The points of a `--data` file; a bad one is a user error naming the file, line and column.
fn own_points(file: &str, problem: Problem) -> Result<OwnPoints, UserError> {
    let bytes = std::fs::read(file).map_err(|e| UserError(format!("--data {file}: {e}")))?;
    read_points(&bytes, problem).map_err(|e| UserError(format!("{file}: {e}")))
}

/// A line about the run, then a row every `options.every` steps and at the last one.
/// The outer error is the output's; the inner one is a run that stopped early.
fn write_table(session: &mut TrainingSession, options: &RunOptions) -> io::Result<Result<(), UserError>> {
    let mut out = io::stdout().lock();
    let trainer = &session.trainer;
    let arch = &trainer.arch;
    let widths: Vec<String> = std::iter::once(arch.inputs)
        .chain(arch.hidden.iter().copied())
        .chain(std::iter::once(arch.outputs))
        .map(|w| w.to_string())
        .collect();
    writeln!(
        out,
        "{:?} · {} points ({} train, {} test) · network {} · {:?} loss · {:?} lr {}",
        trainer.config.dataset,
        trainer.data.points.len(),
        trainer.data.train.len(),
        trainer.data.test.len(),
        widths.join("-"),
        trainer.config.loss,
        trainer.config.optimizer,
        trainer.config.learning_rate
    )?;
    let regression = trainer.config.problem == Problem::Regression;
    let head = if regression {
        ["train RMSE", "test RMSE", "train R²", "test R²"]
    } else {
        ["batch acc", "train acc", "test acc", ""]
    };
    let head = format!(
        "{:>6} {:>6} {:>10} {:>10} {:>10} {:>10} {:>10}",
        "step", "epoch", "loss", head[0], head[1], head[2], head[3]
    );
    writeln!(out, "{}", head.trim_end())?;
    let shown = |x: f64, text: String| if x.is_nan() { "-".to_string() } else { text };
    let percent = |x: f64| shown(x, format!("{:.1}%", 100.0 * x));
    let fixed = |x: f64| shown(x, format!("{x:.5}"));
    // Rows every `every` steps (counted from step 0, also after --load) and at the last.
    let (every, last) = (options.every, trainer.steps + options.steps);
    let run = session.run(options.steps, |trainer, r| {
        if r.step % every != 0 && r.step != last {
            return Ok(());
        }
        let m = trainer.evaluate();
        let cells = if regression {
            [
                fixed(m.train_rmse),
                fixed(m.test_rmse),
                fixed(m.train_r2),
                fixed(m.test_r2),
            ]
        } else {
            [
                percent(r.accuracy),
                percent(m.train_accuracy),
                percent(m.test_accuracy),
                String::new(),
            ]
        };
        let row = format!(
            "{:>6} {:>6} {:>10.5} {:>10} {:>10} {:>10} {:>10}",
            r.step,
            trainer.epochs(),
            r.loss,
            cells[0],
            cells[1],
            cells[2],
            cells[3]
        );
        writeln!(out, "{}", row.trim_end())
    })?;
    Ok(match run.stopped {
        Some(why) => Err(UserError(why.to_string())),
        None => Ok(()),
    })
}

/// Flags become a JSON object deserialized into `Config`, so the flags, a `--config` file
/// and the page's URL share one set of names and one validation.
fn parse(args: &[String]) -> Result<(Config, RunOptions), UserError> {
    let mut fields = Map::new();
    let mut options = RunOptions {
        steps: 300,
        every: 25,
        json: false,
        data: None,
        own: None,
        save: None,
        load: None,
    };
    let list = |v: &str| {
        Value::Array(
            v.split(',')
                .map(|s| Value::String(s.trim().to_string()))
                .collect(),
        )
    };
    let number = |flag: &str, v: &str| {
        v.parse::<f64>()
            .ok()
            .and_then(|x| serde_json::Number::from_f64(x).map(Value::Number))
            .ok_or_else(|| UserError(format!("{flag}: '{v}' is not a number")))
    };
    let count = |flag: &str, v: &str| {
        v.parse::<usize>()
            .map_err(|_| UserError(format!("{flag}: '{v}' is not a whole number")))
    };
    let mut i = 0;
    while i < args.len() {
        let flag = args[i].as_str();
        if flag == "--json" {
            options.json = true;
            i += 1;
            continue;
        }
        if flag == "--help" || flag == "-h" {
            println!("{HELP}");
            std::process::exit(0);
        }
        let value = args
            .get(i + 1)
            .ok_or_else(|| UserError(format!("{flag} needs a value\n\n{HELP}")))?;
        let (key, v) = match flag {
            "--steps" => {
                options.steps = count(flag, value)?;
                i += 2;
                continue;
            }
            "--every" => {
                options.every = count(flag, value)?.max(1);
                i += 2;
                continue;
            }
            "--data" | "--save" | "--load" => {
                let slot = match flag {
                    "--data" => &mut options.data,
                    "--save" => &mut options.save,
                    _ => &mut options.load,
                };
                *slot = Some(value.clone());
                i += 2;
                continue;
            }
            "--config" => {
                let text = std::fs::read_to_string(value)
                    .map_err(|e| UserError(format!("--config {value}: {e}")))?;
                let Value::Object(file) =
                    serde_json::from_str(&text).map_err(|e| UserError(format!("--config {value}: {e}")))?
                else {
                    return Err(UserError(format!("--config {value}: expected a JSON object")));
                };
                fields.extend(file);
                i += 2;
                continue;
            }
            "--problem" | "--dataset" | "--loss" | "--optimizer" | "--regularization" => {
                (flag[2..].to_string(), Value::String(value.clone()))
            }
            "--features" => ("features".into(), list(value)),
            "--activations" => ("activations".into(), list(value)),
            "--hidden" => {
                let widths: Result<Vec<Value>, UserError> = value
                    .split(',')
                    .map(|w| count(flag, w.trim()).map(Value::from))
                    .collect();
                ("hidden".into(), Value::Array(widths?))
            }
            "--classes" | "--points" | "--seed" => (flag[2..].to_string(), Value::from(count(flag, value)?)),
            "--batch" => ("batch_size".into(), Value::from(count(flag, value)?)),
            "--noise" | "--momentum" | "--lambda" => (flag[2..].to_string(), number(flag, value)?),
            "--lr" => ("learning_rate".into(), number(flag, value)?),
            "--test-fraction" => ("test_fraction".into(), number(flag, value)?),
            _ => return Err(UserError(format!("unknown option '{flag}'\n\n{HELP}"))),
        };
        fields.insert(key, v);
        i += 2;
    }
    if options.load.is_some() {
        // The run goes on as it was saved: a flag that would change it is a mistake.
        if let Some(key) = fields.keys().next() {
            return Err(UserError(format!(
                "--load goes on with the saved run's own configuration: '{key}' cannot be given with it"
            )));
        }
        if options.data.is_some() {
            return Err(UserError(
                "--load goes on with the saved run's own points: --data cannot be given with it".into(),
            ));
        }
    }
    let regression = fields.get("problem").and_then(Value::as_str) == Some("regression");
    if regression && !fields.contains_key("loss") {
        fields.insert("loss".into(), Value::from("mse"));
    }
    if regression && !fields.contains_key("dataset") {
        fields.insert("dataset".into(), Value::from("sine"));
    }
    if let (Some(file), true) = (&options.data, regression) {
        options.own = Some(own_points(file, Problem::Regression)?);
        fields.insert("dataset".into(), Value::from("own"));
    } else if let Some(file) = &options.data {
        // The classes are the file's; 3 of them need softmax unless a loss was chosen.
        let own = own_points(file, Problem::Classification)?;
        let classes = own.classes;
        options.own = Some(own);
        match fields.get("classes").and_then(Value::as_u64) {
            Some(given) if given != classes as u64 => {
                return Err(UserError(format!(
                    "--classes {given}, but {file} has {classes} classes"
                )))
            }
            _ => {}
        }
        fields.insert("classes".into(), Value::from(classes));
        fields.insert("dataset".into(), Value::from("own"));
        if classes > 2 && !fields.contains_key("loss") {
            fields.insert("loss".into(), Value::from("softmax_cross_entropy"));
        }
    }
    // One activation given for several hidden layers applies to all of them.
    if let (Some(Value::Array(acts)), Some(Value::Array(hidden))) =
        (fields.get("activations"), fields.get("hidden"))
    {
        if acts.len() == 1 && hidden.len() > 1 {
            let all = Value::Array(vec![acts[0].clone(); hidden.len()]);
            fields.insert("activations".into(), all);
        }
    } else if let (Some(Value::Array(acts)), None) = (fields.get("activations"), fields.get("hidden")) {
        if acts.len() == 1 {
            let n = Config::default().hidden.len();
            fields.insert("activations".into(), Value::Array(vec![acts[0].clone(); n]));
        }
    }
    let config: Config = serde_json::from_value(Value::Object(fields))
        .map_err(|e| UserError(format!("bad configuration: {e}")))?;
    config.validate().map_err(|e| UserError(e.to_string()))?;
    Ok((config, options))
}

#[derive(Serialize)]
struct Step<'a> {
    step: usize,
    batch: &'a [usize],
    loss: f64,
    accuracy: f64,
}

/// The run as one JSON document for an independent replay (README, "Replaying a run").
/// Training that stops early is part of the record (`stopped`), not an error.
fn write_json(session: &mut TrainingSession, steps: usize) -> io::Result<()> {
    let trainer = &session.trainer;
    let initial: Vec<LayerParams> = trainer.params();
    let mut out = io::BufWriter::new(io::stdout().lock());
    // Streamed by hand so that a long run never holds every step in memory.
    write!(
        out,
        "{{\"config\":{},\"dataset\":{},\"architecture\":{},\"initial_params\":{},\"steps\":[",
        serde_json::to_string(&trainer.config)?,
        serde_json::to_string(&trainer.data)?,
        serde_json::to_string(&trainer.arch)?,
        serde_json::to_string(&initial)?
    )?;
    let mut first = true;
    let run = session.run(steps, |trainer: &mut Trainer, r| {
        if !std::mem::take(&mut first) {
            write!(out, ",")?;
        }
        let step = Step {
            step: r.step,
            batch: trainer.last_batch(),
            loss: r.loss,
            accuracy: r.accuracy,
        };
        serde_json::to_writer(&mut out, &step).map_err(io::Error::from)
    })?;
    let stopped = run.stopped.map_or(Value::Null, |why| json!(why.to_string()));
    let trainer = &mut session.trainer;
    let metrics = trainer.evaluate();
    let finite = |x: f64| {
        if x.is_finite() {
            json!(x)
        } else {
            json!(x.to_string())
        }
    };
    writeln!(
        out,
        "],\"stopped\":{},\"final_params\":{},\"metrics\":{}}}",
        stopped,
        serde_json::to_string(&trainer.params())?,
        json!({
            "train_loss": finite(metrics.train_loss),
            "train_accuracy": finite(metrics.train_accuracy),
            "test_loss": finite(metrics.test_loss),
            "test_accuracy": finite(metrics.test_accuracy),
            "train_rmse": finite(metrics.train_rmse),
            "test_rmse": finite(metrics.test_rmse),
            "train_r2": finite(metrics.train_r2),
            "test_r2": finite(metrics.test_r2),
        })
    )?;
    out.flush()
}
