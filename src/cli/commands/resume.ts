/** `gankit resume`: continue a run from its last checkpoint. */
import { resolve } from 'node:path';
import { readRunConfig, resumeRun, startRecordedEngine } from '../../runner/run.js';
import { num, parse, UsageError } from '../args.js';
import type { Command } from '../command.js';
import { finishedLines, progressReporter } from '../progress.js';

export const resume: Command = {
  name: 'resume',
  summary: 'continue a run from its last checkpoint',
  help: () => `Usage: gankit resume --run DIR [--steps N] [--quiet]

Continues the run in DIR from its last checkpoint, to its configured steps (or N).`,

  async run(argv) {
    const values = parse(argv, { run: { type: 'string' }, steps: { type: 'string' }, quiet: { type: 'boolean' } });
    if (typeof values.run !== 'string') throw new UsageError('resume needs --run DIR');
    const steps = num(values, 'steps', true);
    const dir = resolve(values.run);
    const config = readRunConfig(dir, steps !== undefined ? { steps } : {});
    await startRecordedEngine(dir, config);
    const reporter = progressReporter(Boolean(values.quiet), config.steps);
    const result = await resumeRun(dir, { onProgress: reporter.onProgress }, steps, config);
    reporter.done();
    console.log(finishedLines(result));
    return 0;
  },
};
