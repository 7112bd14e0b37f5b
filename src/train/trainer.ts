/**
 * The one training loop. Every loss plugs in as an `Objective` composed once from the config
 * (src/losses/objective.ts): the registry's adversarial loss with its penalty, D hook, critic
 * schedule and state, plus auxiliary terms read from D's auxiliary head. The trainer knows no
 * loss, no term and no kind of data by name.
 *
 * One generator step:
 *   repeat loss.criticSteps(step) times (default n_critic):
 *     x ~ data, z ~ latent, x̃ = G(z) (held fixed)
 *     L_D = loss.discriminatorLoss(D(x), D(x̃)) + loss.penalty(D, x, x̃) + Σ term.discriminator
 *                                                                            → update D only
 *     loss.afterDiscriminatorStep(D)  (WGAN: clip weights);  state ← loss.nextState (BEGAN: k)
 *   z ~ latent; L_G = loss.generatorLoss(D(x) if the loss reads it, D(G(z))) + Σ term.generator
 *                                                                            → update G only
 *   optional EMA of G's weights.
 *
 * Determinism: every random draw comes from one seeded Rng whose state is checkpointed together
 * with the weights, the optimiser slots, the loss state and the step, so a resumed run continues
 * exactly as an uninterrupted one. Evaluation and plots use their own Rng (seeded from the step)
 * and never disturb the training stream.
 *
 * Memory: every step runs inside tf.tidy / explicit dispose; the tensor count stays flat.
 */
import { tf, Rng, RngState, oneHotRows, Optimizer, deviceBackend, fetchToHost, onDevice, movingAverage } from '../engine/index.js';
import { sumAll } from '../engine/kernels/sums.js';
import { weightsChecksum } from './checksum.js';
import { InputError, RunStoppedError } from '../errors.js';
import { composeObjective } from '../losses/objective.js';
import type { Objective } from '../losses/objective.js';
import type { AuxiliaryInputs, DiscriminatorView, GanLoss, LossState } from '../losses/types.js';
import { LatentLayout } from '../models/latent.js';
import type { InfoCodeSpec, Latent } from '../models/latent.js';
import type { DiscriminatorNet, GeneratorNet } from '../models/types.js';
import type { CheckpointArrays } from '../runfolder/checkpoint.js';
import type { StepColumns } from '../runfolder/metrics.js';
import type { RunConfig } from './fields.js';

/** What one generator step measured: the step columns of metrics.jsonl, and the loss's and terms' scalars. */
export interface StepStats extends StepColumns {
  /** Loss-specific scalars (wassersteinEstimate, k, convergence) and the auxiliary terms' (mutualInformation, auxClassLoss). */
  diagnostics: Record<string, number>;
}

export class DivergenceError extends RunStoppedError {
  constructor(
    readonly step: number,
    readonly what: string,
    readonly reason = 'is not finite',
    note?: string,
  ) {
    super(`training diverged at step ${step}: ${what} ${reason}${note ? `; ${note}` : ''}`);
  }
}

/**
 * A step is sane when its losses, gradient norms and weights are finite and the weights' norm
 * ‖θ‖ (G and D together) is at most this many times its value at initialisation (at least 1):
 * beyond that the run has diverged even if no number has overflowed yet.
 */
/**
 * The EMA decay at generator step t (counted from 1): min(decay, (1 + t) / (10 + t)), the warm-up
 * of TensorFlow's ExponentialMovingAverage (num_updates). Without it a 0.999 average still holds
 * e^−2 ≈ 14 % of the initial weights after 2,000 steps; with it the average forgets the
 * initialisation within the first few hundred steps and reaches the full decay at t ≈ 9,000.
 */
export function emaDecay(decay: number, t: number): number {
  return Math.min(decay, (1 + t) / (10 + t));
}

export const WEIGHT_GROWTH_LIMIT = 1000;

export interface TrainerState {
  step: number;
  rng: RngState;
  lossState: LossState;
  /** The data stream's position (epoch-wise shuffling), when the source has one. */
  data?: { epoch: number; cursor: number };
}

/** A checkpoint's header as the trainer writes it: its state and the optimisers' step counts. */
export interface TrainerHeader extends TrainerState {
  optD: number;
  optG: number;
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

/** The networks' initial weights come from a stream of their own, so that changing the architecture does not shift the training draws (and vice versa). */
export const weightInitRng = (seed: number): Rng => new Rng((seed ^ 0x5eed) >>> 0);

/**
 * A step as a program that yields each tensor it must read and gets its values back: the same
 * ops in the same order whoever runs it. `runSync` reads synchronously on the active backend (the
 * CPU engine: the reference, bit for bit as before); `runOnDevice` runs each stretch between two
 * reads on the device and reads asynchronously, with the host active meanwhile
 * (src/engine/device.ts) — WebGPU in Node has no synchronous read.
 */
type StepProgram<T> = Generator<tf.Tensor, T, Float32Array>;

function runSync<T>(program: StepProgram<T>): T {
  let r = program.next();
  while (!r.done) {
    const t = r.value;
    let values: Float32Array;
    try {
      values = t.dataSync() as Float32Array;
    } finally {
      t.dispose();
    }
    r = program.next(values);
  }
  return r.value;
}

async function runOnDevice<T>(program: StepProgram<T>): Promise<T> {
  let r = onDevice(() => program.next());
  while (!r.done) {
    const t = r.value;
    let values: Float32Array;
    try {
      values = (await t.data()) as Float32Array;
    } finally {
      t.dispose();
    }
    r = onDevice(() => program.next(values));
  }
  return r.value;
}

/** Named scalars stacked into one tensor (one download), and the names to read its values by. */
function stackScalars<K extends string>(scalars: Record<K, tf.Tensor>): { names: K[]; stacked: tf.Tensor } {
  const names = Object.keys(scalars) as K[];
  return { names, stacked: tf.stack(names.map((k) => scalars[k])) };
}

/** Yields the stacked scalars for reading; returns them as a record of numbers. */
function* readScalars<K extends string>({ names, stacked }: { names: K[]; stacked: tf.Tensor }): StepProgram<Record<K, number>> {
  const values = yield stacked;
  return Object.fromEntries(names.map((k, i) => [k, values[i]])) as Record<K, number>;
}

export class Trainer {
  readonly objective: Objective;
  readonly loss: GanLoss;
  readonly G: GeneratorNet;
  readonly D: DiscriminatorNet;
  readonly optD: Optimizer;
  readonly optG: Optimizer;
  readonly rng: Rng;
  /** G's input: noise, InfoGAN's codes, onehot(y). */
  readonly latentLayout: LatentLayout;
  private lossState: LossState;
  private emaWeights: tf.Variable[] | null = null;
  /** D sees the labels (concat / projection conditioning). */
  private readonly dTakesLabels: boolean;
  /** Some term reads D's auxiliary head. */
  private readonly readsHead: boolean;
  /** ‖θ‖ of G and D at initialisation (the divergence rule's yardstick). */
  readonly initialWeightNorm: number;
  step = 0;

  constructor(
    readonly config: RunConfig,
    readonly source: BatchSource,
    nets: { G: GeneratorNet; D: DiscriminatorNet },
  ) {
    this.objective = composeObjective(config);
    this.loss = this.objective.loss;
    const classes = config.conditional !== 'none' ? (source.classes ?? 0) : 0;
    if (config.conditional !== 'none' && (classes < 2 || !source.labeledBatch)) {
      throw new InputError(`conditional: '${config.data.name}' has no class labels (a folder needs one sub-folder per class)`);
    }
    this.latentLayout = new LatentLayout(config.model.noiseDim, config.infogan ? { categorical: config.infogan.categorical, continuous: config.infogan.continuous } : null, classes);
    this.G = nets.G;
    this.D = nets.D;
    this.dTakesLabels = config.conditional === 'concat' || config.conditional === 'projection';
    this.readsHead = this.objective.auxiliary.length > 0;
    if (this.readsHead && !this.D.scoreWithQ) throw new Error(`the discriminator has no auxiliary head for ${this.objective.auxiliary.map((t) => t.name).join(', ')}`);
    this.optD = new Optimizer(config.optimizerD, this.D.variables);
    this.optG = new Optimizer(config.optimizerG, this.G.variables);
    this.rng = new Rng(config.seed);
    this.lossState = this.loss.initialState();
    if (config.ema > 0) this.emaWeights = this.G.variables.map((v) => tf.tidy(() => tf.variable(v.clone(), false)));
    // The networks are at their initial weights here (restore comes later), so a resumed run has the same bound.
    this.initialWeightNorm = tf.tidy(() => globalNorm([...this.G.variables, ...this.D.variables]).dataSync()[0]);
  }

  get state(): LossState {
    return { ...this.lossState };
  }

  /** InfoGAN's codes, or null. */
  get codes(): InfoCodeSpec | null {
    return this.latentLayout.codes;
  }

  /** Classes G is conditioned on (0 = unconditional). */
  get classes(): number {
    return this.latentLayout.classes;
  }

  /** G's input for n samples (labels, if given, pick a conditional generator's classes). */
  latent(rng: Rng, n: number, labels?: Int32Array): Latent {
    return this.latentLayout.draw(rng, n, labels);
  }

  /** A real batch and, for conditional runs, its one-hot labels. */
  private realBatch(n: number): { x: tf.Tensor; y: tf.Tensor2D | null } {
    if (this.classes === 0) return { x: this.source.batch(this.rng, n), y: null };
    const { x, labels } = this.source.labeledBatch!(this.rng, n);
    return { x, y: oneHotRows(labels, this.classes) };
  }

  /** D's view of a batch: its score and, when a term reads it, the auxiliary head's outputs. */
  private view(x: tf.Tensor, y: tf.Tensor2D | null): DiscriminatorView {
    const labels = this.dTakesLabels ? (y ?? undefined) : undefined;
    if (this.readsHead) {
      const { score, q } = this.D.scoreWithQ!(x, labels);
      return { score, head: q };
    }
    return { score: this.D.score(x, labels), head: null };
  }

  /**
   * D's views of the generated and the real batch: one pass over both when D scores samples
   * independently (same values, half the kernels), else two passes (batch norm).
   */
  private views(fake: tf.Tensor, yFake: tf.Tensor2D | null, real: tf.Tensor, yReal: tf.Tensor2D | null): { fake: DiscriminatorView; real: DiscriminatorView } {
    if (!this.D.rowsIndependent || (yFake === null) !== (yReal === null)) return { fake: this.view(fake, yFake), real: this.view(real, yReal) };
    const nf = fake.shape[0];
    const nr = real.shape[0];
    const both = this.view(tf.concat([fake, real]), yFake && yReal ? (tf.concat([yFake, yReal]) as tf.Tensor2D) : null);
    const rows = <T extends tf.Tensor>(t: T, start: number, n: number) => tf.slice(t, start, n) as T;
    const part = (start: number, n: number) => ({ score: rows(both.score, start, n), head: both.head ? rows(both.head, start, n) : null });
    return { fake: part(0, nf), real: part(nf, nr) };
  }

  /**
   * The D objective at the current weights on a fresh real batch and a generated one (drawn from
   * the training stream, as a D step does): its value, the scalars it logs (kept: the caller
   * disposes them) and its gradients in the order of D's variables. Nothing is updated. Call inside
   * tf.tidy. A D step is this and the optimiser's update; tests call it to compare backends.
   */
  discriminatorObjective(): { value: tf.Scalar; logged: Record<string, tf.Scalar>; grads: Array<tf.Tensor | undefined> } {
    const { loss, auxiliary } = this.objective;
    const { hyper, batchSize: n } = this.config;
    const { x: real, y: yReal } = this.realBatch(n);
    const { z, codes, y: yFake } = this.latent(this.rng, n);
    const fake = this.G.generate(z);
    // Scalars to log, kept past variableGrads' scope (disposed once read).
    const logged: Record<string, tf.Scalar> = {};
    const log = (name: string, t: tf.Scalar): tf.Scalar => (logged[name] = tf.keep(t));
    const state = this.lossState;
    const { value, grads } = tf.variableGrads(() => {
      const views = this.views(fake, yFake, real, yReal);
      const outputs = { real: views.real.score, fake: views.fake.score };
      log('realScore', tf.mean(outputs.real) as tf.Scalar);
      log('fakeScore', tf.mean(outputs.fake) as tf.Scalar);
      let total = loss.discriminatorLoss(outputs, hyper, state);
      if (loss.penalty) {
        // Conditional critics are penalised at the real batch's labels.
        const penalty = log('penalty', loss.penalty({ critic: (x) => this.view(x, yReal).score, real, fake, rng: this.rng }, hyper));
        total = tf.add(total, penalty) as tf.Scalar;
      }
      const inputs: AuxiliaryInputs = { fake: views.fake, real: views.real, yReal, yFake, codes };
      for (const term of auxiliary) {
        const { loss: part, logged: shown } = term.discriminator(inputs);
        log(term.name, shown);
        total = tf.add(total, part) as tf.Scalar;
      }
      return total;
    }, this.D.variables);
    return { value, logged, grads: this.D.variables.map((v) => grads[v.name]) };
  }

  /** One D update: the objective's D terms on a fresh real batch and a generated one. */
  private *discriminatorStep(lrScale: number): StepProgram<Record<string, number>> {
    // D's own per-step update outside the tape (spectral norm: one power iteration).
    this.D.beginStep?.();
    const scalars = tf.tidy(() => {
      const { value, logged, grads: ordered } = this.discriminatorObjective();
      this.optD.apply(ordered, lrScale);
      const out = stackScalars({ dLoss: value, gradNormD: globalNorm(ordered), ...logged });
      tf.dispose(Object.values(logged));
      return out;
    });
    return yield* readScalars(scalars);
  }

  /**
   * The G objective at the current weights on a generated batch (and a real one for relativistic
   * losses), drawn from the training stream as a G step does: its value and its gradients in the
   * order of G's variables. Nothing is updated. Call inside tf.tidy.
   */
  generatorObjective(): { value: tf.Scalar; grads: Array<tf.Tensor | undefined> } {
    const { loss, auxiliary } = this.objective;
    const { hyper, batchSize: n } = this.config;
    const { z, codes, y: yFake } = this.latent(this.rng, n);
    const real = loss.generatorUsesReal ? this.realBatch(n) : null;
    const { value, grads } = tf.variableGrads(() => {
      const fake = this.view(this.G.generate(z), yFake);
      const realScores = real ? this.view(real.x, real.y).score : tf.zerosLike(fake.score);
      let total = loss.generatorLoss({ real: realScores, fake: fake.score }, hyper, this.lossState);
      const inputs: AuxiliaryInputs = { fake, real: null, yReal: null, yFake, codes };
      for (const term of auxiliary) total = tf.add(total, term.generator(inputs)) as tf.Scalar;
      return total;
    }, this.G.variables);
    return { value, grads: this.G.variables.map((v) => grads[v.name]) };
  }

  /** One G update: the objective's G terms on a generated batch (and a real one for relativistic losses). */
  private *generatorStep(lrScale: number): StepProgram<{ gLoss: number; gradNormG: number; weightNorm: number }> {
    this.G.beginStep?.();
    const scalars = tf.tidy(() => {
      const { value, grads: ordered } = this.generatorObjective();
      this.optG.apply(ordered, lrScale);
      return stackScalars({ gLoss: value, gradNormG: globalNorm(ordered), weightNorm: globalNorm([...this.G.variables, ...this.D.variables]) });
    });
    return yield* readScalars(scalars);
  }

  /** The learning-rate factor of this step: 1, or the linear schedule's decay to 0 at config.steps. */
  private lrScale(): number {
    return this.config.lrSchedule === 'linear' ? Math.max(0, 1 - this.step / this.config.steps) : 1;
  }

  /** The weights' checksum (G then D; src/train/checksum.ts). */
  checksum(): string {
    return weightsChecksum([...this.G.variables, ...this.D.variables]);
  }

  /**
   * One discriminator update alone (the playground's "D step"): what a trainStep does before its
   * G update, once. The step count does not move. Returns D's loss and gradient norm.
   */
  discriminatorOnly(): { dLoss: number; gradNormD: number } {
    return runSync(this.discriminatorOnlyProgram());
  }

  /** discriminatorOnly on the device, when there is one (src/engine/device.ts). */
  discriminatorOnlyAsync(): Promise<{ dLoss: number; gradNormD: number }> {
    return deviceBackend() ? runOnDevice(this.discriminatorOnlyProgram()) : Promise.resolve(this.discriminatorOnly());
  }

  private *discriminatorOnlyProgram(): StepProgram<{ dLoss: number; gradNormD: number }> {
    const d = yield* this.discriminatorStep(this.lrScale());
    this.loss.afterDiscriminatorStep?.(this.D.variables, this.config.hyper);
    this.lossState = this.loss.nextState(this.lossState, { real: d.realScore, fake: d.fakeScore }, this.config.hyper);
    return { dLoss: d.dLoss, gradNormD: d.gradNormD };
  }

  /** One generator update alone (the playground's "G step"), with the EMA update; the step count moves. */
  generatorOnly(): { gLoss: number; gradNormG: number } {
    return runSync(this.generatorOnlyProgram());
  }

  /** generatorOnly on the device, when there is one. */
  generatorOnlyAsync(): Promise<{ gLoss: number; gradNormG: number }> {
    return deviceBackend() ? runOnDevice(this.generatorOnlyProgram()) : Promise.resolve(this.generatorOnly());
  }

  private *generatorOnlyProgram(): StepProgram<{ gLoss: number; gradNormG: number }> {
    const g = yield* this.generatorStep(this.lrScale());
    this.updateEma();
    this.step += 1;
    return { gLoss: g.gLoss, gradNormG: g.gradNormG };
  }

  /** One generator step with its discriminator steps. Throws DivergenceError on NaN/Inf. */
  trainStep(): StepStats {
    return runSync(this.stepProgram());
  }

  /**
   * trainStep on the device when there is one (`--backend webgpu`): the same ops, its scalars read
   * asynchronously. Without a device it is trainStep.
   */
  trainStepAsync(): Promise<StepStats> {
    return deviceBackend() ? runOnDevice(this.stepProgram()) : Promise.resolve(this.trainStep());
  }

  /**
   * Before host work that reads the trainer's tensors (evaluation, pictures, samples, the
   * checksum; with `optimizers`, checkpoints): fetches them from the device, asynchronously. No-op
   * without a device.
   */
  async hostReady(optimizers = true): Promise<void> {
    const nets = [...this.G.variables, ...this.D.variables, ...(this.emaWeights ?? []), ...(this.G.state ?? []), ...(this.D.state ?? [])];
    await fetchToHost(optimizers ? [...nets, ...this.optD.slotVariables(), ...this.optG.slotVariables()] : nets);
  }

  private *stepProgram(): StepProgram<StepStats> {
    const { config, loss } = this;
    const hyper = config.hyper;
    const criticSteps = loss.criticSteps?.(this.step, config.nCritic, hyper) ?? config.nCritic;
    const lrScale = this.lrScale();
    let d: Record<string, number> = {};
    for (let i = 0; i < criticSteps; i++) {
      d = yield* this.discriminatorStep(lrScale);
      loss.afterDiscriminatorStep?.(this.D.variables, hyper);
      this.lossState = loss.nextState(this.lossState, { real: d.realScore, fake: d.fakeScore }, hyper);
    }
    const g = yield* this.generatorStep(lrScale);
    this.updateEma();
    this.step += 1;
    const stats: StepStats = {
      step: this.step,
      criticSteps,
      dLoss: d.dLoss,
      penalty: d.penalty ?? 0,
      gLoss: g.gLoss,
      realScore: d.realScore,
      fakeScore: d.fakeScore,
      gradNormD: d.gradNormD,
      gradNormG: g.gradNormG,
      diagnostics: {
        ...loss.diagnostics({ real: d.realScore, fake: d.fakeScore }, hyper, this.lossState),
        ...Object.fromEntries(this.objective.auxiliary.map((t) => [t.name, d[t.name]])),
      },
    };
    const bad = ([['D loss', stats.dLoss], ['G loss', stats.gLoss], ['D gradient norm', stats.gradNormD], ['G gradient norm', stats.gradNormG], ['a weight', g.weightNorm]] as const).find(
      ([, v]) => !Number.isFinite(v),
    );
    if (bad) throw new DivergenceError(this.step, bad[0]);
    const limit = WEIGHT_GROWTH_LIMIT * Math.max(this.initialWeightNorm, 1);
    if (g.weightNorm > limit) throw new DivergenceError(this.step, 'the weight norm', `grew to ${g.weightNorm.toExponential(2)}, more than ${WEIGHT_GROWTH_LIMIT}× its initial ${this.initialWeightNorm.toPrecision(3)}`);
    return stats;
  }

  private updateEma(): void {
    if (!this.emaWeights) return;
    const decay = emaDecay(this.config.ema, this.step + 1);
    // d·e + (1 − d)·w in one kernel where the backend has it (the same bits as the three ops).
    tf.tidy(() => this.emaWeights!.forEach((e, i) => e.assign(movingAverage(e, this.G.variables[i], decay))));
  }

  /** Sample with G's own weights even when an EMA copy exists (`gankit sample --no-ema`). */
  useEma = true;

  /** The weights samples are drawn with: the EMA copy when there is one (and `useEma`), else G's. */
  samplingWeights(): tf.Tensor[] {
    return (this.useEma && this.emaWeights) || this.G.variables;
  }

  private standing: { key: string; stats: tf.Tensor[] } | null = null;

  /**
   * Standing batch-norm statistics of the sampling weights (StudioGAN's `-std_stat`): G runs in
   * training mode on STANDING_BATCHES batches of the training batch size (at least 64), drawn from
   * a fixed stream, and each layer's mean and variance are those of all these samples together
   * (mean of the batch means; mean of the batch mean squares minus the mean squared). Computed when
   * first needed after a step and kept until the weights change. Undefined for generators without
   * batch norm.
   */
  standingStatistics(): tf.Tensor[] | undefined {
    if (!this.G.normMoments) return undefined;
    const key = `${this.step}/${this.useEma && Boolean(this.emaWeights)}/${this.weightsVersion}`;
    if (this.standing?.key === key) return this.standing.stats;
    this.disposeStanding();
    const rng = new Rng(STANDING_SEED);
    const n = Math.max(this.config.batchSize, this.G.minBatch ?? 1, 64);
    const params = this.samplingWeights();
    const stats = tf.tidy(() => {
      let sums: tf.Tensor[] | null = null;
      for (let k = 0; k < STANDING_BATCHES; k++) {
        const m = tf.tidy(() => this.G.normMoments!(this.latent(rng, n).z, params));
        const next: tf.Tensor[] = sums ? sums.map((s, i) => tf.add(s, m[i])) : m;
        if (sums) tf.dispose([...sums, ...m]);
        sums = next;
      }
      return sums!.flatMap((s, i) => {
        if (i % 2) return [];
        const mean = tf.div(s, STANDING_BATCHES);
        const variance = tf.relu(tf.sub(tf.div(sums![i + 1], STANDING_BATCHES), tf.square(mean)));
        // Kept: a caller's own tidy scope must not dispose what stays cached here.
        return [tf.keep(mean), tf.keep(variance)];
      });
    });
    this.standing = { key, stats };
    return stats;
  }

  /** Bumped when restore() or loadWeights() replaces the weights (standing statistics are recomputed). */
  private weightsVersion = 0;

  /** Forget the standing statistics (after changing G's or the EMA copy's weights by hand). */
  invalidateStanding(): void {
    this.weightsVersion++;
  }

  private disposeStanding(): void {
    if (this.standing) tf.dispose(this.standing.stats);
    this.standing = null;
  }

  /**
   * n generated samples (EMA weights when EMA is on) drawn with `rng` (default: a fixed evaluation
   * stream); `labels` picks the classes of a conditional generator (default: uniform draws).
   * Batch-norm generators sample with standing statistics (`standingStatistics`), so a sample
   * depends on its own z only; generators without them are run in chunks of at least `minBatch`
   * (padded, extras dropped).
   */
  sample(n: number, rng: Rng = new Rng(0xe7a1), labels?: Int32Array): Float32Array {
    return this.sampleFrom((r, m, ys) => this.latent(r, m, ys).z, n, rng, labels);
  }

  /** Samples from G given a latent builder (used by sample() and by InfoGAN traversals). */
  sampleFrom(latent: (rng: Rng, n: number, labels?: Int32Array) => tf.Tensor, n: number, rng: Rng, labels?: Int32Array): Float32Array {
    const standing = this.standingStatistics();
    const min = standing ? 1 : (this.G.minBatch ?? 1);
    const params = this.samplingWeights();
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
        const values = this.G.generate(latent(rng, padded, ys), params, standing).dataSync() as Float32Array;
        out.set(values.subarray(0, m * size), start * size);
      });
    }
    return out;
  }

  /** Everything a checkpoint holds, as named float arrays plus a small header. */
  snapshot(): { header: TrainerHeader; arrays: CheckpointArrays } {
    const arrays: CheckpointArrays = {};
    this.G.variables.forEach((v, i) => (arrays[`G/${i}`] = v.dataSync() as Float32Array));
    this.D.variables.forEach((v, i) => (arrays[`D/${i}`] = v.dataSync() as Float32Array));
    this.emaWeights?.forEach((v, i) => (arrays[`Gema/${i}`] = v.dataSync() as Float32Array));
    this.D.state?.forEach((v, i) => (arrays[`Dstate/${i}`] = v.dataSync() as Float32Array));
    this.G.state?.forEach((v, i) => (arrays[`Gstate/${i}`] = v.dataSync() as Float32Array));
    for (const [prefix, opt] of [['optD', this.optD], ['optG', this.optG]] as const) {
      for (const [slot, values] of Object.entries(opt.getState().slots)) values.forEach((a, i) => (arrays[`${prefix}/${slot}/${i}`] = a));
    }
    const header: TrainerHeader = { step: this.step, rng: this.rng.getState(), lossState: this.state, optD: this.optD.stepCount, optG: this.optG.stepCount };
    const data = this.source.getState?.();
    if (data) {
      header.data = { epoch: data.epoch, cursor: data.cursor };
      if (data.order) arrays['data/order'] = Float32Array.from(data.order);
    }
    return { header, arrays };
  }

  restore(header: TrainerHeader, arrays: CheckpointArrays): void {
    const load = (vars: tf.Variable[], prefix: string) => assignArrays(vars, prefix, arrays);
    load(this.G.variables, 'G');
    load(this.D.variables, 'D');
    if (this.emaWeights) load(this.emaWeights, 'Gema');
    if (this.D.state?.length) load(this.D.state, 'Dstate');
    if (this.G.state?.length) load(this.G.state, 'Gstate');
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
    this.weightsVersion++;
    this.rng.setState(header.rng);
    this.lossState = { ...header.lossState };
  }

  /**
   * Weights without training state (pretrained models): `G/i` into G and its EMA copy (`Gstate/i`
   * into its spectral norm's vectors), and, with
   * `discriminator`, `D/i` and `Dstate/i` into D; the step is set, the optimisers are untouched.
   */
  loadWeights(arrays: CheckpointArrays, step: number, discriminator: boolean): void {
    assignArrays(this.G.variables, 'G', arrays);
    if (this.emaWeights) assignArrays(this.emaWeights, 'G', arrays);
    if (this.G.state?.length) assignArrays(this.G.state, 'Gstate', arrays);
    if (discriminator) {
      assignArrays(this.D.variables, 'D', arrays);
      if (this.D.state?.length) assignArrays(this.D.state, 'Dstate', arrays);
    }
    this.step = step;
    this.weightsVersion++;
  }

  dispose(): void {
    this.G.dispose();
    this.D.dispose();
    this.optD.dispose();
    this.optG.dispose();
    this.emaWeights?.forEach((v) => v.dispose());
    this.disposeStanding();
  }
}

function assignArrays(vars: tf.Variable[], prefix: string, arrays: CheckpointArrays): void {
  vars.forEach((v, i) => {
    const a = arrays[`${prefix}/${i}`];
    if (!a || a.length !== v.size) throw new Error(`checkpoint: ${prefix}/${i} is missing or has the wrong size (the model in config.json differs from the checkpoint's)`);
    tf.tidy(() => v.assign(tf.tensor(a, v.shape)));
  });
}

/** Standing statistics: batches averaged, and the seed of their latent stream. */
export const STANDING_BATCHES = 64;
const STANDING_SEED = 0x57a9d;

/** A trainer that owns `nets`: if it cannot be built (no labels for a conditional run, …) they are disposed. */
export function trainerOwning(config: RunConfig, source: BatchSource, nets: { G: GeneratorNet; D: DiscriminatorNet }): Trainer {
  try {
    return new Trainer(config, source, nets);
  } catch (e) {
    nets.G.dispose();
    nets.D.dispose();
    throw e;
  }
}

/** √Σ‖g‖² over the gradients that exist. */
function globalNorm(grads: Array<tf.Tensor | undefined>): tf.Scalar {
  return tf.sqrt(sumAll(grads.filter((g): g is tf.Tensor => Boolean(g)), true)) as tf.Scalar;
}
