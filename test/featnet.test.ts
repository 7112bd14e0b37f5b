/**
 * The shipped feature networks (assets/featnet): their metadata is honest (the accuracy is
 * recomputed here on the whole test split) and meets the targets (Fashion-MNIST ≥ 90 %, held-out
 * MNIST digits ≥ 97 %), they are small, a missing or truncated file is one clear error; training
 * works; the classifier-based scores behave as defined.
 */
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, statSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initEngine, tf } from '../src/index.js';
import { loadFeatureNet, defaultFeatnetDir, trainFeatureNet, toSigned, accuracy } from '../src/metrics/featnet.js';
import { classifierScore, bestMatchAccuracy } from '../src/metrics/imageEval.js';
import { loadImageData, subset } from '../src/data/imageData.js';
import { InputError } from '../src/errors.js';

describe('feature networks', () => {
  before(() => initEngine());

  for (const [name, target] of [['fashion-mnist', 0.9], ['mnist', 0.97]] as const) {
    it(`${name}: shipped, small, and its recorded test accuracy (≥ ${100 * target} %) is what it scores`, async () => {
      const { net, meta } = loadFeatureNet(name);
      const bytes = statSync(join(defaultFeatnetDir(), `${name}.bin`)).size;
      assert.ok(bytes < 2.5 * 1024 * 1024, `${name}.bin is ${bytes} bytes`);
      const test = await loadImageData(name, { split: 'test' });
      const { probs } = net.embed(toSigned(test.pixels), test.count);
      const acc = accuracy(probs, test.labels!, meta.classes);
      assert.ok(acc >= target, `${name}: ${acc}`);
      assert.ok(Math.abs(acc - meta.testAccuracy) < 2e-3, `metadata says ${meta.testAccuracy}, measured ${acc}`);
      net.dispose();
    });
  }

  it('two copies can be alive at once (two scorers, e.g. at N = 1,000 and 10,000) and give the same features', async () => {
    const before = tf.memory().numTensors;
    const a = loadFeatureNet('fashion-mnist').net;
    const b = loadFeatureNet('fashion-mnist').net;
    const test = await loadImageData('fashion-mnist', { split: 'test' });
    const x = toSigned(test.pixels.subarray(0, 8 * 784));
    assert.deepEqual(Array.from(a.embed(x, 8).features), Array.from(b.embed(x, 8).features));
    a.dispose();
    b.dispose();
    assert.equal(tf.memory().numTensors, before);
  });

  it('a missing network or a truncated weights file: one error naming the file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gankit-featnet-'));
    assert.throws(() => loadFeatureNet('fashion-mnist', dir), (e: unknown) => e instanceof InputError && /gankit featnet train --data fashion-mnist/.test((e as Error).message));
    copyFileSync(join(defaultFeatnetDir(), 'mnist.json'), join(dir, 'mnist.json'));
    writeFileSync(join(dir, 'mnist.bin'), readFileSync(join(defaultFeatnetDir(), 'mnist.bin')).subarray(0, 1000));
    assert.throws(() => loadFeatureNet('mnist', dir), (e: unknown) => e instanceof InputError && /mnist\.bin: 1000 bytes, expected/.test((e as Error).message));
  });

  it('training on a small subset beats chance clearly', async () => {
    const train = await loadImageData('mnist', { split: 'train' });
    const test = await loadImageData('mnist', { split: 'test' });
    const { net, meta } = trainFeatureNet({
      name: 't',
      data: 'mnist',
      train: subset(train, Array.from({ length: 1024 }, (_, i) => i)),
      test: subset(test, Array.from({ length: 400 }, (_, i) => i)),
      trainSplit: 'first 1024',
      testSplit: 'first 400',
      epochs: 2,
      batchSize: 64,
    });
    assert.ok(meta.testAccuracy > 0.5, `accuracy ${meta.testAccuracy} after 32 steps`);
    net.dispose();
  });

  it('classifier score: 1 for identical predictions, K for confident balanced ones', () => {
    const k = 4;
    const uniform = new Float32Array(8 * k).fill(1 / k);
    assert.ok(Math.abs(classifierScore(uniform, k) - 1) < 1e-6);
    const sameClass = new Float32Array(8 * k);
    for (let i = 0; i < 8; i++) sameClass[i * k + 2] = 1;
    assert.ok(Math.abs(classifierScore(sameClass, k) - 1) < 1e-6);
    const balanced = new Float32Array(8 * k);
    for (let i = 0; i < 8; i++) balanced[i * k + (i % k)] = 1;
    assert.ok(Math.abs(classifierScore(balanced, k) - k) < 1e-5);
  });

  it('best-match accuracy: 1 for a relabelling, the optimal assignment otherwise', () => {
    const classes = [0, 1, 2, 3, 0, 1, 2, 3];
    const codes = classes.map((c) => (c + 1) % 4);
    assert.equal(bestMatchAccuracy(codes, classes, 4, 4), 1);
    // Code 0 → class 0 twice and class 1 once; code 1 → class 1 twice: best is 0↔0, 1↔1 = 4/5.
    assert.equal(bestMatchAccuracy([0, 0, 0, 1, 1], [0, 0, 1, 1, 1], 2, 2), 4 / 5);
    // One code value for everything can match one class only.
    assert.equal(bestMatchAccuracy([0, 0, 0, 0], [0, 1, 2, 3], 1, 4), 1 / 4);
  });
});
