/**
 * The gankit command line, run as a user runs it (a child process on dist/src/cli/bin.js):
 * help, the losses table, one-line errors with exit code 2 and no run folder, SIGKILL + resume
 * equality, divergence exit code 3, sample as CSV and PNG.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { PNG } from 'pngjs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadCheckpoint } from '../src/runfolder/checkpoint.js';
import { LOSS_NAMES, VARIANT_NAMES } from '../src/losses/registry.js';
import { COMMANDS } from '../src/cli/commands/index.js';
import { tempName } from '../src/io/atomic.js';
import { lockFolder } from '../src/io/lock.js';

const BIN = fileURLToPath(new URL('../src/cli/bin.js', import.meta.url));
const gankit = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: { ...process.env, GANKIT_BACKEND: 'wasm' } });
const tmp = () => mkdtempSync(join(tmpdir(), 'gankit-cli-'));

const TINY = {
  steps: 40,
  batchSize: 32,
  logEvery: 5,
  plotEvery: 20,
  checkpointEvery: 5,
  evalSamples: 200,
  model: { noiseDim: 2, generator: { depth: 2, width: 16, activation: 'relu', layerNorm: false }, discriminator: { depth: 2, width: 16, activation: 'relu', layerNorm: false } },
};

function tinyConfig(extra: Record<string, unknown> = {}): string {
  const path = join(tmp(), 'run.json');
  writeFileSync(path, JSON.stringify({ ...TINY, ...extra }));
  return path;
}

describe('gankit CLI', () => {
  it('--help for every command, and the losses table', () => {
    for (const cmd of [[], ['--help'], ...COMMANDS.map((c) => [c.name, '--help'])]) {
      const r = gankit(...cmd);
      assert.equal(r.status, 0, `gankit ${cmd.join(' ')}: ${r.stderr}`);
      assert.match(r.stdout, /Usage: gankit/);
    }
    const table = gankit('losses');
    for (const name of [...LOSS_NAMES, ...VARIANT_NAMES]) {
      assert.match(table.stdout, new RegExp(`^${name}\\s`, 'm'), `losses table lacks ${name}`);
    }
    assert.equal(JSON.parse(gankit('losses', '--json').stdout).losses.length, LOSS_NAMES.length);
  });

  const invalid: Array<[string, string[], RegExp]> = [
    ['a dash-led value without =', ['--lr', '-0.001'], /^gankit: error: Option '--lr' argument is ambiguous\..*use '--lr=-XYZ'/],
    ['an unknown loss', ['--loss', 'wgangp'], /^gankit: error: loss: unknown loss 'wgangp'/],
    ['a negative lr', ['--lr=-0.001'], /^gankit: error: optimizerD\.lr: must be a positive number, got -0\.001/],
    ['steps = 0', ['--steps', '0'], /^gankit: error: steps: must be a positive integer, got 0/],
    ['a non-numeric flag', ['--batch', 'lots'], /^gankit: error: --batch: expected an integer, got 'lots'/],
    ['an unknown flag', ['--lerning-rate', '1'], /^gankit: error: Unknown option '--lerning-rate'/],
    ['an unknown dataset', ['--data', 'rings'], /^gankit: error: data\.name: must be one of ring8/],
    ['an unreadable CSV', ['--data', 'csv:/nonexistent/points.csv'], /^gankit: error: \/nonexistent\/points\.csv: cannot read the CSV file \(ENOENT\)/],
  ];
  for (const [what, args, message] of invalid) {
    it(`${what}: one line naming the field or file, exit 2, no run folder`, () => {
      const out = join(tmp(), 'run');
      const r = gankit('train', '--out', out, '--quiet', ...args);
      assert.equal(r.status, 2, r.stderr);
      assert.match(r.stderr, message);
      assert.equal(r.stderr.trim().split('\n').length, 1, `more than one line: ${r.stderr}`);
      assert.ok(!existsSync(out), 'a partial run folder was written');
    });
  }

  it('malformed JSON config and a bad CSV row: one line naming the file, exit 2', () => {
    const dir = tmp();
    const cfg = join(dir, 'bad.json');
    writeFileSync(cfg, '{"steps": 10,');
    let r = gankit('train', '--config', cfg, '--out', join(dir, 'a'), '--quiet');
    assert.equal(r.status, 2);
    assert.match(r.stderr, new RegExp(`^gankit: error: --config: ${cfg.replace(/[.]/g, '\\.')}: malformed JSON`));
    const csv = join(dir, 'p.csv');
    writeFileSync(csv, '0,0\n1,1\n2,two\n');
    r = gankit('train', '--data', `csv:${csv}`, '--out', join(dir, 'b'), '--quiet');
    assert.equal(r.status, 2);
    assert.match(r.stderr, /p\.csv:3: expected two numbers 'x,y', got '2,two'/);
    assert.ok(!existsSync(join(dir, 'a')) && !existsSync(join(dir, 'b')));
  });

  it('--backend webgpu without a Vulkan driver: one line saying so and how to get one, exit 2, nothing written', () => {
    const dir = tmp();
    const r = spawnSync(process.execPath, [BIN, 'train', '--backend', 'webgpu', '--steps', '2', '--out', join(dir, 'run')], {
      encoding: 'utf8',
      env: { ...process.env, VK_DRIVER_FILES: join(dir, 'no-such-icd.json'), LD_LIBRARY_PATH: '/usr/lib/chromium' },
    });
    assert.equal(r.status, 2, r.stderr);
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines.length, 1, r.stderr);
    assert.match(lines[0], /^gankit: error: backend 'webgpu': no (Vulkan (loader|driver)|WebGPU adapter).*install .*SwiftShader/);
    assert.ok(!existsSync(join(dir, 'run')));
  });

  it('a run killed with SIGKILL and resumed ends with the same weights as an uninterrupted run', async () => {
    const cfg = tinyConfig({ loss: 'wgan-gp', nCritic: 2, steps: 400 });
    const whole = join(tmp(), 'whole');
    const killed = join(tmp(), 'killed');
    assert.equal(gankit('train', '--config', cfg, '--out', whole, '--quiet').status, 0);
    const child = spawn(process.execPath, [BIN, 'train', '--config', cfg, '--out', killed, '--quiet'], { stdio: 'ignore' });
    const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
    // Kill once a few checkpoints exist but well before the end.
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      const rows = existsSync(join(killed, 'metrics.jsonl')) ? readFileSync(join(killed, 'metrics.jsonl'), 'utf8').trim().split('\n').filter(Boolean) : [];
      if (rows.length >= 6) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    child.kill('SIGKILL');
    await exited;
    const atKill = loadCheckpoint<{ step: number }>(join(killed, 'checkpoint.bin')).header.step;
    assert.ok(atKill > 0 && atKill < 400, `killed at checkpoint step ${atKill}`);
    const r = gankit('resume', '--run', killed, '--quiet');
    assert.equal(r.status, 0, r.stderr);
    const a = loadCheckpoint<{ step: number }>(join(whole, 'checkpoint.bin'));
    const b = loadCheckpoint<{ step: number }>(join(killed, 'checkpoint.bin'));
    assert.equal(b.header.step, 400);
    for (const k of Object.keys(a.arrays)) assert.deepEqual(Array.from(b.arrays[k]), Array.from(a.arrays[k]), `${k} differs after kill + resume`);
  });

  it('config.json records the compute policy, and a resume under other settings uses it: bit-identical', () => {
    // An image run (products big enough for OpenBLAS to split them over threads).
    const cfg = join(tmp(), 'img.json');
    writeFileSync(cfg, JSON.stringify({ data: { name: 'fashion-mnist' }, loss: 'ns', steps: 4, batchSize: 16, logEvery: 2, plotEvery: 4, checkpointEvery: 2, evalSamples: 100, standingBatches: 4 }));
    const run = (args: string[], env: Record<string, string>) => {
      const r = spawnSync(process.execPath, [BIN, ...args, '--quiet'], { encoding: 'utf8', env: { ...process.env, GANKIT_BACKEND: 'wasm', ...env } });
      assert.equal(r.status, 0, r.stderr);
    };
    const two = { GANKIT_BLAS_THREADS: '2', GANKIT_THREADS: '1' };
    const whole = join(tmp(), 'whole');
    run(['train', '--config', cfg, '--out', whole], two);
    const recorded = JSON.parse(readFileSync(join(whole, 'config.json'), 'utf8')).compute;
    const native = recorded.native as boolean;
    const { kernelSet, blas, ...threads } = recorded;
    assert.deepEqual(threads, native ? { native: true, wasmThreads: 1, blasThreads: 2 } : { native: false, wasmThreads: 1, blasThreads: 1 });
    assert.match(kernelSet, /^k[0-9a-f]{8}$/);
    assert.equal(typeof blas, native ? 'string' : 'undefined');
    const parted = join(tmp(), 'parted');
    run(['train', '--config', cfg, '--out', parted, '--steps', '2'], two);
    // Other settings in the environment: the recorded ones win.
    run(['resume', '--run', parted, '--steps', '4'], { GANKIT_BLAS_THREADS: '1', GANKIT_THREADS: '2', GANKIT_NATIVE: native ? '0' : '1', GANKIT_FUSED: 'off' });
    const a = loadCheckpoint<{ step: number }>(join(whole, 'checkpoint.bin'));
    const b = loadCheckpoint<{ step: number }>(join(parted, 'checkpoint.bin'));
    assert.equal(b.header.step, 4);
    for (const k of Object.keys(a.arrays)) assert.deepEqual(Array.from(b.arrays[k]), Array.from(a.arrays[k]), `${k} differs after a resume under other settings`);
    // And those settings do change the numbers, so the equality above is the recorded policy at work.
    const other = join(tmp(), 'other');
    // (XNNPACK gives the same bits on 1 and 2 threads; BLAS and XNNPACK do not.)
    run(['train', '--config', cfg, '--out', other], { GANKIT_NATIVE: native ? 'off' : 'on' });
    const c = loadCheckpoint<{ step: number }>(join(other, 'checkpoint.bin'));
    assert.ok(Object.keys(a.arrays).some((k) => a.arrays[k].some((v, i) => v !== c.arrays[k][i])), 'the other compute settings gave the same weights');
  });

  it('a run from before kernel sets were recorded resumes on the kernels of that time: bit-identical, and it says so', () => {
    const cfg = join(tmp(), 'img.json');
    writeFileSync(cfg, JSON.stringify({ data: { name: 'fashion-mnist' }, loss: 'ns', steps: 4, batchSize: 16, logEvery: 2, plotEvery: 4, checkpointEvery: 2, evalSamples: 100, standingBatches: 4 }));
    const run = (args: string[], env: Record<string, string> = {}) => {
      const r = spawnSync(process.execPath, [BIN, ...args, '--quiet'], { encoding: 'utf8', env: { ...process.env, GANKIT_BACKEND: 'wasm', GANKIT_BLAS_THREADS: '1', ...env } });
      assert.equal(r.status, 0, r.stderr);
      return r;
    };
    // The kernels before ids: the fused kernels off.
    const whole = join(tmp(), 'whole');
    run(['train', '--config', cfg, '--out', whole], { GANKIT_FUSED: 'off' });
    const old = join(tmp(), 'old');
    run(['train', '--config', cfg, '--out', old, '--steps', '2'], { GANKIT_FUSED: 'off' });
    const configPath = join(old, 'config.json');
    const config = JSON.parse(readFileSync(configPath, 'utf8'));
    delete config.compute.kernelSet;
    delete config.compute.blas;
    writeFileSync(configPath, JSON.stringify(config, null, 2));
    const r = run(['resume', '--run', old, '--steps', '4']);
    const native = config.compute.native as boolean;
    assert.match(r.stderr, /this run records no kernel set \(it started before gankit recorded them\): it continues on the kernels of that time/);
    const a = loadCheckpoint<{ step: number }>(join(whole, 'checkpoint.bin'));
    const b = loadCheckpoint<{ step: number }>(join(old, 'checkpoint.bin'));
    assert.equal(b.header.step, 4);
    for (const k of Object.keys(a.arrays)) assert.deepEqual(Array.from(b.arrays[k]), Array.from(a.arrays[k]), `${k} differs after resuming a run without a kernel set`);
    if (native) {
      // The fused kernels (the default) compute other bits: the equality above is the old kernel set at work.
      const fused = join(tmp(), 'fused');
      run(['train', '--config', cfg, '--out', fused]);
      assert.notEqual(JSON.parse(readFileSync(join(fused, 'config.json'), 'utf8')).compute.kernelSet, JSON.parse(readFileSync(join(whole, 'config.json'), 'utf8')).compute.kernelSet);
      const c = loadCheckpoint<{ step: number }>(join(fused, 'checkpoint.bin'));
      assert.ok(Object.keys(a.arrays).some((k) => a.arrays[k].some((v, i) => v !== c.arrays[k][i])), 'the fused kernels gave the same weights');
    }
  });

  it('sample --out FOLDER: one PNG per sample at the image size, and grid.png; the same seed gives the same files', () => {
    const cfg = join(tmp(), 'img.json');
    writeFileSync(cfg, JSON.stringify({ data: { name: 'fashion-mnist' }, loss: 'ns', steps: 2, batchSize: 16, logEvery: 2, plotEvery: 2, checkpointEvery: 2, evalSamples: 100, standingBatches: 4 }));
    const run = join(tmp(), 'run');
    assert.equal(gankit('train', '--config', cfg, '--out', run, '--quiet').status, 0);
    const folder = join(tmp(), 'samples');
    const r = gankit('sample', '--run', run, '--n', '70', '--out', folder, '--seed', '3');
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /wrote 70 samples to .*samples\/ \(one PNG each, 28×28\)/);
    const files = readdirSync(folder).sort();
    assert.equal(files.length, 71);
    assert.equal(files[0], '000000.png');
    assert.equal(files[69], '000069.png');
    assert.equal(files[70], 'grid.png');
    const one = PNG.sync.read(readFileSync(join(folder, '000005.png')));
    assert.deepEqual([one.width, one.height], [28, 28]);
    const again = join(tmp(), 'again');
    assert.equal(gankit('sample', '--run', run, '--n', '70', '--out', again, '--seed', '3').status, 0);
    for (const f of files) assert.ok(readFileSync(join(folder, f)).equals(readFileSync(join(again, f))), `${f} differs for the same seed`);
    const other = join(tmp(), 'other');
    assert.equal(gankit('sample', '--run', run, '--n', '70', '--out', other, '--seed', '4').status, 0);
    assert.ok(!readFileSync(join(folder, '000000.png')).equals(readFileSync(join(other, '000000.png'))), 'another seed, other samples');
    // Fewer samples over earlier ones replace them all: no stale file is left for eval --images to score.
    assert.equal(gankit('sample', '--run', run, '--n', '20', '--out', again, '--seed', '3').status, 0);
    assert.deepEqual(readdirSync(again).sort(), [...files.slice(0, 20), 'grid.png']);
    // A kill while the next samples are written (at the third PNG) leaves the earlier ones whole;
    // so does one after a kill between the two renames, which left no folder and the earlier one at
    // FOLDER.old.tmp-HOST-PID (planted, a dead writer's name): it is put back first.
    const earlier = Object.fromEntries(readdirSync(again).map((f) => [f, readFileSync(join(again, f))]));
    const orphan = join(dirname(again), tempName('again.old').replace(/-\d+$/, `-${spawnSync('true').pid}`));
    for (const what of ['killed mid-write', 'killed after a kill between the renames']) {
      if (what !== 'killed mid-write') renameSync(again, orphan);
      const killed = spawnSync(process.execPath, [BIN, 'sample', '--run', run, '--n', '5', '--out', again, '--seed', '4'], { encoding: 'utf8', env: { ...process.env, GANKIT_BACKEND: 'wasm', GANKIT_FAULT: '000002.png:1:10:kill' } });
      assert.equal(killed.signal, 'SIGKILL', `${what}: ${killed.stderr}`);
      assert.deepEqual(readdirSync(again).sort(), Object.keys(earlier).sort(), what);
      for (const [f, bytes] of Object.entries(earlier)) assert.ok(readFileSync(join(again, f)).equals(bytes), `${what}: ${f} is the earlier sample's`);
    }
    assert.ok(!existsSync(orphan), 'put back');
    assert.equal(gankit('sample', '--run', run, '--n', '20', '--out', again, '--seed', '3').status, 0);
    assert.deepEqual(readdirSync(dirname(again)).filter((f) => f.includes('.tmp-')), [], 'the killed samples left nothing behind');
    const tooMany = gankit('sample', '--run', run, '--n', '50001', '--out', folder);
    assert.equal(tooMany.status, 2);
    assert.match(tooMany.stderr, /--n: must be at most 50000 for this run \(one PNG each\), got 50001/);
    const grid = gankit('sample', '--run', run, '--n', '9', '--out', join(folder, 'nine.png'));
    assert.equal(grid.status, 0, grid.stderr);
    assert.ok(PNG.sync.read(readFileSync(join(folder, 'nine.png'))).width > 28 * 3, 'a .png path is still one grid');
    const crowded = gankit('sample', '--run', run, '--n', '5', '--out', folder);
    assert.equal(crowded.status, 2, crowded.stderr);
    assert.match(crowded.stderr.trim(), /^gankit: error: --out: .*samples: holds other files than gankit samples \(NNNNNN\.png, grid\.png\); choose a new or empty folder, or earlier samples to replace$/);
    assert.ok(existsSync(join(folder, '000069.png')), 'the folder is left as it was');
    // Image runs keep a generator EMA by default; --no-ema samples with G's own weights.
    assert.equal(JSON.parse(readFileSync(join(run, 'config.json'), 'utf8')).ema, 0.999);
    const own = join(tmp(), 'own');
    assert.equal(gankit('sample', '--run', run, '--n', '70', '--out', own, '--seed', '3', '--no-ema').status, 0);
    assert.ok(!readFileSync(join(folder, '000000.png')).equals(readFileSync(join(own, '000000.png'))), '--no-ema: other weights, other samples');
  });

  it('featnet train holds its output folder: a second writer is refused in one line, and it is refused while another holds it', async () => {
    const dir = tmp();
    // Another writer holds the folder: refused before anything is trained or written.
    const held = lockFolder(dir, 'gankit featnet train');
    const refused = spawnSync(process.execPath, [BIN, 'featnet', 'train', '--data', 'mnist', '--epochs', '1', '--out', dir, '--quiet'], { encoding: 'utf8' });
    held.release();
    assert.equal(refused.status, 2, refused.stderr);
    assert.match(refused.stderr.trim(), new RegExp(`^gankit: error: .*: in use by gankit featnet train \\(pid ${process.pid} on .*\\); a second writer would corrupt it`));
    assert.deepEqual(readdirSync(dir), [], 'nothing written, the lock released');
    // While it trains, it holds the lock: a second writer is refused, naming it.
    const child = spawn(process.execPath, [BIN, 'featnet', 'train', '--data', 'mnist', '--epochs', '1', '--out', dir, '--quiet'], { stdio: 'ignore' });
    try {
      const lock = join(dir, '.lock');
      const holder = () => (existsSync(lock) ? (JSON.parse(readFileSync(lock, 'utf8')) as { pid: number }).pid : null);
      for (const deadline = Date.now() + 60_000; holder() !== child.pid; await new Promise((r) => setTimeout(r, 20))) {
        assert.ok(Date.now() < deadline && child.exitCode === null, 'featnet train took the lock');
      }
      assert.throws(() => lockFolder(dir, 'test'), new RegExp(`in use by gankit featnet train \\(pid ${child.pid} on `));
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('best.bin: the checkpoint with the lowest FID measured; sample and eval --best use it', () => {
    const cfg = join(tmp(), 'img.json');
    writeFileSync(cfg, JSON.stringify({ data: { name: 'fashion-mnist' }, loss: 'ns', steps: 6, batchSize: 16, logEvery: 2, plotEvery: 2, checkpointEvery: 2, evalSamples: 100, standingBatches: 4 }));
    const run = join(tmp(), 'run');
    assert.equal(gankit('train', '--config', cfg, '--out', run, '--quiet').status, 0);
    const rows = readFileSync(join(run, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { step: number; fid?: number });
    const measured = rows.filter((r) => typeof r.fid === 'number');
    assert.ok(measured.length >= 3, 'FID at every plot step');
    const lowest = measured.reduce((a, b) => (b.fid! < a.fid! ? b : a));
    const best = loadCheckpoint<{ step: number; best: { step: number; fid: number } }>(join(run, 'best.bin'));
    assert.deepEqual(best.header.best, { step: lowest.step, fid: lowest.fid });
    assert.equal(best.header.step, lowest.step);
    const e = gankit('eval', '--run', run, '--best', '--n', '100', '--json');
    assert.equal(e.status, 0, e.stderr);
    const scored = JSON.parse(e.stdout) as { step: number; checkpoint: string; scores: { fid: number } };
    assert.equal(scored.checkpoint, 'best');
    assert.equal(scored.step, lowest.step);
    assert.equal(gankit('sample', '--run', run, '--best', '--out', join(tmp(), 'best.png')).status, 0);
    // 2-D runs measure no FID: --best is one clear error.
    const points = join(tmp(), 'points');
    assert.equal(gankit('train', '--config', tinyConfig({ steps: 10 }), '--out', points, '--quiet').status, 0);
    const none = gankit('sample', '--run', points, '--best');
    assert.equal(none.status, 2);
    assert.match(none.stderr, /best\.bin: not there/);
  });

  it('divergence: a clear message, exit 3, the last good checkpoint kept', () => {
    const out = join(tmp(), 'nan');
    const r = gankit('train', '--config', tinyConfig({ loss: 'ns', optimizerD: { name: 'sgd', lr: 1e30 }, optimizerG: { name: 'sgd', lr: 1e30 } }), '--out', out, '--quiet');
    assert.equal(r.status, 3, r.stderr);
    assert.match(r.stderr, /training diverged at step \d+: .+ is not finite; the last good checkpoint \(step \d+\) is kept in /);
    assert.ok(existsSync(join(out, 'checkpoint.bin')));
  });

  it('train writes the run folder; sample gives CSV and PNG', () => {
    const out = join(tmp(), 'run');
    const r = gankit('train', '--config', tinyConfig({ loss: 'ns' }), '--out', out, '--seed', '3');
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /finished 40 steps/);
    assert.match(r.stderr, /40\/40/); // progress output
    for (const f of ['config.json', 'metrics.jsonl', 'checkpoint.bin', 'metrics.png', 'summary.json', 'samples/step-000020.png', 'samples/step-000040.png']) assert.ok(existsSync(join(out, f)), `missing ${f}`);
    const config = JSON.parse(readFileSync(join(out, 'config.json'), 'utf8'));
    assert.equal(config.seed, 3);
    assert.equal(config.loss, 'ns');
    const csv = gankit('sample', '--run', out, '--n', '10');
    assert.equal(csv.status, 0, csv.stderr);
    const lines = csv.stdout.trim().split('\n');
    assert.equal(lines[0], 'x,y');
    assert.equal(lines.length, 11);
    assert.ok(lines.slice(1).every((l) => l.split(',').map(Number).every(Number.isFinite)));
    const png = join(out, 'pic.png');
    assert.equal(gankit('sample', '--run', out, '--n', '50', '--png', '--out', png).status, 0);
    assert.deepEqual([...readFileSync(png).subarray(1, 4)], [...Buffer.from('PNG')]);
    assert.equal(gankit('sample', '--run', join(out, 'nope')).status, 2);
  });

  it('images: train a conditional run, sample one class as a PNG grid, eval against the real-vs-real baseline', () => {
    const out = join(tmp(), 'run');
    const r = gankit('train', '--data', 'mnist', '--loss', 'cgan', '--steps', '2', '--batch', '8', '--eval-samples', '64', '--plot-every', '2', '--out', out, '--quiet');
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /FID [\d.]+, KID .*conditional accuracy/);
    const png = join(out, 'threes.png');
    const s = gankit('sample', '--run', out, '--n', '4', '--class', '3', '--out', png);
    assert.equal(s.status, 0, s.stderr);
    assert.deepEqual([...readFileSync(png).subarray(1, 4)], [...Buffer.from('PNG')]);
    const bad = gankit('sample', '--run', out, '--class', '10');
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /--class: must be in 0\.\.9/);
    const e = gankit('eval', '--run', out, '--samples', '64');
    assert.equal(e.status, 0, e.stderr);
    assert.match(e.stderr, /scoring 64 samples .* about \d+ s on 2 cores/);
    assert.match(e.stdout, /fid .*\(real vs real [\d.]+\)/);
    assert.match(e.stdout, /not Inception/);
    const saved = JSON.parse(readFileSync(join(out, 'eval.json'), 'utf8'));
    assert.equal(saved.step, 2);
    assert.equal(saved.samples, 64);
    assert.equal(typeof saved.scores.conditionalAccuracy, 'number');
    // FID∞ and KID's standard error need N ≥ 5,000 and 10,000 (the default for image runs).
    assert.equal(saved.scores.fidInfinity, undefined);
    const both = gankit('eval', '--run', out, '--samples', '64', '--n', '64');
    assert.equal(both.status, 2);
    assert.match(both.stderr, /--samples or --n, not both/);
  });

  for (const [what, args, pattern] of [
    ['a missing image folder', ['--data', 'folder:/no/such/dir'], /no\/such\/dir/],
    ['labels on 2-D data', ['--conditional', 'concat'], /^gankit: error: conditional: /],
    ['a 2-D architecture mismatch', ['--data', 'mnist', '--arch', 'dcgan32'], /model\.arch: dcgan32 makes 32×32 images but mnist has 28×28/],
  ] as const) {
    it(`images: ${what} → one line, exit 2, no run folder`, () => {
      const out = join(tmp(), 'run');
      const r = gankit('train', ...args, '--steps', '1', '--out', out, '--quiet');
      assert.equal(r.status, 2, r.stderr);
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
      assert.match(r.stderr.trim(), pattern);
      assert.ok(!existsSync(out));
    });
  }

  it('runs and compare: a database rebuilt from run folders, filters, a side-by-side table; bad paths exit 2', () => {
    const root = tmp();
    const out = join(root, 'a');
    assert.equal(gankit('train', '--config', tinyConfig({ loss: 'ns', steps: 10 }), '--out', out, '--quiet').status, 0);
    const db = join(root, 'runs.sqlite');
    const r = gankit('runs', '--db', db, '--rebuild', root);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /indexed 1 run folders/);
    assert.match(r.stdout, /ns\s+ring8\s+1\s+10\s+finished/);
    assert.match(gankit('runs', '--db', db, '--loss', 'wgan').stdout, /^0 runs/m);
    const c = gankit('compare', out, out);
    assert.equal(c.status, 0, c.stderr);
    assert.match(c.stdout, /modesCovered/);
    const missing = gankit('runs', '--db', join(root, 'none.sqlite'));
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /none\.sqlite: no runs database/);
    assert.equal(gankit('compare', root).status, 2);
  });
});
