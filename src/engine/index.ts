/**
 * The gankit engine: TensorFlow.js with second-order-correct gradients, backend selection and a
 * seeded RNG. Importing this module registers the gradient fixes.
 */
import * as tf from '@tensorflow/tfjs';
import { registerSecondOrderGradients } from './gradients.js';
import { registerWasmConv2DBackpropFilter } from './kernels/conv2dBackpropFilter.js';

registerSecondOrderGradients();
registerWasmConv2DBackpropFilter();

export { tf };
export { registerSecondOrderGradients } from './gradients.js';
export { initEngine, resolveBackendName, BACKENDS } from './backend.js';
export type { BackendName, EngineOptions } from './backend.js';
export { Rng } from './rng.js';
export type { RngState } from './rng.js';
export { registerWasmConv2DBackpropFilter } from './kernels/conv2dBackpropFilter.js';
export { logSoftmax, softmaxCrossEntropy, perSampleNorm } from './ops.js';
