/**
 * Second-order gradients of every op a gankit model or loss uses, against central finite
 * differences (see helpers/numeric.ts for step and tolerances).
 *
 * For an elementwise op f the test function is H(x) = Σ v ⊙ ∇ₓ[Σ w ⊙ f(x)²]. Its gradient,
 * 2 v w (f'(x)² + f(x) f''(x)), exercises both paths through f's gradient function — the
 * upstream gradient `dy` (which is where stock tfjs loses leakyRelu and friends) and the input —
 * and is non-zero even for piecewise-linear ops.
 */
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { tf, logSoftmax, batchNorm } from '../src/engine/index.js';
import { assertClose, centralDifference, scalarOf, useBackend, TEST_BACKENDS } from './helpers/numeric.js';

const X = new Float32Array([0.3, -0.7, 1.1, -0.2, 0.45, -1.3, 0.8, -0.35]);
const SHAPE = [2, 4];
const W_VALUES = [0.5, -1.2, 0.7, 1.3, 0.2, -0.4, 0.9, -0.6];
const V_VALUES = [0.9, 0.1, -0.6, -0.3, 0.8, 0.25, -0.5, 0.4];

const OPS: Record<string, (x: tf.Tensor) => tf.Tensor> = {
  relu: (x) => tf.relu(x),
  leakyRelu: (x) => tf.leakyRelu(x, 0.2),
  prelu: (x) => tf.prelu(x, tf.scalar(0.2)),
  relu6: (x) => tf.relu6(tf.mul(x, 4)),
  elu: (x) => tf.elu(x),
  selu: (x) => tf.selu(x),
  tanh: (x) => tf.tanh(x),
  sigmoid: (x) => tf.sigmoid(x),
  exp: (x) => tf.exp(x),
  softplus: (x) => tf.softplus(x),
  logSigmoid: (x) => tf.logSigmoid(x),
  softmax: (x) => tf.softmax(x),
  logSoftmax: (x) => logSoftmax(x),
  logSumExp: (x) => tf.logSumExp(x, -1, true),
  clipByValue: (x) => tf.clipByValue(x, -0.5, 0.5),
  minimum: (x) => tf.minimum(x, tf.scalar(0.1)),
  maximum: (x) => tf.maximum(x, tf.scalar(0.1)),
  maxReduce: (x) => tf.max(x, -1, true),
  minReduce: (x) => tf.min(x, -1, true),
  abs: (x) => tf.abs(x),
  sqrt: (x) => tf.sqrt(tf.add(tf.square(x), 1)),
  rsqrt: (x) => tf.rsqrt(tf.add(tf.square(x), 1)),
  log: (x) => tf.log(tf.add(tf.square(x), 1)),
  div: (x) => tf.div(x, tf.add(tf.square(x), 1)),
  meanVarianceNorm: (x) => {
    const { mean, variance } = tf.moments(x, -1, true);
    return tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, 1e-5)));
  },
};

function hessianProbe(op: (x: tf.Tensor) => tf.Tensor) {
  const g = tf.grad((x: tf.Tensor) => tf.sum(tf.mul(tf.tensor(W_VALUES, SHAPE), tf.square(op(x)))));
  return (x: tf.Tensor) => tf.sum(tf.mul(tf.tensor(V_VALUES, SHAPE), g(x)));
}

for (const backend of TEST_BACKENDS) {
  describe(`second-order gradients on ${backend}`, () => {
    before(() => useBackend(backend));

    for (const [name, op] of Object.entries(OPS)) {
      it(`${name}: gradient of a gradient matches finite differences`, () => {
        const h = hessianProbe(op);
        const analytic = tf.tidy(() => tf.grad(h)(tf.tensor(X, SHAPE)).dataSync());
        const numeric = centralDifference((x) => scalarOf(() => h(tf.tensor(x, SHAPE))), X);
        assertClose(analytic, numeric, { what: `${name} d/dx H` });
        // The probe must be sensitive: an op whose gradient loses `dy` would give all zeros.
        assert.ok(numeric.some((v) => Math.abs(v) > 1e-2), `${name}: probe is degenerate`);
      });
    }

    it('avgPool: second-order through AvgPoolGrad', () => {
      const x0 = new Float32Array(Array.from({ length: 32 }, (_, i) => Math.sin(i * 1.3)));
      const shape = [1, 4, 4, 2];
      const wPool = tf.tensor(Array.from({ length: 8 }, (_, i) => Math.cos(i)), [1, 2, 2, 2]);
      const g = tf.grad((x: tf.Tensor) => tf.sum(tf.mul(wPool, tf.square(tf.avgPool(x as tf.Tensor4D, 2, 2, 'valid')))));
      const vIn = tf.tensor(Array.from({ length: 32 }, (_, i) => Math.cos(i * 0.7)), shape);
      const h = (x: tf.Tensor) => tf.sum(tf.mul(vIn, g(x)));
      const analytic = tf.tidy(() => tf.grad(h)(tf.tensor(x0, shape)).dataSync());
      const numeric = centralDifference((x) => scalarOf(() => h(tf.tensor(x, shape))), x0);
      assertClose(analytic, numeric, { what: 'avgPool d/dx H' });
    });

    it('resizeBilinear and resizeNearestNeighbor: second-order through their backward kernels', () => {
      const shape = [1, 3, 3, 1];
      const x0 = new Float32Array(Array.from({ length: 9 }, (_, i) => Math.sin(i + 0.5)));
      for (const resize of [
        (x: tf.Tensor) => tf.image.resizeBilinear(x as tf.Tensor4D, [5, 5]),
        (x: tf.Tensor) => tf.image.resizeNearestNeighbor(x as tf.Tensor4D, [6, 6]),
      ]) {
        const g = tf.grad((x: tf.Tensor) => {
          const y = resize(x);
          const w = tf.reshape(tf.sin(tf.range(0, y.size)), y.shape);
          return tf.sum(tf.mul(w, tf.square(y)));
        });
        const vIn = tf.tensor(Array.from({ length: 9 }, (_, i) => Math.cos(i * 0.9)), shape);
        const h = (x: tf.Tensor) => tf.sum(tf.mul(vIn, g(x)));
        const analytic = tf.tidy(() => tf.grad(h)(tf.tensor(x0, shape)).dataSync());
        const numeric = centralDifference((x) => scalarOf(() => h(tf.tensor(x, shape))), x0);
        assertClose(analytic, numeric, { what: 'resize d/dx H' });
      }
    });

    it('conv2d: second order through both backward kernels (Conv2DBackpropInput and Conv2DBackpropFilter)', () => {
      const xShape = [1, 5, 5, 2];
      const x0 = new Float32Array(Array.from({ length: 50 }, (_, i) => Math.sin(i * 0.37)));
      const w = tf.tensor(Array.from({ length: 3 * 3 * 2 * 2 }, (_, i) => Math.cos(i * 0.51)), [3, 3, 2, 2]);
      const f = (x: tf.Tensor, k: tf.Tensor) => tf.sum(tf.square(tf.conv2d(x as tf.Tensor4D, k as tf.Tensor4D, 2, 'same')));
      // ‖∂f/∂w‖² goes through Conv2DBackpropFilter; ‖∂f/∂x‖² through Conv2DBackpropInput.
      for (const [what, h] of [
        ['through the filter gradient', (x: tf.Tensor) => tf.sum(tf.square(tf.grad((k: tf.Tensor) => f(x, k))(w)))],
        ['through the input gradient', (x: tf.Tensor) => tf.sum(tf.square(tf.grad((a: tf.Tensor) => f(a, w))(x)))],
      ] as const) {
        const analytic = tf.tidy(() => tf.grad(h)(tf.tensor(x0, xShape)).dataSync());
        const numeric = centralDifference((x) => scalarOf(() => h(tf.tensor(x, xShape))), x0);
        assertClose(analytic, numeric, { what: `conv2d ${what}` });
      }
    });

    it('batch norm with bias and activation (the fused kernel on wasm): second order in x, the gain and the bias', () => {
      // A critic with batch norm under a gradient penalty: P = Σ v ⊙ ∇ₓ[Σ w ⊙ BN(x + b)²] and
      // Q = ‖∇ₓ Σ w ⊙ BN(x + b)‖², differentiated in x, γ and b. The inner gradient is taped, so it
      // runs as ops (kernels/batchNorm.ts); the outer one through the kernel and those ops.
      const shape = [6, 3];
      const x0 = new Float32Array([0.3, -0.7, 1.1, -0.2, 0.45, -1.3, 0.8, -0.35, 0.6, 1.4, 0.1, -0.9, -1.1, 0.7, 0.25, 0.5, -0.45, 0.95]);
      const w = tf.tensor(Array.from({ length: 18 }, (_, i) => Math.sin(i * 0.77 + 0.2)), shape);
      const v = tf.tensor(Array.from({ length: 18 }, (_, i) => Math.cos(i * 1.31)), shape);
      const b0 = new Float32Array([0.2, -0.1, 0.05]);
      const g0 = new Float32Array([1.1, 0.8, 1.3]);
      const shift = tf.tensor1d([0.15, -0.05, 0.1]);
      for (const activation of ['linear', 'leakyrelu', 'relu'] as const) {
        const bn = (x: tf.Tensor, b: tf.Tensor, g: tf.Tensor) => batchNorm(x, b, g, shift, { epsilon: 1e-5, activation, alpha: 0.2 });
        const inner = (b: tf.Tensor, g: tf.Tensor) => tf.grad((x: tf.Tensor) => tf.sum(tf.mul(w, tf.square(bn(x, b, g)))));
        const probes: Array<[string, (x: tf.Tensor, b: tf.Tensor, g: tf.Tensor) => tf.Tensor]> = [
          ['P', (x, b, g) => tf.sum(tf.mul(v, inner(b, g)(x)))],
          ['Q', (x, b, g) => tf.sum(tf.square(inner(b, g)(x)))],
        ];
        for (const [name, f] of probes) {
          const at = (x: Float32Array, b: Float32Array, g: Float32Array) => scalarOf(() => f(tf.tensor(x, shape), tf.tensor1d(b), tf.tensor1d(g)));
          const [dx, db, dg] = tf.tidy(() => tf.grads((x: tf.Tensor, b: tf.Tensor, g: tf.Tensor) => f(x, b, g))([tf.tensor(x0, shape), tf.tensor1d(b0), tf.tensor1d(g0)]).map((t) => t.dataSync()));
          const h = 3e-3; // the pre-activations stay ≥ 10h from the kinks at these points
          assertClose(dx, centralDifference((x) => at(x, b0, g0), x0, h), { what: `${activation} ${name} d/dx` });
          assertClose(dg, centralDifference((g) => at(x0, b0, g), g0, h), { what: `${activation} ${name} d/dγ` });
          assertClose(db, centralDifference((b) => at(x0, b, g0), b0, h), { what: `${activation} ${name} d/db`, atol: 5e-3 });
          assert.ok(dx.some((t) => Math.abs(t) > 1e-2), `${activation} ${name}: probe is degenerate`);
        }
      }
      tf.dispose([w, v, shift]);
    });

    it('maxPool under a second-order gradient fails with a clear message', () => {
      const g = tf.grad((x: tf.Tensor) => tf.sum(tf.square(tf.maxPool(x as tf.Tensor4D, 2, 2, 'valid'))));
      const h = (x: tf.Tensor) => tf.sum(g(x));
      assert.throws(() => tf.tidy(() => tf.grad(h)(tf.ones([1, 4, 4, 1]))), /maxPool has no second-order gradient/);
    });

    it('stock first-order gradients are unchanged (tanh, sigmoid, softmax)', () => {
      tf.tidy(() => {
        const x = tf.tensor(X, SHAPE);
        const gt = tf.grad((t: tf.Tensor) => tf.sum(tf.tanh(t)))(x).dataSync();
        const gs = tf.grad((t: tf.Tensor) => tf.sum(tf.sigmoid(t)))(x).dataSync();
        const expectT = Array.from(X, (v) => 1 - Math.tanh(v) ** 2);
        const expectS = Array.from(X, (v) => {
          const s = 1 / (1 + Math.exp(-v));
          return s * (1 - s);
        });
        assertClose(gt, expectT, { atol: 1e-6, rtol: 1e-5, what: 'tanh′' });
        assertClose(gs, expectS, { atol: 1e-6, rtol: 1e-5, what: 'σ′' });
      });
    });

    it('no tensors leak from a second-order gradient', () => {
      const h = hessianProbe(OPS.leakyRelu);
      const x = tf.tensor(X, SHAPE);
      tf.grad(h)(x).dispose();
      const before = tf.memory().numTensors;
      for (let i = 0; i < 3; i++) tf.grad(h)(x).dispose();
      assert.equal(tf.memory().numTensors, before);
      x.dispose();
    });
  });
}
