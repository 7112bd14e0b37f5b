/**
 * `gankit eval --images DIR`: a folder of samples made elsewhere is scored on gankit's feature
 * network against the same reference and baseline as a run. Real training images score near the
 * real-vs-real baseline, noise far from it; gankit's own grid.png is left out; bad input is one
 * clear error.
 */
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import sharp from 'sharp';
import { initEngine, Rng } from '../src/engine/index.js';
import { loadImageData } from '../src/data/imageData.js';
import { imageFolderScorer, scoreImageFolder } from '../src/kinds/images/folderScore.js';

const BIN = join(import.meta.dirname, '..', 'src', 'cli', 'bin.js');

async function writeGrey(dir: string, pixels: Uint8Array, count: number, side = 28): Promise<void> {
  mkdirSync(dir, { recursive: true });
  for (let i = 0; i < count; i++) {
    const img = Buffer.from(pixels.subarray(i * side * side, (i + 1) * side * side));
    await sharp(img, { raw: { width: side, height: side, channels: 1 } }).png().toFile(join(dir, `${String(i).padStart(4, '0')}.png`));
  }
}

describe('gankit eval --images', () => {
  const N = 300;
  let realDir = '';
  let noiseDir = '';
  before(async () => {
    await initEngine({ workload: 'images' });
    const train = await loadImageData('fashion-mnist', { split: 'train' });
    const root = mkdtempSync(join(tmpdir(), 'gankit-evalimg-'));
    realDir = join(root, 'real');
    noiseDir = join(root, 'noise');
    // Real training images from the end of the split, far from the ones the baseline draws at random.
    await writeGrey(realDir, train.pixels.subarray((train.count - N) * 784), N);
    // A grid.png as `gankit sample --out` writes it: not a sample, so not scored.
    await sharp({ create: { width: 64, height: 64, channels: 3, background: { r: 0, g: 0, b: 0 } } }).png().toFile(join(realDir, 'grid.png'));
    const rng = new Rng(3);
    await writeGrey(noiseDir, Uint8Array.from({ length: N * 784 }, () => rng.int(256)), N);
  });

  it('real images score near the baseline, noise far from it; grid.png is left out; no tensor is left', async () => {
    const { tf } = await import('../src/engine/index.js');
    const before = tf.memory().numTensors;
    // One scorer for both folders (as the image benchmark scores many): the reference features and
    // the real-vs-real baseline are computed once. The CLI's path (scoreImageFolder) is the test below.
    const scorer = await imageFolderScorer('fashion-mnist', 1000);
    const real = await scorer.score(realDir);
    const noise = await scorer.score(noiseDir);
    scorer.dispose();
    assert.deepEqual([real.count, real.found], [N, N], 'grid.png is not a sample');
    assert.ok(real.realVsReal.fid > 0 && real.realVsReal.fid < 6, `baseline FID ${real.realVsReal.fid}`);
    // 300 samples against 1000 reference images: FID is biased upwards, but stays near the baseline.
    assert.ok(real.scores.fid < 3 * real.realVsReal.fid + 5, `real images: FID ${real.scores.fid}`);
    assert.ok(noise.scores.fid > 10 * real.scores.fid, `noise FID ${noise.scores.fid} vs real ${real.scores.fid}`);
    assert.ok(real.scores.precision > 0.7 && real.scores.recall > 0.7, `real images: precision ${real.scores.precision}, recall ${real.scores.recall}`);
    assert.ok(noise.scores.recall < 0.1, `noise recall ${noise.scores.recall}`);
    assert.equal(tf.memory().numTensors, before, 'the feature network is disposed');
  });

  it('one unreadable file: named, with the --skip-unreadable that eval has, which leaves it out and scores the rest', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'gankit-evalimg-')), 'junk');
    const train = await loadImageData('fashion-mnist', { split: 'train' });
    await writeGrey(dir, train.pixels, 12);
    writeFileSync(join(dir, 'broken.png'), 'not a png');
    await assert.rejects(scoreImageFolder(dir, 'fashion-mnist', 100), /broken\.png: cannot decode the image .*; pass --skip-unreadable to leave such files out/);
    const cli = spawnSync(process.execPath, [BIN, 'eval', '--images', dir, '--data', 'fashion-mnist', '--n', '10', '--skip-unreadable', '--json'], { encoding: 'utf8' });
    assert.equal(cli.status, 0, cli.stderr);
    assert.match(cli.stderr, /skipping .*broken\.png: cannot decode the image/);
    assert.deepEqual([JSON.parse(cli.stdout).count, JSON.parse(cli.stdout).found], [10, 12]);
  });

  it('the CLI prints JSON; bad input is one error naming the flag or folder, exit 2', () => {
    const ok = spawnSync(process.execPath, [BIN, 'eval', '--images', realDir, '--data', 'fashion-mnist', '--n', '100', '--json'], { encoding: 'utf8' });
    assert.equal(ok.status, 0, ok.stderr);
    const r = JSON.parse(ok.stdout);
    assert.equal(r.count, 100);
    assert.ok(Number.isFinite(r.scores.fid) && Number.isFinite(r.realVsReal.fid));
    const cases: Array<[string[], RegExp]> = [
      [['--images', realDir], /--images needs --data/],
      [['--images', realDir, '--data', 'ring8'], /--data: 'ring8' has no feature network/],
      [['--images', join(realDir, 'nope'), '--data', 'mnist'], /nope: cannot read the image folder/],
      [['--images', realDir, '--run', realDir, '--data', 'mnist'], /not both/],
    ];
    for (const [args, message] of cases) {
      const bad = spawnSync(process.execPath, [BIN, 'eval', ...args], { encoding: 'utf8' });
      assert.equal(bad.status, 2, `${args.join(' ')}: exit ${bad.status}, ${bad.stderr}`);
      assert.match(bad.stderr, message);
    }
  });
});
