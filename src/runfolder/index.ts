/** The run-folder format: file names, the metrics rows, the checkpoint codec, atomic writes (the runs database: ./database.js). */
export * from './folder.js';
export * from './metrics.js';
export * from './columns.js';
export * from './checkpoint.js';
export * from './row.js';
export * from './record.js';
export { writeFileAtomic } from '../io/atomic.js';
export * from './trainerState.js';
export * from './fingerprint.js';
