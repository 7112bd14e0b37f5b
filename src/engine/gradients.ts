/**
 * Second-order-correct gradient registrations for TensorFlow.js 4.22.
 *
 * Gradient penalties (WGAN-GP, DRAGAN, R1/R2) differentiate a gradient: the penalty's gradient
 * w.r.t. the critic's weights runs backprop *through* each op's gradient function. Stock tfjs
 * breaks that chain in two ways (measured, see test/engine.gradients.test.ts):
 *
 * 1. Comparison and logical kernels (Greater, LessEqual, Equal, LogicalAnd, …) have no gradient
 *    at all, so any gradient that builds a mask with them (leakyRelu, prelu, relu6, selu,
 *    clipByValue, minimum, max/min reductions, logSumExp) cannot itself be differentiated.
 *    Their true derivative is zero almost everywhere: we register exactly that.
 * 2. Gradients that read the kernel's *saved output* (tanh, sigmoid, exp, elu, softmax): the
 *    engine saves a clone of the output that is recorded on the tape *before* the node that
 *    produces the output, so the clone is not connected to the input and the second derivative
 *    is lost ("Cannot compute gradient of y=f(x) with respect to x"). We re-register these
 *    gradients to recompute from the saved *input*, using only ops whose own gradients are
 *    correct, so the chain holds to any order.
 * 3. Backward kernels of linear ops that have no gradient of their own (AvgPoolGrad,
 *    ResizeBilinearGrad, ResizeNearestNeighborGrad): each is the transpose of a linear map, so
 *    its gradient w.r.t. `dy` is the forward op applied to the incoming gradient (Conv2DBackpropFilter,
 *    bilinear in (x, dy), gets its gradient in conv.ts, beside the convolution rules it uses).
 *    MaxPoolGrad is not linear in a way tfjs can express on every backend: it gets a gradient
 *    that throws a clear error instead of a confusing one.
 *
 * `logSoftmax` and `softmaxCrossEntropy` are implemented in tfjs with customGrad and stay
 * first-order whatever is registered: gankit code uses `logSoftmax` from `./ops.ts` instead.
 */
import { tf } from './tfjs.js';
import type { GradConfig, NamedAttrMap, Tensor } from '@tensorflow/tfjs';
import { kernelRoutes } from './native/state.js';

/** Kernels whose outputs are piecewise constant in their inputs: gradient zero. */
const PIECEWISE_CONSTANT_KERNELS: Array<[string, string[]]> = [
  ['Greater', ['a', 'b']],
  ['GreaterEqual', ['a', 'b']],
  ['Less', ['a', 'b']],
  ['LessEqual', ['a', 'b']],
  ['Equal', ['a', 'b']],
  ['NotEqual', ['a', 'b']],
  ['LogicalAnd', ['a', 'b']],
  ['LogicalOr', ['a', 'b']],
  ['LogicalNot', ['x']],
];

function zeroGradient(kernelName: string, inputNames: string[]): GradConfig {
  return {
    kernelName,
    inputsToSave: inputNames,
    gradFunc: (_dy, saved) => {
      const grads: Record<string, () => Tensor> = {};
      inputNames.forEach((name, i) => {
        // Gradients must be float32 even when the input is bool (tfjs checks the dtype).
        grads[name] = () => tf.zeros(saved[i].shape, 'float32');
      });
      return grads;
    },
  };
}

const single = (dy: Tensor | Tensor[]): Tensor => (Array.isArray(dy) ? dy[0] : dy);

const fromInputGradients: GradConfig[] = [
  // Tanh: kernels/tanh.ts (its gradient from the saved output, as one kernel with its own gradient).
  {
    // d σ(x) = σ(x)(1 − σ(x))
    kernelName: 'Sigmoid',
    inputsToSave: ['x'],
    gradFunc: (dy, [x]) => ({
      x: () => {
        const s = tf.sigmoid(x);
        return tf.mul(single(dy), tf.mul(s, tf.sub(1, s)));
      },
    }),
  },
  {
    kernelName: 'Exp',
    inputsToSave: ['x'],
    gradFunc: (dy, [x]) => ({ x: () => tf.mul(single(dy), tf.exp(x)) }),
  },
  // Elu: kernels/elu.ts (one kernel for the gradient, with its own gradient).
  {
    // softmax Jacobian-vector product: y ⊙ (dy − Σ dy ⊙ y), with y recomputed from the logits.
    kernelName: 'Softmax',
    inputsToSave: ['logits'],
    gradFunc: (dy, [logits], attrs: NamedAttrMap) => ({
      logits: () => {
        const dim = attrs.dim as number;
        const y = tf.softmax(logits, dim);
        const dyTimesY = tf.mul(single(dy), y);
        return tf.sub(dyTimesY, tf.mul(tf.sum(dyTimesY, [dim], true), y));
      },
    }),
  },
];

/** ResizeXGrad(dy) = Aᵀdy with A = the forward resize to dy's size: its gradient w.r.t. dy is A. */
function resizeBackwardGradient(
  kernelName: string,
  resize: (images: tf.Tensor4D, size: [number, number], alignCorners: boolean, halfPixelCenters: boolean) => tf.Tensor4D,
): GradConfig {
  return {
    kernelName,
    inputsToSave: ['images', 'dy'],
    gradFunc: (ddx, [images, dy], attrs: NamedAttrMap) => ({
      dy: () => resize(single(ddx) as tf.Tensor4D, [dy.shape[1]!, dy.shape[2]!], attrs.alignCorners as boolean, attrs.halfPixelCenters as boolean),
      images: () => tf.zerosLike(images),
    }),
  };
}

const linearBackwardGradients: GradConfig[] = [
  {
    // AvgPoolGrad(dy) = Aᵀdy with A = avgPool: its gradient w.r.t. dy is A applied to the
    // incoming gradient; it does not depend on the values of `input` (only on its shape).
    kernelName: 'AvgPoolGrad',
    inputsToSave: ['input'],
    gradFunc: (ddx, [input], attrs: NamedAttrMap) => ({
      dy: () =>
        tf.avgPool(
          single(ddx) as tf.Tensor4D,
          attrs.filterSize as [number, number],
          attrs.strides as [number, number],
          attrs.pad as 'valid' | 'same' | number,
        ),
      input: () => tf.zerosLike(input),
    }),
  },
  resizeBackwardGradient('ResizeBilinearGrad', tf.image.resizeBilinear),
  resizeBackwardGradient('ResizeNearestNeighborGrad', tf.image.resizeNearestNeighbor),
  {
    kernelName: 'MaxPoolGrad',
    gradFunc: () => {
      throw new Error(
        'gankit: maxPool has no second-order gradient (needed by gradient penalties such as ' +
          'WGAN-GP, DRAGAN and R1). Use a strided convolution or avgPool in the critic.',
      );
    },
  },
];

/** Last-two-axes transpose. */
function transposeLast(x: Tensor): Tensor {
  const rank = x.rank;
  if (rank < 2) return x;
  const perm = Array.from({ length: rank }, (_, i) => i);
  [perm[rank - 2], perm[rank - 1]] = [perm[rank - 1], perm[rank - 2]];
  return tf.transpose(x, perm);
}

/**
 * op(a)·op(b) with the transposes done as explicit Transpose kernels (see the BatchMatMul note
 * below), choosing between that and (op(b)ᵀ·op(a)ᵀ)ᵀ by the elements each moves. tfjs-wasm packs
 * the second operand of every product afresh (weights change every step), and packing costs about
 * four transposes of it, so a big matrix is kept in the first operand: for a dense layer's input
 * gradient dy·Wᵀ with a big W it transposes dy and the result instead of packing W.
 */
const PACKING_COST = 4;
export function plainMatMul(a: Tensor, b: Tensor, transposeA: boolean, transposeB: boolean): Tensor {
  // BLAS (and a WebGPU product) reads either operand transposed at full speed: no transposed copies.
  if (kernelRoutes()) return tf.matMul(a, b, transposeA, transposeB);
  const rows = a.shape[a.rank - (transposeA ? 1 : 2)];
  const cols = b.shape[b.rank - (transposeB ? 2 : 1)];
  const batch = Math.max(a.size / (a.shape[a.rank - 1] * a.shape[a.rank - 2]), b.size / (b.shape[b.rank - 1] * b.shape[b.rank - 2]));
  const direct = (transposeA ? a.size : 0) + (transposeB ? b.size : 0) + PACKING_COST * b.size;
  const swapped = (transposeA ? 0 : a.size) + (transposeB ? 0 : b.size) + batch * rows * cols + PACKING_COST * a.size;
  if (swapped < direct) return transposeLast(tf.matMul(transposeB ? b : transposeLast(b), transposeA ? a : transposeLast(a)));
  return tf.matMul(transposeA ? transposeLast(a) : a, transposeB ? transposeLast(b) : b);
}

/**
 * BatchMatMul's gradient, same maths as tfjs's but without the transposeA/transposeB flags: the
 * wasm kernel is several times slower with them than an explicit Transpose followed by a plain
 * product (measured in the speed work; see bench/). Second-order correct like the original.
 */
const batchMatMulGradient: GradConfig = {
  kernelName: 'BatchMatMul',
  inputsToSave: ['a', 'b'],
  gradFunc: (dy, [a, b], attrs: NamedAttrMap) => {
    const g = single(dy);
    const tA = Boolean(attrs.transposeA);
    const tB = Boolean(attrs.transposeB);
    if (!tA && !tB) return { a: () => plainMatMul(g, b, false, true), b: () => plainMatMul(a, g, true, false) };
    if (!tA && tB) return { a: () => plainMatMul(g, b, false, false), b: () => plainMatMul(g, a, true, false) };
    if (tA && !tB) return { a: () => plainMatMul(b, g, false, true), b: () => plainMatMul(a, g, false, false) };
    return { a: () => plainMatMul(b, g, true, true), b: () => plainMatMul(g, a, true, true) };
  },
};

/**
 * Sum's and Mean's gradients: tfjs's multiply dy by `ones(x.shape)`, a JavaScript array filled and
 * copied into the backend on every call (17 ms of a DCGAN step on wasm, for the batch-norm and bias
 * sums). Here the ones come from the Fill kernel (in the backend's own memory); the values are the
 * same bits (dy·1, then ÷ n for Mean), and every op has its gradient, so any order works.
 */
function reductionGradient(kernelName: 'Sum' | 'Mean'): GradConfig {
  return {
    kernelName,
    inputsToSave: ['x'],
    gradFunc: (dy, [x], attrs) => {
      const axes = tf.util.parseAxisParam((attrs as { axis: number | number[] }).axis, x.shape);
      const expanded = x.shape.map((d, a) => (axes.includes(a) ? 1 : d));
      const n = axes.reduce((p, a) => p * x.shape[a], 1);
      return {
        x: () => {
          const spread = tf.mul(tf.reshape(single(dy), expanded), tf.fill(x.shape, 1));
          return kernelName === 'Mean' ? tf.div(spread, n) : spread;
        },
      };
    },
  };
}

let registered = false;

/**
 * Registers every gradient above with the tfjs kernel registry (once per process). Called when
 * `gankit` or `gankit/engine` is imported; exported for code that builds its own tfjs setup.
 */
export function registerSecondOrderGradients(): void {
  if (registered) return;
  registered = true;
  // tfjs warns when a gradient is overridden; every override here is deliberate.
  const prodBefore = tf.env().getBool('PROD');
  tf.env().set('PROD', true);
  try {
    for (const [name, inputs] of PIECEWISE_CONSTANT_KERNELS) tf.registerGradient(zeroGradient(name, inputs));
    for (const config of [...fromInputGradients, ...linearBackwardGradients, batchMatMulGradient, reductionGradient('Sum'), reductionGradient('Mean')]) tf.registerGradient(config);
  } finally {
    tf.env().set('PROD', prodBefore);
  }
}
