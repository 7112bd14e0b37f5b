/** The 2-D experiments' networks: MLP generator, MLP critic, MLP autoencoder (BEGAN). */
import { tf, Rng } from '../engine/index.js';
import { Mlp, MlpSpec } from './mlp.js';
import type { DiscriminatorNet, GeneratorNet } from './types.js';
import type { DiscriminatorKind } from '../losses/registry.js';

export class MlpGenerator implements GeneratorNet {
  readonly net: Mlp;
  readonly sampleShape: number[];
  constructor(readonly noiseDim: number, outputDim: number, spec: MlpSpec, rng: Rng) {
    this.net = new Mlp(noiseDim, outputDim, spec, rng, 'G');
    this.sampleShape = [outputDim];
  }
  get variables() {
    return this.net.variables;
  }
  generate(z: tf.Tensor, params?: tf.Tensor[]) {
    return this.net.apply(z, params);
  }
  parameterCount() {
    return this.net.parameterCount();
  }
  dispose() {
    this.net.dispose();
  }
}

export class MlpCritic implements DiscriminatorNet {
  readonly net: Mlp;
  constructor(inputDim: number, spec: MlpSpec, rng: Rng) {
    this.net = new Mlp(inputDim, 1, spec, rng, 'D');
  }
  get variables() {
    return this.net.variables;
  }
  score(x: tf.Tensor) {
    return tf.tidy(() => tf.reshape(this.net.apply(x), [-1]) as tf.Tensor1D);
  }
  parameterCount() {
    return this.net.parameterCount();
  }
  dispose() {
    this.net.dispose();
  }
}

/** BEGAN's discriminator for points: encoder MLP to a bottleneck, decoder MLP back; score = mean|x − AE(x)|. */
export class MlpAutoencoder implements DiscriminatorNet {
  readonly encoder: Mlp;
  readonly decoder: Mlp;
  constructor(inputDim: number, spec: MlpSpec, rng: Rng, bottleneck = 8) {
    const half = { ...spec, depth: Math.max(1, Math.ceil(spec.depth / 2)) };
    this.encoder = new Mlp(inputDim, bottleneck, half, rng, 'D_enc');
    this.decoder = new Mlp(bottleneck, inputDim, half, rng, 'D_dec');
  }
  get variables() {
    return [...this.encoder.variables, ...this.decoder.variables];
  }
  score(x: tf.Tensor) {
    return tf.tidy(() => tf.mean(tf.abs(tf.sub(x, this.decoder.apply(this.encoder.apply(x)))), 1) as tf.Tensor1D);
  }
  parameterCount() {
    return this.encoder.parameterCount() + this.decoder.parameterCount();
  }
  dispose() {
    this.encoder.dispose();
    this.decoder.dispose();
  }
}

export function toyDiscriminator(kind: DiscriminatorKind, spec: MlpSpec, rng: Rng): DiscriminatorNet {
  return kind === 'autoencoder' ? new MlpAutoencoder(2, spec, rng) : new MlpCritic(2, spec, rng);
}
