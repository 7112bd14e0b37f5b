/** Opening a trained run for `gankit sample` and `gankit eval`. */
import { initEngine } from '../engine/index.js';
import { workloadOf } from '../kinds/index.js';
import { disposing, openRun, OpenedRun, RunFolderError } from '../runner/run.js';
import type { RunConfig } from '../train/config.js';

/**
 * Opens a run's latest checkpoint (engine on the run's backend), hands it to `use`, and disposes
 * it whatever happens; a run without a checkpoint is one clear error.
 */
export async function withCheckpointedRun(dir: string, config: RunConfig, options: { evaluate?: boolean; best?: boolean }, use: (opened: OpenedRun) => number | Promise<number>): Promise<number> {
  await initEngine({ backend: config.backend, workload: workloadOf(config), compute: config.compute });
  const opened = await openRun(dir, config, options);
  return disposing(
    async () => {
      if (!opened.header) throw new RunFolderError(`${dir}: the run has no checkpoint yet`);
      return use(opened);
    },
    () => opened.task.dispose(),
  );
}
