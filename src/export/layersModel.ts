/**
 * A trained generator as a TensorFlow.js LayersModel: model.json + weights.bin (the format
 * `tf.loadLayersModel` reads in a browser from a URL, in Node from a file handler such as
 * `folderHandler` below or tfjs-node's `file://`), plus gankit.json, which says what the input and
 * output mean. The layers are standard Keras/tfjs layers (dense, batchNormalization in inference
 * mode, layerNormalization, conv2dTranspose, activations), built from the generator's
 * `exportLayers` with the weights asked for (EMA by default) and batch norm's standing statistics,
 * so no gankit code is needed to run it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tf } from '../engine/index.js';
import { InputError } from '../errors.js';
import { replaceFolder, writeFileAtomic } from '../io/atomic.js';

export { EXPORT_FILES, buildLayersModel, disposeLayers } from './model.js';
export type { ExportMeta } from './model.js';
import { EXPORT_FILES } from './model.js';
import type { ExportMeta } from './model.js';

const concatBuffers = (data: ArrayBuffer | ArrayBuffer[]): Buffer => (Array.isArray(data) ? Buffer.concat(data.map((b) => Buffer.from(b))) : Buffer.from(data));

/**
 * Writes model.json, weights.bin and gankit.json as one folder `dir`: filled under a temporary
 * name, checked by `verify` (given that folder), then renamed into place — so a kill or a failed
 * check leaves the earlier export whole, never new weights beside an old model.json. `dir` must be
 * new, empty or an earlier export. Returns the three paths.
 */
export async function saveLayersModel(model: tf.LayersModel, dir: string, meta: ExportMeta, verify?: (written: string) => Promise<void>): Promise<string[]> {
  const names = [EXPORT_FILES.model, EXPORT_FILES.weights, EXPORT_FILES.meta];
  await replaceFolder(
    dir,
    async (staging) => {
      await model.save(
        tf.io.withSaveHandler(async (artifacts) => {
          const weights = concatBuffers(artifacts.weightData!);
          const modelJson = {
            format: 'layers-model',
            generatedBy: `TensorFlow.js tfjs-layers v${tf.version['tfjs-layers']} (gankit export)`,
            convertedBy: null,
            modelTopology: artifacts.modelTopology,
            weightsManifest: [{ paths: [EXPORT_FILES.weights], weights: artifacts.weightSpecs }],
          };
          writeFileAtomic(join(staging, EXPORT_FILES.weights), weights);
          writeFileAtomic(join(staging, EXPORT_FILES.model), JSON.stringify(modelJson));
          writeFileAtomic(join(staging, EXPORT_FILES.meta), JSON.stringify(meta, null, 2) + '\n');
          return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON', weightDataBytes: weights.length } };
        }),
      );
      await verify?.(staging);
    },
    (entries) => entries.every((e) => (names as string[]).includes(e)),
    () => new InputError(`--out: ${dir}: holds other files than an export (${names.join(', ')}); choose a new or empty folder, or an earlier export to replace`),
  );
  return names.map((n) => join(dir, n));
}

/** An IOHandler for `tf.loadLayersModel` that reads an exported folder from disk (Node, no tfjs-node needed). */
export function folderHandler(dir: string): tf.io.IOHandler {
  return {
    load: async () => {
      const path = join(dir, EXPORT_FILES.model);
      let json: { modelTopology: object; weightsManifest: Array<{ paths: string[]; weights: tf.io.WeightsManifestEntry[] }> };
      try {
        json = JSON.parse(readFileSync(path, 'utf8'));
      } catch (e) {
        throw new InputError(`${path}: ${(e as Error).message}`);
      }
      const buffers = json.weightsManifest.flatMap((g) => g.paths.map((p) => readFileSync(join(dir, p))));
      const all = Buffer.concat(buffers);
      return {
        modelTopology: json.modelTopology,
        weightSpecs: json.weightsManifest.flatMap((g) => g.weights),
        weightData: all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength),
      };
    },
  };
}

/** Reads gankit.json of an exported folder. */
export function readExportMeta(dir: string): ExportMeta {
  const path = join(dir, EXPORT_FILES.meta);
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as ExportMeta;
  } catch (e) {
    throw new InputError(`${path}: ${(e as Error).message}`);
  }
}
