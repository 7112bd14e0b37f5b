/**
 * The playground's share links and CLI lines: the whole config a session was made from lives in
 * the URL's fragment (base64url of its JSON), and the `gankit train` line that reproduces the run
 * writes the same JSON to a config file. Browser-safe (no Node modules).
 */

const toBase64Url = (text: string): string => {
  const bytes = new TextEncoder().encode(text);
  let bin = '';
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
};

const fromBase64Url = (text: string): string => {
  const bin = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  return new TextDecoder().decode(Uint8Array.from(bin, (c) => c.charCodeAt(0)));
};

/** What a page state holds: one config, or two for the compare view, and any points drawn or uploaded. */
export interface ShareState {
  configs: Record<string, unknown>[];
  /** Custom 2-D data as [x0, y0, x1, y1, …] (the configs then name it csv:playground-points.csv). */
  points?: number[];
}

/** The file name custom points get, in the page and in the CLI line. */
export const POINTS_FILE = 'playground-points.csv';

export function encodeShare(state: ShareState): string {
  return `c=${toBase64Url(JSON.stringify(state))}`;
}

/** The state in a fragment (`#c=…`, with or without '#'); null when there is none; an error when it is malformed. */
export function decodeShare(fragment: string): ShareState | null {
  const m = /(?:^|[#&])c=([A-Za-z0-9_-]+)/.exec(fragment);
  if (!m) return null;
  let state: ShareState;
  try {
    state = JSON.parse(fromBase64Url(m[1])) as ShareState;
  } catch {
    throw new Error('the link\'s config is not readable (it was cut short or edited)');
  }
  if (!state || !Array.isArray(state.configs) || state.configs.length < 1 || state.configs.length > 2 || state.configs.some((c) => typeof c !== 'object' || c === null)) {
    throw new Error('the link\'s config must hold one or two configs');
  }
  if (state.points !== undefined && (!Array.isArray(state.points) || state.points.length < 4 || state.points.length % 2 || state.points.some((v) => typeof v !== 'number' || !Number.isFinite(v)))) {
    throw new Error('the link\'s points must be an even list of at least 4 finite numbers');
  }
  return state;
}

/**
 * The shell line that runs the config with the CLI (the same trainer, bit for bit on wasm with one
 * thread); with `points`, it first writes them to POINTS_FILE, which the config then names.
 */
export function cliCommand(config: Record<string, unknown>, points?: readonly number[], file = 'playground.json'): string {
  const quote = (text: string) => `'${text.replace(/'/g, `'\\''`)}'`;
  const line = `printf '%s' ${quote(JSON.stringify(config))} > ${file} && GANKIT_THREADS=1 npx gankit train --config ${file} --native off`;
  if (!points) return line;
  const csv = Array.from({ length: points.length / 2 }, (_, i) => `${points[2 * i]},${points[2 * i + 1]}`).join('\n');
  return `printf '%s\\n' ${quote(csv)} > ${POINTS_FILE} && ${line}`;
}
