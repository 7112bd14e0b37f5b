/**
 * A run folder, the unit every gankit command reads and writes. Its format is owned here:
 *
 *   DIR/config.json         the full resolved config (every flag is an override of one field)
 *   DIR/metrics.jsonl       one row per logged step (src/runfolder/metrics.ts)
 *   DIR/checkpoint.bin      the latest checkpoint (src/runfolder/checkpoint.ts)
 *   DIR/best.bin            image runs: the checkpoint with the lowest FID so far (same format)
 *   DIR/samples/step-N.png  pictures of the generator at plot steps (and step-N-*.png extras)
 *   DIR/metrics.png         the logged metrics as line charts
 *   DIR/summary.json        final status and metrics, written when a run ends, diverges, stops or is interrupted
 *   DIR/eval.json           the latest `gankit eval`
 *   DIR/study.json          which study and experiment made the run, when one did
 *
 *   DIR/.lock               while a process writes the run (train, resume): its pid and host
 *
 * Every file is written atomically; metrics.jsonl is appended a row at a time (a kill can tear
 * only its last line, which readers drop). One process writes a run at a time (`lock`).
 */
import { existsSync, readdirSync, readFileSync, rmdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../errors.js';
import { appendLine, isStaleTemp, makeFolder, removeStaleTemps, writeFileAtomic } from '../io/atomic.js';
import { FolderLock, LOCK_FILE, lockFolder } from '../io/lock.js';
import { CheckpointArrays, CheckpointFile, loadCheckpoint, saveCheckpoint } from './checkpoint.js';
import { formatMetricsRow, MetricsRow, parseMetrics } from './metrics.js';

export const RUN_FILES = {
  config: 'config.json',
  metrics: 'metrics.jsonl',
  checkpoint: 'checkpoint.bin',
  best: 'best.bin',
  samples: 'samples',
  metricsPlot: 'metrics.png',
  summary: 'summary.json',
  eval: 'eval.json',
  studyTag: 'study.json',
} as const;

/** summary.json. */
export interface RunSummary {
  /** stopped: a file could not be written (what says which and why); interrupted: SIGINT or SIGTERM (`signal`). Both resume. */
  status: 'finished' | 'diverged' | 'stopped' | 'interrupted';
  /** Finished: generator steps, seconds, the last logged row, and what the data kind adds. */
  steps?: number;
  elapsed?: number;
  final?: MetricsRow | null;
  /** Diverged, stopped or interrupted: the step, what went wrong, the step of the checkpoint kept (null: none is whole). */
  step?: number;
  what?: string;
  lastGoodCheckpointStep?: number | null;
  [extra: string]: unknown;
}

/** study.json: the study and experiment a run belongs to. */
export interface RunTag {
  study?: string;
  experiment?: string;
}

export class RunFolderError extends InputError {}

const reason = (e: unknown) => {
  const code = (e as NodeJS.ErrnoException).code;
  return code === 'ENOTDIR' ? 'ENOTDIR: it is a file, or a part of the path is' : code === 'EACCES' ? 'EACCES: permission denied' : code === 'EROFS' ? 'EROFS: read-only file system' : (code ?? (e as Error).message);
};

const json = (value: unknown) => JSON.stringify(value, null, 2) + '\n';

/** Reads a JSON file; null when it does not exist or cannot be parsed. */
function readJsonOrNull<T>(path: string): T | null {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as T;
  } catch {
    return null;
  }
}

export class RunFolder {
  constructor(readonly dir: string) {}

  /** The path of one of the run's files. */
  path(file: keyof typeof RUN_FILES): string {
    return join(this.dir, RUN_FILES[file]);
  }

  /** A picture under samples/: `samples/step-000200.png`, or with a suffix `step-000200-code-cat0.png`. */
  static picture(step: number, suffix = ''): string {
    return `${RUN_FILES.samples}/step-${String(step).padStart(6, '0')}${suffix}.png`;
  }

  /** A folder holds a run when it has a config.json. */
  isRun(): boolean {
    return existsSync(this.path('config'));
  }

  /**
   * Makes the folder for a new run; returns whether it made it. Refuses one that holds anything
   * but what an interrupted start leaves (an empty samples/, a lock, temporary files of dead
   * writers: `lock` then judges the lock and removes the temporaries), and says why one cannot
   * be made.
   */
  create(): boolean {
    let entries: string[] | null = null;
    try {
      entries = existsSync(this.dir) ? readdirSync(this.dir) : null;
    } catch (e) {
      throw new RunFolderError(`${this.dir}: cannot be a run folder (${reason(e)})`);
    }
    if (entries && !entries.every((e) => this.leftByInterruptedStart(e))) {
      throw new RunFolderError(`${this.dir}: folder exists and is not empty (use 'gankit resume --run ${this.dir}' to continue a run, or choose another --out)`);
    }
    try {
      makeFolder(join(this.dir, RUN_FILES.samples));
    } catch (e) {
      throw new RunFolderError(`${this.dir}: cannot create the run folder (${reason(e)})`);
    }
    return entries === null;
  }

  /** Whether an entry of a folder without a run is what a start cut short leaves behind. */
  private leftByInterruptedStart(entry: string): boolean {
    if (entry === LOCK_FILE || isStaleTemp(entry)) return true;
    if (entry !== RUN_FILES.samples) return false;
    try {
      return readdirSync(join(this.dir, entry)).every(isStaleTemp);
    } catch {
      return false;
    }
  }

  /**
   * Takes back what a start wrote before its first step (config.json, the step-0 checkpoint,
   * pictures): a run that never trained a step leaves no run to resume, and `train` may start
   * again in the folder. The folder itself goes too when the start made it.
   */
  discard(made: boolean): void {
    for (const file of ['config', 'checkpoint', 'best', 'metrics', 'metricsPlot', 'summary'] as const) rmSync(this.path(file), { force: true });
    rmSync(this.path('samples'), { recursive: true, force: true });
    if (!made) return;
    try {
      rmdirSync(this.dir);
    } catch {
      // something else appeared in it: it stays
    }
  }

  /**
   * Takes the run's lock for this process (a second writer gets one error naming the first) and
   * removes the temporary files that killed writers left behind. Release it when done.
   */
  lock(by: string): FolderLock {
    const held = lockFolder(this.dir, by);
    removeStaleTemps(this.dir);
    return held;
  }

  /** config.json as parsed JSON (validating it is the config module's job). */
  readConfig(): Record<string, unknown> {
    const path = this.path('config');
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(path, 'utf8'));
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOTDIR') throw new RunFolderError(`${this.dir}: not a run folder (it is a file)`);
      throw new RunFolderError(`${path}: ${code === 'ENOENT' ? 'not a gankit run folder (no config.json)' : code ? `cannot read (${reason(e)})` : `malformed JSON (${(e as Error).message})`}`);
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new RunFolderError(`${path}: malformed config (the top level must be an object)`);
    return parsed as Record<string, unknown>;
  }

  writeConfig(config: object): void {
    writeFileAtomic(this.path('config'), json(config));
  }

  /** When config.json was last written (the runs database's 'updated'). */
  configTime(): Date {
    return new Date(statSync(this.path('config')).mtimeMs);
  }

  readMetrics(): MetricsRow[] {
    const path = this.path('metrics');
    if (!existsSync(path)) return [];
    return parseMetrics(readFileSync(path, 'utf8'), path);
  }

  appendMetrics(row: MetricsRow): void {
    appendLine(this.path('metrics'), formatMetricsRow(row));
  }

  /** Whether metrics.jsonl ends in a torn row (a kill mid-append), which readMetrics drops. */
  hasMetricsTail(): boolean {
    const path = this.path('metrics');
    if (!existsSync(path)) return false;
    const text = readFileSync(path, 'utf8');
    return text.length > 0 && !text.endsWith('\n');
  }

  /** Replaces metrics.jsonl with these rows (atomically). */
  writeMetrics(rows: readonly MetricsRow[]): void {
    writeFileAtomic(this.path('metrics'), rows.map(formatMetricsRow).join(''));
  }

  hasCheckpoint(which: 'checkpoint' | 'best' = 'checkpoint'): boolean {
    return existsSync(this.path(which));
  }

  saveCheckpoint<H>(header: H, arrays: CheckpointArrays, which: 'checkpoint' | 'best' = 'checkpoint'): void {
    saveCheckpoint(this.path(which), header, arrays);
  }

  loadCheckpoint<H>(which: 'checkpoint' | 'best' = 'checkpoint'): CheckpointFile<H> {
    return loadCheckpoint<H>(this.path(which));
  }

  readSummary(): RunSummary | null {
    return readJsonOrNull<RunSummary>(this.path('summary'));
  }

  /**
   * The summary of a run that has ended: finished or diverged. Null while it has not, and for a run
   * stopped by a full disk or interrupted by a signal (those resume).
   */
  endedSummary(): RunSummary | null {
    const summary = this.readSummary();
    return summary && (summary.status === 'finished' || summary.status === 'diverged') ? summary : null;
  }

  writeSummary(summary: RunSummary): void {
    writeFileAtomic(this.path('summary'), json(summary));
  }

  /** Writes a picture (or any file) at a path relative to the run folder. */
  writeFile(relativePath: string, data: Buffer | string): void {
    writeFileAtomic(join(this.dir, relativePath), data);
  }

  writeEval(result: object): void {
    writeFileAtomic(this.path('eval'), json(result));
  }

  readTag(): RunTag {
    return readJsonOrNull<RunTag>(this.path('studyTag')) ?? {};
  }

  writeTag(tag: RunTag): void {
    writeFileAtomic(this.path('studyTag'), JSON.stringify(tag) + '\n');
  }
}
