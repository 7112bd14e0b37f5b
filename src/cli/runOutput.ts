/**
 * What `gankit train` and `gankit resume` say around a run, each sentence true of this run: the
 * banner (the variant trained, not only its base loss), what is loading before step 1, where a
 * Ctrl-C left the run and the command that continues it, what the weights checksum can be
 * compared with, and the runs database the run is indexed in.
 */
import { existsSync } from 'node:fs';
import { dirname, isAbsolute, join, relative } from 'node:path';
import { computeSettings, deviceBackend, engineState } from '../engine/index.js';
import { isBuiltinImageData } from '../data/kinds.js';
import { workloadOf } from '../kinds/index.js';
import { RunsDb } from '../runfolder/database.js';
import { RunFolder } from '../runfolder/index.js';
import type { Interruption, RunHooks } from '../runner/run.js';
import type { RunConfig } from '../train/config.js';

/** What trains: the variant with its base loss ('cgan (ns loss)'), or the loss. */
export const trainsWhat = (config: RunConfig): string => (config.variant ? `${config.variant} (${config.loss} loss)` : config.loss);

/** Where the steps run, for the banner. */
export function whereItRuns(config: RunConfig): string {
  const device = engineState().device;
  return device ? `steps on ${device.backend} (${device.adapter}), the rest on ${engineState().backend}` : `backend ${config.backend}`;
}

/** A path as a command line should show it: relative to the working folder when inside it, quoted when the shell needs it. */
export function shellPath(path: string): string {
  const rel = relative(process.cwd(), path);
  const shown = rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path;
  return /^[\w./:@%+=,-]+$/.test(shown) ? shown : `'${shown.replace(/'/g, `'\\''`)}'`;
}

/**
 * The weights checksum and what it can be compared with. The playground page computes on wasm
 * with one thread and without native BLAS (it has none): only a 2-D run computed so shows the
 * page's checksum; any other 2-D run is told the flags that make it so. Image runs (the page does
 * not train them) get the checksum alone.
 */
export function checksumLine(checksum: string, config: RunConfig): string {
  const device = deviceBackend();
  if (device) return `weights checksum ${checksum} (trained on ${device}: equal to a CPU run's to ~1e-4, not bit for bit)`;
  if (workloadOf(config) !== 'points') return `weights checksum ${checksum}`;
  const compute = config.compute ?? computeSettings();
  const flags = [config.backend !== 'wasm' && '--backend wasm', compute.wasmThreads !== 1 && '--threads 1', compute.native && '--native off'].filter(Boolean);
  if (flags.length === 0) return `weights checksum ${checksum} (a 2-D run on wasm, one thread, no native BLAS: the playground page shows the same after the same steps)`;
  return `weights checksum ${checksum} (the playground page computes on wasm with one thread and no native BLAS, so its checksum is another; train with ${flags.join(' ')} to compare with it)`;
}

/** Image data loads for seconds before step 1 (Fashion-MNIST or MNIST also the feature network and the real-vs-real baseline): say so. */
function loadingLine(config: RunConfig): string | null {
  if (workloadOf(config) !== 'images') return null;
  const scored = isBuiltinImageData(config.data.name);
  return `gankit: loading ${config.data.name}${scored ? `, the feature network and the real-vs-real baseline (${config.evalSamples} samples)` : ''} and building the networks…`;
}

/** What a Ctrl-C (or SIGTERM) leaves, and the command that continues the run. */
export function interruptedLines(i: Interruption): string {
  return [
    `gankit: interrupted (${i.signal}) at step ${i.step} of ${i.steps}; the last checkpoint is step ${i.lastCheckpointStep} (${i.checkpoint}), summary.json says 'interrupted'`,
    `  continue with: gankit resume --run ${shellPath(i.dir)}`,
  ].join('\n');
}

/**
 * The hooks that tell what happens before step 1 and after a Ctrl-C, for a run of `config`.
 * `resuming`: say the step it continues from. `quiet`: only the interruption is told. `done`:
 * ends the progress bar's line first. `index`: records the run in the runs database before the
 * process ends.
 */
export function runStageHooks(config: RunConfig, o: { quiet: boolean; resuming: boolean; done: () => void; index: () => void }): Pick<RunHooks, 'onLoading' | 'onStart' | 'onInterrupt'> {
  const say = (line: string) => process.stderr.write(`${line}\n`);
  const loading = loadingLine(config);
  return {
    onLoading: () => {
      if (!o.quiet && loading) say(loading);
    },
    onStart: ({ step, loadSeconds }) => {
      if (o.quiet) return;
      const device = deviceBackend();
      const parts = [
        loading ? `ready in ${loadSeconds.toFixed(1)} s` : '',
        o.resuming ? `continuing from the checkpoint at step ${step}` : '',
        device && (loading || o.resuming) ? `the first steps on ${device} compile its kernels` : '',
      ].filter(Boolean);
      if (parts.length) say(`gankit: ${parts.join('; ')}`);
    },
    onInterrupt: (i) => {
      o.done();
      o.index();
      say(interruptedLines(i));
    },
  };
}

/** The runs database a run in `dir` is indexed in by default: runs.sqlite beside it (runs/runs.sqlite for the default --out). */
export const defaultRunsDb = (dir: string): string => join(dirname(dir), 'runs.sqlite');

/**
 * Records the run folder in the runs database `file` (made if need be); a database that cannot
 * take it costs one warning line, never the run — none when `silent` (a run that failed already
 * says so in one line, often for the same reason: a full or read-only disk). `onlyIfThere`: leave
 * a database that does not exist.
 */
export function indexRun(dir: string, file: string, { onlyIfThere = false, silent = false }: { onlyIfThere?: boolean; silent?: boolean } = {}): void {
  if ((onlyIfThere && !existsSync(file)) || !new RunFolder(dir).isRun()) return; // a start that failed left no run
  let db: RunsDb | null = null;
  try {
    db = new RunsDb(file);
    db.index(dir);
  } catch (e) {
    if (!silent) process.stderr.write(`gankit: warning: the run is not indexed in ${file} (${(e as Error).message}); 'gankit runs --db FILE --rebuild ${shellPath(dirname(dir))}' indexes it later\n`);
  } finally {
    db?.close();
  }
}
