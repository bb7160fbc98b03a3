/**
 * Variadic callbacks: a thunk for `int64_t (const char *fmt, ...)` called by C like printf,
 * under System V and Win64 (test/c/variadic.c). The closure reads the `...` arguments with
 * VaList.next(type), in registers first and then on the caller's stack.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  BareFn,
  BareFnSync,
  cc,
  DisposedError,
  FnPtr,
  InvalidOptionError,
  loadLibrary,
  memory,
  UnsupportedTypeError,
  type VaList,
} from '../src/index';
import { compileTestLibrary } from './support/cc';
import { keep } from './support/keep';

const lib = loadLibrary(compileTestLibrary('variadic.c', ['-pthread']));
const driver = (name: string, serviced = false) =>
  new FnPtr('int64_t (void *)', lib.symbol(name), { serviceCallbacks: serviced }).call;

/** What each format letter in variadic.c is, as VaList.next reads it. */
const TYPES: Record<string, string> = {
  i: 'int', d: 'double', l: 'int64_t', p: 'void *', u: 'unsigned int', c: 'int', L: 'uint64_t',
};

const FEW = [-7, 2.5, -(2n ** 63n), 0x1234n, 4000000000, 65, 2n ** 64n - 1n];
const MANY = [1, 0.5, -2, -1.5, 3, -4, 2.25, 5, -6, -3.125, 7, -8, 4.5, 9, -10, -5.75, 11, -12, 6.0625, 13, -14,
  -7.5, 15, -16, 8.25, -9.5, 10.75, -11.125];

/** A printf-like closure: reads every variadic argument the format names, returns how many. */
function recorder(seen: unknown[][]) {
  return (fmt: bigint, va: VaList): bigint => {
    const f = memory.readCString(fmt)!;
    seen.push([...f].map((ch) => va.next(TYPES[ch]!)));
    return BigInt(f.length);
  };
}

for (const conv of [undefined, cc.Win64] as const) {
  const suffix = conv ? '_ms' : '';
  describe(`variadic callbacks${conv ? ` (${conv})` : ' (System V)'}`, () => {
    test('a few arguments of every promoted kind, in registers', () => {
      const seen: unknown[][] = [];
      const cb = keep(new BareFn('int64_t (const char *fmt, ...)', recorder(seen), { cc: conv }));
      assert.equal(driver(`call_few${suffix}`)(cb.bare()), 7n);
      assert.deepEqual(seen, [FEW]);
    });

    test('16 ints and 12 doubles: past every argument register, into the caller\'s stack', () => {
      const seen: unknown[][] = [];
      const cb = keep(new BareFn('int64_t (const char *fmt, ...)', recorder(seen), { cc: conv }));
      assert.equal(driver(`call_many${suffix}`)(cb.bare()), 28n);
      assert.deepEqual(seen, [MANY]);
    });
  });
}

test('variadic Sync thunk called from another thread (the caller\'s stack is read while it waits)', () => {
  const seen: unknown[][] = [];
  using cb = new BareFnSync({ args: ['const char *'], ret: 'int64_t', variadic: true }, recorder(seen) as never);
  assert.equal(driver('call_many_on_thread', true)(cb.bare()), 28n);
  assert.deepEqual(seen, [MANY]);
});

test('VaList.next names what is wrong: promoted types, non-scalars, use after the call', () => {
  const errors: string[] = [];
  let kept: VaList | undefined;
  const cb = keep(new BareFn('int64_t (const char *fmt, ...)', (_fmt, va) => {
    kept = va;
    for (const t of ['float', 'char', 'short', 'bool', 'struct S', 42 as unknown as string]) {
      try {
        va.next(t);
      } catch (e) {
        errors.push(`${(e as Error).constructor.name}: ${(e as Error).message}`);
      }
    }
    return 0n;
  }));
  assert.equal(driver('call_few')(cb.bare()), 0n);
  assert.match(errors[0]!, /ArgumentTypeError: .*'float'.*promoted to double/);
  assert.match(errors[1]!, /ArgumentTypeError: .*'char'.*promoted to int/);
  assert.match(errors[2]!, /ArgumentTypeError: .*'short'.*promoted to int/);
  assert.match(errors[3]!, /ArgumentTypeError: .*'bool'.*promoted to int/);
  assert.match(errors[4]!, /UnknownTypeError|UnsupportedTypeError/);
  assert.match(errors[5]!, /ArgumentTypeError: .*C type name/);
  assert.throws(() => kept!.next('int'), (e: unknown) => e instanceof DisposedError && /after its call returned/.test((e as Error).message));
});

test('variadic: what is refused, and how', () => {
  assert.throws(() => new FnPtr('int (const char *, ...)', 1n), (e: unknown) => e instanceof UnsupportedTypeError && /variadic/.test((e as Error).message));
  assert.throws(
    () => new BareFnSync({ args: ['const char *'], ret: 'void', variadic: true }, () => {}, { blocking: false }),
    (e: unknown) => e instanceof InvalidOptionError && /variadic/.test((e as Error).message),
  );
  // The closure may declare its VaList parameter, but no more (the types say so too).
  const tooMany = (_a: number, _v: VaList, _x: unknown) => {};
  assert.throws(() => new BareFn('void (int, ...)', tooMany as never), /passes 2/);
});
