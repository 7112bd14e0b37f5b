/** `gankit compare`: run folders side by side, as a table and (--plot) as curves on shared axes. */
import { writeFileAtomic } from '../../io/atomic.js';
import { parse, UsageError } from '../args.js';
import { inspectRunFolder } from '../../runfolder/row.js';
import type { RunRow } from '../../runfolder/row.js';
import { metricColumns, RunFolder, shortName } from '../../runfolder/index.js';
import type { MetricColumnSpec, MetricsRow } from '../../runfolder/index.js';
import { overlaySvg } from '../../report/overlay.js';
import type { OverlayLine, OverlayPanel } from '../../report/overlay.js';
import { svgToPng } from '../../report/plots.js';
import { InputError } from '../../errors.js';
import { didYouMean } from '../../schema.js';
import type { Command } from '../command.js';
import { runsTable, shownPath } from './runs.js';

const HELP = `Usage: gankit compare RUN_DIR… [--json] [--plot FILE.png [--group loss]]

Tabulates the runs side by side: loss, data, seed, steps, status, time and final metrics (paths
relative to the working folder). --plot FILE.png draws their curves on shared axes, one panel per
measure the runs logged (those on the progress line — the losses, the Wasserstein estimate — and
the headline measures: modes, high-quality share, sliced W1, FID, KID, precision, recall, …), one
line per run; with --group loss, one line per loss
(or variant): the mean over its runs, with a band from the lowest to the highest run.`;

export const compare: Command = {
  name: 'compare',
  summary: 'tabulate runs side by side, or plot their curves together (--plot)',
  help: () => HELP,
  run: compareCommand,
};

/** The measures --plot draws, in table order, when a run logged them: the progress line's and the headline measures. */
const plotted = (): MetricColumnSpec[] => metricColumns().filter((c) => c.progress || c.headline);

const GROUPINGS = ['loss'];

function compareCommand(argv: string[]): number {
  // Positionals are run folders; a flag's value follows it.
  const valued = new Set(['--plot', '--group']);
  const dirs: string[] = [];
  const flags: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i].startsWith('-')) {
      flags.push(argv[i]);
      if (valued.has(argv[i]) && i + 1 < argv.length) flags.push(argv[++i]);
    } else dirs.push(argv[i]);
  }
  const values = parse(flags, { json: { type: 'boolean' }, plot: { type: 'string' }, group: { type: 'string' } });
  if (dirs.length === 0) {
    console.log(HELP);
    return 2;
  }
  const group = values.group as string | undefined;
  if (group !== undefined && !GROUPINGS.includes(group)) throw new UsageError(`--group: '${group}'${didYouMean(group, GROUPINGS)} (loss)`);
  if (group !== undefined && values.plot === undefined) throw new UsageError('--group: groups the curves of --plot FILE.png; give --plot too');
  if (values.plot === '' || (typeof values.plot === 'string' && !/\.png$/i.test(values.plot))) throw new UsageError(`--plot: expected a file name ending in .png, got '${String(values.plot)}'`);
  const rows = dirs.map((d) => {
    const seen = inspectRunFolder(d);
    if (!seen) throw new InputError(`${d}: not a gankit run folder (no config.json)`);
    if ('unreadable' in seen) throw new InputError(seen.unreadable);
    return seen.row;
  });
  runsTable(rows, Boolean(values.json));
  if (typeof values.plot === 'string') {
    const runs = rows.map((row) => ({ row, metrics: new RunFolder(row.path).readMetrics() }));
    const panels = curvePanels(runs, group === 'loss');
    const data = [...new Set(rows.map((r) => r.data))].join(', ');
    const note = group ? `line: the mean of a loss's runs; band: its lowest to highest run (runs per loss in the legend)` : 'one line per run';
    writeFileAtomic(values.plot, svgToPng(overlaySvg(`${rows.length} run${rows.length === 1 ? '' : 's'} on ${data}`, note, panels)));
    console.error(`gankit: wrote ${values.plot} (${panels.length} panels: ${panels.map((p) => p.title).join(', ')})`);
  }
  return 0;
}

/** Each logged value of `key` as [step, value] (rows without it, or with a non-finite value, left out). */
const points = (metrics: MetricsRow[], key: string): Array<[number, number]> =>
  metrics.flatMap((m) => (typeof m[key] === 'number' && Number.isFinite(m[key]) ? [[m.step, m[key] as number] as [number, number]] : []));

/** One panel per measure some run logged; a line per run, or per loss (mean, band lowest–highest over the steps every run of it logged). */
export function curvePanels(runs: Array<{ row: RunRow; metrics: MetricsRow[] }>, byLoss: boolean): OverlayPanel[] {
  const groups = new Map<string, typeof runs>();
  for (const run of runs) {
    const key = byLoss ? (run.row.variant ?? run.row.loss) : shownPath(run.row.path);
    groups.set(key, [...(groups.get(key) ?? []), run]);
  }
  const panels: OverlayPanel[] = [];
  for (const column of plotted()) {
    const key = column.name;
    const lines: OverlayLine[] = [];
    for (const [name, members] of groups) {
      const series = members.map((m) => new Map(points(m.metrics, key)));
      const steps = [...series[0].keys()].filter((s) => series.every((m) => m.has(s))).sort((a, b) => a - b);
      if (!steps.length) continue;
      const at = (s: number) => series.map((m) => m.get(s)!);
      const label = byLoss ? `${name} (${members.length} run${members.length === 1 ? '' : 's'})` : name;
      lines.push({
        name: label,
        xs: steps,
        ys: steps.map((s) => at(s).reduce((a, b) => a + b, 0) / members.length),
        ...(members.length > 1 ? { lo: steps.map((s) => Math.min(...at(s))), hi: steps.map((s) => Math.max(...at(s))) } : {}),
      });
    }
    if (lines.length) panels.push({ title: shortName(column), lines });
  }
  return panels;
}
