/**
 * The page's state and its line to the training worker. The page keeps what it shows — each
 * session's last view, its metric history, its last picture — and asks the worker for everything
 * else; a reply to a request means the worker has acted on every earlier message.
 */
import type { Picture, SessionMetrics } from '../../src/playground/session.js';
import type { Catalog, Post, Reply, Request, SlotView } from './protocol.js';

/** A CLI run replayed in the page: its logged rows and final checksum, drawn beside the page's. */
export interface Reference {
  name: string;
  rows: Array<Record<string, number>>;
  steps: number;
  checksum: string | null;
}

/** One session as the page holds it. */
export interface Slot {
  /** The overrides it was built from (what share links and the CLI line carry). */
  overrides: Record<string, unknown>;
  view: SlotView | null;
  error: string;
  history: SessionMetrics[];
  picture: Picture | null;
  /** The picture no longer shows this config (the last build failed). */
  stale: boolean;
  reference?: Reference;
}

export const state = {
  slots: [] as Slot[],
  running: false,
  speed: 10,
  /** Points drawn by hand or uploaded, when the data is 'draw' or 'csv'. */
  custom: null as { name: string; points: number[] } | null,
  catalog: null as Catalog | null,
  numTensors: 0,
  engine: '',
};

const worker = new Worker(new URL('worker.js', location.href), { type: 'module' });
let nextId = 1;
const waiting = new Map<number, (r: Reply) => void>();
const listeners: Array<(m: Post) => void> = [];

worker.onmessage = (ev: MessageEvent<Post>) => {
  const m = ev.data;
  if (m.type === 'reply') {
    const done = waiting.get(m.id);
    waiting.delete(m.id);
    done?.(m.reply);
    return;
  }
  for (const l of listeners) l(m);
};

/** Everything the worker posts on its own (frames, progress). */
export function onPost(listener: (m: Post) => void): void {
  listeners.push(listener);
}

/** A request to the worker; its reply (an error reply rejects). */
export function ask<T extends Reply['type']>(request: Request, expect?: T): Promise<Extract<Reply, { type: T }>> {
  const id = nextId++;
  return new Promise((resolve, reject) => {
    waiting.set(id, (r) => {
      if (r.type === 'error') reject(new Error(r.message));
      else if (expect && r.type !== expect) reject(new Error(`worker: expected ${expect}, got ${r.type}`));
      else resolve(r as Extract<Reply, { type: T }>);
    });
    worker.postMessage({ id, request });
  });
}
