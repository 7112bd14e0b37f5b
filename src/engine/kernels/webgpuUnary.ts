/**
 * Tanh and Elu for tfjs-webgpu, accurate near 0 where its own lose precision.
 *
 * tfjs-webgpu 4.22 computes, in float32 WGSL:
 *   tanh(a)     = sign(a)·(1 − e^{−2|a|}) / (1 + e^{−2|a|})
 *   elu(a < 0)  = exp(a) − 1
 * Both subtract 1 from a number near 1 and lose the small part: the relative error grows like
 * 1e-7 / |a| — 1e-3 at a = 1e-4. tfjs-cpu computes them in float64. That is not a corner case:
 * BEGAN's image autoencoder starts with decoder activations of ~1e-4, and its decoder's gradients
 * came out 5–9 % off. (tfjs-webgpu's softplus, log(exp(a) + 1), has the same flaw per element for
 * a below about −5, but gankit only takes means of it, where the large terms dominate: the parity
 * suite's softplus case on [−13, −5] agrees to 1.2e-5.)
 *
 * Here, with t = |a|:
 *   tanh:     t < 0.625: t·P(t²), P a degree-5 fit of tanh(t)/t (gankit's SIMD tanh's, within
 *             1.3 ulps); else 1 − 2/(e^{2t} + 1); then a's sign.
 *   elu:      a ≥ 0: a;  −0.5 < a < 0: expm1(a) by its Taylor series to a⁹ (truncation < 3e-10
 *             relative);  else exp(a) − 1 (no cancellation below −0.5).
 * NaN stays NaN. test/webgpu.parity.test.ts checks them against tfjs-cpu on inputs near 0, and
 * that tfjs-webgpu's own are off there.
 */
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs';

/** What gankit uses of tfjs-backend-webgpu's exported webgpu_util. */
export interface WebGpuUtil {
  flatDispatchLayout(shape: number[]): { x: number[] };
  computeDispatch(layout: { x: number[] }, outputShape: number[], workgroupSize?: [number, number, number]): [number, number, number];
}

/** What gankit's kernels use of tfjs-webgpu's backend: running a program (with uniforms of its own). */
export interface ProgramBackend {
  runWebGPUProgram(program: object, inputs: TensorInfo[], outputDtype: string, uniforms?: Array<{ type: string; data: number[] }>): TensorInfo;
}

const BODIES: Record<string, string> = {
  Tanh: `
    let t = min(abs(a), 10.0);
    let s = t * t;
    var p = -5.660024006e-03;
    p = p * s + 2.059102617e-02;
    p = p * s - 5.372108147e-02;
    p = p * s + 1.333112717e-01;
    p = p * s - 3.333325982e-01;
    p = p * s + 1.0;
    var y = 1.0 - 2.0 / (exp(2.0 * t) + 1.0);
    if (t < 0.625) { y = t * p; }
    if (a != a) { return a; }
    return select(y, -y, a < 0.0);`,
  Elu: `
    if (a >= 0.0) { return a; }
    if (a > -0.5) {
      var q = 1.0 / 362880.0;
      q = q * a + 1.0 / 40320.0;
      q = q * a + 1.0 / 5040.0;
      q = q * a + 1.0 / 720.0;
      q = q * a + 1.0 / 120.0;
      q = q * a + 1.0 / 24.0;
      q = q * a + 1.0 / 6.0;
      q = q * a + 0.5;
      q = q * a + 1.0;
      return q * a;
    }
    return exp(a) - 1.0;`,
};

class AccurateUnaryProgram {
  readonly variableNames = ['A'];
  readonly size = true;
  readonly workgroupSize: [number, number, number] = [128, 1, 1];
  readonly dispatchLayout: { x: number[] };
  readonly dispatch: [number, number, number];
  readonly shaderKey: string;

  constructor(
    readonly outputShape: number[],
    private readonly name: string,
    util: WebGpuUtil,
  ) {
    this.dispatchLayout = util.flatDispatchLayout(outputShape);
    this.dispatch = util.computeDispatch(this.dispatchLayout, outputShape, this.workgroupSize);
    this.shaderKey = `gankit_accurate_${name}`;
  }

  getUserCode(): string {
    return `
      fn gankitUnary(a : f32) -> f32 {${BODIES[this.name]}
      }
      fn main(index : i32) {
        if (index < uniforms.size) {
          setOutputAtIndex(index, gankitUnary(getAByOutputIndex(index)));
        }
      }`;
  }
}

/** The accurate kernel for float32 inputs; anything else goes to tfjs-webgpu's own. */
export function accurateUnary(name: string, util: WebGpuUtil): (stock: KernelConfig) => KernelFunc {
  return (stock) => (args) => {
    const x = args.inputs.x as TensorInfo;
    if (x.dtype !== 'float32') return stock.kernelFunc(args);
    return (args.backend as unknown as ProgramBackend).runWebGPUProgram(new AccurateUnaryProgram([...x.shape], name, util), [x], 'float32');
  };
}

export const ACCURATE_UNARY_KERNELS = Object.keys(BODIES);
