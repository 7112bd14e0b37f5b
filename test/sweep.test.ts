/**
 * Sweeps: a grid planned into trials with stable ids; the same sweep on a local pool and through a
 * BullMQ queue (a Redis server of the test's own on 127.0.0.1) over two workers gives the same
 * trials bit for bit — also when a worker is SIGKILLed mid-trial and when Redis restarts and
 * forgets the queue; a poison trial fails alone and once; a busy trial folder waits without using
 * an attempt; a failed trial runs again when the sweep is re-run; a password and TLS in the URL; a
 * study through the queue. Each test stops what it started, also when an assertion fails.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Queue, UnrecoverableError, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { ConfigError } from '../src/errors.js';
import { lockFolder } from '../src/io/lock.js';
import { loadCheckpoint } from '../src/runfolder/checkpoint.js';
import { MAX_TRIALS, planSweep, parseGrid } from '../src/sweep/plan.js';
import { BUSY_DELAY_MS, QUEUE_NAME, queueExecutor } from '../src/sweep/queue.js';
import { localExecutor } from '../src/sweep/executor.js';
import type { TrialEvent } from '../src/sweep/executor.js';
import { runWassersteinStudy } from '../src/study/wasserstein.js';
import { RunsDb } from '../src/runfolder/database.js';
import { initEngine } from '../src/index.js';
import { freePort, TestRedis } from './helpers/redis.js';

const BIN = fileURLToPath(new URL('../src/cli/bin.js', import.meta.url));
const tmp = () => mkdtempSync(join(tmpdir(), 'gankit-sweep-'));
const gankit = (args: string[], env: Record<string, string> = {}) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 600_000 });

interface Running {
  child: ChildProcess;
  /** What it wrote to stderr so far. */
  stderr(): string;
  done: Promise<{ code: number | null; stderr: string; stdout: string }>;
}

function gankitAsync(args: string[], env: Record<string, string> = {}): Running {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  let stderr = '';
  let stdout = '';
  child.stderr!.on('data', (d) => (stderr += d));
  child.stdout!.on('data', (d) => (stdout += d));
  return { child, stderr: () => stderr, done: new Promise((resolve) => child.on('close', (code) => resolve({ code, stderr, stdout }))) };
}

/** Kills what is still running of these (SIGKILL): a failed assertion leaves no worker or sweep behind. */
async function killAll(procs: Running[]): Promise<void> {
  const alive = procs.filter((p) => p.child.exitCode === null && p.child.signalCode === null);
  for (const p of alive) p.child.kill('SIGKILL');
  await Promise.all(alive.map((p) => p.done));
}

/** Waits until `ok()` holds, or fails saying `what`. */
async function until(ok: () => boolean, what: string, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The trials a worker logged as started, in order. */
const startedBy = (w: Running) => [...w.stderr().matchAll(/^gankit worker: (.+): started \(attempt \d+\)$/gm)].map((m) => m[1]);

const TINY = {
  batchSize: 32,
  logEvery: 25,
  plotEvery: 1000,
  checkpointEvery: 50,
  evalSamples: 200,
  model: { noiseDim: 2, generator: { depth: 2, width: 16, activation: 'relu', layerNorm: false }, discriminator: { depth: 2, width: 16, activation: 'relu', layerNorm: false } },
};
const GRID = 'loss=ns,hinge,lsgan;seed=1,2';

function baseConfig(steps: number): string {
  const path = join(tmp(), 'base.json');
  writeFileSync(path, JSON.stringify({ ...TINY, steps }));
  return path;
}

/** Each trial's final checkpoint, by folder name, bit for bit. */
function sameTrials(a: string, b: string): void {
  const names = readdirSync(join(a, 'trials')).sort();
  assert.deepEqual(readdirSync(join(b, 'trials')).sort(), names);
  for (const name of names) {
    const [x, y] = [loadCheckpoint<{ step: number }>(join(a, 'trials', name, 'checkpoint.bin')), loadCheckpoint<{ step: number }>(join(b, 'trials', name, 'checkpoint.bin'))];
    assert.equal(y.header.step, x.header.step, name);
    for (const k of Object.keys(x.arrays)) assert.ok(Buffer.from(x.arrays[k].buffer).equals(Buffer.from(y.arrays[k].buffer)), `${name}: ${k} differs`);
  }
}

function startWorkers(url: string, n: number, env: Record<string, string> = {}): Running[] {
  return Array.from({ length: n }, () => gankitAsync(['worker', '--queue', url, '--lock-duration', '2000'], env));
}

async function stopWorkers(workers: Running[]): Promise<void> {
  for (const w of workers) w.child.kill('SIGTERM');
  await Promise.all(workers.map((w) => w.done));
}

describe('sweep plans', () => {
  it('a grid: every combination, flags and config paths, ranges; ids stable, duplicates once', () => {
    const out = tmp();
    const plan = planSweep({ base: { steps: 10 }, grid: 'loss=ns,hinge;seed=1..3;lr=2e-4', out });
    assert.equal(plan.trials.length, 6);
    assert.deepEqual(plan.trials.map((t) => [t.overrides.loss, t.overrides.seed]), [['ns', 1], ['ns', 2], ['ns', 3], ['hinge', 1], ['hinge', 2], ['hinge', 3]]);
    assert.deepEqual((plan.trials[0].overrides as { optimizerD: { lr: number }; optimizerG: { lr: number } }).optimizerG, { lr: 2e-4 }, 'lr sets both optimisers');
    assert.deepEqual(planSweep({ base: { steps: 10 }, grid: 'loss=ns,hinge;seed=1..3;lr=2e-4', out }).trials.map((t) => t.id), plan.trials.map((t) => t.id), 'the same plan twice');
    assert.equal(planSweep({ base: {}, grid: 'seed=1,1;nCritic=1', out }).trials.length, 1, 'a duplicate (nCritic 1 is the preset) runs once');
    assert.notEqual(planSweep({ base: {}, grid: 'seed=1', out: tmp() }).trials[0].id, planSweep({ base: {}, grid: 'seed=1', out }).trials[0].id, 'another folder, another job');
    const bad = planSweep({ base: {}, grid: 'nCritic=0', out }).trials[0];
    assert.match(bad.error!, /^nCritic: must be a positive integer, got 0/);
    assert.throws(() => parseGrid('lr'), /--grid: 'lr': expected KEY=VALUE/);
    assert.throws(() => parseGrid('widht=3'), /'widht' is neither a config field nor a train flag/);
    assert.throws(() => parseGrid('steps=ten'), /--grid: steps: expected an integer, got 'ten'/);
  });

  it('two trials never share a folder: it is named by the full hash, and one holding another trial is refused, not reported as done', async () => {
    const plan = planSweep({ base: { ...TINY, steps: 10 }, grid: 'lr=1e-3,2e-3', out: tmp() });
    for (const t of plan.trials) assert.ok(basename(t.dir).endsWith(`-${t.id.slice(t.id.indexOf('-') + 1)}`), `${t.dir} carries the whole hash of ${t.id}`);
    // As if the second trial's folder name collided with the first's (32 bits of hash made that a
    // 13-second search): the sweep must not take the first trial's result for the second's.
    const [a, b] = plan.trials;
    const events: TrialEvent[] = [];
    await localExecutor(1).run([a, { ...b, dir: a.dir }], (e) => events.push(e));
    const ended = events.filter((e) => e.kind === 'done' || e.kind === 'failed');
    assert.deepEqual(ended.map((e) => [e.trial.id, e.kind]), [[a.id, 'done'], [b.id, 'failed']]);
    assert.match((ended[1] as { error: string }).error, /: holds another trial's run \(optimizerD\.lr: 0\.001 there, 0\.002 in this trial; optimizerG\.lr: /);
  });

  it('a grid that plans nothing sensible is refused in one line: no KEY=VALUE, one field twice, more trials than the bound', () => {
    const out = tmp();
    const refused = (grid: string, message: RegExp, random?: number) =>
      assert.throws(() => planSweep({ base: {}, grid, out, ...(random ? { random: { count: random, space: {}, seed: 1 } } : {}) }), (e: unknown) => e instanceof ConfigError && message.test(e.message), grid);
    refused(';;;', /^--grid: ';;;' has no KEY=VALUE part$/);
    refused('loss=ns;loss=hinge', /^--grid: loss is given twice \(one list per key: loss=A,B\)$/);
    refused('lr=1e-3;optimizerD.lr=2e-3', /^--grid: lr and optimizerD\.lr both set optimizerD\.lr$/);
    refused('seed=0..9999;nCritic=1..1000', new RegExp(`^--grid: 10000000 trials \\(10000 × 1000\\); a sweep has at most ${MAX_TRIALS}$`));
    refused('seed=0..999', new RegExp(`^--grid: 200000 trials \\(1000 × 200\\); a sweep has at most ${MAX_TRIALS}$`), 200);
    assert.equal(planSweep({ base: {}, grid: 'seed=1,2;lr=1e-3', out }).trials.length, 2, 'distinct keys still combine');
  });

  it('a switch takes true or false and nothing else; a csv:/folder: path is made absolute for the workers', () => {
    assert.deepEqual(parseGrid('infogan=true,false')[0].values, [{ infogan: {} }, { infogan: null }]);
    assert.throws(() => parseGrid('infogan=yes'), (e) => e instanceof ConfigError && e.message === "--grid: infogan: 'infogan' is a switch: expected true or false, got 'yes'");
    assert.throws(() => parseGrid('skip-unreadable=1'), /'skip-unreadable' is a switch: expected true or false, got '1'/);
    const [trial] = planSweep({ base: { data: { name: 'csv:points.csv' } }, grid: 'seed=1', out: tmp() }).trials;
    assert.equal((trial.overrides.data as { name: string }).name, `csv:${resolve('points.csv')}`);
    assert.match(trial.name, /-csv_points\.csv-s1/, 'named as asked, not by the absolute path');
    assert.equal((planSweep({ base: { data: { name: 'csv:/abs/p.csv' } }, grid: 'seed=1', out: tmp() }).trials[0].overrides.data as { name: string }).name, 'csv:/abs/p.csv');
  });

  it('random draws from a space, seeded, combined with a grid', () => {
    const space = { 'optimizerD.lr': { logUniform: [1e-5, 1e-2] }, nCritic: { int: [1, 5] }, 'model.discriminator.width': { choice: [32, 64] } };
    const plan = planSweep({ base: {}, grid: 'seed=1,2', random: { count: 3, space, seed: 7 }, out: tmp() });
    assert.equal(plan.trials.length, 6);
    for (const t of plan.trials) {
      const o = t.overrides as { optimizerD: { lr: number }; nCritic: number; model: { discriminator: { width: number } } };
      assert.ok(o.optimizerD.lr >= 1e-5 && o.optimizerD.lr <= 1e-2 && Number.isInteger(o.nCritic) && o.nCritic >= 1 && o.nCritic <= 5 && [32, 64].includes(o.model.discriminator.width), JSON.stringify(o));
    }
    assert.deepEqual(planSweep({ base: {}, grid: 'seed=1,2', random: { count: 3, space, seed: 7 }, out: plan.out }).trials.map((t) => t.overrides), plan.trials.map((t) => t.overrides));
    assert.throws(() => planSweep({ base: {}, random: { count: 2, space: { nCritic: { between: [1, 2] } }, seed: 1 }, out: tmp() }), /--space: nCritic: expected one of choice/);
  });
});

describe('sweeps', () => {
  let redis: TestRedis;
  let local = '';
  before(async () => {
    await initEngine();
    redis = await TestRedis.start();
  });
  after(() => redis.down());

  it('a local sweep: six trials, indexed; a re-run runs nothing again', () => {
    local = join(tmp(), 'local');
    const config = baseConfig(300);
    const r = gankit(['sweep', '--config', config, '--grid', GRID, '--out', local, '--jobs', '2']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /6 of 6 trials done/);
    const db = new RunsDb(join(local, 'runs.sqlite'));
    assert.equal(db.list({ status: 'finished' }).length, 6);
    db.close();
    const again = gankit(['sweep', '--config', config, '--grid', GRID, '--out', local, '--jobs', '2']);
    assert.equal(again.status, 0, again.stderr);
    assert.doesNotMatch(again.stderr, /started/, 'nothing is run twice');
    const status = gankit(['sweep', 'status', '--out', local]);
    assert.match(status.stdout, /6 done, 0 running, 0 failed, 0 waiting of 6/);
    const other = gankit(['sweep', '--config', config, '--grid', 'seed=5', '--out', local]);
    assert.equal(other.status, 2);
    assert.match(other.stderr, /holds another sweep \(6 trials\)/);
  });

  it('a stopped trial is resumed by the re-run on the compute it recorded, whatever this environment sets: bit-identical to the uninterrupted one', () => {
    const sweep = (out: string, env: Record<string, string>) => gankit(['sweep', '--config', baseConfig(300), '--grid', 'loss=ns;seed=1', '--out', out, '--jobs', '1'], env);
    const out = join(tmp(), 'stopped');
    const first = sweep(out, { GANKIT_FAULT: 'checkpoint.bin:3:100:enospc' });
    assert.equal(first.status, 3, first.stderr);
    const [name] = readdirSync(join(out, 'trials'));
    const dir = join(out, 'trials', name);
    const step = loadCheckpoint<{ step: number }>(join(dir, 'checkpoint.bin')).header.step;
    assert.ok(step > 0 && step < 300, `stopped part-way (step ${step})`);
    const recorded = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')).compute;
    const other = { GANKIT_NATIVE: recorded.native ? 'off' : 'on', GANKIT_THREADS: '2' };
    const again = sweep(out, other);
    assert.equal(again.status, 0, again.stderr);
    assert.deepEqual(JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')).compute, recorded);
    const [whole, resumed] = [loadCheckpoint<{ step: number }>(join(local, 'trials', name, 'checkpoint.bin')), loadCheckpoint<{ step: number }>(join(dir, 'checkpoint.bin'))];
    assert.equal(resumed.header.step, 300);
    for (const k of Object.keys(whole.arrays)) assert.ok(Buffer.from(whole.arrays[k].buffer).equals(Buffer.from(resumed.arrays[k].buffer)), `${k} differs from the uninterrupted trial`);
    // Those settings do change the numbers of a trial that starts under them.
    const fresh = join(tmp(), 'fresh');
    assert.equal(sweep(fresh, other).status, 0);
    const elsewhere = loadCheckpoint<{ step: number }>(join(fresh, 'trials', name, 'checkpoint.bin'));
    assert.ok(Object.keys(whole.arrays).some((k) => !Buffer.from(whole.arrays[k].buffer).equals(Buffer.from(elsewhere.arrays[k].buffer))), 'the other settings gave the same weights');
  });

  it('a second sweep into a folder a sweep is running gets one line and exit 2, and leaves its status alone; a password in a bad URL is never printed', async () => {
    const out = join(tmp(), 'busy');
    const args = ['sweep', '--config', baseConfig(3000), '--grid', 'seed=1,2', '--out', out, '--jobs', '1'];
    const first = gankitAsync(args);
    try {
      await until(() => existsSync(join(out, '.lock')), 'the first sweep holds its folder');
      const second = gankit(args);
      assert.equal(second.status, 2, second.stderr);
      assert.match(second.stderr.trim(), new RegExp(`^gankit: error: .*busy: in use by gankit sweep \\(pid ${first.child.pid} on .*\\); a second writer would corrupt it`));
      assert.doesNotMatch(readFileSync(join(out, 'status.json'), 'utf8'), /failed/);
    } finally {
      await killAll([first]);
    }
    for (const url of ['http://user:s3cret@127.0.0.1:6379', 'redis://user:s3cret@[::1']) {
      const r = gankit(['sweep', '--config', baseConfig(10), '--grid', 'seed=1', '--out', join(tmp(), 'x'), '--queue', url]);
      assert.equal(r.status, 2, r.stderr);
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
      assert.doesNotMatch(r.stderr + r.stdout, /s3cret/, url);
    }
  });

  it('a worker runs only the jobs a sweep or study lists, into the folders it lists', async () => {
    const connection = new Redis(redis.url, { maxRetriesPerRequest: null });
    const queue = new Queue(QUEUE_NAME, { connection });
    const outside = join(tmp(), 'anywhere', 'trials', 'x');
    const worker = startWorkers(redis.url, 1)[0];
    try {
      await queue.add('intruder', { overrides: { ...TINY, steps: 5 }, dir: outside, name: 'intruder' }, { jobId: 'intruder-1', attempts: 3 });
      await until(() => /intruder: failed/.test(worker.stderr()), 'the worker refuses the job');
      const job = await queue.getJob('intruder-1');
      assert.equal(await job!.getState(), 'failed');
      assert.equal(job!.attemptsMade, 1, 'refused once, not retried');
      assert.match(job!.failedReason, /x: not run: no sweep or study queued it \(.*sweep\.json is missing or unreadable\)/);
      assert.ok(!existsSync(outside), 'nothing written');
    } finally {
      await killAll([worker]);
      await (await queue.getJob('intruder-1'))?.remove();
      await queue.close();
      connection.disconnect();
    }
  });

  it('through the queue over two workers, one SIGKILLed mid-trial: the other takes its trial up, all six finish, each identical to the local run', async () => {
    const out = join(tmp(), 'queued');
    const workers = startWorkers(redis.url, 2);
    const sweep = gankitAsync(['sweep', '--config', baseConfig(300), '--grid', GRID, '--out', out, '--queue', redis.url]);
    try {
      // Once both workers run a trial that has logged a row, kill the first: its trial stops mid-way.
      const running = () =>
        (existsSync(join(out, 'trials')) ? readdirSync(join(out, 'trials')) : []).filter((t) => existsSync(join(out, 'trials', t, 'metrics.jsonl')) && existsSync(join(out, 'trials', t, '.lock')) && !existsSync(join(out, 'trials', t, 'summary.json')));
      await until(() => running().length === 2, 'both workers running a trial');
      const killed = startedBy(workers[0]).pop();
      assert.ok(killed && running().some((t) => t.startsWith(`${killed}-`)), `the first worker runs ${killed}`);
      workers[0].child.kill('SIGKILL');
      const r = await sweep.done;
      await stopWorkers(workers.slice(1));
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /6 of 6 trials done/);
      assert.ok(startedBy(workers[1]).includes(killed), `the surviving worker started ${killed} again (a new attempt, resuming its folder)`);
      sameTrials(local, out);
    } finally {
      await killAll([sweep, ...workers]);
    }
  });

  it('a poison trial fails alone and once, with its error in the status', async () => {
    const out = join(tmp(), 'poison');
    const workers = startWorkers(redis.url, 2);
    try {
      const r = gankit(['sweep', '--config', baseConfig(50), '--grid', 'loss=ns;seed=1,2;nCritic=1,0', '--out', out, '--queue', redis.url]);
      await stopWorkers(workers);
      const logs = (await Promise.all(workers.map((w) => w.done))).map((w) => w.stderr).join('');
      assert.equal(r.status, 3, r.stderr);
      assert.match(r.stdout, /2 of 4 trials done/);
      assert.match(r.stdout, /failed: ns-ring8-s1-invalid nCritic=0: nCritic: must be a positive integer, got 0/);
      assert.equal((logs.match(/nCritic=0: failed/g) ?? []).length, 2, 'each poison trial fails once, not retried');
      const status = JSON.parse(gankit(['sweep', 'status', '--out', out, '--queue', redis.url, '--json']).stdout);
      assert.deepEqual([status.done, status.failed, status.waiting], [2, 2, 0]);
      assert.ok(status.trials.filter((t: { state: string }) => t.state === 'failed').every((t: { error: string }) => /nCritic: must be a positive integer/.test(t.error)));
    } finally {
      await killAll(workers);
    }
  });

  it('a busy trial folder waits without using an attempt, shown with its live holder, and runs once free', async () => {
    const out = join(tmp(), 'busy');
    const config = baseConfig(30);
    const [trial] = planSweep({ base: JSON.parse(readFileSync(config, 'utf8')), grid: 'seed=1', out }).trials;
    mkdirSync(trial.dir, { recursive: true });
    const lock = lockFolder(trial.dir, 'a test holding the folder');
    const workers = startWorkers(redis.url, 1);
    const sweep = gankitAsync(['sweep', '--config', config, '--grid', 'seed=1', '--out', out, '--queue', redis.url]);
    const connection = new Redis(redis.url, { maxRetriesPerRequest: null });
    const queue = new Queue(QUEUE_NAME, { connection });
    try {
      await until(() => /its folder is in use by a test holding the folder/.test(workers[0].stderr()), 'the worker finding the folder busy');
      // Failures would have used three attempts by now (2 s and 4 s of back-off); a busy folder uses none.
      await new Promise((r) => setTimeout(r, 2 * BUSY_DELAY_MS + 1000));
      const job = await queue.getJob(trial.id);
      assert.equal(job?.attemptsMade, 0);
      assert.notEqual(await job!.getState(), 'failed');
      const status = JSON.parse(gankit(['sweep', 'status', '--out', out, '--queue', redis.url, '--json']).stdout);
      assert.equal(status.trials[0].state, 'running');
      assert.deepEqual([status.trials[0].lock.alive, status.trials[0].lock.holder.pid], [true, process.pid]);
      assert.match(gankit(['sweep', 'status', '--out', out]).stdout, new RegExp(`running +${trial.name} \\[held by pid ${process.pid} on .+, alive\\]`));
      lock.release();
      const r = await sweep.done;
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /1 of 1 trials done/);
      assert.doesNotMatch(workers[0].stderr(), /failed/);
    } finally {
      lock.release();
      await queue.close();
      connection.disconnect();
      await killAll([sweep, ...workers]);
    }
  });

  it('a trial that failed in an earlier run of the sweep runs again when the sweep is re-run', async () => {
    const out = join(tmp(), 'rerun');
    const args = ['sweep', '--config', baseConfig(30), '--grid', 'seed=1', '--out', out, '--queue', redis.url];
    const connection = new Redis(redis.url, { maxRetriesPerRequest: null });
    // A worker of the test's own fails the job for good, as a trial crashing on every attempt would.
    const failing = new Worker(QUEUE_NAME, async () => { throw new UnrecoverableError('a crash'); }, { connection });
    const procs: Running[] = [];
    try {
      procs.push(gankitAsync(args));
      const first = await procs[0].done;
      assert.equal(first.code, 3, first.stderr);
      assert.match(first.stdout, /failed: .*: a crash/);
      await failing.close();
      procs.push(...startWorkers(redis.url, 1), gankitAsync(args));
      const again = await procs[2].done;
      assert.equal(again.code, 0, again.stderr);
      assert.match(again.stderr, /failed before \(a crash\): retried/);
      assert.match(again.stdout, /1 of 1 trials done/);
      const db = new RunsDb(join(out, 'runs.sqlite'));
      assert.equal(db.list({ status: 'finished' }).length, 1, 'indexed as it finished');
      db.close();
    } finally {
      await failing.close();
      connection.disconnect();
      await killAll(procs);
    }
  });

  it('Redis restarted mid-sweep (forgetting the queue): the sweep re-adds the jobs and still completes, trial by trial as the local run', async () => {
    const own = await TestRedis.start();
    const out = join(tmp(), 'restart');
    const workers = startWorkers(own.url, 2);
    const sweep = gankitAsync(['sweep', '--config', baseConfig(300), '--grid', GRID, '--out', out, '--queue', own.url]);
    try {
      await until(() => existsSync(join(out, 'trials')) && readdirSync(join(out, 'trials')).some((t) => existsSync(join(out, 'trials', t, 'summary.json'))), 'a first trial done');
      await own.down();
      await new Promise((r) => setTimeout(r, 1000));
      await own.up();
      const r = await sweep.done;
      await stopWorkers(workers);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stderr, /: re-added \(the queue had forgotten it\)/, 'the sweep re-added a forgotten job');
      assert.match(r.stdout, /6 of 6 trials done/);
      sameTrials(local, out);
    } finally {
      await killAll([sweep, ...workers]);
      await own.down();
    }
  });

  it('a password and TLS through the URL (rediss://, the CA through NODE_EXTRA_CA_CERTS); a wrong one is one line', async () => {
    const dir = tmp();
    const made = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '2', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { encoding: 'utf8' });
    assert.equal(made.status, 0, made.stderr);
    const secure = await TestRedis.start(['--requirepass', 's3cret'], (port) => `redis://:s3cret@127.0.0.1:${port}`);
    const port = await freePort();
    const cert = join(dir, 'cert.pem');
    const tls = new TestRedis(port, ['--port', '0', '--tls-port', String(port), '--tls-cert-file', cert, '--tls-key-file', join(dir, 'key.pem'), '--tls-ca-cert-file', cert, '--tls-auth-clients', 'no'], `rediss://127.0.0.1:${port}`, { ca: readFileSync(cert) });
    const ca = { NODE_EXTRA_CA_CERTS: cert };
    const started: Running[] = [];
    try {
      await tls.up();
      for (const [server, env] of [[secure, {}], [tls, ca]] as const) {
        const out = join(tmp(), 'secure');
        const workers = startWorkers(server.url, 1, env);
        started.push(...workers);
        const r = gankit(['sweep', '--config', baseConfig(30), '--grid', 'loss=ns,hinge', '--out', out, '--queue', server.url], env);
        await stopWorkers(workers);
        assert.equal(r.status, 0, `${server.url}: ${r.stderr}`);
        assert.match(r.stdout, /2 of 2 trials done/);
      }
      const wrong = gankit(['sweep', '--config', baseConfig(30), '--grid', 'seed=1', '--out', join(tmp(), 'x'), '--queue', `redis://:nope@127.0.0.1:${secure.port}`]);
      assert.equal(wrong.status, 2, wrong.stderr);
      assert.match(wrong.stderr.trim(), /^gankit: error: --queue: cannot reach redis:\/\/:\*\*\*@127\.0\.0\.1:\d+ \(WRONGPASS/);
    } finally {
      await killAll(started);
      await secure.down();
      await tls.down();
    }
  });

  it('the Wasserstein study through the queue', async () => {
    const out = join(tmp(), 'study');
    const workers = startWorkers(redis.url, 2);
    const executor = queueExecutor(redis.url);
    try {
      const result = await runWassersteinStudy({ quick: true, jobs: 2, out, executor, settings: { seeds: 1, steps: 30, robustnessConfigs: 1, robustnessSteps: 30, gradientSteps: 30, arms: ['ns', 'wgan-gp'], robustnessArms: ['ns', 'wgan-gp'], stress: null } });
      assert.equal(result.claims.length, 10);
      await stopWorkers(workers);
    } finally {
      await executor.close();
      await killAll(workers);
    }
    const db = new RunsDb(join(out, 'runs.sqlite'));
    assert.equal(db.list({ study: 'wasserstein' }).length, 2 * 2 + 2 * 2, 'modes (2 arms × 2 datasets) and robustness (2 arms × 2 datasets) trials, all through the queue');
    db.close();
    assert.ok(readdirSync(join(out, 'runs')).filter((d) => !d.endsWith('.json')).every((d) => existsSync(join(out, 'runs', d, 'summary.json'))), basename(out));
    assert.ok(readFileSync(join(out, 'report.md'), 'utf8').includes('What the Wasserstein loss really does'));
  });
});
