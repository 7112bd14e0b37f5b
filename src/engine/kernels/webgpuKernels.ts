/** gankit's fixes and kernels for tfjs-backend-webgpu 4.22 (none yet). */
export function registerWebGpuKernels(): void {}
