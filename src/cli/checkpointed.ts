/** Opening a trained run (or a shipped pretrained model) for `gankit sample`, `eval` and `export`. */
import { resolve } from 'node:path';
import { initEngine } from '../engine/index.js';
import { workloadOf } from '../kinds/index.js';
import { openPretrained, pretrainedConfig } from '../pretrained/index.js';
import { disposing, openRun, OpenedRun, readRunConfig, RunFolderError } from '../runner/run.js';
import type { RunConfig } from '../train/config.js';
import { UsageError } from './args.js';

/**
 * Opens a run's latest checkpoint (engine on the run's backend), hands it to `use`, and disposes
 * it whatever happens; a run without a checkpoint is one clear error.
 */
export async function withCheckpointedRun(dir: string, config: RunConfig, options: { evaluate?: boolean; best?: boolean }, use: (opened: OpenedRun) => number | Promise<number>): Promise<number> {
  await initEngine({ backend: config.backend, workload: workloadOf(config), compute: config.compute, reading: true });
  const opened = await openRun(dir, config, options);
  return disposing(
    async () => {
      if (!opened.header) throw new RunFolderError(`${dir}: the run has no checkpoint yet`);
      return use(opened);
    },
    () => opened.task.dispose(),
  );
}

/** What `--run DIR` or `--pretrained NAME` opened; `dir` is where default outputs go. */
export interface OpenedModel extends Pick<OpenedRun, 'task' | 'trainer' | 'config'> {
  dir: string;
  source: string;
}

/** `--run DIR [--best]` or `--pretrained NAME` (exactly one), opened for `use`. */
export async function withRunOrPretrained(values: { run?: unknown; pretrained?: unknown; best?: unknown; 'no-ema'?: unknown }, command: string, use: (opened: OpenedModel) => number | Promise<number>): Promise<number> {
  const run = typeof values.run === 'string' ? values.run : undefined;
  const name = typeof values.pretrained === 'string' ? values.pretrained : undefined;
  if (run && name) throw new UsageError(`${command}: give --run DIR or --pretrained NAME, not both`);
  if (name) {
    if (values.best || values['no-ema']) throw new UsageError(`${command}: ${values.best ? '--best' : '--no-ema'} is for runs (a pretrained model has one set of weights)`);
    const config = pretrainedConfig(name);
    await initEngine({ backend: config.backend, workload: workloadOf(config) });
    const opened = await openPretrained(name);
    return disposing(async () => use({ ...opened, dir: process.cwd(), source: `pretrained:${name}` }), () => opened.task.dispose());
  }
  if (!run) throw new UsageError(`${command} needs --run DIR or --pretrained NAME`);
  const dir = resolve(run);
  return withCheckpointedRun(dir, readRunConfig(dir), { evaluate: false, best: Boolean(values.best) }, (o) => use({ ...o, dir, source: run }));
}
