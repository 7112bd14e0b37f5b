/**
 * Convolution gradients as forward convolutions (src/engine/conv.ts) against independent
 * references: the plain-loop filter gradient, tfjs-cpu's own Conv2DBackpropInput and
 * Conv2DBackpropFilter kernels (run directly, outside any gradient), and finite differences for
 * the second order. Shapes cover strides 1–2, kernels 1–5, odd sizes, 'same', 'valid' and
 * explicit padding, and dilation; sizes that are multiples of the stride exercise the sub-pixel
 * input gradient.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { tf, deconv2d, fusedConv2d, Rng } from '../src/engine/index.js';
import { convTuning } from '../src/engine/conv.js';
import { conv2dFilterGradient as loopFilterGradient } from '../src/engine/kernels/conv2dBackpropFilter.js';
import { assertClose, centralDifference, scalarOf, useBackend, TEST_BACKENDS } from './helpers/numeric.js';

type Pad = 'same' | 'valid' | [[number, number], [number, number], [number, number], [number, number]];
interface Case {
  x: [number, number, number, number];
  k: [number, number];
  cout: number;
  stride: number;
  pad: Pad;
  dilation?: number;
}

const CASES: Case[] = [
  { x: [2, 7, 7, 3], k: [3, 3], cout: 4, stride: 1, pad: 'same' },
  { x: [2, 7, 6, 2], k: [4, 4], cout: 3, stride: 2, pad: 'same' },
  { x: [3, 9, 9, 1], k: [5, 5], cout: 2, stride: 2, pad: 'same' },
  { x: [2, 8, 7, 2], k: [3, 2], cout: 3, stride: 2, pad: 'valid' },
  { x: [1, 6, 6, 2], k: [1, 1], cout: 2, stride: 1, pad: 'valid' },
  { x: [2, 5, 7, 2], k: [3, 3], cout: 2, stride: 2, pad: [[0, 0], [1, 2], [2, 0], [0, 0]] },
  { x: [2, 9, 8, 2], k: [3, 3], cout: 2, stride: 1, pad: 'same', dilation: 2 },
  { x: [2, 10, 9, 1], k: [2, 3], cout: 2, stride: 1, pad: 'valid', dilation: 3 },
  // Sizes divisible by the stride: the input gradient takes the sub-pixel route.
  { x: [2, 8, 8, 2], k: [4, 4], cout: 3, stride: 2, pad: 'same' },
  { x: [2, 6, 8, 2], k: [3, 3], cout: 2, stride: 2, pad: 'valid' },
  { x: [2, 8, 6, 3], k: [5, 4], cout: 2, stride: 2, pad: [[0, 0], [2, 1], [0, 3], [0, 0]] },
];

const scalarArray = (f: () => tf.Tensor) => tf.tidy(() => f().dataSync());

const describeCase = (c: Case) => `x ${c.x.join('×')}, k ${c.k.join('×')}→${c.cout}, s ${c.stride}, pad ${JSON.stringify(c.pad)}, d ${c.dilation ?? 1}`;

function tensors(c: Case, seed: number) {
  const rng = new Rng(seed);
  const x = rng.normal(c.x) as tf.Tensor4D;
  const w = rng.normal([c.k[0], c.k[1], c.x[3], c.cout]) as tf.Tensor4D;
  const y = tf.conv2d(x, w, c.stride, c.pad, 'NHWC', c.dilation ?? 1);
  const dy = rng.normal(y.shape) as tf.Tensor4D;
  return { x, w, dy };
}

/** Independent references: tfjs-cpu kernels run directly (no gradient code involved) and the plain loop. */
function referenceGradients(c: Case, x: tf.Tensor4D, w: tf.Tensor4D, dy: tf.Tensor4D) {
  const attrs = { strides: c.stride, pad: c.pad, dataFormat: 'NHWC', dimRoundingMode: undefined };
  const dx = tf.engine().runKernel('Conv2DBackpropInput', { dy, filter: w }, { ...attrs, inputShape: c.x } as never) as tf.Tensor;
  let dw: Float32Array;
  if ((c.dilation ?? 1) === 1) {
    const info = tf.backend_util.computeConv2DInfo(c.x, w.shape, c.stride, 1, c.pad as 'same');
    dw = new Float32Array(w.size);
    loopFilterGradient(x.dataSync() as Float32Array, dy.dataSync() as Float32Array, info, dw);
  } else {
    dw = new Float32Array(0);
  }
  return { dx: dx.dataSync(), dw };
}

// Both filter-gradient routes: patchesᵀ·dy (every case here has KH·KW·Cin ≤ 64) and the dilated convolution.
for (const [backend, patchMax] of TEST_BACKENDS.flatMap((b) => [[b, 64], [b, 0]] as const)) {
  describe(`conv2d gradients as convolutions on ${backend}, filter gradient by ${patchMax ? 'patches' : 'dilated convolution'}`, () => {
    before(async () => {
      await useBackend(backend);
      convTuning.patchFilterGradientMax = patchMax;
    });
    after(() => {
      convTuning.patchFilterGradientMax = 64;
    });

    for (const [i, c] of CASES.entries()) {
      it(`first order equals the stock kernels: ${describeCase(c)}`, async () => {
        const { x, w, dy } = tensors(c, 10 + i);
        const [gx, gw] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.stride, c.pad, 'NHWC', c.dilation ?? 1), dy)))([x, w]);
        // References on cpu, where Conv2DBackpropInput exists; dilation > 1 checked by finite differences.
        const current = tf.getBackend();
        await tf.setBackend('cpu');
        if ((c.dilation ?? 1) === 1) {
          const xs = tf.tensor(x.dataSync(), x.shape) as tf.Tensor4D;
          const ws = tf.tensor(w.dataSync(), w.shape) as tf.Tensor4D;
          const dys = tf.tensor(dy.dataSync(), dy.shape) as tf.Tensor4D;
          const ref = referenceGradients(c, xs, ws, dys);
          assertClose(gx.dataSync(), ref.dx, { atol: 1e-4, rtol: 1e-4, what: 'dx' });
          assertClose(gw.dataSync(), ref.dw, { atol: 1e-4, rtol: 1e-4, what: 'dW' });
        } else {
          const wv = w.dataSync() as Float32Array;
          const xv = x.dataSync() as Float32Array;
          const dyv = dy.dataSync() as Float32Array;
          const f = (xa: Float32Array, wa: Float32Array) =>
            scalarOf(() => tf.sum(tf.mul(tf.conv2d(tf.tensor(xa, c.x) as tf.Tensor4D, tf.tensor(wa, w.shape) as tf.Tensor4D, c.stride, c.pad, 'NHWC', c.dilation ?? 1), tf.tensor(dyv, dy.shape))));
          // The function is bilinear, so central differences are exact up to rounding.
          assertClose(gw.dataSync(), centralDifference((wa) => f(xv, wa), wv, 0.5), { atol: 2e-3, rtol: 1e-3, what: 'dW' });
          assertClose(gx.dataSync(), centralDifference((xa) => f(xa, wv), xv, 0.5), { atol: 2e-3, rtol: 1e-3, what: 'dx' });
        }
        await tf.setBackend(current);
      });
    }

    for (const [i, c] of CASES.slice(0, 6).entries()) {
      it(`second order matches finite differences: ${describeCase(c)}`, () => {
        const { x, w } = tensors(c, 40 + i);
        const rng = new Rng(90 + i);
        const v = rng.normal(c.x);
        // H(W) = Σ v ⊙ ∂/∂x Σ tanh(conv(x, W))²: the gradient w.r.t. W goes through both rules.
        const inner = (wt: tf.Tensor) => tf.grad((a: tf.Tensor) => tf.sum(tf.square(tf.tanh(tf.conv2d(a as tf.Tensor4D, wt as tf.Tensor4D, c.stride, c.pad)))));
        const H = (wt: tf.Tensor) => tf.sum(tf.mul(v, inner(wt)(x)));
        const analytic = tf.grad(H)(w).dataSync();
        const wv = w.dataSync() as Float32Array;
        const numeric = centralDifference((wa) => scalarOf(() => H(tf.tensor(wa, w.shape))), wv, 1e-2);
        assertClose(analytic, numeric, { atol: 5e-3, rtol: 3e-2, what: 'd²' });
      });
    }

    it('deconv2d equals tf.conv2dTranspose, value and gradients (cpu reference)', async () => {
      for (const [i, [inShape, k, outShape, stride, pad]] of ([
        [[2, 7, 7, 4], [4, 4], [2, 14, 14, 3], 2, 'same'],
        [[2, 4, 5, 3], [5, 5], [2, 8, 10, 2], 2, 'same'],
        [[1, 3, 3, 2], [3, 3], [1, 7, 7, 1], 2, 'valid'],
      ] as const).entries()) {
        const rng = new Rng(70 + i);
        const x = rng.normal([...inShape]) as tf.Tensor4D;
        const w = rng.normal([k[0], k[1], outShape[3], inShape[3]]) as tf.Tensor4D;
        const dy = rng.normal([...outShape]);
        const mine = deconv2d(x, w, [...outShape], stride, pad);
        const [gx, gw] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(deconv2d(a as tf.Tensor4D, b as tf.Tensor4D, [...outShape], stride, pad), dy)))([x, w]);
        const current = tf.getBackend();
        await tf.setBackend('cpu');
        const xs = tf.tensor(x.dataSync(), x.shape) as tf.Tensor4D;
        const ws = tf.tensor(w.dataSync(), w.shape) as tf.Tensor4D;
        const ref = tf.conv2dTranspose(xs, ws, [...outShape], stride, pad);
        assert.deepEqual(mine.shape, ref.shape);
        assertClose(mine.dataSync(), ref.dataSync(), { atol: 1e-4, rtol: 1e-4, what: 'deconv value' });
        // d/dx Σ dy ⊙ deconv(x) = conv2d(dy, W); d/dW by the cpu filter kernel with x and dy swapped.
        const refGx = tf.conv2d(tf.tensor4d(dy.dataSync(), [...outShape]), ws, stride, pad);
        assertClose(gx.dataSync(), refGx.dataSync(), { atol: 1e-4, rtol: 1e-4, what: 'deconv dx' });
        const refGw = tf.engine().runKernel(
          'Conv2DBackpropFilter',
          { x: tf.tensor(dy.dataSync(), dy.shape), dy: xs },
          { strides: stride, pad, dataFormat: 'NHWC', filterShape: [...w.shape] } as never,
        ) as tf.Tensor;
        assertClose(gw.dataSync(), refGw.dataSync(), { atol: 1e-3, rtol: 1e-4, what: 'deconv dW' });
        await tf.setBackend(current);
      }
    });

    it('deconv2d: second order matches finite differences (sub-pixel and zero-insertion paths)', () => {
      for (const [i, [inShape, k, outShape, pad]] of ([
        [[2, 3, 3, 2], 4, [2, 6, 6, 2], 'same'],
        [[1, 3, 3, 2], 3, [1, 7, 7, 1], 'valid'],
      ] as const).entries()) {
        const rng = new Rng(200 + i);
        const x = rng.normal([...inShape]);
        const w = rng.normal([k, k, outShape[3], inShape[3]]);
        const v = rng.normal([...inShape]);
        const inner = (wt: tf.Tensor) => tf.grad((a: tf.Tensor) => tf.sum(tf.square(tf.tanh(deconv2d(a as tf.Tensor4D, wt as tf.Tensor4D, [...outShape], 2, pad)))));
        const H = (wt: tf.Tensor) => tf.sum(tf.mul(v, inner(wt)(x)));
        const analytic = tf.grad(H)(w).dataSync();
        const numeric = centralDifference((wa) => scalarOf(() => H(tf.tensor(wa, w.shape))), w.dataSync() as Float32Array, 1e-2);
        assertClose(analytic, numeric, { atol: 5e-3, rtol: 3e-2, what: `deconv d² (${pad})` });
      }
    });

    for (const act of ['linear', 'relu', 'leakyrelu'] as const) {
      it(`fusedConv2d (${act}): value equals conv + bias + activation; filter and bias gradients, first and second order, match finite differences`, () => {
        const rng = new Rng(300);
        const x = rng.normal([2, 6, 6, 2]) as tf.Tensor4D;
        const w = rng.normal([3, 3, 2, 3]) as tf.Tensor4D;
        const b = rng.normal([3]) as tf.Tensor1D;
        const v = rng.normal([2, 6, 6, 2]);
        const unfused = tf.tidy(() => {
          const z = tf.add(tf.conv2d(x, w, 2, 'same'), b);
          return (act === 'relu' ? tf.relu(z) : act === 'leakyrelu' ? tf.leakyRelu(z, 0.2) : z).dataSync();
        });
        assertClose(scalarArray(() => fusedConv2d(x, w, b, 2, 'same', act)), unfused, { atol: 1e-5, rtol: 1e-5, what: 'fused value' });
        const f = (wt: tf.Tensor, bt: tf.Tensor, xt: tf.Tensor = x) => tf.sum(tf.tanh(fusedConv2d(xt as tf.Tensor4D, wt as tf.Tensor4D, bt as tf.Tensor1D, 2, 'same', act)));
        const dW = tf.tidy(() => tf.grad((wt: tf.Tensor) => f(wt, b))(w).dataSync());
        assertClose(dW, centralDifference((wa) => scalarOf(() => f(tf.tensor(wa, w.shape), b)), w.dataSync() as Float32Array), { what: 'fused dW' });
        const db = tf.tidy(() => tf.grad((bt: tf.Tensor) => f(w, bt))(b).dataSync());
        assertClose(db, centralDifference((ba) => scalarOf(() => f(w, tf.tensor(ba, b.shape))), b.dataSync() as Float32Array), { what: 'fused db' });
        // ⟨v, ∂f/∂x⟩ differentiated w.r.t. W: the gradient-penalty path.
        const H = (wt: tf.Tensor) => tf.sum(tf.mul(v, tf.grad((xt: tf.Tensor) => f(wt, b, xt))(x)));
        const d2 = tf.tidy(() => tf.grad(H)(w).dataSync());
        assertClose(d2, centralDifference((wa) => scalarOf(() => H(tf.tensor(wa, w.shape))), w.dataSync() as Float32Array), { atol: 5e-3, rtol: 3e-2, what: 'fused d²' });
        tf.dispose([x, w, b, v]);
      });
    }
  });
}
