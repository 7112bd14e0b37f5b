/**
 * The playground page: every 2-D loss of gankit trained live by the library's own trainer
 * (src/playground/session.ts), GAN Lab's pictures, live curves, two sessions side by side, share
 * links that hold the whole config, and the CLI line that reproduces a run bit for bit.
 */
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { tf, initEngine, engineState, deviceBackend } from '../../src/engine/index.js';
import { LOSS_NAMES } from '../../src/losses/registry.js';
import { resolveConfig } from '../../src/train/config.js';
import { parseCsvPoints, POINT_DATASETS } from '../../src/data/points.js';
import type { PointDataset } from '../../src/data/points.js';
import { PlaygroundSession, replayRows } from '../../src/playground/session.js';
import type { SessionMetrics } from '../../src/playground/session.js';
import { cliCommand, decodeShare, encodeShare, POINTS_FILE } from '../../src/playground/share.js';
import type { ShareState } from '../../src/playground/share.js';
import { drawPicture } from './draw.js';
import { drawChart } from './charts.js';
import { setupImagesTab } from './images.js';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const LOSSES_2D = [...LOSS_NAMES, 'infogan'];
const METRICS_EVERY = 50;

/** A CLI run replayed in the page: its logged rows and final checksum, drawn beside the page's. */
interface Reference {
  name: string;
  rows: Array<Record<string, number>>;
  steps: number;
  checksum: string | null;
}

interface Slot {
  overrides: Record<string, unknown>;
  reference?: Reference;
  session: PlaygroundSession | null;
  history: SessionMetrics[];
  el: HTMLElement;
  canvas: HTMLCanvasElement;
  loss: HTMLSelectElement;
  settings: HTMLTextAreaElement;
  readout: HTMLElement;
  error: HTMLElement;
}

const state = {
  slots: [] as Slot[],
  running: false,
  speed: 10,
  /** Points drawn by hand or uploaded, when the data is 'draw' or 'csv'. */
  custom: null as { name: string; points: number[] } | null,
  backend: 'wasm',
  message: '',
};

const message = (text: string, error = false) => {
  const m = $('message');
  m.textContent = text;
  m.className = error ? 'error' : 'muted';
};

function dataName(): string {
  const v = ($('data') as HTMLSelectElement).value;
  return v === 'draw' || v === 'csv' ? `csv:${POINTS_FILE}` : v;
}

function customDataset(): PointDataset | undefined {
  if (!state.custom) return undefined;
  const csv = state.custom.points.reduce((s, v, i) => s + (i % 2 ? `,${v}\n` : `${v}`), '');
  return parseCsvPoints(csv, state.custom.name);
}

/** The resolved config as the settings box shows it (every 2-D field the CLI has). */
function shownConfig(overrides: Record<string, unknown>): string {
  const { compute: _compute, ...rest } = resolveConfig(overrides) as unknown as Record<string, unknown>;
  void _compute;
  return JSON.stringify(rest, null, 1);
}

function build(slot: Slot): void {
  slot.session?.dispose();
  slot.session = null;
  slot.history = [];
  slot.error.textContent = '';
  try {
    const custom = dataName().startsWith('csv:') ? customDataset() : undefined;
    if (dataName().startsWith('csv:') && !custom) throw new Error('draw some points on the plane (click and drag) or upload a CSV first');
    slot.session = PlaygroundSession.create(slot.overrides, custom);
    slot.settings.value = shownConfig(slot.overrides);
    slot.loss.value = String(slot.session.config.variant ?? slot.session.config.loss);
    record(slot);
  } catch (e) {
    slot.error.textContent = (e as Error).message;
  }
}

function record(slot: Slot): void {
  if (!slot.session) return;
  slot.history.push(slot.session.metrics());
}

function newSlot(index: number, loss: string): Slot {
  const el = document.createElement('div');
  el.className = 'session';
  el.innerHTML = `<h2>${index ? 'B' : 'A'}: <select class="loss"></select></h2><canvas width="380" height="380"></canvas>
    <div class="readout"></div><div class="error"></div>
    <details><summary>settings (the loss's preset; edit and apply)</summary><textarea spellcheck="false"></textarea>
    <div class="settings-row"><button class="apply">apply</button><button class="preset">back to the preset</button></div></details>`;
  const slot: Slot = {
    overrides: { loss, data: { name: dataName() }, seed: 1 },
    session: null,
    history: [],
    el,
    canvas: el.querySelector('canvas')!,
    loss: el.querySelector('select')!,
    settings: el.querySelector('textarea')!,
    readout: el.querySelector('.readout')!,
    error: el.querySelector('.error')!,
  };
  for (const name of LOSSES_2D) slot.loss.add(new Option(name, name));
  slot.loss.value = loss;
  slot.loss.onchange = () => {
    slot.overrides = { loss: slot.loss.value, data: { name: dataName() }, seed: 1 };
    build(slot);
    render();
  };
  el.querySelector<HTMLButtonElement>('.apply')!.onclick = () => {
    try {
      slot.overrides = JSON.parse(slot.settings.value);
    } catch (e) {
      slot.error.textContent = `settings: ${(e as Error).message}`;
      return;
    }
    build(slot);
    render();
  };
  el.querySelector<HTMLButtonElement>('.preset')!.onclick = () => slot.loss.onchange!(new Event('change'));
  slot.canvas.onmousedown = (ev) => drawPoints(slot, ev);
  return slot;
}

/** Draw mode: a click sprays a few points around it (data coordinates of the view). */
function drawPoints(slot: Slot, ev: MouseEvent): void {
  if (($('data') as HTMLSelectElement).value !== 'draw') return;
  const view = slot.session?.view() ?? { xMin: -3, xMax: 3, yMin: -3, yMax: 3 };
  const add = (e: MouseEvent) => {
    const r = slot.canvas.getBoundingClientRect();
    const x = view.xMin + ((e.clientX - r.left) / r.width) * (view.xMax - view.xMin);
    const y = view.yMax - ((e.clientY - r.top) / r.height) * (view.yMax - view.yMin);
    state.custom ??= { name: POINTS_FILE, points: [] };
    for (let k = 0; k < 4; k++) state.custom.points.push(+(x + 0.05 * (Math.random() - 0.5)).toFixed(4), +(y + 0.05 * (Math.random() - 0.5)).toFixed(4));
    drawCustom(slot, view);
  };
  add(ev);
  slot.canvas.onmousemove = add;
  window.onmouseup = () => {
    slot.canvas.onmousemove = null;
    rebuildAll();
  };
}

function drawCustom(slot: Slot, view: { xMin: number; xMax: number; yMin: number; yMax: number }): void {
  const ctx = slot.canvas.getContext('2d')!;
  const { width: W, height: H } = slot.canvas;
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, W, H);
  ctx.fillStyle = 'rgba(20,140,40,0.8)';
  const p = state.custom?.points ?? [];
  for (let i = 0; i < p.length; i += 2) ctx.fillRect(((p[i] - view.xMin) / (view.xMax - view.xMin)) * W - 1.5, ((view.yMax - p[i + 1]) / (view.yMax - view.yMin)) * H - 1.5, 3, 3);
}

function rebuildAll(): void {
  for (const slot of state.slots) {
    (slot.overrides.data as Record<string, unknown>) = { ...((slot.overrides.data as object) ?? {}), name: dataName() };
    build(slot);
  }
  render();
}

function setSlots(configs: Record<string, unknown>[]): void {
  for (const s of state.slots) s.session?.dispose();
  state.slots = configs.map((c, i) => {
    const slot = newSlot(i, String(c.loss ?? 'wgan-gp'));
    slot.overrides = c;
    return slot;
  });
  const box = $('sessions');
  box.replaceChildren(...state.slots.map((s) => s.el));
  ($('compare') as HTMLInputElement).checked = configs.length === 2;
  for (const s of state.slots) build(s);
  render();
}

/** How long one animation frame may train (then it draws): the tab stays responsive at any speed. */
const FRAME_BUDGET_MS = 150;

/**
 * Trains every session by n generator steps, together, in pieces that end on every
 * METRICS_EVERY-th step (each is recorded); stops each at its config's steps. With a `deadline`
 * (performance.now()), pieces are one step and none starts after it has passed: a frame trains
 * for the budget and one step more (PAGE_LIMITS bounds a step), never for long. With a WebGPU
 * device the steps run there, their values read asynchronously (trainAsync); on wasm, cpu and
 * webgl they are the same synchronous steps.
 */
async function trainAll(n: number, deadline = Infinity): Promise<void> {
  for (let todo = n; todo > 0 && performance.now() < deadline; ) {
    const active = state.slots.filter((sl) => sl.session && sl.session.status === 'ready' && sl.session.step < sl.session.config.steps);
    if (!active.length) break;
    const most = deadline === Infinity ? todo : 1;
    const piece = Math.min(most, ...active.map((sl) => Math.min(sl.session!.config.steps - sl.session!.step, METRICS_EVERY - (sl.session!.step % METRICS_EVERY))));
    for (const slot of active) {
      const s = slot.session!;
      if (deviceBackend()) await s.trainAsync(piece);
      else s.train(piece);
      if (s.step % METRICS_EVERY === 0 || s.step === s.config.steps || s.status !== 'ready') record(slot);
    }
    todo -= piece;
  }
  if (state.slots.every((sl) => !sl.session || sl.session.status !== 'ready' || sl.session.step >= sl.session.config.steps)) {
    if (state.running) message('every session reached its config\'s steps (raise "steps" in the settings to go on)');
    setRunning(false);
  }
}

const CHARTS: Array<[string, (m: SessionMetrics) => number]> = [
  ['modes covered', (m) => m.modesCovered ?? NaN],
  ['high-quality share', (m) => m.highQualityShare ?? NaN],
  ['reverse KL', (m) => m.reverseKL ?? NaN],
  ['sliced W₁ to the data', (m) => m.slicedWasserstein],
  ['‖∇D‖ (D\'s gradient norm)', (m) => m.gradNormD],
  ['‖∇G‖ (G\'s gradient norm)', (m) => m.gradNormG],
];

/** The metrics.jsonl column of each chart (diagnostics charts are named by their column). */
const REFERENCE_KEYS: Record<string, string> = {
  'modes covered': 'modesCovered',
  'high-quality share': 'highQualityShare',
  'reverse KL': 'reverseKL',
  'sliced W₁ to the data': 'slicedWasserstein',
  '‖∇D‖ (D\'s gradient norm)': 'gradNormD',
  '‖∇G‖ (G\'s gradient norm)': 'gradNormG',
};

/** Replays a run folder served under runs/ (gankit playground --runs DIR): its config in slot A, its curves beside the page's. */
async function replay(name: string): Promise<void> {
  const base = `runs/${encodeURIComponent(name)}/`;
  const config = (await (await fetch(`${base}config.json`)).json()) as Record<string, unknown>;
  const model = config.model as { arch?: string } | undefined;
  if (model?.arch && model.arch !== 'mlp') return message(`${name} is an image run: export it (gankit export) and load it in the images tab`, true);
  const { compute: _c, ...overrides } = config;
  void _c;
  const text = await (await fetch(`${base}metrics.jsonl`)).text();
  const rows = replayRows(text, `${name}/metrics.jsonl`) as unknown as Array<Record<string, number>>;
  const summary = await fetch(`${base}summary.json`).then((r) => (r.ok ? r.json() : null)).catch(() => null);
  const data = overrides.data as { name?: string } | undefined;
  if (data?.name?.startsWith('csv:')) return message(`${name} trains on a CSV file the page cannot read: upload it, then apply the run's settings`, true);
  ($('data') as HTMLSelectElement).value = data?.name ?? 'ring8';
  setRunning(false);
  setSlots([overrides]);
  state.slots[0].reference = { name, rows, steps: summary?.steps ?? (config.steps as number), checksum: summary?.weightsChecksum ?? null };
  message(`replaying ${name}: press run; its curves are drawn beside the page's`);
  render();
}

async function listRuns(): Promise<void> {
  const list = await fetch('runs/index.json').then((r) => (r.ok ? r.json() : [])).catch(() => []);
  if (!Array.isArray(list) || !list.length) return;
  const select = $('runs') as HTMLSelectElement;
  select.add(new Option('–', ''));
  for (const r of list as Array<{ name: string; loss: string; data: string; steps: number }>) select.add(new Option(`${r.name} (${r.loss}, ${r.data}, ${r.steps} steps)`, r.name));
  $('runs-label').hidden = false;
  select.onchange = () => {
    if (select.value) void replay(select.value).catch((e) => message(`${select.value}: ${(e as Error).message}`, true));
  };
}

function render(): void {
  const warp = ($('show-warp') as HTMLInputElement).checked;
  const gradNorm = ($('show-grad') as HTMLInputElement).checked;
  for (const slot of state.slots) {
    const s = slot.session;
    if (!s) {
      if (($('data') as HTMLSelectElement).value === 'draw') drawCustom(slot, { xMin: -3, xMax: 3, yMin: -3, yMax: 3 });
      continue;
    }
    drawPicture(slot.canvas, s.picture(), { warp, gradNorm });
    const m = slot.history[slot.history.length - 1];
    const diag = Object.entries(s.last?.diagnostics ?? {}).map(([k, v]) => `${k} ${typeof v === 'number' ? v.toFixed(4) : v}`).join('  ');
    slot.readout.textContent =
      `step ${s.step}/${s.config.steps}  ${s.status === 'diverged' ? `DIVERGED: ${s.divergence}` : ''}\n` +
      (m && m.modesCovered !== null ? `modes ${m.modesCovered}/${m.totalModes}  HQ ${(100 * m.highQualityShare!).toFixed(1)}%  ` : '') +
      (m ? `sliced W₁ ${m.slicedWasserstein.toFixed(4)}\n` : '') +
      (s.last ? `D loss ${s.last.dLoss.toFixed(4)}  G loss ${s.last.gLoss.toFixed(4)}  ${diag}\n` : '') +
      `weights checksum ${s.checksum()}` +
      (slot.reference?.checksum ? `\nCLI run ${slot.reference.name}: ${slot.reference.checksum} after ${slot.reference.steps} steps${s.step === slot.reference.steps ? (s.checksum() === slot.reference.checksum ? ' — equal' : ' — differs (its backend, threads or native kernels differ from the page\'s)') : ''}` : '');
  }
  const charts = $('charts');
  const diagKeys = [...new Set(state.slots.flatMap((s) => s.history.flatMap((m) => Object.keys(m.diagnostics))))];
  const all: Array<[string, (m: SessionMetrics) => number]> = [...CHARTS, ...diagKeys.map((k): [string, (m: SessionMetrics) => number] => [k, (m) => m.diagnostics[k] ?? NaN])];
  while (charts.children.length < all.length) {
    const c = document.createElement('canvas');
    c.className = 'chart';
    [c.width, c.height] = [300, 150];
    charts.appendChild(c);
  }
  while (charts.children.length > all.length) charts.lastChild!.remove();
  const ref = state.slots[0]?.reference;
  all.forEach(([title, f], i) => {
    const series = state.slots.map((s, k) => ({ name: `${k ? 'B' : 'A'}: ${s.session?.config.variant ?? s.session?.config.loss ?? ''}`, xs: s.history.map((m) => m.step), ys: s.history.map(f) }));
    const key = REFERENCE_KEYS[title] ?? title;
    if (ref) series.push({ name: `CLI: ${ref.name}`, xs: ref.rows.map((r) => r.step), ys: ref.rows.map((r) => (typeof r[key] === 'number' ? r[key] : NaN)) });
    drawChart(charts.children[i] as HTMLCanvasElement, title, series);
  });
  $('status').textContent = `backend ${deviceBackend() ? `${deviceBackend()} + ${tf.getBackend()}` : tf.getBackend()} · tensors ${tf.memory().numTensors} · share: ${location.hash ? 'link in the address bar' : '–'}`;
}

function setRunning(on: boolean): void {
  state.running = on;
  $('run').textContent = on ? 'pause' : 'run';
}

/** A frame's training is under way (a device's steps resolve after the frame). */
let busy = false;

function loop(): void {
  if (state.running && !busy) {
    busy = true;
    trainAll(state.speed, performance.now() + FRAME_BUDGET_MS)
      .then(render)
      .catch((e) => message((e as Error).message, true))
      .finally(() => (busy = false));
  }
  requestAnimationFrame(loop);
}

function shareState(): ShareState {
  const s: ShareState = { configs: state.slots.map((sl) => sl.overrides) };
  if (state.custom) s.points = state.custom.points;
  return s;
}

async function setBackend(name: string): Promise<void> {
  state.backend = name;
  await initEngine({ backend: name });
  const device = engineState().device;
  // With WebGPU the steps run on the GPU and the pictures and metrics on the host backend.
  $('engine').textContent = `engine: tfjs ${tf.version.tfjs}, ${device ? `steps on ${device.backend} (${device.adapter}), pictures on ${tf.getBackend()}` : tf.getBackend()}`;
}

async function boot(): Promise<void> {
  // The wasm binaries sit next to the page (npm run build:web copies them).
  setWasmPaths(new URL('wasm/', location.href).href);
  const data = $('data') as HTMLSelectElement;
  for (const d of [...POINT_DATASETS, 'draw', 'csv']) data.add(new Option(d === 'draw' ? 'draw by hand' : d === 'csv' ? 'upload a CSV' : d, d));
  const backend = $('backend') as HTMLSelectElement;
  for (const b of ['wasm', 'webgl', ...('gpu' in navigator ? ['webgpu'] : []), 'cpu']) backend.add(new Option(b, b));
  let shared: ShareState | null = null;
  try {
    shared = decodeShare(location.hash);
  } catch (e) {
    message((e as Error).message, true);
  }
  await setBackend('wasm');
  if (shared?.points) state.custom = { name: POINTS_FILE, points: shared.points };
  const first = shared?.configs[0]?.data as { name?: string } | undefined;
  data.value = first?.name?.startsWith('csv:') ? 'draw' : (first?.name ?? 'ring8');
  setSlots(shared?.configs ?? [{ loss: 'wgan-gp', data: { name: data.value }, seed: 1 }]);

  data.onchange = () => {
    $('csv-label').hidden = data.value !== 'csv';
    if (data.value !== 'draw' && data.value !== 'csv') state.custom = null;
    if (data.value === 'draw') state.custom = null;
    rebuildAll();
  };
  ($('csv') as HTMLInputElement).onchange = async (ev) => {
    const file = (ev.target as HTMLInputElement).files?.[0];
    if (!file) return;
    try {
      const text = await file.text();
      const ds = parseCsvPoints(text, file.name);
      const pts = Array.from(ds.sample(new (await import('../../src/engine/index.js')).Rng(1), 2000));
      state.custom = { name: POINTS_FILE, points: pts };
      message(`${file.name}: ${ds.description}; the page trains on 2,000 points drawn from it`);
      rebuildAll();
    } catch (e) {
      message((e as Error).message, true);
    }
  };
  backend.onchange = async () => {
    setRunning(false);
    await setBackend(backend.value);
    rebuildAll();
  };
  $('compare').onchange = () => {
    const on = ($('compare') as HTMLInputElement).checked;
    const a = state.slots[0].overrides;
    setSlots(on ? [a, { ...a, loss: a.loss === 'ns' ? 'wgan-gp' : 'ns', hyper: undefined, optimizerD: undefined, optimizerG: undefined, nCritic: undefined }].map(clean) : [a]);
  };
  $('run').onclick = () => setRunning(!state.running);
  $('dstep').onclick = async () => {
    if (busy) return;
    busy = true;
    try {
      for (const s of state.slots) await s.session?.stepDAsync();
    } finally {
      busy = false;
    }
    render();
  };
  window.addEventListener('unhandledrejection', (ev) => message(String((ev.reason as Error)?.message ?? ev.reason), true));
  $('gstep').onclick = async () => {
    if (busy) return;
    busy = true;
    try {
      for (const s of state.slots) {
        await s.session?.stepGAsync();
        record(s);
      }
    } finally {
      busy = false;
    }
    render();
  };
  $('reset').onclick = () => {
    setRunning(false);
    rebuildAll();
  };
  const speed = $('speed') as HTMLInputElement;
  speed.oninput = () => {
    state.speed = Number(speed.value);
    $('speed-value').textContent = speed.value;
  };
  $('share').onclick = async () => {
    location.hash = encodeShare(shareState());
    await navigator.clipboard?.writeText(location.href).catch(() => undefined);
    message('the share link is in the address bar (and copied)');
    render();
  };
  $('cli').onclick = async () => {
    const line = cliLine(0);
    await navigator.clipboard?.writeText(line).catch(() => undefined);
    message(line);
  };
  for (const t of document.querySelectorAll<HTMLButtonElement>('nav .tab')) {
    t.onclick = () => {
      for (const u of document.querySelectorAll('nav .tab')) u.classList.toggle('active', u === t);
      $('points-tab').hidden = t.dataset.tab !== 'points';
      $('images-tab').hidden = t.dataset.tab !== 'images';
    };
  }
  setupImagesTab();
  await listRuns();
  requestAnimationFrame(loop);
}

/** Overrides without undefined fields (the compare view's second session drops the first's preset). */
function clean(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}

function cliLine(i: number): string {
  return cliCommand(state.slots[i].overrides, state.custom?.points);
}

/** Hooks for the browser tests and for the curious (window.gankit in the console). */
const hooks = {
  ready: null as Promise<void> | null,
  sessions: () => state.slots.map((s) => s.session),
  /** n generator steps on every session, in chunks, without waiting for frames. */
  async train(n: number, chunk = 100): Promise<void> {
    for (let done = 0; done < n; done += chunk) {
      await trainAll(Math.min(chunk, n - done));
      await new Promise((r) => setTimeout(r, 0));
    }
    render();
  },
  checksum: (i = 0) => state.slots[i].session?.checksum(),
  metrics: (i = 0) => state.slots[i].session?.metrics(),
  numTensors: () => tf.memory().numTensors,
  shareLink: () => encodeShare(shareState()),
  cliLine,
  configs: () => state.slots.map((s) => s.session?.config),
  errors: () => state.slots.map((s) => s.error.textContent),
  replay,
  readout: (i = 0) => state.slots[i].readout.textContent,
  /** Picks a backend as the menu does (the sessions start again). */
  async useBackend(name: string): Promise<string> {
    setRunning(false);
    ($('backend') as HTMLSelectElement).value = name;
    await setBackend(name);
    rebuildAll();
    return $('engine').textContent ?? '';
  },
};
(window as unknown as { gankit: typeof hooks }).gankit = hooks;
hooks.ready = boot().catch((e) => {
  message(`could not start: ${(e as Error).message}`, true);
  throw e;
});
