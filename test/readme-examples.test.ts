/**
 * Every ```js block of README.md runs, as written, as plain JavaScript on this Node (20+):
 * each is checked with `node --check` (so TypeScript-only syntax or `using` fails here),
 * then run in a child process as an ES module, with `'closure-ffi'` resolved to this
 * checkout's sources (through a generated module that re-exports src/index.ts).
 *
 * The rule for README authors: fence an example as ```js when it runs on its own (give it
 * a small self-contained setup: libc, a FnPtr calling the thunk the way a C API would);
 * fence it as ```ts when it needs a C library that may be absent (Lua, FFmpeg, a thread
 * pool) or shows TypeScript. A block must not print to stderr or exit non-zero.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, describe, test } from 'node:test';
import * as api from '../src/index';
import { REPO_ROOT } from './support/child';
import { timeLimit } from './support/emulation';

/** The ```js blocks of the README, with the line each starts on. */
function jsBlocks(markdown: string): { line: number; code: string }[] {
  const blocks: { line: number; code: string }[] = [];
  const lines = markdown.split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (lines[i]!.trim() !== '```js') continue;
    const start = i + 1;
    let end = start;
    while (end < lines.length && lines[end]!.trim() !== '```') end++;
    blocks.push({ line: start + 1, code: lines.slice(start, end).join('\n') });
    i = end;
  }
  return blocks;
}

const dir = mkdtempSync(join(tmpdir(), 'closure-ffi-readme-'));
after(() => rmSync(dir, { recursive: true, force: true }));

// An ES module standing for the package: named exports of the TypeScript sources.
const shim = join(dir, 'closure-ffi.mjs');
const names = Object.keys(api).filter((k) => /^[A-Za-z_$][\w$]*$/.test(k));
writeFileSync(shim, `import m from ${JSON.stringify(pathToFileURL(join(REPO_ROOT, 'src', 'index.ts')).href)};\n` +
  names.map((n) => `export const ${n} = m.${n};`).join('\n') + '\n');

const blocks = jsBlocks(readFileSync(join(REPO_ROOT, 'README.md'), 'utf8'));

describe('README examples', () => {
  test('the README has runnable examples', () => {
    assert.ok(blocks.length >= 5, `found ${blocks.length} js blocks`);
  });

  for (const { line, code } of blocks) {
    test(`README.md:${line} runs as plain JS`, () => {
      const file = join(dir, `line-${line}.mjs`);
      writeFileSync(file, code);
      // Plain JS first: node alone, no TypeScript loader.
      execFileSync(process.execPath, ['--check', file], { stdio: 'pipe' });
      writeFileSync(file, code.replace(/from 'closure-ffi'/g, `from ${JSON.stringify(pathToFileURL(shim).href)}`)); // a URL: on Windows an absolute path is not one
      const r = spawnSync(process.execPath, ['--import', 'tsx', file], {
        cwd: REPO_ROOT, encoding: 'utf8', timeout: timeLimit(60_000), env: { ...process.env, NODE_OPTIONS: '' },
      });
      assert.equal(r.status, 0, `README.md:${line} exited with ${r.status} ${r.signal ?? ''}\n${r.stdout}\n${r.stderr}`);
      assert.equal(r.stderr, '', `README.md:${line} wrote to stderr:\n${r.stderr}`);
    });
  }
});
