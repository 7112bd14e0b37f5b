/**
 * Training on images through the one trainer: every image variant runs a few steps (batch 8) with a
 * flat tensor count; conditional runs draw and use labels; a stopped and resumed image run ends
 * bit-identical to an uninterrupted one (the data order is part of the checkpoint); the run folder
 * holds grids, traversals and image metrics with the real-vs-real baseline; config errors for
 * image-only options.
 */
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import sharp from 'sharp';
import { mkdirSync } from 'node:fs';
import { tf, initEngine } from '../src/index.js';
import { resolveConfig, ConfigError, RunConfig } from '../src/train/config.js';
import { ImageTask } from '../src/kinds/images/task.js';
import { startRun, resumeRun } from '../src/runner/run.js';
import { Trainer } from '../src/train/trainer.js';
import { assertClose } from './helpers/numeric.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'gankit-img-'));

const small = (overrides: Record<string, unknown> = {}): RunConfig =>
  resolveConfig({
    loss: 'ns',
    data: { name: 'mnist' },
    steps: 4,
    batchSize: 8,
    logEvery: 2,
    plotEvery: 4,
    checkpointEvery: 2,
    evalSamples: 64,
    model: { noiseDim: 16 },
    // Standing statistics over 4 batches, not 64: the tests check what they are, not how many (one test checks the count).
    standingBatches: 4,
    ...overrides,
  });

const weights = (t: Trainer) => [...t.G.variables, ...t.D.variables].flatMap((v) => Array.from(v.dataSync()));

describe('image training', () => {
  before(() => initEngine());

  it('image config defaults: the paper preset, the DCGAN-28 architecture, z 64, batch 64; variants map to their base loss', () => {
    const c = resolveConfig({ data: { name: 'fashion-mnist' } });
    assert.equal(c.profile, 'paper');
    assert.equal(c.loss, 'ns', 'the main image job: the standard GAN (non-saturating)');
    assert.equal(resolveConfig({}).loss, 'wgan-gp', '2-D points keep wgan-gp');
    assert.equal(c.model.arch, 'dcgan28');
    assert.equal(c.model.noiseDim, 64);
    assert.equal(c.batchSize, 64);
    const cgan = resolveConfig({ loss: 'cgan', data: { name: 'mnist' } });
    assert.equal(cgan.loss, 'ns');
    assert.equal(cgan.variant, 'cgan');
    assert.equal(cgan.conditional, 'concat');
    const info = resolveConfig({ loss: 'infogan', data: { name: 'mnist' } });
    assert.deepEqual(info.infogan?.categorical, [10]);
    assert.equal(info.infogan?.continuous, 2);
    assert.equal(info.optimizerG.lr, 1e-3, 'InfoGAN paper: G lr 1e-3');
    assert.equal(resolveConfig({ loss: 'acgan', data: { name: 'mnist' } }).conditional, 'acgan');
    assert.equal(resolveConfig({ data: { name: 'folder:/x' }, }).model.arch, 'dcgan32');
    assert.equal(resolveConfig({ data: { name: 'folder:/x', size: 64 } }).model.arch, 'dcgan64');
  });

  it('image-only options on 2-D data, and unknown values, name the field', () => {
    assert.throws(() => resolveConfig({ conditional: 'concat' }), (e: unknown) => e instanceof ConfigError && e.field === 'conditional');
    assert.throws(() => resolveConfig({ model: { arch: 'lucic28' } }), (e: unknown) => e instanceof ConfigError && e.field === 'model.arch');
    assert.throws(() => resolveConfig({ data: { name: 'mnist' }, model: { arch: 'vgg' } }), (e: unknown) => e instanceof ConfigError && e.field === 'model.arch');
    assert.throws(() => resolveConfig({ data: { name: 'mnist' }, model: { norm: 'group' } }), (e: unknown) => e instanceof ConfigError && e.field === 'model.norm');
    assert.throws(() => resolveConfig({ loss: 'cgan', data: { name: 'mnist' }, infogan: {} }), (e: unknown) => e instanceof ConfigError && e.field === 'infogan');
    assert.throws(() => resolveConfig({ loss: 'began', data: { name: 'mnist' }, conditional: 'concat' }), (e: unknown) => e instanceof ConfigError && e.field === 'conditional');
  });

  const CASES: Array<[string, Record<string, unknown>]> = [
    ['ns', {}],
    ['wgan-gp', { loss: 'wgan-gp', nCritic: 1 }],
    ['began', { loss: 'began' }],
    ['cgan (concat)', { loss: 'cgan' }],
    ['cgan (projection)', { loss: 'cgan', conditional: 'projection' }],
    ['acgan', { loss: 'acgan' }],
    ['infogan', { loss: 'infogan' }],
  ];
  for (const [name, overrides] of CASES) {
    it(`${name}: trains on MNIST digits with a flat tensor count`, async () => {
      const task = await ImageTask.create(small({ steps: 10, ...overrides }), { evaluate: false });
      const t = task.trainer;
      const first = weights(t);
      t.trainStep();
      const before = tf.memory().numTensors;
      let stats = t.trainStep();
      for (let i = 0; i < 2; i++) stats = t.trainStep();
      assert.equal(tf.memory().numTensors, before, `${name} leaks ${tf.memory().numTensors - before} tensors`);
      assert.ok(Number.isFinite(stats.dLoss) && Number.isFinite(stats.gLoss));
      assert.notDeepEqual(weights(t), first);
      if (name === 'acgan') assert.ok((stats.diagnostics.auxClassLoss ?? 0) > 0, 'ACGAN class loss is logged');
      if (name === 'infogan') assert.ok(Number.isFinite(stats.diagnostics.mutualInformation));
      if (name === 'wgan-gp') assert.ok(stats.penalty > 0, 'the penalty is applied');
      task.dispose();
    });
  }

  it('a conditional generator draws the class it is asked for as its input', async () => {
    const task = await ImageTask.create(small({ loss: 'cgan' }), { evaluate: false });
    const t = task.trainer;
    const { z, y } = t.latent(new (await import('../src/index.js')).Rng(1), 3, Int32Array.from([2, 5, 9]));
    assert.deepEqual(z.shape, [3, 16 + 10]);
    assert.deepEqual(Array.from(tf.argMax(y!, 1).dataSync()), [2, 5, 9]);
    assert.deepEqual(Array.from(tf.argMax(tf.slice(z, [0, 16], [3, 10]), 1).dataSync()), [2, 5, 9]);
    tf.dispose([z, y!]);
    task.dispose();
  });

  it('samples use standing batch-norm statistics: a sample does not depend on the batch it is drawn in; kept until the weights change', async () => {
    const { Rng } = await import('../src/index.js');
    const { STANDING_BATCHES } = await import('../src/train/sampling.js');
    const task = await ImageTask.create(small({ ema: 0.9 }), { evaluate: false });
    const t = task.trainer;
    t.trainStep();
    const three = t.sample(3, new Rng(9));
    const ten = t.sample(10, new Rng(9));
    // Equal up to float rounding: the matrix kernels may block 3 rows and 10 rows differently (CI saw
    // one ulp). Batch statistics would move a sample by ~0.1, far beyond this tolerance.
    assertClose(three, ten.subarray(0, three.length), { atol: 1e-5, rtol: 0, what: 'the first 3 of 10 against 3 drawn alone' });
    const stats = t.standingStatistics()!;
    assert.equal(stats.length, 4, 'dcgan28 G: two batch-norm layers, a mean and a variance each');
    assert.ok(STANDING_BATCHES >= 32);
    assert.ok(stats[1].dataSync().every((v) => v >= 0), 'variances are non-negative');
    const count = tf.memory().numTensors;
    assert.equal(t.standingStatistics(), stats, 'cached at the same step');
    t.sample(5);
    assert.equal(tf.memory().numTensors, count, 'sampling again allocates nothing that stays');
    // G's own weights (no EMA) have other statistics; a step changes them again; the old ones are disposed.
    t.useEma = false;
    const statsMean = Array.from(stats[0].dataSync());
    const ownMean = Array.from(t.standingStatistics()![0].dataSync());
    assert.notDeepEqual(ownMean, statsMean);
    assert.ok(stats[0].isDisposed, 'the statistics of the other weights were disposed');
    t.useEma = true;
    t.trainStep();
    const after = Array.from(t.standingStatistics()![0].dataSync());
    assert.notDeepEqual(after, statsMean, 'a step changes the EMA weights, and so their statistics');
    assert.equal(tf.memory().numTensors, count, 'one set of standing statistics at a time');
    task.dispose();
  });

  it('standingBatches sets how many batches the standing statistics average (64 unless set)', async () => {
    const { STANDING_BATCHES } = await import('../src/train/sampling.js');
    assert.equal(STANDING_BATCHES, 64);
    assert.equal(resolveConfig({ data: { name: 'mnist' } }).standingBatches, undefined, 'unset by default: old configs and trial hashes stay as they were');
    const means: number[][] = [];
    for (const standingBatches of [1, 2]) {
      const task = await ImageTask.create(small({ standingBatches }), { evaluate: false });
      means.push(Array.from(task.trainer.standingStatistics()![0].dataSync()));
      task.dispose();
    }
    // The same weights and latent stream: two batches average the first one with another.
    assert.notDeepEqual(means[1], means[0]);
    assert.throws(() => resolveConfig({ data: { name: 'mnist' }, standingBatches: 0 }), /standingBatches/);
  });

  it('a checkpoint keeps the standing statistics it was taken with: restored, they are used as they are and give the same samples bit for bit; an older or torn checkpoint keeps none and computes the same ones again', async () => {
    const { Rng } = await import('../src/index.js');
    const task = await ImageTask.create(small({ ema: 0.9 }), { evaluate: false });
    const t = task.trainer;
    t.trainStep();
    const bare = t.snapshot();
    assert.equal(bare.header.standing, undefined, 'none computed yet: none kept');
    const samples = t.sample(6, new Rng(4));
    const { header, arrays } = t.snapshot();
    assert.deepEqual(header.standing, { ema: true, shapes: t.standingStatistics()!.map((s) => s.shape) });
    const kept = t.standingStatistics()!.map((s) => Array.from(s.dataSync()));
    task.dispose();

    const count = tf.memory().numTensors;
    for (const [what, h, a] of [
      ['kept', header, arrays],
      ['not kept (an older checkpoint)', { ...header, standing: undefined }, arrays],
      ['kept but torn (an array missing)', header, Object.fromEntries(Object.entries(arrays).filter(([k]) => k !== 'standing/3'))],
    ] as const) {
      const other = await ImageTask.create(small({ ema: 0.9 }), { evaluate: false });
      const u = other.trainer;
      u.restore(h, a);
      // What the restored trainer holds is what its next checkpoint keeps.
      assert.deepEqual(u.snapshot().header.standing, what === 'kept' ? header.standing : undefined, `${what}: held after the restore`);
      // A G forward in training mode is what computing them costs: count the trainer's own passes.
      // (Every case, now that small() averages 4 batches: recomputing them is cheap.)
      const normMoments = u.G.normMoments!.bind(u.G);
      let computed = 0;
      (u.G as { normMoments?: typeof normMoments }).normMoments = (...args) => (computed++, normMoments(...args));
      assert.deepEqual(Array.from(u.sample(6, new Rng(4))), Array.from(samples), `${what}: the same samples, bit for bit`);
      assert.deepEqual(u.standingStatistics()!.map((s) => Array.from(s.dataSync())), kept, `${what}: the same statistics`);
      assert.equal(computed > 0, what !== 'kept', `${what}: ${computed} training-mode passes (kept: used as they are; else computed)`);
      // G's own weights: not what was kept, so computed.
      u.useEma = false;
      computed = 0;
      u.standingStatistics();
      assert.ok(computed > 0, `${what}: without the EMA copy they are computed`);
      other.dispose();
      assert.equal(tf.memory().numTensors, count, `${what}: no tensor left`);
    }
  });

  it('building and disposing an image task leaves the tensor count where it was', async () => {
    for (const [, overrides] of CASES) {
      const before = tf.memory().numTensors;
      (await ImageTask.create(small({ ...overrides, ema: 0.9 }), { evaluate: false })).dispose();
      assert.equal(tf.memory().numTensors, before, JSON.stringify(overrides));
    }
  });

  it('InfoGAN pictures (grids and traversals) leave the tensor count flat', async () => {
    const task = await ImageTask.create(small({ loss: 'infogan' }), { evaluate: false });
    task.pictures(1);
    const before = tf.memory().numTensors;
    const pictures = task.pictures(2);
    assert.equal(pictures.length, 4, 'grid + cat0 + cont0 + cont1');
    assert.equal(tf.memory().numTensors, before);
    task.dispose();
  });

  it('a conditional run on a folder without class sub-folders: one error, and the networks built for it are disposed', async () => {
    const data = tmp();
    for (let i = 0; i < 4; i++) await sharp(Buffer.alloc(32 * 32 * 3, 40 * i), { raw: { width: 32, height: 32, channels: 3 } }).png().toFile(join(data, `${i}.png`));
    const before = tf.memory().numTensors;
    await assert.rejects(ImageTask.create(small({ loss: 'cgan', data: { name: `folder:${data}` } }), { evaluate: false }), /conditional: .* has no class labels/);
    assert.equal(tf.memory().numTensors, before);
  });

  it('stop and resume: bit-identical weights to an uninterrupted run (data order checkpointed)', async () => {
    const config = small({ steps: 6, checkpointEvery: 3, logEvery: 3, plotEvery: 6, loss: 'cgan' });
    const whole = tmp();
    await startRun(config, join(whole, 'run'));
    const parted = tmp();
    const first = await startRun(config, join(parted, 'run'), { stopAfter: 3 });
    assert.equal(first.status, 'stopped');
    await resumeRun(join(parted, 'run'));
    assert.ok(await sameArrays(join(whole, 'run'), join(parted, 'run')), 'final checkpoints differ');
  });

  it('the run folder: a class-by-row grid, InfoGAN traversals, image metrics with the real-vs-real baseline', async () => {
    const dir = join(tmp(), 'run');
    await startRun(small({ loss: 'infogan', steps: 2, plotEvery: 2 }), dir);
    const files = readdirSync(join(dir, 'samples'));
    assert.ok(files.includes('step-000002.png'));
    assert.ok(files.includes('step-000002-code-cat0.png') && files.includes('step-000002-code-cont0.png') && files.includes('step-000002-code-cont1.png'), files.join(', '));
    const cat = PNG.sync.read(readFileSync(join(dir, 'samples', 'step-000002-code-cat0.png')));
    assert.equal(cat.height, 10 * (28 * 2 + 2) + 2, 'one row per value of the 10-way code');
    const summary = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8'));
    for (const k of ['fid', 'kid', 'precision', 'recall', 'density', 'coverage', 'classifierScore', 'codeAccuracy']) assert.equal(typeof summary.final[k], 'number', k);
    assert.ok(summary.realVsReal.fid < summary.final.fid, 'real vs real beats a 2-step generator');
    assert.match(summary.evaluation, /not Inception/);
    const cgan = join(tmp(), 'run');
    await startRun(small({ loss: 'cgan', steps: 2, plotEvery: 2 }), cgan);
    const grid = PNG.sync.read(readFileSync(join(cgan, 'samples', 'step-000002.png')));
    assert.equal(grid.height, 10 * (28 * 2 + 2) + 2, 'one row per class');
    const s2 = JSON.parse(readFileSync(join(cgan, 'summary.json'), 'utf8'));
    assert.equal(typeof s2.final.conditionalAccuracy, 'number');
    assert.ok(s2.realVsReal.conditionalAccuracy > 0.9, 'the classifier recognises real digits');
    assert.ok(existsSync(join(cgan, 'metrics.png')));
  });

  it('a folder of images with class sub-folders: DCGAN 32×32, projection cGAN, a class-by-row grid; no feature network, said so', async () => {
    const data = tmp();
    for (const [k, cls] of ['cats', 'dogs'].entries()) {
      mkdirSync(join(data, cls));
      for (let i = 0; i < 8; i++) {
        const raw = Buffer.alloc(40 * 40 * 3, 0);
        for (let p = 0; p < raw.length; p++) raw[p] = (p * (7 + i) + 97 * k) % 256;
        await sharp(raw, { raw: { width: 40, height: 40, channels: 3 } }).png().toFile(join(data, cls, `${i}.png`));
      }
    }
    const dir = join(tmp(), 'run');
    const config = small({ loss: 'cgan', conditional: 'projection', data: { name: `folder:${data}` }, steps: 2, plotEvery: 2 });
    assert.equal(config.model.arch, 'dcgan32');
    await startRun(config, dir);
    const grid = PNG.sync.read(readFileSync(join(dir, 'samples', 'step-000002.png')));
    assert.equal(grid.height, 2 * (32 * 2 + 2) + 2, 'one row per class folder');
    const summary = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8'));
    assert.equal(summary.status, 'finished');
    assert.match(summary.evaluation, /no feature network for folder:/);
    assert.equal(summary.realVsReal, null);
  });
});

/** Every array of the two checkpoints (weights, EMA, optimiser slots, data order) is bit-identical. */
async function sameArrays(a: string, b: string): Promise<boolean> {
  const { loadCheckpoint } = await import('../src/runfolder/checkpoint.js');
  const x = loadCheckpoint<{ step: number }>(join(a, 'checkpoint.bin'));
  const y = loadCheckpoint<{ step: number }>(join(b, 'checkpoint.bin'));
  const keys = Object.keys(x.arrays);
  assert.deepEqual(keys.sort(), Object.keys(y.arrays).sort());
  assert.ok(keys.includes('data/order'), 'the data order is checkpointed');
  assert.equal(x.header.step, y.header.step);
  return keys.every((k) => Buffer.from(x.arrays[k].buffer, x.arrays[k].byteOffset, x.arrays[k].byteLength).equals(Buffer.from(y.arrays[k].buffer, y.arrays[k].byteOffset, y.arrays[k].byteLength)));
}
