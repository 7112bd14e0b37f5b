/**
 * Multi-layer perceptrons for the 2-D experiments: generator, discriminator/critic and BEGAN's
 * autoencoder discriminator. Built only from ops with correct second-order gradients (matMul,
 * add, the activations fixed in src/engine/gradients.ts, and a layer norm from mean/rsqrt), so
 * every gradient penalty works. Layer norm normalises each sample on its own, so the critic
 * still scores samples independently, as the penalties require (batch norm would not).
 *
 * Initialisation: weights U[−b, b] with b = √(6 / (fan_in + fan_out)) (Glorot), biases 0,
 * drawn from gankit's seeded Rng.
 */
import { tf, Rng, dense } from '../engine/index.js';
import type { DenseActivation } from '../engine/index.js';
import type { ExportLayer } from './types.js';

/** Layer norm's ε. */
export const LAYER_NORM_EPSILON = 1e-5;

export const ACTIVATIONS = ['relu', 'leakyRelu', 'tanh', 'elu'] as const;
export type Activation = (typeof ACTIVATIONS)[number];

export interface MlpSpec {
  /** Hidden layers. */
  depth: number;
  /** Units per hidden layer. */
  width: number;
  activation: Activation;
  layerNorm: boolean;
}

/** Leaky ReLU's negative slope in the 2-D networks. */
export const LEAKY_SLOPE = 0.2;

export function activate(x: tf.Tensor, activation: Activation): tf.Tensor {
  switch (activation) {
    case 'relu':
      return tf.relu(x);
    case 'leakyRelu':
      return tf.leakyRelu(x, LEAKY_SLOPE);
    case 'tanh':
      return tf.tanh(x);
    case 'elu':
      return tf.elu(x);
  }
}

interface Layer {
  weight: tf.Variable;
  bias: tf.Variable;
  gain?: tf.Variable;
  shift?: tf.Variable;
}

let instance = 0;

/** A dense network in → [width]×depth → out; hidden layers: dense (→ layer norm) → activation. */
export class Mlp {
  readonly layers: Layer[] = [];
  readonly variables: tf.Variable[] = [];

  constructor(
    readonly inputDim: number,
    readonly outputDim: number,
    readonly spec: MlpSpec,
    rng: Rng,
    readonly name: string,
  ) {
    const prefix = `${name}#${instance++}`;
    const dims = [inputDim, ...Array.from({ length: spec.depth }, () => spec.width), outputDim];
    for (let l = 0; l + 1 < dims.length; l++) {
      const bound = Math.sqrt(6 / (dims[l] + dims[l + 1]));
      // tidy: the initial tensors go; each variable keeps its own reference to the values.
      const variable = (value: () => tf.Tensor, name: string) => tf.tidy(() => tf.variable(value(), true, `${prefix}/${name}`));
      const layer: Layer = {
        weight: variable(() => rng.uniform([dims[l], dims[l + 1]], -bound, bound), `dense${l}/weight`),
        bias: variable(() => tf.zeros([dims[l + 1]]), `dense${l}/bias`),
      };
      const hidden = l + 2 < dims.length;
      if (hidden && spec.layerNorm) {
        layer.gain = variable(() => tf.ones([dims[l + 1]]), `norm${l}/gain`);
        layer.shift = variable(() => tf.zeros([dims[l + 1]]), `norm${l}/shift`);
      }
      this.layers.push(layer);
      this.variables.push(layer.weight, layer.bias, ...(layer.gain ? [layer.gain, layer.shift!] : []));
    }
  }

  /** Forward pass; `params` (same order as `variables`) replaces the weights, e.g. EMA copies. */
  apply(x: tf.Tensor, params: tf.Tensor[] = this.variables): tf.Tensor2D {
    return tf.tidy(() => this.output(this.hidden(x, params), params));
  }

  /** The last hidden layer's activations (what heads such as InfoGAN's Q read). */
  hidden(x: tf.Tensor, params: tf.Tensor[] = this.variables): tf.Tensor2D {
    return tf.tidy(() => {
      let h = x as tf.Tensor2D;
      let p = 0;
      // relu / leaky relu without layer norm: one fused kernel per layer (src/engine/dense.ts).
      const fused: DenseActivation | null = this.spec.layerNorm ? null : this.spec.activation === 'relu' ? 'relu' : this.spec.activation === 'leakyRelu' ? 'leakyrelu' : null;
      this.layers.slice(0, -1).forEach((layer) => {
        if (fused) {
          h = dense(h, params[p++] as tf.Tensor2D, params[p++] as tf.Tensor1D, fused, LEAKY_SLOPE);
          return;
        }
        h = tf.add(tf.matMul(h, params[p++] as tf.Tensor2D), params[p++]);
        if (layer.gain) h = layerNorm(h, params[p++], params[p++]);
        h = activate(h, this.spec.activation) as tf.Tensor2D;
      });
      return h;
    });
  }

  /** The network as standard layers (src/models/types.ts ExportLayer) with the weights `params`. */
  exportLayers(params: tf.Tensor[] = this.variables): ExportLayer[] {
    const out: ExportLayer[] = [];
    let p = 0;
    this.layers.forEach((layer, l) => {
      out.push({ kind: 'dense', kernel: params[p++].clone(), bias: params[p++].clone() });
      if (l === this.layers.length - 1) return;
      if (layer.gain) out.push({ kind: 'layerNorm', gamma: params[p++].clone(), beta: params[p++].clone(), epsilon: LAYER_NORM_EPSILON });
      out.push({ kind: 'activation', fn: this.spec.activation, ...(this.spec.activation === 'leakyRelu' ? { alpha: LEAKY_SLOPE } : {}) });
    });
    return out;
  }

  /** The output layer applied to hidden activations. */
  output(hidden: tf.Tensor2D, params: tf.Tensor[] = this.variables): tf.Tensor2D {
    const n = params.length;
    return tf.tidy(() => dense(hidden, params[n - 2] as tf.Tensor2D, params[n - 1] as tf.Tensor1D));
  }

  parameterCount(): number {
    return this.variables.reduce((n, v) => n + v.size, 0);
  }

  dispose(): void {
    this.variables.forEach((v) => v.dispose());
  }
}

function layerNorm(h: tf.Tensor2D, gain: tf.Tensor, shift: tf.Tensor): tf.Tensor2D {
  const { mean, variance } = tf.moments(h, 1, true);
  return tf.add(tf.mul(tf.mul(tf.sub(h, mean), tf.rsqrt(tf.add(variance, LAYER_NORM_EPSILON))), gain), shift) as tf.Tensor2D;
}
