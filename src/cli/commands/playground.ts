/** `gankit playground`: the browser page on a local server (127.0.0.1), with read-only access to run folders. */
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { startPlayground } from '../../playground/server.js';
import { ConfigError } from '../../errors.js';
import { num, parse } from '../args.js';
import type { Command } from '../command.js';

export const playground: Command = {
  name: 'playground',
  summary: 'the browser playground: every 2-D loss live, two side by side, share links',
  help: () => `Usage: gankit playground [--port N] [--host ADDRESS] [--runs DIR] [--open]

Serves the playground page (built by npm run build:web into web/dist; also a static site) on
http://127.0.0.1:N/ (default port 8765; 0 picks a free one). Only 127.0.0.1 is bound unless
--host says otherwise. --runs DIR gives the page read-only access to the run folders in DIR
(config, metrics, summary, pictures; never checkpoints), so that a CLI run can be replayed in the
page. --open opens the page in the default browser. Ctrl-C stops the server.`,

  async run(argv) {
    const values = parse(argv, { port: { type: 'string' }, host: { type: 'string' }, runs: { type: 'string' }, open: { type: 'boolean' } });
    const port = num(values, 'port', true) ?? 8765;
    if (port < 0 || port > 65535) throw new ConfigError('--port', `must be an integer from 0 to 65535 (0 picks a free one), got ${port}`);
    const { url, server } = await startPlayground({ port, host: typeof values.host === 'string' ? values.host : '127.0.0.1', runs: typeof values.runs === 'string' ? resolve(values.runs) : undefined });
    console.log(`gankit playground: ${url} (Ctrl-C stops)`);
    if (!['127.0.0.1', 'localhost', '::1'].includes(typeof values.host === 'string' ? values.host : '127.0.0.1')) {
      console.error(`gankit playground: listening on ${String(values.host)}: other machines can load the page${values.runs ? ' and read the run folders' : ''}`);
    }
    if (values.open) {
      const opener = process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'explorer' : 'xdg-open';
      spawn(opener, [url], { stdio: 'ignore', detached: true }).on('error', () => console.error(`gankit playground: could not run ${opener}; open ${url} yourself`)).unref();
    }
    await new Promise<void>((done) => {
      const stop = () => server.close(() => done());
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    return 0;
  },
};
