/**
 * One writer per folder: an exclusive lock file (`.lock`), created atomically (O_EXCL), holding the
 * writer's pid, host and start time. A second writer gets one error naming the holder. A lock
 * whose process is gone (same host, pid not alive) is stale: it is taken over, with a warning.
 * A lock from another host cannot be checked and is never taken over — remove the file by hand
 * when that machine is known to be done.
 */
import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { InputError } from '../errors.js';
import { processAlive as alive, writeErrorOf } from './atomic.js';

export const LOCK_FILE = '.lock';

export interface LockHolder {
  pid: number;
  host: string;
  since: string;
  /** What took it (e.g. 'gankit train'). */
  by: string;
}

export class LockedError extends InputError {}

function readHolder(path: string): LockHolder | null {
  try {
    const h = JSON.parse(readFileSync(path, 'utf8')) as LockHolder;
    return typeof h.pid === 'number' && typeof h.host === 'string' ? h : null;
  } catch {
    return null;
  }
}

export interface FolderLock {
  readonly path: string;
  release(): void;
}

/**
 * Takes `dir`'s lock for this process, or throws a LockedError naming the holder. `warn` hears of a
 * stale lock taken over.
 */
export function lockFolder(dir: string, by: string, warn: (message: string) => void = (m) => console.error(m)): FolderLock {
  const path = join(dir, LOCK_FILE);
  const me: LockHolder = { pid: process.pid, host: hostname(), since: new Date().toISOString(), by };
  for (let attempt = 0; attempt < 2; attempt++) {
    let fd: number;
    try {
      fd = openSync(path, 'wx');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw writeErrorOf(path, e);
      const holder = readHolder(path);
      if (holder && holder.pid === process.pid && holder.host === me.host) throw new LockedError(`${dir}: this process holds its lock already`);
      const stale = holder === null || (holder.host === me.host && !alive(holder.pid));
      if (!stale || attempt > 0) {
        throw new LockedError(`${dir}: in use by ${holder?.by ?? 'another writer'} (pid ${holder?.pid} on ${holder?.host}, since ${holder?.since}); a second writer would corrupt it — wait for it, or remove ${path} if that process is gone`);
      }
      warn(`gankit: ${dir}: taking over a stale lock (${holder ? `pid ${holder.pid} on ${holder.host} is gone` : 'unreadable lock file'})`);
      rmSync(path, { force: true });
      continue;
    }
    try {
      writeSync(fd, JSON.stringify(me) + '\n');
    } finally {
      closeSync(fd);
    }
    let released = false;
    return {
      path,
      release: () => {
        if (released) return;
        released = true;
        const holder = readHolder(path);
        if (holder?.pid === me.pid && holder.host === me.host) rmSync(path, { force: true });
      },
    };
  }
  throw new LockedError(`${dir}: cannot take its lock`);
}
