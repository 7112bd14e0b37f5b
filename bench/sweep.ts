/**
 * Sweep throughput (not a test): the same grid of 2-D trials through a Redis queue (a redis-server
 * of its own on 127.0.0.1) with 1 and with 2 workers, and on the local pool, in trials per minute.
 * Needs Debian's redis-server.
 *
 *   npm run bench:sweep -- [--steps 500] [--grid 'loss=ns,hinge,lsgan,wgan-gp;seed=1,2']
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createServer } from 'node:net';

const { values } = parseArgs({ options: { steps: { type: 'string', default: '500' }, grid: { type: 'string', default: 'loss=ns,hinge,lsgan,wgan-gp;seed=1,2' } } });
const BIN = fileURLToPath(new URL('../src/cli/bin.js', import.meta.url));
const root = mkdtempSync(join(tmpdir(), 'gankit-bench-sweep-'));
const base = join(root, 'base.json');
writeFileSync(base, JSON.stringify({ steps: Number(values.steps), data: { name: 'ring8' } }));

const port = await new Promise<number>((resolve) => {
  const s = createServer().listen(0, '127.0.0.1', () => {
    const p = (s.address() as { port: number }).port;
    s.close(() => resolve(p));
  });
});
const redis = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
await new Promise((r) => setTimeout(r, 500));
const url = `redis://127.0.0.1:${port}`;

function sweep(label: string, extra: string[]): { trials: number; seconds: number } {
  const started = Date.now();
  const r = spawnSync(process.execPath, [BIN, 'sweep', '--config', base, '--grid', values.grid!, '--out', join(root, label), ...extra], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${label}: ${r.stderr}`);
  const trials = Number(r.stdout.match(/(\d+) of \d+ trials done/)![1]);
  return { trials, seconds: (Date.now() - started) / 1000 };
}

const rows: string[] = [];
try {
  for (const workers of [1, 2]) {
    const procs = Array.from({ length: workers }, () => spawn(process.execPath, [BIN, 'worker', '--queue', url], { stdio: 'ignore' }));
    await new Promise((r) => setTimeout(r, 1500)); // the workers connect
    const { trials, seconds } = sweep(`queue-${workers}`, ['--queue', url]);
    procs.forEach((p) => p.kill('SIGTERM'));
    await Promise.all(procs.map((p) => new Promise((r) => p.on('exit', r))));
    rows.push(`| queue, ${workers} worker${workers === 1 ? '' : 's'} | ${trials} | ${seconds.toFixed(1)} | ${((60 * trials) / seconds).toFixed(1)} |`);
  }
  const { trials, seconds } = sweep('local', ['--jobs', '2']);
  rows.push(`| local pool, 2 processes | ${trials} | ${seconds.toFixed(1)} | ${((60 * trials) / seconds).toFixed(1)} |`);
} finally {
  redis.kill('SIGKILL');
}
console.log(
  [
    `| executor | trials | wall s | trials / minute |`,
    `|---|---|---|---|`,
    ...rows,
    ``,
    `Grid '${values.grid}', ${values.steps} steps each on ring8 (the 2-D defaults: MLP 3×64, batch 256, one wasm thread per trial); ${cpus().length} cores (${cpus()[0]?.model ?? '?'}); Redis 127.0.0.1.`,
  ].join('\n'),
);
