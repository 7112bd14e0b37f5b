/**
 * Training on images: the data stream, the convolutional networks for the config, FID/KID/
 * precision-recall on the feature network at plot steps, and the pictures — a sample grid, a
 * class-by-row grid for conditional runs, and one latent-traversal grid per InfoGAN code.
 */
import { tf, Rng, oneHotRows } from '../engine/index.js';
import { Trainer, BatchSource } from './trainer.js';
import type { RunConfig } from './config.js';
import type { RunTask, Evaluation, MetricsRowLike } from './task.js';
import type { Panel } from '../report/plots.js';
import { ImageDataset, ShuffledBatches } from '../data/images.js';
import { loadImageData } from '../data/imageData.js';
import { ConvGenerator, ConvDiscriminator, ConvAutoencoder, architectureSize, discriminatorNormFor, ImageArchitecture } from '../models/conv.js';
import { getLoss } from '../losses/registry.js';
import { ImageEvaluator, ImageScores } from '../metrics/imageEval.js';
import { loadFeatureNet } from '../metrics/featnet.js';
import { imageGridPng } from '../report/grid.js';
import { InputError } from '../errors.js';

/** Seeded, epoch-shuffled batches of a dataset in [−1, 1], with labels and checkpointable position. */
export function imageBatchSource(data: ImageDataset): BatchSource {
  const batches = new ShuffledBatches(data);
  const labelled = Boolean(data.labels) && data.classes >= 2;
  return {
    batch: (rng, n) => batches.batch(rng, n),
    labeledBatch: labelled
      ? (rng, n) => {
          const { images, labels } = batches.batchWithLabels(rng, n);
          return { x: images, labels: Int32Array.from(labels!) };
        }
      : undefined,
    classes: labelled ? data.classes : 0,
    getState: () => {
      const s = batches.getState();
      return { epoch: s.epoch, cursor: s.cursor, order: s.order ? Int32Array.from(s.order) : null };
    },
    setState: (s) => batches.setState({ epoch: s.epoch, cursor: s.cursor, order: s.order ? Array.from(s.order) : null }),
  };
}

/** The networks for an image config: G and D sized to the data, the codes and the classes. */
export function imageNetworks(config: RunConfig, data: ImageDataset) {
  const arch = config.model.arch as ImageArchitecture;
  const size = architectureSize(arch);
  if (data.height !== size || data.width !== size) {
    throw new InputError(`model.arch: ${arch} makes ${size}×${size} images but ${config.data.name} has ${data.height}×${data.width}`);
  }
  const loss = getLoss(config.loss);
  const classes = config.conditional !== 'none' ? data.classes : 0;
  const info = config.infogan;
  const codeDim = info ? info.categorical.reduce((a, b) => a + b, 0) + info.continuous : 0;
  const initRng = new Rng((config.seed ^ 0x5eed) >>> 0);
  const G = new ConvGenerator(config.model.noiseDim + codeDim + classes, arch, data.channels, initRng);
  if (loss.discriminator === 'autoencoder') {
    return { G, D: new ConvAutoencoder({ height: size, width: size, channels: data.channels }, initRng) };
  }
  const D = new ConvDiscriminator(
    {
      arch,
      channels: data.channels,
      norm: discriminatorNormFor(Boolean(loss.penalty), config.model.norm),
      classes: config.conditional === 'concat' || config.conditional === 'projection' ? classes : 0,
      conditioning: config.conditional === 'projection' ? 'projection' : 'concat',
      headDim: info ? codeDim : config.conditional === 'acgan' ? classes : 0,
      headKind: info ? 'q' : 'linear',
    },
    initRng,
  );
  return { G, D };
}

const evalRng = (step: number, salt: number) => new Rng((0x9e3779b1 * (step + 1) + salt) >>> 0);

const SCORE_KEYS: Array<keyof ImageScores> = ['fid', 'kid', 'kidStd', 'precision', 'recall', 'density', 'coverage', 'classifierScore', 'conditionalAccuracy', 'codeAccuracy'];

export class ImageTask implements RunTask {
  private constructor(
    readonly trainer: Trainer,
    readonly data: ImageDataset,
    readonly evaluator: ImageEvaluator | null,
    readonly evaluatorNote: string,
  ) {}

  get dataName(): string {
    return this.trainer.config.data.name;
  }

  static async create(config: RunConfig, options: { evaluate?: boolean } = {}): Promise<ImageTask> {
    const { name, size, channels, skipUnreadable } = config.data;
    const data = await loadImageData(name, { split: 'train', size, channels, skipUnreadable });
    const nets = imageNetworks(config, data);
    const trainer = new Trainer(config, imageBatchSource(data), nets);
    let evaluator: ImageEvaluator | null = null;
    let note: string;
    const featnetName = name === 'fashion-mnist' || name === 'mnist' ? name : null;
    if (!featnetName) {
      note = `no feature network for ${name}: FID/KID/precision-recall need one trained on this kind of image (gankit featnet trains for fashion-mnist and mnist)`;
    } else if (options.evaluate === false) {
      note = 'evaluation off';
    } else {
      try {
        const { net, meta } = loadFeatureNet(featnetName);
        const reference = await loadImageData(name, { split: 'test' });
        note =
          `features: gankit's own ${meta.architecture} classifier trained on ${meta.data} ${meta.trainSplit} ` +
          `(test accuracy ${(100 * meta.testAccuracy).toFixed(2)} %), not Inception — numbers compare runs here, not papers; ` +
          `reference: ${Math.min(config.evalSamples, reference.count)} images of ${meta.testSplit}; baseline: as many real training images against them`;
        evaluator = ImageEvaluator.create(net, reference, data, config.evalSamples, note);
      } catch (e) {
        if (!(e instanceof InputError)) throw e;
        note = `evaluation unavailable: ${(e as Error).message}`;
      }
    }
    return new ImageTask(trainer, data, evaluator, note);
  }

  /** n samples with the information the scores need: requested classes, InfoGAN code values. */
  generate(n: number, rng: Rng): { images: Float32Array; requested?: Int32Array; codes?: { values: Int32Array; k: number } } {
    const t = this.trainer;
    if (t.classes > 0) {
      const requested = Int32Array.from({ length: n }, (_, i) => i % t.classes);
      return { images: t.sample(n, rng, requested), requested };
    }
    if (t.codes && t.codes.categorical.length > 0) {
      const values = new Int32Array(n);
      let filled = 0;
      const images = t.sampleFrom(
        (r, m) => {
          const { z, codes } = t.latent(r, m);
          const take = Math.min(m, n - filled);
          values.set(codes!.categoricalIndices[0].subarray(0, take), filled);
          filled += take;
          return z;
        },
        n,
        rng,
      );
      return { images, codes: { values, k: t.codes.categorical[0] } };
    }
    return { images: t.sample(n, rng) };
  }

  evaluate(step: number, full: boolean): Evaluation {
    if (!full || !this.evaluator) return { metrics: {}, subtitle: '' };
    const n = this.trainer.config.evalSamples;
    const g = this.generate(n, evalRng(step, 1));
    const scores = this.evaluator.score(g.images, n, { requested: g.requested, codes: g.codes });
    const metrics: Record<string, number | null> = {};
    for (const k of SCORE_KEYS) if (scores[k] !== undefined) metrics[k] = scores[k]!;
    const extra = scores.conditionalAccuracy !== undefined ? `, cond. acc ${(100 * scores.conditionalAccuracy).toFixed(0)}%` : scores.codeAccuracy !== undefined ? `, code acc ${(100 * scores.codeAccuracy).toFixed(0)}%` : '';
    return { metrics, subtitle: `FID ${scores.fid.toFixed(2)}, P ${scores.precision.toFixed(2)} R ${scores.recall.toFixed(2)}${extra}` };
  }

  private grid(images: Float32Array, rows: number, cols: number): Buffer {
    const [height, width, channels] = this.trainer.G.sampleShape;
    return imageGridPng(images, { rows, cols, height, width, channels });
  }

  /** G's input built from explicit parts: noise rows, then categorical and continuous codes. */
  private traversal(noise: tf.Tensor2D, categorical: number[][], continuous: number[][]): tf.Tensor {
    const spec = this.trainer.codes!;
    const n = noise.shape[0];
    const parts: tf.Tensor[] = [noise];
    spec.categorical.forEach((k, c) => parts.push(oneHotRows(categorical.map((row) => row[c]), k)));
    if (spec.continuous > 0) parts.push(tf.tensor2d(continuous.flat(), [n, spec.continuous]));
    return tf.concat(parts, 1);
  }

  pictures(step: number): Array<[string, Buffer]> {
    const t = this.trainer;
    const stem = `samples/step-${String(step).padStart(6, '0')}`;
    const out: Array<[string, Buffer]> = [];
    if (t.classes > 0) {
      // One row per class, 10 samples each.
      const cols = 10;
      const labels = Int32Array.from({ length: t.classes * cols }, (_, i) => Math.floor(i / cols));
      out.push([`${stem}.png`, this.grid(t.sample(labels.length, evalRng(0, 5), labels), t.classes, cols)]);
      return out;
    }
    out.push([`${stem}.png`, this.grid(t.sample(64, evalRng(0, 5)), 8, 8)]);
    if (t.codes) {
      const spec = t.codes;
      const noiseDim = t.config.model.noiseDim;
      const rows = spec.categorical.length > 0 ? spec.categorical[0] : 8;
      // A rows × cols grid whose cell (r, c) gets G's input from `cell` (noise, categorical values, continuous values).
      const traverse = (cols: number, rng: Rng, cell: (r: number, c: number) => { noise: number[]; cat: number[]; cont: number[] }) =>
        t.sampleFrom(
          (_r, m) => {
            const cells = Array.from({ length: m }, (_, i) => cell(Math.floor(i / cols) % rows, i % cols));
            return this.traversal(tf.tensor2d(cells.map((x) => x.noise)), cells.map((x) => x.cat), cells.map((x) => x.cont));
          },
          rows * cols,
          rng,
        );
      // Categorical code 0: one row per value, the same noise in each column.
      if (spec.categorical.length > 0) {
        const rng = evalRng(0, 6);
        const colNoise = rng.normal([10, noiseDim]).arraySync() as number[][];
        const images = traverse(10, rng, (r, c) => ({ noise: colNoise[c], cat: spec.categorical.map((_, k) => (k === 0 ? r : 0)), cont: Array(spec.continuous).fill(0) }));
        out.push([`${stem}-code-cat0.png`, this.grid(images, rows, 10)]);
      }
      // Each continuous code from −2 to 2 (InfoGAN Fig. 2) across columns; rows: categorical values.
      for (let j = 0; j < spec.continuous; j++) {
        const cols = 9;
        const rng = evalRng(0, 7 + j);
        const rowNoise = rng.normal([rows, noiseDim]).arraySync() as number[][];
        const images = traverse(cols, rng, (r, c) => ({
          noise: rowNoise[r],
          cat: spec.categorical.map((_, k) => (k === 0 ? r % spec.categorical[0] : 0)),
          cont: Array.from({ length: spec.continuous }, (_, q) => (q === j ? -2 + (4 * c) / (cols - 1) : 0)),
        }));
        out.push([`${stem}-code-cont${j}.png`, this.grid(images, rows, cols)]);
      }
    }
    return out;
  }

  panels(rows: MetricsRowLike[], panel: (title: string, yLabel: string, ...series: Array<[string, string]>) => Panel): Panel[] {
    if (!this.evaluator) return [];
    const has = (k: string) => rows.some((r) => typeof r[k] === 'number');
    return [
      panel('FID (gankit feature network)', 'FID', ['FID', 'fid']),
      panel('KID', 'KID', ['KID', 'kid']),
      panel('precision / recall', 'share', ['precision', 'precision'], ['recall', 'recall'], ['coverage', 'coverage']),
      panel('classifier score', 'exp E KL', ['score', 'classifierScore']),
      ...(has('conditionalAccuracy') ? [panel('conditional accuracy', 'share', ['accuracy', 'conditionalAccuracy'])] : []),
      ...(has('codeAccuracy') ? [panel('InfoGAN code ↔ class (best match)', 'share', ['accuracy', 'codeAccuracy'])] : []),
    ];
  }

  summary(): Record<string, unknown> {
    return { evaluation: this.evaluatorNote, realVsReal: this.evaluator?.baseline ?? null };
  }

  dispose(): void {
    this.trainer.dispose();
    this.evaluator?.net.dispose();
  }
}
