/**
 * The system's CBLAS, called through `koffi` (an optional dependency with prebuilt binaries: no
 * compiler, no install script) with pointers straight into tfjs-wasm's heap — no copies.
 *
 * Why koffi and not a C addon: an addon needs a compiler and Node's headers on the user's machine
 * (or prebuilt binaries per platform that we would have to build and ship); koffi ships them for
 * every platform Node runs on, and its call costs ~0.5 µs against a tfjs kernel dispatch of 3–5
 * µs. The one thing C would do faster, im2col, is done here with block copies on the heap (see
 * im2col.ts). Loading fails softly: no koffi or no library → `null` and the reason, and gankit
 * stays on the wasm kernels.
 *
 * Libraries tried, in order: GANKIT_BLAS_LIBRARY (a path), then OpenBLAS under its usual names
 * (Debian/Ubuntu `libopenblas0-pthread`, Fedora `openblas`, Homebrew `openblas`), macOS
 * Accelerate, and `libcblas.so.3` / `libblas.so.3` only when they are OpenBLAS underneath: the
 * reference BLAS those names often stand for is slower than XNNPACK.
 *
 * OpenBLAS picks its kernels by CPU model, and one it does not know (a virtual machine's generic
 * "Intel Xeon Processor", measured here with OpenBLAS 0.3.21) gets the SSE3 "Prescott" kernels at a
 * third of the speed. Unless OPENBLAS_CORETYPE is set, gankit sets it before loading, from the
 * CPU's flags (`openblasCoreType`); benchmarks hand PyTorch, which calls the same library, the same.
 */
import { isNode, nodeImport } from '../node.js';

export interface Blas {
  /** The library file that was loaded. */
  path: string;
  /** e.g. "OpenBLAS 0.3.21 … (Zen)" or "Accelerate". */
  version: string;
  /** C ← α·op(A)·op(B) + β·C, row-major, on Float32Array views (any ArrayBuffer or SharedArrayBuffer). */
  sgemm(transA: boolean, transB: boolean, m: number, n: number, k: number, alpha: number, a: Float32Array, lda: number, b: Float32Array, ldb: number, beta: number, c: Float32Array, ldc: number): void;
  /** y ← α·op(A)·x + β·y, row-major A [m, n]. */
  sgemv(trans: boolean, m: number, n: number, alpha: number, a: Float32Array, lda: number, x: Float32Array, beta: number, y: Float32Array): void;
  /** Σ x[i]·y[i]. */
  sdot(n: number, x: Float32Array, y: Float32Array): number;
  /** Threads the library uses (1 where it cannot say). */
  threads(): number;
  /** Sets the library's thread count where it can (OpenBLAS); false where it cannot. */
  setThreads(n: number): boolean;
}

export type BlasLoad = { blas: Blas } | { blas: null; reason: string };

const ROW_MAJOR = 101;
const NO_TRANS = 111;
const TRANS = 112;

type KoffiLib = { func(signature: string): (...args: unknown[]) => unknown };
type Koffi = { load(path: string): KoffiLib };

function candidates(platform: string): string[] {
  if (platform === 'darwin') {
    return [
      '/opt/homebrew/opt/openblas/lib/libopenblas.dylib',
      '/usr/local/opt/openblas/lib/libopenblas.dylib',
      'libopenblas.dylib',
      '/System/Library/Frameworks/Accelerate.framework/Accelerate',
    ];
  }
  if (platform === 'win32') return ['libopenblas.dll', 'openblas.dll'];
  return ['libopenblas.so.0', 'libopenblas.so', 'libopenblasp.so.0', 'libcblas.so.3', 'libblas.so.3'];
}

/** How to get a library, per platform: the one line printed when none is found. */
export function installHint(platform: string = isNode ? process.platform : 'browser'): string {
  if (platform === 'darwin') return 'brew install openblas';
  if (platform === 'win32') return 'put libopenblas.dll (OpenBLAS releases) on PATH, or set GANKIT_BLAS_LIBRARY';
  return 'apt-get install libopenblas0-pthread (Debian/Ubuntu), dnf install openblas (Fedora), or set GANKIT_BLAS_LIBRARY';
}

function tryOpen(koffi: Koffi, path: string): { blas: Blas } | { error: string } {
  let lib: KoffiLib;
  try {
    lib = koffi.load(path);
  } catch (e) {
    return { error: `${path}: ${(e as Error).message.split('\n')[0]}` };
  }
  let gemm: (...args: unknown[]) => unknown;
  try {
    gemm = lib.func('void cblas_sgemm(int, int, int, int, int, int, float, float *, int, float *, int, float, float *, int)');
  } catch {
    return { error: `${path}: has no cblas_sgemm` };
  }
  let gemv: (...args: unknown[]) => unknown;
  try {
    gemv = lib.func('void cblas_sgemv(int, int, int, int, float, float *, int, float *, int, float, float *, int)');
  } catch {
    return { error: `${path}: has no cblas_sgemv` };
  }
  let dot: (...args: unknown[]) => unknown;
  try {
    dot = lib.func('float cblas_sdot(int, float *, int, float *, int)');
  } catch {
    return { error: `${path}: has no cblas_sdot` };
  }
  const optional = (signature: string) => {
    try {
      return lib.func(signature);
    } catch {
      return null;
    }
  };
  const config = optional('const char *openblas_get_config()');
  const corename = optional('const char *openblas_get_corename()');
  const getThreads = optional('int openblas_get_num_threads()');
  const setThreads = optional('void openblas_set_num_threads(int)');
  const accelerate = path.includes('Accelerate');
  if (!config && !accelerate && !process.env.GANKIT_BLAS_LIBRARY) return { error: `${path}: not OpenBLAS (a reference BLAS is slower than the wasm kernels)` };
  const version = config ? `${String(config()).split(" ").slice(0, 2).join(" ")}${corename ? ` (core ${String(corename())})` : ''}` : accelerate ? 'Accelerate' : 'CBLAS';
  const blas: Blas = {
    path,
    version,
    sgemm: (transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc) => {
      gemm(ROW_MAJOR, transA ? TRANS : NO_TRANS, transB ? TRANS : NO_TRANS, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
    },
    sgemv: (trans, m, n, alpha, a, lda, x, beta, y) => {
      gemv(ROW_MAJOR, trans ? TRANS : NO_TRANS, m, n, alpha, a, lda, x, 1, beta, y, 1);
    },
    sdot: (n, x, y) => Number(dot(n, x, 1, y, 1)),
    threads: () => (getThreads ? Number(getThreads()) : 1),
    setThreads: (count) => {
      if (!setThreads) return false;
      setThreads(count);
      return true;
    },
  };
  return { blas };
}

/**
 * The OpenBLAS kernel family for this CPU from its flags (Linux x86-64; null elsewhere or when the
 * CPU has no AVX2): Cooperlake with AVX-512 BF16, SkylakeX with AVX-512, Haswell with AVX2 + FMA.
 */
export async function openblasCoreType(): Promise<string | null> {
  if (!isNode || process.platform !== 'linux' || process.arch !== 'x64') return null;
  let flags: Set<string>;
  try {
    const { readFileSync } = await nodeImport<typeof import('node:fs')>('node:fs');
    const line = readFileSync('/proc/cpuinfo', 'utf8').split('\n').find((l) => l.startsWith('flags'));
    flags = new Set((line ?? '').split(':')[1]?.trim().split(/\s+/) ?? []);
  } catch {
    return null;
  }
  if (flags.has('avx512f') && flags.has('avx512bw') && flags.has('avx512vl')) return flags.has('avx512_bf16') ? 'Cooperlake' : 'SkylakeX';
  if (flags.has('avx2') && flags.has('fma')) return 'Haswell';
  return null;
}

/** Loads koffi and the first usable CBLAS; never throws. */
export async function loadBlas(): Promise<BlasLoad> {
  if (!isNode) return { blas: null, reason: 'native kernels run in Node only' };
  let koffi: Koffi;
  try {
    const specifier: string = 'koffi';
    const mod = (await import(/* @vite-ignore */ /* webpackIgnore: true */ specifier)) as { default?: Koffi } & Koffi;
    koffi = mod.default ?? mod;
  } catch (e) {
    return { blas: null, reason: `the optional package koffi is not installed (${(e as Error).message.split('\n')[0]})` };
  }
  if (process.env.OPENBLAS_CORETYPE === undefined) {
    const core = await openblasCoreType();
    if (core) process.env.OPENBLAS_CORETYPE = core; // read by OpenBLAS when it loads
  }
  const own = process.env.GANKIT_BLAS_LIBRARY;
  const paths = own ? [own] : candidates(process.platform);
  const errors: string[] = [];
  for (const path of paths) {
    const opened = tryOpen(koffi, path);
    if ('blas' in opened) return opened;
    errors.push(opened.error);
  }
  return { blas: null, reason: own ? errors[0] : `no OpenBLAS found (tried ${paths.join(', ')})` };
}
