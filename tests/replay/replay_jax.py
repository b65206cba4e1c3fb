"""Replays a `gradscope train --json` run in JAX, step by step, from the same initial
parameters and the same mini-batches, following the conventions in README ("Replaying a
run"). JAX computes the gradients itself: the engine's autodiff is not involved.

    gradscope train --json ... > run.json
    python replay_jax.py run.json

Prints the largest relative difference between the losses; exits 1 if any exceeds the
tolerance, or the final parameters differ by more than ten times it (f32 arithmetic in
both, summed in different orders), or there is nothing to replay.
"""

import json
import math
import sys

import jax
import jax.numpy as jnp

jax.config.update("jax_enable_x64", False)

FEATURES = {
    "x1": lambda x1, x2: x1,
    "x2": lambda x1, x2: x2,
    "x1_squared": lambda x1, x2: x1 * x1,
    "x2_squared": lambda x1, x2: x2 * x2,
    "x1_x2": lambda x1, x2: x1 * x2,
    "sin_x1": lambda x1, x2: math.sin(x1),
    "sin_x2": lambda x1, x2: math.sin(x2),
}
ACTIVATIONS = {
    "tanh": jnp.tanh,
    "sigmoid": jax.nn.sigmoid,
    "relu": jax.nn.relu,
    "linear": lambda z: z,
}


def replay(run, tolerance):
    cfg = run["config"]
    data = run["dataset"]
    # Features are computed in f64 from the points, then rounded to f32.
    inputs = jnp.array(
        [[FEATURES[f](x1, x2) for f in cfg["features"]] for x1, x2 in data["points"]],
        dtype=jnp.float32,
    )
    # A regression's targets are real numbers, fitted by squared error; a classification's
    # labels are class indices.
    regression = cfg.get("problem") == "regression"
    labels = jnp.array(data["targets"], jnp.float32) if regression else jnp.array(data["labels"])
    params = [
        (jnp.array(p["w"], jnp.float32).reshape(len(p["w"]) // len(p["b"]), len(p["b"])), jnp.array(p["b"], jnp.float32))
        for p in run["initial_params"]
    ]
    activations = [ACTIVATIONS[a] for a in run["architecture"]["activations"]]
    loss_kind, reg, lam = cfg["loss"], cfg["regularization"], cfg["lambda"]

    def loss_fn(params, x, y):
        h = x
        for layer, (w, b) in enumerate(params):
            z = h @ w + b  # W is fan_in × fan_out: h = x·W + b
            h = activations[layer](z) if layer < len(params) - 1 else z
        if regression:
            data_loss = jnp.mean((h - y[:, None]) ** 2)
        elif loss_kind == "softmax_cross_entropy":
            data_loss = -jnp.mean(jax.nn.log_softmax(h)[jnp.arange(h.shape[0]), y])
        else:
            t = jnp.where(y == 1, 1.0, -1.0)[:, None]  # class 1 → +1, class 0 → −1
            if loss_kind == "logistic":
                data_loss = jnp.mean(jax.nn.softplus(-t * h))
            elif loss_kind == "hinge":
                data_loss = jnp.mean(jax.nn.relu(1.0 - t * h))
            else:
                data_loss = jnp.mean((h - t) ** 2)
        if reg == "l2" and lam:
            data_loss = data_loss + sum(lam / 2 * jnp.sum(w * w) for w, _ in params)
        if reg == "l1" and lam:
            data_loss = data_loss + sum(lam * jnp.sum(jnp.abs(w)) for w, _ in params)
        return data_loss

    value_and_grad = jax.jit(jax.value_and_grad(loss_fn))
    lr, mu = cfg["learning_rate"], cfg["momentum"]
    b1, b2, eps = 0.9, 0.999, 1e-8
    m = [(jnp.zeros_like(w), jnp.zeros_like(b)) for w, b in params]
    v = [(jnp.zeros_like(w), jnp.zeros_like(b)) for w, b in params]
    worst = 0.0
    for t, step in enumerate(run["steps"], start=1):
        batch = jnp.array(step["batch"])
        loss, grads = value_and_grad(params, inputs[batch], labels[batch])
        loss = float(loss)
        rel = abs(loss - step["loss"]) / max(abs(step["loss"]), 1e-6)
        worst = max(worst, rel)
        if rel > tolerance:
            print(f"step {t}: gradscope {step['loss']!r}, JAX {loss!r} (relative {rel:.2e})")
            return worst, None, False
        new_params, new_m, new_v = [], [], []
        for (w, b), (gw, gb), (mw, mb), (vw, vb) in zip(params, grads, m, v):
            pair, pm, pv = [], [], []
            for p, g, mm, vv in ((w, gw, mw, vw), (b, gb, mb, vb)):
                if cfg["optimizer"] == "sgd":
                    p = p - lr * g
                elif cfg["optimizer"] == "momentum":
                    mm = mu * mm + g
                    p = p - lr * mm
                else:
                    mm = b1 * mm + (1 - b1) * g
                    vv = b2 * vv + (1 - b2) * g * g
                    p = p - lr * (mm / (1 - b1**t)) / (jnp.sqrt(vv / (1 - b2**t)) + eps)
                pair.append(p)
                pm.append(mm)
                pv.append(vv)
            new_params.append(tuple(pair))
            new_m.append(tuple(pm))
            new_v.append(tuple(pv))
        params, m, v = new_params, new_m, new_v
    # The parameters after the last update, against the run's final parameters.
    params_diff = 0.0
    for layer, ((w, b), final) in enumerate(zip(params, run["final_params"])):
        for name, got, want in (("w", w.reshape(-1), final["w"]), ("b", b, final["b"])):
            want = jnp.array(want, jnp.float32)
            diff = float(jnp.max(jnp.abs(got - want) / jnp.maximum(1.0, jnp.abs(want))))
            params_diff = max(params_diff, diff)
            if diff > 10 * tolerance:
                print(f"final {name}{layer + 1}: differs by {diff:.2e} (relative)")
                return worst, params_diff, False
    return worst, params_diff, True


def main():
    path = sys.argv[1]
    tolerance = float(sys.argv[2]) if len(sys.argv) > 2 else 1e-4
    with open(path) as f:
        run = json.load(f)
    if not run["steps"] or run["stopped"] is not None:
        print(f"nothing to replay: {len(run['steps'])} steps, stopped: {run['stopped']}")
        sys.exit(1)
    worst, params_diff, ok = replay(run, tolerance)
    cfg = run["config"]
    print(
        f"{cfg['dataset']} {run['architecture']['hidden']} {cfg['loss']} {cfg['optimizer']}: "
        f"{len(run['steps'])} steps replayed in JAX, largest relative loss difference {worst:.2e}, "
        f"final parameters within {params_diff if params_diff is not None else float('nan'):.1e}"
    )
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
