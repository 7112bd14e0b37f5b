/**
 * Drawing samples from a trainer's generator: the weights it samples with (an exponential moving
 * average of G's weights when the run keeps one) and, for batch-norm generators, standing
 * statistics, so that a sample depends on its own z only. The trainer updates the average after
 * each generator step; pictures, evaluation, `gankit sample` and exports sample through here.
 */
import { tf, Rng, movingAverage } from '../engine/index.js';
import type { Latent } from '../models/latent.js';
import type { GeneratorNet } from '../models/types.js';
import type { HeldStanding } from '../runfolder/trainerState.js';

/**
 * The EMA decay at generator step t (counted from 1): min(decay, (1 + t) / (10 + t)), the warm-up
 * of TensorFlow's ExponentialMovingAverage (num_updates). Without it a 0.999 average still holds
 * e^−2 ≈ 14 % of the initial weights after 2,000 steps; with it the average forgets the
 * initialisation within the first few hundred steps and reaches the full decay at t ≈ 9,000.
 */
export function emaDecay(decay: number, t: number): number {
  return Math.min(decay, (1 + t) / (10 + t));
}

/** Standing statistics: batches averaged (unless the config's standingBatches says), and the seed of their latent stream. */
export const STANDING_BATCHES = 64;
const STANDING_SEED = 0x57a9d;

/** G's input for n samples (labels, if given, pick a conditional generator's classes). */
export type LatentDraw = (rng: Rng, n: number, labels?: Int32Array) => Latent;

export class Sampler {
  /** Sample with G's own weights even when an EMA copy exists (`gankit sample --no-ema`). */
  useEma = true;
  /** G's EMA copy (null: the run keeps none). */
  readonly ema: tf.Variable[] | null;
  /** The standing statistics computed (or adopted) last: of the EMA copy or G, at a step and weights version (`weightsAt`). */
  private standing: (HeldStanding & { at: string }) | null = null;
  /** Bumped when G's or the EMA copy's weights are replaced (standing statistics are recomputed). */
  private weightsVersion = 0;

  constructor(
    private readonly G: GeneratorNet,
    private readonly settings: { ema: number; batchSize: number; standingBatches?: number },
    private readonly latent: LatentDraw,
    /** Classes of a conditional generator (0: unconditional), for padding a chunk's labels. */
    private readonly classes: number,
    /** The trainer's generator step (standing statistics are kept until it moves). */
    private readonly step: () => number,
  ) {
    this.ema = settings.ema > 0 ? G.variables.map((v) => tf.tidy(() => tf.variable(v.clone(), false))) : null;
  }

  /** After generator step t (counted from 1): e ← d·e + (1 − d)·w. */
  update(t: number): void {
    if (!this.ema) return;
    const decay = emaDecay(this.settings.ema, t);
    // d·e + (1 − d)·w in one kernel where the backend has it (the same bits as the three ops).
    tf.tidy(() => this.ema!.forEach((e, i) => e.assign(movingAverage(e, this.G.variables[i], decay))));
  }

  /** The weights samples are drawn with: the EMA copy when there is one (and `useEma`), else G's. */
  weights(): tf.Tensor[] {
    return (this.useEma && this.ema) || this.G.variables;
  }

  /** Forget the standing statistics (after changing G's or the EMA copy's weights by hand, or restoring them). */
  invalidate(): void {
    this.weightsVersion++;
  }

  /**
   * Standing batch-norm statistics of the sampling weights (StudioGAN's `-std_stat`): G runs in
   * training mode on `standingBatches` batches (default STANDING_BATCHES) of the training batch size (at least 64), drawn from
   * a fixed stream, and each layer's mean and variance are those of all these samples together
   * (mean of the batch means; mean of the batch mean squares minus the mean squared). Computed when
   * first needed after a step and kept until the weights change. Undefined for generators without
   * batch norm.
   */
  standingStatistics(): tf.Tensor[] | undefined {
    if (!this.G.normMoments) return undefined;
    const ema = this.useEma && Boolean(this.ema);
    if (this.standing?.at === this.weightsAt() && this.standing.ema === ema) return this.standing.stats;
    this.disposeStanding();
    const rng = new Rng(STANDING_SEED);
    const n = Math.max(this.settings.batchSize, this.G.minBatch ?? 1, 64);
    const params = this.weights();
    const batches = this.settings.standingBatches ?? STANDING_BATCHES;
    const stats = tf.tidy(() => {
      let sums: tf.Tensor[] | null = null;
      for (let k = 0; k < batches; k++) {
        const m = tf.tidy(() => this.G.normMoments!(this.latent(rng, n).z, params));
        const next: tf.Tensor[] = sums ? sums.map((s, i) => tf.add(s, m[i])) : m;
        if (sums) tf.dispose([...sums, ...m]);
        sums = next;
      }
      return sums!.flatMap((s, i) => {
        if (i % 2) return [];
        const mean = tf.div(s, batches);
        const variance = tf.relu(tf.sub(tf.div(sums![i + 1], batches), tf.square(mean)));
        // Kept: a caller's own tidy scope must not dispose what stays cached here.
        return [tf.keep(mean), tf.keep(variance)];
      });
    });
    this.standing = { ema, at: this.weightsAt(), stats };
    return stats;
  }

  /**
   * n generated samples drawn with `rng` from the latent that `latent` builds; `labels` picks the
   * classes of a conditional generator. Batch-norm generators sample with standing statistics;
   * generators without them are run in chunks of at least `minBatch` (padded, extras dropped).
   */
  sampleFrom(latent: (rng: Rng, n: number, labels?: Int32Array) => tf.Tensor, n: number, rng: Rng, labels?: Int32Array): Float32Array {
    const standing = this.standingStatistics();
    const min = standing ? 1 : (this.G.minBatch ?? 1);
    const params = this.weights();
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

  /** Which weights these are: the generator step and the version of hand-set weights. */
  private weightsAt(): string {
    return `${this.step()}/${this.weightsVersion}`;
  }

  /**
   * The standing statistics held now, when they are of the current weights (a checkpoint keeps
   * them, so that sampling a finished run does not run G on 64 batches again): with whether they
   * are the EMA copy's, and their values.
   */
  heldStanding(): HeldStanding | undefined {
    return this.standing?.at === this.weightsAt() ? { ema: this.standing.ema, stats: this.standing.stats } : undefined;
  }

  /**
   * Takes standing statistics that a checkpoint kept with these weights (call after the weights are
   * restored: they are what `standingStatistics` would compute for them, bit for bit).
   */
  adoptStanding(ema: boolean, stats: tf.Tensor[]): void {
    this.disposeStanding();
    this.standing = { ema: ema && Boolean(this.ema), at: this.weightsAt(), stats: stats.map((t) => tf.keep(t)) };
  }

  private disposeStanding(): void {
    if (this.standing) tf.dispose(this.standing.stats);
    this.standing = null;
  }

  dispose(): void {
    this.ema?.forEach((v) => v.dispose());
    this.disposeStanding();
  }
}
