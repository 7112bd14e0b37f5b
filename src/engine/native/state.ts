/**
 * Whether the native kernels run: the loaded library while the layer is on, else null. Kept apart
 * from the loader so that the kernels (bundled for the browser too) never import koffi.
 */
import type { Blas } from './blas.js';

let active: Blas | null = null;

export function activeBlas(): Blas | null {
  return active;
}

export function setActiveBlas(blas: Blas | null): void {
  active = blas;
}
