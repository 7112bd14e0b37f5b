/**
 * Spectral normalisation (src/models/spectral.ts): the power iteration's σ against the exact
 * largest singular value (float64 here), W/σ's derivatives against finite differences (first
 * order, and second order through a gradient penalty on an SN critic), the weights unchanged by
 * turning it on, u and v in checkpoints (a stopped and resumed run is bit-identical), a flat tensor
 * count, and the config's refusal for BEGAN.
 */
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tf, Rng } from '../src/engine/index.js';
import { SpectralNorm } from '../src/models/spectral.js';
import { MlpCritic } from '../src/models/mlpNets.js';
import { ConvGenerator, ConvDiscriminator } from '../src/models/conv.js';
import { resolveConfig, ConfigError } from '../src/train/config.js';
import { startRun, resumeRun } from '../src/runner/run.js';
import { loadCheckpoint } from '../src/runfolder/checkpoint.js';
import { buildLayersModel, disposeLayers } from '../src/export/layersModel.js';
import { assertClose, centralDifference, useBackend } from './helpers/numeric.js';

/** The largest singular value of a rows × cols matrix, in float64 (power iteration on MᵀM to convergence). */
function exactSigma(m: Float32Array, rows: number, cols: number): number {
  let x = Array.from({ length: cols }, (_, i) => 1 + i / cols);
  let sigma = 0;
  for (let it = 0; it < 5000; it++) {
    const y = new Array(rows).fill(0);
    for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) y[r] += m[r * cols + c] * x[c];
    const z = new Array(cols).fill(0);
    for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) z[c] += m[r * cols + c] * y[r];
    const norm = Math.hypot(...z);
    x = z.map((v) => v / norm);
    sigma = Math.sqrt(norm);
  }
  return sigma;
}

describe('spectral norm', () => {
  before(() => useBackend('wasm'));

  for (const shape of [[7, 5], [3, 3, 2, 4], [40, 1]]) {
    it(`σ of a ${shape.join('×')} weight converges to its largest singular value; W/σ then has norm 1`, () => {
      const rng = new Rng(3);
      const w = tf.variable(rng.normal(shape));
      const cols = shape[shape.length - 1];
      const rows = w.size / cols;
      const exact = exactSigma(w.dataSync() as Float32Array, rows, cols);
      const sn = new SpectralNorm([w], [0], new Rng(4), 'test');
      const first = sn.sigmas([w])[0];
      assert.ok(first > 0 && first <= exact * (1 + 1e-5), `a Rayleigh-type estimate never exceeds σ: ${first} vs ${exact}`);
      for (let i = 0; i < 60; i++) sn.iterate([w]);
      const estimate = sn.sigmas([w])[0];
      assert.ok(Math.abs(estimate - exact) / exact < 1e-4, `σ ${estimate} vs exact ${exact}`);
      const normalised = tf.tidy(() => sn.apply([w])[0].dataSync() as Float32Array);
      assert.ok(Math.abs(exactSigma(normalised, rows, cols) - 1) < 1e-4);
      sn.dispose();
      w.dispose();
    });
  }

  it('W/σ(W) with u, v fixed: the gradient matches finite differences', () => {
    const rng = new Rng(5);
    const w0 = rng.normal([4, 3]).dataSync() as Float32Array;
    const r = rng.normal([4, 3]);
    const holder = tf.variable(tf.tensor(w0, [4, 3]));
    const sn = new SpectralNorm([holder], [0], new Rng(6), 'test');
    sn.iterate([holder]);
    const f = (w: tf.Tensor) => tf.sum(tf.mul(tf.square(sn.apply([w])[0]), r));
    const analytic = tf.tidy(() => tf.grad(f)(tf.tensor(w0, [4, 3])).dataSync() as Float32Array);
    const numeric = centralDifference((v) => tf.tidy(() => f(tf.tensor(v, [4, 3])).dataSync()[0]), w0, 1e-3);
    assertClose(analytic, numeric, { what: '∂f/∂W' });
    sn.dispose();
    tf.dispose([holder, r]);
  });

  it('second order: a gradient penalty on an SN critic matches finite differences', () => {
    const critic = new MlpCritic(2, { depth: 2, width: 8, activation: 'leakyRelu', layerNorm: false }, new Rng(7), 0, true);
    critic.beginStep();
    const x = new Rng(8).normal([6, 2]);
    const first = critic.net.variables[0];
    const w0 = first.dataSync().slice() as Float32Array;
    // P = mean (‖∇x D(x)‖ − 1)², a function of the first weight (the others fixed).
    const penalty = () => {
      const gx = tf.grad((xx: tf.Tensor) => tf.sum(critic.score(xx)))(x);
      return tf.mean(tf.square(tf.sub(tf.norm(gx, 'euclidean', 1), 1))) as tf.Scalar;
    };
    const before = tf.memory().numTensors;
    const analytic = tf.tidy(() => {
      const { grads } = tf.variableGrads(penalty, [first]);
      return grads[first.name].dataSync() as Float32Array;
    });
    assert.equal(tf.memory().numTensors, before, 'no tensors leaked');
    const numeric = centralDifference((v) => {
      first.assign(tf.tensor(v, first.shape));
      return tf.tidy(() => penalty().dataSync()[0]);
    }, w0, 1e-3);
    first.assign(tf.tensor(w0, first.shape));
    assertClose(analytic, numeric, { atol: 3e-3, rtol: 3e-2, what: '∂P/∂W' });
    critic.dispose();
    x.dispose();
  });

  it('turning it on changes no weight; the conv D normalises its conv and dense weights, not the Q head', () => {
    const opts = { arch: 'dcgan28' as const, channels: 1, norm: 'none' as const, headDim: 4, headKind: 'linear' as const };
    const plain = new ConvDiscriminator(opts, new Rng(9));
    const sn = new ConvDiscriminator({ ...opts, spectralNorm: true }, new Rng(9));
    plain.variables.forEach((v, i) => assert.deepEqual(Array.from(sn.variables[i].dataSync()), Array.from(v.dataSync()), `weight ${i}`));
    // conv0, conv1, out (dcgan28 has no hidden FC); the linear head is left alone.
    assert.equal(sn.sigmas().length, 3);
    assert.equal(sn.state.length, 6);
    plain.dispose();
    sn.dispose();
  });

  it('spectral norm on G (--sn-g): its dense and transposed-conv weights converge to σ = 1; samples, standing statistics and export use W/σ; Gstate is checkpointed', async () => {
    const plain = new ConvGenerator(8, 'dcgan28', 1, new Rng(3));
    const G = new ConvGenerator(8, 'dcgan28', 1, new Rng(3), true);
    plain.variables.forEach((v, i) => assert.deepEqual(Array.from(G.variables[i].dataSync()), Array.from(v.dataSync()), `weight ${i} unchanged`));
    assert.equal(G.state.length, 6, 'fc, deconv0, deconv1: u and v each');
    for (let i = 0; i < 500; i++) G.beginStep();
    // The FC weight [out, in] as stored: σ from the power iteration equals the exact largest singular value.
    const w = G.variables[0];
    const exact = exactSigma(w.dataSync() as Float32Array, w.shape[0]!, w.shape[1]!);
    assertClose([G.spectralNorms()[0]], [exact], { atol: 1e-4, rtol: 1e-4, what: 'σ(fc)' });
    // The generator computes with W/σ: scaling a weight by 3 leaves the output unchanged (BN aside, exactly up to rounding).
    const z = new Rng(4).normal([6, 8]);
    const before = G.generate(z).dataSync();
    tf.tidy(() => G.variables[0].assign(tf.mul(G.variables[0], 3)));
    const after = G.generate(z).dataSync();
    assertClose(after, before, { atol: 1e-4, rtol: 0, what: 'G(z) with W and 3W' });
    const moments = G.normMoments(z);
    const standing = moments.flatMap((t, i) => (i % 2 ? [] : [t, tf.relu(tf.sub(moments[i + 1], tf.square(t)))]));
    const layers = G.exportLayers(G.variables, standing);
    const model = buildLayersModel(8, layers);
    disposeLayers(layers);
    const d = tf.tidy(() => tf.max(tf.abs(tf.sub(G.generate(z, undefined, standing), model.predict(z) as tf.Tensor))).dataSync()[0]);
    assert.ok(d < 1e-5, `the export holds W/σ: max |Δ| ${d}`);
    model.dispose();
    tf.dispose([z, ...moments, ...standing]);
    plain.dispose();
    G.dispose();
    // In a run: Gstate in the checkpoint; 2-D data refuses it.
    const dir = join(mkdtempSync(join(tmpdir(), 'gankit-sng-')), 'run');
    await startRun(resolveConfig({ loss: 'hinge', data: { name: 'mnist' }, steps: 2, batchSize: 8, evalSamples: 64, plotEvery: 2, model: { noiseDim: 8, sn: true, snG: true } }), dir);
    const ck = loadCheckpoint(join(dir, 'checkpoint.bin'));
    assert.equal(Object.keys(ck.arrays).filter((k) => k.startsWith('Gstate/')).length, 6);
    assert.throws(() => resolveConfig({ data: { name: 'ring8' }, model: { snG: true } }), /model\.snG/);
  });

  it('a stopped and resumed SN run ends bit-identical (u and v are checkpointed); BEGAN is refused', async () => {
    const tiny = { loss: 'ns', data: { name: 'ring8' }, steps: 40, logEvery: 10, checkpointEvery: 20, plotEvery: 40, evalSamples: 200, model: { sn: true, noiseDim: 2, generator: { depth: 2, width: 16, activation: 'relu', layerNorm: false }, discriminator: { depth: 2, width: 16, activation: 'relu', layerNorm: false } } };
    const whole = join(mkdtempSync(join(tmpdir(), 'gankit-sn-')), 'run');
    await startRun(resolveConfig(tiny), whole);
    const parted = join(mkdtempSync(join(tmpdir(), 'gankit-sn-')), 'run');
    const first = await startRun(resolveConfig(tiny), parted, { stopAfter: 20 });
    assert.equal(first.status, 'stopped');
    await resumeRun(parted);
    const a = loadCheckpoint(join(whole, 'checkpoint.bin'));
    const b = loadCheckpoint(join(parted, 'checkpoint.bin'));
    assert.ok(Object.keys(a.arrays).some((k) => k.startsWith('Dstate/')), 'u and v are in the checkpoint');
    for (const k of Object.keys(a.arrays)) assert.deepEqual(Array.from(b.arrays[k]), Array.from(a.arrays[k]), `${k} differs after stop + resume`);
    assert.throws(() => resolveConfig({ ...tiny, loss: 'began' }), (e: unknown) => e instanceof ConfigError && /model\.sn: began's discriminator is an autoencoder/.test(e.message));
  });
});
