/**
 * Which curves the page draws, from the metric table (src/runfolder/columns.ts) as the worker has
 * it — the losses and data kinds it loaded and any loss registered there: one chart per column
 * with a chart that some row holds (a penalty only when not 0), in table order; a diagnostic the
 * table does not know (a loss registered without columns) after them, under its key in words.
 *
 * No Node module: the page reads it.
 */
import { shortName } from '../runfolder/columns.js';
import type { MetricColumnSpec } from '../runfolder/columns.js';

/** A chart: the column it draws, its title, its y axis's label and which way is better. */
export interface ChartColumn {
  name: string;
  label: string;
  unit: string;
  better?: 'higher' | 'lower';
}

/** "marginGap" → "margin gap". */
const words = (key: string) => key.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();

/** The charts of these rows (metrics rows: a session's, diagnostics spread in, or a replayed run's). */
export function pageCharts(columns: readonly MetricColumnSpec[], rows: ReadonlyArray<Readonly<Record<string, unknown>>>): ChartColumn[] {
  const held = (c: MetricColumnSpec) => rows.some((r) => r[c.name] !== undefined && (!c.hideWhenZero || (typeof r[c.name] === 'number' && r[c.name] !== 0)));
  const known = new Set(columns.map((c) => c.name));
  const charted = columns.filter((c) => c.panel !== undefined && held(c)).map((c) => ({ name: c.name, label: shortName(c), unit: c.unit, ...(c.better ? { better: c.better } : {}) }));
  const unknown = [...new Set(rows.flatMap((r) => Object.keys(r)))].filter((k) => k !== 'step' && !known.has(k) && rows.some((r) => typeof r[k] === 'number'));
  return [...charted, ...unknown.map((k) => ({ name: k, label: words(k), unit: 'value' }))];
}

/** The text of a diagnostic on a session's readout: its progress-line format, or its short name. */
export function readoutText(columns: readonly MetricColumnSpec[], key: string, value: string): string {
  const c = columns.find((x) => x.name === key);
  return `${c?.progress?.label ?? (c ? shortName(c) : words(key))} ${value}`;
}
