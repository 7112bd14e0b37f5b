/**
 * Modules for the engine's Node-only paths (threads, core count, Dawn for webgpu), imported by a computed
 * name so that browser bundlers leave them out instead of failing to resolve them.
 */
export const isNode = typeof process !== 'undefined' && typeof process.versions?.node === 'string';

export function nodeImport<T>(name: 'node:os' | 'node:module' | 'node:worker_threads' | 'node:fs' | 'webgpu'): Promise<T> {
  const specifier: string = name;
  return import(/* @vite-ignore */ /* webpackIgnore: true */ specifier) as Promise<T>;
}
