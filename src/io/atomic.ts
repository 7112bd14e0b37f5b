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
 * Folders are made with `makeFolder`, which names the real reason one cannot be made (Node's
 * recursive mkdir says ENOENT on a read-only file system). A folder written as a whole (an export,
 * a folder of samples) goes through `replaceFolder`: filled under a temporary name, then renamed
 * into place, so that a reader never sees a mix of two versions.
 *
 * Fault injection, for tests: GANKIT_FAULT='FILE:N:BYTES:ACTION' makes the N-th write (1-based)
 * to a file named FILE (or '*' for any) stop after BYTES bytes, then either fail with ENOSPC
 * (ACTION 'enospc'), SIGKILL the process (ACTION 'kill'), or fail with EROFS and leave the file
 * system read-only for the rest of the process (ACTION 'erofs': every later write, folder and
 * removal through this module fails with EROFS, as on a disk remounted read-only). A FILE that
 * names a folder (never '*') hits its N-th `makeFolder` the same way, before anything is made.
 */
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
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
  action: 'enospc' | 'kill' | 'erofs';
}

let fault: Fault | null | undefined;
let faultWrites = 0;
/** Set by an injected 'erofs' fault: the file system is read-only from then on. */
let readOnly = false;

const injectedError = (code: 'ENOSPC' | 'EROFS' | 'ENOENT') => Object.assign(new Error('injected'), { code });

/** Throws EROFS once an injected 'erofs' fault has made the file system read-only. */
function checkWritable(): void {
  if (readOnly) throw injectedError('EROFS');
}

function faultFor(path: string, folder = false): Fault | null {
  if (fault === undefined) {
    const spec = typeof process !== 'undefined' ? process.env.GANKIT_FAULT : undefined;
    const m = spec?.match(/^([^:]+):(\d+):(\d+):(enospc|kill|erofs)$/);
    fault = m ? { file: m[1], nth: Number(m[2]), bytes: Number(m[3]), action: m[4] as Fault['action'] } : null;
  }
  if (!fault || (fault.file !== '*' && fault.file !== basename(path)) || (folder && fault.file === '*')) return null;
  faultWrites += 1;
  return faultWrites === fault.nth ? fault : null;
}

/** Writes all of `bytes` to `fd`, or throws (a short write on a full disk is an error, never a torn file accepted). */
function writeAll(fd: number, bytes: Uint8Array, path: string): void {
  checkWritable();
  const injected = faultFor(path);
  const limit = injected ? Math.min(injected.bytes, bytes.length) : bytes.length;
  for (let done = 0; done < limit; ) {
    const n = writeSync(fd, bytes, done, limit - done);
    if (n <= 0) throw Object.assign(new Error(`short write (${done} of ${bytes.length} bytes)`), { code: 'EIO' });
    done += n;
  }
  if (injected) {
    if (injected.action === 'kill') process.kill(process.pid, 'SIGKILL');
    if (injected.action === 'erofs') readOnly = true;
    throw injectedError(injected.action === 'erofs' ? 'EROFS' : 'ENOSPC');
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
    checkWritable();
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw writeErrorOf(label, e);
  }
  fsyncFolder(dirname(path));
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

/** Removes a file (absent is fine); a failure (a read-only disk) throws a WriteError naming it. */
export function removeFile(path: string): void {
  try {
    checkWritable();
    rmSync(path, { force: true });
  } catch (e) {
    throw writeErrorOf(path, e);
  }
}

/**
 * Makes `dir` and its missing parents, or throws a WriteError with the real reason: Node's
 * recursive mkdir reports ENOENT where a parent cannot be made (a read-only file system), so the
 * missing folders are made one at a time, and the first refusal is the reason.
 */
export function makeFolder(dir: string): void {
  const injected = faultFor(dir, true);
  if (injected?.action === 'kill') process.kill(process.pid, 'SIGKILL');
  if (injected?.action === 'enospc') throw writeErrorOf(dir, injectedError('ENOSPC'));
  if (injected?.action === 'erofs') readOnly = true;
  try {
    // As Node's recursive mkdir on a read-only disk: ENOENT for a folder that is not there yet.
    if (readOnly && !existsSync(dir)) throw injectedError('ENOENT');
    mkdirSync(dir, { recursive: true });
    return;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw writeErrorOf(dir, e);
  }
  const missing: string[] = [];
  for (let d = resolve(dir); !existsSync(d) && dirname(d) !== d; d = dirname(d)) missing.unshift(d);
  for (const d of missing) {
    try {
      checkWritable();
      mkdirSync(d);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw writeErrorOf(dir, e);
    }
  }
}

/**
 * Writes a folder as a whole: `fill` writes into a fresh folder beside `dir` (its temporary name),
 * which then replaces `dir` by two renames (the old folder out of the way, the new one in), so a
 * reader sees the old folder or the new one, never a mix; a kill in between leaves the old one at
 * `DIR.old.tmp-HOST-PID`, which the next call puts back first. `replaceable` says whether what
 * `dir` holds now may be replaced (e.g. only an earlier export's files); if not, nothing is written
 * and `refusal` is thrown.
 */
export async function replaceFolder(dir: string, fill: (staging: string) => void | Promise<void>, replaceable: (entries: string[]) => boolean, refusal: () => Error): Promise<void> {
  const parent = dirname(resolve(dir));
  const name = basename(resolve(dir));
  makeFolder(parent);
  // A kill between the two renames left no folder at `dir`: the old one is put back first.
  const stale = staleTemps(parent, 0).filter((t) => basename(t.path).startsWith(`${name}.`));
  const orphan = stale.find((t) => basename(t.path).startsWith(`${name}.old.tmp-`));
  if (orphan && !existsSync(dir)) renameSync(orphan.path, dir);
  for (const t of stale) if (t !== orphan || existsSync(orphan.path)) rmSync(t.path, { recursive: true, force: true });
  if (existsSync(dir)) {
    let entries: string[] | null;
    try {
      entries = statSync(dir).isDirectory() ? readdirSync(dir) : null;
    } catch (e) {
      throw writeErrorOf(dir, e);
    }
    if (!entries || !replaceable(entries.filter((e) => !isStaleTemp(e)))) throw refusal();
  }
  const staging = join(parent, tempName(name));
  const old = join(parent, tempName(`${name}.old`));
  try {
    rmSync(staging, { recursive: true, force: true });
    makeFolder(staging);
    await fill(staging);
    fsyncFolder(staging);
    checkWritable();
    if (existsSync(dir)) renameSync(dir, old);
    renameSync(staging, dir);
  } catch (e) {
    rmSync(staging, { recursive: true, force: true });
    if (existsSync(old) && !existsSync(dir)) renameSync(old, dir);
    throw e instanceof WriteError || !(e as NodeJS.ErrnoException).code ? e : writeErrorOf(dir, e);
  }
  fsyncFolder(parent);
  rmSync(old, { recursive: true, force: true });
}

function fsyncFolder(dir: string): void {
  try {
    const fd = openSync(dir, 'r');
    fsyncSync(fd);
    closeSync(fd);
  } catch {
    // Some file systems cannot fsync a directory; the rename itself is still atomic.
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

/** Whether `name` is a temporary of a writer on this host that has died (`NAME.tmp-HOST-PID`). */
export function isStaleTemp(name: string): boolean {
  const m = name.match(/\.tmp-(.+)-(\d+)$/);
  return m !== null && m[1] === HOST && Number(m[2]) !== process.pid && !processAlive(Number(m[2]));
}

/** The stale temporaries (files, and folders being filled) in `dir` and its sub-folders down to `depth`. */
function staleTemps(dir: string, depth: number): Array<{ path: string; folder: boolean }> {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  return entries.flatMap((entry) => {
    const path = join(dir, entry.name);
    if (isStaleTemp(entry.name) && (entry.isFile() || entry.isDirectory())) return [{ path, folder: entry.isDirectory() }];
    return entry.isDirectory() && depth > 0 ? staleTemps(path, depth - 1) : [];
  });
}

/**
 * Deletes the temporary files and folders (`*.tmp-HOST-PID`) that writers of this host which have
 * died left in `dir` (and its sub-folders); returns their paths. One that cannot be removed is left.
 */
export function removeStaleTemps(dir: string, depth = 1): string[] {
  const removed: string[] = [];
  for (const { path, folder } of staleTemps(dir, depth)) {
    try {
      checkWritable();
      rmSync(path, { force: true, recursive: folder });
      removed.push(path);
    } catch {
      // a read-only folder: nothing more can be written there anyway
    }
  }
  return removed;
}
