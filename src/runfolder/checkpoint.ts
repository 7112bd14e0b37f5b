/**
 * Checkpoint files: a small JSON header (step, RNG state, loss state, …) followed by the raw
 * float32 arrays (weights, optimiser slots, EMA copies). Written atomically (src/io/atomic.ts), so
 * a crash or SIGKILL at any moment leaves either the previous checkpoint or the new one.
 *
 * Layout: "GANKITCK" | uint32 LE header length | header JSON (padded to 4 bytes) | float32 data.
 */
import { readFileSync } from 'node:fs';
import { InputError } from '../errors.js';
import { writeFileAtomic } from '../io/atomic.js';

const MAGIC = 'GANKITCK';

export interface CheckpointArrays {
  [name: string]: Float32Array;
}

export interface CheckpointFile<H> {
  header: H;
  arrays: CheckpointArrays;
}

interface StoredHeader<H> {
  format: 1;
  header: H;
  arrays: Array<{ name: string; offset: number; length: number }>;
}

export function encodeCheckpoint<H>(header: H, arrays: CheckpointArrays): Buffer {
  let offset = 0;
  const index = Object.entries(arrays).map(([name, a]) => {
    const entry = { name, offset, length: a.length };
    offset += a.length;
    return entry;
  });
  const stored: StoredHeader<H> = { format: 1, header, arrays: index };
  let json = Buffer.from(JSON.stringify(stored), 'utf8');
  const pad = (4 - ((MAGIC.length + 4 + json.length) % 4)) % 4;
  if (pad) json = Buffer.concat([json, Buffer.from(' '.repeat(pad))]);
  const data = new Float32Array(offset);
  index.forEach(({ name, offset: o }) => data.set(arrays[name], o));
  const len = Buffer.alloc(4);
  len.writeUInt32LE(json.length, 0);
  return Buffer.concat([Buffer.from(MAGIC, 'ascii'), len, json, Buffer.from(data.buffer, data.byteOffset, data.byteLength)]);
}

export function decodeCheckpoint<H>(buffer: Buffer, path = 'checkpoint'): CheckpointFile<H> {
  if (buffer.length < 12 || buffer.toString('ascii', 0, 8) !== MAGIC) throw new InputError(`${path}: not a gankit checkpoint (bad magic)`);
  const headerLength = buffer.readUInt32LE(8);
  const dataStart = 12 + headerLength;
  if (dataStart > buffer.length) throw new InputError(`${path}: truncated checkpoint (header)`);
  let stored: StoredHeader<H>;
  try {
    stored = JSON.parse(buffer.toString('utf8', 12, dataStart));
  } catch {
    throw new InputError(`${path}: corrupt checkpoint header`);
  }
  if (stored.format !== 1) throw new InputError(`${path}: unsupported checkpoint format ${stored.format}`);
  const total = stored.arrays.reduce((n, a) => n + a.length, 0);
  if (buffer.length !== dataStart + 4 * total) throw new InputError(`${path}: truncated checkpoint (expected ${dataStart + 4 * total} bytes, found ${buffer.length})`);
  const data = new Float32Array(buffer.buffer.slice(buffer.byteOffset + dataStart, buffer.byteOffset + buffer.length));
  const arrays: CheckpointArrays = {};
  for (const { name, offset, length } of stored.arrays) arrays[name] = data.slice(offset, offset + length);
  return { header: stored.header, arrays };
}

export function saveCheckpoint<H>(path: string, header: H, arrays: CheckpointArrays): void {
  writeFileAtomic(path, encodeCheckpoint(header, arrays));
}

export function loadCheckpoint<H>(path: string): CheckpointFile<H> {
  let buffer: Buffer;
  try {
    buffer = readFileSync(path);
  } catch (e) {
    throw new InputError(`${path}: cannot read checkpoint (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  return decodeCheckpoint<H>(buffer, path);
}
