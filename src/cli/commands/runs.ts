/** `gankit runs`: list and filter the runs in a runs database, rebuilt from run folders. */
import { existsSync } from 'node:fs';
import { isAbsolute, join, relative } from 'node:path';
import { parse } from '../args.js';
import { checkRoots, RunsDb, RunRow } from '../../runfolder/database.js';
import { metricColumns } from '../../runfolder/columns.js';
import { InputError } from '../../errors.js';
import type { Command } from '../command.js';

/** The runs database `gankit train` indexes its runs in with the default --out (runs/NAME). */
export const DEFAULT_RUNS_DB = join('runs', 'runs.sqlite');

const HELP = `Usage: gankit runs [--db FILE] [--rebuild DIR…] [--loss L] [--data D] [--status S] [--experiment E] [--json]

Lists the runs in a runs database (default ${DEFAULT_RUNS_DB}, where gankit train indexes the runs
it writes under runs/; a run elsewhere goes in runs.sqlite beside its folder), filtered. --rebuild
recreates the database from every run folder under the given folders (the folders are the truth).`;

/** A run's path as the table shows it: relative to the working folder when inside it. */
export function shownPath(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : rel === '' ? '.' : path;
}

const cell = (v: unknown) => (typeof v === 'number' ? (Number.isInteger(v) ? String(v) : v.toFixed(4)) : v === null || v === undefined ? '–' : String(v));

/** Runs side by side: loss, data, seed, steps, status, time and the final metrics they have. */
export function runsTable(rows: RunRow[], json: boolean): void {
  if (json) {
    console.log(JSON.stringify(rows, null, 2));
    return;
  }
  // The headline measures of the metric table some run has a final value of.
  const keys = metricColumns()
    .filter((c) => c.headline && rows.some((r) => r.final?.[c.name] !== undefined))
    .map((c) => c.name);
  const header = ['run', 'loss', 'data', 'seed', 'steps', 'status', 'seconds', ...keys];
  const body = rows.map((r) => [shownPath(r.path), r.variant ?? r.loss, r.data, String(r.seed), String(r.steps), r.status, cell(r.elapsed), ...keys.map((k) => cell(r.final?.[k]))]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join('  ');
  console.log(line(header));
  for (const b of body) console.log(line(b));
  console.log(`${rows.length} run${rows.length === 1 ? '' : 's'}`);
}

export const runs: Command = {
  name: 'runs',
  summary: 'list and filter runs in a runs database (rebuildable from run folders)',
  help: () => HELP,
  run: runsCommand,
};

function runsCommand(argv: string[]): number {
  const values = parse(argv, { db: { type: 'string' }, rebuild: { type: 'string', multiple: true }, loss: { type: 'string' }, data: { type: 'string' }, status: { type: 'string' }, experiment: { type: 'string' }, json: { type: 'boolean' } });
  const file = typeof values.db === 'string' ? values.db : DEFAULT_RUNS_DB;
  const rebuild = values.rebuild as unknown as string[] | undefined;
  if (!rebuild && !existsSync(file)) throw new InputError(`${file}: no runs database (make one with gankit runs --db ${file} --rebuild RUNS_DIR)`);
  if (rebuild) checkRoots(rebuild); // before a database is made for folders that are not there
  // Listing writes nothing: a database on a read-only disk lists too.
  const db = new RunsDb(file, { readonly: !rebuild });
  try {
    if (rebuild) {
      const { indexed, unreadable } = db.rebuild(rebuild);
      console.error(`gankit: indexed ${indexed} run folders into ${file}`);
      if (unreadable.length) console.error(`gankit: left out ${unreadable.length} unreadable run folder${unreadable.length === 1 ? '' : 's'}:\n${unreadable.map((u) => `  ${u.path}: ${u.reason}`).join('\n')}`);
    }
    const str = (k: string) => (typeof values[k] === 'string' ? (values[k] as string) : undefined);
    runsTable(db.list({ loss: str('loss'), data: str('data'), status: str('status'), experiment: str('experiment') }), Boolean(values.json));
  } finally {
    db.close();
  }
  return 0;
}

