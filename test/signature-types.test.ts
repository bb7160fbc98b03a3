// Type-level signatures: compiles test/types/signature-types.ts (positive cases and
// `@ts-expect-error` lines for wrong closures) with the project's compiler options, and
// keeps the template-literal parser cheap for the compiler.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import ts from 'typescript';

const root = join(__dirname, '..');

function compile(files: string[]): { diagnostics: string[]; instantiations: number } {
  const configPath = join(root, 'tsconfig.json');
  const config = ts.readConfigFile(configPath, ts.sys.readFile);
  const parsed = ts.parseJsonConfigFileContent(config.config, ts.sys, root);
  const program = ts.createProgram(files, { ...parsed.options, noEmit: true });
  const diagnostics = ts.getPreEmitDiagnostics(program).map((d) =>
    ts.formatDiagnostic(d, { getCanonicalFileName: (f) => f, getCurrentDirectory: () => root, getNewLine: () => '\n' }));
  const checker = program.getTypeChecker() as ts.TypeChecker & { getInstantiationCount?: () => number };
  return { diagnostics, instantiations: checker.getInstantiationCount?.() ?? 0 };
}

test('type-level signatures: test/types/signature-types.ts type-checks (every @ts-expect-error is an error)', () => {
  const { diagnostics } = compile([join(root, 'test/types/signature-types.ts')]);
  assert.deepEqual(diagnostics, []);
});

test('type-level parser stays cheap on wide prototypes', () => {
  const base = compile([join(root, 'src/signature/typelevel.ts')]);
  const file = join(root, 'test/types/wide-signature.ts');
  const { diagnostics, instantiations } = compile([file]);
  assert.deepEqual(diagnostics, []);
  // 3 prototypes of 16 to 32 parameters, with nested function pointers; measured ~12k
  assert.ok(instantiations - base.instantiations < 40_000, `${instantiations - base.instantiations} type instantiations`);
});
