/** Finding the package's own files (assets, the built page) from a module, in dist/ or in src/ alike. */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The nearest folder at or above the module `moduleUrl` (its import.meta.url), up to 5 levels,
 * that holds `marker` (a relative path); the working directory when none does.
 */
export function packageRoot(moduleUrl: string, marker: string): string {
  let dir = dirname(fileURLToPath(moduleUrl));
  for (let i = 0; i < 5; i++) {
    if (existsSync(join(dir, marker))) return dir;
    dir = dirname(dir);
  }
  return process.cwd();
}
