/**
 * The one training loop. Every loss plugs in through the registry's `GanLoss` interface
 * (discriminatorLoss, generatorLoss, optional penalty, afterDiscriminatorStep, loss state); the
 * trainer knows nothing about any particular loss.
 *
 * One generator step:
 *   repeat criticStepsFor(step) times (n_critic, or the WGAN warm-up schedule):
 *     x ~ data, z ~ N(0, I), x̃ = G(z) (held fixed)
 *     L = loss.discriminatorLoss(D(x), D(x̃)) + loss.penalty(D, x, x̃)    → update D only
 *     loss.afterDiscriminatorStep(D)  (WGAN: clip weights);  state ← loss.nextState (BEGAN: k)
 *   z ~ N(0, I); L_G = loss.generatorLoss(D(x) if the loss reads it, D(G(z)))  → update G only
 *   optional EMA of G's weights.
 *
 * Determinism: every random draw comes from one seeded Rng whose state is checkpointed together
 * with the weights, the optimiser slots, the loss state and the step, so a resumed run continues
 * exactly as an uninterrupted one. Evaluation and plots use their own Rng (seeded from the step)
 * and never disturb the training stream.
 *
 * Memory: every step runs inside tf.tidy / explicit dispose; the tensor count stays flat.
 */
import { tf, Rng, RngState, oneHotRows } from '../engine/index.js';
import { InputError } from '../errors.js';
import { getLoss, GanLoss, LossState } from '../losses/registry.js';
import { criticStepsFor } from '../losses/wgan.js';
import { Optimizer } from './optimizers.js';
import { sumAll } from '../engine/kernels/sums.js';
import type { RunConfig } from './config.js';
import type { DiscriminatorNet, GeneratorNet } from '../models/types.js';
import { MlpGenerator, toyDiscriminator } from '../models/toy.js';
import { toyDataset, Toy2D } from '../data/toy2d.js';
import { CheckpointArrays } from './checkpoint.js';
import { mutualInformation, sampleCodes, concatCodes, InfoCodes, InfoCodeSpec, QOutputs } from '../losses/infogan.js';
import { acganDiscriminatorClassLoss, acganGeneratorClassLoss } from '../losses/acgan.js';

/** What one generator step measured (means over its last D step where it says D). */
export interface StepStats {
  step: number;
  criticSteps: number;
  dLoss: number;
  /** The penalty part of dLoss (0 when the loss has none). */
  penalty: number;
  gLoss: number;
  /** Mean D output on the real and the generated batch of the last D step. */
  realScore: number;
  fakeScore: number;
  /** Global L2 norm of D's gradient (last D step) and of G's gradient. */
  gradNormD: number;
  gradNormG: number;
  /** Loss-specific scalars: wassersteinEstimate, k, convergence. */
  diagnostics: Record<string, number>;
}

export class DivergenceError extends Error {
  constructor(
    readonly step: number,
    readonly what: string,
    note?: string,
  ) {
    super(`training diverged at step ${step}: ${what} is not finite${note ? `; ${note}` : ''}`);
  }
}

export interface TrainerState {
  step: number;
  rng: RngState;
  lossState: LossState;
  /** The data stream's position (epoch-wise shuffling), when the source has one. */
  data?: { epoch: number; cursor: number };
}

/** A data source the trainer can draw batches from. */
export interface BatchSource {
  /** A batch of n samples as a tensor of shape [n, ...sampleShape]. */
  batch(rng: Rng, n: number): tf.Tensor;
  /** Labelled data: a batch with its class indices (conditional training needs this). */
  labeledBatch?(rng: Rng, n: number): { x: tf.Tensor; labels: Int32Array };
  /** Number of classes (0 or absent: unlabelled). */
  readonly classes?: number;
  /** Position in the stream, for checkpoints: small fields plus an int array (the epoch's order). */
  getState?(): { epoch: number; cursor: number; order: Int32Array | null };
  setState?(state: { epoch: number; cursor: number; order: Int32Array | null }): void;
}

export function toyBatchSource(data: Toy2D): BatchSource {
  return { batch: (rng, n) => tf.tensor2d(data.sample(rng, n), [n, 2]) };
}

export class Trainer {
  readonly loss: GanLoss;
  readonly G: GeneratorNet;
  readonly D: DiscriminatorNet;
  readonly optD: Optimizer;
  readonly optG: Optimizer;
  readonly rng: Rng;
  private lossState: LossState;
  private emaWeights: tf.Variable[] | null = null;
  /** InfoGAN's codes, or null. */
  readonly codes: InfoCodeSpec | null;
  /** Classes G is conditioned on (0 = unconditional). */
  readonly classes: number;
  step = 0;

  constructor(
    readonly config: RunConfig,
    readonly source: BatchSource,
    nets?: { G: GeneratorNet; D: DiscriminatorNet },
  ) {
    this.loss = getLoss(config.loss);
    // Weights are drawn from a stream of their own so that changing the architecture does not
    // shift the training draws (and vice versa).
    const initRng = new Rng((config.seed ^ 0x5eed) >>> 0);
    this.codes = config.infogan ? { categorical: config.infogan.categorical, continuous: config.infogan.continuous } : null;
    const codeDim = this.codes ? this.codes.categorical.reduce((a, b) => a + b, 0) + this.codes.continuous : 0;
    this.classes = config.conditional !== 'none' ? (source.classes ?? 0) : 0;
    if (config.conditional !== 'none' && (this.classes < 2 || !source.labeledBatch)) {
      throw new InputError(`conditional: '${config.data.name}' has no class labels (a folder needs one sub-folder per class)`);
    }
    this.G = nets?.G ?? new MlpGenerator(config.model.noiseDim + codeDim, 2, config.model.generator, initRng);
    this.D = nets?.D ?? toyDiscriminator(this.loss.discriminator, config.model.discriminator, initRng, codeDim);
    this.optD = new Optimizer(config.optimizerD, this.D.variables);
    this.optG = new Optimizer(config.optimizerG, this.G.variables);
    this.rng = new Rng(config.seed);
    this.lossState = this.loss.initialState();
    if (config.ema > 0) this.emaWeights = this.G.variables.map((v) => tf.variable(v.clone(), false));
  }

  get state(): LossState {
    return { ...this.lossState };
  }

  /**
   * G's input for n samples: noise z ~ N(0, I), then (InfoGAN) codes c from their prior, then
   * (conditional) onehot(y) with y given or drawn uniformly — in that draw order.
   */
  latent(rng: Rng, n: number, labels?: Int32Array): { z: tf.Tensor; codes: InfoCodes | null; y: tf.Tensor2D | null } {
    const noise = rng.normal([n, this.config.model.noiseDim]);
    const parts: tf.Tensor[] = [noise];
    let codes: InfoCodes | null = null;
    if (this.codes) {
      codes = sampleCodes(rng, this.codes, n);
      parts.push(concatCodes(codes));
    }
    let y: tf.Tensor2D | null = null;
    if (this.classes > 0) {
      const ys = labels ?? Int32Array.from({ length: n }, () => rng.int(this.classes));
      y = oneHotRows(ys, this.classes);
      parts.push(y);
    }
    return { z: parts.length === 1 ? noise : tf.concat(parts, 1), codes, y };
  }

  /** A real batch and, for conditional runs, its one-hot labels. */
  private realBatch(n: number): { x: tf.Tensor; y: tf.Tensor2D | null } {
    if (this.classes === 0) return { x: this.source.batch(this.rng, n), y: null };
    const { x, labels } = this.source.labeledBatch!(this.rng, n);
    return { x, y: oneHotRows(labels, this.classes) };
  }

  /** D's view of a batch: its score and, with InfoGAN or ACGAN, the auxiliary head's outputs. */
  private look(x: tf.Tensor, y: tf.Tensor2D | null): { score: tf.Tensor1D; head: tf.Tensor2D | null } {
    const labels = this.config.conditional === 'concat' || this.config.conditional === 'projection' ? (y ?? undefined) : undefined;
    if (this.codes || this.config.conditional === 'acgan') {
      const { score, q } = this.D.scoreWithQ!(x, labels);
      return { score, head: q };
    }
    return { score: this.D.score(x, labels), head: null };
  }

  /**
   * D's views of the generated and the real batch: one pass over both when D scores samples
   * independently (same values, half the kernels), else two passes (batch norm).
   */
  private lookBoth(fake: tf.Tensor, yFake: tf.Tensor2D | null, real: tf.Tensor, yReal: tf.Tensor2D | null) {
    if (!this.D.rowsIndependent || (yFake === null) !== (yReal === null)) return { fakeView: this.look(fake, yFake), realView: this.look(real, yReal) };
    const nf = fake.shape[0];
    const nr = real.shape[0];
    const both = this.look(tf.concat([fake, real]), yFake && yReal ? (tf.concat([yFake, yReal]) as tf.Tensor2D) : null);
    const rows = <T extends tf.Tensor>(t: T, start: number, n: number) => tf.slice(t, start, n) as T;
    const part = (start: number, n: number) => ({ score: rows(both.score, start, n), head: both.head ? rows(both.head, start, n) : null });
    return { fakeView: part(0, nf), realView: part(nf, nr) };
  }

  /** λ-weighted InfoGAN bound from Q's raw outputs [N, ΣK + d] (categorical logits, then Gaussian means, σ = 1). */
  private information(q: tf.Tensor2D, codes: InfoCodes): { weighted: tf.Scalar; bound: tf.Scalar } {
    const spec = this.codes!;
    const sizes = [...spec.categorical, ...(spec.continuous ? [spec.continuous] : [])];
    // Slices rather than tf.split: split's gradient fails ("Pass at least one tensor to concat") for a single part.
    let offset = 0;
    const parts = sizes.map((size) => {
      const part = tf.slice(q, [0, offset], [-1, size]);
      offset += size;
      return part;
    });
    const outputs: QOutputs = { categoricalLogits: parts.slice(0, spec.categorical.length), continuousMean: spec.continuous ? parts[parts.length - 1] : undefined };
    const { weightedBound, lowerBound } = mutualInformation(outputs, codes, { lambdaCategorical: this.config.infogan!.lambdaCategorical, lambdaContinuous: this.config.infogan!.lambdaContinuous });
    return { weighted: weightedBound, bound: lowerBound };
  }

  /** One generator step with its discriminator steps. Throws DivergenceError on NaN/Inf. */
  trainStep(): StepStats {
    const { config, loss } = this;
    const hyper = config.hyper;
    const n = config.batchSize;
    const criticSteps = criticStepsFor(this.step, { nCritic: config.nCritic, warmup: Boolean(hyper.warmup) });
    const lrScale = config.lrSchedule === 'linear' ? Math.max(0, 1 - this.step / config.steps) : 1;
    let dStats: number[] = [];
    for (let i = 0; i < criticSteps; i++) {
      dStats = tf.tidy(() => {
        const { x: real, y: yReal } = this.realBatch(n);
        const { z, codes, y: yFake } = this.latent(this.rng, n);
        const fake = this.G.generate(z);
        const kept: tf.Tensor[] = [];
        const keep = <T extends tf.Tensor>(t: T): T => {
          kept.push(tf.keep(t));
          return t;
        };
        let penalty: tf.Scalar = tf.scalar(0);
        let info: tf.Scalar = tf.scalar(0);
        let aux: tf.Scalar = tf.scalar(0);
        let realMean: tf.Scalar = tf.scalar(0);
        let fakeMean: tf.Scalar = tf.scalar(0);
        const state = this.lossState;
        const { value, grads } = tf.variableGrads(() => {
          const { fakeView, realView } = this.lookBoth(fake, yFake, real, yReal);
          const outputs = { real: realView.score, fake: fakeView.score };
          realMean = keep(tf.mean(outputs.real) as tf.Scalar);
          fakeMean = keep(tf.mean(outputs.fake) as tf.Scalar);
          let total = loss.discriminatorLoss(outputs, hyper, state);
          if (loss.penalty) {
            // Conditional critics are penalised at the real batch's labels.
            penalty = keep(loss.penalty({ critic: (x) => this.look(x, yReal).score, real, fake, rng: this.rng }, hyper));
            total = tf.add(total, penalty) as tf.Scalar;
          }
          if (codes) {
            // InfoGAN: λ·L_I is subtracted from the D/Q loss (and from the G loss below).
            const mi = this.information(fakeView.head!, codes);
            info = keep(mi.bound);
            total = tf.sub(total, mi.weighted) as tf.Scalar;
          }
          if (this.config.conditional === 'acgan') {
            aux = keep(acganDiscriminatorClassLoss(realView.head!, yReal!, fakeView.head!, yFake!));
            total = tf.add(total, aux) as tf.Scalar;
          }
          return total;
        }, this.D.variables);
        const ordered = this.D.variables.map((v) => grads[v.name]);
        this.optD.apply(ordered, lrScale);
        const out = Array.from(tf.stack([value, penalty, realMean, fakeMean, globalNorm(ordered), info, aux]).dataSync());
        // tf.keep let these escape variableGrads' scope; they are done with now.
        tf.dispose(kept);
        return out;
      });
      loss.afterDiscriminatorStep?.(this.D.variables, hyper);
      this.lossState = loss.nextState(this.lossState, { real: dStats[2], fake: dStats[3] }, hyper);
    }
    const gStats = tf.tidy(() => {
      const { z, codes, y: yFake } = this.latent(this.rng, n);
      const real = loss.generatorUsesReal ? this.realBatch(n) : null;
      const { value, grads } = tf.variableGrads(() => {
        const fakeView = this.look(this.G.generate(z), yFake);
        const realScores = real ? this.look(real.x, real.y).score : tf.zerosLike(fakeView.score);
        let total = loss.generatorLoss({ real: realScores, fake: fakeView.score }, hyper, this.lossState);
        if (codes) total = tf.sub(total, this.information(fakeView.head!, codes).weighted) as tf.Scalar;
        if (this.config.conditional === 'acgan') total = tf.add(total, acganGeneratorClassLoss(fakeView.head!, yFake!)) as tf.Scalar;
        return total;
      }, this.G.variables);
      const ordered = this.G.variables.map((v) => grads[v.name]);
      this.optG.apply(ordered, lrScale);
      return Array.from(tf.stack([value, globalNorm(ordered), weightChecksum([...this.G.variables, ...this.D.variables])]).dataSync());
    });
    this.updateEma();
    this.step += 1;
    const stats: StepStats = {
      step: this.step,
      criticSteps,
      dLoss: dStats[0],
      penalty: dStats[1],
      gLoss: gStats[0],
      realScore: dStats[2],
      fakeScore: dStats[3],
      gradNormD: dStats[4],
      gradNormG: gStats[1],
      diagnostics: {
        ...loss.diagnostics({ real: dStats[2], fake: dStats[3] }, hyper, this.lossState),
        ...(this.codes ? { mutualInformation: dStats[5] } : {}),
        ...(this.config.conditional === 'acgan' ? { auxClassLoss: dStats[6] } : {}),
      },
    };
    const bad = ([['D loss', stats.dLoss], ['G loss', stats.gLoss], ['D gradient norm', stats.gradNormD], ['G gradient norm', stats.gradNormG], ['a weight', gStats[2]]] as const).find(
      ([, v]) => !Number.isFinite(v),
    );
    if (bad) throw new DivergenceError(this.step, bad[0]);
    return stats;
  }

  private updateEma(): void {
    if (!this.emaWeights) return;
    const decay = this.config.ema;
    tf.tidy(() => this.emaWeights!.forEach((e, i) => e.assign(tf.add(tf.mul(decay, e), tf.mul(1 - decay, this.G.variables[i])))));
  }

  /**
   * n generated samples (EMA weights when EMA is on) drawn with `rng` (default: a fixed evaluation
   * stream); `labels` picks the classes of a conditional generator (default: uniform draws).
   * Batch-norm generators are run in chunks of at least `minBatch` (padded, extras dropped).
   */
  sample(n: number, rng: Rng = new Rng(0xe7a1), labels?: Int32Array): Float32Array {
    return this.sampleFrom((r, m, ys) => this.latent(r, m, ys).z, n, rng, labels);
  }

  /** Samples from G given a latent builder (used by sample() and by InfoGAN traversals). */
  sampleFrom(latent: (rng: Rng, n: number, labels?: Int32Array) => tf.Tensor, n: number, rng: Rng, labels?: Int32Array): Float32Array {
    const min = this.G.minBatch ?? 1;
    const chunk = Math.max(min, Math.min(n, 500));
    const size = this.G.sampleShape.reduce((a, b) => a * b, 1);
    const out = new Float32Array(n * size);
    for (let start = 0; start < n; start += chunk) {
      const m = Math.min(chunk, n - start);
      const padded = Math.max(m, min);
      let ys: Int32Array | undefined;
      if (labels) {
        ys = new Int32Array(padded);
        ys.set(labels.subarray(start, start + m));
        for (let i = m; i < padded; i++) ys[i] = i % Math.max(1, this.classes);
      }
      tf.tidy(() => {
        const values = this.G.generate(latent(rng, padded, ys), this.emaWeights ?? undefined).dataSync() as Float32Array;
        out.set(values.subarray(0, m * size), start * size);
      });
    }
    return out;
  }

  /** D's score at the given points (for the contour plot): σ(D) for logit discriminators, the raw score otherwise. */
  field(points: Float32Array, dim = 2): Float32Array {
    return tf.tidy(() => {
      const scores = this.D.score(tf.tensor2d(points, [points.length / dim, dim]));
      return (this.loss.discriminator === 'logit' ? tf.sigmoid(scores) : scores).dataSync() as Float32Array;
    });
  }

  /**
   * −∂L_G/∂x̃ at the given generated points: the direction the generator's update moves each
   * sample (GAN Lab's arrows). Uses a fresh real batch from `rng` for relativistic losses.
   */
  generatorPush(points: Float32Array, rng: Rng, dim = 2): Float32Array {
    return tf.tidy(() => {
      const n = points.length / dim;
      const real = this.loss.generatorUsesReal ? this.D.score(this.source.batch(rng, n)) : null;
      const grad = tf.grad((x: tf.Tensor) => {
        const fake = this.D.score(x);
        return this.loss.generatorLoss({ real: real ?? tf.zerosLike(fake), fake }, this.config.hyper, this.lossState);
      })(tf.tensor2d(points, [n, dim]));
      return tf.neg(grad).dataSync() as Float32Array;
    });
  }

  /** Everything a checkpoint holds, as named float arrays plus a small header. */
  snapshot(): { header: TrainerState & { optD: number; optG: number }; arrays: CheckpointArrays } {
    const arrays: CheckpointArrays = {};
    this.G.variables.forEach((v, i) => (arrays[`G/${i}`] = v.dataSync() as Float32Array));
    this.D.variables.forEach((v, i) => (arrays[`D/${i}`] = v.dataSync() as Float32Array));
    this.emaWeights?.forEach((v, i) => (arrays[`Gema/${i}`] = v.dataSync() as Float32Array));
    for (const [prefix, opt] of [['optD', this.optD], ['optG', this.optG]] as const) {
      for (const [slot, values] of Object.entries(opt.getState().slots)) values.forEach((a, i) => (arrays[`${prefix}/${slot}/${i}`] = a));
    }
    const header: TrainerState & { optD: number; optG: number } = { step: this.step, rng: this.rng.getState(), lossState: this.state, optD: this.optD.stepCount, optG: this.optG.stepCount };
    const data = this.source.getState?.();
    if (data) {
      header.data = { epoch: data.epoch, cursor: data.cursor };
      if (data.order) arrays['data/order'] = Float32Array.from(data.order);
    }
    return { header, arrays };
  }

  restore(header: TrainerState & { optD: number; optG: number }, arrays: CheckpointArrays): void {
    const load = (vars: tf.Variable[], prefix: string) =>
      vars.forEach((v, i) => {
        const a = arrays[`${prefix}/${i}`];
        if (!a || a.length !== v.size) throw new Error(`checkpoint: ${prefix}/${i} is missing or has the wrong size (the model in config.json differs from the checkpoint's)`);
        tf.tidy(() => v.assign(tf.tensor(a, v.shape)));
      });
    load(this.G.variables, 'G');
    load(this.D.variables, 'D');
    if (this.emaWeights) load(this.emaWeights, 'Gema');
    for (const [prefix, opt, step] of [['optD', this.optD, header.optD], ['optG', this.optG, header.optG]] as const) {
      const slots: Record<string, Float32Array[]> = {};
      for (const name of Object.keys(opt.getState().slots)) {
        const vars = prefix === 'optD' ? this.D.variables : this.G.variables;
        slots[name] = vars.map((_, i) => arrays[`${prefix}/${name}/${i}`]);
        if (slots[name].some((a) => !a)) throw new Error(`checkpoint: optimiser slot ${prefix}/${name} is missing`);
      }
      opt.setState({ step, slots });
    }
    if (header.data && this.source.setState) {
      const order = arrays['data/order'];
      this.source.setState({ epoch: header.data.epoch, cursor: header.data.cursor, order: order ? Int32Array.from(order) : null });
    }
    this.step = header.step;
    this.rng.setState(header.rng);
    this.lossState = { ...header.lossState };
  }

  dispose(): void {
    this.G.dispose();
    this.D.dispose();
    this.optD.dispose();
    this.optG.dispose();
    this.emaWeights?.forEach((v) => v.dispose());
  }
}

/** √Σ‖g‖² over the gradients that exist. */
function globalNorm(grads: Array<tf.Tensor | undefined>): tf.Scalar {
  return tf.sqrt(sumAll(grads.filter((g): g is tf.Tensor => Boolean(g)), true)) as tf.Scalar;
}

/** Σ of all weights: finite exactly when every weight is (barring overflow to ±∞, itself a failure). */
function weightChecksum(vars: tf.Variable[]): tf.Scalar {
  return sumAll(vars);
}

/** A trainer for a 2-D config: the dataset named in the config, MLP networks. */
export function toyTrainer(config: RunConfig): { trainer: Trainer; data: Toy2D } {
  const data = toyDataset(config.data.name, { radius: config.data.radius, std: config.data.std });
  return { trainer: new Trainer(config, toyBatchSource(data)), data };
}
