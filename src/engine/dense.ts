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
import * as tf from '@tensorflow/tfjs';
import type { GradConfig, KernelFunc, NamedAttrMap, Tensor, TensorInfo } from '@tensorflow/tfjs';
import { plainMatMul } from './gradients.js';

export type DenseActivation = 'linear' | 'relu' | 'leakyrelu';

interface FusedAttrs {
  transposeA: boolean;
  transposeB: boolean;
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
    return tf.tidy(() => {
      const z = tf.add(tf.matMul(x, w), b);
      return (activation === 'relu' ? tf.relu(z) : activation === 'leakyrelu' ? tf.leakyRelu(z, leakyreluAlpha) : z) as tf.Tensor2D;
    });
  }
  const attrs: FusedAttrs = { transposeA: false, transposeB: false, activation, leakyreluAlpha };
  return tf.engine().runKernel(DENSE, { a: x, b: w, bias: b }, attrs as unknown as NamedAttrMap) as tf.Tensor2D;
}

/** GankitDense on `backendName`: its _FusedMatMul on [1, N, in] × [1, in, out], read back as [N, out]. */
export function registerDenseKernel(backendName: string): void {
  const fused = tf.getKernel('_FusedMatMul', backendName);
  if (!fused || tf.getKernel(DENSE, backendName)) return;
  const kernelFunc: KernelFunc = (args) => {
    const { a, b, bias } = args.inputs as { a: TensorInfo; b: TensorInfo; bias: TensorInfo };
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
  inputsToSave: ['a', 'b', 'bias'],
  outputsToSave: [true],
  gradFunc: (dy: Tensor | Tensor[], saved: Tensor[], attrs: NamedAttrMap) => {
    const [a, b, bias, y] = saved;
    const { transposeA, transposeB, activation, leakyreluAlpha } = attrs as unknown as FusedAttrs;
    const g = Array.isArray(dy) ? dy[0] : dy;
    let dz: Tensor;
    if (activation === 'linear') dz = g;
    else if (activation === 'relu') dz = tf.mul(g, tf.step(y));
    else if (activation === 'leakyrelu') {
      const alpha = leakyreluAlpha ?? 0.2;
      dz = tf.mul(g, tf.add(tf.mul(tf.step(y), 1 - alpha), alpha));
    } else throw new Error(`gankit: GankitDense has no activation '${activation}'`);
    const grads: Record<string, () => Tensor> = {
      a: () => (transposeA ? plainMatMul(b, dz, transposeB, true) : plainMatMul(dz, b, false, !transposeB)),
      b: () => (transposeB ? plainMatMul(dz, a, true, transposeA) : plainMatMul(a, dz, !transposeA, false)),
      bias: () => {
        const axes = tf.backend_util.getReductionAxes(bias.shape, dz.shape);
        return tf.reshape(axes.length ? tf.sum(dz, axes) : dz, bias.shape);
      },
    };
    return grads;
  },
};

export function registerDense(): void {
  tf.registerGradient(denseGradient);
  for (const backendName of ['wasm', 'cpu', 'webgpu']) registerDenseKernel(backendName);
}
