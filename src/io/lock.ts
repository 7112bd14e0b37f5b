/**
 * One writer per folder: an exclusive lock file (`.lock`) holding the writer's pid, host and start
 * time. It appears with its content already in (written to a temporary file, then hard-linked
 * into place, which fails if a lock exists), so no reader ever sees a half-made lock. A second
 * writer gets one error naming the holder. A lock whose process is gone (same host, pid not
 * alive) is stale: it is taken over, with a warning — by one process only (it is first renamed
 * away, which only one can do). A lock from another host cannot be checked and is never taken
 * over: remove the file by hand when that machine is known to be done.
 *
 * Held locks are released when the process ends normally, and on SIGINT/SIGTERM (the handler
 * runs between training steps: the run loop yields to the event loop), after the hooks given to
 * `whenInterrupted` (a run writes summary.json saying where it stopped). Releasing never throws: a
 * lock that cannot be removed (a disk gone read-only) is left for the next writer to take over.
 */
import { linkSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { InputError } from '../errors.js';
import { processAlive as alive, removeFile, tempName, writeErrorOf, writeFileAtomic } from './atomic.js';

export const LOCK_FILE = '.lock';

export interface LockHolder {
  pid: number;
  host: string;
  since: string;
  /** What took it (e.g. 'gankit train'). */
  by: string;
}

export class LockedError extends InputError {}

function readHolder(path: string): LockHolder | null | 'missing' {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'missing' : null;
  }
  try {
    const h = JSON.parse(text) as LockHolder;
    return typeof h.pid === 'number' && typeof h.host === 'string' ? h : null;
  } catch {
    return null;
  }
}

/**
 * Who holds `dir`'s lock, for those who wait on it or report it (a sweep's workers and status):
 * null when there is none; `holder` null when it cannot be read. `alive` says whether the holder
 * runs: true or false on this host, null on another host (or unreadable), where it cannot be
 * checked. A lock is busy — lockFolder would refuse it — unless `alive` is false.
 */
export interface LockState {
  holder: LockHolder | null;
  alive: boolean | null;
}

export function inspectLock(dir: string): LockState | null {
  const holder = readHolder(join(dir, LOCK_FILE));
  if (holder === 'missing') return null;
  if (holder === null) return { holder: null, alive: null };
  return { holder, alive: holder.host === hostname() ? alive(holder.pid) : null };
}

/** The lock's holder in words: 'gankit resume (pid 12 on hostA, since …)'. */
export const describeHolder = (h: LockHolder): string => `${h.by} (pid ${h.pid} on ${h.host}, since ${h.since})`;

export interface FolderLock {
  readonly path: string;
  release(): void;
}

const held = new Set<FolderLock>();
const interruptHooks = new Set<(signal: 'SIGINT' | 'SIGTERM') => void>();
let handlersInstalled = false;

/**
 * Runs `hook` on SIGINT/SIGTERM, before the locks are released and the process ends (a run
 * records where it stopped); returns a function that removes it. A hook that throws is skipped.
 */
export function whenInterrupted(hook: (signal: 'SIGINT' | 'SIGTERM') => void): () => void {
  interruptHooks.add(hook);
  return () => interruptHooks.delete(hook);
}

/** On SIGINT/SIGTERM: the interrupt hooks, then release every lock this process holds, then end as the signal would. */
function installSignalHandlers(): void {
  if (handlersInstalled || typeof process === 'undefined') return;
  handlersInstalled = true;
  for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
    process.on(signal, () => {
      for (const hook of [...interruptHooks]) {
        try {
          hook(signal);
        } catch {
          // what a hook could not record must not keep the locks or the process
        }
      }
      for (const lock of [...held]) lock.release();
      process.exit(code);
    });
  }
  process.on('exit', () => {
    for (const lock of [...held]) lock.release();
  });
}

/**
 * Takes `dir`'s lock for this process, or throws a LockedError naming the holder. `warn` hears of a
 * stale lock taken over.
 */
export function lockFolder(dir: string, by: string, warn: (message: string) => void = (m) => console.error(m)): FolderLock {
  const path = join(dir, LOCK_FILE);
  const me: LockHolder = { pid: process.pid, host: hostname(), since: new Date().toISOString(), by };
  const content = join(dir, tempName(LOCK_FILE));
  writeFileAtomic(content, JSON.stringify(me) + '\n', path);
  try {
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        linkSync(content, path);
        const lock: FolderLock = {
          path,
          release: () => {
            if (!held.delete(lock)) return;
            const holder = readHolder(path);
            try {
              if (holder !== 'missing' && holder?.pid === me.pid && holder.host === me.host) removeFile(path);
            } catch {
              // A disk gone read-only keeps the lock file: once this process ends it is a dead
              // writer's lock, which the next writer takes over. Releasing never throws, so that it
              // cannot hide the error a run is stopping on.
            }
          },
        };
        held.add(lock);
        installSignalHandlers();
        return lock;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw writeErrorOf(path, e);
      }
      const holder = readHolder(path);
      if (holder === 'missing') continue; // released meanwhile
      if (holder === null) throw new LockedError(`${dir}: its lock (${path}) cannot be read; remove it if no process writes this folder`);
      if (holder.pid === me.pid && holder.host === me.host) throw new LockedError(`${dir}: this process holds its lock already`);
      if (holder.host !== me.host || alive(holder.pid)) {
        throw new LockedError(`${dir}: in use by ${describeHolder(holder)}; a second writer would corrupt it — wait for it, or remove ${path} if that process is gone`);
      }
      // Stale: move it out of the way (only one process can), then check that it was the dead holder's.
      const grave = join(dir, tempName(`${LOCK_FILE}.stale`));
      try {
        renameSync(path, grave);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') continue; // someone else took it over first
        throw writeErrorOf(path, e);
      }
      const moved = readHolder(grave);
      if (moved !== 'missing' && moved !== null && (moved.pid !== holder.pid || moved.host !== holder.host)) {
        // A live writer's lock replaced the stale one between our read and the rename: give it back.
        try {
          linkSync(grave, path);
        } catch {
          // it has been replaced again; that writer holds the folder
        }
        rmSync(grave, { force: true });
        throw new LockedError(`${dir}: in use by ${describeHolder(moved)}; a second writer would corrupt it`);
      }
      rmSync(grave, { force: true });
      warn(`gankit: ${dir}: taking over a stale lock (pid ${holder.pid} on ${holder.host} is gone)`);
    }
    throw new LockedError(`${dir}: cannot take its lock (it keeps changing hands)`);
  } finally {
    rmSync(content, { force: true });
  }
}
