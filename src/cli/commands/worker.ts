/** `gankit worker`: take sweep and study trials from a Redis queue until stopped. */
import { InputError } from '../../errors.js';
import { showQueue, startWorker } from '../../sweep/queue.js';
import { num, parse, UsageError } from '../args.js';
import type { Command } from '../command.js';

export const worker: Command = {
  name: 'worker',
  summary: 'take trials from a Redis queue (gankit sweep --queue, gankit study --queue)',
  help: () => `Usage: gankit worker --queue URL [--concurrency N] [--lock-duration MS]

Takes trials from the queue at URL (redis://[user:pass@]HOST:PORT, or rediss://… for TLS) and
runs each as its own process into its folder, which this machine must see at the same path as the
sweep (a shared file system). --concurrency trials at a time (default 1), the cores shared out.
A worker that dies stops renewing its trials' locks: after --lock-duration (default 30000 ms)
another worker takes them and resumes them. SIGTERM (or Ctrl-C) finishes the running trials and
stops; a second one stops at once (those trials are then taken by other workers).`,

  async run(argv) {
    const values = parse(argv, { queue: { type: 'string' }, concurrency: { type: 'string' }, 'lock-duration': { type: 'string' } });
    if (typeof values.queue !== 'string') throw new UsageError('worker needs --queue URL');
    const concurrency = num(values, 'concurrency', true) ?? 1;
    const lockDuration = num(values, 'lock-duration', true) ?? 30_000;
    if (concurrency < 1 || concurrency > 64) throw new InputError(`--concurrency: must be an integer in [1, 64], got ${concurrency}`);
    if (lockDuration < 1000) throw new InputError(`--lock-duration: must be at least 1000 ms, got ${lockDuration}`);
    const log = (line: string) => process.stderr.write(line + '\n');
    const w = await startWorker(values.queue, { concurrency, lockDuration, log });
    log(`gankit worker: taking trials from ${showQueue(values.queue)} (${concurrency} at a time)`);
    await new Promise<void>((resolveStop) => {
      let stopping = false;
      const stop = (signal: string) => {
        if (stopping) {
          log(`gankit worker: ${signal} again: stopping now`);
          void w.close(true).finally(() => process.exit(143));
          return;
        }
        stopping = true;
        log(`gankit worker: ${signal}: finishing the running trials, then stopping (again to stop now)`);
        void w.close().then(resolveStop);
      };
      process.on('SIGTERM', () => stop('SIGTERM'));
      process.on('SIGINT', () => stop('SIGINT'));
    });
    log('gankit worker: stopped');
    return 0;
  },
};
