/**
 * The gankit engine: TensorFlow.js with second-order-correct gradients, backend selection, a
 * seeded RNG and optimisers with checkpointable state. Importing this module registers the
 * gradient fixes.
 */
import { tf } from './tfjs.js';
import { registerAll } from './backend.js';

registerAll();

export { tf };
export { registerSecondOrderGradients } from './gradients.js';
export { initEngine, backendFromEnv, resolveBackendName, resolveThreads, resolveNativeMode, resolveFused, defaultThreads, threadPolicy, wasmThreads, engineState, computeSettings, setNative, findNativeBlas, kernelSet, kernelSetOf, KERNEL_VERSIONS, MAX_BLAS_THREADS, BACKENDS, BackendError } from './backend.js';
export type { BackendName, EngineOptions, EngineState, ComputeSettings, KernelSet, NativeMode, Workload } from './backend.js';
export { installHint } from './native/blas.js';
export { activeBlas, nativeOn, kernelRoutes, fusedOn } from './native/state.js';
export { batchNorm, batchNormOps } from './kernels/batchNorm.js';
export type { NormActivation } from './kernels/batchNorm.js';
export { movingAverage } from './kernels/movingAverage.js';
export { Rng } from './rng.js';
export { deviceBackend, deviceStats, fetchToHost, onDevice, setDevice } from './device.js';
export { webGpuAdapter, startWebGpu, SWIFTSHADER_ICD } from './webgpu.js';
export type { RngState } from './rng.js';
export { registerWasmConv2DBackpropFilter } from './kernels/conv2dBackpropFilter.js';
export { deconv2d, conv2dGradient, fusedConv2d, fusedConv2dGradient, registerConvGradients } from './conv.js';
export type { ConvActivation } from './conv.js';
export { dense, denseGradient } from './dense.js';
export type { DenseActivation } from './dense.js';
export { logSoftmax, softmaxCrossEntropy, perSampleNorm, oneHotRows } from './ops.js';
export { Optimizer, OPTIMIZER_NAMES, FUSED_ADAM_MAX_SIZE } from './optimizers.js';
export type { OptimizerName, OptimizerSettings, OptimizerState } from './optimizers.js';
