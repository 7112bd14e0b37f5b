/**
 * A dense layer act(x·W + b) as one kernel, GankitDense — the backend's own _FusedMatMul (XNNPACK
 * on wasm) called with the 3-D shapes it wants, without the engine-level reshapes — with a
 * gradient registered here, so that — unlike tf.fused.matMul, whose customGrad is first-order
 * only — it can sit under a gradient penalty:
 *   z = x·W + b,  y = act(z);  dz = dy ⊙ act'(z),  dx = dz·Wᵀ,  dW = xᵀ·dz,  db = Σ_rows dz.
 * act' for relu and leaky relu is piecewise constant, read from the sign of the saved output
 * (y > 0 ⇔ z > 0 for these), and is constant in dy; every op in the gradient has a correct
 * gradient itself, so any order works. One kernel instead of three (matMul, add, activation)
 * forward and fewer backward: most of a 2-D MLP step is tfjs's per-kernel dispatch.
 */
import { tf } from './tfjs.js';
import type { GradConfig, KernelFunc, NamedAttrMap, Tensor, TensorInfo } from '@tensorflow/tfjs';
import { plainMatMul } from './gradients.js';
import { activationBackward, applyActivation } from './activation.js';
import type { FusedActivation } from './activation.js';

export type DenseActivation = FusedActivation;

/** _FusedMatMul's attributes; dense() always multiplies untransposed operands. */
interface FusedAttrs {
  transposeA: false;
  transposeB: false;
  activation: string;
  leakyreluAlpha?: number;
}

export const DENSE = 'GankitDense';

/** act(x·W + b) for x [N, in], W [in, out], b [out]. */
export function dense(x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D, activation: DenseActivation = 'linear', leakyreluAlpha = 0.2): tf.Tensor2D {
  if (x.rank !== 2 || w.rank !== 2 || b.rank !== 1 || x.shape[1] !== w.shape[0] || b.shape[0] !== w.shape[1]) {
    throw new Error(`dense: x ${x.shape}, W ${w.shape}, b ${b.shape} do not fit x·W + b`);
  }
  if (!tf.getKernel(DENSE, tf.getBackend())) {
    // A backend without the kernel: the same maths as ops.
    return tf.tidy(() => applyActivation(tf.add(tf.matMul(x, w), b) as tf.Tensor2D, activation, leakyreluAlpha));
  }
  const attrs: FusedAttrs = { transposeA: false, transposeB: false, activation, leakyreluAlpha };
  return tf.engine().runKernel(DENSE, { a: x, b: w, bias: b }, attrs as unknown as NamedAttrMap) as tf.Tensor2D;
}

/** GankitDense on `backendName`: its _FusedMatMul on [1, N, in] × [1, in, out], read back as [N, out]. */
export function registerDenseKernel(backendName: string): void {
  if (!tf.getKernel('_FusedMatMul', backendName) || tf.getKernel(DENSE, backendName)) return;
  const kernelFunc: KernelFunc = (args) => {
    const { a, b, bias } = args.inputs as { a: TensorInfo; b: TensorInfo; bias: TensorInfo };
    // Looked up per call: the native layer may stand in front of the backend's kernel.
    const fused = tf.getKernel('_FusedMatMul', backendName)!;
    const out = fused.kernelFunc({
      ...args,
      inputs: { a: { ...a, shape: [1, ...a.shape] }, b: { ...b, shape: [1, ...b.shape] }, bias },
    }) as TensorInfo;
    return { ...out, shape: [a.shape[0], b.shape[1]] };
  };
  tf.registerKernel({ kernelName: DENSE, backendName, kernelFunc });
}

export const denseGradient: GradConfig = {
  kernelName: DENSE,
  inputsToSave: ['a', 'b'],
  outputsToSave: [true],
  gradFunc: (dy: Tensor | Tensor[], saved: Tensor[], attrs: NamedAttrMap) => {
    // x [N, in], W [in, out], b [out] (dense() checks): dx = dz·Wᵀ, dW = xᵀ·dz, db = Σ_rows dz.
    const [a, b, y] = saved;
    const { activation, leakyreluAlpha } = attrs as unknown as FusedAttrs;
    const dz = activationBackward(Array.isArray(dy) ? dy[0] : dy, y, activation, leakyreluAlpha, DENSE);
    return {
      a: () => plainMatMul(dz, b, false, true),
      b: () => plainMatMul(a, dz, true, false),
      bias: () => tf.sum(dz, 0),
    };
  },
};

export function registerDense(): void {
  tf.registerGradient(denseGradient);
  for (const backendName of ['wasm', 'cpu', 'webgpu']) registerDenseKernel(backendName);
}
