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
 *
 * Format 3 (the shipped generators' weights.bin, `half` arrays only): the same, but the data is a
 * run of arrays each stored as float32 or as IEEE binary16 (`dtype: "float16"` in its index entry,
 * src/runfolder/float16.ts) and padded to 4 bytes; its index gives byte offsets from the start of
 * the data. Loading turns every array back into float32. Training checkpoints stay format 2: a
 * run's state is never rounded.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { InputError } from '../errors.js';
import { writeFileAtomic } from '../io/atomic.js';
import { fromHalf, toHalf } from './float16.js';

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

interface IndexEntry {
  name: string;
  /** Formats 1–2: in float32 elements; format 3: in bytes from the start of the data. */
  offset: number;
  /** Elements. */
  length: number;
  /** Format 3: binary16 storage (absent: float32). */
  dtype?: 'float16';
}

interface StoredHeader<H> {
  format: 1 | 2 | 3;
  header: H;
  arrays: IndexEntry[];
}

/** An entry's bytes in the data: 4 per element, or 2 per element padded to 4 (format 3, float16). */
const storedBytes = (e: IndexEntry): number => (e.dtype === 'float16' ? 4 * Math.ceil(e.length / 2) : 4 * e.length);

/** What encodeCheckpoint may do besides float32: the arrays (by name) to store as binary16 (format 3). */
export interface EncodeOptions {
  half?: (name: string) => boolean;
}

const sha256 = (bytes: Uint8Array): Buffer => createHash('sha256').update(bytes).digest();

export function encodeCheckpoint<H>(header: H, arrays: CheckpointArrays, options: EncodeOptions = {}): Buffer {
  const half = Object.keys(arrays).filter((name) => options.half?.(name));
  if (half.length > 0) return encodeFormat3(header, arrays, new Set(half));
  let offset = 0;
  const index = Object.entries(arrays).map(([name, a]) => {
    const entry = { name, offset, length: a.length };
    offset += a.length;
    return entry;
  });
  const data = new Float32Array(offset);
  index.forEach(({ name, offset: o }) => data.set(arrays[name], o));
  return assemble({ format: FORMAT, header, arrays: index }, new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
}

/** Format 3: each array float32 or binary16 (`half`), padded to 4 bytes; a value beyond binary16's range is refused. */
function encodeFormat3<H>(header: H, arrays: CheckpointArrays, half: Set<string>): Buffer {
  let offset = 0;
  const index: IndexEntry[] = Object.entries(arrays).map(([name, a]) => {
    const entry: IndexEntry = { name, offset, length: a.length, ...(half.has(name) ? { dtype: 'float16' as const } : {}) };
    offset += storedBytes(entry);
    return entry;
  });
  const data = new Uint8Array(offset);
  for (const e of index) {
    const values = arrays[e.name];
    if (e.dtype === 'float16') {
      const bits = toHalf(values);
      const i = bits.findIndex((b, k) => (b & 0x7c00) === 0x7c00 && Number.isFinite(values[k]));
      if (i >= 0) throw new InputError(`checkpoint: array ${e.name} holds ${values[i]}, beyond float16's range (±65,504)`);
      data.set(new Uint8Array(bits.buffer, bits.byteOffset, bits.byteLength), e.offset);
    } else data.set(new Uint8Array(values.buffer, values.byteOffset, values.byteLength), e.offset);
  }
  return assemble({ format: 3, header, arrays: index }, data);
}

/** MAGIC | header length | header JSON padded to 4 bytes | data | SHA-256 of all before it. */
function assemble<H>(stored: StoredHeader<H>, data: Uint8Array): Buffer {
  let json = Buffer.from(JSON.stringify(stored), 'utf8');
  const pad = (4 - ((MAGIC.length + 4 + json.length) % 4)) % 4;
  if (pad) json = Buffer.concat([json, Buffer.from(' '.repeat(pad))]);
  const len = Buffer.alloc(4);
  len.writeUInt32LE(json.length, 0);
  const body = Buffer.concat([Buffer.from(MAGIC, 'ascii'), len, json, data]);
  return Buffer.concat([body, sha256(body)]);
}

/** The stored header's shape, checked: anything else is a damaged file, said in one line. */
function checkStored(stored: unknown, path: string): asserts stored is StoredHeader<unknown> {
  const bad = (what: string) => new InputError(`${path}: corrupt checkpoint header (${what})`);
  if (typeof stored !== 'object' || stored === null || Array.isArray(stored)) throw bad('not an object');
  const s = stored as Record<string, unknown>;
  if (s.format !== 1 && s.format !== 2 && s.format !== 3) throw new InputError(`${path}: unsupported checkpoint format ${JSON.stringify(s.format)?.slice(0, 20)}`);
  if (typeof s.header !== 'object' || s.header === null || Array.isArray(s.header)) throw bad('no header record');
  if (!Array.isArray(s.arrays)) throw bad('no index of arrays');
  let next = 0;
  for (const [i, a] of s.arrays.entries()) {
    const e = a as Record<string, unknown> | null;
    const dtypeOk = e !== null && typeof e === 'object' && (e.dtype === undefined || (s.format === 3 && e.dtype === 'float16'));
    if (typeof e !== 'object' || e === null || typeof e.name !== 'string' || e.offset !== next || !Number.isSafeInteger(e.length) || (e.length as number) < 0 || !dtypeOk) throw bad(`array ${i} of the index is malformed`);
    next += s.format === 3 ? storedBytes(e as unknown as IndexEntry) : (e.length as number);
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
  // Bytes of data: 4 per element (formats 1–2); format 3 says per entry.
  const dataBytes = stored.arrays.reduce((n, a) => n + (stored.format === 3 ? storedBytes(a) : 4 * a.length), 0);
  const verified = stored.format !== 1;
  const expected = dataStart + dataBytes + (verified ? DIGEST_BYTES : 0);
  if (buffer.length !== expected) throw new InputError(`${path}: truncated checkpoint (expected ${expected} bytes, found ${buffer.length})`);
  const dataEnd = dataStart + dataBytes;
  if (verified && !sha256(buffer.subarray(0, dataEnd)).equals(buffer.subarray(dataEnd))) {
    throw new InputError(`${path}: damaged checkpoint (its checksum does not match its contents)`);
  }
  const data = buffer.buffer.slice(buffer.byteOffset + dataStart, buffer.byteOffset + dataEnd);
  const arrays: CheckpointArrays = {};
  for (const e of stored.arrays) {
    if (stored.format !== 3) arrays[e.name] = new Float32Array(data, 4 * e.offset, e.length).slice();
    else if (e.dtype === 'float16') arrays[e.name] = fromHalf(new Uint16Array(data, e.offset, e.length));
    else arrays[e.name] = new Float32Array(data, e.offset, e.length).slice();
  }
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
