/**
 * What the command line says is true of the run it describes, run as a user runs it (a child
 * process on dist/src/cli/bin.js): the checksum sentence only where the page can match it, Ctrl-C
 * leaving summary.json 'interrupted' and the command that resumes (bit-identically), resume's
 * banner and "nothing to do", image runs naming their variant, what loads before step 1 and the
 * step of each score, captioned grids and class names in gankit.json, "did you mean", --version,
 * the runs database train fills, and compare --plot.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PNG } from 'pngjs';
import { loadCheckpoint } from '../src/runfolder/checkpoint.js';

const BIN = fileURLToPath(new URL('../src/cli/bin.js', import.meta.url));
const PACKAGE = fileURLToPath(new URL('../../package.json', import.meta.url));
const run = (args: string[], o: { cwd?: string; env?: Record<string, string> } = {}) =>
  spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', cwd: o.cwd, env: { ...process.env, GANKIT_BACKEND: 'wasm', ...o.env } });
const gankit = (...args: string[]) => run(args);
const tmp = () => mkdtempSync(join(tmpdir(), 'gankit-out-'));

const TINY = {
  batchSize: 32,
  logEvery: 5,
  plotEvery: 20,
  checkpointEvery: 5,
  evalSamples: 200,
  model: { noiseDim: 2, generator: { depth: 2, width: 16, activation: 'relu', layerNorm: false }, discriminator: { depth: 2, width: 16, activation: 'relu', layerNorm: false } },
};

function config(extra: Record<string, unknown>): string {
  const path = join(tmp(), 'run.json');
  writeFileSync(path, JSON.stringify({ ...TINY, ...extra }));
  return path;
}

/** Every array of the two checkpoints is bit-identical. */
function sameWeights(a: string, b: string): void {
  const x = loadCheckpoint<{ step: number }>(join(a, 'checkpoint.bin'));
  const y = loadCheckpoint<{ step: number }>(join(b, 'checkpoint.bin'));
  assert.equal(y.header.step, x.header.step);
  for (const k of Object.keys(x.arrays)) assert.deepEqual(Array.from(y.arrays[k]), Array.from(x.arrays[k]), `${k} differs`);
}

describe('CLI output that tells the truth', () => {
  it('--version; did you mean for commands, flags, losses, datasets and config fields; loss names in any case; a dash-led value', () => {
    const v = gankit('--version');
    assert.equal(v.status, 0, v.stderr);
    assert.equal(v.stdout.trim(), `gankit ${JSON.parse(readFileSync(PACKAGE, 'utf8')).version}`);
    const dir = tmp();
    const out = ['--out', join(dir, 'run'), '--quiet'];
    const refused: Array<[string[], RegExp]> = [
      [['trian', ...out], /^gankit: error: unknown command 'trian'; did you mean 'train'\?/],
      [['train', '--stpes', '3', ...out], /^gankit: error: Unknown option '--stpes'; did you mean --steps\?/],
      [['train', '--loss', 'wgangp', ...out], /^gankit: error: loss: unknown loss 'wgangp'; did you mean 'wgan-gp'\?/],
      [['train', '--data', 'fashion', ...out], /^gankit: error: data\.name: must be one of .*, got "fashion"; did you mean 'fashion-mnist'\?/],
      [['train', ...out, '--lr', '-1'], /^gankit: error: .*The negative number -1 starts with a dash, so it reads as an option; .* --lr=-1$/],
      [['study', 'wasserstien'], /^gankit: error: unknown study 'wasserstien'; did you mean 'wasserstein'\?/],
    ];
    for (const [args, message] of refused) {
      const r = gankit(...args);
      assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
      assert.match(r.stderr.trim(), message);
    }
    const field = config({ steps: 5, stpes: 5 });
    const r = gankit('train', '--config', field, '--out', join(dir, 'run'), '--quiet');
    assert.equal(r.status, 2);
    assert.match(r.stderr, /^gankit: error: stpes: unknown config field \(known: .*\); did you mean 'steps'\?$/m);
    assert.ok(!existsSync(join(dir, 'run')), 'nothing written');
    const upper = join(dir, 'upper');
    const ok = gankit('train', '--config', config({ steps: 5 }), '--loss', 'WGAN-GP', '--out', upper, '--quiet');
    assert.equal(ok.status, 0, ok.stderr);
    assert.equal(JSON.parse(readFileSync(join(upper, 'config.json'), 'utf8')).loss, 'wgan-gp');
  });

  it('the checksum sentence only where the page computes the same (2-D, wasm, one thread, no native BLAS); otherwise the flags that make it so', () => {
    const cfg = config({ loss: 'ns', steps: 10 });
    const page = gankit('train', '--config', cfg, '--native', 'off', '--threads', '1', '--out', join(tmp(), 'a'), '--quiet');
    assert.equal(page.status, 0, page.stderr);
    assert.match(page.stdout, /weights checksum [0-9a-f]{8} \(a 2-D run on wasm, one thread, no native BLAS: the playground page shows the same after the same steps\)/);
    const threads = gankit('train', '--config', cfg, '--native', 'off', '--threads', '2', '--out', join(tmp(), 'b'), '--quiet');
    assert.equal(threads.status, 0, threads.stderr);
    assert.match(threads.stdout, /weights checksum [0-9a-f]{8} \(the playground page computes on wasm with one thread and no native BLAS, so its checksum is another; train with --threads 1 to compare with it\)/);
    assert.doesNotMatch(threads.stdout, /shows the same/);
    // Native BLAS where this machine has it (GANKIT_NATIVE decides in the test runs): then --native off is named.
    const out = join(tmp(), 'c');
    const native = gankit('train', '--config', cfg, '--native', 'on', '--threads', '1', '--out', out, '--quiet');
    assert.equal(native.status, 0, native.stderr);
    if (JSON.parse(readFileSync(join(out, 'config.json'), 'utf8')).compute.native) assert.match(native.stdout, /train with --native off to compare with it\)/);
    else assert.match(native.stdout, /the playground page shows the same/);
  });

  it('Ctrl-C: the step, the last checkpoint and the resume command, summary.json interrupted, exit 130; resume says so, ends bit-identical, then has nothing to do', async () => {
    const cfg = config({ loss: 'wgan-gp', nCritic: 2, steps: 400 });
    const root = tmp();
    const whole = join(root, 'whole');
    const cut = join(root, 'cut');
    assert.equal(gankit('train', '--config', cfg, '--out', whole, '--quiet').status, 0);
    const child = spawn(process.execPath, [BIN, 'train', '--config', cfg, '--out', cut], { env: { ...process.env, GANKIT_BACKEND: 'wasm' } });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const deadline = Date.now() + 90_000;
    while (Date.now() < deadline) {
      const rows = existsSync(join(cut, 'metrics.jsonl')) ? readFileSync(join(cut, 'metrics.jsonl'), 'utf8').trim().split('\n').filter(Boolean) : [];
      if (rows.length >= 4) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    child.kill('SIGINT');
    assert.equal(await exited, 130, stderr);
    const summary = JSON.parse(readFileSync(join(cut, 'summary.json'), 'utf8'));
    assert.equal(summary.status, 'interrupted');
    assert.equal(summary.signal, 'SIGINT');
    const kept = loadCheckpoint<{ step: number }>(join(cut, 'checkpoint.bin')).header.step;
    assert.equal(summary.lastGoodCheckpointStep, kept);
    assert.ok(summary.step >= kept && summary.step < 400 && kept > 0, JSON.stringify(summary));
    assert.match(stderr, new RegExp(`gankit: interrupted \\(SIGINT\\) at step ${summary.step} of 400; the last checkpoint is step ${kept} \\(.*checkpoint\\.bin\\)`));
    assert.match(stderr, /continue with: gankit resume --run \S*cut\n/);
    // train indexed the run beside its folder, interrupted as it is.
    const listed = gankit('runs', '--db', join(root, 'runs.sqlite'), '--status', 'interrupted');
    assert.equal(listed.status, 0, listed.stderr);
    assert.match(listed.stdout, /wgan-gp\s+ring8\s+1\s+400\s+interrupted/);
    const resumed = gankit('resume', '--run', cut);
    assert.equal(resumed.status, 0, resumed.stderr);
    assert.match(resumed.stderr, /^gankit: resuming wgan-gp on ring8 to step 400 \(toy profile, backend wasm, as config\.json records\) → /m);
    assert.match(resumed.stderr, new RegExp(`^gankit: continuing from the checkpoint at step ${kept}$`, 'm'));
    sameWeights(whole, cut);
    assert.equal(JSON.parse(readFileSync(join(cut, 'summary.json'), 'utf8')).status, 'finished');
    assert.match(gankit('runs', '--db', join(root, 'runs.sqlite')).stdout, /wgan-gp\s+ring8\s+1\s+400\s+finished[\s\S]*wgan-gp\s+ring8\s+1\s+400\s+finished/);
    const again = gankit('resume', '--run', cut);
    assert.equal(again.status, 0, again.stderr);
    assert.match(again.stdout, /^gankit: nothing to do: .*cut finished its 400 steps/);
    sameWeights(whole, cut);
  });

  it('train indexes its run in runs/runs.sqlite, so gankit runs and compare work at once, with paths relative to the working folder; compare --plot draws the curves', () => {
    const cwd = tmp();
    for (const [loss, seed] of [['ns', '1'], ['ns', '2'], ['wgan-gp', '1']]) {
      const r = run(['train', '--config', config({ steps: 20 }), '--loss', loss, '--seed', seed, '--out', join('runs', `${loss}-${seed}`), '--quiet'], { cwd });
      assert.equal(r.status, 0, r.stderr);
    }
    const listed = run(['runs'], { cwd });
    assert.equal(listed.status, 0, listed.stderr);
    assert.match(listed.stdout, /^runs\/ns-1\s+ns\s+ring8\s+1\s+20\s+finished/m);
    assert.match(listed.stdout, /^3 runs$/m);
    const plot = join(cwd, 'curves.png');
    const c = run(['compare', 'runs/ns-1', 'runs/ns-2', 'runs/wgan-gp-1', '--plot', plot, '--group', 'loss'], { cwd });
    assert.equal(c.status, 0, c.stderr);
    assert.match(c.stdout, /^runs\/wgan-gp-1\s+wgan-gp/m);
    assert.match(c.stderr, /wrote .*curves\.png \(\d+ panels: D loss, G loss, Wasserstein estimate/);
    const png = PNG.sync.read(readFileSync(plot));
    assert.ok(png.width > 600 && png.height > 400, `${png.width}×${png.height}`);
    const wrong = run(['compare', 'runs/ns-1', '--plot', plot, '--group', 'los'], { cwd });
    assert.equal(wrong.status, 2);
    assert.match(wrong.stderr, /^gankit: error: --group: 'los'; did you mean 'loss'\?/);
    assert.equal(run(['compare', 'runs/ns-1', '--group', 'loss'], { cwd }).status, 2);
    const none = run(['train', '--config', config({ steps: 5 }), '--out', 'elsewhere/run', '--db', 'none', '--quiet'], { cwd });
    assert.equal(none.status, 0, none.stderr);
    assert.ok(!existsSync(join(cwd, 'elsewhere', 'runs.sqlite')), '--db none indexes nothing');
  });

  it('images: the banner names the variant, loading is said before step 1, scores carry their step, no 2-D sentence; grids captioned with class names; gankit.json has them', () => {
    const out = join(tmp(), 'run');
    const r = gankit('train', '--data', 'mnist', '--loss', 'cgan', '--steps', '2', '--batch', '8', '--eval-samples', '64', '--plot-every', '2', '--out', out);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /^gankit: training cgan \(ns loss\) on mnist for 2 steps/m);
    const loading = r.stderr.indexOf('gankit: loading mnist, the feature network and the real-vs-real baseline (64 samples)');
    const ready = r.stderr.search(/gankit: ready in [\d.]+ s/);
    const first = r.stderr.search(/ 1\/2 /);
    assert.ok(loading >= 0 && ready > loading && first > ready, r.stderr);
    assert.match(r.stderr, /FID [\d.]+ \(step 2\)/);
    assert.match(r.stdout, /^ {2}weights checksum [0-9a-f]{8}$/m);
    assert.doesNotMatch(r.stdout, /playground/);
    // The grid keeps its height (one row per class), with class names on the left and the caption on the right.
    const grid = PNG.sync.read(readFileSync(join(out, 'samples', 'step-000002.png')));
    const bare = 10 * (28 * 2 + 2) + 2;
    assert.equal(grid.height, bare);
    assert.ok(grid.width > bare + 100, `width ${grid.width}`);
    const inkIn = (x0: number, x1: number) => {
      let dark = 0;
      for (let y = 0; y < grid.height; y++) for (let x = x0; x < x1; x++) if (grid.data[(y * grid.width + x) * 4] < 100) dark++;
      return dark;
    };
    assert.ok(inkIn(0, 12) > 5, 'class names left of the rows');
    assert.ok(inkIn(grid.width - 150, grid.width) > 50, 'a caption right of the grid');
    const one = join(out, 'one.png');
    const s = gankit('sample', '--run', out, '--n', '1', '--class', '3', '--out', one);
    assert.equal(s.status, 0, s.stderr);
    assert.equal(PNG.sync.read(readFileSync(one)).height, 28 * 2 + 4, 'a one-row grid is as tall as its row');
    const x = gankit('export', '--run', out, '--out', join(out, 'export'));
    assert.equal(x.status, 0, x.stderr);
    const meta = JSON.parse(readFileSync(join(out, 'export', 'gankit.json'), 'utf8'));
    assert.deepEqual(meta.input.classNames, ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
  });
});
