/**
 * The table of metric columns: every column a metrics.jsonl row can hold, once, with what a reader
 * needs to show it — a label, a unit, the chart it is drawn in, its format on the progress line and
 * which way is better. The trainer's step columns are defined below; each loss (its registry
 * entry's `columns`), each auxiliary term and each kind of data defines its own where it is
 * defined, with `defineMetricColumns`. metrics.png, the progress line, the page, the study and the
 * benchmark read this table instead of spelling column names.
 *
 * No Node module: the page reads it.
 */

export interface MetricColumnSpec {
  /** The key in metrics.jsonl. */
  readonly name: string;
  /** What a person calls it ('D loss', 'FID'). */
  readonly label: string;
  /** Its name where room is short — a chart's title in the page and in compare --plot (default: the label). */
  readonly short?: string;
  /** The quantity's unit or axis label ('loss', 'nats', 'share'). */
  readonly unit: string;
  /** The chart it is drawn in; columns naming the same chart share it, in table order. Absent: not charted. */
  readonly panel?: string;
  /** Its name in the chart's legend (default: the label). */
  readonly series?: string;
  /** Charted only when some row holds a value other than 0 (the penalty column is 0 for a loss without one). */
  readonly hideWhenZero?: boolean;
  /** Shown on the progress line as `label value` with `digits` decimals whenever a step measures it. */
  readonly progress?: { readonly label: string; readonly digits: number };
  /**
   * A run's headline measure: a column of the run tables (gankit runs and compare, under its name;
   * gankit pretrained, under `header` with `digits` decimals) and a chart of compare --plot.
   */
  readonly headline?: { readonly header: string; readonly digits: number };
  /** Which way is better, for a quality measure (absent: neither, e.g. a loss value). */
  readonly better?: 'higher' | 'lower';
  /** Whether the column may hold null (a measure undefined for that step, e.g. reverse KL with an empty mode). */
  readonly nullable?: boolean;
}

/** The values a list of column specs describes: each name → a number (or null where nullable). */
export type ColumnValues<T extends readonly MetricColumnSpec[]> = {
  [C in T[number] as C['name']]?: C extends { nullable: true } ? number | null : number;
};

/** Who defines a column; the table lists the trainer's first, then the losses' and terms', then the data kinds' (whatever order modules load in). */
export type ColumnOwner = 'trainer' | 'loss' | 'data';
const OWNERS: readonly ColumnOwner[] = ['trainer', 'loss', 'data'];

const TABLE: Array<{ spec: MetricColumnSpec; owner: ColumnOwner }> = [];
let ordered: MetricColumnSpec[] = [];

const same = (a: MetricColumnSpec, b: MetricColumnSpec) => JSON.stringify(a) === JSON.stringify(b);

/**
 * Adds columns to the table (in order) and returns them. Defining a column again with the same
 * spec is a no-op (two losses share the Wasserstein estimate); with another spec it is an error.
 */
export function defineMetricColumns<const T extends readonly MetricColumnSpec[]>(specs: T, owner: ColumnOwner): T {
  for (const spec of specs) {
    if (typeof spec?.name !== 'string' || !/^[A-Za-z][A-Za-z0-9]*$/.test(spec.name)) throw new Error(`metric column: '${String(spec?.name)}' is not a column name (letters and digits)`);
    if (typeof spec.label !== 'string' || typeof spec.unit !== 'string') throw new Error(`metric column '${spec.name}' needs a label and a unit`);
    const known = TABLE.find((c) => c.spec.name === spec.name);
    if (known && !same(known.spec, spec)) throw new Error(`metric column '${spec.name}' is defined already, as ${JSON.stringify(known.spec)}`);
    if (!known) TABLE.push({ spec: Object.freeze({ ...spec }), owner });
  }
  ordered = OWNERS.flatMap((o) => TABLE.filter((c) => c.owner === o).map((c) => c.spec));
  return specs;
}

/** Every defined column: the trainer's, the losses' and terms', the data kinds', each in the order defined. */
export function metricColumns(): readonly MetricColumnSpec[] {
  return ordered;
}

/** The column of that name, if one is defined. */
export function metricColumn(name: string): MetricColumnSpec | undefined {
  return ordered.find((c) => c.name === name);
}

/** A column's name where room is short. */
export const shortName = (spec: MetricColumnSpec): string => spec.short ?? spec.label;

/** `label value` for the progress line, or null when the column has no progress format or no value. */
export function progressText(spec: MetricColumnSpec, value: unknown): string | null {
  return spec.progress && typeof value === 'number' ? `${spec.progress.label} ${value.toFixed(spec.progress.digits)}` : null;
}

/** What the trainer measures in every generator step (means over its last D step where it says D). */
export const STEP_COLUMNS = defineMetricColumns([
  { name: 'step', label: 'generator step', unit: 'step' },
  { name: 'criticSteps', label: 'discriminator steps before this generator step', unit: 'steps' },
  { name: 'dLoss', label: "D's whole loss (adversarial + penalty + auxiliary terms)", short: 'D loss', unit: 'loss', panel: 'losses', series: 'D', progress: { label: 'D', digits: 3 } },
  { name: 'gLoss', label: "G's loss", short: 'G loss', unit: 'loss', panel: 'losses', series: 'G', progress: { label: 'G', digits: 3 } },
  { name: 'realScore', label: 'mean D output on the real batch', unit: 'D', panel: 'mean D output', series: 'real' },
  { name: 'fakeScore', label: 'mean D output on the generated batch', unit: 'D', panel: 'mean D output', series: 'generated' },
  { name: 'penalty', label: 'the penalty part of the D loss', unit: 'penalty', panel: 'gradient penalty', hideWhenZero: true },
  { name: 'gradNormD', label: "global L2 norm of D's gradient", short: "D's gradient norm", unit: '‖∇‖', panel: 'gradient norms', series: 'D' },
  { name: 'gradNormG', label: "global L2 norm of G's gradient", short: "G's gradient norm", unit: '‖∇‖', panel: 'gradient norms', series: 'G' },
] as const, 'trainer');

/** Written with each row: seconds of training so far (cumulative across resumes). */
export const ELAPSED_COLUMNS = defineMetricColumns([{ name: 'elapsed', label: 'seconds trained', unit: 's' }] as const, 'trainer');
