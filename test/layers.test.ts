/**
 * The layers of src/ import only downward (docs/architecture.md): a file may import its own
 * layer and the layers below it, never one above. Type-only imports are free (they leave
 * no dependency at run time: an ABI classifier may name an assembler's register type).
 * `errors.ts` is shared by all.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative, resolve, sep } from 'node:path';
import { test } from 'node:test';

const SRC = resolve(__dirname, '..', 'src');

/** Bottom to top. The top-level files are the public API. */
const LAYERS = ['native', 'signature', 'abi', 'asm', 'arch', 'jit', 'runtime', 'api'] as const;

function layerOf(file: string): number {
  const rel = relative(SRC, file);
  if (rel === 'errors.ts') return -1;
  const parts = rel.split(sep); // relative() uses the platform's separator: '\\' on Windows
  const top = parts.length > 1 ? parts[0]! : 'api';
  const i = LAYERS.indexOf(top as (typeof LAYERS)[number]);
  assert.ok(i >= 0, `${rel} is in no layer: add its folder to LAYERS and to docs/architecture.md`);
  return i;
}

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? sources(p) : p.endsWith('.ts') ? [p] : [];
  });
}

function resolveImport(from: string, spec: string): string | undefined {
  const base = normalize(join(dirname(from), spec));
  for (const c of [`${base}.ts`, join(base, 'index.ts')]) {
    try {
      if (statSync(c).isFile()) return c;
    } catch {
      // not this one
    }
  }
  return undefined;
}

/** Value imports (and re-exports) of a file, as resolved paths. */
function valueImports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const out: string[] = [];
  const re = /^\s*(import|export)\s+(type\s+)?[^'";]*?from\s+['"](\.{1,2}\/[^'"]+)['"]/gms;
  for (const m of text.matchAll(re)) {
    if (m[2]) continue; // `import type` / `export type`
    const target = resolveImport(file, m[3]!);
    if (target) out.push(target);
  }
  for (const m of text.matchAll(/require\(['"](\.{1,2}\/[^'"]+)['"]\)/g)) {
    const target = resolveImport(file, m[1]!);
    if (target) out.push(target);
  }
  return out;
}

test('src/ imports only run downward through its layers', () => {
  const upward: string[] = [];
  const files = sources(SRC);
  for (const file of files) {
    const from = layerOf(file);
    for (const target of valueImports(file)) {
      const to = layerOf(target);
      if (to > from) upward.push(`${relative(SRC, file)} (${LAYERS[from] ?? 'shared'}) imports ${relative(SRC, target)} (${LAYERS[to]})`);
    }
  }
  assert.ok(files.length > 50, `found ${files.length} source files`);
  assert.deepEqual(upward, [], `imports from a lower layer up:\n${upward.join('\n')}`);
});

test('the check sees an upward import (a file of the lowest layer importing the API)', () => {
  const probe = join(SRC, 'native', 'bridge.ts');
  assert.equal(layerOf(probe), 0);
  assert.equal(layerOf(join(SRC, 'fn-ptr.ts')), LAYERS.indexOf('api'));
  assert.ok(valueImports(join(SRC, 'fn-ptr.ts')).length > 0, 'value imports are found');
});
