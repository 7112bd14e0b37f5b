/**
 * Convolutional models: output shapes and ranges, per-sample scoring where the penalties need
 * it, conditioning that actually reads the label, the auxiliary head, BEGAN's autoencoder, and the
 * WGAN-GP penalty's gradient w.r.t. a conv critic's weights against finite differences.
 */
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { tf, Rng, initEngine } from '../src/index.js';
import { ConvGenerator, ConvDiscriminator, ConvAutoencoder, DecoderGenerator, discriminatorNormFor } from '../src/models/conv.js';
import { wganGpPenalty } from '../src/losses/gradientPenalty.js';
import { assertClose } from './helpers/numeric.js';
import { resolveConfig } from '../src/train/config.js';

describe('convolutional models', () => {
  before(() => initEngine());

  it('generators: lucic28, dcgan28, dcgan32, dcgan64 shapes, tanh range, latent size', () => {
    for (const [arch, channels, size] of [['lucic28', 1, 28], ['dcgan28', 1, 28], ['dcgan32', 3, 32], ['dcgan64', 3, 64]] as const) {
      const G = new ConvGenerator(20, arch, channels, new Rng(1));
      const y = G.generate(new Rng(2).normal([4, 20]));
      assert.deepEqual(y.shape, [4, size, size, channels]);
      assert.deepEqual(G.sampleShape, [size, size, channels]);
      const v = y.dataSync();
      assert.ok(v.every((p) => p > -1 && p < 1), `${arch}: tanh output`);
      assert.ok(Math.max(...v) - Math.min(...v) > 1e-4, `${arch}: output is not constant`);
      tf.dispose(y);
      G.dispose();
    }
  });

  it("lucic28's G: a 1024-unit hidden FC layer by default, model.fcG units when set (and only on lucic28)", () => {
    // FC z → h (+ BN γ, β) → FC h → 7·7·128 (+ BN) → deconv 128 → 64 (+ BN) → deconv 64 → 1.
    const count = (h: number) => 20 * h + h + 2 * h + h * 6272 + 6272 + 2 * 6272 + 16 * 128 * 64 + 64 + 2 * 64 + 16 * 64 + 1;
    for (const [fc, h] of [[undefined, 1024], [256, 256]] as const) {
      const G = new ConvGenerator(20, 'lucic28', 1, new Rng(1), false, fc);
      assert.equal(G.variables.reduce((n, v) => n + v.size, 0), count(h), `fcG ${fc}`);
      const y = G.generate(new Rng(2).normal([4, 20]));
      assert.deepEqual(y.shape, [4, 28, 28, 1]);
      tf.dispose(y);
      G.dispose();
    }
    assert.throws(() => new ConvGenerator(20, 'dcgan28', 1, new Rng(1), false, 256), /no hidden FC/);
    assert.equal(resolveConfig({ data: { name: 'mnist' }, model: { arch: 'lucic28', fcG: 256 } }).model.fcG, 256);
    assert.equal(resolveConfig({ data: { name: 'mnist' }, model: { arch: 'lucic28' } }).model.fcG, undefined, 'absent unless set: older configs resolve as before');
    assert.throws(() => resolveConfig({ data: { name: 'mnist' }, model: { fcG: 256 } }), /model\.fcG: G's hidden FC layer is lucic28's; dcgan28 has none/);
    assert.throws(() => resolveConfig({ data: { name: 'ring8' }, model: { fcG: 256 } }), /model\.fcG: .*2-D data/);
    assert.throws(() => resolveConfig({ data: { name: 'mnist' }, model: { arch: 'lucic28', fcG: 0 } }), /model\.fcG/);
  });

  it("began28's generator has the autoencoder decoder's architecture, its own weights, and scores each z on its own", () => {
    const shape = { height: 28, width: 28, channels: 1 };
    const G = new DecoderGenerator(20, shape, new Rng(1));
    const D = new ConvAutoencoder(shape, new Rng(1));
    // The decoder's parameters: FC 64 → 7·7·32, two 3×3 convs 32 → 32, 3×3 conv 32 → 1; G's FC reads 20 inputs.
    const decoder = 64 * 7 * 7 * 32 + 7 * 7 * 32 + 2 * (9 * 32 * 32 + 32) + 9 * 32 + 1;
    assert.equal(G.parameterCount(), decoder - 64 * 7 * 7 * 32 + 20 * 7 * 7 * 32);
    const z = new Rng(2).normal([4, 20]);
    const y = G.generate(z);
    assert.deepEqual(y.shape, [4, 28, 28, 1]);
    const v = y.dataSync();
    assert.ok(v.every((p) => p > -1 && p < 1) && Math.max(...v) - Math.min(...v) > 1e-4, 'tanh output, not constant');
    // No batch norm: the first sample alone equals the first row of the batch.
    const one = G.generate(tf.slice(z, [0, 0], [1, 20]));
    assertClose(one.dataSync(), v.subarray(0, 28 * 28), { atol: 1e-6, rtol: 0 });
    tf.dispose([z, y, one]);
    G.dispose();
    D.dispose();
  });

  it('standing batch-norm statistics: moments are the batch\'s; with fixed statistics a sample depends on its own z only', () => {
    const G = new ConvGenerator(12, 'dcgan28', 1, new Rng(5));
    assert.equal(G.normLayers, 2);
    const z = new Rng(6).normal([16, 12]);
    const m = G.normMoments(z);
    assert.equal(m.length, 4);
    // Layer 0 is the FC's output: its batch mean and mean square, computed by hand from the weights.
    const [W, b] = [G.variables[0], G.variables[1]];
    const pre = tf.add(tf.matMul(z, W, false, true), b);
    assertClose(m[0].dataSync(), tf.mean(pre, 0).dataSync(), { atol: 1e-5, rtol: 0, what: 'layer 0 mean' });
    assertClose(m[1].dataSync(), tf.mean(tf.square(pre), 0).dataSync(), { atol: 1e-5, rtol: 0, what: 'layer 0 mean square' });
    assert.deepEqual(m[2].shape, [1, 1, 1, 64], 'the deconv layer: per channel');
    // Fixed statistics: the first 3 rows of a batch of 16 equal the batch of 3 alone.
    const standing = m.flatMap((t, i) => (i % 2 ? [] : [t, tf.relu(tf.sub(m[i + 1], tf.square(t)))]));
    const all = G.generate(z, undefined, standing).dataSync();
    const three = G.generate(tf.slice(z, [0, 0], [3, -1]), undefined, standing).dataSync();
    assertClose(three, all.slice(0, three.length), { atol: 1e-5, rtol: 0, what: 'standing statistics: batch-independent' });
    // With the batch's own statistics (training mode) the same rows differ.
    const trainAll = G.generate(z).dataSync();
    const trainThree = G.generate(tf.slice(z, [0, 0], [3, -1])).dataSync();
    assert.ok(trainThree.some((v, i) => Math.abs(v - trainAll[i]) > 1e-3), 'batch statistics couple the samples');
    // Standing statistics equal to this batch's own reproduce the training-mode output of that batch.
    assertClose(all, trainAll, { atol: 1e-4, rtol: 0, what: 'the batch\'s own statistics as standing statistics' });
    assert.throws(() => G.generate(z, undefined, standing.slice(0, 2)), /standing statistics for 1 layers/);
    tf.dispose([z, pre, ...m, ...standing]);
    G.dispose();
  });

  it('critics without batch norm score each sample on its own; batch norm couples them (so penalties get none)', () => {
    const rng = new Rng(3);
    const x = rng.uniform([3, 28, 28, 1], -1, 1);
    for (const norm of ['none', 'layer', 'batch'] as const) {
      const D = new ConvDiscriminator({ arch: 'lucic28', channels: 1, norm }, new Rng(4));
      const together = D.score(x).dataSync()[0];
      const alone = D.score(tf.slice(x, [0, 0, 0, 0], [2, -1, -1, -1])).dataSync()[0];
      if (norm === 'batch') assert.ok(Math.abs(together - alone) > 1e-4, 'batch norm: the score depends on the batch');
      else assert.ok(Math.abs(together - alone) < 1e-4, `${norm}: ${together} vs ${alone}`);
      D.dispose();
    }
    assert.equal(discriminatorNormFor(true), 'none');
    assert.equal(discriminatorNormFor(false), 'batch');
    assert.equal(discriminatorNormFor(true, 'layer'), 'layer');
  });

  it('conditional critics read the label (concat planes and projection); the head has the asked size', () => {
    const rng = new Rng(5);
    const x = rng.uniform([2, 28, 28, 1], -1, 1);
    const y0 = tf.oneHot(tf.tensor1d([0, 0], 'int32'), 10).toFloat();
    const y1 = tf.oneHot(tf.tensor1d([7, 7], 'int32'), 10).toFloat();
    for (const conditioning of ['concat', 'projection'] as const) {
      const D = new ConvDiscriminator({ arch: 'lucic28', channels: 1, norm: 'none', classes: 10, conditioning }, new Rng(6));
      if (conditioning === 'projection') {
        // The embedding starts small; give it weight so the label's effect is visible.
        const embed = D.variables.find((v) => v.name.endsWith('/embed/weight'))!;
        embed.assign(new Rng(7).normal(embed.shape));
      }
      const a = D.score(x, y0).dataSync();
      const b = D.score(x, y1).dataSync();
      assert.ok(Math.abs(a[0] - b[0]) > 1e-5, `${conditioning}: the label changes the score`);
      assert.throws(() => D.score(x), /conditional/);
      D.dispose();
    }
    const Q = new ConvDiscriminator({ arch: 'lucic28', channels: 1, norm: 'batch', headDim: 12, headKind: 'q' }, new Rng(8));
    const { score, q } = Q.scoreWithQ(x);
    assert.deepEqual(score.shape, [2]);
    assert.deepEqual(q.shape, [2, 12]);
    Q.dispose();
  });

  it('BEGAN autoencoder: reconstruction of the input size, score = mean |x − AE(x)| per sample', () => {
    const AE = new ConvAutoencoder({ height: 28, width: 28, channels: 1 }, new Rng(9), 8, 16);
    const x = new Rng(10).uniform([2, 28, 28, 1], -1, 1);
    const r = AE.reconstruct(x);
    assert.deepEqual(r.shape, [2, 28, 28, 1]);
    const expected = tf.mean(tf.abs(tf.sub(x, r)), [1, 2, 3]).dataSync();
    assertClose(AE.score(x).dataSync(), expected, { atol: 1e-6, rtol: 1e-6 });
    AE.dispose();
  });

  it('WGAN-GP on the conv critic: d penalty / d weights matches finite differences', async () => {
    // On cpu for precision. Probes sit in layers where a ±h change moves few pre-activations
    // across leakyRelu's kink (a first-layer weight shifts all 196 positions of its channel and
    // the difference quotient straddles kinks); each op's second order, conv included, has its own
    // test in engine.conv / engine.gradients.
    const { useBackend } = await import('./helpers/numeric.js');
    await useBackend('cpu');
    const D = new ConvDiscriminator({ arch: 'lucic28', channels: 1, norm: 'layer' }, new Rng(11));
    // Larger weights than the N(0, 0.02²) init so that the penalty is far from flat.
    for (const v of D.variables) if (v.name.includes('weight')) v.assign(tf.mul(v, 8));
    const rng = new Rng(12);
    const real = rng.uniform([2, 28, 28, 1], -1, 1);
    const fake = rng.uniform([2, 28, 28, 1], -1, 1);
    const epsilon = tf.tensor1d([0.3, 0.8]);
    const penalty = () => wganGpPenalty((x) => D.score(x), real, fake, { lambda: 10, epsilon });
    const { grads } = tf.variableGrads(penalty, D.variables);
    const byName = (suffix: string) => D.variables.find((v) => v.name.endsWith(suffix))!;
    const probes: Array<[tf.Variable, number]> = [
      [byName('/conv1/weight'), 2000],
      [byName('/norm_conv1/gain'), 7],
      [byName('/fc/weight'), 12345],
      [byName('/norm_fc/gain'), 100],
      [byName('/out/weight'), 17],
    ];
    for (const [v, index] of probes) {
      const base = v.dataSync().slice();
      const h = 1e-2;
      const at = (delta: number) => {
        const w = base.slice();
        w[index] += delta;
        v.assign(tf.tensor(w, v.shape));
        return tf.tidy(() => penalty().dataSync()[0]);
      };
      const numeric = (at(h) - at(-h)) / (2 * h);
      v.assign(tf.tensor(base, v.shape));
      const analytic = grads[v.name].dataSync()[index];
      assertClose([analytic], [numeric], { atol: 2e-3, rtol: 3e-2, what: `${v.name}[${index}]` });
    }
    D.dispose();
    await useBackend('wasm');
  });
});
