/** The networks for 2-D points: MLP generator, MLP critic (with InfoGAN's Q head), MLP autoencoder (BEGAN). */
import { tf, Rng } from '../engine/index.js';
import { Mlp, MlpSpec } from './mlp.js';
import { SpectralNorm } from './spectral.js';
import type { DiscriminatorKind, DiscriminatorNet, GeneratorNet } from './types.js';

export class MlpGenerator implements GeneratorNet {
  readonly net: Mlp;
  readonly sampleShape: number[];
  constructor(readonly latentDim: number, outputDim: number, spec: MlpSpec, rng: Rng) {
    this.net = new Mlp(latentDim, outputDim, spec, rng, 'G');
    this.sampleShape = [outputDim];
  }
  get variables() {
    return this.net.variables;
  }
  generate(z: tf.Tensor, params?: tf.Tensor[]) {
    return this.net.apply(z, params);
  }
  exportLayers(params: tf.Tensor[] = this.variables) {
    return this.net.exportLayers(params);
  }
  parameterCount() {
    return this.net.parameterCount();
  }
  dispose() {
    this.net.dispose();
  }
}

/**
 * MLP critic; with qDim > 0 it also has InfoGAN's Q head, a linear layer on the shared last hidden
 * layer. `spectralNorm`: every weight of the critic's body and output layer is spectrally
 * normalised (./spectral.ts); the Q head is not (it is not part of the score).
 */
export class MlpCritic implements DiscriminatorNet {
  readonly rowsIndependent = true;
  readonly net: Mlp;
  private readonly qHead: Mlp | null;
  private readonly sn: SpectralNorm | null;
  constructor(inputDim: number, spec: MlpSpec, rng: Rng, qDim = 0, spectralNorm = false) {
    this.net = new Mlp(inputDim, 1, spec, rng, 'D');
    this.qHead = qDim > 0 ? new Mlp(spec.width, qDim, { ...spec, depth: 0 }, rng, 'Q') : null;
    // Drawn after every weight: the weights are the same with and without spectral norm.
    const weights = this.net.variables.flatMap((v, i) => (v.rank === 2 ? [i] : []));
    this.sn = spectralNorm ? new SpectralNorm(this.net.variables, weights, rng, 'D') : null;
  }
  get variables() {
    return [...this.net.variables, ...(this.qHead?.variables ?? [])];
  }
  get state() {
    return this.sn?.state ?? [];
  }
  beginStep() {
    this.sn?.iterate(this.net.variables);
  }
  /** The body's parameters as the forward pass uses them (spectrally normalised when on). */
  private params(): tf.Tensor[] {
    return this.sn ? this.sn.apply(this.net.variables) : this.net.variables;
  }
  /** σ estimates of the normalised weights (empty without spectral norm). */
  sigmas(): number[] {
    return this.sn ? this.sn.sigmas(this.net.variables) : [];
  }
  score(x: tf.Tensor) {
    return tf.tidy(() => tf.reshape(this.net.apply(x, this.params()), [-1]) as tf.Tensor1D);
  }
  scoreWithQ(x: tf.Tensor) {
    if (!this.qHead) throw new Error('this critic has no Q head (infogan is off)');
    return tf.tidy(() => {
      const p = this.params();
      const h = this.net.hidden(x, p);
      return { score: tf.reshape(this.net.output(h, p), [-1]) as tf.Tensor1D, q: this.qHead!.apply(h) };
    });
  }
  parameterCount() {
    return this.variables.reduce((n, v) => n + v.size, 0);
  }
  dispose() {
    this.net.dispose();
    this.qHead?.dispose();
    this.sn?.dispose();
  }
}

/** BEGAN's discriminator for points: encoder MLP to a bottleneck, decoder MLP back; score = mean|x − AE(x)|. */
export class MlpAutoencoder implements DiscriminatorNet {
  readonly rowsIndependent = true;
  readonly encoder: Mlp;
  readonly decoder: Mlp;
  constructor(inputDim: number, spec: MlpSpec, rng: Rng, bottleneck = 1) {
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

/** The D for 2-D points of the loss's kind; `qDim` > 0 adds InfoGAN's Q head; `spectralNorm` normalises the critic's weights. */
export function mlpDiscriminator(kind: DiscriminatorKind, spec: MlpSpec, rng: Rng, qDim = 0, spectralNorm = false): DiscriminatorNet {
  if (kind === 'autoencoder' && qDim > 0) throw new Error('InfoGAN needs a discriminator with a Q head; BEGAN\'s autoencoder has none');
  if (kind === 'autoencoder' && spectralNorm) throw new Error("spectral norm is for critics and discriminators; BEGAN's autoencoder has none");
  return kind === 'autoencoder' ? new MlpAutoencoder(2, spec, rng) : new MlpCritic(2, spec, rng, qDim, spectralNorm);
}
