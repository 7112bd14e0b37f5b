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
 * The slowest files, slowest first: each file's span in a quiet run on 2 cores (2026-12-05, native
 * pass; the runner prints them after every run). The order barely moves the wall time: the suite
 * is bound by its CPU work (about 24 core-minutes in 14 minutes of wall). webgpu.parity runs
 * SwiftShader on every core: alone at the end it took 191 s, beside another file 284 s.
 */
const LONGEST = [
  'reliability', // 275
  'cli', // 275
  'webgpu.parity', // 191
  'sweep', // 171
  'study', // 107
  'playground', // 103
  'cli.output', // 80
  'images.train', // 75 (91 in the wasm pass)
  'playground.page', // 74
  'readme', // 50
  'inputs', // 48
  'pretrained.cli', // 41
  'export', // 40
  'eval.images', // 28 (20 in the wasm pass)
  'pretrained', // 20 (28 in the wasm pass)
];

/**
 * Not in the wasm pass: the CLI, input, reliability, sweep, study, export, packing, page, README,
 * docs and layout files test the command line, files and processes, not the kernels, and the
 * webgpu parity suite compares webgpu with tfjs-cpu: they ran in the first pass.
 */
const NOT_KERNELS = ['cli', 'cli.output', 'inputs', 'reliability', 'sweep', 'study', 'export', 'pretrained.cli', 'playground', 'playground.page', 'readme', 'docs', 'structure', 'webgpu.parity'];

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

// When each file's process started and last reported (ms from the start), for the summary on
// stderr: where the wall time goes, and how long a slot stood idle.
const t0 = performance.now();
const seen = new Map();
const mark = (event) => {
  const file = event.file;
  if (!file) return;
  const now = performance.now() - t0;
  const span = seen.get(file);
  if (span) span.end = now;
  else seen.set(file, { start: now, end: now });
};

run({ files: ordered.map((n) => join(root, dir, `${n}.test.js`)), concurrency: 2 })
  .on('test:dequeue', mark)
  .on('test:pass', mark)
  .on('test:fail', (event) => {
    mark(event);
    process.exitCode = 1;
  })
  .on('end', () => process.stderr.write(timeline()))
  .compose(process.stdout.isTTY ? spec : tap)
  .pipe(process.stdout);

/** Each file's span, longest first, and the wall time with two, one and no files running. */
function timeline() {
  const spans = [...seen.entries()].map(([file, s]) => ({ name: file.slice(file.lastIndexOf('/') + 1).replace(/\.test\.js$/, ''), ...s }));
  const wall = Math.max(0, ...spans.map((s) => s.end));
  const edges = spans.flatMap((s) => [[s.start, 1], [s.end, -1]]).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const busy = [0, 0, 0];
  let running = 0;
  let last = 0;
  for (const [t, d] of edges) {
    busy[Math.min(running, 2)] += t - last;
    running += d;
    last = t;
  }
  const s = (ms) => `${(ms / 1000).toFixed(0)} s`;
  return (
    `\ntest files (${spans.length}), wall ${s(wall)}: two running ${s(busy[2])}, one ${s(busy[1])}, none ${s(busy[0])}\n` +
    spans
      .sort((a, b) => b.end - b.start - (a.end - a.start))
      .map((f) => `  ${f.name.padEnd(22)} ${s(f.end - f.start).padStart(6)}  (from ${s(f.start)})`)
      .join('\n') +
    '\n'
  );
}
