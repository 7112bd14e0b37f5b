/**
 * Convolutional generators and discriminators for images (NHWC, pixels in [−1, 1]).
 *
 * - `lucic28`: the InfoGAN / Lucic et al. ("Are GANs Created Equal?") MNIST architecture.
 *     G: FC 1024 (`model.fcG`) → BN → ReLU → FC 7·7·128 → BN → ReLU → deconv 64 (4×4, s2) → BN → ReLU
 *        → deconv C (4×4, s2) → tanh.
 *     D: conv 64 (4×4, s2) → lReLU(0.2) → conv 128 (4×4, s2) → norm → lReLU → FC 1024 → norm
 *        → lReLU → FC 1.
 * - `dcgan28`: the standard DCGAN for 28×28 (no 1024-unit FC layers: ~8× less arithmetic than lucic28).
 *     G: FC 7·7·128 → BN → ReLU → deconv 64 (4×4, s2) → BN → ReLU → deconv C (4×4, s2) → tanh.
 *     D: conv 64 (4×4, s2) → lReLU(0.2) → conv 128 (4×4, s2) → norm → lReLU → FC 1.
 * - `dcgan32` / `dcgan64` (Radford et al. 2016), for image folders:
 *     G: FC 4·4·(8|4)·64 → BN → ReLU → deconvs (4×4, s2) halving channels → deconv C → tanh.
 *     D: conv 64 (4×4, s2, no norm) → convs doubling channels with norm → FC 1, lReLU(0.2).
 * - BEGAN's autoencoder discriminator (Berthelot et al. 2017): encoder = conv stack (ELU) → FC h,
 *   decoder = FC → nearest-neighbour upsampling + 3×3 convs (ELU) → C channels; score = L1
 *   reconstruction error per sample.
 * - `began28`: BEGAN's own pair — the autoencoder D above and a generator with the architecture of
 *   its decoder (the paper, §3.3: "the generator … uses the same architecture (though not the same
 *   weights) as the discriminator decoder"): FC z → [7, 7, n] → (nearest ×2 → 3×3 conv n → ELU) ×2
 *   → 3×3 conv C → tanh. No batch norm. Only with a loss whose D is an autoencoder.
 *
 * D's norm: 'batch' where the papers have it (standard GAN, LSGAN, WGAN); 'layer' (per-sample)
 * or 'none' for the gradient-penalty losses, whose penalty needs samples scored independently —
 * see `discriminatorNormFor`. In training, batch statistics are the current batch's (G and D run
 * in training mode, as the reference implementations do). For samples, metrics and export, G's
 * batch norm uses standing statistics (StudioGAN's `-std_stat`): mean and variance of each layer
 * averaged over many training-mode batches (`GeneratorNet.normMoments`, Trainer.standingStatistics),
 * so that a sample depends on its own z only.
 *
 * Conditioning: G takes [z, onehot(y)] (its latentDim includes the classes); D takes y as K
 * constant planes concatenated to the image ('concat', Mirza & Osindero) or by projection
 * score = ψ(φ(x)) + ⟨E y, φ(x)⟩ ('projection', Miyato & Koyama 2018). The auxiliary head (InfoGAN's
 * Q: FC 128 → lReLU → FC q; ACGAN's class logits: FC K) reads the last hidden features φ(x).
 *
 * Every op here has a tested second-order gradient (conv2d and deconv via src/engine/conv.ts,
 * leakyRelu/elu/tanh/moments/resizeNearestNeighbor via src/engine/gradients.ts), so WGAN-GP, DRAGAN
 * and R1 work on these critics. Weights ~ N(0, 0.02²) (DCGAN), biases 0, BN γ 1, β 0.
 */
import { tf, Rng, deconv2d, fusedConv2d, kernelRoutes, fusedOn, batchNorm } from '../engine/index.js';
import type { NormActivation } from '../engine/index.js';
import type { DiscriminatorNet, ExportLayer, GeneratorNet } from './types.js';
import { SpectralNorm } from './spectral.js';

export const IMAGE_ARCHITECTURES = ['lucic28', 'dcgan28', 'dcgan32', 'dcgan64', 'began28'] as const;
export type ImageArchitecture = (typeof IMAGE_ARCHITECTURES)[number];
export const NORMS = ['batch', 'layer', 'none'] as const;
export type Norm = (typeof NORMS)[number];
export type Conditioning = 'none' | 'concat' | 'projection';

export interface ImageShape {
  height: number;
  width: number;
  channels: number;
}

/** The image size an architecture produces. */
export function architectureSize(arch: ImageArchitecture): number {
  return arch === 'lucic28' || arch === 'dcgan28' || arch === 'began28' ? 28 : arch === 'dcgan32' ? 32 : 64;
}

let instance = 0;

/** Variables in creation order plus name → index, so a forward pass can take replacement params. */
class Params {
  readonly variables: tf.Variable[] = [];
  private readonly prefix: string;
  constructor(
    name: string,
    private readonly rng: Rng,
  ) {
    this.prefix = `${name}#${instance++}`;
  }
  /** A variable from `value()`; tidy disposes the initial tensors (the variable keeps its own reference). */
  private add(name: string, value: () => tf.Tensor): number {
    this.variables.push(tf.tidy(() => tf.variable(value(), true, `${this.prefix}/${name}`)));
    return this.variables.length - 1;
  }
  weight(name: string, shape: number[]): number {
    return this.add(`${name}/weight`, () => tf.mul(this.rng.normal(shape), 0.02));
  }
  zeros(name: string, shape: number[]): number {
    return this.add(name, () => tf.zeros(shape));
  }
  ones(name: string, shape: number[]): number {
    return this.add(name, () => tf.ones(shape));
  }
}

interface Affine {
  w: number;
  b: number;
}
interface NormLayer {
  kind: Norm;
  gain: number;
  shift: number;
}

function affine(p: Params, name: string, shape: number[], outputs = shape[shape.length - 1]): Affine {
  return { w: p.weight(name, shape), b: p.zeros(`${name}/bias`, [outputs]) };
}
function normLayer(p: Params, name: string, kind: Norm, channels: number): NormLayer {
  if (kind === 'none') return { kind, gain: -1, shift: -1 };
  return { kind, gain: p.ones(`${name}/gain`, [channels]), shift: p.zeros(`${name}/shift`, [channels]) };
}

/** Batch norm's ε (PyTorch's default, and the exported model's). */
export const BN_EPSILON = 1e-5;

/**
 * How a generator's batch-norm layers get their statistics, layer by layer: from the batch
 * (training; `collect` then receives each layer's batch mean and mean square), or fixed
 * (`standing`: mean and variance per layer, see `standingStatistics` in the trainer).
 */
interface NormMode {
  standing?: readonly tf.Tensor[];
  collect?: tf.Tensor[];
  layer: number;
}

/** Batch norm over all axes but the last (batch statistics); layer norm over each sample's features. */
function normalise(x: tf.Tensor, n: NormLayer, P: tf.Tensor[], mode?: NormMode): tf.Tensor {
  if (n.kind === 'none') return x;
  const axes = n.kind === 'batch' ? [...Array(x.rank - 1).keys()] : [...Array(x.rank - 1).keys()].map((a) => a + 1);
  let mean: tf.Tensor;
  let variance: tf.Tensor;
  if (n.kind === 'batch' && mode?.standing) {
    [mean, variance] = [mode.standing[2 * mode.layer], mode.standing[2 * mode.layer + 1]];
    mode.layer++;
  } else {
    ({ mean, variance } = tf.moments(x, axes, true));
    if (n.kind === 'batch' && mode?.collect) {
      mode.collect.push(mean, tf.mean(tf.square(x), axes, true));
      mode.layer++;
    }
  }
  const normed = tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, BN_EPSILON)));
  return tf.add(tf.mul(normed, P[n.gain]), P[n.shift]);
}

/** Whether a norm layer runs as the fused kernel (engine batchNorm): batch norm on the batch's statistics while the fused kernels are on. */
const fusedNorm = (n: NormLayer, mode?: NormMode): boolean => n.kind === 'batch' && !mode?.standing && !mode?.collect && fusedOn();

/**
 * act(batchNorm(x + b)) as one kernel (and one for its gradient): the same maths as
 * act(normalise(x + b)) with the bias added by the layer, within float32 rounding (see
 * engine/kernels/batchNorm.ts). Only while `fusedNorm`.
 */
const fusedBatchNorm = (x: tf.Tensor, bias: number, n: NormLayer, P: tf.Tensor[], activation: NormActivation): tf.Tensor =>
  batchNorm(x, P[bias], P[n.gain], P[n.shift], { epsilon: BN_EPSILON, activation, alpha: activation === 'leakyrelu' ? LEAKY_SLOPE : 0 });

/**
 * x·W + b with W stored as [out, in] and computed (wasm kernels) as (W·xᵀ)ᵀ: tfjs-wasm packs the second operand of
 * a product on every call, and a fresh 6272×1024 weight packed per call (x·W) cost ~2–8× the product;
 * here only the small activations are packed.
 */
const dense = (x: tf.Tensor, a: Affine, P: tf.Tensor[]) =>
  // With the native kernels BLAS (and on webgpu the product) reads W transposed in place: x·Wᵀ, no transposes at all.
  kernelRoutes()
    ? tf.add(tf.matMul(x as tf.Tensor2D, P[a.w] as tf.Tensor2D, false, true), P[a.b])
    : tf.add(tf.transpose(tf.matMul(P[a.w] as tf.Tensor2D, tf.transpose(x as tf.Tensor2D))), P[a.b]);
/** A dense layer's parameters: weight [out, in] (see `dense`), bias [out]. */
const denseAffine = (p: Params, name: string, inputs: number, outputs: number) => affine(p, name, [outputs, inputs], outputs);
const conv = (x: tf.Tensor, a: Affine, P: tf.Tensor[], stride: number) =>
  tf.add(tf.conv2d(x as tf.Tensor4D, P[a.w] as tf.Tensor4D, stride, 'same'), P[a.b]);
const LEAKY_SLOPE = 0.2;
const lrelu = (x: tf.Tensor) => tf.leakyRelu(x, LEAKY_SLOPE);

interface GeneratorPlan {
  fcHidden: number | null;
  base: [number, number];
  channels: number[];
}

function generatorPlan(arch: ImageArchitecture, fcHidden?: number): GeneratorPlan {
  if (fcHidden !== undefined && arch !== 'lucic28') throw new Error(`${arch}: G has no hidden FC layer to size`);
  switch (arch) {
    case 'lucic28':
      return { fcHidden: fcHidden ?? 1024, base: [7, 128], channels: [64] };
    case 'dcgan28':
      return { fcHidden: null, base: [7, 128], channels: [64] };
    case 'dcgan32':
      return { fcHidden: null, base: [4, 256], channels: [128, 64] };
    case 'dcgan64':
      return { fcHidden: null, base: [4, 512], channels: [256, 128, 64] };
    case 'began28':
      throw new Error('began28: its generator is a DecoderGenerator');
  }
}

/** A generator with fully connected layers into a small feature map, then stride-2 transposed convolutions. */
export class ConvGenerator implements GeneratorNet {
  readonly variables: tf.Variable[];
  /** Batch norm uses the batch's statistics: sample at least this many at a time. */
  readonly minBatch = 64;
  readonly sampleShape: number[];
  private readonly fc: { a: Affine; n: NormLayer }[] = [];
  private readonly deconvs: { a: Affine; n: NormLayer | null; outChannels: number }[] = [];
  private readonly plan: GeneratorPlan;

  private readonly sn: SpectralNorm | null = null;

  /**
   * `spectralNorm`: every dense and transposed-conv weight of G is used as W/σ(W) (SAGAN, Zhang et
   * al. 2019, after Miyato et al.), one power iteration per G step (`beginStep`); the EMA copy is
   * normalised with the same u and v.
   */
  constructor(
    readonly latentDim: number,
    readonly arch: ImageArchitecture,
    channels: number,
    rng: Rng,
    spectralNorm = false,
    /** lucic28: units of the hidden FC layer (default 1024). */
    fcUnits?: number,
  ) {
    const p = new Params('G', rng);
    this.plan = generatorPlan(arch, fcUnits);
    const { fcHidden, base, channels: widths } = this.plan;
    const size = architectureSize(arch);
    this.sampleShape = [size, size, channels];
    let inDim = latentDim;
    if (fcHidden) {
      this.fc.push({ a: denseAffine(p, 'fc0', inDim, fcHidden), n: normLayer(p, 'bn_fc0', 'batch', fcHidden) });
      inDim = fcHidden;
    }
    const baseUnits = base[0] * base[0] * base[1];
    this.fc.push({ a: denseAffine(p, `fc${this.fc.length}`, inDim, baseUnits), n: normLayer(p, `bn_fc${this.fc.length}`, 'batch', baseUnits) });
    let inCh = base[1];
    for (const [i, outCh] of [...widths, channels].entries()) {
      const last = i === widths.length;
      // tf.conv2dTranspose's filter layout: [kh, kw, out, in].
      this.deconvs.push({ a: affine(p, `deconv${i}`, [4, 4, outCh, inCh], outCh), n: last ? null : normLayer(p, `bn_deconv${i}`, 'batch', outCh), outChannels: outCh });
      inCh = outCh;
    }
    this.variables = p.variables;
    if (spectralNorm) this.sn = new SpectralNorm(this.variables, [...this.fc.map((f) => f.a.w), ...this.deconvs.map((d) => d.a.w)], rng, 'G');
  }

  parameterCount(): number {
    return this.variables.reduce((s, v) => s + v.size, 0);
  }

  /** Spectral norm's u and v (checkpointed as Gstate/…), when on. */
  get state(): tf.Variable[] {
    return this.sn?.state ?? [];
  }

  /** One power iteration of spectral norm from G's current weights (before each G update). */
  beginStep(): void {
    this.sn?.iterate(this.variables);
  }

  /** σ estimates of the normalised weights (empty without spectral norm). */
  spectralNorms(params: tf.Tensor[] = this.variables): number[] {
    return this.sn ? this.sn.sigmas(params) : [];
  }

  /** Batch-norm layers, each with a mean and a variance in `standing` (see GeneratorNet). */
  get normLayers(): number {
    return this.fc.length + this.deconvs.filter((d) => d.n).length;
  }

  generate(z: tf.Tensor, params: tf.Tensor[] = this.variables, standing?: readonly tf.Tensor[]): tf.Tensor {
    if (standing && standing.length !== 2 * this.normLayers) throw new Error(`generate: standing statistics for ${standing.length / 2} layers, the generator has ${this.normLayers}`);
    return tf.tidy(() => this.forward(z, params, standing ? { standing, layer: 0 } : undefined));
  }

  normMoments(z: tf.Tensor, params: tf.Tensor[] = this.variables): tf.Tensor[] {
    return tf.tidy(() => {
      const mode: NormMode = { collect: [], layer: 0 };
      this.forward(z, params, mode);
      return mode.collect!;
    });
  }

  exportLayers(params: tf.Tensor[], standing?: readonly tf.Tensor[]): ExportLayer[] {
    if (!standing || standing.length !== 2 * this.normLayers) throw new Error('exportLayers: a batch-norm generator exports with its standing statistics');
    return tf.tidy(() => this.layersOf(this.sn ? this.sn.apply(params) : params, standing));
  }

  private layersOf(params: tf.Tensor[], standing: readonly tf.Tensor[]): ExportLayer[] {
    let k = 0;
    const bn = (n: NormLayer): ExportLayer => {
      const layer: ExportLayer = { kind: 'batchNorm', gamma: params[n.gain].clone(), beta: params[n.shift].clone(), mean: tf.reshape(standing[2 * k], [-1]), variance: tf.reshape(standing[2 * k + 1], [-1]), epsilon: BN_EPSILON };
      k++;
      return layer;
    };
    const out: ExportLayer[] = [];
    for (const { a, n } of this.fc) out.push({ kind: 'dense', kernel: tf.transpose(params[a.w]), bias: params[a.b].clone() }, bn(n), { kind: 'activation', fn: 'relu' });
    const [s0, c0] = this.plan.base;
    out.push({ kind: 'reshape', shape: [s0, s0, c0] });
    for (const { a, n } of this.deconvs) {
      out.push({ kind: 'deconv', kernel: params[a.w].clone(), bias: params[a.b].clone(), strides: 2, padding: 'same' });
      out.push(...(n ? [bn(n), { kind: 'activation', fn: 'relu' } as const] : [{ kind: 'activation', fn: 'tanh' } as const]));
    }
    return out;
  }

  private forward(z: tf.Tensor, params: tf.Tensor[], mode: NormMode | undefined): tf.Tensor {
    const P = this.sn ? this.sn.apply(params) : params;
    let h: tf.Tensor = z;
    for (const { a, n } of this.fc) {
      h = fusedNorm(n, mode) ? fusedBatchNorm(tf.matMul(h as tf.Tensor2D, P[a.w] as tf.Tensor2D, false, true), a.b, n, P, 'relu') : tf.relu(normalise(dense(h, a, P), n, P, mode));
    }
    const n0 = z.shape[0];
    const [s0, c0] = this.plan.base;
    h = tf.reshape(h, [n0, s0, s0, c0]);
    let size = s0;
    for (const { a, n, outChannels } of this.deconvs) {
      size *= 2;
      const filter = P[a.w] as tf.Tensor4D;
      h = deconv2d(h as tf.Tensor4D, filter, [n0, size, size, outChannels], 2, 'same');
      if (n && fusedNorm(n, mode)) {
        h = fusedBatchNorm(h, a.b, n, P, 'relu');
        continue;
      }
      h = tf.add(h, P[a.b]);
      h = n ? tf.relu(normalise(h, n, P, mode)) : tf.tanh(h);
    }
    return h;
  }

  dispose(): void {
    tf.dispose(this.variables);
    this.sn?.dispose();
  }
}

export interface ConvDiscriminatorOptions {
  arch: ImageArchitecture;
  /** Image channels. */
  channels: number;
  norm: Norm;
  /** Classes for 'concat'/'projection' conditioning (0 = unconditional). */
  classes?: number;
  conditioning?: Conditioning;
  /** Size of the auxiliary head (InfoGAN Q outputs or ACGAN class logits); 0 = none. */
  headDim?: number;
  /** 'q': InfoGAN's FC 128 → lReLU → FC headDim; 'linear': one FC (ACGAN's classifier). */
  headKind?: 'q' | 'linear';
  /** Spectral norm (./spectral.ts) on every conv and dense weight and the projection embedding; not on the auxiliary head. */
  spectralNorm?: boolean;
}

function discriminatorPlan(arch: ImageArchitecture): { channels: number[]; fcHidden: number | null } {
  switch (arch) {
    case 'lucic28':
      return { channels: [64, 128], fcHidden: 1024 };
    case 'dcgan28':
      return { channels: [64, 128], fcHidden: null };
    case 'dcgan32':
      return { channels: [64, 128, 256], fcHidden: null };
    case 'dcgan64':
      return { channels: [64, 128, 256, 512], fcHidden: null };
    case 'began28':
      throw new Error('began28: its discriminator is a ConvAutoencoder');
  }
}

/** A strided-conv discriminator/critic with optional conditioning and auxiliary head. */
export class ConvDiscriminator implements DiscriminatorNet {
  readonly variables: tf.Variable[];
  private readonly convs: { a: Affine; n: NormLayer }[] = [];
  private readonly fc: { a: Affine; n: NormLayer } | null = null;
  private readonly out: Affine;
  private readonly embed: number = -1;
  private readonly head: Affine[] = [];
  readonly featureDim: number;
  readonly classes: number;
  readonly conditioning: Conditioning;
  readonly rowsIndependent: boolean;
  private readonly sn: SpectralNorm | null = null;
  private basis: tf.Tensor2D | null = null;

  /** [K, H·W·K]: row k has a 1 at every pixel's channel k (kept, made once per image size). */
  private planeBasis(height: number, width: number): tf.Tensor2D {
    if (!this.basis || this.basis.shape[1] !== height * width * this.classes) {
      this.basis?.dispose();
      this.basis = tf.tidy(() => tf.keep(tf.tile(tf.eye(this.classes), [1, height * width]) as tf.Tensor2D));
    }
    return this.basis;
  }

  constructor(
    readonly options: ConvDiscriminatorOptions,
    rng: Rng,
  ) {
    const p = new Params('D', rng);
    const { channels, fcHidden } = discriminatorPlan(options.arch);
    this.classes = options.classes ?? 0;
    this.conditioning = this.classes > 0 ? (options.conditioning ?? 'concat') : 'none';
    this.rowsIndependent = options.norm !== 'batch';
    let inCh = options.channels + (this.conditioning === 'concat' ? this.classes : 0);
    for (const [i, outCh] of channels.entries()) {
      // The first layer has no norm (DCGAN, InfoGAN).
      this.convs.push({ a: affine(p, `conv${i}`, [4, 4, inCh, outCh]), n: normLayer(p, `norm_conv${i}`, i === 0 ? 'none' : options.norm, outCh) });
      inCh = outCh;
    }
    let size = architectureSize(options.arch);
    for (let i = 0; i < channels.length; i++) size = Math.ceil(size / 2);
    let features = size * size * inCh;
    if (fcHidden) {
      this.fc = { a: denseAffine(p, 'fc', features, fcHidden), n: normLayer(p, 'norm_fc', options.norm, fcHidden) };
      features = fcHidden;
    }
    this.featureDim = features;
    this.out = denseAffine(p, 'out', features, 1);
    if (this.conditioning === 'projection') this.embed = p.weight('embed', [this.classes, features]);
    const headDim = options.headDim ?? 0;
    if (headDim > 0) {
      if ((options.headKind ?? 'q') === 'q') this.head.push(denseAffine(p, 'q0', features, 128), denseAffine(p, 'q1', 128, headDim));
      else this.head.push(denseAffine(p, 'cls', features, headDim));
    }
    this.variables = p.variables;
    if (options.spectralNorm) {
      // Drawn after every weight: the weights are the same with and without spectral norm.
      const head = new Set(this.head.map((a) => a.w));
      const weights = this.variables.flatMap((v, i) => (v.rank >= 2 && !head.has(i) ? [i] : []));
      this.sn = new SpectralNorm(this.variables, weights, rng, 'D');
    }
  }

  get state(): tf.Variable[] {
    return this.sn?.state ?? [];
  }

  beginStep(): void {
    this.sn?.iterate(this.variables);
  }

  /** σ estimates of the normalised weights (empty without spectral norm). */
  sigmas(): number[] {
    return this.sn ? this.sn.sigmas(this.variables) : [];
  }

  /** The parameters as the forward pass uses them (spectrally normalised when on). */
  private params(): tf.Tensor[] {
    return this.sn ? this.sn.apply(this.variables) : this.variables;
  }

  parameterCount(): number {
    return this.variables.reduce((s, v) => s + v.size, 0);
  }

  /** φ(x): the last hidden features [N, featureDim]. */
  features(x: tf.Tensor, labels?: tf.Tensor, P: tf.Tensor[] = this.params()): tf.Tensor2D {
    let h: tf.Tensor = x;
    if (this.conditioning === 'concat') {
      if (!labels) throw new Error('this discriminator is conditional: pass one-hot labels');
      const [n, hh, ww] = x.shape;
      // onehot(y)·basis: each label copied to every pixel. The same values as tf.tile, which
      // tfjs-wasm runs element by element (60 ms for a batch of 64 planes of 28×28×10).
      const basis = this.planeBasis(hh!, ww!);
      const planes = tf.reshape(tf.matMul(labels as tf.Tensor2D, basis), [n, hh!, ww!, this.classes]);
      h = tf.concat([x, planes], 3);
    }
    for (const { a, n } of this.convs) {
      // Without a norm in between, conv + bias + leaky ReLU is one kernel (engine/conv.ts).
      if (n.kind === 'none') h = fusedConv2d(h as tf.Tensor4D, P[a.w] as tf.Tensor4D, P[a.b] as tf.Tensor1D, 2, 'same', 'leakyrelu', LEAKY_SLOPE);
      else if (fusedNorm(n)) h = fusedBatchNorm(tf.conv2d(h as tf.Tensor4D, P[a.w] as tf.Tensor4D, 2, 'same'), a.b, n, P, 'leakyrelu');
      else h = lrelu(normalise(conv(h, a, P, 2), n, P));
    }
    h = tf.reshape(h, [x.shape[0], -1]);
    if (this.fc) {
      const { a, n } = this.fc;
      h = fusedNorm(n) ? fusedBatchNorm(tf.matMul(h as tf.Tensor2D, P[a.w] as tf.Tensor2D, false, true), a.b, n, P, 'leakyrelu') : lrelu(normalise(dense(h, a, P), n, P));
    }
    return h as tf.Tensor2D;
  }

  private scoreFromFeatures(phi: tf.Tensor2D, labels: tf.Tensor | undefined, P: tf.Tensor[]): tf.Tensor1D {
    let s = tf.reshape(dense(phi, this.out, P), [-1]) as tf.Tensor1D;
    if (this.conditioning === 'projection') {
      if (!labels) throw new Error('this discriminator is conditional: pass one-hot labels');
      s = tf.add(s, tf.sum(tf.mul(tf.matMul(labels as tf.Tensor2D, P[this.embed] as tf.Tensor2D), phi), 1)) as tf.Tensor1D;
    }
    return s;
  }

  score(x: tf.Tensor, labels?: tf.Tensor): tf.Tensor1D {
    return tf.tidy(() => {
      const P = this.params();
      return this.scoreFromFeatures(this.features(x, labels, P), labels, P);
    });
  }

  scoreWithQ(x: tf.Tensor, labels?: tf.Tensor): { score: tf.Tensor1D; q: tf.Tensor2D } {
    if (this.head.length === 0) throw new Error('this discriminator has no auxiliary head');
    return tf.tidy(() => {
      const P = this.params();
      const phi = this.features(x, labels, P);
      let q: tf.Tensor = phi;
      for (const [i, a] of this.head.entries()) {
        q = dense(q, a, P);
        if (i + 1 < this.head.length) q = lrelu(q);
      }
      return { score: this.scoreFromFeatures(phi, labels, P), q: q as tf.Tensor2D };
    });
  }

  dispose(): void {
    tf.dispose(this.variables);
    this.sn?.dispose();
    this.basis?.dispose();
    this.basis = null;
  }
}

/**
 * BEGAN's generator: the architecture of the autoencoder's decoder (ConvAutoencoder below) with
 * its own weights. FC z → [s, s, n] (no activation, as the decoder) → (nearest-neighbour ×2 → 3×3
 * conv n → ELU) per scale → 3×3 conv C → tanh. No batch norm: a sample depends on its own z only.
 */
export class DecoderGenerator implements GeneratorNet {
  readonly variables: tf.Variable[];
  readonly sampleShape: number[];
  private readonly fc: Affine;
  private readonly convs: Affine[] = [];
  private readonly toImage: Affine;
  private readonly base: number;

  constructor(
    readonly latentDim: number,
    readonly image: ImageShape,
    rng: Rng,
    readonly filters = 32,
  ) {
    const p = new Params('G', rng);
    const scales = image.height % 4 === 0 ? 2 : 1;
    this.base = image.height / 2 ** scales;
    this.sampleShape = [image.height, image.width, image.channels];
    this.fc = denseAffine(p, 'fc', latentDim, this.base * this.base * filters);
    for (let i = 0; i < scales; i++) this.convs.push(affine(p, `conv${i}`, [3, 3, filters, filters]));
    this.toImage = affine(p, 'conv_out', [3, 3, filters, image.channels]);
    this.variables = p.variables;
  }

  parameterCount(): number {
    return this.variables.reduce((s, v) => s + v.size, 0);
  }

  generate(z: tf.Tensor, params: tf.Tensor[] = this.variables): tf.Tensor {
    return tf.tidy(() => {
      const n = z.shape[0];
      let h = tf.reshape(dense(z, this.fc, params), [n, this.base, this.base, this.filters]);
      let size = this.base;
      for (const a of this.convs) {
        size *= 2;
        h = tf.elu(conv(tf.image.resizeNearestNeighbor(h as tf.Tensor4D, [size, size]), a, params, 1));
      }
      return tf.tanh(conv(h, this.toImage, params, 1));
    });
  }

  exportLayers(params: tf.Tensor[]): ExportLayer[] {
    return tf.tidy(() => {
      const out: ExportLayer[] = [
        { kind: 'dense', kernel: tf.transpose(params[this.fc.w]), bias: params[this.fc.b].clone() },
        { kind: 'reshape', shape: [this.base, this.base, this.filters] },
      ];
      for (const a of this.convs) out.push({ kind: 'upsample', factor: 2 }, { kind: 'conv', kernel: params[a.w].clone(), bias: params[a.b].clone(), strides: 1, padding: 'same' }, { kind: 'activation', fn: 'elu' });
      out.push({ kind: 'conv', kernel: params[this.toImage.w].clone(), bias: params[this.toImage.b].clone(), strides: 1, padding: 'same' }, { kind: 'activation', fn: 'tanh' });
      return out;
    });
  }

  dispose(): void {
    tf.dispose(this.variables);
  }
}

/**
 * BEGAN's autoencoder discriminator for images. Encoder: 3×3 conv n → stride-2 3×3 convs (2n, 3n)
 * → FC h; decoder: FC → [s, s, n] → (nearest-neighbour ×2 → 3×3 conv n) per scale → 3×3 conv C.
 * ELU throughout, no norm (as in the paper). score(x) = mean |x − AE(x)| per sample.
 */
export class ConvAutoencoder implements DiscriminatorNet {
  readonly rowsIndependent = true;
  readonly variables: tf.Variable[];
  private readonly enc: Affine[] = [];
  private readonly encFc: Affine;
  private readonly decFc: Affine;
  private readonly dec: Affine[] = [];
  private readonly toImage: Affine;
  private readonly base: number;
  private readonly scales: number;

  constructor(
    readonly image: ImageShape,
    rng: Rng,
    readonly filters = 32,
    readonly embedding = 64,
  ) {
    const p = new Params('AE', rng);
    const n = filters;
    this.scales = image.height % 4 === 0 ? 2 : 1;
    this.base = image.height / 2 ** this.scales;
    let inCh = image.channels;
    const widths = [n, ...Array.from({ length: this.scales }, (_, i) => n * (i + 2))];
    for (const [i, w] of widths.entries()) {
      this.enc.push(affine(p, `enc${i}`, [3, 3, inCh, w]));
      inCh = w;
    }
    this.encFc = denseAffine(p, 'enc_fc', this.base * this.base * inCh, embedding);
    this.decFc = denseAffine(p, 'dec_fc', embedding, this.base * this.base * n);
    for (let i = 0; i < this.scales; i++) this.dec.push(affine(p, `dec${i}`, [3, 3, n, n]));
    this.toImage = affine(p, 'dec_out', [3, 3, n, image.channels]);
    this.variables = p.variables;
  }

  parameterCount(): number {
    return this.variables.reduce((s, v) => s + v.size, 0);
  }

  reconstruct(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const P = this.variables;
      let h: tf.Tensor = x;
      for (const [i, a] of this.enc.entries()) h = tf.elu(conv(h, a, P, i === 0 ? 1 : 2));
      const code = dense(tf.reshape(h, [x.shape[0], -1]), this.encFc, P);
      h = tf.reshape(dense(code, this.decFc, P), [x.shape[0], this.base, this.base, this.filters]);
      let size = this.base;
      for (const a of this.dec) {
        size *= 2;
        h = tf.elu(conv(tf.image.resizeNearestNeighbor(h as tf.Tensor4D, [size, size]), a, P, 1));
      }
      return tf.tanh(conv(h, this.toImage, P, 1));
    });
  }

  score(x: tf.Tensor): tf.Tensor1D {
    return tf.tidy(() => tf.mean(tf.abs(tf.sub(x, this.reconstruct(x))), [1, 2, 3]) as tf.Tensor1D);
  }

  dispose(): void {
    tf.dispose(this.variables);
  }
}

/**
 * D's default norm for a loss: batch norm as in the papers, except that a critic with a gradient
 * penalty gets none (WGAN-GP §4, Lucic et al.): the penalty is per sample and batch norm couples them.
 */
export function discriminatorNormFor(hasPenalty: boolean, requested?: Norm): Norm {
  if (requested) return requested;
  return hasPenalty ? 'none' : 'batch';
}
