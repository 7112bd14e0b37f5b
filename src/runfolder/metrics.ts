/**
 * metrics.jsonl: one JSON row per logged step. Its columns are the table of src/runfolder/columns.ts
 * (the trainer's step columns there, the losses', terms' and data kinds' where they are defined);
 * every reader (plots, progress, summaries, the study, the runs database) goes through it.
 */
import { InputError } from '../errors.js';
import type { ColumnValues, ELAPSED_COLUMNS, STEP_COLUMNS } from './columns.js';

/** What the trainer measured in a generator step: the step columns of the table (src/runfolder/columns.ts). */
export type StepColumns = Required<ColumnValues<typeof STEP_COLUMNS>>;

export interface MetricColumns extends StepColumns, Required<ColumnValues<typeof ELAPSED_COLUMNS>> {}

/** The name of a column: the trainer's, or one a loss, an auxiliary term or a data kind defines (`metricColumns()`). */
export type MetricColumn = string;

/** A row as stored: the trainer's columns, plus what the loss, its terms and the data kind measured. */
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
