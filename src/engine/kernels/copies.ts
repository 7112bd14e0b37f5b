/**
 * Two kernels that only move data, on tfjs-wasm, with the stock kernels' exact values:
 *
 * - **Cast to the same dtype shares the data** (a reference count, as the copy-free Identity in
 *   identity.ts). tfjs's gradients cast float32 to float32 on every call (Multiply's, Square's,
 *   Sqrt's, a clone's), and tfjs-wasm's Cast copies: ~20–26M values a DCGAN or Lucic step.
 * - **Concat of rows in the SIMD module.** tfjs-wasm's Concat is a JavaScript loop with one
 *   `subarray` + `set` per row and input: a conditional critic's channel concat of the image and
 *   its label planes ([64, 28, 28, 1] and [64, 28, 28, 10]) is 100k of them. Here each input is
 *   one call into the module (a `memory.copy` per row; a word per row for single floats).
 */
import { tf } from '../tfjs.js';
import type { TensorInfo } from '@tensorflow/tfjs';
import { replaceWasmKernel } from './backends.js';
import type { WasmHeapBackend } from './backends.js';
import { simdKernels } from './simd.js';

export function registerWasmCopies(): void {
  replaceWasmKernel('Cast', (stock) => (args) => {
    const x = args.inputs.x as TensorInfo;
    const dtype = (args.attrs as { dtype: string }).dtype;
    if (x.dtype !== dtype || dtype === 'string' || dtype === 'complex64') return stock.kernelFunc(args);
    (args.backend as unknown as { incRef(dataId: object): void }).incRef(x.dataId);
    return { dataId: x.dataId, shape: [...x.shape], dtype: x.dtype };
  });
  replaceWasmKernel('Concat', (stock) => (args) => {
    const inputs = args.inputs as unknown as TensorInfo[];
    const heap = args.backend as unknown as WasmHeapBackend;
    const k = simdKernels(heap.wasm);
    const dtype = inputs[0]?.dtype;
    if (!k || (dtype !== 'float32' && dtype !== 'int32') || inputs.some((t) => t.dtype !== dtype)) return stock.kernelFunc(args);
    const axis = tf.util.parseAxisParam((args.attrs as { axis: number }).axis, inputs[0].shape)[0];
    const parts = inputs.filter((t) => tf.util.sizeFromShape(t.shape) > 0);
    const rows = parts.length ? tf.util.sizeFromShape(parts[0].shape.slice(0, axis)) : 0;
    if (parts.length < 2 || rows < 2) return stock.kernelFunc(args);
    tf.backend_util.assertParamsConsistent(inputs.map((t) => t.shape), axis);
    const out = heap.makeOutput(tf.backend_util.computeOutShape(inputs.map((t) => t.shape), axis), dtype as 'float32');
    const inner = parts.map((t) => tf.util.sizeFromShape(t.shape.slice(axis)));
    const stride = inner.reduce((a, b) => a + b, 0) * 4;
    const at = (t: TensorInfo) => heap.dataIdMap.get(t.dataId).memoryOffset;
    let offset = at(out);
    parts.forEach((t, i) => {
      k.copyRows(offset, stride, at(t), inner[i] * 4, rows);
      offset += inner[i] * 4;
    });
    return out;
  });
}
