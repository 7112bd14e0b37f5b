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

/** What a page state holds: one config, or two for the compare view. */
export interface ShareState {
  configs: Record<string, unknown>[];
  /** Generator steps to run to (the page runs until then when opened). */
  steps?: number;
}

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
  return state;
}

/** The shell line that runs the config with the CLI (the same trainer, bit for bit on wasm with one thread). */
export function cliCommand(config: Record<string, unknown>, file = 'playground.json'): string {
  const json = JSON.stringify(config).replace(/'/g, `'\\''`);
  return `printf '%s' '${json}' > ${file} && GANKIT_THREADS=1 npx gankit train --config ${file} --native off`;
}
