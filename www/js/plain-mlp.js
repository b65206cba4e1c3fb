// @ts-check
// The baseline for the benchmark page: a hand-written MLP in plain JavaScript (Float32Array,
// loops, no allocation per step), the same shape, loss and optimiser as gradscope's run.
// Binary cross-entropy on one logit, plain SGD. Not used by the app.

export class PlainMlp {
  /** @param {number[]} sizes widths from input to output (one output: the logit)
   * @param {"relu" | "tanh"} activation of the hidden layers @param {number} [seed] */
  constructor(sizes, activation, seed = 1) {
    this.sizes = sizes;
    this.relu = activation === "relu";
    let s = seed;
    const rand = () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32) * 2 - 1;
    this.w = [];
    this.b = [];
    for (let l = 0; l + 1 < sizes.length; l++) {
      const bound = Math.sqrt(6 / (sizes[l] + sizes[l + 1]));
      this.w.push(Float32Array.from({ length: sizes[l] * sizes[l + 1] }, () => rand() * bound));
      this.b.push(new Float32Array(sizes[l + 1]));
    }
    const max = Math.max(...sizes);
    this.h = sizes.map((n) => new Float32Array(n)); // activations of one sample
    this.gw = this.w.map((w) => new Float32Array(w.length));
    this.gb = this.b.map((b) => new Float32Array(b.length));
    this.delta = [new Float32Array(max), new Float32Array(max)];
  }

  /** Takes over another network's weights (gradscope's `Trainer.layers()`: `w` inputs ×
   * outputs, row-major, as here), so both sides start from, and compute with, the same.
   * @param {{ w: ArrayLike<number>, b: ArrayLike<number> }[]} layers */
  setWeights(layers) {
    if (layers.length !== this.w.length) throw new Error(`${layers.length} layers for a network of ${this.w.length}`);
    layers.forEach((l, i) => {
      this.w[i].set(l.w);
      this.b[i].set(l.b);
    });
  }

  /** The heatmap: the probability of class 1, σ(logit), at each of `rows` points whose two
   * features are the pairs of `xs`, into `out`. Allocates nothing.
   * @param {Float32Array} xs @param {Float32Array} out */
  forwardGrid(xs, out) {
    for (let p = 0; p < out.length; p++) out[p] = 1 / (1 + Math.exp(-this.forward(xs[2 * p], xs[2 * p + 1])));
    return out;
  }

  /** Forward for one sample into this.h; returns the logit.
   * @param {number} x0 @param {number} x1 */
  forward(x0, x1) {
    const { sizes, w, b, h } = this;
    h[0][0] = x0;
    h[0][1] = x1;
    for (let l = 0; l + 1 < sizes.length; l++) {
      const n = sizes[l];
      const m = sizes[l + 1];
      const wl = w[l];
      const hin = h[l];
      const hout = h[l + 1];
      const last = l + 2 === sizes.length;
      for (let j = 0; j < m; j++) {
        let z = b[l][j];
        for (let i = 0; i < n; i++) z += hin[i] * wl[i * m + j];
        hout[j] = last ? z : this.relu ? (z > 0 ? z : 0) : Math.tanh(z);
      }
    }
    return h[sizes.length - 1][0];
  }

  /** One SGD step on a batch of indices into xs (pairs) and ys (±1); returns the mean loss.
   * @param {Float32Array} xs @param {Float32Array} ys @param {number[]} batch @param {number} lr */
  step(xs, ys, batch, lr) {
    const { sizes, w, b, h, gw, gb } = this;
    gw.forEach((g) => g.fill(0));
    gb.forEach((g) => g.fill(0));
    let loss = 0;
    const L = sizes.length - 1;
    for (const k of batch) {
      const s = this.forward(xs[2 * k], xs[2 * k + 1]);
      const y = ys[k];
      const m = -y * s;
      loss += m > 0 ? m + Math.log1p(Math.exp(-m)) : Math.log1p(Math.exp(m));
      let d = this.delta[0];
      d[0] = -y / (1 + Math.exp(y * s)) / batch.length; // ∂loss/∂s
      for (let l = L - 1; l >= 0; l--) {
        const n = sizes[l];
        const mm = sizes[l + 1];
        const next = this.delta[(L - l) % 2];
        for (let j = 0; j < mm; j++) gb[l][j] += d[j];
        for (let i = 0; i < n; i++) {
          let acc = 0;
          for (let j = 0; j < mm; j++) {
            gw[l][i * mm + j] += h[l][i] * d[j];
            acc += w[l][i * mm + j] * d[j];
          }
          if (l > 0) {
            const a = h[l][i];
            next[i] = acc * (this.relu ? (a > 0 ? 1 : 0) : 1 - a * a);
          }
        }
        d = next;
      }
    }
    for (let l = 0; l < L; l++) {
      for (let i = 0; i < w[l].length; i++) w[l][i] -= lr * gw[l][i];
      for (let i = 0; i < b[l].length; i++) b[l][i] -= lr * gb[l][i];
    }
    return loss / batch.length;
  }
}
