/**
 * Sum and Mean over leading axes on tfjs-webgpu: one thread per output column.
 *
 * tfjs-webgpu 4.22 reduces along innermost axes only. For a reduction over leading axes — a batch
 * norm's statistics, a bias gradient: x seen as R rows of C columns, reduced over the rows — it
 * transposes x to C×R and runs one workgroup of 64–256 threads per output, each reducing its R
 * values through a tree in workgroup memory with a barrier per level. With many columns and few
 * rows that is thousands of workgroups that do little but wait at barriers: Sum and Mean of
 * [2, 6272] over axis 0 (dcgan28's FC layer at batch 2) took 0.6–0.8 s each on SwiftShader, half
 * of a training step's time (docs/gpu.md, "Leading-axis reductions").
 *
 * Here, when the reduced axes are the leading ones and R ≤ C, each of C threads walks its column
 * down the R rows: no transpose, no workgroup memory, and neighbouring threads read neighbouring
 * addresses. The sum runs in row order in float32 with Neumaier's compensation, which keeps it
 * within a few units in the last place of the exact sum: a plain running float32 sum drifts by
 * ~√R of them, and that was enough to move a WGAN-GP toy run off tfjs-cpu (which sums in float64)
 * within five steps, where Adam's first steps turn the sign of a near-zero bias gradient into ±lr.
 * A mean is that sum / R, as in tfjs-webgpu's own Mean. With R > C (few long columns, where the
 * tree's parallelism pays), for integer and boolean tensors and for a reduction over every axis,
 * tfjs-webgpu's own kernel runs. test/webgpu.parity.test.ts holds both routes to tfjs-cpu.
 */
import { tf } from '../tfjs.js';
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import type { WebGpuUtil, ProgramBackend } from './webgpuUnary.js';

/** out[c] = Σ_r x[r·C + c] (or that / R), c < C = the output's size. */
class ColumnReduceProgram {
  readonly variableNames = ['x'];
  readonly uniforms = 'rows : i32,';
  readonly size = true;
  readonly workgroupSize: [number, number, number] = [64, 1, 1];
  readonly dispatchLayout: { x: number[] };
  readonly dispatch: [number, number, number];
  readonly shaderKey: string;

  constructor(
    readonly outputShape: number[],
    private readonly mean: boolean,
    util: WebGpuUtil,
  ) {
    this.dispatchLayout = util.flatDispatchLayout(outputShape);
    this.dispatch = util.computeDispatch(this.dispatchLayout, outputShape, this.workgroupSize);
    this.shaderKey = `gankit_column_${mean ? 'mean' : 'sum'}`;
  }

  getUserCode(): string {
    return `
      fn main(index : i32) {
        if (index < uniforms.size) {
          // Neumaier's compensated sum: c holds what each addition to s rounded away.
          var s = 0.0;
          var c = 0.0;
          for (var r = 0; r < uniforms.rows; r = r + 1) {
            let v = x[r * uniforms.size + index];
            let t = s + v;
            if (abs(s) >= abs(v)) { c = c + ((s - t) + v); } else { c = c + ((v - t) + s); }
            s = t;
          }
          setOutputAtIndex(index, ${this.mean ? '(s + c) / f32(uniforms.rows)' : 's + c'});
        }
      }`;
  }
}

/**
 * Rows and columns of a reduction of `shape` over `axis` when the column route takes it (the
 * reduced axes are exactly the leading ones, some axis is kept, rows ≤ columns), else null.
 */
export function columnRoute(shape: number[], axis: number | number[] | null | undefined): { rows: number; columns: number; leading: number } | null {
  if (axis === null || axis === undefined) return null; // every axis
  const axes = [...new Set(tf.util.parseAxisParam(axis, shape))].sort((a, b) => a - b);
  if (axes.length === 0 || axes.length >= shape.length || axes.some((a, i) => a !== i)) return null;
  const rows = tf.util.sizeFromShape(shape.slice(0, axes.length));
  const columns = tf.util.sizeFromShape(shape.slice(axes.length));
  return rows <= columns && columns > 0 ? { rows, columns, leading: axes.length } : null;
}

/** Sum (`mean` false) or Mean in front of tfjs-webgpu's own kernel (see the header). */
export function columnReduce(mean: boolean, util: WebGpuUtil): (stock: KernelConfig) => KernelFunc {
  return (stock) => (args) => {
    const { x } = args.inputs as { x: TensorInfo };
    const { axis, keepDims } = args.attrs as unknown as { axis: number | number[] | null; keepDims: boolean };
    const route = x.dtype === 'float32' ? columnRoute(x.shape, axis) : null;
    if (!route) return stock.kernelFunc(args);
    const kept = x.shape.slice(route.leading);
    const outShape = keepDims ? [...Array<number>(route.leading).fill(1), ...kept] : kept;
    const gpu = args.backend as unknown as ProgramBackend;
    return gpu.runWebGPUProgram(new ColumnReduceProgram(outShape, mean, util), [x], 'float32', [{ type: 'int32', data: [route.rows] }]);
  };
}
