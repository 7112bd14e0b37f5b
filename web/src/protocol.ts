/**
 * What the page (main thread) and its training worker (worker.ts) say to each other. The worker
 * owns the engine, the sessions, the image models and every tensor; the page owns the DOM and
 * paints what the worker posts. Requests carry an id and get one reply with it; the worker also
 * posts frames (pictures, metric rows, progress) on its own. Messages are handled in order, so a
 * reply to a request means every earlier message has been acted on.
 */
import type { Picture, SessionMetrics } from '../../src/playground/session.js';
import type { Knob } from '../../src/playground/settings.js';
import type { ExportMeta } from '../../src/export/model.js';
import type { MetricColumnSpec } from '../../src/runfolder/columns.js';

/** What the page needs to build its menus and forms, from the library in the worker. */
export interface Catalog {
  losses: string[];
  datasets: string[];
  tfjs: string;
  /** Whether data/fashion-2000.bin and the shipped generator to fine-tune are there. */
  fashion: boolean;
  /** The metric table as the worker has it (its losses, data kinds and any loss registered there): the charts and readouts read it. */
  columns: MetricColumnSpec[];
}

/** A session as the page shows it (no tensors). */
export interface SlotView {
  step: number;
  steps: number;
  status: 'ready' | 'diverged';
  divergence: string | null;
  loss: string;
  /** The resolved config, as the settings form and the CLI line read it. */
  config: Record<string, unknown>;
  knobs: Knob[];
  data: { name: string; description: string };
  last: { dLoss: number; gLoss: number; diagnostics: Record<string, number> } | null;
  checksum: string;
}

/** A slot's state after a request: its view, or why it could not be built. */
export interface SlotState {
  view: SlotView | null;
  error: string;
}

export type Request =
  | { type: 'init'; backend: string; base: string }
  | { type: 'backend'; backend: string }
  | { type: 'configure'; slots: Array<Record<string, unknown>>; points: number[] | null; only?: number }
  | { type: 'run'; on: boolean; speed: number }
  | { type: 'speed'; speed: number }
  | { type: 'train'; n: number; chunk: number }
  | { type: 'stepD' }
  | { type: 'stepG' }
  | { type: 'metrics'; slot: number }
  | { type: 'csv'; text: string; name: string }
  | { type: 'numTensors' }
  | { type: 'picture' }
  | { type: 'loadModel'; url?: string; files?: File[]; name: string }
  | { type: 'viewModel'; seed: number }
  /** `device` 'gpu': the steps on this browser's WebGPU (falling back to the page's backend, with the reason, when it cannot start). */
  | { type: 'trainImages'; preset: string; steps: number; device?: 'gpu' | 'page'; batch?: number }
  | { type: 'stopImages' }
  | { type: 'viewTrained' }
  | { type: 'ping' };

export type Reply =
  | { type: 'ok' }
  | { type: 'error'; message: string }
  | { type: 'init'; catalog: Catalog; engine: string; deviceName: string }
  | { type: 'backend'; engine: string; deviceName: string }
  | { type: 'slots'; slots: SlotState[] }
  | { type: 'metrics'; metrics: SessionMetrics | null }
  | { type: 'csv'; points: number[]; description: string }
  | { type: 'numTensors'; count: number }
  | { type: 'model'; meta: ExportMeta; name: string }
  | { type: 'trained'; steps: number };

/** Rows of images in [−1, 1], [n, h, w, c], drawn as rows × cols tiles. */
export interface ImageGrid {
  title: string;
  pixels: Float32Array;
  shape: [number, number, number, number];
  rows: number;
  cols: number;
  /** A label at the start of each row (class names), if any. */
  rowLabels?: string[];
}

/** What the worker posts on its own. */
export type Post =
  | { type: 'reply'; id: number; reply: Reply }
  /** Training went on: each slot's view, new metric rows, and (at most every few frames while running) a picture. */
  | { type: 'frame'; slots: SlotState[]; rows: Array<SessionMetrics[]>; pictures: Array<Picture | null>; running: boolean; numTensors: number }
  /** The run loop stopped (pause, every session at its steps, or an error): `reason` says which. */
  | { type: 'stopped'; reason: string; error?: boolean }
  /** `device`: where the steps run ('WebGPU on <adapter>', or the page's backend), with why the GPU was not used where it was asked for. */
  | { type: 'imageProgress'; step: number; steps: number; seconds: number; from: number; phase?: string; device?: string }
  | { type: 'imageSamples'; grid: ImageGrid; step: number }
  | { type: 'imageDone'; steps: number; stopped: boolean; error?: string; exported: { modelJson: string; weights: ArrayBuffer; meta: string } | null; device?: string }
  | { type: 'modelViews'; grids: ImageGrid[]; head: string };
