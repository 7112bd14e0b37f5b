// The test passes of `npm test`, two files at a time (the suite's budget is 2 cores):
//   node scripts/test.mjs native   every file, with gankit's native BLAS kernels on
//   node scripts/test.mjs wasm     the files that compute, on the wasm kernels only
// Files start longest first (the order below, measured on 2 cores), then the rest alphabetically:
// taken alphabetically, a 2–4-minute file could start last and run alone while the other core idles.
// (`node --test FILES` sorts the files it is given; the run() API keeps their order.)
// A file missing from the list only loses its place; a listed name that is gone is an error.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { run } from 'node:test';
import { spec, tap } from 'node:test/reporters';

const root = join(fileURLToPath(import.meta.url), '..', '..');
const dir = join('dist', 'test');

/**
 * Files at once. The suite is bound by its CPU work (about 18 core-minutes in 11 minutes of wall
 * on 2 cores, 2026-12-05): three at once gave the native pass 696 s against 685 s with two (one
 * quiet run each, before the last cuts), so the waits of some files (a browser, Redis, a delay) are
 * not worth the contention. GANKIT_TEST_JOBS overrides it (a machine with more cores).
 */
const JOBS = 2;

/**
 * The slowest files, slowest first, from quiet native passes on 2 cores (2026-12-05): the time in
 * each file's tests as the runner prints it (two passes, 555 s and 592 s; the order was set from
 * earlier passes and still packs the two slots evenly). webgpu.parity does its work at the file's
 * top level (a worker process and a page on SwiftShader, ~206 s together), so its tests show ~0 s;
 * it starts first. SwiftShader runs on every core, so the file beside it slows down.
 */
const LONGEST = [
  'webgpu.parity', // ~206 (worker + page)
  'sweep', // 125–141
  'cli', // 142
  'reliability', // 89–98
  'study', // 89–91
  'playground', // 89–93
  'images.train', // 48–49 (38 in the wasm pass)
  'playground.page', // 70–78
  'cli.output', // 50–53
  'export', // 21–25
  'readme', // 24–27
  'pretrained.cli', // 24–30
  'pretrained', // 15–16 (24 in the wasm pass)
  'eval.images', // 12–14 (13 in the wasm pass)
  'inputs', // 13
];

/**
 * Not in the wasm pass: the CLI, input, reliability, sweep, study, export, packing, page, README,
 * docs and layout files test the command line, files and processes, not the kernels; the webgpu
 * parity suite compares webgpu with tfjs-cpu; eval.plan tests which KID plan the evaluator picks
 * (KID's kernels are tested in metrics.images): they ran in the first pass.
 */
const NOT_KERNELS = ['eval.plan', 'cli', 'cli.output', 'inputs', 'reliability', 'sweep', 'study', 'export', 'pretrained.cli', 'playground', 'playground.page', 'readme', 'docs', 'structure', 'webgpu.parity'];

const PASSES = {
  native: {
    say: 'gankit tests: native BLAS kernels on',
    env: { GANKIT_NATIVE: 'on' },
    skip: [],
  },
  wasm: {
    say:
      'gankit tests: wasm kernels only (GANKIT_NATIVE=off): the files that compute (engine, losses, models, ' +
      'training 2-D and images with their bit-identical resumes, metrics, the shipped models scored on these kernels); ' +
      'the others test the command line, files and processes, not the kernels: they ran in the first pass',
    env: { GANKIT_NATIVE: 'off' },
    skip: NOT_KERNELS,
  },
};

const pass = PASSES[process.argv[2]];
if (!pass) {
  console.error(`usage: node scripts/test.mjs ${Object.keys(PASSES).join('|')}`);
  process.exit(2);
}
const names = readdirSync(join(root, dir))
  .filter((f) => f.endsWith('.test.js'))
  .map((f) => f.slice(0, -'.test.js'.length))
  .sort();
for (const n of [...LONGEST, ...NOT_KERNELS]) {
  if (!existsSync(join(root, dir, `${n}.test.js`))) {
    console.error(`scripts/test.mjs names ${n}.test.js, which ${dir} does not hold (a test file renamed or removed?)`);
    process.exit(2);
  }
}
const chosen = names.filter((n) => !pass.skip.includes(n));
const ordered = [...LONGEST.filter((n) => chosen.includes(n)), ...chosen.filter((n) => !LONGEST.includes(n))];
console.log(pass.say);
Object.assign(process.env, { GANKIT_THREADS: '1' }, pass.env);

// For the summary on stderr: when each file's process started (its dequeue, which arrives at
// once) and how long its tests ran by its own clock (the top-level tests' durations; work at a
// file's top level, such as webgpu.parity's worker, is not in them). When results arrive says
// little: run() reports files in order, so a file that ends early is reported late.
const t0 = performance.now();
const files = new Map();
const entry = (file) => files.get(file) ?? files.set(file, { start: null, ms: 0 }).get(file);
const started = (event) => {
  if (event.file && event.name === event.file && entry(event.file).start === null) entry(event.file).start = performance.now() - t0;
};
const mark = (event) => {
  if (!event.file || event.nesting !== 0 || event.name === event.file) return;
  entry(event.file).ms += event.details?.duration_ms ?? 0;
};

// Files at once: GANKIT_TEST_JOBS, else JOBS (see there).
const jobs = Number(process.env.GANKIT_TEST_JOBS ?? JOBS);
if (!Number.isInteger(jobs) || jobs < 1) {
  console.error(`GANKIT_TEST_JOBS: expected a positive integer, got '${process.env.GANKIT_TEST_JOBS}'`);
  process.exit(2);
}
run({ files: ordered.map((n) => join(root, dir, `${n}.test.js`)), concurrency: jobs })
  .on('test:dequeue', started)
  .on('test:pass', mark)
  .on('test:fail', (event) => {
    mark(event);
    process.exitCode = 1;
  })
  .on('end', () => process.stderr.write(timeline()))
  .compose(process.stdout.isTTY ? spec : tap)
  .pipe(process.stdout);

/** The wall time, and each file's time in its tests (longest first) and when it started. */
function timeline() {
  const s = (ms) => `${(ms / 1000).toFixed(0)} s`;
  const rows = [...files.entries()].map(([file, f]) => ({ name: file.slice(file.lastIndexOf('/') + 1).replace(/\.test\.js$/, ''), ...f })).sort((a, b) => b.ms - a.ms);
  return (
    `\ntest files (${rows.length}, ${jobs} at once): wall ${s(performance.now() - t0)}; time in each file's tests by its own clock (top-level work not counted), and when its process started:\n` +
    rows.map((f) => `  ${f.name.padEnd(22)} ${s(f.ms).padStart(6)}  (from ${f.start === null ? '?' : s(f.start)})`).join('\n') +
    '\n'
  );
}
