/**
 * Spectral normalisation (Miyato, Kataoka, Koyama & Yoshida 2018, "Spectral Normalization for
 * Generative Adversarial Networks"): each weight W is used as W / σ(W), σ(W) its largest singular
 * value, estimated by one power iteration per discriminator step with a persistent vector u:
 *   v ← normalise(M u),  u ← normalise(Mᵀ v),  σ = vᵀ M u
 * where M is W viewed as a matrix [size / last axis, last axis] (a dense weight as stored, a conv
 * filter [KH, KW, Cin, Cout] as [KH·KW·Cin, Cout]; σ(M) = σ(Mᵀ)), normalise(x) = x / max(‖x‖, 1e-12)
 * as in PyTorch. u and v are constants of the forward pass (the iteration runs outside the tape),
 * so σ is linear in W and W / σ has exact derivatives of every order: the gradient penalties'
 * double backprop goes through it. u and v are network state, saved in checkpoints; u starts as a
 * normalised N(0, 1) draw and v from one iteration, so σ is defined before the first step.
 */
import { tf, Rng } from '../engine/index.js';

const EPS = 1e-12;

interface Target {
  /** Index in the network's variables. */
  index: number;
  rows: number;
  cols: number;
  u: tf.Variable;
  v: tf.Variable;
}

const normalise = (x: tf.Tensor) => tf.div(x, tf.maximum(tf.norm(x), EPS));

/** Numbers the instances: tfjs refuses two variables of one name, and two networks may live at once. */
let instance = 0;

export class SpectralNorm {
  private readonly targets: Target[] = [];
  /** u and v of every normalised weight, in order: checkpointed with the network. */
  readonly state: tf.Variable[] = [];

  /** Normalises `variables[i]` for every i in `indices` (weights of rank ≥ 2). */
  constructor(variables: tf.Variable[], indices: number[], rng: Rng, name: string) {
    const prefix = `${name}#${instance++}`;
    for (const index of indices) {
      const w = variables[index];
      if (w.rank < 2) throw new Error(`spectral norm: ${w.name} has rank ${w.rank}; only weights (rank ≥ 2) are normalised`);
      const cols = w.shape[w.rank - 1];
      const rows = w.size / cols;
      const u = tf.tidy(() => tf.variable(normalise(rng.normal([cols, 1])), false, `${prefix}/sn${index}/u`));
      const v = tf.tidy(() => tf.variable(normalise(tf.matMul(tf.reshape(w, [rows, cols]), u)), false, `${prefix}/sn${index}/v`));
      this.targets.push({ index, rows, cols, u, v });
      this.state.push(u, v);
    }
  }

  /** One power iteration for every weight, from the weights' current values (call once per D step, outside any tape). */
  iterate(variables: tf.Variable[]): void {
    tf.tidy(() => {
      for (const t of this.targets) {
        const m = tf.reshape(variables[t.index], [t.rows, t.cols]);
        const v = normalise(tf.matMul(m, t.u));
        const u = normalise(tf.matMul(m, v, true, false));
        t.v.assign(v);
        t.u.assign(u);
      }
    });
  }

  /** σ estimates vᵀ M u of every weight (for logs and tests). */
  sigmas(params: tf.Tensor[]): number[] {
    return tf.tidy(() => this.targets.map((t) => this.sigma(params[t.index], t).dataSync()[0]));
  }

  private sigma(w: tf.Tensor, t: Target): tf.Tensor {
    return tf.reshape(tf.matMul(tf.matMul(t.v, tf.reshape(w, [t.rows, t.cols]), true, false), t.u), []);
  }

  /** `params` with each normalised weight replaced by W / σ(W) (differentiable in W to any order). */
  apply(params: tf.Tensor[]): tf.Tensor[] {
    const out = params.slice();
    for (const t of this.targets) out[t.index] = tf.div(params[t.index], this.sigma(params[t.index], t));
    return out;
  }

  dispose(): void {
    tf.dispose(this.state);
  }
}
