/**
 * The TSDoc examples of `types.define` and `types.defineConvention` (src/signature/type-names.ts)
 * run as written on this machine (they used __stdcall, which throws on x86-64). The
 * defineConvention one is for x86-64 (cc.Win64): on AArch64 it must fail at construction.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BareFn, cc, types } from '../src/index';

test('types.define example runs', () => {
  types.define('HWND', 'void *');
  types.define('LPARAM', 'intptr_t');
  types.define('WNDENUMPROC', 'int (*)(HWND, LPARAM)');
  const f = new BareFn('int (HWND hwnd, LPARAM lParam)', (_hwnd, _lParam) => 1);
  assert.equal(typeof f.bare(), 'bigint');
  f.dispose();
});

test('types.defineConvention example runs (on x86-64; elsewhere Win64 is refused, the macro expanded)', () => {
  types.defineConvention('WINAPI', cc.Win64);
  types.define('BOOL', 'int');
  if (process.arch !== 'x64') {
    // The example is for Linux x86-64 (the only CPU with the Microsoft x64 convention).
    assert.throws(() => new BareFn('BOOL WINAPI (void *, intptr_t)', (_hwnd, _lParam) => 1),
      { code: 'ERR_UNSUPPORTED_CONVENTION', message: /Win64 \(in 'BOOL __ms_abi \(void \*, intptr_t\)'\) exists only on x86-64/ });
    return;
  }
  const f = new BareFn('BOOL WINAPI (void *, intptr_t)', (_hwnd, _lParam) => 1);
  assert.match(f.signature, /__ms_abi/);
  f.dispose();
});
