import { describe, it, before, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { tf, Rng, initEngine, resolveBackendName } from '../src/index.js';
import { conv2dFilterGradient } from '../src/engine/kernels/conv2dBackpropFilter.js';
import { assertClose, useBackend } from './helpers/numeric.js';

describe('seeded RNG', () => {
  before(() => initEngine());

  it('same seed → same numbers; different seeds → different numbers', () => {
    const a = new Rng(123);
    const b = new Rng(123);
    const c = new Rng(124);
    const xa = Array.from({ length: 50 }, () => a.nextUint32());
    assert.deepEqual(xa, Array.from({ length: 50 }, () => b.nextUint32()));
    assert.notDeepEqual(xa, Array.from({ length: 50 }, () => c.nextUint32()));
    assert.deepEqual(Array.from(new Rng(5).normal([3, 2]).dataSync()), Array.from(new Rng(5).normal([3, 2]).dataSync()));
  });

  it('the state round-trips: a restored generator continues the same stream', () => {
    const a = new Rng(7);
    a.uniformArray(13);
    const saved = a.getState();
    const next = Array.from(a.normalArray(9));
    const b = new Rng(saved);
    assert.deepEqual(Array.from(b.normalArray(9)), next);
    assert.throws(() => new Rng([1, 2, 3] as unknown as [number, number, number, number]), /four unsigned 32-bit/);
    assert.throws(() => new Rng(1.5), /integer/);
  });

  it('uniform, normal, int and permutation have the right distributions', () => {
    const rng = new Rng(99);
    const u = rng.uniformArray(20000, -1, 1);
    assert.ok(Math.min(...u) >= -1 && Math.max(...u) < 1);
    const mean = (a: Float32Array) => a.reduce((s, v) => s + v, 0) / a.length;
    assert.ok(Math.abs(mean(u)) < 0.02, `uniform mean ${mean(u)}`);
    const n = rng.normalArray(20001, 2, 3);
    const m = mean(n);
    const sd = Math.sqrt(n.reduce((s, v) => s + (v - m) ** 2, 0) / n.length);
    assert.ok(Math.abs(m - 2) < 0.06 && Math.abs(sd - 3) < 0.06, `normal mean ${m}, sd ${sd}`);
    const counts = new Array(5).fill(0);
    for (let i = 0; i < 5000; i++) counts[rng.int(5)]++;
    assert.ok(counts.every((k) => k > 900 && k < 1100), `int counts ${counts}`);
    const p = Array.from(rng.permutation(10));
    assert.deepEqual([...p].sort((x, y) => x - y), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });
});

describe('backend selection', () => {
  const saved = process.env.GANKIT_BACKEND;
  afterEach(() => {
    if (saved === undefined) delete process.env.GANKIT_BACKEND;
    else process.env.GANKIT_BACKEND = saved;
  });

  it('option beats GANKIT_BACKEND beats the wasm default; unknown names are named in the error', async () => {
    delete process.env.GANKIT_BACKEND;
    assert.equal(resolveBackendName(), 'wasm');
    process.env.GANKIT_BACKEND = 'cpu';
    assert.equal(resolveBackendName(), 'cpu');
    assert.equal(resolveBackendName('wasm'), 'wasm');
    process.env.GANKIT_BACKEND = 'tpu';
    assert.throws(() => resolveBackendName(), /GANKIT_BACKEND: unknown backend 'tpu'/);
    assert.throws(() => resolveBackendName('gpu'), /backend option: unknown backend 'gpu'/);
    assert.equal(await initEngine({ backend: 'cpu' }), 'cpu');
    assert.equal(tf.getBackend(), 'cpu');
    assert.equal(await initEngine({ backend: 'wasm' }), 'wasm');
    assert.equal(tf.getBackend(), 'wasm');
  });

  it("webgpu without Node's `webgpu` package: one error that says what to install; with it and no GPU, one error that says why (never a silent fallback)", async () => {
    let dawnInstalled = true;
    try {
      await import('webgpu' as string);
    } catch {
      dawnInstalled = false;
    }
    const warnings: string[] = [];
    if (!dawnInstalled) {
      await assert.rejects(initEngine({ backend: 'webgpu', warn: (m) => warnings.push(m) }), /needs the npm package 'webgpu'.*npm install webgpu/);
    } else {
      // A machine with the package: webgpu if it has an adapter, else one InputError saying what
      // is missing (the webgpu device never falls back: src/engine/backend.ts).
      try {
        assert.equal(await initEngine({ backend: 'webgpu', warn: (m) => warnings.push(m) }), 'webgpu');
      } catch (e) {
        assert.match((e as Error).message, /^backend 'webgpu': (no Vulkan loader|no WebGPU adapter|the device on .* failed to start|this process has no WebGPU)/);
      }
      assert.deepEqual(warnings, [], 'no fallback announced');
    }
    assert.equal(await initEngine({ backend: 'wasm' }), 'wasm');
    assert.equal(tf.sum(tf.ones([3])).dataSync()[0], 3);
  });
});

describe('wasm Conv2DBackpropFilter (tfjs-wasm ships none)', () => {
  const cases: Array<[[number, number, number, number], [number, number, number, number], number, 'same' | 'valid']> = [
    [[2, 7, 7, 3], [3, 3, 3, 4], 2, 'same'],
    [[1, 6, 5, 2], [4, 4, 2, 3], 2, 'same'],
    [[3, 9, 9, 1], [5, 5, 1, 2], 3, 'valid'],
    [[2, 5, 5, 2], [3, 3, 2, 2], 1, 'valid'],
    [[1, 8, 8, 2], [4, 4, 2, 2], 2, 'valid'],
  ];
  for (const [xShape, wShape, stride, pad] of cases) {
    it(`matches the cpu kernel: x [${xShape}], filter [${wShape}], stride ${stride}, ${pad}`, async () => {
      const rng = new Rng(xShape.reduce((a, b) => a * 31 + b, stride));
      const xv = rng.normalArray(xShape.reduce((a, b) => a * b, 1));
      const wv = rng.normalArray(wShape.reduce((a, b) => a * b, 1));
      const grads = async (backend: string) => {
        await useBackend(backend);
        return tf.tidy(() => {
          const x = tf.tensor(xv, xShape) as tf.Tensor4D;
          const w = tf.tensor(wv, wShape) as tf.Tensor4D;
          const f = (a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.square(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, stride, pad)));
          const [gx, gw] = tf.grads(f)([x, w]);
          // second order through the filter gradient: d/dx of ‖∂f/∂w‖²
          const gxx = tf.grad((a: tf.Tensor) => tf.sum(tf.square(tf.grad((b: tf.Tensor) => f(a, b))(w))))(x);
          return [gx.dataSync(), gw.dataSync(), gxx.dataSync()];
        });
      };
      const cpu = await grads('cpu');
      const wasm = await grads('wasm');
      ['dx', 'dw', 'd²'].forEach((what, i) => assertClose(wasm[i], cpu[i], { atol: 1e-3, rtol: 1e-4, what }));
    });
  }

  it('the plain-array reference agrees with a hand-computed 1-channel case', () => {
    // x = [[1,2],[3,4]], dy = [[1]], 2×2 valid conv: dW = x.
    const info = tf.backend_util.computeConv2DInfo([1, 2, 2, 1], [2, 2, 1, 1], 1, 1, 'valid');
    const out = new Float32Array(4);
    conv2dFilterGradient(new Float32Array([1, 2, 3, 4]), new Float32Array([1]), info, out);
    assert.deepEqual(Array.from(out), [1, 2, 3, 4]);
  });
});
