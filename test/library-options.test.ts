/**
 * loadLibrary's dlopen flags: `deep` (RTLD_DEEPBIND), `global` (RTLD_GLOBAL), `lazy`
 * (RTLD_LAZY), `nodelete` (RTLD_NODELETE), each observed through what it changes, and
 * the refusal of unknown option names and non-boolean values.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { FnPtr, InvalidOptionError, loadLibrary } from '../src/index';
import { compileSharedLibrary } from './support/cc';

// Defines its own `labs`, which libc (already loaded, earlier in the global scope) also has.
// Two copies: dlopen of a path already open returns the open one, whatever the flags.
const shadowingSource = `
#include <stdlib.h>
long labs(long x) { (void)x; return 4242; }
long call_own_labs(long x) { return labs(x); }
`;
const shadowing = compileSharedLibrary('libopt-shadow', shadowingSource, ['-fno-builtin']);
const shadowingDeep = compileSharedLibrary('libopt-shadow-deep', shadowingSource, ['-fno-builtin']);
// Exports data and a function that later libraries use without linking against it.
const provider = compileSharedLibrary('libopt-provider', `
int provider_value = 77;
int provider_fn(void) { return provider_value + 1; }
`);
// References provider_fn without being linked against the provider.
const consumer = compileSharedLibrary('libopt-consumer', `
int provider_fn(void);
int consumer_fn(void) { return provider_fn() * 2; }
`);
// A function that calls a symbol nobody defines: loadable only lazily.
const unresolved = compileSharedLibrary('libopt-unresolved', `
int nowhere_defined(void);
int calls_nowhere(void) { return nowhere_defined(); }
int fine(void) { return 5; }
`);
// State that survives a close only if the library stays mapped.
const counter = compileSharedLibrary('libopt-counter', `
static int count;
int bump(void) { return ++count; }
`);

describe('loadLibrary options', () => {
  test('deep: the library binds its own calls to its own symbols, not to those already loaded', () => {
    const shallow = loadLibrary(shadowing);
    const shallowCall = new FnPtr('long (long)', shallow.symbol('call_own_labs'));
    assert.equal(shallowCall.call(-3n), 3n, 'default: the call binds to libc\'s labs, loaded first');
    const deep = loadLibrary(shadowingDeep, { deep: true });
    const deepCall = new FnPtr('long (long)', deep.symbol('call_own_labs'));
    assert.equal(deepCall.call(-3n), 4242n, 'deep: the call binds to the library\'s own labs');
  });

  test('global: a library\'s symbols resolve the references of libraries loaded after it', () => {
    assert.throws(() => loadLibrary(consumer), (e: unknown) =>
      (e as { code?: string }).code === 'ERR_DLOPEN' && /provider_fn/.test((e as Error).message));
    loadLibrary(provider, { global: true });
    const lib = loadLibrary(consumer);
    assert.equal(new FnPtr('int (void)', lib.symbol('consumer_fn')).call(), 156);
  });

  test('lazy: a function calling a missing symbol does not prevent loading; the default (now) does', () => {
    assert.throws(() => loadLibrary(unresolved), (e: unknown) =>
      (e as { code?: string }).code === 'ERR_DLOPEN' && /nowhere_defined/.test((e as Error).message));
    const lib = loadLibrary(unresolved, { lazy: true });
    assert.equal(new FnPtr('int (void)', lib.symbol('fine')).call(), 5);
  });

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
    assert.equal(typeof loadLibrary(null, { lazy: true }).symbol('qsort'), 'bigint');
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
