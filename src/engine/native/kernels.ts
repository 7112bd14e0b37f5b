/**
 * Native kernels for the wasm backend: products and convolutions on the system's CBLAS, reading
 * and writing tfjs-wasm's heap in place.
 *
 *   BatchMatMul    C_i = op(A_i)·op(B_i), every transpose flag, a batch of 1 broadcast
 *   _FusedMatMul   the same + bias + linear / relu / relu6 / leaky relu (so GankitDense too)
 *   Conv2D         NHWC, any stride, dilation, padding: im2col, then cols · W
 *   FusedConv2D    the same + bias + activation
 *   Conv2DBackpropFilter  dW = colsᵀ · dy (BLAS's transpose flag; no transposed copy)
 *   Conv2DBackpropInput   cols = dy · Wᵀ, then col2im — the input gradient, and a transposed
 *                         convolution run forward (one product however many output phases)
 *   Sum, Mean      over leading or trailing axes (after merging neighbours: [R, C] over R or C, or
 *                  all): one matrix-vector product with a vector of ones (bias and batch-norm
 *                  gradients, batch statistics)
 *
 * Each sits in front of the kernel that was registered before it and hands anything it does not
 * cover (other dtypes, NCHW, prelu, broadcast batches, empty tensors) back to it, and all of them
 * do so while the native layer is off — so `--native off` is exactly the wasm kernels. Gradients are
 * untouched: they are tfjs ops, which land on these kernels again (second order included).
 */
import { tf } from '../tfjs.js';
import type { KernelConfig, KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs';
import { col2im, im2col, isPointwise } from './im2col.js';
import type { PatchGeometry } from './im2col.js';
import { activeBlas } from './state.js';
import { ACTIVATION_KIND, simdKernels } from '../kernels/simd.js';
import { mergeReductionAxes } from '../kernels/reductions.js';
import type { Blas } from './blas.js';

/** What these kernels use of tfjs-wasm's backend object (not in tfjs's public types). */
interface WasmInternals {
  wasm: { HEAPU8: Uint8Array; _malloc(bytes: number): number; _free(ptr: number): void; wasmMemory?: WebAssembly.Memory };
  dataIdMap: { get(dataId: object): { memoryOffset: number } };
  makeOutput(shape: number[], dtype: 'float32'): TensorInfo;
}

/** The heap as floats, and a tensor's element offset in it (taken after the last allocation). */
class Heap {
  readonly f32: Float32Array;
  constructor(private readonly backend: WasmInternals) {
    this.f32 = new Float32Array(backend.wasm.HEAPU8.buffer);
  }
  at(info: TensorInfo): number {
    return this.backend.dataIdMap.get(info.dataId).memoryOffset >>> 2;
  }
  view(at: number, size: number): Float32Array {
    return this.f32.subarray(at, at + size);
  }
}

const MARK = 'gankitNative';

/** Registers `make(stock)` for `name` on wasm in front of what is registered now (once). */
function inFront(name: string, make: (stock: KernelFunc) => KernelFunc): void {
  const stock = tf.getKernel(name, 'wasm');
  if (!stock || (stock as unknown as Record<string, unknown>)[MARK]) return;
  tf.unregisterKernel(name, 'wasm');
  tf.registerKernel({ ...stock, kernelFunc: make(stock.kernelFunc), [MARK]: true } as KernelConfig);
}

const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/** Bias and activation over the rows × cols result at `at` (bias: `cols` values at `biasAt`, or none): SIMD where the module runs. */
function epilogueRun(backend: WasmInternals, heap: Float32Array, at: number, rows: number, cols: number, biasAt: number | null, activation: string, alpha: number): void {
  const simd = simdKernels(backend.wasm);
  const kind = ACTIVATION_KIND[activation];
  if (simd && kind !== undefined) simd.biasActivation(at * 4, biasAt === null ? 0 : biasAt * 4, rows, cols, kind, Math.fround(alpha));
  else biasAndActivation(heap, at, rows, cols, biasAt, activation, alpha);
}

function biasAndActivation(heap: Float32Array, at: number, rows: number, cols: number, biasAt: number | null, activation: string, alpha: number): void {
  const end = at + rows * cols;
  if (biasAt !== null) {
    for (let r = at; r < end; r += cols) for (let j = 0; j < cols; j++) heap[r + j] += heap[biasAt + j];
  }
  if (activation === 'relu') {
    for (let i = at; i < end; i++) if (!(heap[i] > 0)) heap[i] = heap[i] !== heap[i] ? heap[i] : 0;
  } else if (activation === 'relu6') {
    for (let i = at; i < end; i++) heap[i] = Math.min(Math.max(heap[i], 0), 6);
  } else if (activation === 'leakyrelu') {
    for (let i = at; i < end; i++) if (heap[i] < 0) heap[i] *= alpha;
  }
}

const ACTIVATIONS = new Set(['linear', 'relu', 'relu6', 'leakyrelu']);

interface Epilogue {
  bias: TensorInfo | null;
  activation: string;
  alpha: number;
}

/** A product's plan, or null when the stock kernel should run. */
interface ProductPlan {
  batch: number;
  aStep: number;
  bStep: number;
  m: number;
  n: number;
  k: number;
  outShape: number[];
}

function planProduct(a: TensorInfo, b: TensorInfo, transposeA: boolean, transposeB: boolean): ProductPlan | null {
  if (a.dtype !== 'float32' || b.dtype !== 'float32' || a.shape.length < 2 || b.shape.length < 2) return null;
  const ra = a.shape.length;
  const rb = b.shape.length;
  const m = transposeA ? a.shape[ra - 1] : a.shape[ra - 2];
  const k = transposeA ? a.shape[ra - 2] : a.shape[ra - 1];
  const kb = transposeB ? b.shape[rb - 1] : b.shape[rb - 2];
  const n = transposeB ? b.shape[rb - 2] : b.shape[rb - 1];
  if (k !== kb || m === 0 || n === 0 || k === 0) return null;
  const batchA = a.shape.slice(0, -2);
  const batchB = b.shape.slice(0, -2);
  const sa = size(batchA);
  const sb = size(batchB);
  // Equal batches, or one side a single matrix: anything else is the stock kernel's broadcast.
  let batchShape: number[];
  if (sa === sb && batchA.join() === batchB.join()) batchShape = batchA;
  else if (sb === 1) batchShape = batchA;
  else if (sa === 1) batchShape = batchB;
  else return null;
  return { batch: Math.max(sa, sb), aStep: sa === 1 ? 0 : m * k, bStep: sb === 1 ? 0 : k * n, m, n, k, outShape: [...batchShape, m, n] };
}

function runProduct(blas: Blas, backend: WasmInternals, a: TensorInfo, b: TensorInfo, transposeA: boolean, transposeB: boolean, plan: ProductPlan, epilogue: Epilogue | null): TensorInfo {
  const out = backend.makeOutput(plan.outShape, 'float32');
  const heap = new Heap(backend);
  const { m, n, k } = plan;
  const lda = a.shape[a.shape.length - 1];
  const ldb = b.shape[b.shape.length - 1];
  const aAt = heap.at(a);
  const bAt = heap.at(b);
  const outAt = heap.at(out);
  for (let i = 0; i < plan.batch; i++) {
    blas.sgemm(transposeA, transposeB, m, n, k, 1, heap.view(aAt + i * plan.aStep, m * k), lda, heap.view(bAt + i * plan.bStep, k * n), ldb, 0, heap.view(outAt + i * m * n, m * n), n);
  }
  if (epilogue) epilogueRun(backend, heap.f32, outAt, plan.batch * m, n, epilogue.bias ? heap.at(epilogue.bias) : null, epilogue.activation, epilogue.alpha);
  return out;
}

/** The epilogue of a fused kernel, or null when the stock kernel must run it (prelu, other activations, a bias that is not per column). */
function epilogueOf(inputs: Record<string, TensorInfo | undefined>, attrs: NamedAttrMap, columns: number): Epilogue | null | undefined {
  const activation = (attrs.activation as string | undefined) ?? 'linear';
  if (inputs.preluActivationWeights || !ACTIVATIONS.has(activation)) return undefined;
  const bias = inputs.bias ?? null;
  if (bias && (bias.dtype !== 'float32' || size(bias.shape) !== columns || bias.shape.length !== 1)) return undefined;
  return { bias, activation, alpha: (attrs.leakyreluAlpha as number | undefined) ?? 0.2 };
}

function matMulKernel(fused: boolean) {
  return (stock: KernelFunc): KernelFunc =>
    (args) => {
      const blas = activeBlas();
      const { a, b } = args.inputs as { a: TensorInfo; b: TensorInfo };
      const transposeA = Boolean(args.attrs?.transposeA);
      const transposeB = Boolean(args.attrs?.transposeB);
      const plan = blas ? planProduct(a, b, transposeA, transposeB) : null;
      if (!blas || !plan) return stock(args);
      const epilogue = fused ? epilogueOf(args.inputs as Record<string, TensorInfo>, args.attrs ?? {}, plan.n) : null;
      if (epilogue === undefined) return stock(args);
      return runProduct(blas, args.backend as unknown as WasmInternals, a, b, transposeA, transposeB, plan, epilogue);
    };
}

interface ConvAttrs {
  strides: number | [number, number];
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dataFormat?: 'NHWC' | 'NCHW';
  dilations?: number | [number, number];
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  filterShape?: [number, number, number, number];
}

function patchGeometry(xShape: number[], filterShape: number[], attrs: ConvAttrs): PatchGeometry & { outChannels: number } {
  const info = tf.backend_util.computeConv2DInfo(xShape as [number, number, number, number], filterShape as [number, number, number, number], attrs.strides, attrs.dilations ?? 1, attrs.pad, attrs.dimRoundingMode);
  return {
    batch: info.batchSize,
    inHeight: info.inHeight,
    inWidth: info.inWidth,
    inChannels: info.inChannels,
    outHeight: info.outHeight,
    outWidth: info.outWidth,
    outChannels: info.outChannels,
    filterHeight: info.filterHeight,
    filterWidth: info.filterWidth,
    strideHeight: info.strideHeight,
    strideWidth: info.strideWidth,
    dilationHeight: info.dilationHeight,
    dilationWidth: info.dilationWidth,
    padTop: info.padInfo.top,
    padLeft: info.padInfo.left,
  };
}

/** Floats in one patch row (KH·KW·Cin) and rows (N·OH·OW) of the patch matrix. */
const patchDims = (g: PatchGeometry) => ({ rows: g.batch * g.outHeight * g.outWidth, k: g.filterHeight * g.filterWidth * g.inChannels });

/**
 * Runs `use` with a patch-matrix buffer [rows, k] in the heap, freed afterwards: `pointwiseAt` itself
 * for a pointwise convolution (the matrix is that tensor), else a scratch allocation. `fill` writes
 * the matrix first (im2col) when there is one to write. Views are taken after the allocation.
 */
function withPatchBuffer(backend: WasmInternals, g: PatchGeometry, pointwiseAt: (heap: Heap) => number, use: (heap: Heap, colsAt: number, scratch: boolean) => void): void {
  const { rows, k } = patchDims(g);
  const scratch = isPointwise(g) ? 0 : backend.wasm._malloc(rows * k * 4) >>> 0;
  try {
    const heap = new Heap(backend);
    use(heap, scratch ? scratch >>> 2 : pointwiseAt(heap), scratch !== 0);
  } finally {
    if (scratch) backend.wasm._free(scratch);
  }
}

/** Runs `use` on x's patch matrix: x itself (pointwise) or im2col into scratch. */
function withPatches(backend: WasmInternals, x: TensorInfo, g: PatchGeometry, use: (heap: Heap, colsAt: number) => void): void {
  withPatchBuffer(backend, g, (heap) => heap.at(x), (heap, colsAt, scratch) => {
    if (scratch) im2col(heap.f32, heap.at(x), colsAt, g, simdKernels(backend.wasm));
    use(heap, colsAt);
  });
}

function convUsable(x: TensorInfo, filterShape: number[], attrs: ConvAttrs, g: PatchGeometry & { outChannels: number }): boolean {
  return x.dtype === 'float32' && (attrs.dataFormat ?? 'NHWC') === 'NHWC' && g.outHeight > 0 && g.outWidth > 0 && g.batch > 0 && size(filterShape) > 0;
}

function convKernel(fused: boolean) {
  return (stock: KernelFunc): KernelFunc =>
    (args) => {
      const blas = activeBlas();
      if (!blas) return stock(args);
      const { x, filter } = args.inputs as { x: TensorInfo; filter: TensorInfo };
      const attrs = args.attrs as unknown as ConvAttrs;
      if (filter.dtype !== 'float32') return stock(args);
      const g = patchGeometry(x.shape, filter.shape, attrs);
      if (!convUsable(x, filter.shape, attrs, g)) return stock(args);
      const epilogue = fused ? epilogueOf(args.inputs as Record<string, TensorInfo>, args.attrs ?? {}, g.outChannels) : null;
      if (epilogue === undefined) return stock(args);
      const backend = args.backend as unknown as WasmInternals;
      const out = backend.makeOutput([g.batch, g.outHeight, g.outWidth, g.outChannels], 'float32');
      const { rows, k } = patchDims(g);
      withPatches(backend, x, g, (heap, colsAt) => {
        const outAt = heap.at(out);
        blas.sgemm(false, false, rows, g.outChannels, k, 1, heap.view(colsAt, rows * k), k, heap.view(heap.at(filter), k * g.outChannels), g.outChannels, 0, heap.view(outAt, rows * g.outChannels), g.outChannels);
        if (epilogue) epilogueRun(backend, heap.f32, outAt, rows, g.outChannels, epilogue.bias ? heap.at(epilogue.bias) : null, epilogue.activation, epilogue.alpha);
      });
      return out;
    };
}

const filterGradientKernel = (stock: KernelFunc): KernelFunc => (args) => {
  const blas = activeBlas();
  if (!blas) return stock(args);
  const { x, dy } = args.inputs as { x: TensorInfo; dy: TensorInfo };
  const attrs = args.attrs as unknown as ConvAttrs;
  const filterShape = attrs.filterShape!;
  if (dy.dtype !== 'float32') return stock(args);
  const g = patchGeometry(x.shape, filterShape, { ...attrs, dilations: 1 });
  if (!convUsable(x, filterShape, attrs, g)) return stock(args);
  const backend = args.backend as unknown as WasmInternals;
  const out = backend.makeOutput(filterShape, 'float32');
  const { rows, k } = patchDims(g);
  const cout = filterShape[3];
  withPatches(backend, x, g, (heap, colsAt) => {
    blas.sgemm(true, false, k, cout, rows, 1, heap.view(colsAt, rows * k), k, heap.view(heap.at(dy), rows * cout), cout, 0, heap.view(heap.at(out), k * cout), cout);
  });
  return out;
};

const inputGradientKernel = (stock: KernelFunc): KernelFunc => (args) => {
  const blas = activeBlas();
  if (!blas) return stock(args);
  const { dy, filter } = args.inputs as { dy: TensorInfo; filter: TensorInfo };
  const attrs = args.attrs as unknown as ConvAttrs & { inputShape: number[] };
  if (dy.dtype !== 'float32' || filter.dtype !== 'float32') return stock(args);
  const g = patchGeometry(attrs.inputShape, filter.shape, { ...attrs, dilations: attrs.dilations ?? 1 });
  if (!convUsable({ ...dy, shape: attrs.inputShape }, filter.shape, attrs, g) || g.outHeight !== dy.shape[1] || g.outWidth !== dy.shape[2]) return stock(args);
  const backend = args.backend as unknown as WasmInternals;
  const out = backend.makeOutput([...attrs.inputShape], 'float32');
  const { rows, k } = patchDims(g);
  const cout = g.outChannels;
  // cols = dy·Wᵀ, straight into dx when the convolution is pointwise, else col2im from scratch.
  withPatchBuffer(backend, g, (heap) => heap.at(out), (heap, colsAt, scratch) => {
    blas.sgemm(false, true, rows, k, cout, 1, heap.view(heap.at(dy), rows * cout), cout, heap.view(heap.at(filter), k * cout), cout, 0, heap.view(colsAt, rows * k), k);
    if (scratch) col2im(heap.f32, colsAt, heap.at(out), g, simdKernels(backend.wasm));
  });
  return out;
};

/** A vector of ones in the heap (kept, grown when a longer one is needed). */
let ones: { at: number; length: number } | null = null;
function onesVector(backend: WasmInternals, length: number): number {
  if (!ones || ones.length < length) {
    if (ones) backend.wasm._free(ones.at * 4);
    const size = Math.max(length, 1024);
    const ptr = backend.wasm._malloc(size * 4) >>> 0;
    ones = { at: ptr >>> 2, length: size };
    new Float32Array(backend.wasm.HEAPU8.buffer).fill(1, ones.at, ones.at + size);
  }
  return ones.at;
}

function reductionKernel(mean: boolean) {
  return (stock: KernelFunc): KernelFunc =>
    (args) => {
      const blas = activeBlas();
      const x = args.inputs.x as TensorInfo;
      if (!blas || x.dtype !== 'float32' || x.shape.length === 0 || size(x.shape) === 0) return stock(args);
      const { axis, keepDims } = args.attrs as { axis: number | number[] | null; keepDims: boolean };
      const axes = tf.util.parseAxisParam(axis ?? x.shape.map((_, a) => a), x.shape);
      if (axes.length === 0) return stock(args);
      const merged = mergeReductionAxes(x.shape, axes) ?? { shape: [...x.shape], axes: axes.map((a) => (a < 0 ? a + x.shape.length : a)) };
      // [R, C] over R (leading), [R, C] over C (trailing), or [N] over N.
      let rows: number;
      let cols: number;
      let trans: boolean;
      if (merged.shape.length === 1) [rows, cols, trans] = [1, merged.shape[0], false];
      else if (merged.shape.length === 2 && merged.axes.length === 1) {
        [rows, cols] = merged.shape;
        trans = merged.axes[0] === 0;
      } else return stock(args);
      const reduced = axes.map((a) => (a < 0 ? a + x.shape.length : a));
      const kept = new Set(reduced);
      const outShape = keepDims ? x.shape.map((d, a) => (kept.has(a) ? 1 : d)) : x.shape.filter((_, a) => !kept.has(a));
      const backend = args.backend as unknown as WasmInternals;
      const out = backend.makeOutput(outShape, 'float32');
      const onesAt = onesVector(backend, trans ? rows : cols);
      const heap = new Heap(backend);
      const count = trans ? rows : cols;
      const outLength = trans ? cols : rows;
      blas.sgemv(trans, rows, cols, mean ? 1 / count : 1, heap.view(heap.at(x), rows * cols), cols, heap.view(onesAt, count), 0, heap.view(heap.at(out), outLength));
      return out;
    };
}

/** Rows of the two-stage sum: [n / ROW, ROW] · ones, then the row sums. */
const ROW = 4096;

/**
 * Σ x (or Σ x² with `square`) of one float32 tensor on the wasm heap by BLAS — sdot(x, x), or a
 * matrix-vector product with ones and the row sums in float64 — or null while native is off.
 */
export function nativeSum(backendLike: unknown, x: TensorInfo, square: boolean): number | null {
  const blas = activeBlas();
  if (!blas || x.dtype !== 'float32') return null;
  const backend = backendLike as WasmInternals;
  const n = size(x.shape);
  if (square) {
    const heap = new Heap(backend);
    const v = heap.view(heap.at(x), n);
    return blas.sdot(n, v, v);
  }
  const rows = Math.floor(n / ROW);
  const onesAt = onesVector(backend, ROW);
  const scratch = rows > 0 ? backend.wasm._malloc(rows * 4) >>> 0 : 0;
  try {
    const heap = new Heap(backend);
    const at = heap.at(x);
    let s = 0;
    if (rows > 0) {
      blas.sgemv(false, rows, ROW, 1, heap.view(at, rows * ROW), ROW, heap.view(onesAt, ROW), 0, heap.view(scratch >>> 2, rows));
      for (let r = 0; r < rows; r++) s += heap.f32[(scratch >>> 2) + r];
    }
    for (let i = at + rows * ROW; i < at + n; i++) s += heap.f32[i];
    return s;
  } finally {
    if (scratch) backend.wasm._free(scratch);
  }
}

/** Puts the native kernels in front of wasm's (idempotent; they defer to wasm's while native is off). */
export function registerNativeKernels(): void {
  inFront('BatchMatMul', matMulKernel(false));
  inFront('_FusedMatMul', matMulKernel(true));
  inFront('Conv2D', convKernel(false));
  inFront('FusedConv2D', convKernel(true));
  inFront('Conv2DBackpropFilter', filterGradientKernel);
  inFront('Conv2DBackpropInput', inputGradientKernel);
  inFront('Sum', reductionKernel(false));
  inFront('Mean', reductionKernel(true));
}
