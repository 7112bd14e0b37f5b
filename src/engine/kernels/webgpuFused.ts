/**
 * gankit's fused kernels for tfjs-webgpu: fewer dispatches per training step, each one costing
 * tfjs-webgpu ~0.1–0.5 ms of host work (a shader key, a uniform buffer, a bind group, docs/gpu.md).
 *
 * - GankitAdam (the fused Adam update of kernels/adam.ts, registered for webgpu): three programs —
 *   m' = β1·m + (1−β1)·g;  v' = β2·v + (1−β2)·g²;  θ' = θ − s·m' / (√v' / c + ε) — instead of the
 *   op-by-op rule's thirteen kernels, the same operations in the same order in float32.
 * - GankitSumAll (Σ, or Σ of squares, over many tensors: the gradient norms and the weight norm,
 *   kernels/sums.ts): one workgroup of 256 threads per dispatch sums up to the shader's binding
 *   limit of tensors (each thread a strided part, then a tree in workgroup memory), instead of a
 *   Square and a Sum per tensor and AddNs. Float32 partial sums in a different order than tf.sum's:
 *   these are diagnostics (logged norms, the divergence check), and the parity suite holds them
 *   to 1e-4.
 */
import type { KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs';
import type { AdamCoefficients } from './adam.js';
import type { WebGpuUtil, ProgramBackend as RunsPrograms } from './webgpuUnary.js';

interface ProgramBackend extends RunsPrograms {
  disposeData(dataId: object): boolean;
  device: { limits: { maxStorageBuffersPerShaderStage: number } };
}

/** out[i] = expression of the inputs' i-th values (same shape), with f32 uniforms. */
class ElementwiseProgram {
  readonly size = true;
  readonly workgroupSize: [number, number, number] = [128, 1, 1];
  readonly dispatchLayout: { x: number[] };
  readonly dispatch: [number, number, number];
  readonly uniforms: string;

  constructor(
    readonly outputShape: number[],
    readonly variableNames: string[],
    uniformNames: string[],
    private readonly expression: string,
    readonly shaderKey: string,
    util: WebGpuUtil,
  ) {
    this.dispatchLayout = util.flatDispatchLayout(outputShape);
    this.dispatch = util.computeDispatch(this.dispatchLayout, outputShape, this.workgroupSize);
    this.uniforms = uniformNames.map((u) => `${u} : f32,`).join(' ');
  }

  getUserCode(): string {
    const loads = this.variableNames.map((v) => `let ${v} = get${v.charAt(0).toUpperCase()}${v.slice(1)}ByOutputIndex(index);`).join('\n          ');
    return `
      fn main(index : i32) {
        if (index < uniforms.size) {
          ${loads}
          setOutputAtIndex(index, ${this.expression});
        }
      }`;
  }
}

const f32 = (...data: number[]) => data.map((d) => ({ type: 'float32', data: [Math.fround(d)] }));

/** GankitAdam on webgpu: [θ', m', v'] by three programs. */
export function webGpuAdamKernel(util: WebGpuUtil): KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const { theta, m, v, g } = inputs as { theta: TensorInfo; m: TensorInfo; v: TensorInfo; g: TensorInfo };
    const c = attrs as unknown as AdamCoefficients;
    const gpu = backend as unknown as ProgramBackend;
    const shape = [...theta.shape];
    const mNew = gpu.runWebGPUProgram(new ElementwiseProgram(shape, ['m', 'g'], ['b1', 'a1'], 'uniforms.b1 * m + uniforms.a1 * g', 'gankit_adam_m', util), [m, g], 'float32', f32(c.beta1, 1 - c.beta1));
    const vNew = gpu.runWebGPUProgram(new ElementwiseProgram(shape, ['v', 'g'], ['b2', 'a2'], 'uniforms.b2 * v + uniforms.a2 * (g * g)', 'gankit_adam_v', util), [v, g], 'float32', f32(c.beta2, 1 - c.beta2));
    const thetaNew = gpu.runWebGPUProgram(
      new ElementwiseProgram(shape, ['theta', 'mNew', 'vNew'], ['s', 'bc', 'eps'], 'theta - uniforms.s * (mNew / (sqrt(vNew) / uniforms.bc + uniforms.eps))', 'gankit_adam_theta', util),
      [theta, mNew, vNew],
      'float32',
      f32(c.stepSize, c.biasCorrection2, c.epsilon),
    );
    return [thetaNew, mNew, vNew];
  };
}

const THREADS = 256;

/** Σ (of squares) over k float32 tensors, one workgroup: a scalar, shape [1]. */
class SumAllProgram {
  readonly variableNames: string[];
  readonly outputShape = [1];
  readonly workgroupSize: [number, number, number] = [THREADS, 1, 1];
  readonly dispatchLayout = { x: [0] };
  readonly dispatch: [number, number, number] = [1, 1, 1];
  readonly uniforms: string;
  readonly shaderKey: string;

  /** `plainFirst`: the first input is a partial sum, added as it is. */
  constructor(
    count: number,
    private readonly square: boolean,
    private readonly plainFirst: boolean,
  ) {
    this.variableNames = Array.from({ length: count }, (_, i) => `X${i}`);
    this.uniforms = this.variableNames.map((_, i) => `n${i} : i32,`).join(' ');
    this.shaderKey = `gankit_sumall_${count}_${square}_${plainFirst}`;
  }

  getUserCode(): string {
    const term = (x: string, i: number) => (this.square && !(i === 0 && this.plainFirst) ? `${x} * ${x}` : x);
    const loops = this.variableNames
      .map((name, i) => `for (var i = t; i < uniforms.n${i}; i = i + ${THREADS}) { let a = ${name}[i]; s = s + ${term('a', i)}; }`)
      .join('\n        ');
    return `
      var<workgroup> partial : array<f32, ${THREADS}>;
      fn main(index : i32) {
        let t = i32(localId.x);
        var s = 0.0;
        ${loops}
        partial[t] = s;
        workgroupBarrier();
        for (var k = ${THREADS / 2}; k > 0; k = k / 2) {
          if (t < k) { partial[t] = partial[t] + partial[t + k]; }
          workgroupBarrier();
        }
        if (t == 0) { setOutputAtIndex(0, partial[0]); }
      }`;
  }
}

/**
 * GankitSumAll on webgpu: as many tensors per dispatch as the shader may bind; a later dispatch
 * takes the previous partial sum (a [1] tensor) as its first, plain, term. A scalar.
 */
export function webGpuSumAllKernel(): KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const gpu = backend as unknown as ProgramBackend;
    const square = Boolean((attrs as NamedAttrMap & { square?: boolean }).square);
    const most = Math.max(2, gpu.device.limits.maxStorageBuffersPerShaderStage - 1);
    const tensors = Object.values(inputs as Record<string, TensorInfo>);
    const sizes = (ts: TensorInfo[]) => ts.map((t) => ({ type: 'int32', data: [t.shape.reduce((a, b) => a * b, 1)] }));
    let partial: TensorInfo | null = null;
    for (let start = 0; start < tensors.length || partial === null; ) {
      const take = [...(partial ? [partial] : []), ...tensors.slice(start, start + (partial ? most - 1 : most))];
      start += take.length - (partial ? 1 : 0);
      const next = gpu.runWebGPUProgram(new SumAllProgram(take.length, square, partial !== null), take, 'float32', sizes(take));
      if (partial) gpu.disposeData(partial.dataId);
      partial = next;
    }
    return { ...partial, shape: [] };
  };
}
