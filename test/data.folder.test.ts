/** Image folders: resizing, grayscale/RGB, sub-folder classes, and unreadable files named (or skipped on request). */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { loadImageFolder } from '../src/data/folder.js';
import { classLabels, MAX_CLASSES } from '../src/data/imageBatches.js';
import { subset } from '../src/data/imageData.js';
import { imageNetworks, MAX_CONDITIONAL_CLASSES } from '../src/kinds/images/networks.js';
import { resolveConfig } from '../src/train/config.js';
import { InputError } from '../src/errors.js';

async function png(path: string, w: number, h: number, rgb: [number, number, number]): Promise<void> {
  await sharp({ create: { width: w, height: h, channels: 3, background: { r: rgb[0], g: rgb[1], b: rgb[2] } } }).png().toFile(path);
}

describe('image folder', () => {
  it('loads, resizes and labels by sub-folder', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gankit-folder-'));
    mkdirSync(join(dir, 'cats'));
    mkdirSync(join(dir, 'dogs'));
    await png(join(dir, 'cats', 'a.png'), 40, 30, [255, 0, 0]);
    await png(join(dir, 'dogs', 'b.png'), 10, 10, [0, 0, 255]);
    await sharp({ create: { width: 20, height: 20, channels: 3, background: { r: 0, g: 255, b: 0 } } }).jpeg().toFile(join(dir, 'dogs', 'c.jpg'));
    writeFileSync(join(dir, 'dogs', 'notes.txt'), 'ignored');
    const rgb = await loadImageFolder(dir, { height: 8, width: 8, channels: 3 });
    assert.deepEqual([rgb.count, rgb.height, rgb.width, rgb.channels, rgb.classes], [3, 8, 8, 3, 2]);
    assert.deepEqual(rgb.classNames, ['cats', 'dogs']);
    assert.deepEqual(Array.from(rgb.labels!), [0, 1, 1]);
    assert.deepEqual(Array.from(rgb.pixels.subarray(0, 3)), [255, 0, 0]);
    const gray = await loadImageFolder(dir, { height: 4, width: 4, channels: 1 });
    assert.equal(gray.pixels.length, 3 * 16);
    // libvips takes luminance in linear light, Y = 0.2126 for pure red, then re-encodes it with
    // the sRGB curve: 255 · 1.055 · 0.2126^(1/2.4) − 0.055·255 ≈ 127.
    const expected = 255 * (1.055 * 0.2126 ** (1 / 2.4) - 0.055);
    assert.ok(Math.abs(gray.pixels[0] - expected) <= 2, `gray of pure red ${gray.pixels[0]}, expected ≈ ${expected.toFixed(1)}`);
  });

  it('labels are wide enough for any class count up to the bound: class 299 of 300 is 299, not 43; past the bound, one error', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gankit-folder-'));
    const names = Array.from({ length: 300 }, (_, i) => `c${String(i).padStart(3, '0')}`);
    await Promise.all(names.map(async (name, i) => {
      mkdirSync(join(dir, name));
      await png(join(dir, name, 'x.png'), 4, 4, [i % 256, 0, 0]);
    }));
    const data = await loadImageFolder(dir, { height: 4, width: 4, channels: 1 });
    assert.equal(data.classes, 300);
    assert.deepEqual(Array.from(data.labels!), names.map((_, i) => i));
    assert.deepEqual(Array.from(subset(data, [299, 256]).labels!), [299, 256], 'a subset keeps them');
    assert.throws(() => classLabels([0], MAX_CLASSES + 1, dir), (e: unknown) => e instanceof InputError && e.message === `${dir}: ${MAX_CLASSES + 1} classes (one per sub-folder); gankit takes at most ${MAX_CLASSES}`);
    // A conditional network takes an input per class: past its bound, one error naming it.
    const config = resolveConfig({ data: { name: `folder:${dir}`, size: 32 }, loss: 'cgan' });
    const wide = { ...data, height: 32, width: 32, classes: MAX_CONDITIONAL_CLASSES + 1 };
    assert.throws(() => imageNetworks(config, wide), (e: unknown) => e instanceof InputError && new RegExp(`^conditional: .* has ${MAX_CONDITIONAL_CLASSES + 1} classes; a conditional run takes at most ${MAX_CONDITIONAL_CLASSES}`).test(e.message));
  });

  it('an unreadable image is named; --skip-unreadable leaves it out with a warning', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gankit-folder-'));
    await png(join(dir, 'ok.png'), 8, 8, [10, 20, 30]);
    writeFileSync(join(dir, 'broken.png'), 'this is not a png');
    await assert.rejects(loadImageFolder(dir), (e: Error) => e instanceof InputError && e.message.startsWith(`${join(dir, 'broken.png')}: cannot decode the image`));
    const warnings: string[] = [];
    const ds = await loadImageFolder(dir, { skipUnreadable: true, warn: (m) => warnings.push(m) });
    assert.equal(ds.count, 1);
    assert.equal(ds.labels, null);
    assert.equal(warnings.length, 1);
    assert.match(warnings[0], /skipping .*broken\.png/);
    await assert.rejects(loadImageFolder(join(dir, 'nope')), /nope: cannot read the image folder \(ENOENT\)/);
    const empty = mkdtempSync(join(tmpdir(), 'gankit-folder-'));
    await assert.rejects(loadImageFolder(empty), /no PNG or JPEG images found/);
  });
});
