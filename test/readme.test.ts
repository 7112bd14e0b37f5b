/**
 * The README's code examples run as written: each ```ts block that imports from 'gankit' is
 * compiled, pointed at this build of the package, and run in a fresh folder. Every test that
 * §Reliability names in brackets is there.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import ts from 'typescript';

const README = fileURLToPath(new URL('../../README.md', import.meta.url));
const INDEX = pathToFileURL(fileURLToPath(new URL('../src/index.js', import.meta.url))).href;

const examples = [...readFileSync(README, 'utf8').matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]).filter((code) => code.includes("from 'gankit'"));

describe('README §Reliability', () => {
  it('every test named in brackets exists: [FILE: "title", …; FILE: …] names test/FILE.test.ts and a title in it', () => {
    const text = readFileSync(README, 'utf8');
    const section = text.slice(text.indexOf('## Reliability'), text.indexOf('\n## ', text.indexOf('## Reliability') + 1));
    const groups = [...section.matchAll(/\[([a-z.]+:\s[^\]]+)\]/g)].flatMap((m) => m[1].split(/;\s*(?=[a-z.]+:\s)/));
    assert.ok(groups.length >= 15, `${groups.length} bracketed groups`);
    for (const group of groups) {
      const [, file, rest] = group.match(/^([a-z.]+):\s+([\s\S]+)$/)!;
      const source = readFileSync(fileURLToPath(new URL(`../../test/${file}.test.ts`, import.meta.url)), 'utf8').replace(/\\'/g, "'");
      for (const [, quoted] of rest.matchAll(/"([^"]+)"/g)) {
        // A title or a part of it ("…" ends a shortened one; line breaks are spaces; a table's row names some).
        const title = quoted.replace(/\s+/g, ' ').replace(/ ?…$/, '');
        assert.ok(source.includes(title), `${file}: no test titled "${title}…"`);
      }
    }
  });
});

describe('README examples', () => {
  it('there are examples that train from code', () => {
    assert.ok(examples.length >= 2, `${examples.length} examples`);
    assert.ok(examples[0].split('\n').filter((l) => l.trim()).length <= 16, 'the first trains in about 15 lines');
  });

  examples.forEach((code, i) => {
    it(`example ${i + 1} runs and prints what it says`, () => {
      const dir = mkdtempSync(join(tmpdir(), 'gankit-readme-'));
      const js = ts.transpileModule(code.replace(/from 'gankit'/g, `from '${INDEX}'`), { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } }).outputText;
      writeFileSync(join(dir, 'example.mjs'), js);
      const r = spawnSync(process.execPath, ['example.mjs'], { cwd: dir, encoding: 'utf8', env: { ...process.env, GANKIT_THREADS: '1' } });
      assert.equal(r.status, 0, r.stderr);
      if (code.includes('evaluateModes')) assert.match(r.stdout, /^\d\/8 modes, \d+% high quality$/m);
      if (code.includes('startRun')) assert.match(r.stdout, /^\d+ finished$/m);
      if (code.includes('exportGenerator')) assert.match(r.stdout, /^\[ 4, 2 \] true$/m);
    });
  });
});
