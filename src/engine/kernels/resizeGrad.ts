/**
 * ResizeNearestNeighborGrad for tfjs-cpu: tfjs-backend-cpu 4.22 reads image b's dy at
 * b × (the *image's* batch stride) instead of b × (dy's batch stride), so for a batch of more than
 * one image every image but the first gets the gradient of the wrong part of dy (image 1 of a
 * 3×3 → 6×6 upsampling reads the tail of image 0's dy). Found by the webgpu parity suite
 * (tfjs-webgpu and tfjs-wasm are right); it made BEGAN's image autoencoder, whose decoder
 * upsamples with nearest neighbours, train with a wrong gradient on `--backend cpu`. This is
 * tfjs-cpu's kernel with that offset fixed: the same loops, the same order of additions.
 */
import { tf } from '../tfjs.js';
import type { KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import type { CpuBackendLike } from './backends.js';

const cpuKernel: KernelFunc = ({ inputs, backend, attrs }) => {
  const { images, dy } = inputs as { images: TensorInfo; dy: TensorInfo };
  const alignCorners = Boolean((attrs as { alignCorners?: boolean }).alignCorners);
  const cpu = backend as unknown as CpuBackendLike;
  const imagesStrides = tf.util.computeStrides(images.shape);
  const dyStrides = tf.util.computeStrides(dy.shape);
  const [batch, xHeight, xWidth, depth] = images.shape;
  const [, yHeight, yWidth] = dy.shape;
  const output = new Float32Array(batch * xHeight * xWidth * depth);
  const dyValues = cpu.data.get(dy.dataId).values;
  const effectiveXSize = [alignCorners && yHeight > 1 ? xHeight - 1 : xHeight, alignCorners && yWidth > 1 ? xWidth - 1 : xWidth];
  const effectiveYSize = [alignCorners && yHeight > 1 ? yHeight - 1 : yHeight, alignCorners && yWidth > 1 ? yWidth - 1 : yWidth];
  const heightScale = effectiveXSize[0] / effectiveYSize[0];
  const widthScale = effectiveXSize[1] / effectiveYSize[1];
  const invHeightScale = 1 / heightScale;
  const invWidthScale = 1 / widthScale;
  const winHeight = Math.ceil(invHeightScale) * 2 + 2;
  const winWidth = Math.ceil(invWidthScale) * 2 + 2;
  for (let b = 0; b < batch; b++) {
    const batchOffset = b * imagesStrides[0];
    const dyBatchOffset = b * dyStrides[0];
    for (let r = 0; r < xHeight; r++) {
      const rowOffset = batchOffset + r * imagesStrides[1];
      const startDyR = Math.floor(Math.floor(r * invHeightScale) - winHeight / 2);
      for (let c = 0; c < xWidth; c++) {
        const colOffset = rowOffset + c * imagesStrides[2];
        const startDyC = Math.floor(Math.floor(c * invWidthScale) - winWidth / 2);
        for (let d = 0; d < depth; d++) {
          let accum = 0;
          for (let i = 0; i < winHeight; i++) {
            const dyR = i + startDyR;
            if (dyR < 0 || dyR >= yHeight) continue;
            const dyROffset = dyBatchOffset + dyR * dyStrides[1];
            const fracRow = dyR * heightScale;
            if (r !== Math.min(xHeight - 1, alignCorners ? Math.round(fracRow) : Math.floor(fracRow))) continue;
            for (let j = 0; j < winWidth; j++) {
              const dyC = j + startDyC;
              if (dyC < 0 || dyC >= yWidth) continue;
              const fracCol = dyC * widthScale;
              if (c === Math.min(xWidth - 1, alignCorners ? Math.round(fracCol) : Math.floor(fracCol))) accum += dyValues[dyROffset + dyC * dyStrides[2] + d];
            }
          }
          output[colOffset + d] = accum;
        }
      }
    }
  }
  return cpu.makeTensorInfo([...images.shape], 'float32', output);
};

/** tfjs-cpu's own kernel, kept for the test that shows its bug. */
export let stockCpuResizeNearestNeighborGrad: KernelFunc | null = null;

export function registerCpuResizeNearestNeighborGrad(): void {
  const stock = tf.getKernel('ResizeNearestNeighborGrad', 'cpu');
  if (stock && (stock as { gankit?: boolean }).gankit) return;
  if (stock) {
    stockCpuResizeNearestNeighborGrad = stock.kernelFunc;
    tf.unregisterKernel('ResizeNearestNeighborGrad', 'cpu');
  }
  tf.registerKernel({ kernelName: 'ResizeNearestNeighborGrad', backendName: 'cpu', kernelFunc: cpuKernel, gankit: true } as tf.KernelConfig);
}
