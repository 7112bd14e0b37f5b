/**
 * TensorFlow.js and its wasm backend, as the engine loads them: the one place that imports them.
 *
 * Why not `import * as tf from '@tensorflow/tfjs'`: in Node that is an ES import of a CommonJS
 * bundle, and Node then runs its CommonJS lexer over the union package and every bundle it
 * re-exports (~7 MB: core, layers, converter, data, cpu, webgl) to find the named exports — about
 * 0.8 s of CPU before the first line of gankit runs, in every `gankit` process, every test file and
 * every sweep worker (measured under load: 1.25 s by ES import, 0.45 s by require, same module). So Node loads
 * the packages with `require` (the same module instances: tfjs-core is one singleton either way),
 * and a page's bundler gets an ordinary dynamic import, which it inlines.
 *
 * `tf` is the package's namespace as a value; the types the code names through it (tf.Tensor,
 * tf.io.IOHandler, …) are declared on a namespace of the same name, which holds types only.
 */
import type * as TF from '@tensorflow/tfjs';
import type * as WASM from '@tensorflow/tfjs-backend-wasm';
import { isNode, nodeImport } from './node.js';

async function load(): Promise<{ tf: typeof TF; wasm: typeof WASM }> {
  if (isNode) {
    const { createRequire } = await nodeImport<typeof import('node:module')>('node:module');
    const require = createRequire(import.meta.url);
    return { tf: require('@tensorflow/tfjs') as typeof TF, wasm: require('@tensorflow/tfjs-backend-wasm') as typeof WASM };
  }
  return { tf: await import('@tensorflow/tfjs'), wasm: await import('@tensorflow/tfjs-backend-wasm') };
}

const loaded = await load();

/** The @tensorflow/tfjs namespace. */
export const tf: typeof TF = loaded.tf;
/** @tensorflow/tfjs-backend-wasm (it registers the 'wasm' backend when loaded). */
export const tfWasm: typeof WASM = loaded.wasm;

// The types named through `tf.` (a namespace of types only: it merges with the value above).
export declare namespace tf {
  type Rank = TF.Rank;
  type DataType = TF.DataType;
  type Tensor<R extends TF.Rank = TF.Rank> = TF.Tensor<R>;
  type Scalar = TF.Scalar;
  type Tensor1D = TF.Tensor1D;
  type Tensor2D = TF.Tensor2D;
  type Tensor3D = TF.Tensor3D;
  type Tensor4D = TF.Tensor4D;
  type Variable<R extends TF.Rank = TF.Rank> = TF.Variable<R>;
  type TensorInfo = TF.TensorInfo;
  type NamedTensorMap = TF.NamedTensorMap;
  type NamedTensorInfoMap = TF.NamedTensorInfoMap;
  type NamedAttrMap = TF.NamedAttrMap;
  type KernelConfig = TF.KernelConfig;
  type KernelFunc = TF.KernelFunc;
  type GradConfig = TF.GradConfig;
  type LayersModel = TF.LayersModel;
  type Sequential = TF.Sequential;
  namespace layers {
    type Layer = TF.layers.Layer;
  }
  namespace backend_util {
    type Conv2DInfo = TF.backend_util.Conv2DInfo;
    type ExplicitPadding = TF.backend_util.ExplicitPadding;
  }
  namespace io {
    type IOHandler = TF.io.IOHandler;
    type ModelArtifacts = TF.io.ModelArtifacts;
    type WeightsManifestEntry = TF.io.WeightsManifestEntry;
  }
}
