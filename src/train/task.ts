/**
 * What a run folder's loop needs besides the trainer: how to evaluate the generator, which
 * pictures to draw and which metric panels to plot. One implementation per kind of data (2-D
 * points in run.ts, images in imageTask.ts); the loop itself (run.ts) is shared.
 */
import type { Trainer } from './trainer.js';
import type { Panel } from '../report/plots.js';

export interface Evaluation {
  /** Metric columns for metrics.jsonl (numbers, or null where undefined). */
  metrics: Record<string, number | null>;
  /** One line for pictures and the progress bar ('' when nothing was measured). */
  subtitle: string;
}

export type MetricsRowLike = Record<string, number | null | number[] | undefined> & { step: number };

export interface RunTask {
  readonly trainer: Trainer;
  /** Data name for titles. */
  readonly dataName: string;
  /** Metrics at a logged step; `full` at plot steps and the last step (images: FID etc. only then). */
  evaluate(step: number, full: boolean): Evaluation;
  /** Pictures for a plot step: [path relative to the run folder, PNG]. */
  pictures(step: number, evaluation: Evaluation): Array<[string, Buffer]>;
  /** Task-specific metric panels for metrics.png. */
  panels(rows: MetricsRowLike[], panel: (title: string, yLabel: string, ...series: Array<[string, string]>) => Panel): Panel[];
  /** Extra fields for summary.json (e.g. the real-vs-real baseline). */
  summary(): Record<string, unknown>;
  dispose(): void;
}
