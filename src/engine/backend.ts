/**
 * Backend selection. Order of precedence: the `backend` option, then the GANKIT_BACKEND
 * environment variable, then `wasm`. If the chosen backend cannot start, gankit falls back to
 * `cpu` and says so on stderr (unless `fallback: false`, then it throws).
 */
import * as tf from '@tensorflow/tfjs';
import { getThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import { registerSecondOrderGradients } from './gradients.js';
import { InputError } from '../errors.js';
import { registerWasmConv2DBackpropFilter } from './kernels/conv2dBackpropFilter.js';
import { MAX_WASM_THREADS, startWasmWithThreads } from './threads.js';
import { registerWasmTranspose } from './kernels/transpose.js';
import { registerWasmBlockCopies } from './kernels/blockCopy.js';
import { registerFusedAdam } from './kernels/adam.js';
import { registerSumAll } from './kernels/sums.js';
import { registerWasmReductions } from './kernels/reductions.js';
import { startWebGpu } from './webgpu.js';
import { isNode, nodeImport } from './node.js';
import { registerDense } from './dense.js';
import { registerConvGradients } from './conv.js';

/**
 * Every gradient and kernel gankit registers (idempotent): done when the engine module loads and
 * again by initEngine, in case something registered tfjs's own over them in between.
 */
export function registerAll(): void {
  registerSecondOrderGradients();
  registerDense();
  registerConvGradients();
  registerWasmKernels();
}

/** gankit's kernels: wasm's missing Conv2DBackpropFilter/UnsortedSegmentSum, faster Transpose, GatherV2, Reverse, Sum/Mean, the fused Adam update and Σ over many tensors. */
export function registerWasmKernels(): void {
  registerWasmConv2DBackpropFilter();
  registerWasmTranspose();
  registerWasmBlockCopies();
  registerWasmReductions();
  registerFusedAdam();
  registerSumAll();
}

export const BACKENDS = ['wasm', 'cpu', 'webgpu'] as const;
export type BackendName = (typeof BACKENDS)[number];

export interface EngineOptions {
  backend?: BackendName | string;
  /** Fall back to cpu when the chosen backend fails to initialise (default true). */
  fallback?: boolean;
  /** Where to report a fallback (default: console.error). */
  warn?: (message: string) => void;
  /**
   * XNNPACK threads for the wasm backend in Node (the calling thread included). Order: this
   * option, then GANKIT_THREADS, then the default for the workload. Only the first wasm start in
   * a process counts.
   */
  threads?: number | string;
  /** What will run, for the default thread count: 'points' (small 2-D MLPs) or 'images' (default 'images'). */
  workload?: Workload;
}

export type Workload = 'points' | 'images';

/**
 * The default thread count, measured (docs/speed.md): small 2-D MLP steps run about twice as slow
 * with two threads (each op is too small to split), image models ~1.4–1.5× faster (2 cores). So: one thread
 * for 2-D point runs, every core up to 4 for images.
 */
export function defaultThreads(workload: Workload = 'images'): number {
  return workload === 'points' ? 1 : Math.max(1, Math.min(cores(), 4));
}

/** Logical cores: navigator.hardwareConcurrency where there is one, else Node's count (set by initEngine). */
let nodeCores = 1;
const cores = (): number => (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency ?? nodeCores;
const env = (name: string): string | undefined => (typeof process !== 'undefined' ? process.env?.[name] : undefined);

export function resolveThreads(option?: number | string, workload?: Workload): number {
  const raw = option ?? env('GANKIT_THREADS');
  if (raw === undefined || raw === '') return defaultThreads(workload);
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > MAX_WASM_THREADS) {
    const from = option !== undefined ? 'threads' : 'GANKIT_THREADS';
    throw new InputError(`${from}: expected an integer from 1 to ${MAX_WASM_THREADS}, got '${raw}'`);
  }
  return n;
}

/** Threads the wasm backend actually uses (1 before it has started or on another backend). */
export function wasmThreads(): number {
  try {
    return Math.max(1, getThreadsCount());
  } catch {
    return 1;
  }
}

export function resolveBackendName(option?: string): BackendName {
  const requested = option ?? env('GANKIT_BACKEND') ?? 'wasm';
  if (!(BACKENDS as readonly string[]).includes(requested)) {
    const from = option !== undefined ? 'backend option' : 'GANKIT_BACKEND';
    throw new InputError(`${from}: unknown backend '${requested}' (choose one of ${BACKENDS.join(', ')})`);
  }
  return requested as BackendName;
}

async function tryBackend(name: BackendName, threads: number): Promise<boolean> {
  // A missing `webgpu` package is the user's to fix: that InputError is not swallowed.
  if (name === 'webgpu') return startWebGpu();
  try {
    if (name === 'wasm') return await startWasmWithThreads(threads, () => tf.setBackend('wasm'));
    return await tf.setBackend(name);
  } catch {
    return false;
  }
}

/**
 * GANKIT_TF_FLAGS: a JSON object of tfjs environment flags set once the backend is up, for tuning
 * (e.g. '{"WEBGPU_CPU_HANDOFF_SIZE_THRESHOLD":0}' keeps every webgpu op on the GPU).
 */
function applyTfFlags(): void {
  const raw = env('GANKIT_TF_FLAGS');
  if (!raw) return;
  let flags: unknown;
  try {
    flags = JSON.parse(raw);
  } catch (e) {
    throw new InputError(`GANKIT_TF_FLAGS: not JSON (${(e as Error).message})`);
  }
  if (typeof flags !== 'object' || flags === null || Array.isArray(flags)) throw new InputError('GANKIT_TF_FLAGS: expected a JSON object of flag names and values');
  for (const [name, value] of Object.entries(flags)) {
    try {
      tf.env().set(name, value as boolean | number);
    } catch (e) {
      throw new InputError(`GANKIT_TF_FLAGS: ${name}: ${(e as Error).message}`);
    }
  }
}

/** Selects and initialises the backend; returns the name actually in use. */
export async function initEngine(options: EngineOptions = {}): Promise<BackendName> {
  registerAll();
  // tfjs-backend-cpu prints a banner recommending tfjs-node (which cannot be installed here).
  tf.env().set('PROD', true);
  if (isNode) nodeCores = (await nodeImport<typeof import('node:os')>('node:os')).availableParallelism();
  const wanted = resolveBackendName(options.backend);
  const threads = resolveThreads(options.threads, options.workload);
  if (tf.getBackend() === wanted) {
    // The module is started once per process: a later, different thread count cannot apply.
    if (wanted === 'wasm' && options.threads !== undefined && wasmThreads() !== threads) {
      (options.warn ?? ((m: string) => console.error(m)))(`gankit: the wasm backend already runs with ${wasmThreads()} thread(s); --threads ${threads} would need a new process`);
    }
    return wanted;
  }
  if (await tryBackend(wanted, threads)) {
    await tf.ready();
    applyTfFlags();
    return wanted;
  }
  if (options.fallback === false || wanted === 'cpu') {
    throw new Error(`backend '${wanted}' failed to initialise`);
  }
  (options.warn ?? ((m: string) => console.error(m)))(
    `gankit: backend '${wanted}' failed to initialise; falling back to 'cpu'`,
  );
  await tf.setBackend('cpu');
  await tf.ready();
  return 'cpu';
}
