/**
 * A run's two networks and what travels with them: their optimisers, the training stream, the
 * loss's state, the step count and the sampler (EMA weights, standing statistics; sampling.ts).
 * Here is what is done with them besides the step — samples, the weights' checksum, checkpoints
 * (src/runfolder/trainerState.ts) and fetches from the device; the Trainer (trainer.ts) adds the
 * step that moves them.
 */
import { tf, Rng, Optimizer, fetchToHost } from '../engine/index.js';
import type { LossState } from '../losses/types.js';
import { LatentLayout } from '../models/latent.js';
import type { InfoCodeSpec, Latent } from '../models/latent.js';
import type { DiscriminatorNet, GeneratorNet } from '../models/types.js';
import type { BatchSource } from '../data/source.js';
import { encodeTrainerState, restoreTrainerState, restoreWeights } from '../runfolder/trainerState.js';
import type { TrainerHeader, TrainerParts } from '../runfolder/trainerState.js';
import type { CheckpointArrays } from '../runfolder/checkpoint.js';
import { weightsChecksum } from './checksum.js';
import { Sampler } from './sampling.js';
import type { RunConfig } from './fields.js';

export class GanNetworks {
  readonly G: GeneratorNet;
  readonly D: DiscriminatorNet;
  /** G's input: noise, InfoGAN's codes, onehot(y). */
  readonly latentLayout: LatentLayout;
  readonly optD: Optimizer;
  readonly optG: Optimizer;
  readonly rng: Rng;
  /** The weights samples are drawn with (EMA) and standing batch-norm statistics. */
  readonly sampler: Sampler;
  protected lossState: LossState;
  step = 0;

  constructor(
    readonly config: RunConfig,
    readonly source: BatchSource,
    nets: { G: GeneratorNet; D: DiscriminatorNet },
    /** The classes G is conditioned on (0 = unconditional). */
    classes: number,
    lossState: LossState,
  ) {
    this.latentLayout = new LatentLayout(config.model.noiseDim, config.infogan ? { categorical: config.infogan.categorical, continuous: config.infogan.continuous } : null, classes);
    this.G = nets.G;
    this.D = nets.D;
    this.optD = new Optimizer(config.optimizerD, this.D.variables);
    this.optG = new Optimizer(config.optimizerG, this.G.variables);
    this.rng = new Rng(config.seed);
    this.lossState = lossState;
    this.sampler = new Sampler(this.G, config, (rng, n, labels) => this.latent(rng, n, labels), classes, () => this.step);
  }

  /** G's input for n samples (labels, if given, pick a conditional generator's classes). */
  latent(rng: Rng, n: number, labels?: Int32Array): Latent {
    return this.latentLayout.draw(rng, n, labels);
  }

  /** InfoGAN's codes (or null); the classes G is conditioned on (0 = unconditional); the loss's state. */
  get codes(): InfoCodeSpec | null {
    return this.latentLayout.codes;
  }
  get classes(): number {
    return this.latentLayout.classes;
  }
  get state(): LossState {
    return { ...this.lossState };
  }

  /** Before host work that reads the trainer's tensors (with `optimizers`: checkpoints): fetches them from the device. No-op without one. */
  async hostReady(optimizers = true): Promise<void> {
    const nets = [...this.G.variables, ...this.D.variables, ...(this.sampler.ema ?? []), ...(this.G.state ?? []), ...(this.D.state ?? [])];
    await fetchToHost(optimizers ? [...nets, ...this.optD.slotVariables(), ...this.optG.slotVariables()] : nets);
  }

  /** The weights' checksum (G then D; src/train/checksum.ts). */
  checksum(): string {
    return weightsChecksum([...this.G.variables, ...this.D.variables]);
  }

  /** Samples (sampling.ts): the EMA weights unless `useEma` is off, standing statistics for batch-norm generators; by default from a fixed evaluation stream. */
  sample(n: number, rng: Rng = new Rng(0xe7a1), labels?: Int32Array): Float32Array {
    return this.sampler.sampleFrom((r, m, ys) => this.latent(r, m, ys).z, n, rng, labels);
  }
  sampleFrom(latent: (rng: Rng, n: number, labels?: Int32Array) => tf.Tensor, n: number, rng: Rng, labels?: Int32Array): Float32Array {
    return this.sampler.sampleFrom(latent, n, rng, labels);
  }
  get useEma(): boolean {
    return this.sampler.useEma;
  }
  set useEma(on: boolean) {
    this.sampler.useEma = on;
  }
  samplingWeights(): tf.Tensor[] {
    return this.sampler.weights();
  }
  standingStatistics(): tf.Tensor[] | undefined {
    return this.sampler.standingStatistics();
  }
  invalidateStanding(): void {
    this.sampler.invalidate();
  }

  /** Checkpoints (src/runfolder/trainerState.ts): everything one holds, back into the trainer, or (pretrained models) the weights alone at a step. */
  snapshot(): { header: TrainerHeader; arrays: CheckpointArrays } {
    return encodeTrainerState(this.parts(), { step: this.step, rng: this.rng, lossState: this.lossState, standing: this.sampler.heldStanding() });
  }
  restore(header: TrainerHeader, arrays: CheckpointArrays): void {
    const restored = restoreTrainerState(this.parts(), this.rng, header, arrays);
    ({ step: this.step, lossState: this.lossState } = restored);
    this.sampler.invalidate();
    if (restored.standing) this.sampler.adoptStanding(restored.standing.ema, restored.standing.stats);
  }
  loadWeights(arrays: CheckpointArrays, step: number, discriminator: boolean): void {
    restoreWeights(this.parts(), arrays, discriminator);
    this.step = step;
    this.sampler.invalidate();
  }
  private parts(): TrainerParts {
    return { G: this.G.variables, D: this.D.variables, ema: this.sampler.ema, Gstate: this.G.state, Dstate: this.D.state, optD: this.optD, optG: this.optG, source: this.source };
  }

  dispose(): void {
    this.G.dispose();
    this.D.dispose();
    this.optD.dispose();
    this.optG.dispose();
    this.sampler.dispose();
  }
}
