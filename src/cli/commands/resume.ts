/** `gankit resume`: continue a run from its last checkpoint. */
import { resolve } from 'node:path';
import { RunFolder } from '../../runfolder/index.js';
import { readRunConfig, resumeRun, startRecordedEngine } from '../../runner/run.js';
import { num, parse, UsageError } from '../args.js';
import type { Command } from '../command.js';
import { finishedLines, progressReporter } from '../progress.js';
import { defaultRunsDb, indexRun, runStageHooks, shellPath, trainsWhat, whereItRuns } from '../runOutput.js';

export const resume: Command = {
  name: 'resume',
  summary: 'continue a run from its last checkpoint',
  help: () => `Usage: gankit resume --run DIR [--steps N] [--quiet]

Continues the run in DIR from its last checkpoint, to its configured steps (or N), on the backend,
native kernels and threads config.json records (so that it ends bit-identical to a run never
stopped). A finished run is left as it is ("nothing to do"). The runs database beside DIR
(runs.sqlite, where gankit train indexed the run) is updated when the run ends.`,

  async run(argv) {
    const values = parse(argv, { run: { type: 'string' }, steps: { type: 'string' }, quiet: { type: 'boolean' } });
    if (typeof values.run !== 'string') throw new UsageError('resume needs --run DIR');
    const steps = num(values, 'steps', true);
    const dir = resolve(values.run);
    const config = readRunConfig(dir, steps !== undefined ? { steps } : {});
    const summary = new RunFolder(dir).readSummary();
    if (summary?.status === 'finished' && summary.steps === config.steps) {
      console.log(`gankit: nothing to do: ${shellPath(dir)} finished its ${config.steps} steps (--steps N continues it further)`);
      return 0;
    }
    await startRecordedEngine(dir, config);
    const quiet = Boolean(values.quiet);
    const reporter = progressReporter(quiet, config.steps);
    const index = (silent = false) => indexRun(dir, defaultRunsDb(dir), { onlyIfThere: true, silent });
    if (!quiet) process.stderr.write(`gankit: resuming ${trainsWhat(config)} on ${config.data.name} to step ${config.steps} (${config.profile} profile, ${whereItRuns(config)}, as config.json records) → ${dir}\n`);
    let result;
    try {
      result = await resumeRun(dir, { onProgress: reporter.onProgress, ...runStageHooks(config, { quiet, resuming: true, done: reporter.done, index }) }, steps, config);
    } catch (e) {
      index(true);
      throw e;
    }
    index();
    reporter.done();
    console.log(finishedLines(result, config));
    return 0;
  },
};
