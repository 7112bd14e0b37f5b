/**
 * A checksum of a trainer's weights (G then D, every variable's float32 bytes in order): FNV-1a,
 * 32 bits, as 8 hex digits. The CLI prints it at the end of a run and the playground page shows
 * it, so that the two can be compared bit for bit.
 */
import type { tf } from '../engine/index.js';

export function weightsChecksum(variables: readonly tf.Tensor[]): string {
  let h = 0x811c9dc5;
  for (const v of variables) {
    const a = v.dataSync() as Float32Array;
    const bytes = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
    for (let i = 0; i < bytes.length; i++) {
      h ^= bytes[i];
      h = Math.imul(h, 0x01000193) >>> 0;
    }
  }
  return h.toString(16).padStart(8, '0');
}
