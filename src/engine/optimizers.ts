/**
 * Optimisers with explicit, serialisable state (so a checkpoint holds every slot and a resumed
 * run continues bit-for-bit). The update rules are PyTorch's, the reference implementation the
 * papers' code used:
 *   Adam:     m ← β1 m + (1−β1) g;  v ← β2 v + (1−β2) g²;  θ ← θ − lr · m̂ / (√v̂ + ε), ε = 1e-8
 *   RMSProp:  s ← ρ s + (1−ρ) g²;   θ ← θ − lr · g / (√s + ε), ε = 1e-8 (ε outside the root,
 *             unlike tfjs's RMSPropOptimizer); optional momentum buffer.
 *   SGD:      b ← μ b + g;  θ ← θ − lr · b  (μ = 0: plain SGD).
 */
import { tf } from './tfjs.js';
import { fusedAdamMany, fusedAdamAvailable, fusedAdamAtAnySize } from './kernels/adam.js';

export type OptimizerName = 'adam' | 'rmsprop' | 'sgd';
export const OPTIMIZER_NAMES: readonly OptimizerName[] = ['adam', 'rmsprop', 'sgd'];

export interface OptimizerSettings {
  name: OptimizerName;
  lr: number;
  beta1?: number;
  beta2?: number;
  /** SGD / RMSProp momentum. */
  momentum?: number;
  /** RMSProp decay ρ (tfjs name `decay`). */
  decay?: number;
}

export interface OptimizerState {
  step: number;
  /** Slot tensors' values, slot name → one Float32Array per variable. */
  slots: Record<string, Float32Array[]>;
}

/**
 * Largest parameter updated by the fused Adam kernel when it runs as JavaScript (no SIMD module:
 * the cpu backend, or a wasm heap the module cannot reach); bigger ones take the op-by-op rule.
 * Measured (docs/speed.md): the one JavaScript pass beats fourteen wasm kernels up to ~64k values,
 * above that the kernels' SIMD wins. As SIMD (kernels/simd.wat) the fused kernel wins at every
 * size. All give the same bits.
 */
export const FUSED_ADAM_MAX_SIZE = 65536;

export class Optimizer {
  readonly settings: OptimizerSettings;
  private readonly variables: tf.Variable[];
  private slots: Record<string, tf.Variable[]> = {};
  private t = 0;
  /** Use the fused Adam kernel where the backend has it (false: always the op-by-op rule). */
  fused = true;

  constructor(settings: OptimizerSettings, variables: tf.Variable[]) {
    this.settings = settings;
    this.variables = variables;
    const slotNames = settings.name === 'adam' ? ['m', 'v'] : settings.name === 'rmsprop' ? ['square', ...(settings.momentum ? ['momentum'] : [])] : settings.momentum ? ['momentum'] : [];
    // tidy: the zeros each slot starts from would otherwise stay behind as extra tensors.
    for (const name of slotNames) this.slots[name] = variables.map((v) => tf.tidy(() => tf.variable(tf.zerosLike(v), false)));
  }

  get stepCount(): number {
    return this.t;
  }

  /** Applies one update from gradients given in the order of the variables; `lrScale` multiplies lr (schedules). */
  apply(grads: Array<tf.Tensor | undefined>, lrScale = 1): void {
    this.t += 1;
    const s = { ...this.settings, lr: this.settings.lr * lrScale };
    const fused = s.name === 'adam' && this.fused && fusedAdamAvailable();
    // As SIMD (wasm) and on webgpu the fused kernel wins at every size; as a JavaScript loop only up to the cap.
    const cap = fused && fusedAdamAtAnySize() ? Infinity : FUSED_ADAM_MAX_SIZE;
    tf.tidy(() => {
      // Adam: every parameter the fused kernel takes in one kernel, with the same float32 bits as
      // the ops below (src/engine/kernels/adam.ts); the rest by the ops.
      const b1 = s.beta1 ?? 0.9;
      const b2 = s.beta2 ?? 0.999;
      const byKernel = new Set<number>();
      if (s.name === 'adam' && fused) {
        const picked = this.variables.flatMap((variable, i) => (grads[i] && variable.size <= cap ? [i] : []));
        if (picked.length > 0) {
          const outs = fusedAdamMany(
            picked.map((i) => ({ theta: this.variables[i], m: this.slots.m[i], v: this.slots.v[i], g: grads[i]! })),
            { beta1: b1, beta2: b2, stepSize: s.lr / (1 - b1 ** this.t), biasCorrection2: Math.sqrt(1 - b2 ** this.t), epsilon: 1e-8 },
          );
          picked.forEach((i, k) => {
            const [theta, m2, v2] = outs[k];
            this.slots.m[i].assign(m2);
            this.slots.v[i].assign(v2);
            this.variables[i].assign(theta);
            byKernel.add(i);
          });
        }
      }
      this.variables.forEach((variable, i) => {
        const g = grads[i];
        if (!g || byKernel.has(i)) return; // a variable the loss does not depend on, or done above
        if (s.name === 'adam') {
          const m = this.slots.m[i];
          const v = this.slots.v[i];
          m.assign(tf.add(tf.mul(b1, m), tf.mul(1 - b1, g)));
          v.assign(tf.add(tf.mul(b2, v), tf.mul(1 - b2, tf.square(g))));
          const stepSize = s.lr / (1 - b1 ** this.t);
          const denom = tf.add(tf.div(tf.sqrt(v), Math.sqrt(1 - b2 ** this.t)), 1e-8);
          variable.assign(tf.sub(variable, tf.mul(stepSize, tf.div(m, denom))));
        } else if (s.name === 'rmsprop') {
          const rho = s.decay ?? 0.99;
          const sq = this.slots.square[i];
          sq.assign(tf.add(tf.mul(rho, sq), tf.mul(1 - rho, tf.square(g))));
          let update = tf.div(g, tf.add(tf.sqrt(sq), 1e-8));
          if (s.momentum) {
            const buf = this.slots.momentum[i];
            buf.assign(tf.add(tf.mul(s.momentum, buf), update));
            update = buf;
          }
          variable.assign(tf.sub(variable, tf.mul(s.lr, update)));
        } else {
          let update: tf.Tensor = g;
          if (s.momentum) {
            const buf = this.slots.momentum[i];
            buf.assign(tf.add(tf.mul(s.momentum, buf), g));
            update = buf;
          }
          variable.assign(tf.sub(variable, tf.mul(s.lr, update)));
        }
      });
    });
  }

  /** The slot variables (m and v for Adam, …), for moving them between backends. */
  slotVariables(): tf.Variable[] {
    return Object.values(this.slots).flat();
  }

  getState(): OptimizerState {
    const slots: Record<string, Float32Array[]> = {};
    for (const [name, vars] of Object.entries(this.slots)) slots[name] = vars.map((v) => v.dataSync() as Float32Array);
    return { step: this.t, slots };
  }

  setState(state: OptimizerState): void {
    for (const [name, vars] of Object.entries(this.slots)) {
      const values = state.slots[name];
      if (!values || values.length !== vars.length) throw new Error(`optimizer state has no slot '${name}' for ${vars.length} variables`);
      vars.forEach((v, i) => {
        if (values[i].length !== v.size) throw new Error(`optimizer slot '${name}'[${i}] has ${values[i].length} values, expected ${v.size}`);
        tf.tidy(() => v.assign(tf.tensor(values[i], v.shape)));
      });
    }
    this.t = state.step;
  }

  dispose(): void {
    for (const vars of Object.values(this.slots)) vars.forEach((v) => v.dispose());
  }
}
