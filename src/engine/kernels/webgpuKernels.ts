/**
 * gankit's fixes and kernels for tfjs-backend-webgpu 4.22 (each bug is written up in docs/gpu.md
 * and shown by test/webgpu.parity.test.ts).
 *
 * AddN: tfjs-webgpu compiles one shader that binds every input as its own storage buffer, and the
 * device it requests has WebGPU's default limit of 8 storage buffers per shader stage (the output
 * is one). With 8 or more inputs the pipeline is invalid: Dawn prints validation errors, the
 * command buffer is dropped, and the result reads as zeros — silently wrong (docs/gpu.md, "bugs
 * found"). tfjs-webgpu's Concat splits its inputs by that limit; AddN does not. Here AddN is run in
 * chunks whose first input is the previous chunk's sum, so the additions happen in the same order
 * as in one shader (((x0 + x1) + x2) + …): the same values as an unlimited AddN.
 */
import { tf } from '../tfjs.js';
import type { KernelConfig, KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs';
import { ACCURATE_UNARY_KERNELS, accurateUnary } from './webgpuUnary.js';
import { webGpuAdamKernel, webGpuSumAllKernel } from './webgpuFused.js';
import { FUSED_ADAM } from './adam.js';
import { SUM_ALL } from './sums.js';
import { columnReduce } from './webgpuReduce.js';
import type { WebGpuUtil } from './webgpuUnary.js';

interface WebGpuBackendLike {
  device: { limits: { maxStorageBuffersPerShaderStage: number } };
  thresholdToIncreaseWorkgroups: number;
  disposeData(dataId: object): boolean;
}

/** tfjs-webgpu's own kernels that gankit replaced, by name (the parity suite shows their bugs with them). */
const stockKernels = new Map<string, KernelConfig>();

/**
 * Runs tfjs-webgpu's own kernel `name`, which gankit replaced, on the webgpu backend (the active
 * one): for tests that show what gankit works around.
 */
export function runStockWebGpuKernel(name: string, inputs: Record<string, tf.Tensor>, attrs: Record<string, unknown> = {}): tf.Tensor {
  const stock = stockKernels.get(name);
  if (!stock || tf.getBackend() !== 'webgpu') throw new Error(`no stock webgpu kernel ${name} here`);
  const info = stock.kernelFunc({ inputs, backend: tf.backend(), attrs: attrs as NamedAttrMap }) as TensorInfo;
  return tf.engine().makeTensorFromDataId(info.dataId, info.shape, info.dtype);
}

/** Puts `makeFunc(stock)` in front of tfjs-webgpu's kernel `name` (once). */
function replaceWebGpuKernel(name: string, makeFunc: (stock: KernelConfig) => KernelFunc): void {
  const stock = tf.getKernel(name, 'webgpu');
  if (!stock || (stock as { gankit?: boolean }).gankit) return;
  stockKernels.set(name, stock);
  const kernelFunc = makeFunc(stock);
  tf.unregisterKernel(name, 'webgpu');
  tf.registerKernel({ ...stock, kernelFunc, gankit: true } as KernelConfig);
}

/** AddN over any number of inputs (see the header). */
export function chunkedAddN(stock: KernelConfig): KernelFunc {
  return (args) => {
    const inputs = args.inputs as unknown as TensorInfo[];
    const backend = args.backend as unknown as WebGpuBackendLike;
    const most = Math.max(2, backend.device.limits.maxStorageBuffersPerShaderStage - 1);
    if (inputs.length <= most) return stock.kernelFunc(args);
    let sum = stock.kernelFunc({ ...args, inputs: inputs.slice(0, most) as unknown as tf.NamedTensorInfoMap }) as TensorInfo;
    for (let start = most; start < inputs.length; start += most - 1) {
      const chunk = [sum, ...inputs.slice(start, start + most - 1)];
      const next = (chunk.length === 1 ? sum : stock.kernelFunc({ ...args, inputs: chunk as unknown as tf.NamedTensorInfoMap })) as TensorInfo;
      if (next !== sum) backend.disposeData(sum.dataId);
      sum = next;
    }
    return sum;
  };
}

/**
 * Whether tfjs-webgpu 4.22's batchMatMulImpl takes its split-K route for a product of these
 * shapes: its own decision (batch 1, few 32×32 output tiles, more than 128 outputs, K ≥ 2000), or
 * WEBGPU_MATMUL_PROGRAM_TYPE = 1 (MatMulSplitKProgram).
 */
export function takesSplitK(backend: WebGpuBackendLike, a: number[], b: number[], transposeA: boolean, transposeB: boolean): boolean {
  const forced = tf.env().getNumber('WEBGPU_MATMUL_PROGRAM_TYPE');
  if (forced >= 0) return forced === 1;
  const [ra, rb] = [a.length, b.length];
  const outerA = transposeA ? a[ra - 1] : a[ra - 2];
  const outerB = transposeB ? b[rb - 2] : b[rb - 1];
  const inner = transposeB ? b[rb - 1] : b[rb - 2];
  const batch = Math.max(tf.util.sizeFromShape(a.slice(0, -2)), tf.util.sizeFromShape(b.slice(0, -2)));
  const flag = tf.env().getNumber('WEBGPU_THRESHOLD_TO_INCREASE_WORKGROUPS_FOR_MATMUL');
  const threshold = flag > 0 ? flag : backend.thresholdToIncreaseWorkgroups;
  const tiles = batch * Math.ceil(outerA / 32) * Math.ceil(outerB / 32);
  const few = tiles <= threshold || (outerA <= 8 && tiles <= threshold * 2);
  return few && batch * outerA * outerB > 128 && batch === 1 && inner >= 2000;
}

/**
 * BatchMatMul and _FusedMatMul: tfjs-webgpu's split-K program (MatMulSplitKProgram) reads B along
 * the wrong axis when B is transposed and it picks its vec4 variant (K and B's outer size
 * multiples of 4, A not transposed): x[2, 6272]·W[128, 6272]ᵀ — InfoGAN's Q head on dcgan28 —
 * came out with errors as large as the values. When that route would be taken with transposeB,
 * B is transposed first (a Transpose kernel: values moved, not computed) and the stock kernel runs
 * untransposed.
 */
export function splitKTransposeFix(stock: KernelConfig): KernelFunc {
  return (args) => {
    const { a, b } = args.inputs as { a: TensorInfo; b: TensorInfo };
    const attrs = args.attrs as unknown as { transposeA: boolean; transposeB: boolean };
    const backend = args.backend as unknown as WebGpuBackendLike;
    if (!attrs.transposeB || !takesSplitK(backend, a.shape, b.shape, attrs.transposeA, true)) return stock.kernelFunc(args);
    const rank = b.shape.length;
    const perm = [...Array(rank).keys()];
    [perm[rank - 2], perm[rank - 1]] = [perm[rank - 1], perm[rank - 2]];
    const transpose = tf.getKernel('Transpose', 'webgpu')!;
    const bt = transpose.kernelFunc({ inputs: { x: b }, backend: args.backend, attrs: { perm } as unknown as NamedAttrMap }) as TensorInfo;
    try {
      return stock.kernelFunc({ ...args, inputs: { ...args.inputs, b: bt }, attrs: { ...args.attrs, transposeB: false } as NamedAttrMap });
    } finally {
      backend.disposeData(bt.dataId);
    }
  };
}

/** Everything above, on tfjs-webgpu (once it is loaded: `util` is its exported webgpu_util). */
export function registerWebGpuKernels(util: WebGpuUtil): void {
  replaceWebGpuKernel('AddN', chunkedAddN);
  for (const name of ACCURATE_UNARY_KERNELS) replaceWebGpuKernel(name, accurateUnary(name, util));
  // gankit's own kernels (kernels/webgpuFused.ts): fewer dispatches per step.
  if (!tf.getKernel(FUSED_ADAM, 'webgpu')) tf.registerKernel({ kernelName: FUSED_ADAM, backendName: 'webgpu', kernelFunc: webGpuAdamKernel(util) });
  if (!tf.getKernel(SUM_ALL, 'webgpu')) tf.registerKernel({ kernelName: SUM_ALL, backendName: 'webgpu', kernelFunc: webGpuSumAllKernel() });
  replaceWebGpuKernel('BatchMatMul', splitKTransposeFix);
  replaceWebGpuKernel('_FusedMatMul', splitKTransposeFix);
  // Sum and Mean over leading axes (kernels/webgpuReduce.ts): a thread per column, not a workgroup per output.
  replaceWebGpuKernel('Sum', columnReduce(false, util));
  replaceWebGpuKernel('Mean', columnReduce(true, util));
}
