/** A Redis server of the tests' own, on 127.0.0.1 and a free port (Debian's redis-server, installed by the README's test command). */
import { spawn, ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { Redis } from 'ioredis';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export class TestRedis {
  private proc: ChildProcess | null = null;
  constructor(
    readonly port: number,
    /** Extra redis-server arguments (a password, TLS files). */
    readonly args: string[] = [],
    /** How a client reaches it (for the readiness check). */
    readonly url = `redis://127.0.0.1:${port}`,
    /** The readiness check's TLS settings (a private CA). */
    readonly tls?: { ca: Buffer },
  ) {}

  static async start(args: string[] = [], url?: (port: number) => string): Promise<TestRedis> {
    const port = await freePort();
    const r = new TestRedis(port, args, url?.(port));
    await r.up();
    return r;
  }

  /** Starts the server (no persistence: a restart forgets everything) and waits until it answers. */
  async up(): Promise<void> {
    const portArgs = this.args.includes('--tls-port') ? [] : ['--port', String(this.port)];
    this.proc = spawn('redis-server', [...portArgs, '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', ...this.args], { stdio: 'ignore' });
    const deadline = Date.now() + 10_000;
    for (;;) {
      const client = new Redis(this.url, { maxRetriesPerRequest: 0, retryStrategy: () => null, lazyConnect: true, ...(this.tls ? { tls: this.tls } : {}) });
      client.on('error', () => {});
      try {
        await client.connect();
        await client.ping();
        client.disconnect();
        return;
      } catch {
        client.disconnect();
        if (Date.now() > deadline) throw new Error(`redis-server on port ${this.port} did not start`);
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  }

  /** Stops it at once (SIGKILL), as a crash would. */
  async down(): Promise<void> {
    const p = this.proc;
    if (!p || p.exitCode !== null) return;
    const exited = new Promise((r) => p.once('exit', r));
    p.kill('SIGKILL');
    await exited;
    this.proc = null;
  }
}
