/**
 * The architecture as a tested contract, read from the sources' import statements: each layer
 * imports only from itself and the layers below it; no import circle; the trainer's core (config,
 * trainer, losses, models, the 2-D trainer) loads without any Node module, so the playground can
 * run it in a page; the CLI's dispatcher stays short.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const SRC = fileURLToPath(new URL('../../src/', import.meta.url));

/** Lower layers first; a file may import from its own layer's folder or from a lower layer. */
const LAYERS: string[][] = [
  ['errors.ts'],
  ['schema.ts', 'io'],
  ['engine'],
  ['models', 'data', 'report', 'runfolder'],
  ['losses', 'metrics'],
  ['train'],
  ['kinds', 'export'],
  ['runner', 'pretrained', 'playground'],
  ['sweep'],
  ['study'],
  ['cli'],
  ['index.ts'],
];

interface Import {
  to: string;
  spec: string;
  typeOnly: boolean;
}

const walk = (dir: string): string[] => readdirSync(dir).flatMap((f) => (statSync(join(dir, f)).isDirectory() ? walk(join(dir, f)) : f.endsWith('.ts') ? [join(dir, f)] : []));
const files = walk(SRC);
const IMPORT = /(?:^|\n)\s*(import|export)\s+(type\s+)?(?:[^'"]*?\sfrom\s+)?['"]([^'"]+)['"]/g;

function importsOf(file: string): Import[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(IMPORT)].map((m) => ({
    spec: m[3],
    typeOnly: Boolean(m[2]),
    to: m[3].startsWith('.') ? resolve(dirname(file), m[3].replace(/\.js$/, '.ts')) : m[3],
  }));
}

const graph = new Map(files.map((f) => [f, importsOf(f)]));
const rel = (f: string) => relative(SRC, f).split(sep).join('/');
const top = (f: string) => rel(f).split('/')[0];
const layerOf = (f: string) => LAYERS.findIndex((names) => names.includes(top(f)));

describe('structure', () => {
  it('every source file belongs to a layer', () => {
    for (const f of files) assert.notEqual(layerOf(f), -1, `${rel(f)} is in no layer of test/structure.test.ts`);
  });

  it('no import runs upward, and none across a layer sideways', () => {
    const bad: string[] = [];
    for (const [file, imports] of graph) {
      for (const { to, spec } of imports) {
        if (!spec.startsWith('.')) continue;
        const [from, target] = [layerOf(file), layerOf(to)];
        if (target > from || (target === from && top(file) !== top(to))) bad.push(`${rel(file)} → ${rel(to)}`);
      }
    }
    assert.deepEqual(bad, []);
  });

  it('nothing in engine, losses, models, data or metrics imports from train', () => {
    const low = ['engine', 'losses', 'models', 'data', 'metrics'];
    const bad = [...graph].flatMap(([file, imports]) => (low.includes(top(file)) ? imports.filter((i) => i.spec.startsWith('.') && top(i.to) === 'train').map((i) => `${rel(file)} → ${rel(i.to)}`) : []));
    assert.deepEqual(bad, []);
  });

  it('no import circle', () => {
    // Tarjan's strongly connected components over every import, type-only ones included.
    let counter = 0;
    const index = new Map<string, number>();
    const low = new Map<string, number>();
    const stack: string[] = [];
    const onStack = new Set<string>();
    const circles: string[][] = [];
    const visit = (v: string) => {
      index.set(v, counter);
      low.set(v, counter++);
      stack.push(v);
      onStack.add(v);
      for (const { to } of graph.get(v) ?? []) {
        if (!graph.has(to)) continue;
        if (!index.has(to)) {
          visit(to);
          low.set(v, Math.min(low.get(v)!, low.get(to)!));
        } else if (onStack.has(to)) low.set(v, Math.min(low.get(v)!, index.get(to)!));
      }
      if (low.get(v) === index.get(v)) {
        const component: string[] = [];
        let w: string;
        do {
          w = stack.pop()!;
          onStack.delete(w);
          component.push(rel(w));
        } while (w !== v);
        if (component.length > 1) circles.push(component);
      }
    };
    for (const f of files) if (!index.has(f)) visit(f);
    assert.deepEqual(circles, []);
  });

  it('the trainer, its config, the losses, the 2-D trainer, the image networks and batches and the playground session load without Node modules (for the browser page)', () => {
    const nodeOnly = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`), '@resvg/resvg-js', 'sharp', 'better-sqlite3', 'pngjs', 'mnist']);
    const entries = ['train/trainer.ts', 'train/config.ts', 'losses/index.ts', 'kinds/points/trainer.ts', 'kinds/points/measure.ts', 'metrics/modes.ts', 'metrics/distance.ts', 'playground/session.ts', 'playground/share.ts', 'playground/settings.ts', 'kinds/images/networks.ts', 'data/imageBatches.ts', 'export/model.ts'].map((f) => join(SRC, f));
    const seen = new Set<string>();
    const offending: string[] = [];
    const visit = (file: string, path: string[]) => {
      if (seen.has(file)) return;
      seen.add(file);
      for (const i of graph.get(file) ?? []) {
        if (i.typeOnly) continue; // erased when compiled
        if (i.spec.startsWith('.')) visit(i.to, [...path, rel(i.to)]);
        else if (nodeOnly.has(i.spec)) offending.push(`${[...path].join(' → ')} imports ${i.spec}`);
      }
    };
    for (const e of entries) visit(e, [rel(e)]);
    assert.deepEqual(offending, []);
    assert.ok(seen.size > 20, `walked ${seen.size} modules`);
  });

  it('src/cli/main.ts is a short dispatcher; every command has a file of its own', () => {
    const main = readFileSync(join(SRC, 'cli/main.ts'), 'utf8').split('\n').length;
    assert.ok(main < 80, `src/cli/main.ts has ${main} lines`);
    // Every entry of COMMANDS (src/cli/commands/index.ts) is imported there from a file of its own, named after the command.
    const table = readFileSync(join(SRC, 'cli/commands/index.ts'), 'utf8');
    const entries = table.match(/COMMANDS[^=]*=\s*\[([^\]]*)\]/)![1].split(',').map((s) => s.trim()).filter(Boolean);
    const files = new Map([...table.matchAll(/import \{ (\w+) \} from '\.\/([\w-]+)\.js'/g)].map((m) => [m[1], m[2]]));
    assert.ok(entries.length >= 11, `COMMANDS: ${entries.join(', ')}`);
    for (const entry of entries) {
      const file = files.get(entry);
      assert.ok(file, `COMMANDS' ${entry} is not imported from a file of src/cli/commands/`);
      const text = readFileSync(join(SRC, 'cli/commands', `${file}.ts`), 'utf8');
      assert.match(text, new RegExp(`name: '${file}'`), `src/cli/commands/${file}.ts is not the command '${file}'`);
    }
  });
});
