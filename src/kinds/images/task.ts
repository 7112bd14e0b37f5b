/**
 * Images as a run task: FID/KID/precision-recall on the feature network at plot steps, and the
 * pictures — a sample grid, a class-by-row grid for conditional runs, and one latent-traversal
 * grid per InfoGAN code; `gankit sample` writes a grid.
 */
import { join } from 'node:path';
import { tf, Rng } from '../../engine/index.js';
import { InputError } from '../../errors.js';
import type { ImageDataset } from '../../data/images.js';
import { classNamesOf, isBuiltinImageData } from '../../data/kinds.js';
import type { BuiltinImageData } from '../../data/kinds.js';
import { loadImageData } from '../../data/imageData.js';
import { ImageEvaluator } from '../../metrics/imageEval.js';
import type { ImageScores } from '../../metrics/imageEval.js';
import { featureNote, loadFeatureNet } from '../../metrics/featnet.js';
import { captionedGridPng, imageGridPng } from '../../report/grid.js';
import type { GridCaption } from '../../report/grid.js';
import { RunFolder } from '../../runfolder/folder.js';
import type { MetricsRow } from '../../runfolder/metrics.js';
import type { MetricColumnSpec } from '../../runfolder/columns.js';
import { Trainer, trainerOwning } from '../../train/trainer.js';
import type { RunConfig } from '../../train/fields.js';
import { DataKindModule, Evaluation, evaluationRng, RunTask, SampleOutput, SampleRequest } from '../task.js';
import { IMAGE_COLUMNS } from './columns.js';
import type { ImageColumns } from './columns.js';
import { imageBatchSource, imageNetworks } from './networks.js';

/** The scores as metric columns, in the table's order (the order of a row's keys). */
const scoreColumns = (scores: ImageScores): ImageColumns => {
  const named = scores as unknown as Record<string, number | undefined>;
  return Object.fromEntries(IMAGE_COLUMNS.filter((c) => named[c.name] !== undefined).map((c) => [c.name, named[c.name]]));
};

/** A 28×28 grey, 10-class dataset with no images: what a sampling-only task needs of Fashion-MNIST or MNIST. */
function shapeOnly(name: BuiltinImageData): ImageDataset {
  const classNames = classNamesOf(name) ?? [];
  return { name, pixels: new Uint8Array(0), labels: new Uint8Array(0), count: 0, height: 28, width: 28, channels: 1, classes: 10, classNames };
}

export class ImageTask implements RunTask {
  readonly maxSamples = 4096;
  /** best.bin: the checkpoint with the lowest FID so far. */
  readonly bestCheckpointBy: MetricColumnSpec = IMAGE_COLUMNS[0];
  /** One PNG per sample, for FID tools that read a folder (pytorch-fid, clean-fid): as many as an evaluation takes. */
  readonly maxFolderSamples = 50_000;
  private constructor(
    readonly trainer: Trainer,
    readonly data: ImageDataset,
    readonly evaluator: ImageEvaluator | null,
    readonly evaluatorNote: string,
  ) {}

  get dataName(): string {
    return this.trainer.config.data.name;
  }

  /**
   * `withoutData`: for a model that only samples (pretrained generators): Fashion-MNIST and MNIST
   * are not read, only their shape and classes are used (no training, no evaluation then).
   */
  static async create(config: RunConfig, options: { evaluate?: boolean; withoutData?: boolean } = {}): Promise<ImageTask> {
    const { name, size, channels, skipUnreadable } = config.data;
    const known = isBuiltinImageData(name);
    const data = options.withoutData && known ? shapeOnly(name) : await loadImageData(name, { split: 'train', size, channels, skipUnreadable });
    if (options.withoutData && known) options = { ...options, evaluate: false };
    const trainer = trainerOwning(config, imageBatchSource(data), imageNetworks(config, data));
    let evaluator: ImageEvaluator | null = null;
    let note: string;
    if (!known) {
      note = `no feature network for ${name}: FID/KID/precision-recall need one trained on this kind of image (gankit featnet trains for fashion-mnist and mnist)`;
    } else if (options.evaluate === false) {
      note = 'evaluation off';
    } else {
      try {
        const { net, meta } = loadFeatureNet(name);
        const reference = await loadImageData(name, { split: 'test' });
        note = featureNote(meta, Math.min(config.evalSamples, reference.count));
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
    const g = this.generate(n, evaluationRng(step, 1));
    const scores = this.evaluator.score(g.images, n, { requested: g.requested, codes: g.codes });
    const metrics = scoreColumns(scores);
    const extra = scores.conditionalAccuracy !== undefined ? `, cond. acc ${(100 * scores.conditionalAccuracy).toFixed(0)}%` : scores.codeAccuracy !== undefined ? `, code acc ${(100 * scores.codeAccuracy).toFixed(0)}%` : '';
    return { metrics, subtitle: `FID ${scores.fid.toFixed(2)}, P ${scores.precision.toFixed(2)} R ${scores.recall.toFixed(2)}${extra}` };
  }

  /** The class names of a conditional run (its rows), or null. */
  get classNames(): string[] | null {
    if (this.trainer.classes === 0) return null;
    return Array.from({ length: this.trainer.classes }, (_, k) => this.data.classNames?.[k] ?? String(k));
  }

  /** A captioned grid: what made it (`source`: the run folder's name, or pretrained:NAME), the loss, the step, the weights, and what the rows are. */
  private grid(images: Float32Array, rows: number, cols: number, caption: { source?: string; what?: string; rowLabels?: string[] }): Buffer {
    const [height, width, channels] = this.trainer.G.sampleShape;
    const t = this.trainer;
    const c = t.config;
    const source = caption.source === undefined ? 'samples' : caption.source.includes(':') ? caption.source : `run ${caption.source}`;
    const lines = [source, `${c.variant ? `${c.variant} (${c.loss} loss)` : `${c.loss} loss`} · ${c.data.name}`, `step ${t.step}`, t.useEma && c.ema > 0 ? 'EMA weights' : "G's own weights (no EMA)", ...(caption.what ? [caption.what] : [])];
    const full: GridCaption = { lines, rowLabels: caption.rowLabels };
    return captionedGridPng(images, { rows, cols, height, width, channels }, full);
  }

  pictures(step: number, _evaluation?: Evaluation, source?: string): Array<[string, Buffer]> {
    const t = this.trainer;
    const out: Array<[string, Buffer]> = [];
    if (t.classes > 0) {
      // One row per class, 10 samples each.
      const cols = 10;
      const labels = Int32Array.from({ length: t.classes * cols }, (_, i) => Math.floor(i / cols));
      out.push([RunFolder.picture(step), this.grid(t.sample(labels.length, evaluationRng(0, 5), labels), t.classes, cols, { source, what: 'a row per class', rowLabels: this.classNames! })]);
      return out;
    }
    out.push([RunFolder.picture(step), this.grid(t.sample(64, evaluationRng(0, 5)), 8, 8, { source })]);
    if (t.codes) out.push(...this.traversals(step, source));
    return out;
  }

  /** InfoGAN's latent traversals: one grid per categorical value (rows) and per continuous code (−2 … 2 across columns). */
  private traversals(step: number, source?: string): Array<[string, Buffer]> {
    const t = this.trainer;
    const spec = t.codes!;
    const out: Array<[string, Buffer]> = [];
    const noiseDim = t.config.model.noiseDim;
    const rows = spec.categorical.length > 0 ? spec.categorical[0] : 8;
    // A rows × cols grid whose cell (r, c) gets G's input from `cell` (noise, categorical values, continuous values).
    const traverse = (cols: number, rng: Rng, cell: (r: number, c: number) => { noise: number[]; cat: number[]; cont: number[] }) =>
      t.sampleFrom(
        (_r, m) => {
          const cells = Array.from({ length: m }, (_, i) => cell(Math.floor(i / cols) % rows, i % cols));
          return t.latentLayout.fromParts(tf.tensor2d(cells.map((x) => x.noise)), cells.map((x) => x.cat), cells.map((x) => x.cont));
        },
        rows * cols,
        rng,
      );
    // Categorical code 0: one row per value, the same noise in each column.
    if (spec.categorical.length > 0) {
      const rng = evaluationRng(0, 6);
      const colNoise = tf.tidy(() => rng.normal([10, noiseDim]).arraySync() as number[][]);
      const images = traverse(10, rng, (r, c) => ({ noise: colNoise[c], cat: spec.categorical.map((_, k) => (k === 0 ? r : 0)), cont: Array(spec.continuous).fill(0) }));
      out.push([RunFolder.picture(step, '-code-cat0'), this.grid(images, rows, 10, { source, what: 'a row per value of code c0', rowLabels: Array.from({ length: rows }, (_, r) => `c0 = ${r}`) })]);
    }
    // Each continuous code from −2 to 2 (InfoGAN Fig. 2) across columns; rows: categorical values.
    for (let j = 0; j < spec.continuous; j++) {
      const cols = 9;
      const rng = evaluationRng(0, 7 + j);
      const rowNoise = tf.tidy(() => rng.normal([rows, noiseDim]).arraySync() as number[][]);
      const images = traverse(cols, rng, (r, c) => ({
        noise: rowNoise[r],
        cat: spec.categorical.map((_, k) => (k === 0 ? r % spec.categorical[0] : 0)),
        cont: Array.from({ length: spec.continuous }, (_, q) => (q === j ? -2 + (4 * c) / (cols - 1) : 0)),
      }));
      const rowLabels = spec.categorical.length > 0 ? Array.from({ length: rows }, (_, r) => `c0 = ${r % spec.categorical[0]}`) : undefined;
      out.push([RunFolder.picture(step, `-code-cont${j}`), this.grid(images, rows, cols, { source, what: `continuous code ${j}: −2 → 2`, rowLabels })]);
    }
    return out;
  }

  /** The training images against the reference set, at the same N: what a perfect generator would score. */
  reference(): Record<string, number> {
    return this.evaluator ? (scoreColumns(this.evaluator.baseline) as Record<string, number>) : {};
  }

  summary(): Record<string, unknown> {
    return { evaluation: this.evaluatorNote, realVsReal: this.evaluator?.baseline ?? null };
  }

  /** A PNG grid of n samples (default 64), of one class for a conditional run. */
  sample({ n = 64, seed, classIndex, format, out, runDir, source }: SampleRequest): SampleOutput {
    if (format === 'csv') throw new InputError('--csv is for 2-D runs; image runs write a PNG grid (--png)');
    if (out !== undefined && !/\.png$/i.test(out)) return this.sampleFolder(n, seed, classIndex, out, source);
    const labels = classIndex !== undefined ? new Int32Array(n).fill(classIndex) : undefined;
    const pixels = this.trainer.sample(n, new Rng(seed), labels);
    const cols = Math.ceil(Math.sqrt(n));
    const path = out ?? join(runDir, 'sample.png');
    return { files: [[path, this.grid(pixels, Math.ceil(n / cols), cols, { source, what: this.sampleWhat(seed, classIndex) })]], message: `wrote ${n} samples${classIndex !== undefined ? ` of class ${classIndex}` : ''} to ${path}` };
  }

  /** n samples as n PNGs (at their own size, 000000.png …) and the first 64 as grid.png, in chunks of 1000. */
  /** The caption line of `gankit sample`'s grid: the seed, and the class asked for. */
  private sampleWhat(seed: number, classIndex?: number): string {
    return `seed ${seed}${classIndex !== undefined ? ` · class ${this.classNames?.[classIndex] ?? classIndex}` : ''}`;
  }

  private sampleFolder(n: number, seed: number, classIndex: number | undefined, dir: string, source?: string): SampleOutput {
    const [height, width, channels] = this.trainer.G.sampleShape;
    const size = height * width * channels;
    const rng = new Rng(seed);
    const files: Array<[string, Buffer]> = [];
    const digits = Math.max(6, String(n - 1).length);
    let gridPixels: Float32Array | null = null;
    for (let done = 0; done < n; ) {
      const m = Math.min(1000, n - done);
      const pixels = this.trainer.sample(m, rng, classIndex !== undefined ? new Int32Array(m).fill(classIndex) : undefined);
      if (!gridPixels) gridPixels = pixels.slice(0, Math.min(64, m) * size);
      for (let i = 0; i < m; i++) {
        const one = pixels.subarray(i * size, (i + 1) * size);
        files.push([join(dir, `${String(done + i).padStart(digits, '0')}.png`), imageGridPng(one, { rows: 1, cols: 1, height, width, channels, gap: 0, scale: 1 })]);
      }
      done += m;
    }
    const shown = Math.min(64, n);
    const cols = Math.ceil(Math.sqrt(shown));
    files.push([join(dir, 'grid.png'), this.grid(gridPixels!, Math.ceil(shown / cols), cols, { source, what: this.sampleWhat(seed, classIndex) })]);
    return { files, message: `wrote ${n} samples${classIndex !== undefined ? ` of class ${classIndex}` : ''} to ${dir}/ (one PNG each, ${width}×${height}) and ${join(dir, 'grid.png')}` };
  }

  describe(final: MetricsRow | null): string[] {
    const f = final as ImageColumns | null;
    if (f?.fid === undefined) return [];
    const extra = f.conditionalAccuracy !== undefined ? `, conditional accuracy ${(100 * f.conditionalAccuracy).toFixed(1)}%` : f.codeAccuracy !== undefined ? `, code↔class accuracy ${(100 * f.codeAccuracy).toFixed(1)}%` : '';
    return [`FID ${f.fid.toFixed(2)}, KID ${f.kid?.toFixed(4)}, precision ${f.precision?.toFixed(3)}, recall ${f.recall?.toFixed(3)}${extra} (gankit feature network; see summary.json for the real-vs-real baseline)`];
  }

  progress(measured: MetricsRow): string | null {
    const row = measured as ImageColumns;
    return typeof row.fid === 'number' ? `FID ${row.fid.toFixed(1)}` : null;
  }

  dispose(): void {
    this.trainer.dispose();
    this.evaluator?.net.dispose();
  }
}

export const images: DataKindModule = {
  kind: 'images',
  workload: 'images',
  createTask: (config, options) => ImageTask.create(config, options),
};
