/**
 * Which KID plan the image evaluator picks: Bińkowski et al.'s 100 subsets of 1,000, with a
 * standard error, for final scores even when the reference is smaller than the scored set (MNIST's
 * held-out split has 2,000 digits; its training split, the real-vs-real baseline, 8,000); the cheap
 * plan without an se for scores during training. Not in the wasm pass: the plan does not depend on
 * the kernels, and KID's kernels are checked against the float64 definition in metrics.images.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Rng, initEngine } from '../src/engine/index.js';
import { ImageEvaluator, KID_FINAL_MIN_N } from '../src/metrics/imageEval.js';
import { FeatureNet, toSigned } from '../src/metrics/featnet.js';
import type { ImageDataset } from '../src/data/imageBatches.js';

before(() => initEngine());

describe('ImageEvaluator: the KID plan follows the scored count, not the reference size', () => {
  it('final scores against a 2,000-image reference carry an se; scores during training do not', () => {
    // A feature network with random weights on 4×4 images: the plan, not the features, is under test.
    const net = new FeatureNet([4, 4, 1], 10, new Rng(21));
    const images = (count: number, seed: number): ImageDataset => {
      const r = new Rng(seed);
      const pixels = new Uint8Array(count * 16);
      for (let i = 0; i < pixels.length; i++) pixels[i] = Math.floor(r.next() * 256);
      return { name: 'toy', pixels, labels: null, count, height: 4, width: 4, channels: 1, classes: 0 };
    };
    const n = KID_FINAL_MIN_N;
    const evaluator = ImageEvaluator.create(net, images(2000, 1), images(n, 2), n, 'toy');
    assert.equal(evaluator.realCount, 2000);
    assert.ok(Number.isFinite(evaluator.baseline.kidSe) && evaluator.baseline.kidSe! > 0, `baseline kidSe ${evaluator.baseline.kidSe}`);
    const fake = toSigned(images(n, 3).pixels);
    const scores = evaluator.score(fake, n);
    assert.ok(Number.isFinite(scores.kidSe) && scores.kidSe! > 0, `kidSe ${scores.kidSe}`);
    // 100 subsets: the se is the subsets' sd over 10.
    assert.ok(Math.abs(scores.kidSe! - scores.kidStd! / 10) < 1e-12 * Math.max(1, scores.kidStd!), `se ${scores.kidSe} vs sd ${scores.kidStd}`);
    assert.equal(evaluator.score(fake.subarray(0, 1000 * 16), 1000).kidSe, undefined);
    net.variables.forEach((v) => v.dispose());
  });
});
