/**
 * Threads for tfjs-backend-wasm in Node.
 *
 * tfjs-backend-wasm ships a threaded SIMD binary (XNNPACK over a pthread pool of Web Workers) but
 * never uses it in Node, for three reasons, each worked around here without touching the package:
 *  1. its WASM_HAS_MULTITHREAD_SUPPORT flag answers `false` whenever IS_NODE — we set it to true;
 *  2. the pthread workers are created from a `blob:` URL (and handed the main script as a Blob),
 *     which Node's worker_threads cannot load — while the backend starts, `globalThis.Worker` is a
 *     worker_threads.Worker subclass that runs the package's own worker source (`eval`) and points
 *     the worker at the package's threaded glue file on disk;
 *  3. the C++ side caps the pool at `emscripten_num_logical_cores() / 2`, which in Node is
 *     `os.cpus().length / 2` — we report twice the requested count while the module starts.
 * Running pthreads would keep the process alive (Emscripten `ref()`s them); the pool threads are
 * idle waiters, so the subclass never refs them and a finished CLI exits as before.
 *
 * All of this must happen before the wasm backend is first initialised (one module per process);
 * the thread count cannot change afterwards. In the browser tfjs picks threads itself
 * (cross-origin isolation); nothing here runs there, and the Node modules are imported only when
 * threads are asked for, so the engine still bundles for the browser.
 */
import type { WorkerOptions, TransferListItem } from 'node:worker_threads';
import { tf, tfWasm } from './tfjs.js';
import { nodeImport } from './node.js';

/** The pool has 8 pre-created workers (PTHREAD_POOL_SIZE in the package's build). */
export const MAX_WASM_THREADS = 8;

async function threadedFiles(): Promise<{ glue: string; workerSource: string }> {
  const { createRequire } = await nodeImport<typeof import('node:module')>('node:module');
  const require = createRequire(import.meta.url);
  const glue = require.resolve('@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.js');
  const { wasmWorkerContents } = require('@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.worker.js') as {
    wasmWorkerContents: string;
  };
  // The same escaping tfjs applies before it wraps the source in a Blob.
  return { glue, workerSource: wasmWorkerContents.replace(/\n/g, '\\n') };
}

/**
 * Starts tfjs's wasm backend with `threads` XNNPACK threads (the calling thread included) by running
 * `start` (which must call `tf.setBackend('wasm')`) with the workarounds above in place. With
 * `threads` 1 it just runs `start` (the single-threaded SIMD binary, as stock tfjs in Node).
 */
export async function startWasmWithThreads<T>(threads: number, start: () => Promise<T>): Promise<T> {
  if (threads <= 1) {
    tfWasm.setThreadsCount(1);
    return start();
  }
  const n = Math.min(Math.floor(threads), MAX_WASM_THREADS);
  const { glue, workerSource } = await threadedFiles();
  const { Worker: NodeWorker } = await nodeImport<typeof import('node:worker_threads')>('node:worker_threads');
  const { default: os } = await nodeImport<{ default: typeof import('node:os') }>('node:os');
  class PthreadWorker extends NodeWorker {
    constructor(url: string | URL, options?: WorkerOptions) {
      if (typeof url === 'string' && url.startsWith('blob:')) super(workerSource, { eval: true });
      else super(url, options);
    }
    override ref(): void {}
    override postMessage(message: unknown, transfer?: readonly TransferListItem[]): void {
      const m = message as { cmd?: string; urlOrBlob?: unknown } | null;
      if (m && m.cmd === 'load' && typeof m.urlOrBlob !== 'string') message = { ...m, urlOrBlob: glue };
      super.postMessage(message, transfer);
    }
  }
  const g = globalThis as { Worker?: unknown };
  const hadWorker = Object.getOwnPropertyDescriptor(g, 'Worker');
  // The Emscripten glue assigns worker_threads.Worker to the global; keep ours in place meanwhile.
  Object.defineProperty(g, 'Worker', { configurable: true, get: () => PthreadWorker, set: () => {} });
  const realCpus = os.cpus;
  const cpu0 = realCpus()[0];
  os.cpus = () => new Array(2 * n).fill(cpu0);
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', true);
  tfWasm.setThreadsCount(n);
  try {
    return await start();
  } finally {
    os.cpus = realCpus;
    if (hadWorker) Object.defineProperty(g, 'Worker', hadWorker);
    else delete g.Worker;
  }
}
