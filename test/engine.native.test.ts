/**
 * The native BLAS kernels (src/engine/native/) against tfjs-cpu's kernels on random shapes —
 * every transpose flag, broadcast and real batches, odd sizes, bias and activations; convolutions
 * with strides, padding (same, valid, explicit), dilation, 1×1 filters, one input channel — and
 * second-order gradients through them against finite differences. Runs whatever GANKIT_NATIVE
 * says: the layer is switched on here explicitly (a machine without OpenBLAS fails this file,
 * with the reason), and the rest of the suite runs once with it and once without.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { tf, Rng, setNative, activeBlas, engineState, initEngine, resolveNativeMode, fusedConv2d, dense, deconv2d, kernelSet, kernelSetOf, computeSettings, wasmThreads, KERNEL_VERSIONS, resolveFused, threadPolicy } from '../src/engine/index.js';
import type { ComputeSettings } from '../src/engine/index.js';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { col2im, im2col } from '../src/engine/native/im2col.js';
import { simdKernels } from '../src/engine/kernels/simd.js';
import { assertClose, centralDifference, useBackend } from './helpers/numeric.js';

const TOL = { atol: 1e-4, rtol: 1e-4 };

/** Runs `run` while counting the native library's `method` calls; returns its result and the count. */
function counting<T>(method: 'sgemm' | 'sgemv', run: () => T): { result: T; calls: number } {
  const blas = activeBlas();
  assert.ok(blas, 'the native layer is on');
  const original = blas[method] as (...args: unknown[]) => void;
  let calls = 0;
  (blas as unknown as Record<string, unknown>)[method] = (...args: unknown[]) => {
    calls++;
    original(...args);
  };
  try {
    return { result: run(), calls };
  } finally {
    (blas as unknown as Record<string, unknown>)[method] = original;
  }
}

/** Runs `f` on wasm with the native kernels and on tfjs-cpu with the same inputs; returns both results. */
async function bothWays(inputs: Array<{ shape: number[]; values: Float32Array }>, f: (...t: tf.Tensor[]) => tf.Tensor): Promise<{ native: Float32Array; cpu: Float32Array; calls: number }> {
  const run = () => tf.tidy(() => f(...inputs.map((i) => tf.tensor(i.values, i.shape))).dataSync() as Float32Array);
  await tf.setBackend('wasm');
  const { result: native, calls } = counting('sgemm', run);
  await tf.setBackend('cpu');
  const cpu = run();
  await tf.setBackend('wasm');
  return { native, cpu, calls };
}

function random(shape: number[], seed: number): { shape: number[]; values: Float32Array } {
  const rng = new Rng(seed);
  return { shape, values: tf.tidy(() => rng.normal(shape).dataSync() as Float32Array) };
}

describe('native BLAS kernels', () => {
  before(async () => {
    await useBackend('cpu');
    await useBackend('wasm');
    const on = await setNative(true);
    assert.ok(on, `no native BLAS on this machine: ${engineState().nativeOff}`);
  });
  after(async () => {
    // Back to what GANKIT_NATIVE says, for any file run after this one in the same process.
    await setNative(resolveNativeMode() !== 'off');
  });

  const PRODUCTS: Array<{ a: number[]; b: number[]; tA: boolean; tB: boolean }> = [
    { a: [7, 5], b: [5, 3], tA: false, tB: false },
    { a: [5, 7], b: [5, 3], tA: true, tB: false },
    { a: [7, 5], b: [3, 5], tA: false, tB: true },
    { a: [5, 7], b: [3, 5], tA: true, tB: true },
    { a: [4, 9, 6], b: [4, 6, 11], tA: false, tB: false },
    { a: [3, 6, 9], b: [3, 11, 6], tA: true, tB: true },
    { a: [2, 3, 5, 4], b: [2, 3, 4, 1], tA: false, tB: false },
    { a: [1, 8, 13], b: [5, 13, 2], tA: false, tB: false }, // batch 1 broadcast on the left
    { a: [6, 8, 13], b: [13, 17], tA: false, tB: false }, // a rank-2 right operand
    { a: [64, 129], b: [129, 255], tA: false, tB: false },
    { a: [129, 64], b: [255, 129], tA: true, tB: true },
  ];
  for (const [i, p] of PRODUCTS.entries()) {
    it(`BatchMatMul ${p.a.join('×')}${p.tA ? 'ᵀ' : ''} · ${p.b.join('×')}${p.tB ? 'ᵀ' : ''}`, async () => {
      const r = await bothWays([random(p.a, 10 + i), random(p.b, 50 + i)], (a, b) => tf.matMul(a, b, p.tA, p.tB));
      assert.ok(r.calls > 0, 'went through BLAS');
      assertClose(r.native, r.cpu, { ...TOL, what: 'product' });
    });
  }

  it('hands a batch broadcast it does not cover to the wasm kernel (and stays right)', async () => {
    const r = await bothWays([random([2, 1, 4, 5], 1), random([1, 3, 5, 2], 2)], (a, b) => tf.matMul(a, b));
    assert.equal(r.calls, 0);
    assertClose(r.native, r.cpu, { ...TOL, what: 'product' });
  });

  for (const activation of ['linear', 'relu', 'leakyrelu', 'relu6', 'elu'] as const) {
    it(`_FusedMatMul with bias and ${activation} (elu: the wasm kernel)`, async () => {
      const r = await bothWays([random([9, 7], 3), random([7, 6], 4), random([6], 5)], (a, b, bias) =>
        tf.fused.matMul({ a: tf.mul(a, 3) as tf.Tensor2D, b: b as tf.Tensor2D, bias, activation, leakyreluAlpha: 0.1 }),
      );
      assert.equal(r.calls > 0, activation !== 'elu');
      assertClose(r.native, r.cpu, { ...TOL, what: activation });
    });
  }

  it('GankitDense (the fused dense layer) and transposed fused products', async () => {
    const r = await bothWays([random([33, 17], 6), random([17, 9], 7), random([9], 8)], (x, w, b) => dense(x as tf.Tensor2D, w as tf.Tensor2D, b as tf.Tensor1D, 'leakyrelu'));
    assert.ok(r.calls > 0);
    assertClose(r.native, r.cpu, { ...TOL, what: 'dense' });
    const t = await bothWays([random([17, 33], 9), random([9, 17], 10)], (a, b) => tf.fused.matMul({ a: a as tf.Tensor2D, b: b as tf.Tensor2D, transposeA: true, transposeB: true, activation: 'relu' }));
    assertClose(t.native, t.cpu, { ...TOL, what: 'fused ᵀ·ᵀ' });
  });

  type Pad = 'same' | 'valid' | [[number, number], [number, number], [number, number], [number, number]];
  const CONVS: Array<{ x: number[]; k: [number, number]; cout: number; stride: number | [number, number]; pad: Pad; dilation?: number }> = [
    { x: [2, 7, 7, 3], k: [3, 3], cout: 4, stride: 1, pad: 'same' },
    { x: [3, 9, 8, 1], k: [4, 4], cout: 5, stride: 2, pad: 'same' }, // one input channel (short runs)
    { x: [2, 8, 8, 32], k: [4, 4], cout: 8, stride: 2, pad: 'same' }, // long runs (copyWithin)
    { x: [2, 9, 7, 2], k: [3, 2], cout: 3, stride: [2, 1], pad: 'valid' },
    { x: [2, 5, 7, 3], k: [3, 3], cout: 2, stride: 2, pad: [[0, 0], [1, 2], [2, 0], [0, 0]] },
    { x: [2, 9, 8, 2], k: [3, 3], cout: 2, stride: 1, pad: 'same', dilation: 2 },
    { x: [1, 10, 9, 3], k: [2, 3], cout: 2, stride: 1, pad: 'valid', dilation: 3 },
    { x: [4, 5, 6, 7], k: [1, 1], cout: 5, stride: 1, pad: 'valid' }, // pointwise: no im2col
    { x: [2, 6, 6, 4], k: [1, 1], cout: 3, stride: 2, pad: 'same' },
  ];
  for (const [i, c] of CONVS.entries()) {
    const name = `x ${c.x.join('×')}, k ${c.k.join('×')}→${c.cout}, s ${c.stride}, pad ${JSON.stringify(c.pad)}, d ${c.dilation ?? 1}`;
    it(`Conv2D, FusedConv2D, Conv2DBackpropFilter and Conv2DBackpropInput: ${name}`, async () => {
      const w = random([c.k[0], c.k[1], c.x[3], c.cout], 100 + i);
      const conv = await bothWays([random(c.x, 200 + i), w], (x, f) => tf.conv2d(x as tf.Tensor4D, f as tf.Tensor4D, c.stride, c.pad, 'NHWC', c.dilation ?? 1));
      assert.ok(conv.calls > 0);
      assertClose(conv.native, conv.cpu, { ...TOL, what: 'conv2d' });
      if (c.dilation === undefined && !Array.isArray(c.pad)) {
        const fused = await bothWays([random(c.x, 300 + i), w, random([c.cout], 400 + i)], (x, f, b) =>
          tf.fused.conv2d({ x: x as tf.Tensor4D, filter: f as tf.Tensor4D, bias: b, strides: c.stride, pad: c.pad as 'same', activation: 'leakyrelu', leakyreluAlpha: 0.2 }),
        );
        assert.ok(fused.calls > 0);
        assertClose(fused.native, fused.cpu, { ...TOL, what: 'fused conv' });
      }
      if (c.dilation === undefined) {
        const info = tf.backend_util.computeConv2DInfo(c.x as [number, number, number, number], w.shape as [number, number, number, number], c.stride, 1, c.pad as 'same');
        const outShape = [info.batchSize, info.outHeight, info.outWidth, info.outChannels];
        const dw = await bothWays([random(c.x, 500 + i), random(outShape, 600 + i)], (x, dy) =>
          tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, { strides: c.stride, pad: c.pad, dataFormat: 'NHWC', filterShape: w.shape } as never) as tf.Tensor,
        );
        assert.ok(dw.calls > 0);
        assertClose(dw.native, dw.cpu, { atol: 1e-3, rtol: 1e-4, what: 'filter gradient' });
        const dx = await bothWays([random(outShape, 700 + i), w], (dy, f) =>
          tf.engine().runKernel('Conv2DBackpropInput', { dy, filter: f }, { strides: c.stride, pad: c.pad, dataFormat: 'NHWC', inputShape: c.x } as never) as tf.Tensor,
        );
        assert.ok(dx.calls > 0);
        assertClose(dx.native, dx.cpu, { ...TOL, what: 'input gradient' });
      }
    });
  }

  const REDUCTIONS: Array<{ shape: number[]; axis: number[] | null; keepDims?: boolean; native: boolean }> = [
    { shape: [6, 5, 4, 7], axis: [0, 1, 2], native: true }, // a bias / batch-norm gradient
    { shape: [9, 13], axis: [0], native: true },
    { shape: [9, 13], axis: [1], keepDims: true, native: true },
    { shape: [3, 4, 5], axis: [1, 2], native: true },
    { shape: [37], axis: null, native: true },
    { shape: [2, 3, 4], axis: null, keepDims: true, native: true },
    { shape: [3, 4, 5], axis: [1], native: false }, // a middle axis: the wasm kernel
  ];
  for (const [i, r] of REDUCTIONS.entries()) {
    it(`Sum and Mean of ${r.shape.join('×')} over ${JSON.stringify(r.axis)}${r.keepDims ? ' (keepDims)' : ''}`, async () => {
      for (const op of [tf.sum, tf.mean]) {
        const out = await bothWays([random(r.shape, 800 + i)], (x) => op(x, r.axis ?? undefined, r.keepDims));
        assert.equal(out.calls, 0, 'no sgemm');
        assertClose(out.native, out.cpu, { ...TOL, what: op.name });
      }
      const shapeOn = async (backend: string) => {
        await tf.setBackend(backend);
        return tf.tidy(() => tf.mean(tf.zeros(r.shape), r.axis ?? undefined, r.keepDims).shape);
      };
      assert.deepEqual(await shapeOn('wasm'), await shapeOn('cpu'));
      await tf.setBackend('wasm');
      const { calls: gemv } = counting('sgemv', () => tf.tidy(() => tf.sum(tf.ones(r.shape), r.axis ?? undefined, r.keepDims).dataSync()));
      assert.equal(gemv > 0, r.native);
    });
  }

  it('im2col writes zeros where a patch leaves the image, and each value where it does not', () => {
    // 1 image 3×3×1 = 1..9, 2×2 filter, stride 1, pad 1 top/left (explicit): 4×4 patches of 4.
    const heap = new Float32Array(200).fill(-1);
    for (let i = 0; i < 9; i++) heap[10 + i] = i + 1;
    const g = { batch: 1, inHeight: 3, inWidth: 3, inChannels: 1, outHeight: 4, outWidth: 4, filterHeight: 2, filterWidth: 2, strideHeight: 1, strideWidth: 1, dilationHeight: 1, dilationWidth: 1, padTop: 1, padLeft: 1 };
    im2col(heap, 10, 50, g);
    const patch = (r: number) => Array.from(heap.slice(50 + 4 * r, 54 + 4 * r));
    assert.deepEqual(patch(0), [0, 0, 0, 1]); // top-left corner: only x[0,0]
    assert.deepEqual(patch(5), [1, 2, 4, 5]); // (1,1): fully inside
    assert.deepEqual(patch(15), [9, 0, 0, 0]); // bottom-right corner
    assert.equal(heap[49], -1);
    assert.equal(heap[50 + 64], -1); // nothing written past the patch matrix
  });

  it("im2col and col2im: the SIMD module's equal the JavaScript ones (strides, padding, dilation, 1 and 5 channels; zeros outside the image)", async () => {
    await tf.setBackend('wasm');
    const backend = tf.backend() as unknown as { wasm: { HEAPU8: Uint8Array; _malloc(n: number): number; _free(p: number): void } };
    const simd = simdKernels(backend.wasm as never);
    assert.ok(simd, 'the SIMD module runs on this heap');
    const shapes = [
      { batch: 2, inHeight: 7, inWidth: 6, inChannels: 5, outHeight: 4, outWidth: 3, filterHeight: 4, filterWidth: 4, strideHeight: 2, strideWidth: 2, dilationHeight: 1, dilationWidth: 1, padTop: 1, padLeft: 1 },
      { batch: 1, inHeight: 9, inWidth: 8, inChannels: 1, outHeight: 5, outWidth: 4, filterHeight: 3, filterWidth: 3, strideHeight: 1, strideWidth: 1, dilationHeight: 2, dilationWidth: 2, padTop: 1, padLeft: 0 },
    ];
    for (const g of shapes) {
      const xSize = g.batch * g.inHeight * g.inWidth * g.inChannels;
      const cSize = g.batch * g.outHeight * g.outWidth * g.filterHeight * g.filterWidth * g.inChannels;
      const ptr = backend.wasm._malloc((xSize + 4 * cSize + 2 * xSize) * 4) >>> 2;
      try {
        const heap = new Float32Array(backend.wasm.HEAPU8.buffer);
        const x = ptr, colsJs = ptr + xSize, colsSimd = colsJs + cSize, dy = colsSimd + cSize, dxJs = dy + 2 * cSize, dxSimd = dxJs + xSize;
        const values = random([xSize + cSize], 900).values;
        heap.set(values.subarray(0, xSize), x);
        heap.set(values.subarray(xSize), dy);
        im2col(heap, x, colsJs, g);
        heap.fill(Number.NaN, colsSimd, colsSimd + cSize); // the module writes the zeros itself: none may be left out
        im2col(heap, x, colsSimd, g, simd);
        assert.deepEqual(heap.slice(colsSimd, colsSimd + cSize), heap.slice(colsJs, colsJs + cSize), 'im2col');
        col2im(heap, dy, dxJs, g);
        col2im(heap, dy, dxSimd, g, simd);
        assertClose(heap.slice(dxSimd, dxSimd + xSize), heap.slice(dxJs, dxJs + xSize), { atol: 1e-5, rtol: 1e-5, what: 'col2im' });
      } finally {
        backend.wasm._free(ptr * 4);
      }
    }
  });

  it('second order through native conv, fused conv and dense (a gradient penalty) matches finite differences', async () => {
    await tf.setBackend('wasm');
    const rng = new Rng(77);
    const x0 = tf.tidy(() => rng.normal([2, 6, 6, 2]).dataSync() as Float32Array);
    const w1 = rng.normal([3, 3, 2, 3]) as tf.Tensor4D;
    const b1 = rng.normal([3]) as tf.Tensor1D;
    const w2 = rng.normal([4, 4, 3, 2]) as tf.Tensor4D;
    const w3 = rng.normal([18, 1]) as tf.Tensor2D;
    const b3 = rng.normal([1]) as tf.Tensor1D;
    const before = tf.memory().numTensors;
    const critic = (x: tf.Tensor, first: tf.Tensor4D) => {
      const h1 = fusedConv2d(x as tf.Tensor4D, first, b1, 1, 'same', 'leakyrelu');
      const h2 = tf.leakyRelu(tf.conv2d(h1, w2, 2, 'same'), 0.2);
      return dense(tf.reshape(h2, [2, 18]) as tf.Tensor2D, w3, b3, 'linear');
    };
    // P(W1) = Σ (∂/∂x Σ D(x))²: its gradient w.r.t. W1 needs the second derivative of every op.
    const penalty = (first: tf.Tensor4D) => {
      const x = tf.tensor(x0, [2, 6, 6, 2]);
      const gx = tf.grad((xx: tf.Tensor) => tf.sum(critic(xx, first)))(x);
      return tf.sum(tf.square(gx));
    };
    const { result: analytic, calls } = counting('sgemm', () => tf.tidy(() => tf.grad((w: tf.Tensor) => penalty(w as tf.Tensor4D))(w1).dataSync() as Float32Array));
    assert.ok(calls > 10, `native kernels used (${calls} BLAS calls)`);
    const f = (values: Float32Array) => tf.tidy(() => penalty(tf.tensor(values, w1.shape) as tf.Tensor4D).dataSync()[0]);
    const numeric = centralDifference(f, w1.dataSync() as Float32Array, 1e-2);
    assertClose(analytic, numeric, { atol: 5e-2, rtol: 3e-2, what: '∂P/∂W1' });
    assert.equal(tf.memory().numTensors, before, 'no tensors leaked');
    tf.dispose([w1, b1, w2, w3, b3]);
  });

  it('second order through the native transposed convolution (a generator layer under a penalty) matches finite differences', async () => {
    await tf.setBackend('wasm');
    const rng = new Rng(78);
    const z0 = tf.tidy(() => rng.normal([2, 3, 3, 4]).dataSync() as Float32Array);
    const w = rng.normal([4, 4, 2, 4]) as tf.Tensor4D; // [kh, kw, out, in]
    const wd = rng.normal([3, 3, 2, 1]) as tf.Tensor4D;
    const before = tf.memory().numTensors;
    // P(W) = Σ (∂/∂z Σ tanh(conv(deconv(z, W), Wd)))²
    const penalty = (wt: tf.Tensor4D) => {
      const z = tf.tensor(z0, [2, 3, 3, 4]);
      const gz = tf.grad((zz: tf.Tensor) => tf.sum(tf.tanh(tf.conv2d(deconv2d(zz as tf.Tensor4D, wt, [2, 6, 6, 2], 2, 'same'), wd, 1, 'same'))))(z);
      return tf.sum(tf.square(gz));
    };
    const analytic = tf.tidy(() => tf.grad((t: tf.Tensor) => penalty(t as tf.Tensor4D))(w).dataSync() as Float32Array);
    const f = (values: Float32Array) => tf.tidy(() => penalty(tf.tensor(values, w.shape) as tf.Tensor4D).dataSync()[0]);
    assertClose(analytic, centralDifference(f, w.dataSync() as Float32Array, 1e-2), { atol: 5e-2, rtol: 3e-2, what: '∂P/∂W' });
    assert.equal(tf.memory().numTensors, before, 'no tensors leaked');
    tf.dispose([w, wd]);
  });

  it('engineState reports the library, its version and threads; native off reports why', async () => {
    const on = engineState();
    assert.ok(on.native && on.native.path.length > 0 && /OpenBLAS|Accelerate|CBLAS/.test(on.native.version) && on.native.threads >= 1);
    await setNative(false);
    const off = engineState();
    assert.equal(off.native, null);
    assert.match(off.nativeOff ?? '', /turned off/);
    assert.equal(await setNative(true), true);
  });
});

describe('the thread policy (engine/backend.ts)', () => {
  it('images: BLAS on every core with native (one wasm thread), (up to 64), XNNPACK up to its pool of 8 without; 2-D: one thread', () => {
    for (const cores of [1, 2, 4, 8, 16, 96]) {
      assert.deepEqual(threadPolicy('images', true, cores), { wasmThreads: 1, blasThreads: Math.min(cores, 64) });
      assert.deepEqual(threadPolicy('images', false, cores), { wasmThreads: Math.min(cores, 8), blasThreads: 1 });
      assert.deepEqual(threadPolicy('points', true, cores), { wasmThreads: 1, blasThreads: 1 });
      assert.deepEqual(threadPolicy('points', false, cores), { wasmThreads: 1, blasThreads: 1 });
    }
  });
});

describe('kernel sets (engine/backend.ts)', () => {
  it('each combination has a short stable id, and fused counts only with native', () => {
    const sets = [kernelSetOf('wasm', false, true), kernelSetOf('wasm', true, false), kernelSetOf('wasm', true, true), kernelSetOf('cpu', true, true)];
    assert.deepEqual(
      sets.map((k) => k.description),
      ['wasm: base1', 'wasm: base1 + native1', 'wasm: base1 + native1 + fused2', 'cpu: base1'],
    );
    // Written out: an id that changes is a kernel set that changed (KERNEL_VERSIONS).
    assert.deepEqual(sets.map((k) => k.id), KERNEL_SET_IDS);
    assert.equal(kernelSetOf('wasm', false, false).id, sets[0].id);
    assert.deepEqual([sets[0].fused, sets[2].fused, sets[3].native], [false, true, false]);
  });

  it('the kernel sources are the ones these versions describe', () => {
    // A change to a kernel source is a decision: if it changes any result's bits, bump its family
    // in KERNEL_VERSIONS (engine/backend.ts) and KERNEL_SET_IDS here; either way, update the digest.
    assert.deepEqual(KERNEL_VERSIONS, { base: 1, native: 1, fused: 2 });
    assert.equal(kernelSourceDigest(), KERNEL_SOURCE_DIGEST, 'the kernel sources changed: see this test');
  });

  it('a run records its kernel set; a recorded run gets that kernel set back, and one without an id the kernels before ids', async () => {
    const at = (extra: Partial<ComputeSettings>): ComputeSettings => ({ native: true, wasmThreads: wasmThreads(), blasThreads: 1, ...extra });
    const start = async (compute: ComputeSettings | null, fused?: string, reading?: boolean) => {
      const warnings: string[] = [];
      await initEngine({ backend: 'wasm', native: 'on', compute, fused, reading, warn: (m) => warnings.push(m) });
      return { set: kernelSet(), warnings };
    };
    try {
      const fresh = await start(null);
      assert.equal(fresh.set.fused, resolveFused(), 'a new run: fused unless GANKIT_FUSED=off');
      assert.equal(computeSettings().kernelSet, fresh.set.id);
      assert.equal(computeSettings().blas, activeBlas()!.version);
      assert.equal((await start(null, 'off')).set.fused, false);
      const unfused = await start(at({ kernelSet: KERNEL_SET_IDS[1] }), 'on');
      assert.deepEqual([unfused.set.id, unfused.warnings], [KERNEL_SET_IDS[1], []], 'the recorded kernel set wins over the option');
      const fused = await start(at({ kernelSet: KERNEL_SET_IDS[2] }), 'off');
      assert.deepEqual([fused.set.id, fused.warnings], [KERNEL_SET_IDS[2], []]);
      const old = await start(at({}));
      assert.equal(old.set.id, KERNEL_SET_IDS[1]);
      assert.equal(old.warnings.length, 1);
      assert.match(old.warnings[0], /records no kernel set \(it started before gankit recorded them\): it continues on the kernels of that time, k[0-9a-f]{8} \(wasm: base1 \+ native1, without the fused kernels\)/);
      const unknown = await start(at({ kernelSet: 'k00000000' }));
      assert.match(unknown.warnings.join('\n'), /computed by kernel set k00000000, which this gankit does not have; it continues on k[0-9a-f]{8}.*not bit-identical/);
      const otherCpu = await start(at({ kernelSet: KERNEL_SET_IDS[2], blas: 'OpenBLAS 0.0.0 (core Elsewhere)' }));
      assert.match(otherCpu.warnings.join('\n'), /products ran on OpenBLAS 0\.0\.0 \(core Elsewhere\); here they run on .*not bit-identical/);
      // Read (sample, eval, export), not continued: the same facts, without a resume's consequence.
      const read = [await start(at({}), undefined, true), await start(at({ kernelSet: 'k00000000' }), undefined, true), await start(at({ kernelSet: KERNEL_SET_IDS[2], blas: 'OpenBLAS 0.0.0 (core Elsewhere)' }), undefined, true)];
      assert.match(read[0].warnings.join('\n'), /records no kernel set \(it started before gankit recorded them\): it is read on the kernels of that time, k[0-9a-f]{8}/);
      assert.match(read[1].warnings.join('\n'), /computed by kernel set k00000000, which this gankit does not have; it is read on k[0-9a-f]{8} .*: samples and scores may differ in the last bits/);
      assert.match(read[2].warnings.join('\n'), /products ran on OpenBLAS 0\.0\.0 \(core Elsewhere\); here they run on .*: samples and scores may differ in the last bits/);
      for (const r of read) assert.doesNotMatch(r.warnings.join('\n'), /continues|uninterrupted/);
    } finally {
      await initEngine({ backend: 'wasm', native: 'on' });
    }
  });
});

/** The ids of kernelSetOf for wasm, wasm + native, wasm + native + fused, cpu (KERNEL_VERSIONS 1, 1, 2). */
const KERNEL_SET_IDS = ['k32c3c4d9', 'k3228614e', 'ka2cd310e', 'kd41cb885'];

/** SHA-256 (first 16 hex digits) of the kernel sources: src/engine/kernels/ (but the generated module) and the native kernels. */
function kernelSourceDigest(): string {
  const root = new URL('../../src/engine/', import.meta.url);
  const files = [
    ...readdirSync(new URL('kernels/', root))
      .filter((f) => f !== 'simdModule.ts')
      .sort()
      .map((f) => `kernels/${f}`),
    'native/kernels.ts',
    'native/im2col.ts',
  ];
  const hash = createHash('sha256');
  for (const f of files) hash.update(`${f}\n`).update(readFileSync(new URL(f, root)));
  return hash.digest('hex').slice(0, 16);
}
const KERNEL_SOURCE_DIGEST = '6460d1d4dc75e48e';

describe('without a library', () => {
  const script = fileURLToPath(new URL('./helpers/nativeProbe.js', import.meta.url));
  const run = (env: Record<string, string>) => spawnSync(process.execPath, [script], { env: { ...process.env, ...env }, encoding: 'utf8', timeout: 60_000 });

  it("auto: one line says how to get the speed, and the wasm kernels give tfjs-cpu's numbers", () => {
    const r = run({ GANKIT_NATIVE: 'auto', GANKIT_BLAS_LIBRARY: '/nonexistent/libopenblas.so.0' });
    assert.equal(r.status, 0, r.stderr);
    const lines = r.stderr.split('\n').filter((l) => l.includes('native'));
    assert.equal(lines.length, 1, r.stderr);
    assert.match(lines[0], /no native BLAS \(\/nonexistent\/libopenblas\.so\.0: .*\): the wasm kernels run; for ~2× speed: apt-get install libopenblas0-pthread/);
    const out = JSON.parse(r.stdout) as { native: boolean; product: number[] };
    assert.equal(out.native, false);
    assert.equal(out.product.length, 6);
  });

  it('on: one clear error naming the library; off: silent', () => {
    const r = run({ GANKIT_NATIVE: 'on', GANKIT_BLAS_LIBRARY: '/nonexistent/libopenblas.so.0' });
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /native: \/nonexistent\/libopenblas\.so\.0: .*apt-get install libopenblas0-pthread/);
    const off = run({ GANKIT_NATIVE: '0' });
    assert.equal(off.status, 0, off.stderr);
    assert.doesNotMatch(off.stderr, /native/);
    assert.equal((JSON.parse(off.stdout) as { native: boolean }).native, false);
  });

  it('a bad GANKIT_NATIVE is refused by name', async () => {
    assert.throws(() => resolveNativeMode('maybe'), /native: expected on, off or auto, got 'maybe'/);
    await assert.rejects(initEngine({ backend: 'wasm', blasThreads: 0 }), /blas-threads: expected an integer from 1 to 64, got '0'/);
    assert.throws(() => resolveFused('maybe'), /fused: expected on or off, got 'maybe'/);
  });
});
