// Type-level structs, unions, arrays and C strings: compiles test/types/struct-types.ts
// (positive cases and `@ts-expect-error` lines for wrong closures) with the project's
// compiler options.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import ts from 'typescript';

const root = join(__dirname, '..');

test('type-level structs: test/types/struct-types.ts type-checks (every @ts-expect-error is an error)', () => {
  const configPath = join(root, 'tsconfig.json');
  const config = ts.readConfigFile(configPath, ts.sys.readFile);
  const parsed = ts.parseJsonConfigFileContent(config.config, ts.sys, root);
  const program = ts.createProgram([join(root, 'test/types/struct-types.ts')], { ...parsed.options, noEmit: true });
  const diagnostics = ts.getPreEmitDiagnostics(program).map((d) =>
    ts.formatDiagnostic(d, { getCanonicalFileName: (f) => f, getCurrentDirectory: () => root, getNewLine: () => '\n' }));
  assert.deepEqual(diagnostics, []);
});
