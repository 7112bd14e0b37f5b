/**
 * Each loss against values computed by hand (float64 JavaScript, written from the paper's
 * formula, not from gankit's code), plus the identities the issue asks for.
 */
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { tf, initEngine } from '../src/index.js';
import * as L from '../src/losses/index.js';
import { assertClose } from './helpers/numeric.js';

const mean = (a: number[]) => a.reduce((s, v) => s + v, 0) / a.length;
const softplus = (t: number) => Math.max(t, 0) + Math.log1p(Math.exp(-Math.abs(t)));
const sigmoid = (t: number) => 1 / (1 + Math.exp(-t));
const relu = (t: number) => Math.max(0, t);

const REAL = [1.2, -0.4, 2.5, 0.3];
const FAKE = [-1.1, 0.7, -2.2, 0.05];

function value(f: () => tf.Tensor): number {
  const t = f();
  const v = t.dataSync()[0];
  t.dispose();
  return v;
}
const close = (actual: number, expected: number, what: string, tol = 1e-5) =>
  assertClose([actual], [expected], { atol: tol, rtol: tol, what });

describe('loss values', () => {
  let r: tf.Tensor;
  let f: tf.Tensor;
  before(async () => {
    await initEngine();
    r = tf.tensor(REAL);
    f = tf.tensor2d(FAKE, [4, 1]); // [N, 1] outputs are accepted as well as [N]
  });

  it('minimax D loss at D ≡ 0 is 2·log 2', () => {
    close(value(() => L.minimaxDiscriminatorLoss(tf.zeros([5]), tf.zeros([5]))), 2 * Math.log(2), 'L_D(0)');
  });

  it('minimax / non-saturating losses equal their log-sigmoid forms', () => {
    const dExpected = -mean(REAL.map((t) => Math.log(sigmoid(t)))) - mean(FAKE.map((t) => Math.log(1 - sigmoid(t))));
    close(value(() => L.minimaxDiscriminatorLoss(r, f)), dExpected, 'L_D');
    close(value(() => L.minimaxGeneratorLoss(f)), mean(FAKE.map((t) => Math.log(1 - sigmoid(t)))), 'minimax L_G');
    close(value(() => L.nonSaturatingGeneratorLoss(f)), -mean(FAKE.map((t) => Math.log(sigmoid(t)))), 'NS L_G');
  });

  it('logit forms stay finite where log σ would overflow', () => {
    close(value(() => L.nonSaturatingGeneratorLoss(tf.tensor([-100]))), 100, 'NS L_G(−100)', 1e-4);
    close(value(() => L.minimaxDiscriminatorLoss(tf.tensor([-100]), tf.tensor([100]))), 200, 'L_D(−100, 100)', 1e-4);
  });

  it('one-sided label smoothing is opt-in and changes only the real term', () => {
    const s = 0.1;
    const expected = mean(REAL.map((t) => (1 - s) * softplus(-t) + s * softplus(t))) + mean(FAKE.map(softplus));
    close(value(() => L.minimaxDiscriminatorLoss(r, f, { realLabelSmoothing: s })), expected, 'smoothed L_D');
    close(value(() => L.minimaxDiscriminatorLoss(r, f, { realLabelSmoothing: 0 })), value(() => L.minimaxDiscriminatorLoss(r, f)), 'default = no smoothing');
    assert.throws(() => L.minimaxDiscriminatorLoss(r, f, { realLabelSmoothing: 1.5 }), /realLabelSmoothing/);
  });

  it('LSGAN, both codings, with the ½ factors and no sigmoid', () => {
    for (const [name, { a, b, c }] of Object.entries(L.LSGAN_CODINGS)) {
      const d = 0.5 * mean(REAL.map((t) => (t - b) ** 2)) + 0.5 * mean(FAKE.map((t) => (t - a) ** 2));
      const g = 0.5 * mean(FAKE.map((t) => (t - c) ** 2));
      close(value(() => L.lsganDiscriminatorLoss(r, f, { a, b, c })), d, `${name} L_D`);
      close(value(() => L.lsganGeneratorLoss(f, { a, b, c })), g, `${name} L_G`);
    }
    assert.deepEqual(L.LSGAN_CODINGS['0-1-1'], { a: 0, b: 1, c: 1 });
    assert.deepEqual(L.LSGAN_CODINGS.chi2, { a: -1, b: 1, c: 0 });
  });

  it('LSGAN presets differ exactly as the formula says', () => {
    // ½E[(f+1)²] − ½E[f²] = E[f] + ½ for D;  ½E[f²] − ½E[(f−1)²] = E[f] − ½ for G.
    const dDiff = value(() => L.lsganDiscriminatorLoss(r, f, L.LSGAN_CODINGS.chi2)) - value(() => L.lsganDiscriminatorLoss(r, f, L.LSGAN_CODINGS['0-1-1']));
    const gDiff = value(() => L.lsganGeneratorLoss(f, L.LSGAN_CODINGS.chi2)) - value(() => L.lsganGeneratorLoss(f, L.LSGAN_CODINGS['0-1-1']));
    close(dDiff, mean(FAKE) + 0.5, 'D(chi2) − D(0-1-1)');
    close(gDiff, mean(FAKE) - 0.5, 'G(chi2) − G(0-1-1)');
  });

  it('WGAN critic and generator losses, and the Wasserstein estimate', () => {
    close(value(() => L.wassersteinCriticLoss(r, f)), mean(FAKE) - mean(REAL), 'L_D');
    close(value(() => L.wassersteinGeneratorLoss(f)), -mean(FAKE), 'L_G');
    close(value(() => L.wassersteinEstimate(r, f)), mean(REAL) - mean(FAKE), 'W estimate');
  });

  it('weight clipping clips to [−c, c] and leaves values inside alone', () => {
    const v = tf.variable(tf.tensor([-0.5, -0.005, 0, 0.003, 0.02]));
    L.clipWeights([v], 0.01);
    assertClose(v.dataSync(), [-0.01, -0.005, 0, 0.003, 0.01], { atol: 1e-7, rtol: 0, what: 'clipped' });
    v.dispose();
  });

  it('WGAN critic schedule: 100 steps for the first 25 G steps and every 500th, else n_critic', () => {
    const schedule = { nCritic: 5, warmup: true };
    assert.deepEqual([0, 24, 25, 499, 500, 501, 1000].map((t) => L.criticStepsFor(t, schedule)), [100, 100, 5, 5, 100, 5, 100]);
    assert.equal(L.criticStepsFor(0, { nCritic: 5, warmup: false }), 5);
  });

  it('hinge', () => {
    close(value(() => L.hingeDiscriminatorLoss(r, f)), mean(REAL.map((t) => relu(1 - t))) + mean(FAKE.map((t) => relu(1 + t))), 'L_D');
    close(value(() => L.hingeGeneratorLoss(f)), -mean(FAKE), 'L_G');
  });

  it('relativistic losses, with the ½ of the paper', () => {
    const mr = mean(REAL);
    const mf = mean(FAKE);
    const rs = mean(REAL.map((t, i) => softplus(-(t - FAKE[i]))));
    close(value(() => L.rsganDiscriminatorLoss(r, f)), rs, 'RSGAN L_D');
    close(value(() => L.rsganGeneratorLoss(r, f)), mean(FAKE.map((t, i) => softplus(-(t - REAL[i])))), 'RSGAN L_G');
    const half = (x: number, y: number) => 0.5 * (x + y);
    close(value(() => L.rasganDiscriminatorLoss(r, f)), half(mean(REAL.map((t) => softplus(-(t - mf)))), mean(FAKE.map((t) => softplus(t - mr)))), 'RaSGAN L_D');
    close(value(() => L.rasganGeneratorLoss(r, f)), half(mean(FAKE.map((t) => softplus(-(t - mr)))), mean(REAL.map((t) => softplus(t - mf)))), 'RaSGAN L_G');
    close(value(() => L.ralsganDiscriminatorLoss(r, f)), half(mean(REAL.map((t) => (t - mf - 1) ** 2)), mean(FAKE.map((t) => (t - mr + 1) ** 2))), 'RaLSGAN L_D');
    close(value(() => L.ralsganGeneratorLoss(r, f)), half(mean(FAKE.map((t) => (t - mr - 1) ** 2)), mean(REAL.map((t) => (t - mf + 1) ** 2))), 'RaLSGAN L_G');
    close(value(() => L.rahingeDiscriminatorLoss(r, f)), half(mean(REAL.map((t) => relu(1 - (t - mf)))), mean(FAKE.map((t) => relu(1 + (t - mr))))), 'RaHinge L_D');
    close(value(() => L.rahingeGeneratorLoss(r, f)), half(mean(FAKE.map((t) => relu(1 - (t - mr)))), mean(REAL.map((t) => relu(1 + (t - mf))))), 'RaHinge L_G');
  });

  it('BEGAN: L1 autoencoder loss, L_D with k, clipped k update, convergence measure', () => {
    const x = [0.5, -0.25, 1, 0];
    const ae = [0.25, 0.25, 0.5, -0.5];
    close(value(() => L.autoencoderLoss(tf.tensor2d(x, [2, 2]), tf.tensor2d(ae, [2, 2]))), mean(x.map((v, i) => Math.abs(v - ae[i]))), 'L(v)');
    close(value(() => L.beganDiscriminatorLoss(tf.tensor([0.3, 0.5]), tf.tensor([0.2, 0.6]), 0.25)), 0.4 - 0.25 * 0.4, 'L_D');
    close(value(() => L.beganGeneratorLoss(tf.tensor([0.2, 0.6]))), 0.4, 'L_G');
    close(L.updateK(0.1, 0.4, 0.1, { gamma: 0.5, lambdaK: 0.001 }), 0.1 + 0.001 * (0.2 - 0.1), 'k update');
    assert.equal(L.updateK(0, 0.1, 5, { gamma: 0.5 }), 0, 'k clipped at 0');
    assert.equal(L.updateK(0.9999, 100, 0, { gamma: 1, lambdaK: 0.001 }), 1, 'k clipped at 1');
    close(L.convergenceMeasure(0.4, 0.1, 0.5), 0.4 + Math.abs(0.2 - 0.1), 'M_global');
  });

  it('ACGAN auxiliary cross-entropy', () => {
    const logits = [[2, 0.5, -1], [0.1, 0.2, 3]];
    const labels = [0, 1];
    const ce = mean(logits.map((row, i) => -(row[labels[i]] - Math.log(row.reduce((s, v) => s + Math.exp(v), 0)))));
    const onehot = tf.oneHot(tf.tensor1d(labels, 'int32'), 3).toFloat();
    const lg = tf.tensor2d(logits);
    close(value(() => L.acganGeneratorClassLoss(lg, onehot)), ce, 'CE fake');
    close(value(() => L.acganDiscriminatorClassLoss(lg, onehot, lg, onehot)), 2 * ce, 'CE real + fake');
  });

  it('InfoGAN lower bound: H(c) − CE for a categorical code and a fixed-σ Gaussian', () => {
    const spec = { categorical: [3], continuous: 1 };
    const logits = [[1, 0, -1], [0.5, 0.5, 2]];
    const idx = [0, 2];
    const cont = [0.4, -0.8];
    const mu = [0.1, -0.5];
    const logSumExp = (row: number[]) => Math.log(row.reduce((s, v) => s + Math.exp(v), 0));
    const ceCat = mean(logits.map((row, i) => logSumExp(row) - row[idx[i]]));
    const nll = mean(cont.map((c, i) => 0.5 * Math.log(2 * Math.PI) + 0.5 * (c - mu[i]) ** 2));
    const expected = Math.log(3) - ceCat + (Math.log(2) - nll);
    close(L.codeEntropy(spec), Math.log(3) + Math.log(2), 'H(c)');
    const codes = {
      categorical: [tf.oneHot(tf.tensor1d(idx, 'int32'), 3).toFloat() as tf.Tensor2D],
      continuous: tf.tensor2d(cont, [2, 1]),
      categoricalIndices: [Int32Array.from(idx)],
    };
    const terms = L.mutualInformation({ categoricalLogits: [tf.tensor2d(logits)], continuousMean: tf.tensor2d(mu, [2, 1]) }, codes);
    close(terms.lowerBound.dataSync()[0], expected, 'L_I');
    close(terms.weightedBound.dataSync()[0], expected, 'λ = 1');
    const weighted = L.mutualInformation({ categoricalLogits: [tf.tensor2d(logits)], continuousMean: tf.tensor2d(mu, [2, 1]) }, codes, { lambdaContinuous: 0.1 });
    close(weighted.weightedBound.dataSync()[0], Math.log(3) - ceCat + 0.1 * (Math.log(2) - nll), 'λ_cont = 0.1');
  });

  it('InfoGAN learned σ: Gaussian NLL uses log σ', () => {
    const codes = { categorical: [], continuous: tf.tensor2d([0.3], [1, 1]), categoricalIndices: [] };
    const terms = L.mutualInformation({ categoricalLogits: [], continuousMean: tf.tensor2d([0], [1, 1]), continuousLogStd: tf.tensor2d([Math.log(0.5)], [1, 1]) }, codes);
    const nll = 0.5 * Math.log(2 * Math.PI) + Math.log(0.5) + 0.5 * (0.3 / 0.5) ** 2;
    close(terms.lowerBound.dataSync()[0], Math.log(2) - nll, 'L_I with σ = 0.5');
  });
});
