/**
 * Signature descriptors with a key they do not have are refused at run time (the
 * TypeScript side is test/types/descriptor-keys.ts): `{ args, return }` must not become a
 * `void` function.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BareFn, FnPtr, InvalidOptionError, loadLibrary } from '../src/index';

test('a misspelled descriptor key is refused with a suggestion, for thunks and FnPtrs', () => {
  assert.throws(() => new BareFn({ args: ['int'], return: 'int' } as never, ((x: number) => x) as never), (e: unknown) =>
    e instanceof InvalidOptionError && e.code === 'ERR_INVALID_OPTION' &&
    e.message === "signature descriptor { args: ['int'] }: unknown key 'return' (did you mean 'ret'?); a descriptor has args, ret, cc, variadic, strings");
  assert.throws(() => new FnPtr({ args: ['int'], ret: 'int', abi: 'C' } as never, loadLibrary().symbol('abs')),
    /unknown key 'abi' \(did you mean 'cc'\?\)/);
  assert.throws(() => new FnPtr({ args: ['int'], ret: 'int', frobnicate: true } as never, loadLibrary().symbol('abs')),
    /unknown key 'frobnicate'; a descriptor has args, ret, cc, variadic, strings/);
});

test('the refusal is not bypassed by the signature cache (same args and ret seen before)', () => {
  const abs = new FnPtr({ args: ['int'], ret: 'int' }, loadLibrary().symbol('abs'));
  assert.equal(abs.call(-4), 4);
  assert.throws(() => new FnPtr({ args: ['int'], ret: 'int', retrun: 'int' } as never, loadLibrary().symbol('abs')), InvalidOptionError);
});
