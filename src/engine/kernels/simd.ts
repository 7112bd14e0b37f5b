/**
 * gankit's SIMD kernels (simd.wat): a small wasm module instantiated on tfjs-wasm's own memory, so
 * that it works on tensors where they lie — no copies, and 128-bit SIMD where a JavaScript loop
 * would be scalar. One instance per memory (the single-threaded heap is a plain memory, the
 * threaded one a shared memory, each with its own build of the module). Null where the module
 * cannot run (no SIMD, a backend whose memory is not reachable): callers keep their JavaScript.
 */
import { SIMD_PLAIN, SIMD_SHARED } from './simdModule.js';

export interface SimdKernels {
  /** Adam in one pass over byte offsets (kernels/adam.ts has the formula and order). */
  adam(theta: number, m: number, v: number, g: number, outTheta: number, outM: number, outV: number, n: number, b1: number, a1: number, b2: number, a2: number, s: number, bc: number, eps: number): void;
  /** dst[i] += src[i], byte offsets, n floats. */
  addInto(dst: number, src: number, n: number): void;
  /** x[r, c] ← act(x[r, c] + bias[c]); bias 0 = none; kind 0 linear, 1 relu, 2 relu6, 3 leaky relu. */
  biasActivation(x: number, bias: number, rows: number, cols: number, kind: number, alpha: number): void;
  /** out = x < 0 ? α·x : x over n floats. */
  leakyRelu(x: number, out: number, n: number, alpha: number): void;
  /** out = x > 0 ? dy : α·dy over n floats. */
  leakyReluGrad(dy: number, x: number, out: number, n: number, alpha: number): void;
  eluGrad(dy: number, y: number, out: number, n: number): void;
  /** out = tanh(x) over n floats, within 1.3 ulps (kernels/tanh.ts). */
  tanh(x: number, out: number, n: number): void;
  /** out = dy·(1 − y·y) over n floats. */
  tanhGrad(dy: number, y: number, out: number, n: number): void;
  /** mode 0: im2col (cols ← patches of x); mode 1: col2im as a scatter (x += cols put back). Byte offsets. */
  patches(mode: number, x: number, cols: number, n: number, h: number, w: number, c: number, oh: number, ow: number, kh: number, kw: number, sh: number, sw: number, dh: number, dw: number, top: number, left: number): void;
  /** Batch norm over [rows, cols] with bias and activation (kernels/batchNorm.ts); byte offsets; acc: 16·cols bytes of scratch. */
  batchNorm(x: number, bias: number, gain: number, shift: number, y: number, mean: number, invstd: number, acc: number, rows: number, cols: number, kind: number, alpha: number, eps: number): void;
  /** Batch norm's gradient (kernels/batchNorm.ts); params: dγ, dβ, dbias; acc: 36·cols bytes of scratch. */
  batchNormGrad(dy: number, x: number, bias: number, y: number, gain: number, mean: number, invstd: number, dx: number, params: number, acc: number, rows: number, cols: number, alpha: number): void;
  /** out = a·x + b·y over n floats (each product and the sum rounded to float32). */
  axpby(x: number, y: number, out: number, n: number, a: number, b: number): void;
  /** rows × bytes from src (contiguous) to dst, rows `stride` bytes apart. */
  copyRows(dst: number, stride: number, src: number, bytes: number, rows: number): void;
}

export interface WasmModuleLike {
  wasmMemory?: WebAssembly.Memory;
  asm?: { memory?: WebAssembly.Memory };
}

const instances = new WeakMap<WebAssembly.Memory, SimdKernels | null>();

function decode(base64: string): Uint8Array {
  if (typeof atob === 'function') return Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
  return new Uint8Array((globalThis as unknown as { Buffer: { from(s: string, e: string): Uint8Array } }).Buffer.from(base64, 'base64'));
}

/** The kernels on tfjs-wasm's memory (`backend.wasm`), or null. */
export function simdKernels(wasm: WasmModuleLike): SimdKernels | null {
  const memory = wasm.wasmMemory ?? wasm.asm?.memory;
  if (!(memory instanceof WebAssembly.Memory)) return null;
  if (instances.has(memory)) return instances.get(memory)!;
  let kernels: SimdKernels | null = null;
  try {
    const shared = typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer;
    const module = new WebAssembly.Module(decode(shared ? SIMD_SHARED : SIMD_PLAIN) as unknown as ArrayBuffer);
    kernels = new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as SimdKernels;
  } catch {
    kernels = null;
  }
  instances.set(memory, kernels);
  return kernels;
}

/** Activation names → the module's kind codes (undefined: not covered). */
export const ACTIVATION_KIND: Record<string, number | undefined> = { linear: 0, relu: 1, relu6: 2, leakyrelu: 3 };
