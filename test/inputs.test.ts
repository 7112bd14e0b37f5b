/**
 * Input a hostile user gives, each case one line naming the file, flag or field and exit code 2,
 * with nothing written: values nested past sense or beyond a double, a byte-order mark, devices
 * and FIFOs as data, coordinates and networks beyond what float32 and the wasm heap hold, a file
 * where a folder belongs, a config.json that is not an object, ports out of range, and a
 * read-only disk named as such (not ENOENT).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { outOfMemory } from '../src/cli/main.js';
import { LIMITS } from '../src/train/fields.js';
import { resolveConfig } from '../src/train/config.js';
import { MAX_NESTING } from '../src/schema.js';

const BIN = fileURLToPath(new URL('../src/cli/bin.js', import.meta.url));
const gankit = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 120_000 });
const tmp = () => mkdtempSync(join(tmpdir(), 'gankit-inputs-'));
const TINY = { steps: 2, batchSize: 16, logEvery: 1, plotEvery: 2, evalSamples: 100, model: { noiseDim: 2, generator: { depth: 1, width: 8 }, discriminator: { depth: 1, width: 8 } } };

/** One line on stderr matching `message`, exit 2, and no run folder at `out` (when given). */
function refused(r: ReturnType<typeof gankit>, message: RegExp, out?: string): void {
  assert.equal(r.status, 2, r.stderr);
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  assert.match(r.stderr.trim(), message);
  if (out) assert.ok(!existsSync(join(out, 'config.json')), 'no run was written');
}

describe('hostile input', () => {
  it('config files: a value nested 10,000 deep, 1e400, a byte-order mark (taken), a device', () => {
    const dir = tmp();
    const write = (name: string, text: string) => {
      writeFileSync(join(dir, name), text);
      return join(dir, name);
    };
    const deep = write('deep.json', `{"hyper":{"lambda":${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}}}`);
    const out = join(dir, 'run');
    refused(gankit('train', '--config', deep, '--out', out, '--quiet'), new RegExp(`^gankit: error: hyper\\.lambda\\.…: nested deeper than ${MAX_NESTING} levels$`), out);
    refused(gankit('train', '--config', write('big.json', '{"steps": 1e400}'), '--out', out, '--quiet'), /^gankit: error: steps: must be a positive integer, got Infinity \(a number beyond a double\)$/, out);
    refused(gankit('train', '--config', '/dev/zero', '--out', out, '--quiet'), /^gankit: error: --config: \/dev\/zero: not a regular file$/, out);
    const bom = gankit('train', '--config', write('bom.json', `\uFEFF${JSON.stringify(TINY)}`), '--out', out, '--quiet');
    assert.equal(bom.status, 0, bom.stderr);
  });

  it('data: a device and a FIFO as a CSV, coordinates beyond float32 sense; a FIFO among images', () => {
    const dir = tmp();
    const out = join(dir, 'run');
    refused(gankit('train', '--data', 'csv:/dev/zero', '--out', out, '--quiet'), /^gankit: error: \/dev\/zero: not a regular file \(a device\); a CSV of points must be one$/, out);
    const fifo = join(dir, 'points.csv');
    assert.equal(spawnSync('mkfifo', [fifo]).status, 0);
    refused(gankit('train', '--data', `csv:${fifo}`, '--out', out, '--quiet'), /points\.csv: not a regular file \(a FIFO\); a CSV of points must be one$/, out);
    for (const far of ['1e30', '1e39']) {
      writeFileSync(join(dir, 'far.csv'), `x,y\n0,0\n${far},1\n`);
      refused(gankit('train', '--data', `csv:${join(dir, 'far.csv')}`, '--out', out, '--quiet'), /far\.csv:3: \S+ is beyond ±1000000, the coordinates gankit trains on \(rescale the data\)$/, out);
    }
    const images = join(dir, 'images');
    mkdirSync(images);
    assert.equal(spawnSync('mkfifo', [join(images, 'a.png')]).status, 0);
    refused(gankit('train', '--data', `folder:${images}`, '--out', out, '--quiet'), /a\.png: cannot read \(not a regular file: a FIFO\); pass --skip-unreadable/, out);
  });

  it('networks beyond the wasm heap are refused before anything is allocated; an out-of-memory names the networks too', () => {
    assert.throws(() => resolveConfig({ model: { generator: { depth: 3, width: 65_536 } } }), new RegExp(`^Error: model\\.generator: 3 hidden layers of width 65536 make 8\\.59e\\+9 weights; at most ${LIMITS.mlpWeights} fit`));
    assert.throws(() => resolveConfig({ batchSize: 65_536, model: { discriminator: { depth: 2, width: 4096 } } }), /^Error: batchSize: 65536 samples through 2 hidden layers of width 4096 \(model\.discriminator\) make .* activations; at most \d+ fit the wasm heap/);
    resolveConfig({ batchSize: 65_536 }); // the largest batch on the default networks is fine
    assert.match(outOfMemory(new RangeError('Array buffer allocation failed'))!, /try smaller networks, a smaller --batch or --eval-samples$/);
  });

  it('folders and files mixed up; a config.json that is not an object; a port out of range; --size 28 on a folder', () => {
    const dir = tmp();
    const file = join(dir, 'a-file');
    writeFileSync(file, 'x');
    refused(gankit('sample', '--run', file), /^gankit: error: .*a-file: not a run folder \(it is a file\)$/);
    for (const value of ['[]', 'null']) {
      mkdirSync(join(dir, value), { recursive: true });
      writeFileSync(join(dir, value, 'config.json'), value);
      refused(gankit('compare', join(dir, value)), /config\.json: malformed config \(the top level must be an object\)$/);
    }
    for (const port of ['99999', '-1']) refused(gankit('playground', `--port=${port}`), new RegExp(`^gankit: error: --port: must be an integer from 0 to 65535 \\(0 picks a free one\\), got ${port}$`));
    assert.equal(resolveConfig({ data: { name: `folder:${dir}`, size: 28 } }).model.arch, 'dcgan28');
  });

  it('a read-only disk is said as EROFS, not ENOENT (injected; a real read-only tmpfs where the machine allows a private mount namespace)', (t) => {
    const erofs = /^gankit: error: .*new\/run: cannot create the run folder \(EROFS: read-only file system\)$/;
    // Injected: the disk is read-only from the first folder made on (Node's recursive mkdir says ENOENT there).
    refused(spawnSync(process.execPath, [BIN, 'train', '--out', join(tmp(), 'new', 'run'), '--quiet'], { encoding: 'utf8', env: { ...process.env, GANKIT_FAULT: 'samples:1:0:erofs' } }), erofs);
    if (spawnSync('unshare', ['-m', 'true']).status !== 0) return t.skip('the real read-only tmpfs needs a private mount namespace (unshare -m, as root); only the injected read-only disk was checked');
    const mount = tmp();
    const r = spawnSync('unshare', ['-m', 'sh', '-c', 'mount -t tmpfs -o ro tmpfs "$1" && exec "$2" "$3" train --out "$1/new/run" --quiet', 'sh', mount, process.execPath, BIN], { encoding: 'utf8' });
    refused(r, erofs);
  });
});
