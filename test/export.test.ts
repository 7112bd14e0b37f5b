/**
 * Export to a TensorFlow.js LayersModel: every generator architecture as standard layers computes
 * what gankit's generator computes (standing batch-norm statistics, layer norm, every activation);
 * a trained run's export (EMA weights, conditional and InfoGAN inputs) loads with
 * tf.loadLayersModel in Node and in headless Chromium and gives the same images to 1e-5;
 * `gankit export` writes the three files, checks them, and refuses bad input with one clear error.
 */
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, renameSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tf, Rng, initEngine } from '../src/index.js';
import { ConvGenerator, DecoderGenerator, IMAGE_ARCHITECTURES } from '../src/models/conv.js';
import { MlpGenerator } from '../src/models/mlpNets.js';
import { buildLayersModel, disposeLayers, folderHandler, readExportMeta } from '../src/export/layersModel.js';
import { exportGenerator } from '../src/export/generator.js';
import { ImageTask } from '../src/kinds/images/task.js';
import { resolveConfig } from '../src/train/config.js';
import { assertClose } from './helpers/numeric.js';
import { tempName } from '../src/io/atomic.js';

const BIN = fileURLToPath(new URL('../src/cli/bin.js', import.meta.url));
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const tmp = () => mkdtempSync(join(tmpdir(), 'gankit-export-'));
const gankit = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8' });
const CHROMIUM = '/usr/bin/chromium';

/** The exported layers' output against the generator's on z (then everything is disposed). */
function compareLayers(G: ConvGenerator | MlpGenerator | DecoderGenerator, z: tf.Tensor, standing?: tf.Tensor[]): number {
  const layers = G.exportLayers(G.variables, standing);
  const model = buildLayersModel(G.latentDim, layers);
  disposeLayers(layers);
  const d = tf.tidy(() => tf.max(tf.abs(tf.sub(G.generate(z, undefined, standing), model.predict(z) as tf.Tensor))).dataSync()[0]);
  model.dispose();
  return d;
}

async function trainedTask(overrides: Record<string, unknown>) {
  const task = await ImageTask.create(resolveConfig({ loss: 'ns', data: { name: 'mnist' }, steps: 3, batchSize: 8, ema: 0.9, model: { noiseDim: 16 }, standingBatches: 4, ...overrides }), { evaluate: false });
  for (let i = 0; i < 3; i++) task.trainer.trainStep();
  return task;
}

describe('export to a TensorFlow.js LayersModel', () => {
  before(() => initEngine());

  it('every image architecture: standard layers with standing statistics equal the generator (non-trivial statistics)', () => {
    for (const arch of IMAGE_ARCHITECTURES.filter((a) => a !== 'began28')) {
      const G = new ConvGenerator(10, arch, arch.endsWith('28') ? 1 : 3, new Rng(1));
      const z = new Rng(2).normal([5, 10]);
      // Statistics of another batch, so that batch norm is not the identity on this one.
      const m = G.normMoments(new Rng(3).normal([32, 10]));
      const standing = m.flatMap((t, i) => (i % 2 ? [] : [tf.add(t, 0.05), tf.add(tf.relu(tf.sub(m[i + 1], tf.square(t))), 0.01)]));
      const before = tf.memory().numTensors;
      const d = compareLayers(G, z, standing);
      assert.ok(d < 1e-5, `${arch}: max |Δ| ${d}`);
      assert.equal(tf.memory().numTensors, before, `${arch}: the export leaves no tensors behind`);
      assert.throws(() => G.exportLayers(G.variables), /standing statistics/);
      tf.dispose([z, ...m, ...standing]);
      G.dispose();
    }
  });

  it("began28's decoder-shaped generator: upsampling and 3×3 convolutions as standard layers equal the generator", () => {
    const G = new DecoderGenerator(10, { height: 28, width: 28, channels: 1 }, new Rng(1));
    const z = new Rng(2).normal([5, 10]);
    const before = tf.memory().numTensors;
    const d = compareLayers(G, z);
    assert.ok(d < 1e-5, `began28: max |Δ| ${d}`);
    assert.equal(tf.memory().numTensors, before, 'the export leaves no tensors behind');
    tf.dispose(z);
    G.dispose();
  });

  it('2-D generators: every activation, with and without layer norm', () => {
    for (const activation of ['relu', 'leakyRelu', 'tanh', 'elu'] as const) {
      for (const layerNorm of [false, true]) {
        const G = new MlpGenerator(3, 2, { depth: 2, width: 8, activation, layerNorm }, new Rng(4));
        // Non-trivial layer-norm gains and shifts.
        G.variables.forEach((v, i) => tf.tidy(() => v.assign(tf.add(v, tf.mul(new Rng(10 + i).normal(v.shape), 0.3)))));
        const z = new Rng(5).normal([6, 3]);
        const d = compareLayers(G, z);
        assert.ok(d < 1e-5, `${activation} layerNorm ${layerNorm}: max |Δ| ${d}`);
        tf.dispose(z);
        G.dispose();
      }
    }
  });

  it('a trained run: EMA weights, conditional and InfoGAN inputs; loads back in Node equal to the generator; gankit.json describes the input', async () => {
    for (const loss of ['ns', 'cgan', 'infogan']) {
      const task = await trainedTask({ loss });
      const t = task.trainer;
      const dir = tmp();
      const r = await exportGenerator(t, dir, { run: 'r', checkpoint: 'latest' });
      assert.ok(r.maxDifference < 1e-5, `${loss}: ${r.maxDifference}`);
      const meta = readExportMeta(dir);
      assert.equal(meta.weights, 'ema');
      assert.equal(meta.step, 3);
      assert.equal(meta.input.size, t.G.latentDim);
      assert.equal(meta.input.classes, loss === 'cgan' ? 10 : 0);
      assert.deepEqual(meta.input.categoricalCodes, loss === 'infogan' ? [10] : []);
      assert.equal(meta.batchNorm?.statistics, 'standing');
      assert.equal(meta.batchNorm?.samples, 4 * 64, 'standingBatches (4) batches of max(batch size, 64)');
      // Independently of exportGenerator's own check: load, predict, compare with the EMA generator.
      const model = await tf.loadLayersModel(folderHandler(dir));
      const z = t.latent(new Rng(7), 9).z;
      const expected = t.G.generate(z, t.samplingWeights(), t.standingStatistics());
      const got = model.predict(z) as tf.Tensor;
      assertClose(got.dataSync(), expected.dataSync(), { atol: 1e-5, rtol: 0, what: loss });
      // The EMA weights, not G's own: G's output differs.
      const own = t.G.generate(z, t.G.variables, t.standingStatistics());
      assert.ok(tf.max(tf.abs(tf.sub(own, got))).dataSync()[0] > 1e-4, `${loss}: the export holds the EMA weights`);
      tf.dispose([z, expected, got, own]);
      model.dispose();
      task.dispose();
    }
  });

  it('headless Chromium: tf.loadLayersModel over HTTP gives the Node generator\'s images to 1e-5', async () => {
    assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: install Debian's chromium (the README's test command does)`);
    const { chromium } = await import('playwright-core');
    const task = await trainedTask({ loss: 'cgan' });
    const t = task.trainer;
    const dir = tmp();
    await exportGenerator(t, dir, { run: 'r', checkpoint: 'latest' });
    const zTensor = t.latent(new Rng(8), 6).z;
    const z = Array.from(zTensor.dataSync());
    const expected = Array.from(tf.tidy(() => t.G.generate(zTensor, t.samplingWeights(), t.standingStatistics())).dataSync());
    const files: Record<string, string> = {
      '/tf.min.js': join(ROOT, 'node_modules/@tensorflow/tfjs/dist/tf.min.js'),
      '/model/model.json': join(dir, 'model.json'),
      '/model/weights.bin': join(dir, 'weights.bin'),
    };
    const server = createServer((req, res) => {
      const file = files[normalize(req.url ?? '/')];
      if (req.url === '/') {
        res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><script src="/tf.min.js"></script>');
      } else if (file) res.writeHead(200).end(readFileSync(file));
      else res.writeHead(404).end();
    });
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    const port = (server.address() as AddressInfo).port;
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    try {
      const page = await browser.newPage();
      await page.goto(`http://127.0.0.1:${port}/`);
      const got = await page.evaluate(
        async ({ z, rows, cols }) => {
          const tfw = (globalThis as unknown as { tf: typeof tf }).tf;
          await tfw.setBackend('cpu');
          const model = await tfw.loadLayersModel('/model/model.json');
          const y = model.predict(tfw.tensor2d(z, [rows, cols])) as tf.Tensor;
          return { values: Array.from(y.dataSync()), shape: y.shape, backend: tfw.getBackend() };
        },
        { z, rows: 6, cols: t.G.latentDim },
      );
      assert.equal(got.backend, 'cpu');
      assert.deepEqual(got.shape, [6, 28, 28, 1]);
      assertClose(got.values, expected, { atol: 1e-5, rtol: 0, what: 'browser vs Node' });
    } finally {
      await browser.close();
      server.close();
      tf.dispose(zTensor);
      task.dispose();
    }
  });

  it('gankit export on a run folder: three files, the check line; --no-ema; bad input is one clear error', () => {
    const runs = tmp();
    const run = join(runs, 'r');
    const train = gankit('train', '--steps', '10', '--out', run, '--ema', '0.9');
    assert.equal(train.status, 0, train.stderr);
    const out = join(runs, 'exported');
    const r = gankit('export', '--run', run, '--out', out);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /gankit export: .*step 10, ema weights, input 2, output \[2\]; reloaded and checked: max \|Δ\| /);
    for (const f of ['model.json', 'weights.bin', 'gankit.json']) assert.ok(existsSync(join(out, f)), f);
    assert.equal(JSON.parse(readFileSync(join(out, 'model.json'), 'utf8')).format, 'layers-model');
    const own = gankit('export', '--run', run, '--out', join(runs, 'own'), '--no-ema');
    assert.equal(own.status, 0, own.stderr);
    assert.equal(readExportMeta(join(runs, 'own')).weights, 'generator');
    assert.notDeepEqual(readFileSync(join(runs, 'own', 'weights.bin')), readFileSync(join(out, 'weights.bin')));
    // A kill while exporting over an earlier export (G's own weights over the EMA ones), at each of
    // the three files: the folder is the earlier export, whole, every time; then the new one, whole.
    const earlier = Object.fromEntries(['model.json', 'weights.bin', 'gankit.json'].map((f) => [f, readFileSync(join(out, f))]));
    for (const fault of ['weights.bin:1:64:kill', 'model.json:1:10:kill', 'gankit.json:1:10:kill']) {
      const killed = spawnSync(process.execPath, [BIN, 'export', '--run', run, '--out', out, '--no-ema'], { encoding: 'utf8', env: { ...process.env, GANKIT_FAULT: fault } });
      assert.equal(killed.signal, 'SIGKILL', `${fault}: ${killed.stderr}`);
      for (const [f, bytes] of Object.entries(earlier)) assert.ok(readFileSync(join(out, f)).equals(bytes), `${fault}: ${f} is the earlier export's`);
    }
    // A kill between the two renames leaves no folder at OUT and the earlier export at
    // OUT.old.tmp-HOST-PID (planted: a dead writer's name): the next export puts it back before
    // anything else, so even that export killed mid-write leaves the earlier one whole at OUT.
    const dead = spawnSync('true').pid;
    const orphan = join(runs, tempName('exported.old').replace(/-\d+$/, `-${dead}`));
    renameSync(out, orphan);
    const afterOrphan = spawnSync(process.execPath, [BIN, 'export', '--run', run, '--out', out, '--no-ema'], { encoding: 'utf8', env: { ...process.env, GANKIT_FAULT: 'weights.bin:1:64:kill' } });
    assert.equal(afterOrphan.signal, 'SIGKILL', afterOrphan.stderr);
    assert.ok(!existsSync(orphan), 'the earlier export was put back');
    for (const [f, bytes] of Object.entries(earlier)) assert.ok(readFileSync(join(out, f)).equals(bytes), `put back: ${f} is the earlier export's`);
    assert.equal(gankit('export', '--run', run, '--out', out, '--no-ema').status, 0);
    for (const f of ['model.json', 'weights.bin', 'gankit.json']) assert.ok(readFileSync(join(out, f)).equals(readFileSync(join(runs, 'own', f))), `${f} is the new export's`);
    assert.equal(readExportMeta(out).weights, 'generator');
    assert.deepEqual(readdirSync(runs).filter((f) => f.includes('.tmp-')), [], 'the killed exports left nothing behind');
    const crowded = gankit('export', '--run', run, '--out', runs);
    assert.equal(crowded.status, 2, crowded.stderr);
    assert.match(crowded.stderr.trim(), /^gankit: error: --out: .*: holds other files than an export \(model\.json, weights\.bin, gankit\.json\); choose a new or empty folder, or an earlier export to replace$/);
    assert.ok(existsSync(join(run, 'config.json')), 'nothing of it was touched');
    const noOut = gankit('export', '--run', run);
    assert.equal(noOut.status, 2);
    assert.match(noOut.stderr, /export needs --out FOLDER/);
    const missing = gankit('export', '--run', join(runs, 'nope'), '--out', out);
    assert.notEqual(missing.status, 0);
    assert.match(missing.stderr, /^gankit: error: .*nope/m);
    const best = gankit('export', '--run', run, '--out', out, '--best');
    assert.notEqual(best.status, 0);
    assert.match(best.stderr, /best\.bin: not there/);
  });
});
