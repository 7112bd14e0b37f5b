/**
 * The shipped pretrained generators: every model under assets/pretrained opens, matches its config
 * and scores what its info.json says — on each pass's kernels (native, then wasm only), so it is
 * also a check that the kernels agree. Packing and the CLI: pretrained.cli.test.ts.
 */
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { initEngine, tf } from '../src/index.js';
import { listPretrained, openPretrained, pretrainedDir } from '../src/pretrained/index.js';
import { loadCheckpoint } from '../src/runfolder/checkpoint.js';

describe('pretrained generators', () => {
  before(() => initEngine());

  it('every model shipped in assets/pretrained opens with its config and scores what info.json says', async () => {
    const shipped = listPretrained(pretrainedDir());
    // Every seed system's generator (issue 27; bench/pretrained.ts makes them).
    const seedSystems = ['ns', 'minimax', 'lsgan', 'wgan', 'wgan-gp', 'dragan', 'began', 'cgan', 'infogan', 'hinge-sn'].map((l) => `fashion-mnist-${l}`);
    for (const name of [...seedSystems, 'mnist-infogan', 'mnist-cgan', 'ring8-wgan-gp']) assert.ok(shipped.some((p) => p.name === name), `${name} is shipped`);
    for (const info of shipped) {
      assert.ok(info.step > 0 && info.description && info.source, info.name);
      // Written with a checksum (checkpoint format 2, or 3 with float16 weights), which every load verifies.
      assert.equal(loadCheckpoint(join(pretrainedDir(), info.name, 'weights.bin')).verified, true, `${info.name}: checksummed`);
      {
        // Sampling reads no training images (a machine without the Debian dataset can use them).
        const p = await openPretrained(info.name);
        const data = (p.task as unknown as { data?: { count: number; name: string } }).data;
        if (data && (data.name === 'fashion-mnist' || data.name === 'mnist')) assert.equal(data.count, 0, `${info.name}: no images loaded`);
        p.task.dispose();
      }
      assert.ok(Object.keys(info.scores).length > 0, `${info.name}: scores`);
      const before = tf.memory().numTensors;
      const p = await openPretrained(info.name);
      const x = p.trainer.sample(8);
      assert.ok(x.every(Number.isFinite), info.name);
      p.task.dispose();
      assert.equal(tf.memory().numTensors, before, `${info.name}: disposed`);
    }
    // The shipped Fashion-MNIST model scores, at its step, the FID its trial measured (same samples,
    // same standing statistics; only the kernels' summation order may differ).
    // Models packed by bench/pretrained.ts keep that FID at 1,000 samples in `check` (their scores are at 10,000).
    const nsInfo = shipped.find((p) => p.name === 'fashion-mnist-ns')!;
    const expected = nsInfo.check ?? { samples: undefined, fid: nsInfo.scores.fid };
    const ns = await openPretrained('fashion-mnist-ns', pretrainedDir(), { evaluate: true, evalSamples: expected.samples });
    const scored = ns.task.evaluate(ns.trainer.step, true).metrics;
    assert.ok(Math.abs(scored.fid! - expected.fid) < 0.05, `FID ${scored.fid} vs ${expected.fid} in info.json`);
    assert.ok(scored.fid! < 40, 'recognisable garments');
    ns.task.dispose();
  });
});
