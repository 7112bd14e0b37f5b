/**
 * A training step as a program that yields each tensor it must read and gets its values back: the
 * same ops in the same order whoever runs it. `runSync` reads synchronously on the active backend
 * (the CPU engine: the reference, bit for bit); `runOnDevice` runs each stretch between two reads
 * on the device and reads asynchronously, with the host active meanwhile (src/engine/device.ts) —
 * WebGPU in Node has no synchronous read.
 */
import { tf, onDevice, deviceBackend } from '../engine/index.js';

export type StepProgram<T> = Generator<tf.Tensor, T, Float32Array>;

export function runSync<T>(program: StepProgram<T>): T {
  let r = program.next();
  while (!r.done) {
    const t = r.value;
    let values: Float32Array;
    try {
      values = t.dataSync() as Float32Array;
    } finally {
      t.dispose();
    }
    r = program.next(values);
  }
  return r.value;
}

export async function runOnDevice<T>(program: StepProgram<T>): Promise<T> {
  let r = onDevice(() => program.next());
  while (!r.done) {
    const t = r.value;
    let values: Float32Array;
    try {
      values = (await t.data()) as Float32Array;
    } finally {
      t.dispose();
    }
    r = onDevice(() => program.next(values));
  }
  return r.value;
}

/** On the device when there is one (`--backend webgpu`), else synchronously. */
export function runOnDeviceIfAny<T>(program: () => StepProgram<T>): Promise<T> {
  return deviceBackend() ? runOnDevice(program()) : Promise.resolve(runSync(program()));
}

/** Named scalars stacked into one tensor (one download), and the names to read its values by. */
export function stackScalars<K extends string>(scalars: Record<K, tf.Tensor>): { names: K[]; stacked: tf.Tensor } {
  const names = Object.keys(scalars) as K[];
  return { names, stacked: tf.stack(names.map((k) => scalars[k])) };
}

/** Yields the stacked scalars for reading; returns them as a record of numbers. */
export function* readScalars<K extends string>({ names, stacked }: { names: K[]; stacked: tf.Tensor }): StepProgram<Record<K, number>> {
  const values = yield stacked;
  return Object.fromEntries(names.map((k, i) => [k, values[i]])) as Record<K, number>;
}
