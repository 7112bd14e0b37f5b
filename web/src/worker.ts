/**
 * The page's training worker: the engine, the 2-D sessions (src/playground/session.ts) and the
 * image models live here, off the page's thread, so the page paints and answers its buttons
 * whatever the training costs. It trains in slices of at most FRAME_BUDGET_MS, then reads its
 * messages (a pause acts within one slice and one step) and posts a frame: each session's
 * step, the metric rows logged since the last frame, and — at most every PICTURE_EVERY_MS while
 * running — the picture (D's field, the points, G's arrows, the warp). The same steps as the CLI's,
 * so the checksum after N steps equals `gankit train`'s on wasm with one thread.
 */
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { tf, initEngine, engineState, deviceBackend, Rng } from '../../src/engine/index.js';
import { LOSS_NAMES } from '../../src/losses/registry.js';
import { parseCsvPoints, POINT_DATASETS } from '../../src/data/points.js';
import type { PointDataset } from '../../src/data/points.js';
import { PlaygroundSession } from '../../src/playground/session.js';
import type { Picture, SessionMetrics } from '../../src/playground/session.js';
import { expandFlagNames, settingsKnobs } from '../../src/playground/settings.js';
import { POINTS_FILE } from '../../src/playground/share.js';
import type { Json } from '../../src/schema.js';
import { metricColumns } from '../../src/runfolder/columns.js';
import type { Post, Reply, Request, SlotState } from './protocol.js';
import { imageRequest, hasFashion } from './worker-images.js';

/** A slice of training: then the worker reads its messages and posts a frame (a pause acts within it). */
export const FRAME_BUDGET_MS = 50;
/** The field, arrows and warp cost more than the steps of a slice: while running, at most this often. */
const PICTURE_EVERY_MS = 250;
/** One slice per animation frame at most: `speed` steps a frame, as the speed slider says. */
const TICK_MS = 16;
const METRICS_EVERY = 50;

const post = (m: Post, transfer: Transferable[] = []) => (self as unknown as Worker).postMessage(m, transfer);

interface Slot {
  session: PlaygroundSession | null;
  error: string;
}

const state = {
  slots: [] as Slot[],
  rows: [] as SessionMetrics[][],
  running: false,
  speed: 10,
  lastPicture: 0,
  ticking: false,
};

function customDataset(points: number[] | null): PointDataset | undefined {
  if (!points?.length) return undefined;
  const csv = points.reduce((s, v, i) => s + (i % 2 ? `,${v}\n` : `${v}`), '');
  return parseCsvPoints(csv, POINTS_FILE);
}

function slotState(slot: Slot): SlotState {
  const s = slot.session;
  if (!s) return { view: null, error: slot.error };
  const { compute: _compute, ...config } = s.config as unknown as Record<string, unknown>;
  void _compute;
  return {
    error: slot.error,
    view: {
      step: s.step,
      steps: s.config.steps,
      status: s.status,
      divergence: s.divergence,
      loss: String(s.config.variant ?? s.config.loss),
      config,
      knobs: settingsKnobs(s.config),
      data: { name: s.data.name, description: s.data.description },
      last: s.last ? { dLoss: s.last.dLoss, gLoss: s.last.gLoss, diagnostics: Object.fromEntries(Object.entries(s.last.diagnostics ?? {}).filter((e): e is [string, number] => typeof e[1] === 'number')) } : null,
      checksum: s.checksum(),
    },
  };
}

function record(i: number): void {
  const s = state.slots[i].session;
  if (s) state.rows[i].push(s.metrics());
}

/** Posts each slot's state, the rows logged since the last frame and, when asked, the pictures. */
function frame(pictures: boolean): void {
  const pics: Array<Picture | null> = state.slots.map((sl) => (pictures && sl.session ? sl.session.picture() : null));
  if (pictures) state.lastPicture = performance.now();
  // Copied, not transferred: a few tens of kB, and some arrays are the session's own.
  post({ type: 'frame', slots: state.slots.map(slotState), rows: state.rows, pictures: pics, running: state.running, numTensors: tf.memory().numTensors });
  state.rows = state.slots.map(() => []);
}

const active = () => state.slots.filter((sl) => sl.session && sl.session.status === 'ready' && sl.session.step < sl.session.config.steps);

/** Lets the worker read the messages that came in (a pause) before it goes on: a task of its own, without setTimeout's clamp. */
const channel = new MessageChannel();
function yieldToMessages(): Promise<void> {
  return new Promise((resolve) => {
    channel.port1.onmessage = () => resolve();
    channel.port2.postMessage(0);
  });
}

/**
 * Trains every session by n generator steps, together, in pieces that end on every
 * METRICS_EVERY-th step (each is recorded). With a `deadline` (performance.now()), pieces are one
 * step, the worker reads its messages after each, and none starts after the deadline nor after a
 * pause: a pause acts within one step. With a WebGPU device the steps run
 * there, their values read asynchronously (trainAsync); otherwise they are the synchronous steps.
 */
async function trainAll(n: number, deadline = Infinity): Promise<void> {
  for (let todo = n; todo > 0 && performance.now() < deadline && (deadline === Infinity || state.running); ) {
    const live = active();
    if (!live.length) break;
    const most = deadline === Infinity ? todo : 1;
    const piece = Math.min(most, ...live.map((sl) => Math.min(sl.session!.config.steps - sl.session!.step, METRICS_EVERY - (sl.session!.step % METRICS_EVERY))));
    const sliced = deadline !== Infinity;
    for (const slot of live) {
      const s = slot.session!;
      if (deviceBackend()) await s.trainAsync(piece);
      else s.train(piece);
      if (sliced) await yieldToMessages();
      if (s.step % METRICS_EVERY === 0 || s.step === s.config.steps || s.status !== 'ready') {
        record(state.slots.indexOf(slot));
        if (sliced) await yieldToMessages();
      }
    }
    todo -= piece;
  }
}

/** One slice of the run loop; schedules the next while running. */
async function tick(): Promise<void> {
  if (!state.running || state.ticking) return;
  state.ticking = true;
  const t0 = performance.now();
  try {
    await exclusive(() => trainAll(state.speed, t0 + FRAME_BUDGET_MS));
    const done = !active().length;
    await yieldToMessages();
    frame(done || !state.running || performance.now() - state.lastPicture >= PICTURE_EVERY_MS);
    if (done && state.running) {
      state.running = false;
      post({ type: 'stopped', reason: 'every session reached its config\'s steps (raise "steps" in the settings to go on)' });
    }
  } catch (e) {
    state.running = false;
    post({ type: 'stopped', reason: (e as Error).message, error: true });
  } finally {
    state.ticking = false;
  }
  if (state.running) setTimeout(() => void tick(), Math.max(0, TICK_MS - (performance.now() - t0)));
}

/** Work that touches the sessions runs one piece at a time (a WebGPU step awaits its values). */
let chain: Promise<unknown> = Promise.resolve();
function exclusive<T>(f: () => Promise<T> | T): Promise<T> {
  const next = chain.then(f);
  chain = next.catch(() => undefined);
  return next;
}

async function engineText(): Promise<{ engine: string; deviceName: string }> {
  const device = engineState().device;
  // With WebGPU the steps run on the GPU and the pictures and metrics on the host backend.
  return { engine: `engine: tfjs ${tf.version.tfjs}, ${device ? `steps on ${device.backend} (${device.adapter}), pictures on ${tf.getBackend()}` : tf.getBackend()}`, deviceName: device ? `${device.adapter ?? device.backend}` : tf.getBackend() };
}

/** Builds every slot from its overrides, or only slot `only` (the others keep training where they are). */
function configure(configs: Array<Record<string, unknown>>, points: number[] | null, only?: number): SlotState[] {
  const custom = customDataset(points);
  const keep = only === undefined || configs.length !== state.slots.length ? null : state.slots;
  if (!keep) for (const s of state.slots) s.session?.dispose();
  else keep[only!].session?.dispose();
  state.slots = configs.map((overrides, i) => {
    if (keep && i !== only) return keep[i];
    try {
      const o = expandFlagNames(overrides as Json);
      const name = (o.data as { name?: string } | undefined)?.name ?? '';
      if (name.startsWith('csv:') && !custom) throw new Error('draw some points on the plane (click and drag) or upload a CSV first');
      return { session: PlaygroundSession.create(o, custom), error: '' };
    } catch (e) {
      return { session: null, error: (e as Error).message };
    }
  });
  state.rows = state.slots.map(() => []);
  state.slots.forEach((_, i) => (only === undefined || i === only || !keep) && record(i));
  return state.slots.map(slotState);
}

async function handle(req: Request): Promise<Reply> {
  switch (req.type) {
    case 'init': {
      setWasmPaths(new URL('wasm/', req.base).href);
      await initEngine({ backend: req.backend });
      return { type: 'init', catalog: { losses: [...LOSS_NAMES, 'infogan'], datasets: [...POINT_DATASETS], tfjs: tf.version.tfjs, fashion: await hasFashion(), columns: [...metricColumns()] }, ...(await engineText()) };
    }
    case 'backend':
      state.running = false;
      await exclusive(() => initEngine({ backend: req.backend }));
      return { type: 'backend', ...(await engineText()) };
    case 'configure': {
      const slots = await exclusive(() => configure(req.slots, req.points, req.only));
      frame(true);
      return { type: 'slots', slots };
    }
    case 'train':
      for (let done = 0; done < req.n; done += req.chunk) {
        await exclusive(() => trainAll(Math.min(req.chunk, req.n - done)));
        frame(true);
        await new Promise((r) => setTimeout(r, 0));
      }
      return { type: 'slots', slots: state.slots.map(slotState) };
    case 'stepD':
    case 'stepG':
      await exclusive(async () => {
        for (const [i, sl] of state.slots.entries()) {
          if (!sl.session) continue;
          if (req.type === 'stepD') await sl.session.stepDAsync();
          else {
            await sl.session.stepGAsync();
            record(i);
          }
        }
      });
      frame(true);
      return { type: 'slots', slots: state.slots.map(slotState) };
    case 'metrics':
      return { type: 'metrics', metrics: (await exclusive(() => state.slots[req.slot]?.session?.metrics())) ?? null };
    case 'picture':
      frame(true);
      return { type: 'ok' };
    case 'csv': {
      const ds = parseCsvPoints(req.text, req.name);
      return { type: 'csv', points: Array.from(ds.sample(new Rng(1), 2000)), description: ds.description };
    }
    case 'numTensors':
      return { type: 'numTensors', count: await exclusive(() => tf.memory().numTensors) };
    case 'ping':
      return { type: 'ok' };
    default:
      return imageRequest(req, post, exclusive);
  }
}

self.onmessage = (ev: MessageEvent<{ id: number; request: Request }>) => {
  const { id, request } = ev.data;
  // Run, pause and speed act at once (a slice in progress sees them); everything else in order.
  if (request.type === 'run') {
    const was = state.running;
    state.running = request.on && active().length > 0;
    state.speed = request.speed;
    post({ type: 'reply', id, reply: { type: 'ok' } });
    if (state.running && !was) void tick();
    if (!state.running) post({ type: 'stopped', reason: request.on ? 'every session reached its config\'s steps (raise "steps" in the settings to go on)' : 'paused' });
    return;
  }
  if (request.type === 'speed') {
    state.speed = request.speed;
    post({ type: 'reply', id, reply: { type: 'ok' } });
    return;
  }
  queue = queue.then(async () => {
    let reply: Reply;
    try {
      reply = await handle(request);
    } catch (e) {
      reply = { type: 'error', message: (e as Error).message };
    }
    post({ type: 'reply', id, reply });
  });
};
let queue: Promise<void> = Promise.resolve();
