/**
 * gankit: GAN losses exactly as in the papers, on a TensorFlow.js engine with correct second-order
 * gradients — and the trainer, configs, data, run folders and metrics around them.
 *
 * The layers, lowest first: engine · losses, models, data, metrics, report, runfolder · train
 * (config, trainer) · kinds (2-D points, images) · runner (run folders, trials) · study · cli.
 */
export * from './engine/index.js';
export * from './losses/index.js';
export { InputError, ConfigError } from './errors.js';
export { positiveNumber, positiveInteger, nonNegativeInteger, integerIn, numberIn, oneOf, trueOrFalse, listOf, describeType, checkValue } from './schema.js';
export type { FieldType } from './schema.js';

// Configs and the trainer.
export { resolveConfig, validateConfig, mergeConfig, CONFIG_FIELDS, TOY_PROFILE, kindOfConfig } from './train/config.js';
export type { RunConfig, DataConfig, InfoganConfig, ConfigField } from './train/config.js';
export { Trainer, weightInitRng } from './train/trainer.js';
export type { StepStats } from './train/trainer.js';
export { DivergenceError } from './train/divergence.js';
export type { BatchSource } from './data/source.js';
export type { TrainerState, TrainerHeader } from './runfolder/trainerState.js';

// Data sources.
export { ring8, grid25, spiral, moons, pointDataset, csvPoints, parseCsvPoints, POINT_DATASETS } from './data/points.js';
export type { PointDataset, GaussianModes } from './data/points.js';
export { loadImageData } from './data/imageData.js';
export { loadMnistDigits, loadFashionMnist } from './data/images.js';
export type { ImageDataset } from './data/images.js';
export { dataKindOf, DATA_KINDS, IMAGE_DATASETS } from './data/kinds.js';
export type { DataKind } from './data/kinds.js';

// Models.
export { Mlp } from './models/mlp.js';
export type { MlpSpec } from './models/mlp.js';
export { MlpGenerator, MlpCritic, MlpAutoencoder, mlpDiscriminator } from './models/mlpNets.js';
export { ConvGenerator, ConvDiscriminator, ConvAutoencoder, IMAGE_ARCHITECTURES } from './models/conv.js';
export { LatentLayout } from './models/latent.js';
export type { GeneratorNet, DiscriminatorNet, ExportLayer } from './models/types.js';

// Export and pretrained generators
export { buildLayersModel, saveLayersModel, folderHandler, readExportMeta, EXPORT_FILES } from './export/layersModel.js';
export type { ExportMeta } from './export/layersModel.js';
export { exportGenerator } from './export/generator.js';
export { listPretrained, openPretrained, packPretrained, pretrainedDir } from './pretrained/index.js';
export type { PretrainedInfo } from './pretrained/index.js';

// The data kinds: a trainer's parts and a run's task for each.
export { createTask, pointsTrainer, pointsBatchSource, pointsNetworks, imageBatchSource, imageNetworks, discriminatorField, generatorPush, PointsTask, ImageTask } from './kinds/index.js';
export type { RunTask, Evaluation } from './kinds/index.js';

// Run folders.
export { startRun, resumeRun, openRun, readRunConfig, metricsSvg } from './runner/run.js';
export type { RunResult, RunHooks, Progress } from './runner/run.js';
export { runTrial } from './runner/trial.js';
export type { TrialSpec } from './runner/trial.js';
export { RunFolder, RunFolderError, RUN_FILES, readRunFolder, parseMetrics, column } from './runfolder/index.js';
export type { MetricsRow, MetricColumn, RunSummary, RunRow } from './runfolder/index.js';
// The table of metric columns (labels, units, charts, progress formats, which way is better): the page's charts read it.
export { metricColumns, metricColumn, defineMetricColumns, progressText, shortName, STEP_COLUMNS } from './runfolder/columns.js';
export type { MetricColumnSpec, ColumnOwner, ColumnValues } from './runfolder/columns.js';
export { POINT_COLUMNS, IMAGE_COLUMNS } from './kinds/index.js';
export type { PointColumns, ImageColumns } from './kinds/index.js';

// Metrics.
export { evaluateModes } from './metrics/modes.js';
export type { ModeReport } from './metrics/modes.js';
export { slicedWasserstein } from './metrics/distance.js';
export { fid } from './metrics/fid.js';
export { kid } from './metrics/kid.js';
export { precisionRecall } from './metrics/prdc.js';
