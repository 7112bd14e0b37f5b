/**
 * The playground page: every 2-D loss of gankit trained live by the library's own trainer in a
 * worker (worker.ts), GAN Lab's pictures, live curves, two sessions side by side, share links
 * that hold the whole config, and the CLI line that reproduces a run bit for bit. This module
 * boots the page and wires its controls; the state and the worker line are in state.ts, a
 * session's panel in panel.ts, the curves in charts.ts, replayed CLI runs in replay.ts and the
 * images tab in images.ts. No tfjs here: the page's thread only paints.
 */
import { cliCommand, decodeShare, encodeShare, POINTS_FILE } from '../../src/playground/share.js';
import type { ShareState } from '../../src/playground/share.js';
import type { SessionMetrics } from '../../src/playground/session.js';
import type { Post, SlotState } from './protocol.js';
import { ask, onPost, state } from './state.js';
import type { Slot } from './state.js';
import { newPanel, readoutLines, renderPicture, renderReadout, renderSettings } from './panel.js';
import type { Panel } from './panel.js';
import { CHART_SIZE, drawChart } from './charts.js';
import { pageCharts } from '../../src/playground/charts.js';
import { listRuns, loadRun } from './replay.js';
import { setupImagesTab } from './images.js';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const panels = new Map<Slot, Panel>();

const message = (text: string, error = false) => {
  const m = $('message');
  m.textContent = text;
  m.className = error ? 'error' : 'muted';
};

function dataName(): string {
  const v = ($('data') as HTMLSelectElement).value;
  return v === 'draw' || v === 'csv' ? `csv:${POINTS_FILE}` : v;
}

const drawOptions = () => ({ warp: ($('show-warp') as HTMLInputElement).checked, gradNorm: ($('show-grad') as HTMLInputElement).checked });

/** Takes the worker's slot states: the views, errors and (on a failed build) the stale mark. */
function take(states: SlotState[], only?: number): void {
  states.forEach((s, i) => {
    const slot = state.slots[i];
    if (!slot || (only !== undefined && i !== only)) return;
    slot.view = s.view;
    slot.error = s.error;
    slot.stale = !s.view && Boolean(slot.picture);
  });
}

/** Builds the sessions in the worker (all, or only one); a failed build keeps its last picture, greyed. */
async function build(only?: number): Promise<void> {
  const configs = state.slots.map((s) => s.overrides);
  if (only === undefined) for (const s of state.slots) s.history = [];
  else state.slots[only].history = [];
  const r = await ask({ type: 'configure', slots: configs, points: state.custom?.points ?? null, only }, 'slots');
  take(r.slots, only);
  for (const [i, slot] of state.slots.entries()) if (only === undefined || i === only) renderSettings(panels.get(slot)!, slot);
  render();
}

function onFrame(m: Extract<Post, { type: 'frame' }>): void {
  take(m.slots);
  m.rows.forEach((rows, i) => state.slots[i]?.history.push(...rows));
  m.pictures.forEach((p, i) => {
    const slot = state.slots[i];
    if (p && slot) {
      slot.picture = p;
      renderPicture(panels.get(slot)!, slot, drawOptions());
    }
  });
  state.numTensors = m.numTensors;
  // Text and curves at most once an animation frame, however often frames come.
  if (!textPending) {
    textPending = true;
    requestAnimationFrame(() => {
      textPending = false;
      renderTextAndCharts();
    });
  }
}
let textPending = false;

/** Everything drawn from the state: pictures only when asked (a new picture comes with a frame). */
function render(): void {
  for (const slot of state.slots) {
    const panel = panels.get(slot)!;
    if (!slot.view && !slot.picture && ($('data') as HTMLSelectElement).value === 'draw') drawCustom(panel.canvas);
    else renderPicture(panel, slot, drawOptions());
  }
  renderTextAndCharts();
}

function renderTextAndCharts(): void {
  for (const slot of state.slots) renderReadout(panels.get(slot)!, slot);
  const charts = $('charts');
  // One chart per column of the worker's metric table the rows hold (data without modes: no mode
  // charts, as in metrics.png). A session's last row holds every column it measures.
  const ref = state.slots[0]?.reference;
  const last = state.slots.flatMap((s) => (s.history.length ? [flat(s.history[s.history.length - 1])] : []));
  const keys = pageCharts(state.catalog?.columns ?? [], [...last, ...(ref?.rows ?? [])]);
  while (charts.children.length < keys.length) {
    const c = document.createElement('canvas');
    c.className = 'chart';
    c.style.aspectRatio = `${CHART_SIZE.width} / ${CHART_SIZE.height}`;
    charts.appendChild(c);
  }
  while (charts.children.length > keys.length) charts.lastChild!.remove();
  keys.forEach((column, i) => {
    const key = column.name;
    const value = (m: SessionMetrics) => {
      const v = key in m ? (m as unknown as Record<string, unknown>)[key] : m.diagnostics[key];
      return typeof v === 'number' ? v : NaN;
    };
    const series = state.slots.map((s, k) => ({ name: `${k ? 'B' : 'A'}: ${s.view?.loss ?? String(s.overrides.loss ?? '')}`, xs: s.history.map((m) => m.step), ys: s.history.map(value) }));
    if (ref) series.push({ name: `CLI: ${ref.name}`, xs: ref.rows.map((r) => r.step), ys: ref.rows.map((r) => (typeof r[key] === 'number' ? r[key] : NaN)) });
    drawChart(charts.children[i] as HTMLCanvasElement, column, series);
  });
  $('status').textContent = `${state.engine.replace(/^engine: /, '')} · tensors ${state.numTensors} · share: ${location.hash ? 'link in the address bar' : '–'}`;
}

/** A session's metrics row as metrics.jsonl holds it: the loss's diagnostics beside the rest. */
function flat(m: SessionMetrics): Record<string, unknown> {
  const { diagnostics, ...rest } = m;
  return { ...rest, ...diagnostics };
}

/** Draw mode before any point: the empty plane. */
function drawCustom(canvas: HTMLCanvasElement, view = { xMin: -3, xMax: 3, yMin: -3, yMax: 3 }): void {
  const ctx = canvas.getContext('2d')!;
  const { width: W, height: H } = canvas;
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, W, H);
  ctx.fillStyle = 'rgba(20,140,40,0.8)';
  const p = state.custom?.points ?? [];
  for (let i = 0; i < p.length; i += 2) ctx.fillRect(((p[i] - view.xMin) / (view.xMax - view.xMin)) * W - 1.5, ((view.yMax - p[i + 1]) / (view.yMax - view.yMin)) * H - 1.5, 3, 3);
}

/** Draw mode: a press sprays a few points around it (data coordinates of the view), dragging adds more. */
function pointer(slot: Slot, ev: PointerEvent): void {
  if (($('data') as HTMLSelectElement).value !== 'draw') return;
  const panel = panels.get(slot)!;
  const view = slot.picture?.view ?? { xMin: -3, xMax: 3, yMin: -3, yMax: 3 };
  const add = (e: PointerEvent) => {
    const r = panel.canvas.getBoundingClientRect();
    const x = view.xMin + ((e.clientX - r.left) / r.width) * (view.xMax - view.xMin);
    const y = view.yMax - ((e.clientY - r.top) / r.height) * (view.yMax - view.yMin);
    state.custom ??= { name: POINTS_FILE, points: [] };
    for (let k = 0; k < 4; k++) state.custom.points.push(+(x + 0.05 * (Math.random() - 0.5)).toFixed(4), +(y + 0.05 * (Math.random() - 0.5)).toFixed(4));
    drawCustom(panel.canvas, view);
  };
  ev.preventDefault();
  add(ev);
  panel.canvas.onpointermove = add;
  window.onpointerup = () => {
    panel.canvas.onpointermove = null;
    window.onpointerup = null;
    void rebuildAll();
  };
}

async function rebuildAll(): Promise<void> {
  await setRunning(false);
  for (const slot of state.slots) slot.overrides = { ...slot.overrides, data: { ...((slot.overrides.data as object) ?? {}), name: dataName() } };
  await build();
}

async function setSlots(configs: Record<string, unknown>[]): Promise<void> {
  state.slots = configs.map((c) => ({ overrides: c, view: null, error: '', history: [], picture: null, stale: false }));
  panels.clear();
  state.slots.forEach((slot, i) =>
    panels.set(
      slot,
      newPanel(i, slot, state.catalog!.losses, {
        rebuild: (s) => void setRunning(false).then(() => build(state.slots.indexOf(s))),
        pointer,
      }),
    ),
  );
  $('sessions').replaceChildren(...state.slots.map((s) => panels.get(s)!.el));
  $('sessions').classList.toggle('two', configs.length === 2);
  ($('compare') as HTMLInputElement).checked = configs.length === 2;
  await build();
}

/** Run or pause: the button and the page act at once; the worker confirms (document.body.dataset.training) within a slice. */
async function setRunning(on: boolean): Promise<void> {
  if (on === state.running) return;
  state.running = on;
  $('run').textContent = on ? 'pause' : 'run';
  document.body.dataset.training = on ? 'on' : 'stopping';
  await ask({ type: 'run', on, speed: state.speed });
}

onPost((m) => {
  if (m.type === 'frame') onFrame(m);
  else if (m.type === 'stopped') {
    if (m.reason === 'paused' && state.running) return; // run was pressed again meanwhile
    state.running = false;
    $('run').textContent = 'run';
    document.body.dataset.training = 'off';
    if (m.reason !== 'paused') message(m.reason, m.error);
  }
});

function shareState(): ShareState {
  const s: ShareState = { configs: state.slots.map((sl) => sl.overrides) };
  if (state.custom) s.points = state.custom.points;
  return s;
}

async function setBackend(name: string): Promise<string> {
  const r = await ask({ type: 'backend', backend: name }, 'backend');
  state.engine = r.engine;
  $('engine').textContent = r.engine;
  return r.engine;
}

async function replay(name: string): Promise<void> {
  const r = await loadRun(name);
  if (typeof r === 'string') return message(r, true);
  ($('data') as HTMLSelectElement).value = r.data;
  await setRunning(false);
  await setSlots([r.overrides]);
  state.slots[0].reference = r.reference;
  message(`replaying ${name}: press run; its curves are drawn beside the page's`);
  render();
}

function setTab(name: string): void {
  for (const u of document.querySelectorAll<HTMLButtonElement>('nav .tab')) u.classList.toggle('active', u.dataset.tab === name);
  $('points-tab').hidden = name !== 'points';
  $('images-tab').hidden = name !== 'images';
}

async function boot(): Promise<void> {
  const init = await ask({ type: 'init', backend: 'wasm', base: location.href }, 'init');
  state.catalog = init.catalog;
  state.engine = init.engine;
  $('engine').textContent = init.engine;
  const data = $('data') as HTMLSelectElement;
  for (const d of [...init.catalog.datasets, 'draw', 'csv']) data.add(new Option(d === 'draw' ? 'draw by hand' : d === 'csv' ? 'upload a CSV' : d, d));
  const backend = $('backend') as HTMLSelectElement;
  for (const b of ['wasm', 'webgl', ...('gpu' in navigator ? ['webgpu'] : []), 'cpu']) backend.add(new Option(b, b));
  let shared: ShareState | null = null;
  try {
    shared = decodeShare(location.hash);
  } catch (e) {
    message((e as Error).message, true);
  }
  if (shared?.points) state.custom = { name: POINTS_FILE, points: shared.points };
  const first = shared?.configs[0]?.data as { name?: string } | undefined;
  data.value = first?.name?.startsWith('csv:') ? 'draw' : (first?.name ?? 'ring8');
  await setSlots(shared?.configs ?? [{ loss: 'wgan-gp', data: { name: data.value }, seed: 1 }]);

  data.onchange = () => {
    $('csv-label').hidden = data.value !== 'csv';
    if (data.value !== 'csv') state.custom = null;
    void rebuildAll();
  };
  ($('csv') as HTMLInputElement).onchange = async (ev) => {
    const file = (ev.target as HTMLInputElement).files?.[0];
    if (!file) return;
    try {
      const r = await ask({ type: 'csv', text: await file.text(), name: file.name }, 'csv');
      state.custom = { name: POINTS_FILE, points: r.points };
      message(`${file.name}: ${r.description}; the page trains on 2,000 points drawn from it`);
      await rebuildAll();
    } catch (e) {
      message((e as Error).message, true);
    }
  };
  backend.onchange = async () => {
    await setRunning(false);
    await setBackend(backend.value);
    await rebuildAll();
  };
  $('compare').onchange = () => {
    const on = ($('compare') as HTMLInputElement).checked;
    const a = state.slots[0].overrides;
    void setRunning(false).then(() => setSlots(on ? [a, clean({ ...a, loss: a.loss === 'ns' ? 'wgan-gp' : 'ns', hyper: undefined, optimizerD: undefined, optimizerG: undefined, nCritic: undefined })] : [a]));
  };
  $('run').onclick = () => void setRunning(!state.running);
  const step = (type: 'stepD' | 'stepG') => async () => {
    await setRunning(false);
    take((await ask({ type }, 'slots')).slots);
    renderTextAndCharts();
  };
  $('dstep').onclick = step('stepD');
  $('gstep').onclick = step('stepG');
  window.addEventListener('unhandledrejection', (ev) => message(String((ev.reason as Error)?.message ?? ev.reason), true));
  $('reset').onclick = () => void rebuildAll();
  const speed = $('speed') as HTMLInputElement;
  speed.oninput = () => {
    state.speed = Number(speed.value);
    $('speed-value').textContent = speed.value;
    void ask({ type: 'speed', speed: state.speed });
  };
  for (const id of ['show-warp', 'show-grad']) $(id).onchange = () => render();
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
  for (const t of document.querySelectorAll<HTMLButtonElement>('nav .tab')) t.onclick = () => setTab(t.dataset.tab!);
  setupImagesTab();
  const runs = await listRuns();
  if (runs.length) {
    const select = $('runs') as HTMLSelectElement;
    select.add(new Option('–', ''));
    for (const r of runs) select.add(new Option(`${r.name} (${r.loss}, ${r.data}, ${r.steps} steps)`, r.name));
    $('runs-label').hidden = false;
    select.onchange = () => {
      if (select.value) void replay(select.value).catch((e) => message(`${select.value}: ${(e as Error).message}`, true));
    };
  }
  document.body.dataset.training = 'off';
}

/** Overrides without undefined fields (the compare view's second session drops the first's preset). */
function clean(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}

function cliLine(i: number): string {
  return cliCommand(state.slots[i].overrides, state.custom?.points);
}

/** A session as the tests and the console see it: its last view from the worker. */
const sessionView = (s: Slot) => (s.view ? { step: s.view.step, config: s.view.config, data: s.view.data, status: s.view.status, checksum: s.view.checksum } : null);

/** Hooks for the browser tests and for the curious (window.gankit in the console). */
const hooks = {
  ready: null as Promise<void> | null,
  sessions: () => state.slots.map(sessionView),
  /** n generator steps on every session, in chunks (a picture after each), without waiting for frames. */
  async train(n: number, chunk = 100): Promise<void> {
    await setRunning(false);
    take((await ask({ type: 'train', n, chunk }, 'slots')).slots);
    renderTextAndCharts();
  },
  checksum: async (i = 0) => (await ask({ type: 'ping' }), state.slots[i].view?.checksum),
  metrics: async (i = 0) => (await ask({ type: 'metrics', slot: i }, 'metrics')).metrics,
  numTensors: async () => (await ask({ type: 'numTensors' }, 'numTensors')).count,
  shareLink: () => encodeShare(shareState()),
  cliLine,
  configs: async () => (await ask({ type: 'ping' }), state.slots.map((s) => s.view?.config)),
  errors: async () => (await ask({ type: 'ping' }), state.slots.map((s) => s.error)),
  replay,
  readout: async (i = 0) => (await ask({ type: 'ping' }), readoutLines(state.slots[i]).filter(Boolean).join('\n')),
  /** Picks a backend as the menu does (the sessions start again). */
  async useBackend(name: string): Promise<string> {
    await setRunning(false);
    ($('backend') as HTMLSelectElement).value = name;
    const engine = await setBackend(name);
    await rebuildAll();
    return engine;
  },
  setTab,
};
(window as unknown as { gankit: typeof hooks }).gankit = hooks;
hooks.ready = boot().catch((e) => {
  message(`could not start: ${(e as Error).message}`, true);
  throw e;
});
