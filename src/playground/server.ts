/**
 * `gankit playground`'s server (Node): the built page (web/dist) as static files, and read-only
 * access to the run folders under a --runs directory (their config, metrics, summary and
 * pictures: never checkpoints, never anything outside). Binds 127.0.0.1 unless told otherwise; no
 * directory listings; a path with `..`, a NUL, a backslash or a symlink out of its root is
 * refused, and so is a request whose Host header is not this server's (DNS rebinding). A run
 * folder's file must be itself: not a symlink, not a hard link (a second name of a checkpoint).
 */
import { packageRoot } from '../io/packageRoot.js';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { existsSync, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { extname, join, sep } from 'node:path';
import { InputError } from '../errors.js';
import { RUN_FILES, RunFolder } from '../runfolder/index.js';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.jsonl': 'application/x-ndjson; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.png': 'image/png',
  '.bin': 'application/octet-stream',
};

/** The files of a run folder the page may read. */
const RUN_READABLE = new Set<string>([RUN_FILES.config, RUN_FILES.metrics, RUN_FILES.summary, RUN_FILES.metricsPlot, RUN_FILES.eval]);

/** web/dist of the package (from dist/src/playground or src/playground alike). */
export function webDir(): string {
  return join(packageRoot(import.meta.url, join('web', 'index.html')), 'web', 'dist');
}

export interface PlaygroundOptions {
  port: number;
  host: string;
  /** A folder of run folders the page may read. */
  runs?: string;
  /** The page's files (default: the package's web/dist). */
  root?: string;
}

/** The path's segments when it is clean (no `..`, `.`, empty segments, NUL or backslash); else null. */
function segments(url: string): string[] | null {
  let path: string;
  try {
    path = decodeURIComponent(new URL(url, 'http://x').pathname);
  } catch {
    return null;
  }
  if (path.includes('\0') || path.includes('\\')) return null;
  const parts = path.split('/').slice(1);
  if (parts[parts.length - 1] === '') parts.pop();
  if (parts.some((p) => p === '' || p === '.' || p === '..')) return null;
  return parts;
}

/**
 * A regular file inside `root` (after resolving symlinks), or null. `exact`: the file itself, with
 * no symlink anywhere below the root (run folders: a link named like a picture must not lead to a
 * checkpoint).
 */
function inside(root: string, parts: string[], exact = false): string | null {
  const path = join(root, ...parts);
  try {
    const real = realpathSync(path);
    const realRoot = realpathSync(root);
    if (real !== realRoot && !real.startsWith(realRoot + sep)) return null;
    if (exact && real !== join(realRoot, ...parts)) return null;
    const st = statSync(real);
    // A hard link is the same file under two names (samples/x.png and checkpoint.bin): gankit's
    // own files have one, so a run folder's file with more is not served.
    return st.isFile() && (!exact || st.nlink === 1) ? real : null;
  } catch {
    return null;
  }
}

/**
 * A folder under --runs the page may read: a gankit run (config.json with a loss and data, itself
 * in the folder: not a link to a file elsewhere), not hidden; its config, or null.
 */
function servedConfig(runs: string, name: string): { loss?: string; variant?: string | null; data?: { name?: string }; steps?: number } | null {
  if (name.startsWith('.')) return null;
  const file = inside(runs, [name, RUN_FILES.config], true);
  if (!file) return null;
  try {
    const c = JSON.parse(readFileSync(file, 'utf8')) as { loss?: unknown; data?: { name?: unknown } };
    return typeof c === 'object' && c !== null && typeof c.loss === 'string' && typeof c.data?.name === 'string' ? (c as ReturnType<typeof servedConfig>) : null;
  } catch {
    return null;
  }
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

function runsIndex(dir: string): object[] {
  const out: object[] = [];
  for (const name of readdirSync(dir).sort()) {
    const c = servedConfig(dir, name);
    if (!c) continue;
    const folder = new RunFolder(join(dir, name));
    try {
      const summaryFile = inside(dir, [name, RUN_FILES.summary], true);
      const summary = summaryFile ? folder.readSummary() : null;
      out.push({ name, loss: c.variant ?? c.loss, data: c.data?.name, steps: c.steps, status: summary?.status ?? 'unfinished', weightsChecksum: summary?.weightsChecksum ?? null });
    } catch {
      // an unreadable folder is left out of the list
    }
  }
  return out;
}

export function startPlayground(o: PlaygroundOptions): Promise<{ server: Server; url: string }> {
  const root = o.root ?? webDir();
  if (!existsSync(join(root, 'index.html'))) throw new InputError(`${root}: the page is not built (run npm run build:web)`);
  if (o.runs && !(existsSync(o.runs) && statSync(o.runs).isDirectory())) throw new InputError(`--runs: ${o.runs}: not a folder`);
  const send = (res: ServerResponse, status: number, body: Buffer | string, type = 'text/plain; charset=utf-8') => {
    res.writeHead(status, { 'content-type': type, 'x-content-type-options': 'nosniff', 'cache-control': 'no-store', 'referrer-policy': 'no-referrer' });
    res.end(body);
  };
  const handle = (req: IncomingMessage, res: ServerResponse) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'read-only\n');
    // A page on another site that rebinds its name to this address is refused (DNS rebinding).
    const hostName = (req.headers.host ?? '').replace(/:\d+$/, '');
    if (!LOOPBACK.has(hostName) && hostName !== o.host && !(o.host.includes(':') && hostName === `[${o.host}]`)) return send(res, 421, 'unknown host\n');
    const parts = segments(req.url ?? '/');
    if (!parts) return send(res, 400, 'bad path\n');
    if (parts[0] === 'runs') {
      if (!o.runs) return send(res, 404, 'no --runs folder\n');
      if (parts.length === 1 || (parts.length === 2 && parts[1] === 'index.json')) return send(res, 200, JSON.stringify(runsIndex(o.runs)), TYPES['.json']);
      const [, run, ...rest] = parts;
      const readable = rest.length === 1 ? RUN_READABLE.has(rest[0]) : rest.length === 2 && rest[0] === RUN_FILES.samples && rest[1].endsWith('.png');
      const file = readable && servedConfig(o.runs, run) ? inside(o.runs, [run, ...rest], true) : null;
      return file ? send(res, 200, readFileSync(file), TYPES[extname(file)] ?? TYPES['.bin']) : send(res, 404, 'not found\n');
    }
    const file = inside(root, parts.length ? parts : ['index.html']);
    if (!file) return send(res, 404, 'not found\n');
    send(res, 200, readFileSync(file), TYPES[extname(file)] ?? TYPES['.bin']);
  };
  const server = createServer((req, res) => {
    try {
      handle(req, res);
    } catch {
      send(res, 500, 'error\n');
    }
  });
  return new Promise((resolveStart, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) => reject(new InputError(`--port ${o.port}: ${e.code === 'EADDRINUSE' ? 'in use' : e.message}`)));
    server.listen(o.port, o.host, () => {
      const address = server.address() as { port: number };
      resolveStart({ server, url: `http://${o.host.includes(':') ? `[${o.host}]` : o.host}:${address.port}/` });
    });
  });
}
