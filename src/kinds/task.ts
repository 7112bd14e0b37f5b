/**
 * What a run needs from its kind of data besides the trainer: how to evaluate the generator (its
 * metric columns are defined beside it, src/kinds/<kind>/columns.ts), which pictures to draw, how
 * to sample for `gankit sample`, and what to say at the end. One implementation per kind (src/kinds/points, src/kinds/images); the run loop
 * (src/runner/run.ts) and the CLI are the same for both.
 */
import { Rng } from '../engine/index.js';
import type { Workload } from '../engine/index.js';
import type { DataKind } from '../data/kinds.js';
import type { Trainer } from '../train/trainer.js';
import type { RunConfig } from '../train/fields.js';
import type { MetricColumn, MetricsRow } from '../runfolder/metrics.js';
import type { MetricColumnSpec } from '../runfolder/columns.js';

export interface Evaluation {
  /** The kind's metric columns for metrics.jsonl (numbers, or null where undefined). */
  metrics: Partial<Record<MetricColumn, number | null>>;
  /** One line for pictures and the progress bar ('' when nothing was measured). */
  subtitle: string;
}

/** What `gankit sample` asked for. */
export interface SampleRequest {
  /** Samples (default: the kind's). */
  n?: number;
  seed: number;
  /** A conditional run's class. */
  classIndex?: number;
  /** 'csv' (2-D points only) or 'png'; default: the kind's. */
  format?: 'csv' | 'png';
  /**
   * Where to write (default: stdout for CSV, DIR/sample.png for pictures). Images: a path not
   * ending in .png is a folder, which gets one PNG per sample (000000.png, …) and grid.png.
   */
  out?: string;
  /** The run folder, for the default picture path. */
  runDir: string;
  /** What the samples are of, for a picture's caption: the run as given, or pretrained:NAME. */
  source?: string;
}

export interface SampleOutput {
  /** Files to write: [path, contents]. */
  files: Array<[string, Buffer | string]>;
  /** Text for stdout (CSV without --out). */
  stdout?: string;
  /** One line for stderr, e.g. what was written where. */
  message?: string;
}

export interface RunTask {
  readonly trainer: Trainer;
  /** Data name for titles. */
  readonly dataName: string;
  /** Metrics at a logged step; `full` at plot steps and the last step (images: FID etc. only then). */
  evaluate(step: number, full: boolean): Evaluation;
  /** Pictures for a plot step: [path relative to the run folder, PNG]; `source` names the run in captions. */
  pictures(step: number, evaluation: Evaluation, source?: string): Array<[string, Buffer]>;
  /** A conditional run's class names (one per class, in label order), or null. */
  readonly classNames?: string[] | null;
  /** Real data against itself, by metric column (metrics.png draws each as a dashed line); {} when not measured. */
  reference(): Record<MetricColumn, number>;
  /**
   * The column whose best value (its `better` direction; lower when unset) picks the checkpoint kept
   * as best.bin, recorded in it as { step, [name]: value }; absent: the kind keeps no best.bin.
   */
  readonly bestCheckpointBy?: MetricColumnSpec;
  /** Extra fields for summary.json and eval.json (e.g. the real-vs-real baseline). */
  summary(): Record<string, unknown>;
  /** Samples from the current generator for `gankit sample`, at most `maxSamples` (a grid or a CSV that still makes sense). */
  sample(request: SampleRequest): SampleOutput;
  readonly maxSamples: number;
  /** At most this many when `sample` writes one file per sample into a folder (images; absent: no folder output). */
  readonly maxFolderSamples?: number;
  /** What the final row says, as lines for the end of `gankit train` (each indented by the caller). */
  describe(final: MetricsRow | null): string[];
  /** The latest quality measure for the progress bar, from a logged row (null: nothing new). */
  progress(row: MetricsRow): string | null;
  dispose(): void;
}

/** A kind of data: how to build its task, and the engine workload it is (for the default threads). */
export interface DataKindModule {
  readonly kind: DataKind;
  readonly workload: Workload;
  /** `withoutData`: a task that only samples (pretrained models): datasets of known shape are not read. */
  createTask(config: RunConfig, options?: { evaluate?: boolean; withoutData?: boolean }): Promise<RunTask>;
}

/** A fixed evaluation stream per step: metrics and pictures never touch the training RNG. */
export const evaluationRng = (step: number, salt: number): Rng => new Rng((0x9e3779b1 * (step + 1) + salt) >>> 0);
