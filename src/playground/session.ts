/**
 * One 2-D training session of the playground page: the library's own config resolution, trainer,
 * losses, presets and 2-D measures (src/kinds/points/measure.ts, as the CLI's), plus what the page draws — real and
 * generated points, D's field over the plane, the generator's update arrows (GAN Lab's pictures)
 * and the warp of a noise lattice into data space. Loads without Node modules, so the page bundles
 * it; Node tests run the same code.
 */
import { tf, Rng } from '../engine/index.js';
import type { PointDataset } from '../data/points.js';
import { pointsBatchSource, pointsDataOf, pointsNetworks } from '../kinds/points/trainer.js';
import { dataExtent, discriminatorField, evaluatePoints, fieldLattice, generatorPush } from '../kinds/points/measure.js';
import type { View } from '../kinds/points/measure.js';
import { resolveConfig } from '../train/config.js';
import type { RunConfig } from '../train/config.js';
import { Trainer, trainerOwning } from '../train/trainer.js';
import { DivergenceError } from '../train/divergence.js';
import { ConfigError } from '../errors.js';
import { parseMetrics } from '../runfolder/metrics.js';
import '../kinds/points/columns.js'; // the measures its rows hold, in the metric table the page charts from
import type { MetricsRow } from '../runfolder/metrics.js';
import type { StepStats } from '../train/trainer.js';

/** What the curves show, one point per evaluation. */
/** A metrics row of a session: the step's columns and the measures of the data (the mode measures only for data with modes, as in metrics.jsonl). */
export interface SessionMetrics {
  step: number;
  modesCovered?: number;
  totalModes?: number;
  highQualityShare?: number;
  reverseKL?: number | null;
  slicedWasserstein: number;
  gradNormD: number;
  gradNormG: number;
  dLoss: number;
  gLoss: number;
  /** Loss-specific diagnostics of the last step (Wasserstein estimate, BEGAN's k_t, …). */
  diagnostics: Record<string, number>;
}

export type { View } from '../kinds/points/measure.js';

export interface Picture {
  view: View;
  real: Float32Array;
  fake: Float32Array;
  /** D at the centres of a grid × grid lattice over the view, row by row from the top (σ(D) for logit D). */
  field: Float32Array;
  grid: number;
  /** Whether `field` is a probability (logit D) or an unbounded score. */
  fieldIsProbability: boolean;
  /** −∂L_G/∂x̃ at each generated point. */
  push: Float32Array;
  /** ‖∇ₓD‖ on the same lattice, for penalised losses (null otherwise). */
  gradNorm: Float32Array | null;
  /** G applied to a lattice of noise (2-D noise: lines of constant z₁ then z₂), [lines][points·2]. */
  warp: Float32Array[];
  /** InfoGAN: each generated point's categorical code (first code), else null. */
  codes: Int32Array | null;
}

/**
 * What a page trains without freezing its tab (a share link can hold any config): the networks'
 * size, the batch, n_critic, and the work of one generator step, (n_critic + 1) × batch × the
 * weights of G and D multiply-adds — 2²⁸ is ten times the default WGAN-GP step, a fraction of a
 * second on one wasm thread. The CLI (gankit train) takes more.
 */
export const PAGE_LIMITS = { width: 1024, depth: 16, batchSize: 8192, nCritic: 100, stepWork: 2 ** 28 } as const;

/** Refuses a config the page would freeze on, naming the field (or the step's work) and the limit. */
export function checkPageLimits(c: RunConfig): void {
  const over = (field: string, value: number, limit: number) => {
    if (value > limit) throw new ConfigError(field, `the page trains at most ${limit}, got ${value} (gankit train takes more)`);
  };
  const nets = [['model.generator', c.model.generator, c.model.noiseDim, 2], ['model.discriminator', c.model.discriminator, 2, 1]] as const;
  let weights = 0;
  for (const [path, mlp, inputs, outputs] of nets) {
    if (!mlp) continue;
    over(`${path}.width`, mlp.width, PAGE_LIMITS.width);
    over(`${path}.depth`, mlp.depth, PAGE_LIMITS.depth);
    weights += (inputs + 1) * mlp.width + (mlp.depth - 1) * (mlp.width + 1) * mlp.width + (mlp.width + 1) * outputs;
  }
  over('batchSize', c.batchSize, PAGE_LIMITS.batchSize);
  over('nCritic', c.nCritic, PAGE_LIMITS.nCritic);
  const work = (c.nCritic + 1) * c.batchSize * weights;
  if (work > PAGE_LIMITS.stepWork) {
    throw new ConfigError('batchSize', `one step of this config is ${work.toExponential(1)} multiply-adds ((n_critic + 1) × batch × weights); the page trains at most ${PAGE_LIMITS.stepWork} (2^28) a step — lower the batch, the networks or n_critic, or train it with gankit train`);
  }
}

/** Points drawn (at most one sampling chunk, so that the codes drawn again below belong to them). */
export const PICTURE_POINTS = 500;

/** A run's metrics.jsonl as the page replays it: its rows, a torn last row (a live run mid-append) dropped, as every reader does. */
export function replayRows(text: string, name: string): MetricsRow[] {
  return parseMetrics(text, name);
}

export class PlaygroundSession {
  readonly trainer: Trainer;
  readonly data: PointDataset;
  status: 'ready' | 'diverged' = 'ready';
  divergence: string | null = null;
  last: StepStats | null = null;
  private readonly real: Float32Array;
  private readonly fakeRng = 0xfa4e;

  private constructor(
    readonly config: RunConfig,
    data: PointDataset,
  ) {
    this.data = data;
    this.trainer = trainerOwning(config, pointsBatchSource(data), pointsNetworks(config));
    this.real = data.sample(new Rng(0x5ea1), PICTURE_POINTS);
  }

  /**
   * A session for a config as a config file would hold it (defaults ← preset ← profile ← yours),
   * within PAGE_LIMITS. `data` replaces the named dataset (points drawn by hand, an uploaded CSV).
   * Every config the page trains — settings, share links, replayed runs — comes through here.
   */
  static create(overrides: Record<string, unknown>, data?: PointDataset): PlaygroundSession {
    const config = resolveConfig(overrides);
    if (config.model.arch !== 'mlp') throw new Error(`the playground trains 2-D data; '${config.data.name}' is an image dataset`);
    checkPageLimits(config);
    return new PlaygroundSession(config, data ?? pointsDataOf(config));
  }

  get step(): number {
    return this.trainer.step;
  }

  /** Up to n generator steps (each with its critic steps); stops at a divergence. */
  train(n: number): StepStats | null {
    for (let i = 0; i < n && this.status === 'ready'; i++) {
      try {
        this.last = this.trainer.trainStep();
      } catch (e) {
        if (!(e instanceof DivergenceError)) throw e;
        this.status = 'diverged';
        this.divergence = e.message;
      }
    }
    return this.last;
  }

  /**
   * `train` for a page whose engine has a device (WebGPU): the steps run there and read their
   * scalars asynchronously, then the weights are fetched for the pictures and metrics, which run
   * on the host. Without a device it is `train`, the same steps and bits.
   */
  async trainAsync(n: number): Promise<StepStats | null> {
    for (let i = 0; i < n && this.status === 'ready'; i++) {
      try {
        this.last = await this.trainer.trainStepAsync();
      } catch (e) {
        if (!(e instanceof DivergenceError)) throw e;
        this.status = 'diverged';
        this.divergence = e.message;
      }
    }
    await this.trainer.hostReady(false);
    return this.last;
  }

  /** stepD on the device, when there is one (see trainAsync). */
  async stepDAsync(): Promise<{ dLoss: number; gradNormD: number } | null> {
    if (this.status !== 'ready') return null;
    const d = await this.trainer.discriminatorOnlyAsync();
    await this.trainer.hostReady(false);
    this.check(d.dLoss, d.gradNormD, 'D');
    if (this.last) this.last = { ...this.last, ...d };
    return d;
  }

  /** stepG on the device, when there is one (see trainAsync). */
  async stepGAsync(): Promise<{ gLoss: number; gradNormG: number } | null> {
    if (this.status !== 'ready') return null;
    const g = await this.trainer.generatorOnlyAsync();
    await this.trainer.hostReady(false);
    this.check(g.gLoss, g.gradNormG, 'G');
    if (this.last) this.last = { ...this.last, ...g, step: this.trainer.step };
    return g;
  }

  /** One discriminator update alone (nothing on a diverged session); its loss and gradient norm go into `last`. */
  stepD(): { dLoss: number; gradNormD: number } | null {
    if (this.status !== 'ready') return null;
    const d = this.trainer.discriminatorOnly();
    this.check(d.dLoss, d.gradNormD, 'D');
    if (this.last) this.last = { ...this.last, ...d };
    return d;
  }

  /** One generator update alone (nothing on a diverged session); its loss and gradient norm go into `last`. */
  stepG(): { gLoss: number; gradNormG: number } | null {
    if (this.status !== 'ready') return null;
    const g = this.trainer.generatorOnly();
    this.check(g.gLoss, g.gradNormG, 'G');
    if (this.last) this.last = { ...this.last, ...g, step: this.trainer.step };
    return g;
  }

  private check(loss: number, norm: number, who: string): void {
    if (Number.isFinite(loss) && Number.isFinite(norm)) return;
    this.status = 'diverged';
    this.divergence = `step ${this.trainer.step}: ${who}'s ${Number.isFinite(loss) ? 'gradient norm' : 'loss'} is not finite`;
  }

  /** The CLI's measures at this step (the same evaluation streams as `gankit train`). */
  metrics(samples = 2500): SessionMetrics {
    const step = this.trainer.step;
    const { modes, sw } = evaluatePoints(this.trainer, this.data, samples, step);
    const s = this.last;
    return {
      step,
      ...(modes ? { modesCovered: modes.modesCovered, totalModes: modes.totalModes, highQualityShare: modes.highQualityShare, reverseKL: modes.reverseKL } : {}),
      slicedWasserstein: sw,
      gradNormD: s?.gradNormD ?? NaN,
      gradNormG: s?.gradNormG ?? NaN,
      dLoss: s?.dLoss ?? NaN,
      gLoss: s?.gLoss ?? NaN,
      diagnostics: Object.fromEntries(Object.entries(s?.diagnostics ?? {}).filter((e): e is [string, number] => typeof e[1] === 'number')),
    };
  }

  /** The square the pictures cover: the data's extent with a margin (as the CLI's scatter). */
  view(): View {
    return dataExtent(this.data, this.real);
  }

  /** Everything the main view draws, on fixed streams (the pictures do not move the training RNG). */
  picture(grid = 48): Picture {
    const t = this.trainer;
    const view = this.view();
    const lattice = fieldLattice(view, grid, 'top-down');
    const fake = t.sample(PICTURE_POINTS, new Rng(this.fakeRng));
    let codes: Int32Array | null = null;
    if (t.codes) {
      codes = new Int32Array(PICTURE_POINTS);
      const rng = new Rng(this.fakeRng);
      tf.tidy(() => {
        const latent = t.latent(rng, PICTURE_POINTS);
        if (latent.codes?.categoricalIndices[0]) codes!.set(latent.codes.categoricalIndices[0]);
        tf.dispose([latent.z, ...(latent.codes?.categorical ?? []), ...(latent.codes?.continuous ? [latent.codes.continuous] : [])]);
      });
    }
    const penalised = Boolean(t.loss.penalty);
    const gradNorm = penalised
      ? tf.tidy(() => {
          const x = tf.tensor2d(lattice, [grid * grid, 2]);
          const g = tf.grad((v: tf.Tensor) => tf.sum(t.D.score(v)))(x);
          return tf.sqrt(tf.sum(tf.square(g), 1)).dataSync() as Float32Array;
        })
      : null;
    return {
      view,
      real: this.real,
      fake,
      field: discriminatorField(t, lattice),
      grid,
      fieldIsProbability: t.loss.discriminator === 'logit',
      push: generatorPush(t, fake, new Rng(0x9054)),
      gradNorm,
      warp: this.warp(),
      codes,
    };
  }

  /** G on a 2-D noise lattice in [−2, 2]² (other noise sizes: the first two coordinates, the rest 0). */
  private warp(lines = 11, points = 25): Float32Array[] {
    const t = this.trainer;
    if (t.codes || t.classes) return [];
    const d = t.G.latentDim;
    const out: Float32Array[] = [];
    for (const axis of d < 2 ? [0] : [0, 1]) {
      for (let l = 0; l < (d < 2 ? 1 : lines); l++) {
        const z = new Float32Array(points * d);
        for (let p = 0; p < points; p++) {
          if (axis < d) z[p * d + axis] = -2 + (4 * p) / (points - 1);
          if (1 - axis < d) z[p * d + (1 - axis)] = -2 + (4 * l) / (lines - 1);
        }
        out.push(tf.tidy(() => t.G.generate(tf.tensor2d(z, [points, d]), t.samplingWeights()).dataSync() as Float32Array));
      }
    }
    return out;
  }

  checksum(): string {
    return this.trainer.checksum();
  }

  dispose(): void {
    this.trainer.dispose();
  }
}
