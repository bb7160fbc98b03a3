/**
 * Variadic functions both ways, under the platform's C convention (System V on x86-64
 * Linux, Win64 on Windows, AAPCS64 on AArch64) and, on x86-64, the other one (Win64 on
 * Linux, System V on Windows; test/c/variadic.c): a thunk for
 * `int64_t (const char *fmt, ...)` called by C like printf, whose closure reads the `...`
 * arguments with VaList.next(type) (registers first, then the caller's stack); and FnPtr
 * calling variadic C functions (the C library's sprintf, and va_arg-based sums) with a type
 * and a value per `...` argument.
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
  type VaList,
} from '../src/index';
import { compileTestLibrary } from './support/cc';
import { keep } from './support/keep';
import { ON_WINDOWS } from './support/platform';

const X64 = process.arch === 'x64';
/** The platform's C convention, as the tests name it. */
const HOST_CC = !X64 ? 'AAPCS64' : ON_WINDOWS ? 'Win64' : 'System V';
/**
 * On x86-64, the other convention, in which test/c/variadic.c builds its `*_other`
 * functions: Win64 (ms_abi) on Linux, System V (sysv_abi) on Windows. Win64 exists only on
 * x86-64; elsewhere it is refused, which one test checks.
 */
const OTHER = !X64 ? undefined : ON_WINDOWS ? { cc: cc.Sysv64, name: 'System V' } : { cc: cc.Win64, name: 'Win64' };
const CONVENTIONS = OTHER ? [undefined, OTHER] : [undefined];

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

for (const conv of CONVENTIONS) {
  const suffix = conv ? '_other' : '';
  describe(`variadic callbacks (${conv?.name ?? HOST_CC})`, () => {
    test('a few arguments of every promoted kind, in registers', () => {
      const seen: unknown[][] = [];
      const cb = keep(new BareFn('int64_t (const char *fmt, ...)', recorder(seen), { cc: conv?.cc }));
      assert.equal(driver(`call_few${suffix}`)(cb.bare()), 7n);
      assert.deepEqual(seen, [FEW]);
    });

    test('16 ints and 12 doubles: past every argument register, into the caller\'s stack', () => {
      const seen: unknown[][] = [];
      const cb = keep(new BareFn('int64_t (const char *fmt, ...)', recorder(seen), { cc: conv?.cc }));
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
  assert.throws(
    () => new BareFnSync({ args: ['const char *'], ret: 'void', variadic: true }, () => {}, { blocking: false }),
    (e: unknown) => e instanceof InvalidOptionError && /variadic/.test((e as Error).message),
  );
  // The closure may declare its VaList parameter, but no more (the types say so too).
  const tooMany = (_a: number, _v: VaList, _x: unknown) => {};
  assert.throws(() => new BareFn('void (int, ...)', tooMany as never), /passes 2/);
});

describe('FnPtr calls variadic functions: fixed arguments, then a type and a value per \'...\' argument', () => {
  const libc = loadLibrary();

  test('the C library\'s sprintf with ints, unsigned, int64, double, a string, a promoted char and a pointer', () => {
    // sprintf, not snprintf: Windows' C runtimes (ucrtbase.dll, msvcrt.dll) export no snprintf.
    const sprintf = new FnPtr('int sprintf(char *buf, cstring format, ...)', libc.symbol('sprintf'));
    const buf = memory.alloc(256);
    try {
      const n = sprintf.call(buf, '%d|%u|%lld|%.3f|%s|%c|%p', 'int', -42, 'unsigned int', 4000000000,
        'int64_t', -(2n ** 40n), 'double', 3.14159, 'cstring', 'héllo', 'int', 65, 'void *', 0x1234n);
      // %p: glibc writes 0x and the digits, Microsoft's C runtimes 16 digits.
      const want = `-42|4000000000|-1099511627776|3.142|héllo|A|${ON_WINDOWS ? '0000000000001234' : '0x1234'}`;
      assert.equal(memory.readCString(buf), want);
      assert.equal(n, Buffer.byteLength(want));
      // 16 ints and 10 doubles: registers run out, the rest goes on the stack.
      const ints = Array.from({ length: 16 }, (_, i) => (i % 2 ? -i : i) * 1001);
      const dbls = Array.from({ length: 10 }, (_, i) => i + 0.25);
      const fmt = [...ints.map(() => '%d'), ...dbls.map(() => '%.2f')].join(',');
      sprintf.call(buf, fmt, ...ints.flatMap((v) => ['int', v]), ...dbls.flatMap((v) => ['double', v]));
      assert.equal(memory.readCString(buf), [...ints.map(String), ...dbls.map((d) => d.toFixed(2))].join(','));
    } finally {
      memory.free(buf);
    }
  });

  for (const conv of CONVENTIONS) {
    const name = conv ? 'other_va_sum' : 'va_sum';
    const label = conv?.name ?? HOST_CC;
    const mirrored = label === 'Win64' ? ': doubles mirrored into integer registers' : '';
    test(`${name}: int64 and double '...' arguments in every position (${label}${mirrored})`, () => {
      const sum = new FnPtr('double (cstring fmt, ...)', lib.symbol(name), { cc: conv?.cc });
      assert.equal(sum.call('dldl', 'double', 1.5, 'int64_t', 2n, 'double', 0.25, 'int64_t', -4n), -0.25);
      const many = Array.from({ length: 12 }, (_, i) => (i % 3 === 0 ? ['double', i + 0.5] : ['int64_t', BigInt(i)]));
      const fmt = many.map(([t]) => (t === 'double' ? 'd' : 'l')).join('');
      const want = many.reduce((a, [, v]) => a + Number(v), 0);
      assert.equal(sum.call(fmt, ...many.flat()), want);
    });
  }

  if (!X64) {
    test('Win64 variadic functions and callbacks are refused on AArch64 (ms_abi exists only on x86-64)', () => {
      const isRefused = { code: 'ERR_UNSUPPORTED_CONVENTION', message: /Win64.*x86-64/ };
      assert.throws(() => new FnPtr('double (cstring fmt, ...)', lib.symbol('va_sum'), { cc: cc.Win64 }), isRefused);
      assert.throws(() => new BareFn('int64_t (const char *fmt, ...)', () => 0n, { cc: cc.Win64 }), isRefused);
    });
  }

  test('bad variadic calls name what is wrong', () => {
    const sum = new FnPtr('double (cstring fmt, ...)', lib.symbol('va_sum'));
    assert.throws(() => sum.call('d', 'double'), { code: 'ERR_ARG_COUNT', message: /a type and a value for each '...' argument/ });
    assert.throws(() => sum.call('d', 'float', 1.5), { code: 'ERR_ARG_TYPE', message: /argument 2 .*'float'.*promoted to double; use 'double'/ });
    assert.throws(() => sum.call('d', 42, 1.5), { code: 'ERR_ARG_TYPE', message: /argument 2 .*C type name/ });
    assert.throws(() => sum.call('d', 'double', 'x'), { code: 'ERR_ARG_TYPE', message: /argument 3 .*'\.\.\.' argument 1, double/ });
  });
});
