/**
 * Checkpoint files: a small JSON header (step, RNG state, loss state, …) followed by the raw
 * float32 arrays (weights, optimiser slots, EMA copies) and a SHA-256 of everything before it.
 * Written atomically (src/io/atomic.ts), so a crash or SIGKILL at any moment leaves either the
 * previous checkpoint or the new one; the checksum, verified on every load, catches what changed
 * afterwards (a flipped bit, a poked value): such a file is refused, never trained on.
 *
 * Layout (format 2): "GANKITCK" | uint32 LE header length | header JSON (padded to 4 bytes) |
 * float32 data | SHA-256 of the bytes before it (32 bytes). Format 1, written before gankit kept a
 * checksum, lacks the last part; it is still read (`verified: false`), and a run folder rewrites it
 * as format 2 at its next checkpoint.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { InputError } from '../errors.js';
import { writeFileAtomic } from '../io/atomic.js';

const MAGIC = 'GANKITCK';
const FORMAT = 2;
const DIGEST_BYTES = 32;

export interface CheckpointArrays {
  [name: string]: Float32Array;
}

export interface CheckpointFile<H> {
  header: H;
  arrays: CheckpointArrays;
  /** Whether a checksum vouched for the contents (format 2); false for a format-1 file. */
  verified: boolean;
}

interface StoredHeader<H> {
  format: 1 | 2;
  header: H;
  arrays: Array<{ name: string; offset: number; length: number }>;
}

const sha256 = (bytes: Uint8Array): Buffer => createHash('sha256').update(bytes).digest();

export function encodeCheckpoint<H>(header: H, arrays: CheckpointArrays): Buffer {
  let offset = 0;
  const index = Object.entries(arrays).map(([name, a]) => {
    const entry = { name, offset, length: a.length };
    offset += a.length;
    return entry;
  });
  const stored: StoredHeader<H> = { format: FORMAT, header, arrays: index };
  let json = Buffer.from(JSON.stringify(stored), 'utf8');
  const pad = (4 - ((MAGIC.length + 4 + json.length) % 4)) % 4;
  if (pad) json = Buffer.concat([json, Buffer.from(' '.repeat(pad))]);
  const data = new Float32Array(offset);
  index.forEach(({ name, offset: o }) => data.set(arrays[name], o));
  const len = Buffer.alloc(4);
  len.writeUInt32LE(json.length, 0);
  const body = Buffer.concat([Buffer.from(MAGIC, 'ascii'), len, json, Buffer.from(data.buffer, data.byteOffset, data.byteLength)]);
  return Buffer.concat([body, sha256(body)]);
}

/** The stored header's shape, checked: anything else is a damaged file, said in one line. */
function checkStored(stored: unknown, path: string): asserts stored is StoredHeader<unknown> {
  const bad = (what: string) => new InputError(`${path}: corrupt checkpoint header (${what})`);
  if (typeof stored !== 'object' || stored === null || Array.isArray(stored)) throw bad('not an object');
  const s = stored as Record<string, unknown>;
  if (s.format !== 1 && s.format !== 2) throw new InputError(`${path}: unsupported checkpoint format ${JSON.stringify(s.format)?.slice(0, 20)}`);
  if (typeof s.header !== 'object' || s.header === null || Array.isArray(s.header)) throw bad('no header record');
  if (!Array.isArray(s.arrays)) throw bad('no index of arrays');
  let next = 0;
  for (const [i, a] of s.arrays.entries()) {
    const e = a as Record<string, unknown> | null;
    if (typeof e !== 'object' || e === null || typeof e.name !== 'string' || e.offset !== next || !Number.isSafeInteger(e.length) || (e.length as number) < 0) throw bad(`array ${i} of the index is malformed`);
    next += e.length as number;
  }
}

export function decodeCheckpoint<H>(buffer: Buffer, path = 'checkpoint'): CheckpointFile<H> {
  if (buffer.length < 12 || buffer.toString('ascii', 0, 8) !== MAGIC) throw new InputError(`${path}: not a gankit checkpoint (bad magic)`);
  const headerLength = buffer.readUInt32LE(8);
  const dataStart = 12 + headerLength;
  if (dataStart > buffer.length) throw new InputError(`${path}: truncated checkpoint (header)`);
  let stored: unknown;
  try {
    stored = JSON.parse(buffer.toString('utf8', 12, dataStart));
  } catch {
    throw new InputError(`${path}: corrupt checkpoint header`);
  }
  checkStored(stored, path);
  const total = stored.arrays.reduce((n, a) => n + a.length, 0);
  const verified = stored.format === 2;
  const expected = dataStart + 4 * total + (verified ? DIGEST_BYTES : 0);
  if (buffer.length !== expected) throw new InputError(`${path}: truncated checkpoint (expected ${expected} bytes, found ${buffer.length})`);
  const dataEnd = dataStart + 4 * total;
  if (verified && !sha256(buffer.subarray(0, dataEnd)).equals(buffer.subarray(dataEnd))) {
    throw new InputError(`${path}: damaged checkpoint (its checksum does not match its contents)`);
  }
  const data = new Float32Array(buffer.buffer.slice(buffer.byteOffset + dataStart, buffer.byteOffset + dataEnd));
  const arrays: CheckpointArrays = {};
  for (const { name, offset, length } of stored.arrays) arrays[name] = data.slice(offset, offset + length);
  return { header: stored.header as H, arrays, verified };
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
