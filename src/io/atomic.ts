/**
 * The one way gankit writes a file it must not lose: to a temporary file in the same folder,
 * fsync'd, then renamed over the old one — so a crash or SIGKILL at any moment leaves either the
 * previous file or the new one, never a torn file.
 */
import { closeSync, fsyncSync, openSync, renameSync, writeSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';

/** Writes `data` to `path` atomically (temp file in the same folder, fsync, rename, fsync folder). */
export function writeFileAtomic(path: string, data: Buffer | Uint8Array | string): void {
  const tmp = `${path}.tmp-${process.pid}`;
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  try {
    const fd = openSync(tmp, 'w');
    try {
      // writeSync may write less than asked (a full disk): keep going, and fail rather than rename a torn file.
      for (let done = 0; done < bytes.length; ) {
        const n = writeSync(fd, bytes, done, bytes.length - done);
        if (n <= 0) throw new Error(`${path}: short write (${done} of ${bytes.length} bytes)`);
        done += n;
      }
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
  try {
    const dirFd = openSync(dirname(path), 'r');
    fsyncSync(dirFd);
    closeSync(dirFd);
  } catch {
    // Some file systems cannot fsync a directory; the rename itself is still atomic.
  }
}
