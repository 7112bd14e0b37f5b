/**
 * The one way gankit writes a file it must not lose: every byte to a temporary file in the same
 * folder, fsync'd, then renamed over the old one — so a crash, a SIGKILL or a full disk at any
 * moment leaves either the previous file or the new one, never a torn file. A write that cannot
 * complete (ENOSPC, EROFS, EACCES, …) throws a `WriteError` naming the file and leaves the
 * previous file as it was. Appends (metrics.jsonl) go through `appendLine`, which writes all of
 * the line or throws; a kill can tear only the last line, which readers drop.
 *
 * Temporary files are `NAME.tmp-HOST-PID`; `removeStaleTemps` deletes those of writers on this
 * host that died (another host's, on a shared folder, cannot be judged and are left alone).
 *
 * Fault injection, for tests: GANKIT_FAULT='FILE:N:BYTES:ACTION' makes the N-th write (1-based)
 * to a file named FILE (or '*' for any) stop after BYTES bytes, then either fail with ENOSPC
 * (ACTION 'enospc') or SIGKILL the process (ACTION 'kill').
 */
import { closeSync, fsyncSync, openSync, readdirSync, renameSync, rmSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { InputError } from '../errors.js';

/** A file gankit could not write: the message names it and says why. */
export class WriteError extends InputError {
  constructor(
    readonly path: string,
    readonly code: string,
    detail: string,
  ) {
    super(`${path}: cannot write (${code}${detail ? `: ${detail}` : ''})`);
  }
}

const REASONS: Record<string, string> = {
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  EROFS: 'read-only file system',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EISDIR: 'it is a folder',
  ENOTDIR: 'a part of the path is not a folder',
  ENOENT: 'no such folder',
  EIO: 'input/output error',
};

export function writeErrorOf(path: string, e: unknown): WriteError {
  if (e instanceof WriteError) return e;
  const code = (e as NodeJS.ErrnoException).code ?? 'EIO';
  return new WriteError(path, code, REASONS[code] ?? (e as Error).message);
}

interface Fault {
  file: string;
  nth: number;
  bytes: number;
  action: 'enospc' | 'kill';
}

let fault: Fault | null | undefined;
let faultWrites = 0;

function faultFor(path: string): Fault | null {
  if (fault === undefined) {
    const spec = typeof process !== 'undefined' ? process.env.GANKIT_FAULT : undefined;
    const m = spec?.match(/^([^:]+):(\d+):(\d+):(enospc|kill)$/);
    fault = m ? { file: m[1], nth: Number(m[2]), bytes: Number(m[3]), action: m[4] as Fault['action'] } : null;
  }
  if (!fault || (fault.file !== '*' && fault.file !== basename(path))) return null;
  faultWrites += 1;
  return faultWrites === fault.nth ? fault : null;
}

/** Writes all of `bytes` to `fd`, or throws (a short write on a full disk is an error, never a torn file accepted). */
function writeAll(fd: number, bytes: Uint8Array, path: string): void {
  const injected = faultFor(path);
  const limit = injected ? Math.min(injected.bytes, bytes.length) : bytes.length;
  for (let done = 0; done < limit; ) {
    const n = writeSync(fd, bytes, done, limit - done);
    if (n <= 0) throw Object.assign(new Error(`short write (${done} of ${bytes.length} bytes)`), { code: 'EIO' });
    done += n;
  }
  if (injected) {
    if (injected.action === 'kill') process.kill(process.pid, 'SIGKILL');
    throw Object.assign(new Error('injected'), { code: 'ENOSPC' });
  }
}

const toBytes = (data: Buffer | Uint8Array | string): Uint8Array => (typeof data === 'string' ? Buffer.from(data, 'utf8') : data);

const HOST = hostname().replace(/[^A-Za-z0-9.-]/g, '_');

/** This process's temporary name for `name`: `name.tmp-HOST-PID`. */
export const tempName = (name: string): string => `${name}.tmp-${HOST}-${process.pid}`;

/**
 * Writes `data` to `path` atomically (temp file in the same folder, fsync, rename, fsync folder).
 * `label` is the file errors (and injected faults) name, when that is not `path` itself.
 */
export function writeFileAtomic(path: string, data: Buffer | Uint8Array | string, label = path): void {
  const tmp = join(dirname(path), tempName(basename(path)));
  try {
    const fd = openSync(tmp, 'w');
    try {
      writeAll(fd, toBytes(data), label);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw writeErrorOf(label, e);
  }
  try {
    const dirFd = openSync(dirname(path), 'r');
    fsyncSync(dirFd);
    closeSync(dirFd);
  } catch {
    // Some file systems cannot fsync a directory; the rename itself is still atomic.
  }
}

/** Appends one line (with its newline) to `path`: all of it, or a WriteError. */
export function appendLine(path: string, line: string): void {
  try {
    const fd = openSync(path, 'a');
    try {
      writeAll(fd, toBytes(line.endsWith('\n') ? line : `${line}\n`), path);
    } finally {
      closeSync(fd);
    }
  } catch (e) {
    throw writeErrorOf(path, e);
  }
}

/** Whether a process of this pid runs on this machine. */
export const processAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/**
 * Deletes the temporary files (`*.tmp-HOST-PID`) that writers of this host which have died left in
 * `dir` (and its sub-folders); returns their paths. A file that cannot be removed is left.
 */
export function removeStaleTemps(dir: string, depth = 1): string[] {
  const removed: string[] = [];
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return removed;
  }
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory() && depth > 0) removed.push(...removeStaleTemps(path, depth - 1));
    const m = entry.isFile() ? entry.name.match(/\.tmp-(.+)-(\d+)$/) : null;
    if (m && m[1] === HOST && Number(m[2]) !== process.pid && !processAlive(Number(m[2]))) {
      try {
        rmSync(path, { force: true });
        removed.push(path);
      } catch {
        // a read-only folder: nothing more can be written there anyway
      }
    }
  }
  return removed;
}
