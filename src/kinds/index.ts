/** The kinds of data by name; a config's data name picks one (src/data/kinds.ts). */
import { dataKindOf, DataKind } from '../data/kinds.js';
import type { Workload } from '../engine/index.js';
import type { RunConfig } from '../train/fields.js';
import type { DataKindModule, RunTask } from './task.js';
import { points } from './points/task.js';
import { images } from './images/task.js';

export const DATA_KIND_MODULES: Record<DataKind, DataKindModule> = { points, images };

export const kindModuleOf = (config: RunConfig): DataKindModule => DATA_KIND_MODULES[dataKindOf(config.data.name)];

/** The task for a config: its data loaded and checked, its networks built. */
export function createTask(config: RunConfig, options: { evaluate?: boolean; withoutData?: boolean } = {}): Promise<RunTask> {
  return kindModuleOf(config).createTask(config, options);
}

/** The engine's default thread count depends on the model size (measured, docs/speed.md). */
export const workloadOf = (config: RunConfig): Workload => kindModuleOf(config).workload;

export type { RunTask, Evaluation, SampleRequest, SampleOutput, DataKindModule } from './task.js';
export { POINT_COLUMNS } from './points/columns.js';
export type { PointColumns } from './points/columns.js';
export { IMAGE_COLUMNS } from './images/columns.js';
export type { ImageColumns } from './images/columns.js';
export { evaluationRng } from './task.js';
export { PointsTask, evaluatePoints, scatterPng } from './points/task.js';
export { pointsTrainer, pointsNetworks, pointsBatchSource, pointsDataOf } from './points/trainer.js';
export { dataExtent, discriminatorField, fieldLattice, generatorPush } from './points/measure.js';
export { ImageTask } from './images/task.js';
export { imageBatchSource, imageNetworks } from './images/networks.js';
