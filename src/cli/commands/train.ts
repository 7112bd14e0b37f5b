/** `gankit train`: every config flag is an override of a config field; `--config run.json` supplies any subset of fields. */
import { join, resolve } from 'node:path';
import { backendFromEnv, initEngine } from '../../engine/index.js';
import { workloadOf } from '../../kinds/index.js';
import { startRun } from '../../runner/run.js';
import { mergeConfig, resolveConfig } from '../../train/config.js';
import { flagLines, parse, readJsonFile, UsageError } from '../args.js';
import type { Command } from '../command.js';
import { configFlagHelp, configFlagOptions, configOverridesFromFlags } from '../configFlags.js';
import { finishedLines, progressReporter } from '../progress.js';
import { defaultRunsDb, indexRun, runStageHooks, trainsWhat, whereItRuns } from '../runOutput.js';

const OWN_FLAGS: Array<[string, 'string' | 'boolean', string, string]> = [
  ['config', 'string', '--config FILE', 'a JSON config (any subset of fields); flags override it (GANKIT_BACKEND sets backend unless either does)'],
  ['out', 'string', '--out DIR', 'run folder (default runs/<loss>-<data>-<time>)'],
  ['threads', 'string', '--threads N', 'wasm threads (default: the policy in docs/speed.md; or GANKIT_THREADS)'],
  ['native', 'string', '--native MODE', 'native BLAS kernels: auto (default), on, off (or GANKIT_NATIVE)'],
  ['blas-threads', 'string', '--blas-threads N', 'BLAS threads (default: every core for images, 1 for 2-D; or GANKIT_BLAS_THREADS)'],
  ['db', 'string', '--db FILE', "the runs database the run is indexed in when it ends, for 'gankit runs' and 'gankit compare' (default: runs.sqlite beside the run folder, runs/runs.sqlite for the default --out; 'none': not indexed)"],
  ['quiet', 'boolean', '--quiet', 'no progress bar'],
  ['help', 'boolean', '-h, --help', 'this help'],
];

export const train: Command = {
  name: 'train',
  summary: 'train a GAN (default: WGAN-GP on the 8-Gaussian ring; ns for images)',
  help: () => `Usage: gankit train [options]

Trains on 2-D points or images and writes a run folder: config.json, metrics.jsonl,
checkpoint.bin, samples/step-N.png (2-D: real vs generated over D's field; images: a sample
grid, one row per class for conditional runs, step-N-code-*.png traversals for InfoGAN),
metrics.png, summary.json (images: FID/KID/precision/recall and the real-vs-real baseline),
and for images best.bin, the checkpoint with the lowest FID so far (gankit sample/eval --best).

Options (each sets the config field in brackets):
${configFlagHelp().join('\n')}

Other options:
${flagLines(OWN_FLAGS.map(([, , flag, doc]) => [flag, doc])).join('\n')}`,

  async run(argv) {
    const values = parse(argv, { ...configFlagOptions(), ...Object.fromEntries(OWN_FLAGS.filter(([name]) => name !== 'help').map(([name, type]) => [name, { type }])) });
    const file = typeof values.config === 'string' ? readJsonFile(values.config, '--config') : {};
    const overrides = mergeConfig(file, configOverridesFromFlags(values));
    // GANKIT_BACKEND picks the backend when neither the flag nor the config file does (checked as the variable).
    if (overrides.backend === undefined) {
      const fromEnv = backendFromEnv();
      if (fromEnv) overrides.backend = fromEnv;
    }
    const config = resolveConfig(overrides);
    if (values.out === '') throw new UsageError('--out: needs a folder name');
    const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '').replace('T', '-');
    const dir = resolve(typeof values.out === 'string' ? values.out : join('runs', `${config.loss}-${config.data.name.replace(/[^a-zA-Z0-9_.-]/g, '_')}-${stamp}`));
    const flag = (name: string) => (typeof values[name] === 'string' ? (values[name] as string) : undefined);
    const asked = flag('threads') !== undefined || flag('native') !== undefined || flag('blas-threads') !== undefined;
    // A config's recorded compute settings apply unless a flag asks for something else.
    await initEngine({ backend: config.backend, threads: flag('threads'), native: flag('native'), blasThreads: flag('blas-threads'), workload: workloadOf(config), compute: asked ? null : config.compute });
    if (values.db === '') throw new UsageError("--db: needs a file name (or 'none')");
    const db = values.db === 'none' ? null : typeof values.db === 'string' ? resolve(values.db) : defaultRunsDb(dir);
    const index = (silent = false) => db && indexRun(dir, db, { silent });
    const quiet = Boolean(values.quiet);
    const reporter = progressReporter(quiet, config.steps);
    if (!quiet) process.stderr.write(`gankit: training ${trainsWhat(config)} on ${config.data.name} for ${config.steps} steps (${config.profile} profile, ${whereItRuns(config)}) → ${dir}\n`);
    let result;
    try {
      result = await startRun(config, dir, { onProgress: reporter.onProgress, ...runStageHooks(config, { quiet, resuming: false, done: reporter.done, index }) });
    } catch (e) {
      index(true); // diverged or stopped: its status goes in the database, if it can
      throw e;
    }
    index();
    reporter.done();
    console.log(finishedLines(result, config));
    return 0;
  },
};
