/**
 * The registry: every loss by name with its paper preset; each D and G loss differentiable
 * w.r.t. D's outputs (vs finite differences); no tensor leaks; InfoGAN's term reaches G and Q.
 */
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { tf, Rng, initEngine, resolveConfig } from '../src/index.js';
import * as L from '../src/losses/index.js';
import { assertClose, centralDifference } from './helpers/numeric.js';
import { mlpCritic } from './helpers/nets.js';

const EXPECTED = ['ns', 'minimax', 'lsgan', 'wgan', 'wgan-gp', 'dragan', 'began', 'hinge', 'rsgan', 'rasgan', 'ralsgan', 'rahinge', 'r1', 'r2'];

describe('loss registry', () => {
  before(() => initEngine());

  it('lists every loss the issue names', () => {
    for (const name of EXPECTED) assert.ok(L.LOSS_NAMES.includes(name), `${name} is not registered`);
    for (const name of EXPECTED) assert.equal(L.getLoss(name).name, name);
    assert.deepEqual(L.VARIANTS.map((v) => v.name), ['cgan', 'acgan', 'infogan']);
  });

  it('an unknown name gives one error that lists the choices', () => {
    assert.throws(() => L.getLoss('wgangp'), /unknown loss 'wgangp' \(choose one of ns, minimax/);
    assert.throws(() => L.getVariant('vae'), /unknown variant 'vae'/);
  });

  it('presets carry the papers\u2019 defaults (losses.md)', () => {
    const wgan = L.getLoss('wgan').preset;
    assert.deepEqual([wgan.optimizerD.name, wgan.optimizerD.lr, wgan.nCritic, wgan.hyper.clipValue, wgan.batchSize, wgan.hyper.warmup], ['rmsprop', 5e-5, 5, 0.01, 64, true]);
    const gp = L.getLoss('wgan-gp').preset;
    assert.deepEqual([gp.optimizerD.name, gp.optimizerD.lr, gp.optimizerD.beta1, gp.optimizerD.beta2, gp.nCritic, gp.hyper.lambda], ['adam', 1e-4, 0, 0.9, 5, 10]);
    const dragan = L.getLoss('dragan').preset;
    assert.deepEqual([dragan.optimizerD.lr, dragan.optimizerD.beta1, dragan.optimizerD.beta2, dragan.nCritic, dragan.hyper.lambda, dragan.hyper.noiseScale], [1e-4, 0.5, 0.9, 1, 10, 0.5]);
    const ns = L.getLoss('ns').preset;
    assert.deepEqual([ns.optimizerD.lr, ns.optimizerD.beta1, ns.optimizerD.beta2, ns.nCritic, ns.hyper.realLabelSmoothing], [2e-4, 0.5, 0.999, 1, 0]);
    const began = L.getLoss('began');
    assert.deepEqual([began.preset.hyper.gamma, began.preset.hyper.lambdaK, began.initialState().k], [0.5, 0.001, 0]);
    assert.equal(L.getLoss('lsgan').preset.hyper.coding, '0-1-1');
    assert.equal(L.getLoss('r1').preset.hyper.gamma, 10);
    const info = L.getVariant('infogan');
    const codes = resolveConfig({ loss: 'infogan' }).infogan!;
    assert.deepEqual([info.preset.optimizerD.lr, info.preset.optimizerG.lr, codes.lambdaCategorical, { categorical: codes.categorical, continuous: codes.continuous }], [2e-4, 1e-3, 1, { categorical: [10], continuous: 2 }]);
    for (const loss of L.listLosses()) assert.ok(loss.preset.source.length > 10, `${loss.name} says where its preset comes from`);
  });

  // Every registered loss, not a hand-kept list: a new entry is checked without touching this file.
  for (const name of L.LOSS_NAMES) {
    it(`${name}: D and G losses are finite scalars whose gradients w.r.t. D's outputs match finite differences`, () => {
      const loss = L.getLoss(name);
      const hyper = loss.preset.hyper;
      const state = { ...loss.initialState(), ...(name === 'began' ? { k: 0.3 } : {}) };
      // Outputs away from every kink (hinge at ±1, relativistic hinge at ±1 of the mean differences).
      const real = new Float32Array(loss.discriminator === 'autoencoder' ? [0.31, 0.52, 0.17, 0.44] : [1.37, -0.42, 2.21, 0.63]);
      const fake = new Float32Array(loss.discriminator === 'autoencoder' ? [0.28, 0.61, 0.09, 0.35] : [-1.58, 0.37, -0.21, 0.83]);
      for (const which of ['discriminatorLoss', 'generatorLoss'] as const) {
        const evaluate = (r: Float32Array, f: Float32Array) => tf.tidy(() => loss[which]({ real: tf.tensor(r), fake: tf.tensor(f) }, hyper, state).dataSync()[0]);
        assert.ok(Number.isFinite(evaluate(real, fake)), `${name} ${which} is finite`);
        const usesReal = which === 'discriminatorLoss' || loss.generatorUsesReal;
        const numericReal = centralDifference((r) => evaluate(r, fake), real, 1e-3);
        const numericFake = centralDifference((f) => evaluate(real, f), fake, 1e-3);
        if (usesReal) {
          const [gReal, gFake] = tf.tidy(() =>
            tf.grads((r: tf.Tensor, f: tf.Tensor) => loss[which]({ real: r, fake: f }, hyper, state))([tf.tensor(real), tf.tensor(fake)]).map((t) => t.dataSync()),
          );
          assertClose(gReal, numericReal, { what: `${name} ${which} d/dreal` });
          assertClose(gFake, numericFake, { what: `${name} ${which} d/dfake` });
        } else {
          const gFake = tf.tidy(() => tf.grad((f: tf.Tensor) => loss[which]({ real: tf.tensor(real), fake: f }, hyper, state))(tf.tensor(fake)).dataSync());
          assertClose(gFake, numericFake, { what: `${name} ${which} d/dfake` });
          assert.ok(numericReal.every((g) => g === 0), `${name}: the G loss should not read D(real)`);
        }
      }
    });
  }

  it('every registered loss, penalty included, leaks no tensors over a D and a G gradient step', () => {
    const net = mlpCritic(5);
    const real = new Rng(1).normal([8, 2]);
    const fake = new Rng(2).normal([8, 2]);
    const rng = new Rng(3);
    for (const loss of L.listLosses()) {
      const hyper = loss.preset.hyper;
      const state = loss.initialState();
      const step = () => {
        const d = tf.variableGrads(() => {
          const outputs = { real: net.apply(real), fake: net.apply(fake) };
          const adversarial = loss.discriminatorLoss(loss.discriminator === 'autoencoder' ? { real: tf.abs(outputs.real), fake: tf.abs(outputs.fake) } : outputs, hyper, state);
          return loss.penalty ? tf.add(adversarial, loss.penalty({ critic: net.apply, real, fake, rng }, hyper)) as tf.Scalar : adversarial;
        }, net.variables);
        const g = tf.variableGrads(() => loss.generatorLoss({ real: net.apply(real), fake: net.apply(fake) }, hyper, state), net.variables);
        for (const r of [d, g]) {
          r.value.dispose();
          Object.values(r.grads).forEach((t) => t.dispose());
        }
      };
      step();
      const before = tf.memory().numTensors;
      for (let i = 0; i < 3; i++) step();
      assert.equal(tf.memory().numTensors, before, `${loss.name} leaks tensors`);
    }
    net.variables.forEach((v) => v.dispose());
  });

  it('state and diagnostics: BEGAN updates k; critics report the Wasserstein estimate', () => {
    const began = L.getLoss('began');
    const next = began.nextState({ k: 0.2 }, { real: 0.4, fake: 0.1 }, began.preset.hyper);
    assert.ok(Math.abs(next.k - (0.2 + 0.001 * (0.5 * 0.4 - 0.1))) < 1e-12);
    assert.deepEqual(began.diagnostics({ real: 0.4, fake: 0.1 }, began.preset.hyper, { k: 0.2 }), { k: 0.2, convergence: 0.4 + Math.abs(0.2 - 0.1) });
    assert.deepEqual(L.getLoss('wgan-gp').diagnostics({ real: 1.5, fake: -0.5 }, {}, {}), { wassersteinEstimate: 2 });
    const v = tf.variable(tf.tensor([0.5, -0.5, 0.001]));
    L.getLoss('wgan').afterDiscriminatorStep!([v], { clipValue: 0.01 });
    assertClose(v.dataSync(), [0.01, -0.01, 0.001], { atol: 1e-8, rtol: 0, what: 'clipped by the registry hook' });
    v.dispose();
  });

  it('InfoGAN: the mutual-information term has non-zero gradients w.r.t. both G and Q weights', () => {
    const rng = new Rng(4);
    const spec = { categorical: [4], continuous: 2 };
    const n = 8;
    const gW = tf.variable(rng.normal([3 + 4 + 2, 5], 0, 0.5), true, 'G_w');
    const qBody = tf.variable(rng.normal([5, 6], 0, 0.5), true, 'Q_body');
    const qCat = tf.variable(rng.normal([6, 4], 0, 0.5), true, 'Q_cat');
    const qMean = tf.variable(rng.normal([6, 2], 0, 0.5), true, 'Q_mean');
    const z = rng.normal([n, 3]);
    const codes = L.sampleCodes(rng, spec, n);
    const vars = [gW, qBody, qCat, qMean];
    const { value, grads } = tf.variableGrads(() => {
      const x = tf.tanh(tf.matMul(tf.concat([z, L.concatCodes(codes)], 1), gW)); // G(z, c)
      const h = tf.leakyRelu(tf.matMul(x, qBody), 0.2); // D/Q shared body
      const terms = L.mutualInformation({ categoricalLogits: [tf.matMul(h, qCat)], continuousMean: tf.matMul(h, qMean) }, codes);
      return tf.neg(terms.weightedBound) as tf.Scalar; // −λ L_I is what both players minimise
    }, vars);
    for (const v of vars) {
      const g = grads[v.name];
      assert.ok(g, `no gradient reached ${v.name}`);
      assert.ok(tf.tidy(() => tf.norm(g).dataSync()[0]) > 1e-4, `zero gradient for ${v.name}`);
    }
    assert.ok(value.dataSync()[0] > -L.codeEntropy(spec) - 1e-6, 'L_I ≤ H(c)');
    value.dispose();
    Object.values(grads).forEach((g) => g.dispose());
  });
});
