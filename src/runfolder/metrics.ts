/**
 * metrics.jsonl: one JSON row per logged step. The columns are named here once — the trainer's
 * step statistics, the losses' diagnostics, and what each data kind measures — and every reader
 * (plots, progress, summaries, the study, the runs database) refers to them through these types.
 */
import { InputError } from '../errors.js';

/** What the trainer measured in a generator step (means over its last D step where it says D). */
export interface StepColumns {
  step: number;
  /** Discriminator steps taken before this generator step. */
  criticSteps: number;
  /** D's whole loss (adversarial + penalty + auxiliary terms). */
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
}

/** Scalars that only some losses or terms have (absent otherwise). */
export interface DiagnosticColumns {
  /** Critics: E[D(x)] − E[D(G(z))] = −L_D without the penalty. */
  wassersteinEstimate?: number;
  /** BEGAN: the balance k_t and the convergence measure M_global. */
  k?: number;
  convergence?: number;
  /** InfoGAN: the bound L_I (nats). */
  mutualInformation?: number;
  /** ACGAN: D's class cross-entropy on real + generated samples. */
  auxClassLoss?: number;
}

/** 2-D points (VEEGAN/PacGAN protocol), on `evalSamples` samples. */
export interface PointColumns {
  modesCovered?: number;
  /** Modes holding at least 20 % of their expected N/K high-quality samples (src/metrics/modes.ts). */
  modesCoveredGated?: number;
  totalModes?: number;
  highQualityShare?: number;
  reverseKL?: number | null;
  slicedWasserstein?: number;
  /** Exact W₁ between `exactW1Samples` generated and real points (optimal assignment), at plot steps when asked for. */
  exactW1?: number;
}

/** Images, on gankit's feature network, at plot steps. */
export interface ImageColumns {
  fid?: number;
  /** FID∞ (at N ≥ 5,000 only). */
  fidInfinity?: number;
  kid?: number;
  kidStd?: number;
  /** KID's standard error over its subsets (at N ≥ 10,000 only). */
  kidSe?: number;
  precision?: number;
  recall?: number;
  density?: number;
  coverage?: number;
  classifierScore?: number;
  conditionalAccuracy?: number;
  codeAccuracy?: number;
}

export interface MetricColumns extends StepColumns, DiagnosticColumns, PointColumns, ImageColumns {
  /** Seconds of training so far (cumulative across resumes). */
  elapsed: number;
}

/** A column gankit itself writes; references to columns in gankit's code are checked against it. */
export type MetricColumn = keyof MetricColumns;
export type DiagnosticColumn = keyof DiagnosticColumns;

/** A row as stored: the known columns, plus any a user-registered loss adds. */
export type MetricsRow = MetricColumns & Record<string, number | null | undefined>;

/** The numbers of one column over the rows (null where a row has none). */
export function column(rows: readonly MetricsRow[], key: MetricColumn): Array<number | null> {
  return rows.map((r) => (typeof r[key] === 'number' ? (r[key] as number) : null));
}

/** Whether any row has a number (other than 0, with `nonZero`) in the column. */
export function hasColumn(rows: readonly MetricsRow[], key: MetricColumn, nonZero = false): boolean {
  return rows.some((r) => typeof r[key] === 'number' && (!nonZero || r[key] !== 0));
}

/**
 * Parses metrics.jsonl. A kill during an append can tear only the last line, which is dropped;
 * any other malformed line is an error naming the file and line.
 */
export function parseMetrics(text: string, path: string): MetricsRow[] {
  const lines = text.split('\n');
  while (lines.length && lines[lines.length - 1].trim() === '') lines.pop();
  const rows: MetricsRow[] = [];
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    try {
      rows.push(JSON.parse(line) as MetricsRow);
    } catch (e) {
      if (i === lines.length - 1) return; // torn by a kill mid-append
      throw new InputError(`${path}:${i + 1}: malformed metrics row (${(e as Error).message})`);
    }
  });
  return rows;
}

export const formatMetricsRow = (row: MetricsRow): string => JSON.stringify(row) + '\n';
