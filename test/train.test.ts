/**
 * The trainer: flat tensor count over 500+ steps, determinism, every loss through the one loop,
 * stop/resume equality, divergence detection, config resolution and validation, checkpoints.
 */
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tf, Rng, initEngine } from '../src/index.js';
import { LOSS_NAMES, getLoss } from '../src/losses/registry.js';
import { resolveConfig, ConfigError, RunConfig } from '../src/train/config.js';
import { Trainer } from '../src/train/trainer.js';
import { DivergenceError } from '../src/train/divergence.js';
import type { BatchSource } from '../src/data/source.js';
import { pointsTrainer, pointsNetworks } from '../src/kinds/points/trainer.js';
import { startRun, resumeRun, CHECKPOINT } from '../src/runner/run.js';
import { decodeCheckpoint, encodeCheckpoint, loadCheckpoint, saveCheckpoint } from '../src/runfolder/checkpoint.js';
import { ring8 } from '../src/data/points.js';

const tiny = (overrides: Record<string, unknown> = {}): RunConfig =>
  resolveConfig({
    steps: 20,
    batchSize: 32,
    logEvery: 5,
    plotEvery: 1000,
    checkpointEvery: 5,
    evalSamples: 200,
    model: { noiseDim: 2, generator: { depth: 2, width: 16, activation: 'relu', layerNorm: false }, discriminator: { depth: 2, width: 16, activation: 'leakyRelu', layerNorm: false } },
    ...overrides,
  });

const tmp = () => mkdtempSync(join(tmpdir(), 'gankit-train-'));

function weights(t: Trainer): number[] {
  return [...t.G.variables, ...t.D.variables].flatMap((v) => Array.from(v.dataSync()));
}

describe('trainer', () => {
  before(() => initEngine());

  const INFO = { infogan: { categorical: [8], continuous: 1, lambdaCategorical: 1, lambdaContinuous: 1 } };

  for (const [loss, extra] of [['ns', {}], ['ns', INFO], ['began', {}]] as const) {
    it(`${loss}${'infogan' in extra ? ' + InfoGAN' : ''}: one pass over real and generated samples gives the two-pass losses and weights`, () => {
      const run = (onePass: boolean) => {
        const { trainer } = pointsTrainer(tiny({ loss, seed: 9, ...extra }));
        assert.equal(trainer.D.rowsIndependent, true);
        if (!onePass) Object.defineProperty(trainer.D, 'rowsIndependent', { value: false });
        const stats = Array.from({ length: 5 }, () => trainer.trainStep());
        const w = weights(trainer);
        trainer.dispose();
        return { stats, w };
      };
      const one = run(true);
      const two = run(false);
      one.stats.forEach((s, i) => {
        assert.ok(Math.abs(s.dLoss - two.stats[i].dLoss) <= 1e-5, `step ${i + 1} D loss ${s.dLoss} vs ${two.stats[i].dLoss}`);
        assert.ok(Math.abs(s.gLoss - two.stats[i].gLoss) <= 1e-5, `step ${i + 1} G loss ${s.gLoss} vs ${two.stats[i].gLoss}`);
      });
      one.w.forEach((v, i) => assert.ok(Math.abs(v - two.w[i]) <= 1e-5, `weight ${i}: ${v} vs ${two.w[i]}`));
    });
  }
  for (const [loss, extra] of [['ns', {}], ['wgan-gp', { nCritic: 1 }], ['began', {}], ['ns', INFO]] as const) {
    it(`${loss}: the tensor count stays flat over 520 steps`, () => {
      const { trainer } = pointsTrainer(tiny({ loss, steps: 520, batchSize: 16, ...extra }));
      for (let i = 0; i < 20; i++) trainer.trainStep();
      const before = tf.memory().numTensors;
      for (let i = 0; i < 500; i++) trainer.trainStep();
      assert.equal(tf.memory().numTensors, before, `${loss} leaks ${tf.memory().numTensors - before} tensors in 500 steps`);
      trainer.dispose();
    });
  }

  it('building and disposing a trainer leaves the tensor count where it was (every kind of 2-D net, EMA)', () => {
    for (const extra of [{ loss: 'ns' }, { loss: 'began' }, { loss: 'wgan-gp', ema: 0.99 }, { loss: 'ns', ...INFO }, { loss: 'ns', model: { noiseDim: 2, generator: { depth: 2, width: 8, activation: 'tanh', layerNorm: true }, discriminator: { depth: 2, width: 8, activation: 'elu', layerNorm: true } } }]) {
      const before = tf.memory().numTensors;
      pointsTrainer(tiny(extra)).trainer.dispose();
      assert.equal(tf.memory().numTensors, before, JSON.stringify(extra));
    }
  });

  it('InfoGAN: the codes become recoverable — L_I rises towards H(c) = log 8 on ring8', () => {
    const { trainer } = pointsTrainer(resolveConfig({ loss: 'ns', steps: 300, batchSize: 64, infogan: { categorical: [8], continuous: 0 } }));
    assert.deepEqual(trainer.config.infogan, { categorical: [8], continuous: 0, lambdaCategorical: 1, lambdaContinuous: 1 });
    const first = trainer.trainStep().diagnostics.mutualInformation;
    const qBefore = trainer.D.variables.slice(-2).map((v) => Array.from(v.dataSync()));
    let last = first;
    for (let i = 0; i < 299; i++) last = trainer.trainStep().diagnostics.mutualInformation;
    assert.ok(first < 1, `L_I starts low (${first})`);
    assert.ok(last > 1.8 && last <= Math.log(8) + 1e-6, `L_I after 300 steps: ${last} (log 8 = ${Math.log(8)})`);
    assert.notDeepEqual(trainer.D.variables.slice(-2).map((v) => Array.from(v.dataSync())), qBefore, 'Q head was trained');
    trainer.dispose();
  });

  it('EMA: samples come from the averaged weights, which trail the live ones', () => {
    const { trainer: plain } = pointsTrainer(tiny({ loss: 'ns', seed: 4 }));
    const { trainer: ema } = pointsTrainer(tiny({ loss: 'ns', seed: 4, ema: 0.9 }));
    for (let i = 0; i < 5; i++) {
      plain.trainStep();
      ema.trainStep();
    }
    assert.deepEqual(weights(ema), weights(plain), 'EMA must not change training itself');
    const a = plain.sample(64, new Rng(1));
    const b = ema.sample(64, new Rng(1));
    assert.notDeepEqual(Array.from(b), Array.from(a), 'EMA samples should differ from the live generator');
    const snap = ema.snapshot();
    assert.ok(Object.keys(snap.arrays).some((k) => k.startsWith('Gema/')), 'EMA weights are checkpointed');
    plain.dispose();
    ema.dispose();
  });

  it('is deterministic given a seed, and the seed matters', () => {
    const run = (seed: number) => {
      const { trainer } = pointsTrainer(tiny({ loss: 'wgan-gp', seed }));
      for (let i = 0; i < 4; i++) trainer.trainStep();
      const w = weights(trainer);
      trainer.dispose();
      return w;
    };
    assert.deepEqual(run(5), run(5));
    assert.notDeepEqual(run(5), run(6));
  });

  for (const loss of LOSS_NAMES) {
    it(`${loss}: trains through the one loop with finite statistics`, () => {
      const { trainer } = pointsTrainer(tiny({ loss }));
      const before = weights(trainer);
      let stats = trainer.trainStep();
      for (let i = 0; i < 2; i++) stats = trainer.trainStep();
      for (const k of ['dLoss', 'gLoss', 'gradNormD', 'gradNormG', 'realScore', 'fakeScore'] as const) assert.ok(Number.isFinite(stats[k]), `${loss}: ${k} = ${stats[k]}`);
      assert.notDeepEqual(weights(trainer), before, `${loss}: nothing was updated`);
      assert.equal(stats.criticSteps, loss === 'wgan' ? 100 : getLoss(loss).preset.nCritic, `${loss}: critic steps`);
      if (getLoss(loss).penalty) assert.ok(stats.penalty > 0, `${loss}: penalty ${stats.penalty}`);
      if (loss === 'wgan') {
        const c = trainer.config.hyper.clipValue!;
        assert.ok(trainer.D.variables.every((v) => Math.max(...Array.from(v.dataSync()).map(Math.abs)) <= c + 1e-9), 'critic weights clipped');
      }
      if (loss === 'began') assert.notEqual(trainer.state.k, 0, 'k moved');
      if (getLoss(loss).discriminator === 'critic' && ['wgan', 'wgan-gp'].includes(loss)) {
        assert.ok(Math.abs(stats.diagnostics.wassersteinEstimate - (stats.realScore - stats.fakeScore)) < 1e-6);
      }
      trainer.dispose();
    });
  }

  it('a stopped and resumed run ends with exactly the weights of an uninterrupted run', async () => {
    const config = tiny({ loss: 'wgan-gp', nCritic: 2, steps: 23 });
    const whole = join(tmp(), 'whole');
    const split = join(tmp(), 'split');
    await startRun(config, whole);
    const first = await startRun(config, split, { stopAfter: 12 }); // checkpoint at 10, stop at 12
    assert.equal(first.status, 'stopped');
    const resumed = await resumeRun(split);
    assert.equal(resumed.status, 'finished');
    const a = loadCheckpoint<{ step: number }>(join(whole, CHECKPOINT));
    const b = loadCheckpoint<{ step: number }>(join(split, CHECKPOINT));
    assert.equal(a.header.step, 23);
    assert.equal(b.header.step, 23);
    assert.deepEqual(Object.keys(a.arrays), Object.keys(b.arrays));
    for (const k of Object.keys(a.arrays)) assert.deepEqual(Array.from(b.arrays[k]), Array.from(a.arrays[k]), `${k} differs`);
    // metrics rows: one per logged step, none duplicated by the resume
    const steps = readFileSync(join(split, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l).step);
    assert.deepEqual(steps, [5, 10, 15, 20, 23]);
  });

  it('NaN in the data stops training in the step it appears, keeping the last good checkpoint', async () => {
    const config = tiny({ loss: 'ns', steps: 50, checkpointEvery: 4 });
    const data = ring8();
    let calls = 0;
    const poisoned: BatchSource = {
      batch: (rng: Rng, n: number) => {
        calls++;
        const x = data.sample(rng, n);
        if (calls === 7) x[3] = NaN; // the 7th batch = D step of generator step 7 (ns: one real batch per step)
        return tf.tensor2d(x, [n, 2]);
      },
    };
    const trainer = new Trainer(config, poisoned, pointsNetworks(config));
    for (let i = 0; i < 6; i++) trainer.trainStep();
    assert.throws(() => trainer.trainStep(), (e: Error) => e instanceof DivergenceError && e.step === 7 && /D loss/.test(e.message));
    trainer.dispose();

    const dir = join(tmp(), 'diverged');
    await assert.rejects(startRun(tiny({ loss: 'ns', steps: 50, checkpointEvery: 4, optimizerD: { name: 'sgd', lr: 1e30 }, optimizerG: { name: 'sgd', lr: 1e30 } }), dir), (e: Error) => {
      assert.ok(e instanceof DivergenceError, String(e));
      assert.match(e.message, /last good checkpoint \(step \d+\) is kept/);
      return true;
    });
    const summary = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8'));
    assert.equal(summary.status, 'diverged');
    const ckpt = loadCheckpoint<{ step: number }>(join(dir, CHECKPOINT));
    assert.equal(ckpt.header.step, summary.lastGoodCheckpointStep);
    assert.ok(ckpt.header.step < summary.step);
    for (const a of Object.values(ckpt.arrays)) assert.ok(a.every(Number.isFinite), 'the kept checkpoint is finite');
  });

  it('refuses to start in a folder that already holds a run', async () => {
    const dir = tmp();
    writeFileSync(join(dir, 'config.json'), '{}');
    await assert.rejects(startRun(tiny(), dir), /folder exists and is not empty/);
  });
});

describe('config', () => {
  it('defaults ← paper preset ← toy profile ← file/flags', () => {
    const d = resolveConfig();
    assert.equal(d.loss, 'wgan-gp');
    assert.equal(d.data.name, 'ring8');
    assert.equal(d.nCritic, 5); // paper
    assert.equal(d.hyper.lambda, 0.1); // the authors' 2-D toy code
    assert.equal(d.optimizerD.beta2, 0.9); // paper
    assert.equal(d.optimizerD.lr, 1e-3); // toy profile
    const paper = resolveConfig({ profile: 'paper' });
    assert.deepEqual([paper.hyper.lambda, paper.optimizerD.lr, paper.optimizerD.beta1, paper.lrSchedule], [10, 1e-4, 0, 'constant']);
    const user = resolveConfig({ loss: 'wgan', optimizerD: { lr: 0.5 }, hyper: { clipValue: 0.02 } });
    assert.deepEqual([user.optimizerD.name, user.optimizerD.lr, user.optimizerG.lr, user.hyper.clipValue, user.nCritic], ['rmsprop', 0.5, 1e-3, 0.02, 5]);
  });

  const bad: Array<[Record<string, unknown>, RegExp]> = [
    [{ loss: 'wgangp' }, /^loss: unknown loss 'wgangp'/],
    [{ optimizerD: { lr: -1 } }, /^optimizerD\.lr: must be a positive number, got -1/],
    [{ steps: 0 }, /^steps: must be a positive integer, got 0/],
    [{ batchSize: 2.5 }, /^batchSize: must be a positive integer/],
    [{ data: { name: 'rings' } }, /^data\.name: must be one of ring8/],
    [{ steps: '100' }, /^steps: must be a positive integer, got "100"/],
    [{ stpes: 100 }, /^stpes: unknown config field/],
    [{ hyper: { lamda: 1 } }, /^hyper\.lamda: unknown hyper-parameter/],
    [{ loss: 'began', hyper: { gamma: 2 } }, /^hyper\.gamma: must be a number in \[0, 1\]/],
    [{ model: { generator: { activation: 'swish' } } }, /^model\.generator\.activation: must be one of relu/],
    [{ profile: 'fast' }, /^profile: must be 'toy' or 'paper'/],
    [{ backend: 'gpu' }, /^backend: must be one of wasm, cpu, webgpu/],
    [{ seed: -3 }, /^seed: must be an integer/],
    [{ infogan: { categorical: [1] } }, /^infogan\.categorical\[0\]: must be an integer ≥ 2/],
    [{ loss: 'began', infogan: {} }, /^infogan: cannot be combined with 'began'/],
  ];
  for (const [overrides, message] of bad) {
    it(`rejects ${JSON.stringify(overrides)} naming the field`, () => {
      assert.throws(() => resolveConfig(overrides), (e: Error) => e instanceof ConfigError && message.test(e.message));
    });
  }
});

describe('checkpoints', () => {
  it('round-trip header and arrays exactly; torn or foreign files are refused by name', () => {
    const arrays = { a: new Float32Array([1, -2.5, 3e-8]), b: new Float32Array([]), c: Float32Array.from({ length: 1001 }, (_, i) => Math.sin(i)) };
    const buf = encodeCheckpoint({ step: 7, rng: [1, 2, 3, 4] }, arrays);
    const back = decodeCheckpoint<{ step: number }>(buf);
    assert.equal(back.header.step, 7);
    for (const k of Object.keys(arrays) as Array<keyof typeof arrays>) assert.deepEqual(Array.from(back.arrays[k]), Array.from(arrays[k]));
    assert.throws(() => decodeCheckpoint(buf.subarray(0, buf.length - 4), 'x.bin'), /^Error: x\.bin: truncated checkpoint|x\.bin: truncated checkpoint/);
    assert.throws(() => decodeCheckpoint(Buffer.from('hello world, not a checkpoint'), 'y.bin'), /y\.bin: not a gankit checkpoint/);
  });

  it('writes atomically: no temporary file is left and a second save replaces the first', () => {
    const dir = tmp();
    const path = join(dir, 'c.bin');
    saveCheckpoint(path, { step: 1 }, { w: new Float32Array([1]) });
    saveCheckpoint(path, { step: 2 }, { w: new Float32Array([2]) });
    assert.deepEqual(readdirSync(dir), ['c.bin']);
    assert.equal(loadCheckpoint<{ step: number }>(path).header.step, 2);
    assert.ok(!existsSync(path + `.tmp-${process.pid}`));
  });

  it('a trainer restored from its snapshot continues identically', () => {
    const config = tiny({ loss: 'began' });
    const { trainer: a } = pointsTrainer(config);
    for (let i = 0; i < 3; i++) a.trainStep();
    const snap = a.snapshot();
    const { trainer: b } = pointsTrainer(config);
    b.restore(snap.header, snap.arrays);
    for (let i = 0; i < 3; i++) {
      a.trainStep();
      b.trainStep();
    }
    assert.deepEqual(weights(b), weights(a));
    assert.deepEqual(b.state, a.state);
    a.dispose();
    b.dispose();
  });
});

describe('generator EMA', () => {
  it('warms up as min(decay, (1 + t) / (10 + t)) and is on by default for images only', async () => {
    const { emaDecay } = await import('../src/train/sampling.js');
    assert.equal(emaDecay(0.999, 1), 2 / 11);
    assert.equal(emaDecay(0.999, 90), 91 / 100);
    assert.equal(emaDecay(0.999, 20000), 0.999);
    assert.equal(emaDecay(0.5, 1), 2 / 11);
    assert.equal(emaDecay(0.5, 100), 0.5);
    assert.equal(resolveConfig({ data: { name: 'fashion-mnist' } }).ema, 0.999);
    assert.equal(resolveConfig({ data: { name: 'ring8' } }).ema, 0);
    assert.equal(resolveConfig({ data: { name: 'fashion-mnist' }, ema: 0 }).ema, 0);
  });
});

