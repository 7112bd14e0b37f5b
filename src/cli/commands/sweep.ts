/** `gankit sweep`: trials over a grid or random draws, on a local pool or through a queue; `gankit sweep status`. */
import { cpus } from 'node:os';
import { resolve } from 'node:path';
import { InputError, RunStoppedError } from '../../errors.js';
import { localExecutor } from '../../sweep/executor.js';
import { planSweep } from '../../sweep/plan.js';
import { jobStates, queueExecutor, showQueue } from '../../sweep/queue.js';
import { indexTrials, readPlan, runSweep, sweepStatus, writeQueuedPlan } from '../../sweep/sweep.js';
import type { TrialLock } from '../../sweep/sweep.js';
import { formatSeconds } from '../progress.js';
import { num, parse, readJsonFile, UsageError } from '../args.js';
import type { Command } from '../command.js';

const HELP = `Usage: gankit sweep --config FILE (--grid SPEC | --random N --space FILE) --out DIR [--seed N] [--queue URL | --jobs N] [--no-wait]
       gankit sweep status --out DIR [--queue URL] [--json]

Runs every trial of a sweep: the base config (--config) with each combination of the grid, or
with N random draws from a space (both: every draw with every combination). Each trial is a run
folder under DIR/trials/; its id is a hash of its resolved config, so a duplicate runs once and a
re-run of the sweep runs only what is not done. Trials run on this machine (--jobs processes,
default: the cores) or, with --queue, as jobs that 'gankit worker' processes take on any machine
that reaches the Redis server and sees DIR (a shared file system). DIR/runs.sqlite indexes them.

  --grid SPEC    'loss=ns,wgan-gp;seed=1..5;lr=1e-4,2e-4': config paths or train flags, lists, A..B
  --random N     N draws from --space FILE: { "optimizerD.lr": { "logUniform": [1e-5, 1e-2] },
                 "nCritic": { "int": [1, 5] }, "model.discriminator.width": { "choice": [32, 64] } }
  --seed N       the draws' seed (default 1)
  --queue URL    redis://[user:pass@]HOST:PORT or rediss://… (TLS)
  --no-wait      with --queue: add the trials and return ('gankit sweep status' follows them)

status: done / running / failed / waiting, with an ETA, the failures' reasons and who holds a
trial's folder (alive or not on this host; the lock's age on another); it indexes what is done.`;

/** A trial folder's lock in words: its holder, alive or gone on this host, its age on another. */
function lockText(l: TrialLock): string {
  if (!l.holder) return 'locked (the lock cannot be read)';
  const who = `pid ${l.holder.pid} on ${l.holder.host}`;
  if (l.alive === true) return `held by ${who}, alive`;
  if (l.alive === false) return `stale lock: ${who} is gone`;
  return `held by ${who}${l.age !== null ? `, taken ${formatSeconds(l.age)} ago` : ''} (another host: cannot be checked)`;
}

async function status(argv: string[]): Promise<number> {
  const values = parse(argv, { out: { type: 'string' }, queue: { type: 'string' }, json: { type: 'boolean' } });
  if (typeof values.out !== 'string') throw new UsageError('sweep status needs --out DIR');
  const plan = readPlan(resolve(values.out));
  const s = sweepStatus(plan, typeof values.queue === 'string' ? await jobStates(values.queue, plan.trials) : undefined);
  indexTrials(plan); // a sweep followed with --no-wait has its results indexed here
  if (values.json) {
    console.log(JSON.stringify({ ...s, trials: s.trials.map((t) => ({ id: t.trial.id, name: t.trial.name, dir: t.trial.dir, state: t.state, error: t.error, progress: t.progress, lock: t.lock })) }, null, 2));
    return 0;
  }
  console.log(`${plan.out}: ${s.done} done, ${s.running} running, ${s.failed} failed, ${s.waiting} waiting of ${s.total}${s.eta !== null ? `; ETA ${formatSeconds(s.eta)}` : ''}`);
  for (const t of s.trials) {
    if (t.state === 'done' || (t.state === 'waiting' && !t.lock)) continue;
    const progress = t.progress !== undefined ? ` ${(100 * t.progress).toFixed(0)}%` : '';
    console.log(`  ${t.state.padEnd(8)} ${t.trial.name}${progress}${t.lock ? ` [${lockText(t.lock)}]` : ''}${t.error ? `: ${t.error}` : ''}`);
  }
  return 0;
}

export const sweep: Command = {
  name: 'sweep',
  summary: 'run a grid or random sweep of trials, locally or through a Redis queue',
  help: () => HELP,

  async run(argv) {
    if (argv[0] === 'status') return status(argv.slice(1));
    const values = parse(argv, {
      config: { type: 'string' },
      grid: { type: 'string' },
      random: { type: 'string' },
      space: { type: 'string' },
      seed: { type: 'string' },
      out: { type: 'string' },
      queue: { type: 'string' },
      jobs: { type: 'string' },
      'no-wait': { type: 'boolean' },
    });
    if (typeof values.out !== 'string' || values.out === '') throw new UsageError('sweep needs --out DIR');
    if (values.grid === undefined && values.random === undefined) throw new UsageError('sweep needs --grid SPEC or --random N --space FILE');
    const count = num(values, 'random', true);
    if (count !== undefined && typeof values.space !== 'string') throw new UsageError('--random needs --space FILE');
    const jobs = num(values, 'jobs', true) ?? Math.max(1, cpus().length);
    if (jobs < 1) throw new InputError(`--jobs: must be a positive integer, got ${jobs}`);
    if (values['no-wait'] && typeof values.queue !== 'string') throw new UsageError('--no-wait goes with --queue');
    const plan = planSweep({
      base: typeof values.config === 'string' ? readJsonFile(values.config, '--config') : {},
      grid: typeof values.grid === 'string' ? values.grid : undefined,
      random: count !== undefined ? { count, space: readJsonFile(values.space as string, '--space'), seed: num(values, 'seed', true) ?? 1 } : undefined,
      out: values.out,
    });
    const log = (line: string) => process.stderr.write(line + '\n');
    const executor = typeof values.queue === 'string' ? queueExecutor(values.queue, log) : localExecutor(jobs);
    try {
      if (values['no-wait']) {
        await writeQueuedPlan(plan, executor);
        console.log(`gankit sweep: ${plan.trials.length} trials queued on ${executor.where}; follow with: gankit sweep status --out ${plan.out} --queue ${showQueue(values.queue as string)}`);
        return 0;
      }
      const result = await runSweep(plan, executor, log);
      console.log(`gankit sweep: ${result.done.length} of ${plan.trials.length} trials done in ${result.seconds.toFixed(0)} s → ${plan.out} (index: ${plan.out}/runs.sqlite)`);
      if (result.failed.length) {
        for (const f of result.failed) console.log(`  failed: ${f.trial.name}: ${f.error}`);
        throw new RunStoppedError(`${result.failed.length} trial${result.failed.length === 1 ? '' : 's'} failed (their reasons above; 'gankit sweep status --out ${plan.out}' lists them)`);
      }
      return 0;
    } finally {
      await executor.close();
    }
  },
};
