/**
 * A fused Adam update: one kernel, one pass over the parameter, instead of the fourteen
 * element-wise kernels of the op-by-op rule (PyTorch's Adam, see src/engine/optimizers.ts):
 *   m ← β1·m + (1−β1)·g;  v ← β2·v + (1−β2)·g²;  θ ← θ − s · m / (√v / c + ε)
 * with s = lr / (1 − β1ᵗ) and c = √(1 − β2ᵗ) computed by the caller. Every product, sum, root and
 * quotient is rounded to float32 in the same order as the op-by-op rule (Math.fround after each
 * operation; float64 then float32 rounding of one +, −, ×, ÷ or √ of float32 values is the
 * correctly rounded float32 result), so both give the same bits and checkpoints resume alike.
 *
 * On wasm it runs as 128-bit SIMD on the heap (kernels/simd.wat: one pass at memory speed, the
 * same bits); where that module cannot load, and on cpu, as the JavaScript loop below.
 * Registered for the wasm and cpu backends as one kernel over all of a step's parameters (over the
 * backend's own memory); webgpu has a one-parameter kernel (webgpuFused.ts); elsewhere
 * `fusedAdamAvailable()` is false and the optimiser runs the ops. For small models this removes
 * most of the per-kernel dispatch cost of an optimiser step; for the Lucic models' 6.4M-weight
 * layers it replaces fourteen passes over 25 MB with one.
 */
import { tf } from '../tfjs.js';
import type { KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import { registerOnWasmAndCpu } from './backends.js';
import type { CpuBackendLike, WasmBackendLike } from './backends.js';
import { simdKernels } from './simd.js';
import type { SimdKernels } from './simd.js';

/**
 * The one-parameter kernel: registered on webgpu only (kernels/webgpuFused.ts). On wasm and cpu
 * one parameter is a list of one for the many-parameter kernel below.
 */
export const FUSED_ADAM = 'GankitAdam';

export interface AdamCoefficients {
  beta1: number;
  beta2: number;
  /** lr / (1 − β1ᵗ) */
  stepSize: number;
  /** √(1 − β2ᵗ) */
  biasCorrection2: number;
  epsilon: number;
}

/** In place: m, v, theta ← their Adam updates for gradient g. Exported for the tests. */
export function adamRun(theta: Float32Array, m: Float32Array, v: Float32Array, g: Float32Array, c: AdamCoefficients, outTheta: Float32Array, outM: Float32Array, outV: Float32Array): void {
  const f = Math.fround;
  const b1 = f(c.beta1);
  const a1 = f(1 - c.beta1);
  const b2 = f(c.beta2);
  const a2 = f(1 - c.beta2);
  const s = f(c.stepSize);
  const bc = f(c.biasCorrection2);
  const eps = f(c.epsilon);
  const n = theta.length;
  for (let i = 0; i < n; i++) {
    const gi = g[i];
    const mi = f(f(b1 * m[i]) + f(a1 * gi));
    const vi = f(f(b2 * v[i]) + f(a2 * f(gi * gi)));
    const denom = f(f(f(Math.sqrt(vi)) / bc) + eps);
    outM[i] = mi;
    outV[i] = vi;
    outTheta[i] = f(theta[i] - f(s * f(mi / denom)));
  }
}

/** The SIMD kernel on the wasm heap (same bits: each f32x4 operation rounds as the scalar one). */
function adamSimd(simd: SimdKernels, wasm: WasmBackendLike & { dataIdMap: { get(id: object): { memoryOffset: number } } }, ins: TensorInfo[], outs: TensorInfo[], n: number, c: AdamCoefficients): void {
  const at = (t: TensorInfo) => wasm.dataIdMap.get(t.dataId).memoryOffset;
  const f = Math.fround;
  simd.adam(at(ins[0]), at(ins[1]), at(ins[2]), at(ins[3]), at(outs[0]), at(outs[1]), at(outs[2]), n, f(c.beta1), f(1 - c.beta1), f(c.beta2), f(1 - c.beta2), f(c.stepSize), f(c.biasCorrection2), f(c.epsilon));
}

/** Whether the fused kernel beats the ops at every size here: as SIMD on wasm, and on webgpu (kernels/webgpuFused.ts). */
export function fusedAdamAtAnySize(): boolean {
  return tf.getBackend() === 'webgpu' || fusedAdamSimd();
}

/** Whether the fused kernel runs as SIMD here (then it beats the ops at every size). */
export function fusedAdamSimd(): boolean {
  if (tf.getBackend() !== 'wasm') return false;
  return simdKernels((tf.backend() as unknown as { wasm: object }).wasm) !== null;
}

/**
 * Adam over many parameters in one kernel (GankitAdamMany): inputs theta0, m0, v0, g0, theta1, …;
 * outputs θ'0, m'0, v'0, θ'1, …. Each parameter gets the update above, on its own; one dispatch
 * per optimiser step instead of one per parameter (a 2-D MLP has 8 per net, and a tfjs dispatch
 * costs more than the update of a 64×64 weight). The only Adam kernel on wasm and cpu.
 */
export const FUSED_ADAM_MANY = 'GankitAdamMany';

const splitMany = (inputs: Record<string, TensorInfo>): TensorInfo[][] => {
  const n = Object.keys(inputs).length / 4;
  return Array.from({ length: n }, (_, i) => [inputs[`theta${i}`], inputs[`m${i}`], inputs[`v${i}`], inputs[`g${i}`]]);
};

const wasmManyKernel: KernelFunc = ({ inputs, backend, attrs }) => {
  const wasm = backend as unknown as WasmBackendLike & { wasm: object; dataIdMap: { get(id: object): { memoryOffset: number } } };
  const params = splitMany(inputs as Record<string, TensorInfo>);
  const outs = params.map(([theta]) => [wasm.makeOutput([...theta.shape], 'float32'), wasm.makeOutput([...theta.shape], 'float32'), wasm.makeOutput([...theta.shape], 'float32')]);
  const simd = simdKernels(wasm.wasm);
  const c = attrs as unknown as AdamCoefficients;
  params.forEach((ins, i) => {
    if (simd) adamSimd(simd, wasm, ins, outs[i], tf.util.sizeFromShape(ins[0].shape), c);
    else {
      const view = (t: TensorInfo) => wasm.typedArrayFromHeap(t) as Float32Array;
      adamRun(view(ins[0]), view(ins[1]), view(ins[2]), view(ins[3]), c, view(outs[i][0]), view(outs[i][1]), view(outs[i][2]));
    }
  });
  return outs.flat();
};

const cpuManyKernel: KernelFunc = ({ inputs, backend, attrs }) => {
  const cpu = backend as unknown as CpuBackendLike;
  const read = (t: TensorInfo) => cpu.data.get(t.dataId).values;
  return splitMany(inputs as Record<string, TensorInfo>).flatMap(([theta, m, v, g]) => {
    const n = read(theta).length;
    const outs = [new Float32Array(n), new Float32Array(n), new Float32Array(n)];
    adamRun(read(theta), read(m), read(v), read(g), attrs as unknown as AdamCoefficients, outs[0], outs[1], outs[2]);
    return outs.map((values) => cpu.makeTensorInfo([...theta.shape], 'float32', values));
  });
};

const checkSlots = (who: string, i: string, { theta, m, v, g }: AdamParameter) => {
  for (const [name, t] of [['m', m], ['v', v], ['g', g]] as const) {
    if (t.size !== theta.size || t.dtype !== 'float32') throw new Error(`${who}: ${name}${i} has shape ${t.shape} (${t.dtype}), parameter ${theta.shape}`);
  }
};

export interface AdamParameter {
  theta: tf.Tensor;
  m: tf.Tensor;
  v: tf.Tensor;
  g: tf.Tensor;
}

/** Runs the many-parameter kernel: [θ', m', v'] per parameter (new tensors; the caller assigns and disposes). */
export function fusedAdamMany(params: AdamParameter[], c: AdamCoefficients): Array<[tf.Tensor, tf.Tensor, tf.Tensor]> {
  // A backend with the one-parameter kernel only (webgpu: kernels/webgpuFused.ts): one kernel per parameter.
  if (tf.getKernel(FUSED_ADAM_MANY, tf.getBackend()) === undefined) return params.map(({ theta, m, v, g }) => fusedAdam(theta, m, v, g, c));
  const inputs: Record<string, tf.Tensor> = {};
  params.forEach((p, i) => {
    checkSlots('fusedAdamMany', String(i), p);
    Object.assign(inputs, { [`theta${i}`]: p.theta, [`m${i}`]: p.m, [`v${i}`]: p.v, [`g${i}`]: p.g });
  });
  const outs = tf.engine().runKernel(FUSED_ADAM_MANY, inputs, c as unknown as tf.NamedAttrMap) as unknown as tf.Tensor[];
  return params.map((_, i) => [outs[3 * i], outs[3 * i + 1], outs[3 * i + 2]]);
}

export function registerFusedAdam(): void {
  registerOnWasmAndCpu(FUSED_ADAM_MANY, wasmManyKernel, cpuManyKernel);
}

/** Whether the current backend has a fused kernel (fusedAdamMany then works, in one kernel or one per parameter). */
export function fusedAdamAvailable(): boolean {
  return tf.getKernel(FUSED_ADAM_MANY, tf.getBackend()) !== undefined || tf.getKernel(FUSED_ADAM, tf.getBackend()) !== undefined;
}

/** The fused update of one parameter: returns [θ', m', v'] (new tensors; the caller assigns and disposes). */
export function fusedAdam(theta: tf.Tensor, m: tf.Tensor, v: tf.Tensor, g: tf.Tensor, c: AdamCoefficients): [tf.Tensor, tf.Tensor, tf.Tensor] {
  checkSlots('fusedAdam', '', { theta, m, v, g });
  if (tf.getKernel(FUSED_ADAM_MANY, tf.getBackend()) !== undefined) return fusedAdamMany([{ theta, m, v, g }], c)[0];
  return tf.engine().runKernel(FUSED_ADAM, { theta, m, v, g }, c as unknown as tf.NamedAttrMap) as unknown as [tf.Tensor, tf.Tensor, tf.Tensor];
}
