/**
 * One session's panel: its loss menu, the picture and its key, a readout of fixed size, the
 * settings form (the knobs from the config field table, the whole config as JSON under
 * "advanced") and the error of the last build — after which the picture is greyed out, since it
 * no longer shows the settings.
 */
import type { Knob } from '../../src/playground/settings.js';
import { drawPicture, heat, REAL_COLOUR, FAKE_COLOUR, ARROW_COLOUR } from './draw.js';
import type { DrawOptions, FieldScale } from './draw.js';
import { readoutText } from '../../src/playground/charts.js';
import { state } from './state.js';
import type { Slot } from './state.js';

export interface PanelHandlers {
  /** The slot's overrides changed (the loss menu, the form, the JSON): build it again. */
  rebuild(slot: Slot): void;
  /** A pointer went down on the plane (drawing points by hand). */
  pointer(slot: Slot, ev: PointerEvent): void;
}

export interface Panel {
  el: HTMLElement;
  canvas: HTMLCanvasElement;
  readout: HTMLElement;
  error: HTMLElement;
  loss: HTMLSelectElement;
}

/** Lines the readout always has (blank when there is nothing to say): the layout never moves. */
const READOUT_LINES = 6;

const fmt = (v: number | null | undefined, digits = 4) => (typeof v === 'number' && Number.isFinite(v) ? v.toFixed(digits) : '–');

export function newPanel(index: number, slot: Slot, losses: string[], on: PanelHandlers): Panel {
  const el = document.createElement('div');
  el.className = 'session';
  el.innerHTML = `<h2><span class="who">${index ? 'B' : 'A'}</span> <select class="loss" aria-label="loss"></select></h2>
    <div class="plane"><canvas width="380" height="380"></canvas></div>
    <div class="key"></div>
    <div class="readout"></div><div class="error" role="alert"></div>
    <details class="settings"><summary>settings</summary>
      <form class="knobs"></form>
      <div class="settings-row"><button class="apply" type="button">apply</button><button class="preset" type="button">back to the preset</button></div>
      <details class="advanced"><summary>advanced: the whole config as JSON (flag names such as "lr" work too)</summary>
        <textarea spellcheck="false" aria-label="config JSON"></textarea>
        <div class="settings-row"><button class="apply-json" type="button">apply the JSON</button></div>
      </details>
    </details>`;
  const panel: Panel = { el, canvas: el.querySelector('canvas')!, readout: el.querySelector('.readout')!, error: el.querySelector('.error')!, loss: el.querySelector('select')! };
  for (const name of losses) panel.loss.add(new Option(name, name));
  panel.loss.value = String(slot.overrides.loss ?? 'wgan-gp');
  panel.loss.onchange = () => {
    slot.overrides = { loss: panel.loss.value, data: slot.overrides.data, seed: slot.overrides.seed ?? 1 };
    on.rebuild(slot);
  };
  el.querySelector<HTMLButtonElement>('.preset')!.onclick = () => panel.loss.onchange!(new Event('change'));
  el.querySelector<HTMLButtonElement>('.apply')!.onclick = () => {
    try {
      slot.overrides = formOverrides(el.querySelector('form')!, slot);
    } catch (e) {
      return void (panel.error.textContent = `settings: ${(e as Error).message}`);
    }
    on.rebuild(slot);
  };
  el.querySelector<HTMLButtonElement>('.apply-json')!.onclick = () => {
    try {
      slot.overrides = JSON.parse(el.querySelector('textarea')!.value);
    } catch (e) {
      slot.stale = true;
      panel.canvas.classList.add('stale');
      return void (panel.error.textContent = `settings: ${(e as Error).message}`);
    }
    on.rebuild(slot);
  };
  panel.canvas.onpointerdown = (ev) => on.pointer(slot, ev);
  renderReadout(panel, slot);
  return panel;
}

/** The slot's overrides with the form's values where they differ from the resolved config. */
function formOverrides(form: HTMLFormElement, slot: Slot): Record<string, unknown> {
  const out = structuredClone(slot.overrides);
  for (const input of form.querySelectorAll<HTMLInputElement | HTMLSelectElement>('[data-path]')) {
    const knob = JSON.parse(input.dataset.knob!) as Knob;
    let v: unknown;
    if (knob.input === 'boolean') v = (input as HTMLInputElement).checked;
    else if (knob.input === 'choice') v = typeof knob.value === 'number' ? Number(input.value) : input.value;
    else {
      if (input.value.trim() === '') throw new Error(`${knob.label}: give a number`);
      v = Number(input.value);
    }
    if (v === knob.value) continue;
    const keys = knob.path.split('.');
    let node = out as Record<string, unknown>;
    for (const k of keys.slice(0, -1)) node = (node[k] = node[k] && typeof node[k] === 'object' ? { ...(node[k] as object) } : {}) as Record<string, unknown>;
    node[keys[keys.length - 1]] = v;
  }
  return out;
}

/** The form and the JSON for the slot's resolved config (left as they are when the build failed). */
export function renderSettings(panel: Panel, slot: Slot): void {
  const view = slot.view;
  if (!view) return;
  panel.loss.value = view.loss;
  panel.el.querySelector('textarea')!.value = JSON.stringify(view.config, null, 1);
  const form = panel.el.querySelector('form')!;
  form.replaceChildren(
    ...view.knobs.map((k) => {
      const label = document.createElement('label');
      label.title = k.doc;
      label.append(k.label);
      let input: HTMLInputElement | HTMLSelectElement;
      if (k.input === 'choice') {
        input = document.createElement('select');
        for (const c of k.choices ?? []) input.add(new Option(c, c));
        input.value = String(k.value);
      } else {
        input = document.createElement('input');
        if (k.input === 'boolean') {
          input.type = 'checkbox';
          input.checked = k.value === true;
        } else {
          input.type = 'number';
          input.step = k.input === 'integer' ? '1' : 'any';
          if (k.min !== undefined) input.min = String(k.min);
          if (k.max !== undefined) input.max = String(k.max);
          input.value = k.value === undefined ? '' : String(k.value);
        }
      }
      input.dataset.path = k.path;
      input.dataset.knob = JSON.stringify(k);
      label.append(input);
      return label;
    }),
  );
}

/** The picture (when a new one came), its key, and the greying of a stale one. */
export function renderPicture(panel: Panel, slot: Slot, o: DrawOptions): void {
  panel.canvas.classList.toggle('stale', slot.stale);
  if (!slot.picture) return;
  const scale = drawPicture(panel.canvas, slot.picture, o);
  renderKey(panel.el.querySelector('.key')!, scale, Boolean(slot.picture.codes));
}

function renderKey(box: HTMLElement, s: FieldScale, codes: boolean): void {
  const bar = Array.from({ length: 11 }, (_, i) => `rgb(${heat(i / 10).join(',')})`).join(',');
  const n = (v: number) => (Math.abs(v) >= 100 || (Math.abs(v) < 0.01 && v !== 0) ? v.toExponential(1) : v.toFixed(2));
  box.innerHTML = `<span><i class="dot" style="background:${REAL_COLOUR}"></i>real data</span>
    <span><i class="dot round" style="background:${codes ? 'conic-gradient(#e6194b,#3cb44b,#4363d8,#f58231,#e6194b)' : FAKE_COLOUR}"></i>generated${codes ? ' (colour: code)' : ''}</span>
    <span><i class="arrow" style="border-color:${ARROW_COLOUR}"></i>G's next move</span>
    <span class="scale"><span class="lo">${n(s.lo)}</span><i class="bar" style="background:linear-gradient(to right,${bar})"></i><span class="hi">${n(s.hi)}</span> ${s.label}</span>`;
}

/** The readout: always READOUT_LINES lines, each cut to the panel's width. */
export function readoutLines(slot: Slot): string[] {
  const v = slot.view;
  const lines: string[] = [];
  if (v) {
    const m = slot.history[slot.history.length - 1];
    lines.push(`step ${v.step}/${v.steps}${v.status === 'diverged' ? `  DIVERGED: ${v.divergence}` : ''}`);
    lines.push(m && m.modesCovered !== undefined ? `modes ${m.modesCovered}/${m.totalModes}  HQ ${(100 * m.highQualityShare!).toFixed(1)}%  SW₁ ${fmt(m.slicedWasserstein)}` : `sliced W₁ ${fmt(m?.slicedWasserstein)}`);
    lines.push(`D loss ${fmt(v.last?.dLoss)}  G loss ${fmt(v.last?.gLoss)}`);
    lines.push(Object.entries(v.last?.diagnostics ?? {}).map(([k, x]) => readoutText(state.catalog?.columns ?? [], k, fmt(x))).join('  '));
    lines.push(`weights checksum ${v.checksum}`);
    const ref = slot.reference;
    if (ref?.checksum) lines.push(`CLI run ${ref.name}: ${ref.checksum} after ${ref.steps} steps${v.step === ref.steps ? (v.checksum === ref.checksum ? ' — equal' : " — differs (its backend, threads or native kernels differ from the page's)") : ''}`);
  }
  while (lines.length < READOUT_LINES) lines.push('');
  return lines.slice(0, READOUT_LINES);
}

export function renderReadout(panel: Panel, slot: Slot): void {
  const lines = readoutLines(slot);
  if (panel.readout.children.length !== READOUT_LINES) panel.readout.replaceChildren(...lines.map(() => document.createElement('div')));
  lines.forEach((l, i) => {
    const div = panel.readout.children[i] as HTMLElement;
    if (div.textContent !== l) {
      div.textContent = l || ' ';
      div.title = l;
    }
  });
  panel.error.textContent = slot.error;
}
