/**
 * The activations gankit fuses into a matrix product or a convolution (GankitDense, FusedConv2D),
 * shared by both: the op-by-op fallback, and the backward step dz = dy ⊙ act'(z) with act' read
 * from the sign of the saved output (y > 0 ⇔ z > 0 for relu and leaky relu). act' is piecewise
 * constant and the result is linear in dy, so every order of differentiation goes through.
 */
import { tf } from './tfjs.js';
import type { Tensor } from '@tensorflow/tfjs';
import { leakyReluGrad } from './kernels/leakyRelu.js';

export type FusedActivation = 'linear' | 'relu' | 'leakyrelu';

/** act(z) as ops, for backends without the fused kernel. */
export function applyActivation<T extends Tensor>(z: T, activation: FusedActivation, leakyreluAlpha: number): T {
  return (activation === 'relu' ? tf.relu(z) : activation === 'leakyrelu' ? tf.leakyRelu(z, leakyreluAlpha) : z) as T;
}

/** dy ⊙ act'(z) given the fused kernel's output y; `kernelName` names the kernel in the error. */
export function activationBackward<T extends Tensor>(dy: T, y: Tensor, activation: string, leakyreluAlpha: number | undefined, kernelName: string): T {
  if (activation === 'linear') return dy;
  // y > 0 ? dy : α·dy (α = 0 for relu): one kernel (kernels/leakyRelu.ts), with its own gradient.
  if (activation === 'relu') return leakyReluGrad(dy, y, 0) as T;
  if (activation === 'leakyrelu') return leakyReluGrad(dy, y, leakyreluAlpha ?? 0.2) as T;
  throw new Error(`gankit: no second-order gradient for ${kernelName} with activation '${activation}'`);
}
