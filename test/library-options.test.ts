/**
 * loadLibrary's dlopen flags: `deep` (RTLD_DEEPBIND), `global` (RTLD_GLOBAL), `lazy`
 * (RTLD_LAZY), `nodelete` (RTLD_NODELETE), each observed through what it changes, and
 * the refusal of unknown option names and non-boolean values.
 *
 * On Windows (native/library_win32.c) a DLL's imports name the DLL they come from and are
 * bound at load: `deep` is what always happens, `global` and `lazy` are refused, and what
 * the Linux tests observe through them is observed through a DLL's imports instead (found
 * next to the DLL, or loading fails).
 */
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { FnPtr, InvalidOptionError, loadLibrary } from '../src/index';
import { cacheDir, compileSharedLibrary } from './support/cc';
import { notOnWindows, ON_WINDOWS } from './support/platform';

// Defines its own `labs`, which libc (already loaded, earlier in the global scope) also has.
// Two copies: dlopen of a path already open returns the open one, whatever the flags.
const shadowingSource = `
#include <stdlib.h>
#include <stdint.h>
long labs(long x) { (void)x; return 4242; }
int64_t call_own_labs(int64_t x) { return labs((long)x); }
`;
const shadowing = compileSharedLibrary('libopt-shadow', shadowingSource, ['-fno-builtin']);
const shadowingDeep = compileSharedLibrary('libopt-shadow-deep', shadowingSource, ['-fno-builtin']);
// Exports data and a function that later libraries use without linking against it.
const providerSource = `
int provider_value = 77;
int provider_fn(void) { return provider_value + 1; }
`;
/** The name a consumer's imports give the provider DLL on Windows (set by a .def file). */
const PROVIDER_DLL = 'cffi-libopt-provider.dll';
/** A .def file giving a DLL the internal name PROVIDER_DLL (what the DLLs linked against it import from). */
function providerDef(name: string, exports: string[]): string {
  const def = join(cacheDir(), `${name}.def`);
  writeFileSync(def, `LIBRARY "${PROVIDER_DLL}"\nEXPORTS\n${exports.map((e) => `  ${e}\n`).join('')}`);
  return def;
}
const provider = ON_WINDOWS
  ? compileSharedLibrary('libopt-provider', providerSource, [providerDef('libopt-provider', ['provider_fn', 'provider_value DATA'])])
  : compileSharedLibrary('libopt-provider', providerSource);
const consumerSource = `
int provider_fn(void);
int consumer_fn(void) { return provider_fn() * 2; }
`;
// Linux: references provider_fn without being linked against the provider. Windows: imports
// it from PROVIDER_DLL (a DLL cannot leave a reference unresolved).
const consumer = ON_WINDOWS
  ? compileSharedLibrary('libopt-consumer', consumerSource, [provider])
  : compileSharedLibrary('libopt-consumer', consumerSource);
// A function that calls a symbol nobody defines: loadable only lazily. On Windows it imports
// nowhere_defined from PROVIDER_DLL, as a provider built with it had it, and the provider
// found at load has not.
const unresolvedSource = `
int nowhere_defined(void);
int calls_nowhere(void) { return nowhere_defined(); }
int fine(void) { return 5; }
`;
const unresolved = ON_WINDOWS
  ? compileSharedLibrary('libopt-unresolved', unresolvedSource, [
      compileSharedLibrary('libopt-provider-old', 'int nowhere_defined(void) { return 1; }\n', [
        providerDef('libopt-provider-old', ['nowhere_defined']),
      ]),
    ])
  : compileSharedLibrary('libopt-unresolved', unresolvedSource);

/**
 * On Windows: a fresh directory holding copies of `files` (path -> name). A loaded DLL
 * cannot be deleted, so these are removed by the next run (one still in use is left).
 */
function dllDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(cacheDir(), 'libopt-'));
  for (const [name, from] of Object.entries(files)) copyFileSync(from, join(dir, name));
  return dir;
}
if (ON_WINDOWS) {
  for (const old of readdirSync(cacheDir()).filter((n) => n.startsWith('libopt-') && !n.includes('.'))) {
    try {
      rmSync(join(cacheDir(), old), { recursive: true, force: true });
    } catch {
      // in use by a test process running now
    }
  }
}
const dlopenError = (re: RegExp) => (e: unknown) => (e as { code?: string }).code === 'ERR_DLOPEN' && re.test((e as Error).message);
const refusedOnWindows = (option: string) => (e: unknown) =>
  (e as { code?: string }).code === 'ERR_UNSUPPORTED_PLATFORM' && new RegExp(`'${option}'`).test((e as Error).message);

// State that survives a close only if the library stays mapped.
const counter = compileSharedLibrary('libopt-counter', `
static int count;
int bump(void) { return ++count; }
`);

describe('loadLibrary options', () => {
  test('deep: the library binds its own calls to its own symbols, not to those already loaded', () => {
    const shallow = loadLibrary(shadowing);
    const shallowCall = new FnPtr('int64_t (int64_t)', shallow.symbol('call_own_labs'));
    if (ON_WINDOWS) assert.equal(shallowCall.call(-3n), 4242n, 'Windows: a DLL\'s own calls always bind to its own labs');
    else assert.equal(shallowCall.call(-3n), 3n, 'default: the call binds to libc\'s labs, loaded first');
    const deep = loadLibrary(shadowingDeep, { deep: true });
    const deepCall = new FnPtr('int64_t (int64_t)', deep.symbol('call_own_labs'));
    assert.equal(deepCall.call(-3n), 4242n, 'deep: the call binds to the library\'s own labs');
  });

  test('global: a library\'s symbols resolve the references of libraries loaded after it', { skip: notOnWindows('no global symbol namespace (refused; the Windows test below)') }, () => {
    assert.throws(() => loadLibrary(consumer), (e: unknown) =>
      (e as { code?: string }).code === 'ERR_DLOPEN' && /provider_fn/.test((e as Error).message));
    loadLibrary(provider, { global: true });
    const lib = loadLibrary(consumer);
    assert.equal(new FnPtr('int (void)', lib.symbol('consumer_fn')).call(), 156);
  });

  test('lazy: a function calling a missing symbol does not prevent loading; the default (now) does', { skip: notOnWindows('imports are bound at load (lazy refused; the Windows test below)') }, () => {
    assert.throws(() => loadLibrary(unresolved), (e: unknown) =>
      (e as { code?: string }).code === 'ERR_DLOPEN' && /nowhere_defined/.test((e as Error).message));
    const lib = loadLibrary(unresolved, { lazy: true });
    assert.equal(new FnPtr('int (void)', lib.symbol('fine')).call(), 5);
  });

  if (ON_WINDOWS) {
    test('Windows: global is refused; a DLL\'s imports resolve through the DLL they name, found next to it', () => {
      assert.throws(() => loadLibrary(provider, { global: true }), refusedOnWindows('global'));
      const dir = dllDir({ 'consumer.dll': consumer });
      const alone = join(dir, 'consumer.dll');
      assert.throws(() => loadLibrary(alone), dlopenError(/consumer\.dll/), 'without its provider next to it');
      copyFileSync(provider, join(dir, PROVIDER_DLL));
      assert.equal(new FnPtr('int (void)', loadLibrary(alone).symbol('consumer_fn')).call(), 156);
    });

    test('Windows: lazy is refused', () => {
      assert.throws(() => loadLibrary(unresolved, { lazy: true }), refusedOnWindows('lazy'));
    });

    // Wine's loader (unlike Windows') loads such a DLL, with a stub in place of the missing function.
    const underWine = (() => {
      try {
        return typeof loadLibrary('ntdll.dll').symbol('wine_get_version') === 'bigint';
      } catch {
        return false;
      }
    })();
    test('Windows: a DLL importing a function its provider lacks fails at load', {
      skip: underWine && 'under Wine: its loader stubs a missing import instead of failing the load',
    }, () => {
      const dir = dllDir({ 'unresolved.dll': unresolved, [PROVIDER_DLL]: provider });
      assert.throws(() => loadLibrary(join(dir, 'unresolved.dll')), dlopenError(/unresolved\.dll/));
    });
  }

  test('nodelete: the library stays mapped (its state survives) after close', () => {
    const a = loadLibrary(counter, { nodelete: true });
    const bumpA = new FnPtr('int (void)', a.symbol('bump'));
    assert.equal(bumpA.call(), 1);
    assert.equal(bumpA.call(), 2);
    a.close();
    const b = loadLibrary(counter);
    assert.equal(new FnPtr('int (void)', b.symbol('bump')).call(), 3);
  });

  test('no path with options opens the running program', () => {
    assert.equal(typeof loadLibrary(null, ON_WINDOWS ? { deep: true } : { lazy: true }).symbol('qsort'), 'bigint');
    assert.equal(typeof loadLibrary(undefined, {}).symbol('qsort'), 'bigint');
  });

  test('unknown option names, non-boolean values and non-objects are refused', () => {
    assert.throws(() => loadLibrary(counter, { deepbind: true } as never), (e: unknown) =>
      e instanceof InvalidOptionError && e.code === 'ERR_INVALID_OPTION' &&
      /unknown loadLibrary option 'deepbind'; expected deep, global, lazy, nodelete/.test(e.message));
    assert.throws(() => loadLibrary(counter, { deep: 1 } as never), /option 'deep' must be a boolean, got number 1/);
    assert.throws(() => loadLibrary(counter, 'deep' as never), InvalidOptionError);
    // @ts-expect-error unknown option names are type errors too
    assert.throws(() => loadLibrary(counter, { RTLD_NOW: true }), InvalidOptionError);
  });
});
