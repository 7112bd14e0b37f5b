/** `gankit study wasserstein`, `gankit runs`, `gankit compare`: studies and the runs database. */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { cpus } from 'node:os';
import { parse, num, UsageError } from './args.js';
import { initEngine } from '../engine/index.js';
import { runWassersteinStudy } from '../study/wasserstein.js';
import { RunsDb, readRunFolder, RunRow } from '../study/db.js';
import { InputError } from '../errors.js';

export const STUDY_HELP = `Usage: gankit study wasserstein [--quick] [--jobs N] [--seeds N] [--out DIR] [--fashion FILE]

Measures each claim made for the Wasserstein loss (stability, mode collapse, gradients,
robustness, image quality, efficiency, a meaningful loss, a better generator) against ns,
minimax, lsgan, dragan and hinge, and gives each a verdict: holds / does not hold / mixed.
Every trial is a normal run folder (DIR/runs/…), run by --jobs worker processes and indexed in
DIR/runs.sqlite; a re-run reuses finished trials. Writes DIR/report.html (self-contained),
DIR/report.md, DIR/results.json.

  --quick        2 seeds, 300 steps, 2 random configurations: a few minutes on 2 cores
  --jobs N       worker processes (default: the number of cores)
  --seeds N      seeds per (loss, dataset) (default 5; --quick 2)
  --out DIR      default study-wasserstein
  --fashion FILE results.json of 'npm run bench:fashion' for the image-quality row`;

export const RUNS_HELP = `Usage: gankit runs [--db FILE] [--rebuild DIR…] [--loss L] [--data D] [--status S] [--experiment E] [--json]

Lists the runs in a runs database (default runs.sqlite), filtered. --rebuild recreates the
database from every run folder under the given folders (the folders are the truth).`;

export const COMPARE_HELP = `Usage: gankit compare RUN_DIR… [--json]

Tabulates the runs side by side: loss, data, seed, steps, status, time and final metrics.`;

const cell = (v: unknown) => (typeof v === 'number' ? (Number.isInteger(v) ? String(v) : v.toFixed(4)) : v === null || v === undefined ? '–' : String(v));

function table(rows: RunRow[], json: boolean): void {
  if (json) {
    console.log(JSON.stringify(rows, null, 2));
    return;
  }
  const keys = [...new Set(rows.flatMap((r) => Object.keys(r.final ?? {})))].filter((k) => ['modesCovered', 'highQualityShare', 'slicedWasserstein', 'fid', 'kid', 'precision', 'recall', 'conditionalAccuracy'].includes(k));
  const header = ['run', 'loss', 'data', 'seed', 'steps', 'status', 'seconds', ...keys];
  const body = rows.map((r) => [r.path, r.variant ?? r.loss, r.data, String(r.seed), String(r.steps), r.status, cell(r.elapsed), ...keys.map((k) => cell(r.final?.[k]))]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join('  ');
  console.log(line(header));
  for (const b of body) console.log(line(b));
  console.log(`${rows.length} run${rows.length === 1 ? '' : 's'}`);
}

export async function study(argv: string[]): Promise<number> {
  const [what, ...rest] = argv;
  const values = parse(rest, { quick: { type: 'boolean' }, jobs: { type: 'string' }, seeds: { type: 'string' }, out: { type: 'string' }, fashion: { type: 'string' } });
  if (values.help || what === undefined || what === '--help' || what === '-h') {
    console.log(STUDY_HELP);
    return 0;
  }
  if (what !== 'wasserstein') throw new UsageError(`unknown study '${what}' (wasserstein)`);
  const jobs = num(values, 'jobs', true) ?? Math.max(1, cpus().length);
  const seeds = num(values, 'seeds', true);
  if (jobs < 1) throw new InputError(`--jobs: must be a positive integer, got ${jobs}`);
  if (seeds !== undefined && seeds < 1) throw new InputError(`--seeds: must be a positive integer, got ${seeds}`);
  if (typeof values.fashion === 'string' && !existsSync(values.fashion)) throw new InputError(`--fashion: ${values.fashion}: no such file (run npm run bench:fashion first)`);
  await initEngine({ workload: 'toy' });
  const out = resolve(typeof values.out === 'string' ? values.out : 'study-wasserstein');
  const result = await runWassersteinStudy({
    quick: Boolean(values.quick),
    jobs,
    seeds,
    out,
    fashion: typeof values.fashion === 'string' ? values.fashion : undefined,
    log: (l) => process.stderr.write(l + '\n'),
  });
  for (const v of result.verdicts) console.log(`(${v.id}) ${v.claim}: ${v.verdict.toUpperCase()} — ${v.reason}`);
  console.log(`gankit: study finished in ${result.seconds.toFixed(0)} s → ${join(out, 'report.html')}`);
  return 0;
}

export function runs(argv: string[]): number {
  const values = parse(argv, { db: { type: 'string' }, rebuild: { type: 'string', multiple: true }, loss: { type: 'string' }, data: { type: 'string' }, status: { type: 'string' }, experiment: { type: 'string' }, json: { type: 'boolean' } });
  if (values.help) {
    console.log(RUNS_HELP);
    return 0;
  }
  const file = typeof values.db === 'string' ? values.db : 'runs.sqlite';
  const rebuild = values.rebuild as unknown as string[] | undefined;
  if (!rebuild && !existsSync(file)) throw new InputError(`${file}: no runs database (make one with gankit runs --db ${file} --rebuild RUNS_DIR)`);
  const db = new RunsDb(file);
  try {
    if (rebuild) console.error(`gankit: indexed ${db.rebuild(rebuild)} run folders into ${file}`);
    const str = (k: string) => (typeof values[k] === 'string' ? (values[k] as string) : undefined);
    table(db.list({ loss: str('loss'), data: str('data'), status: str('status'), experiment: str('experiment') }), Boolean(values.json));
  } finally {
    db.close();
  }
  return 0;
}

export function compare(argv: string[]): number {
  const dirs = argv.filter((a) => !a.startsWith('-'));
  const flags = argv.filter((a) => a.startsWith('-'));
  const values = parse(flags, { json: { type: 'boolean' } });
  if (values.help || dirs.length === 0) {
    console.log(COMPARE_HELP);
    return dirs.length === 0 && !values.help ? 2 : 0;
  }
  const rows = dirs.map((d) => {
    const row = readRunFolder(d);
    if (!row) throw new InputError(`${d}: not a gankit run folder (no config.json)`);
    return row;
  });
  table(rows, Boolean(values.json));
  return 0;
}
