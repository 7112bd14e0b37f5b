/**
 * Trials as BullMQ jobs on Redis: a sweep adds them (job id = the trial's id, so a duplicate is
 * not taken twice) and `gankit worker` processes take them, on any machine that reaches the Redis
 * server and sees the sweep's folder (a shared file system).
 *
 * Delivery is at least once, which is harmless: a run is deterministic and its folder is the truth
 * — a trial whose folder holds a result returns it, one whose folder holds a part of the run
 * resumes it. A worker killed mid-trial stops renewing its job's lock; after `lockDuration` the
 * job is stalled and another worker takes it and resumes the trial (its process saw its worker
 * die and stopped). A trial whose folder another live process holds (or one on another host,
 * which cannot be checked) waits: its job goes back to delayed without using an attempt. A trial
 * that fails (a crash) is retried with back-off; one whose config is invalid fails once, with the
 * error in its status. A sweep run again retries its failed jobs, as the local pool re-runs what is
 * not done. Redis may restart: the clients reconnect, and the sweep re-adds the jobs a Redis
 * without persistence forgot.
 *
 * URLs: redis://[user:password@]host:port[/db], or rediss://… for TLS (a private CA through
 * NODE_EXTRA_CA_CERTS).
 */
import type { Job, Queue, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { InputError } from '../errors.js';
import { describeHolder, inspectLock } from '../io/lock.js';
import type { RunSummary } from '../runfolder/index.js';
import { runTrialProcess, threadsPerJob } from '../runner/pool.js';
import { trialResult } from '../runner/trial.js';
import { resolveConfig } from '../train/config.js';
import { failureReason, TrialEvent, TrialExecutor } from './executor.js';
import { canonicalJson, foreignTrial, PLAN_FILE } from './plan.js';
import type { PlannedTrial, SweepPlan } from './plan.js';

const require = createRequire(import.meta.url);
/**
 * BullMQ (with ioredis) loads when a queue is first used: ~0.6 s of CPU that every other command
 * (and every trial process a sweep starts) would otherwise pay at start-up.
 */
const bullmq = (): typeof import('bullmq') => require('bullmq') as typeof import('bullmq');

/** The one queue gankit's trials go through (a trial's id names its sweep folder, so sweeps do not mix). */
export const QUEUE_NAME = 'gankit-trials';

/** Attempts and back-off of a trial that fails (not one whose config is invalid: it fails once, nor one whose folder is busy: it waits). */
export const JOB_OPTIONS = { attempts: 4, backoff: { type: 'exponential' as const, delay: 2000 }, removeOnComplete: false, removeOnFail: false };

/** How long a trial whose folder is busy waits before a worker looks again. */
export const BUSY_DELAY_MS = 5000;

interface JobData {
  overrides: Record<string, unknown>;
  dir: string;
  name: string;
}

/** The URL without its password, for messages (also one that does not parse: whatever sits between '//' and '@' after a ':'). */
export function showQueue(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString().replace(/\/$/, '');
  } catch {
    return url.replace(/^([^/]*\/\/[^/@:]*:)[^/]*@/, '$1***@');
  }
}

/** The last error of each connection, for saying why Redis cannot be reached. */
const lastErrors = new WeakMap<Redis, string>();

/** Waits until Redis answers (a first contact), or says in one line why it does not. */
export async function reachRedis(connection: Redis, url: string, timeoutMs = 10_000): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([connection.ping(), new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer in ${timeoutMs / 1000} s`)), timeoutMs)))]);
  } catch (e) {
    connection.disconnect();
    throw new InputError(`--queue: cannot reach ${showQueue(url)} (${lastErrors.get(connection) ?? (e as Error).message})`);
  } finally {
    clearTimeout(timer);
  }
}

/** A Redis connection for BullMQ (commands wait through a restart); a bad URL is one line. */
export function redisConnection(url: string, onError: (message: string) => void = () => {}): Redis {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new InputError(`--queue: expected redis://HOST:PORT or rediss://HOST:PORT (TLS), got '${showQueue(url)}'`);
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') throw new InputError(`--queue: expected redis:// or rediss:// (TLS), got '${showQueue(url)}'`);
  const { Redis } = require('ioredis') as typeof import('ioredis');
  const connection = new Redis(url, { maxRetriesPerRequest: null, retryStrategy: (times) => Math.min(200 * times, 2000) });
  // An outage is said once; a first contact that fails is reachRedis's to say.
  let down = false;
  let reached = false;
  connection.on('error', (e: Error) => {
    lastErrors.set(connection, e.message);
    if (reached && !down) onError(`${showQueue(url)}: ${e.message} (reconnecting)`);
    down = true;
  });
  connection.on('ready', () => {
    reached = true;
    down = false;
  });
  return connection;
}

const jobFor = (t: PlannedTrial) => ({ name: t.name, data: { overrides: t.overrides, dir: t.dir, name: t.name } satisfies JobData, opts: { jobId: t.id, ...JOB_OPTIONS } });

/** Whether another process may be writing the trial's folder: its lock's holder lives, or is on another host (or unreadable). */
function folderBusy(dir: string): string | null {
  const lock = inspectLock(dir);
  if (!lock || lock.alive === false) return null;
  return lock.holder ? describeHolder(lock.holder) : 'a holder whose lock cannot be read';
}

/**
 * Adds the trials' jobs. A job id already in the queue is not added again, so a job that failed
 * in an earlier run of the sweep (a crash: not an invalid config, which fails every time) is
 * retried from the start, and one that completed into a folder that has no result since (the
 * folder was removed) runs again: a re-run runs what is not done.
 */
async function addTrials(queue: Queue, trials: PlannedTrial[], log: (line: string) => void): Promise<void> {
  await queue.addBulk(trials.map(jobFor));
  for (const trial of trials) {
    if (trial.error || foreignTrial(trial) || trialResult(trial.dir)) continue;
    const job = await queue.getJob(trial.id);
    const state = job ? await job.getState() : null;
    if (!job || (state !== 'failed' && state !== 'completed')) continue;
    const said = state === 'failed' ? `failed before (${job.failedReason ?? 'no reason'}): retried` : 'its result is gone: run again';
    try {
      await job.retry(state, { resetAttemptsMade: true, resetAttemptsStarted: true });
      log(`gankit sweep: ${trial.name}: ${said}`);
    } catch {
      // it changed state meanwhile (a worker or another sweep took it): nothing to do
    }
  }
}

/** Trials through the queue at `url`: added as jobs, followed until each is done or failed. */
export function queueExecutor(url: string, log: (line: string) => void = () => {}): TrialExecutor {
  const connection = redisConnection(url, log);
  const queue = new (bullmq().Queue)(QUEUE_NAME, { connection });
  queue.on('error', () => {}); // the connection's handler has said it
  return {
    where: `the queue at ${showQueue(url)}`,
    ready: () => reachRedis(connection, url),
    async enqueue(trials) {
      await reachRedis(connection, url);
      await addTrials(queue, trials, log);
    },
    async run(trials, onEvent) {
      await reachRedis(connection, url);
      await addTrials(queue, trials, log);
      const pending = new Map(trials.map((t) => [t.id, t]));
      const started = new Set<string>();
      const lastStep = new Map<string, number>();
      while (pending.size > 0) {
        for (const trial of [...pending.values()]) {
          const foreign = foreignTrial(trial);
          if (foreign) {
            pending.delete(trial.id);
            onEvent({ kind: 'failed', trial, error: foreign });
            continue;
          }
          const result = trialResult(trial.dir); // the folder is the truth
          if (result) {
            pending.delete(trial.id);
            onEvent({ kind: 'done', trial, summary: result });
            continue;
          }
          let job: Job<JobData, RunSummary> | undefined;
          let state: string;
          try {
            // The state first, then the job: a job read before it failed or completed would lack
            // its failure reason or its return value.
            const seen = await queue.getJobState(trial.id);
            job = await queue.getJob(trial.id);
            if (!job) {
              const again = jobFor(trial); // a Redis that restarted without persistence forgot it
              await queue.add(again.name, again.data, again.opts);
              log(`gankit sweep: ${trial.name}: re-added (the queue had forgotten it)`);
              continue;
            }
            state = seen === 'unknown' ? await job.getState() : seen;
          } catch {
            break; // Redis is away: look again in a moment
          }
          if (state === 'failed') {
            // A process that still writes the folder may yet leave a result there: it wins over the job's failure.
            if (!trial.error && folderBusy(trial.dir)) continue;
            pending.delete(trial.id);
            onEvent({ kind: 'failed', trial, error: job.failedReason ?? 'failed' });
          } else if (state === 'completed' && job.returnvalue && (job.returnvalue as RunSummary).status !== 'stopped') {
            pending.delete(trial.id);
            onEvent({ kind: 'done', trial, summary: job.returnvalue });
          } else if (state === 'active') {
            if (!started.has(trial.id)) onEvent({ kind: 'started', trial });
            started.add(trial.id);
            const p = job.progress as { step?: number; steps?: number } | number;
            if (typeof p === 'object' && typeof p.step === 'number' && p.step !== lastStep.get(trial.id)) {
              lastStep.set(trial.id, p.step);
              onEvent({ kind: 'progress', trial, step: p.step, steps: p.steps ?? 0 });
            }
          }
        }
        if (pending.size > 0) await new Promise((r) => setTimeout(r, 500));
      }
    },
    async close() {
      await queue.close();
      connection.disconnect();
    },
  };
}

/** The jobs' states for a sweep's trials, as `gankit sweep status` reports them (null: no such job). */
export async function jobStates(url: string, trials: PlannedTrial[]): Promise<Map<string, { state: string; error?: string; progress?: number }>> {
  const connection = redisConnection(url);
  await reachRedis(connection, url);
  const queue = new (bullmq().Queue)(QUEUE_NAME, { connection });
  try {
    const out = new Map<string, { state: string; error?: string; progress?: number }>();
    for (const t of trials) {
      const job = await queue.getJob(t.id);
      if (!job) continue;
      const p = job.progress as { step?: number; steps?: number };
      out.set(t.id, { state: await job.getState(), error: job.failedReason, progress: typeof p === 'object' && p.steps ? (p.step ?? 0) / p.steps : undefined });
    }
    return out;
  } finally {
    await queue.close();
    connection.disconnect();
  }
}

export interface WorkerOptions {
  concurrency: number;
  /** How long a job's lock lasts without renewal: a dead worker's trial is taken by another after it. */
  lockDuration: number;
  log: (line: string) => void;
}

/**
 * Why a job is not a trial a sweep or study queued (null when it is): its folder must lie in
 * `OUT/trials/` or `OUT/runs/` of a folder whose plan (OUT/sweep.json) lists a trial of the job's
 * id, folder and config.
 */
export function unlistedJob(id: string, job: JobData): string | null {
  const out = dirname(dirname(resolve(job.dir)));
  const refuse = (why: string) => `${job.dir}: not run: ${why}`;
  let plan: SweepPlan;
  try {
    plan = JSON.parse(readFileSync(join(out, PLAN_FILE), 'utf8')) as SweepPlan;
  } catch {
    return refuse(`no sweep or study queued it (${join(out, PLAN_FILE)} is missing or unreadable)`);
  }
  const trial = Array.isArray(plan?.trials) ? plan.trials.find((t) => t.id === id) : undefined;
  if (!trial) return refuse(`${join(out, PLAN_FILE)} lists no job ${id}`);
  if (resolve(trial.dir) !== resolve(job.dir) || canonicalJson(trial.overrides) !== canonicalJson(job.overrides)) return refuse(`job ${id} differs from the trial ${join(out, PLAN_FILE)} lists`);
  return null;
}

/** A worker taking trials from the queue at `url` until closed (close() waits for its running trials; close(true) does not). */
export async function startWorker(url: string, o: WorkerOptions): Promise<{ close(force?: boolean): Promise<void>; events: Worker }> {
  const connection = redisConnection(url, o.log);
  await reachRedis(connection, url);
  const threads = threadsPerJob(o.concurrency);
  const told = new Set<string>();
  // A busy folder is no failure: the job goes back to delayed, its attempts untouched (said once per job).
  const waitForFolder = async (job: Job<JobData, RunSummary>, token: string | undefined, holder: string): Promise<never> => {
    if (!told.has(job.id!)) o.log(`gankit worker: ${job.data.name}: its folder is in use by ${holder}; waiting (looking again every ${BUSY_DELAY_MS / 1000} s)`);
    told.add(job.id!);
    await job.moveToDelayed(Date.now() + BUSY_DELAY_MS, token);
    throw new (bullmq().DelayedError)();
  };
  const worker = new (bullmq().Worker)<JobData, RunSummary>(
    QUEUE_NAME,
    async (job, token) => {
      const { overrides, dir, name } = job.data;
      try {
        resolveConfig(overrides);
      } catch (e) {
        if (e instanceof InputError) throw new (bullmq().UnrecoverableError)(e.message); // fails once: no retry can mend a config
        throw e;
      }
      // Only a trial its sweep (or study) lists, into the folder it lists: a job from elsewhere could write anywhere.
      const unlisted = unlistedJob(job.id!, job.data);
      if (unlisted) throw new (bullmq().UnrecoverableError)(unlisted);
      const foreign = foreignTrial({ id: job.id!, name, overrides, dir });
      if (foreign) throw new (bullmq().UnrecoverableError)(foreign);
      const busy = trialResult(dir) ? null : folderBusy(dir);
      if (busy) return waitForFolder(job, token, busy);
      told.delete(job.id!);
      // Said here, not on 'active': a job that only finds its folder busy again has not started.
      o.log(`gankit worker: ${name}: started (attempt ${job.attemptsMade + 1})`);
      try {
        return await runTrialProcess<RunSummary>({ overrides, dir }, name, threads, (p) => void job.updateProgress(p).catch(() => {}));
      } catch (e) {
        const holder = folderBusy(dir); // taken between the look and the trial's start
        if (holder) return waitForFolder(job, token, holder);
        throw new Error(failureReason(e)); // retried, with back-off
      }
    },
    { connection, concurrency: o.concurrency, lockDuration: o.lockDuration, stalledInterval: Math.min(30_000, o.lockDuration), maxStalledCount: 3 },
  );
  worker.on('error', () => {}); // the connection's handler has said it
  worker.on('completed', (job) => o.log(`gankit worker: ${job.data.name}: ${job.returnvalue?.status ?? 'done'}`));
  worker.on('failed', (job, e) => o.log(`gankit worker: ${job?.data.name}: failed: ${e.message}`));
  return {
    events: worker,
    async close(force = false) {
      await worker.close(force);
      connection.disconnect();
    },
  };
}

export type { TrialEvent };
