/**
 * Whether the native kernels run: the loaded library while the layer is on, else null. Kept apart
 * from the loader so that the kernels (bundled for the browser too) never import koffi.
 */
import { tf } from '../tfjs.js';
import type { Blas } from './blas.js';

let active: Blas | null = null;

export function activeBlas(): Blas | null {
  return active;
}

/** Whether ops run on the native kernels now: the layer is on and the current backend is wasm (tests switch backends). */
export function nativeOn(): boolean {
  return active !== null && tf.getBackend() === 'wasm';
}

/**
 * Whether products take their transposed operands in place (transpose flags) and the convolution
 * gradients run as the backend's own kernels (Conv2DBackpropInput / Conv2DBackpropFilter, whose
 * second-order gradients src/engine/conv.ts registers): with the native kernels (BLAS) and on
 * webgpu. Elsewhere (tfjs-wasm's XNNPACK, tfjs-cpu) gankit's op routes are faster: explicit
 * transposes, sub-pixel convolutions.
 */
export function kernelRoutes(): boolean {
  return nativeOn() || tf.getBackend() === 'webgpu';
}

export function setActiveBlas(blas: Blas | null): void {
  active = blas;
}

let fused = true;

/**
 * Whether the fused kernels of the native kernel set run now (batch norm with its bias and
 * activation: kernels/batchNorm.ts): with the native kernels, unless turned off (GANKIT_FUSED=off,
 * or a run recorded before they existed). The wasm-only kernel set never has them.
 */
export function fusedOn(): boolean {
  return fused && nativeOn();
}

export function setFused(on: boolean): void {
  fused = on;
}

/** The fused setting, whether or not native runs now (for the kernel-set id). */
export function fusedSetting(): boolean {
  return fused;
}
