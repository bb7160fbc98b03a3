/**
 * Thunks handed to a real C library (test/c/callbacks.c) that stores plain function
 * pointers and calls them later, driven two ways:
 *  - from JS through koffi (an independent FFI): register_X(thunk) then call_X(args...),
 *    checking what the closure received and what C got back (on Windows through the
 *    napi-caller addon instead: see test/support/callbacks-lib.ts);
 *  - from C drivers (drive_X): C calls the stored pointer many times with fixed values and
 *    checks every result itself, returning a failure count.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { BareFn, BareFnMut, FnPtr, ForeignStackError, loadLibrary, memory } from '../src/index';
import { INT_TYPES, loadCallbacksLib, MIX24_TYPES } from './support/callbacks-lib';
import { f32Bits, f32FromBits, f64Bits, f64FromBits } from './support/bits';
import { runFixture } from './support/child';
import { keep } from './support/keep';
import { CHAR_SIGNED, hostScalar } from './support/differential-thunks';
import { bitsOf, intEdgeBits, jsValue, LONG_BITS, typeNamed, type CType } from './support/differential-gen';
import { ON_WINDOWS } from './support/platform';

const lib = loadCallbacksLib();
const C = lib.fn;
/** The independent caller of C.call_X (koffi; on Windows the napi-caller addon). */
const VIA = ON_WINDOWS ? 'napi-caller' : 'koffi';
const REPS = 25; // drive_X repetitions: each rep is one pass over the fixed values
let nativeCalls = 0; // calls made from C into thunks, reported at the end

type Scalar = number | bigint | boolean;

/** Normalizes what koffi returns for a value of type t (koffi returns small 64-bit ints as numbers). */
function fromKoffi(t: CType, v: unknown): unknown {
  if ((t.kind === 'int' && t.bits === 64) || t.kind === 'ptr') return v === null ? 0n : BigInt(v as number | bigint);
  // koffi reads plain char as signed on every CPU; C on AArch64 does not.
  if (t.kind === 'int' && t.bits < 32 && typeof v === 'number') {
    const shift = 32 - t.bits;
    return t.signed ? (v << shift) >> shift : (v << shift) >>> shift;
  }
  return v;
}

/** Runs C driver `drive_<name>`, asserts zero failures, counts the native calls made. */
function drive(name: string, reps: number, callsPerRep: number): void {
  C.reset_log();
  const fails = C[`drive_${name}`](reps) as number;
  nativeCalls += reps * callsPerRep;
  assert.equal(fails, 0, `drive_${name}: ${fails} wrong results; first: ${lib.log()}`);
}


const INT_PATTERN_COUNT = 16;

describe('one-argument callbacks of every integer type', () => {
  for (const [suffix, cname] of INT_TYPES) {
    test(`${cname} (${cname})`, () => {
      const t = hostScalar(typeNamed(cname)); // plain char: signed on x86-64, unsigned on AArch64
      const seen: unknown[] = [];
      const not = (x: number | bigint) => jsValue(t, ~bitsOf(t, x) & ((1n << BigInt(t.bits)) - 1n));
      const cb = keep(
        new BareFn(`${cname} (${cname} x)`, ((x: number | bigint) => {
          seen.push(x);
          return not(x);
        }) as never),
      );
      C[`register_${suffix}`](cb.bare());

      // koffi (napi-caller) -> C -> thunk -> JS, with every edge value of the type
      for (const bits of intEdgeBits(t)) {
        const v = jsValue(t, bits) as number | bigint;
        seen.length = 0;
        const got = fromKoffi(t, C[`call_${suffix}`](v));
        assert.deepEqual(seen, [v], `${cname}: closure should receive ${v} (${typeof v})`);
        assert.equal(typeof seen[0], t.bits === 64 ? 'bigint' : 'number', `${cname} maps to ${t.bits === 64 ? 'bigint' : 'number'}`);
        assert.equal(got, not(v), `${cname}: C should get ~${v}`);
      }
      // C -> thunk with the fixed patterns, checked in C
      drive(suffix, REPS, INT_PATTERN_COUNT);
    });
  }
});

describe('bool, float, double, pointer and void callbacks', () => {
  test('bool (bool): closure gets a boolean, C gets exactly 0 or 1', () => {
    const seen: unknown[] = [];
    const cb = keep(new BareFn('bool (bool)', (b: boolean) => (seen.push(b), !b)));
    C.register_bool(cb.bare());
    assert.equal(C.call_bool(true), false);
    assert.equal(C.call_bool(false), true);
    assert.deepEqual(seen, [true, false]);
    drive('bool', REPS, 2);
  });

  test(`float (float): bit-exact through ${VIA} and from C`, () => {
    const cb = keep(new BareFn('float (float)', (x: number) => -x));
    C.register_float(cb.bare());
    for (const bits of [0x00000000, 0x80000000, 0x7f7fffff, 0x00000001, 0x7f800000, 0x3dcccccd]) {
      const x = f32FromBits(bits);
      const got = C.call_float(x) as number;
      assert.equal(f32Bits(got), (bits ^ 0x80000000) >>> 0, `float -(${x})`);
    }
    drive('float', REPS, 13);
  });

  test(`double (double): bit-exact through ${VIA} and from C`, () => {
    const cb = keep(new BareFn('double (double)', (x: number) => -x));
    C.register_double(cb.bare());
    for (const bits of [0n, 0x8000000000000000n, 0x7fefffffffffffffn, 1n, 0xfff0000000000000n, 0x3fb999999999999an]) {
      const x = f64FromBits(bits);
      const got = C.call_double(x) as number;
      assert.equal(f64Bits(got), bits ^ 0x8000000000000000n, `double -(${x})`);
    }
    drive('double', REPS, 13);
  });

  test('void *(void *): pointers are bigints, NULL is 0n', () => {
    const seen: unknown[] = [];
    const cb = keep(new BareFn('void *(void *p)', (p: bigint) => (seen.push(p), BigInt.asUintN(64, p + 16n))));
    C.register_ptr(cb.bare());
    for (const p of [0n, 0x1000n, 0x7fffffffffffn, 0xfffffffffffffff0n]) {
      seen.length = 0;
      const got = fromKoffi(typeNamed('void *'), C.call_ptr(p));
      assert.deepEqual(seen, [p]);
      assert.equal(got, BigInt.asUintN(64, p + 16n));
    }
    drive('ptr', REPS, INT_PATTERN_COUNT);
  });

  test('size_t (const char *): the closure reads the C string behind the pointer', () => {
    const cb = keep(
      new BareFn('size_t (const char *s)', (s: bigint) => BigInt(Buffer.byteLength(memory.readCString(s) ?? ''))),
    );
    C.register_strlen(cb.bare());
    assert.equal(BigInt(C.call_strlen('héllo wörld')), 13n);
    assert.equal(BigInt(C.call_strlen('')), 0n);
    drive('strlen', REPS, 5);
  });

  test('void (int *, int): the closure writes through the pointer it gets', () => {
    const cb = keep(
      new BareFn('void (int *out, int v)', (out: bigint, v: number) => {
        memory.write(out, new Int32Array([v * 3]));
      }),
    );
    C.register_store(cb.bare());
    assert.equal(C.call_store(-7), -21);
    drive('store', REPS, 15);
  });

  test('void (void): called for its effect only', () => {
    let n = 0;
    const cb = keep(new BareFn('void (void)', () => void n++));
    C.register_void(cb.bare());
    C.call_void();
    assert.equal(n, 1);
    drive('void', 500, 1);
    assert.equal(n, 501);
  });
});

describe('mixed integer and floating-point arguments', () => {
  const mix8 = (a: number, b: number, c: number, d: number, e: bigint, f: number, g: number, h: number) => {
    let s = 0;
    s += 1 * a; s += 2 * b; s += 3 * c; s += 4 * d; s += 5 * Number(e); s += 6 * f; s += 7 * g; s += 8 * h;
    return s;
  };

  test('double (int8_t, double, uint16_t, float, int64_t, double, uint32_t, float)', () => {
    const seen: unknown[][] = [];
    const cb = keep(
      new BareFn(
        'double (int8_t a, double b, uint16_t c, float d, int64_t e, double f, uint32_t g, float h)',
        (...args) => (seen.push(args), mix8(...args)),
      ),
    );
    C.register_mix8(cb.bare());
    const args = [-128, 0.1, 65535, -1.5, -(2n ** 40n), 1e300, 4294967295, 3.25] as const;
    const got = C.call_mix8(...args);
    assert.deepEqual(seen, [[...args]]);
    assert.equal(got, mix8(...args));
    drive('mix8', REPS, 16);
  });

  test('the same signature as a descriptor object', () => {
    const cb = keep(
      new BareFn(
        { args: ['int8_t', 'double', 'uint16_t', 'float', 'int64_t', 'double', 'uint32_t', 'float'], ret: 'double' },
        (a, b, c, d, e, f, g, h) => mix8(a, b, c, d, e, f, g, h),
      ),
    );
    C.register_mix8(cb.bare());
    drive('mix8', REPS, 16);
  });
});

describe('16+ arguments: stack-passed arguments', () => {
  const INTS20 = ['int8_t', 'int16_t', 'int32_t', 'int64_t', 'uint8_t', 'uint16_t', 'uint32_t', 'uint64_t'];
  const ints20Types = [...INTS20, ...INTS20, 'int8_t', 'int16_t', 'int32_t', 'int64_t'];
  const weighted = (args: (number | bigint)[]) =>
    BigInt.asIntN(64, args.reduce<bigint>((s, a, i) => s + BigInt(i + 1) * BigInt.asUintN(64, BigInt(a)), 0n));

  test(`int64_t (${ints20Types.length} integers of every width), 14 on the stack`, () => {
    const seen: unknown[][] = [];
    const cb = keep(
      new BareFn(`int64_t (${ints20Types.join(', ')})`, ((...args: (number | bigint)[]) => {
        seen.push(args);
        return weighted(args);
      }) as never),
    );
    C.register_ints20(cb.bare());
    const values = ints20Types.map((n, i) => {
      const t = typeNamed(n);
      const edges = intEdgeBits(t);
      return jsValue(t, edges[i % edges.length]) as number | bigint;
    });
    const got = fromKoffi(typeNamed('int64_t'), C.call_ints20(...values));
    assert.deepEqual(seen, [values], 'every argument, registers and stack, in order');
    assert.equal(got, weighted(values));
    drive('ints20', REPS, INT_PATTERN_COUNT);
  });

  test('double (20 doubles), 12 on the stack', () => {
    const seen: number[][] = [];
    const cb = keep(
      new BareFn(`double (${Array(20).fill('double').join(', ')})`, ((...d: number[]) => {
        seen.push(d);
        return d.reduce((s, x, i) => s + (i + 1) * x, 0);
      }) as never),
    );
    C.register_dbl20(cb.bare());
    const values = Array.from({ length: 20 }, (_, i) => (i % 3 === 0 ? -i * 1.25 : i * 1e10 + 0.5));
    const got = C.call_dbl20(...values);
    assert.deepEqual(seen, [values]);
    assert.equal(got, values.reduce((s, x, i) => s + (i + 1) * x, 0));
    drive('dbl20', REPS, 8);
  });

  test('float (18 floats), 10 on the stack in 8-byte slots', () => {
    const seen: number[][] = [];
    const cb = keep(
      new BareFn(`float (${Array(18).fill('float').join(', ')})`, ((...f: number[]) => {
        seen.push(f);
        return Math.fround(f.reduce((s, x, i) => s + (i + 1) * x, 0));
      }) as never),
    );
    C.register_flt18(cb.bare());
    const values = Array.from({ length: 18 }, (_, i) => Math.fround(i * (i & 1 ? -0.5 : 3.1)));
    const got = C.call_flt18(...values);
    assert.deepEqual(seen, [values]);
    assert.equal(got, Math.fround(values.reduce((s, x, i) => s + (i + 1) * x, 0)));
    drive('flt18', REPS, 8);
  });

  test('uint64_t (24 interleaved int/float/pointer/bool arguments), both register files exhausted', () => {
    const types = MIX24_TYPES.map(typeNamed);
    const checksum = (args: Scalar[]) =>
      args.reduce<bigint>((s, a, i) => {
        const t = types[i];
        let v: bigint;
        if (t.kind === 'float' || t.kind === 'double' || t.kind === 'bool' || t.kind === 'ptr') v = bitsOf(t, a);
        else v = BigInt.asUintN(64, BigInt(a as number | bigint)); // sign-extended integer value
        return BigInt.asUintN(64, s + BigInt(i + 1) * v);
      }, 0n);
    const seen: Scalar[][] = [];
    const cb = keep(
      new BareFn(`uint64_t (${MIX24_TYPES.join(', ')})`, ((...args: Scalar[]) => {
        seen.push(args);
        return checksum(args);
      }) as never),
    );
    C.register_mix24(cb.bare());
    const values: Scalar[] = [
      true, -7, 1.5, 65000, -0.0, -123456, 0x7f00deadbeefn, 0xfedcba9876543210n,
      Math.fround(-2.75), -32768, 1e-310, 255, Math.fround(1e38), -(2n ** 63n), Infinity, 4000000000,
      0.1, CHAR_SIGNED ? -128 : 128, Math.fround(0.2), LONG_BITS === 64 ? -5n : -5, -1e300, 2n ** 64n - 1n, Math.fround(-3), 2147483647,
    ]; // char: signed on x86-64, unsigned on AArch64; long: 32 bits on Windows
    const got = fromKoffi(typeNamed('uint64_t'), C.call_mix24(...values));
    assert.equal(seen.length, 1);
    seen[0].forEach((v, i) =>
      assert.ok(Object.is(v, values[i]), `mix24 argument ${i} (${MIX24_TYPES[i]}): got ${String(v)}, want ${String(values[i])}`),
    );
    assert.equal(got, checksum(values));
    assert.equal(fromKoffi(typeNamed('uint64_t'), C.mix24_expect(...values)), checksum(values), 'JS and C checksums agree');
    drive('mix24', REPS, 8);
  });
});

describe('context-free: many live pointers, re-entry, calls later', () => {
  test('16 thunks with the same signature each reach their own closure', () => {
    const thunks = Array.from({ length: 16 }, (_, i) => keep(new BareFn('int (int)', (x: number) => x + 1000 * (i + 1))));
    const addresses = new Set(thunks.map((t) => t.bare()));
    assert.equal(addresses.size, 16, 'distinct addresses');
    thunks.forEach((t, i) => C.register_slot(i, t.bare()));
    for (let i = 0; i < 16; i++) assert.equal(C.call_slot(i, 5), 5 + 1000 * (i + 1));
    C.reset_log();
    const fails = C.drive_slots(16, 50);
    nativeCalls += 16 * 50;
    assert.equal(fails, 0, lib.log());
  });

  // Re-entry goes through FnPtr: a closure entered from koffi must not call koffi again,
  // since koffi would reuse its private stack under the live C frames (see the koffi test
  // below). Each level uses two frames (one outbound, one inbound) of the 64 the bridge has.
  test('a BareFn may be re-entered: closure -> FnPtr -> C -> same thunk, 30 levels deep', () => {
    const recurse = lib.fnptr('int32_t recurse(int32_t n)');
    let depth = 0;
    let maxDepth = 0;
    const cb = keep(
      new BareFn('int32_t (int32_t n)', (n: number): number => {
        depth++;
        maxDepth = Math.max(maxDepth, depth);
        try {
          return n <= 0 ? 0 : n + (recurse(n - 1) as number);
        } finally {
          depth--;
        }
      }),
    );
    C.register_rec(cb.bare());
    assert.equal(recurse(30), (30 * 31) / 2);
    assert.equal(maxDepth, 31);
    assert.equal(depth, 0);
    // the outermost call from koffi (napi-caller), nested calls through FnPtr
    assert.equal(C.recurse(10), 55);
  });

  // koffi cannot support this: it restarts its private stack underneath the live outer
  // frames, because it does not know a closure-ffi callback is running. Documented in the
  // README; what we guarantee is a clear abort instead of a crash in overwritten frames.
  if (!ON_WINDOWS) {
    test('koffi -> C -> thunk -> JS -> koffi -> C -> thunk aborts with a diagnostic, not a SIGSEGV (child process)', async () => {
      const r = await runFixture('koffi-nesting.ts');
      assert.ok(r.aborted, r.describe());
      assert.match(r.stderr, /foreign stack that has been reused underneath an active callback/, r.describe());
      assert.match(r.stderr, /FnPtr/, r.describe());
    });
  } else {
    // On Windows a thunk called on koffi's stack is refused outright (moving JS onto the
    // thread's own stack needs the V8-direct accelerator, which Windows builds lack), so
    // there is no nesting to get wrong: the caller gets zero and onError hears why.
    const koffiRefusal = async () => {
      let runs = 0;
      let reported: (e: unknown) => void = () => {};
      const report = new Promise<unknown>((resolve) => (reported = resolve));
      const cb = keep(new BareFn('int32_t (int32_t)', (x: number) => (runs++, x + 1), { onError: (e) => (reported(e), 77) }));
      C.register_i32(cb.bare());
      assert.equal(C.call_i32(41), 42, 'napi-caller -> C -> thunk runs');
      const viaKoffi = lib.koffiLib.func('int32_t call_i32(int32_t x)') as (x: number) => number;
      assert.equal(viaKoffi(41), 0, 'koffi -> C -> thunk: the zero value, not the onError value (decided natively)');
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise((_, reject) => (timer = setTimeout(() => reject(new Error('no report within 5 s')), 5000)));
      const e = await Promise.race([report, timeout]).finally(() => clearTimeout(timer));
      assert.equal(runs, 1, 'the closure did not run for the call on koffi\'s stack');
      assert.ok(e instanceof Error, String(e));
      return e;
    };
    test('koffi -> C -> thunk is refused (no V8-direct accelerator on Windows): C gets 0, the closure does not run, onError hears of it', async () => {
      await koffiRefusal();
    });
    test("the report is a ForeignStackError that says the call arrived on another FFI's stack", async () => {
      const e = await koffiRefusal();
      assert.ok(e instanceof ForeignStackError && e.code === 'ERR_FOREIGN_STACK', String(e));
      assert.match(e.message, /another FFI's private stack/, `the report says why: ${e.message}`);
    });
  }

  test('a pointer stored by C is called on a later turn of the event loop', async () => {
    let got = -1;
    const cb = keep(new BareFn('void (uint32_t)', (x: number) => void (got = x)));
    C.register_callback(cb.bare());
    await new Promise((r) => setTimeout(r, 10));
    C.trigger(3);
    assert.equal(got, 3);
  });

  test("the seed's example: register_callback(void (*)(uint32_t)) + trigger(n) with a BareFnMut summing", () => {
    let sum = 0;
    const cb = keep(new BareFnMut('void (uint32_t)', (x: number) => void (sum += x)));
    C.register_callback(cb.bare());
    C.trigger(100);
    assert.equal(sum, 5050);
    sum = 0;
    C.trigger(10_000);
    nativeCalls += 10_100;
    assert.equal(sum, (10_000 * 10_001) / 2);
  });
});

describe('ABI hygiene: preserved registers and stack alignment', () => {
  /** Enough JS work to use every register V8 likes, and to allocate. */
  const churn = () => {
    const a = Array.from({ length: 200 }, (_, i) => ({ i, s: `v${(i * 7919) % 200}` }));
    a.sort((x, y) => (x.s < y.s ? -1 : 1));
    return JSON.stringify(a).length;
  };

  // test/c/callbacks.c says which bit is which register on each CPU.
  const calleeSaved =
    process.arch === 'arm64' ? 'x19..x28, sp, d8..d15, x29'
    : ON_WINDOWS ? 'rbx, rbp, rdi, rsi, r12..r15, xmm6..xmm15, rsp'
    : 'rbx, rbp, r12..r15, rsp';
  /** Arguments that fill the integer argument registers, and two more on the stack. */
  const stackArgs = process.arch === 'arm64' ? 10 : ON_WINDOWS ? 6 : 8;
  /** Arguments before call_stk's stack arguments: the System V registers (6), Win64's (4). */
  const regArgs = ON_WINDOWS ? 4 : 6;

  test(`the callee-saved registers (${calleeSaved}) survive a call into a thunk (void (void)), from ${VIA} and FnPtr`, () => {
    let runs = 0;
    const cb = keep(new BareFn('void (void)', () => void (runs += churn() > 0 ? 1 : 0)));
    assert.equal(C.check_callee_saved(cb.bare()), 0, `bit mask of clobbered registers (${calleeSaved})`);
    assert.equal(lib.fnptr('int check_callee_saved(void *fn)')(cb.bare()), 0);
    assert.equal(runs, 2);
  });

  test('the same with the argument registers full and 2 stack arguments', () => {
    const seen: bigint[][] = [];
    const cb = keep(
      new BareFn(`void (${Array(stackArgs).fill('int64_t').join(', ')})`, ((...a: bigint[]) => {
        seen.push(a);
        churn();
      }) as never),
    );
    assert.equal(C.check_callee_saved_stack(cb.bare()), 0);
    assert.equal(lib.fnptr('int check_callee_saved_stack(void *fn)')(cb.bare()), 0);
    const want = Array.from({ length: stackArgs }, (_, i) => BigInt(i + 1));
    assert.deepEqual(seen, [want, want]);
  });

  test('outbound calls see a 16-byte aligned stack, also from closures under 0-3 stack arguments', () => {
    const misalignment = lib.fnptr('int stack_misalignment(void)') as () => number;
    const callStk = lib.fnptr('int64_t call_stk(int n)') as (n: number) => bigint;
    assert.equal(misalignment(), 0, 'FnPtr from top level');
    const seen: number[] = [];
    for (let n = 0; n <= 3; n++) {
      const argc = regArgs + n;
      const cb = keep(
        new BareFn(`int64_t (${Array(argc).fill('int64_t').join(', ')})`, ((...a: bigint[]) => {
          seen.push(misalignment());
          return a.reduce((s, x) => s + x, 0n);
        }) as never),
      );
      C.register_stk(n, cb.bare());
      const want = BigInt((argc * (argc + 1)) / 2);
      assert.equal(BigInt(C.call_stk(n)), want, `${VIA} -> C -> thunk with ${n} stack arguments`);
      assert.equal(callStk(n), want, `FnPtr -> C -> thunk with ${n} stack arguments`);
    }
    assert.deepEqual(seen, Array(8).fill(0), 'stack_misalignment() called from inside each closure');
  });
});

describe('garbage collection inside callbacks', () => {
  test(`closures that allocate and force GC while C frames are live (entered from ${VIA} and from FnPtr)`, () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    let runs = 0;
    const garbage: object[] = [];
    const cb = keep(
      new BareFn('int32_t (int32_t)', (x: number) => {
        runs++;
        for (let i = 0; i < 100; i++) garbage.push({ i, s: 'x'.repeat(i & 63) });
        if (garbage.length > 10_000) garbage.length = 0;
        if (runs % 40 === 0) gc();
        return ~x;
      }),
    );
    C.register_i32(cb.bare());
    C.reset_log();
    assert.equal(C.drive_i32(30), 0, `from ${VIA}: ${lib.log()}`);
    assert.equal(lib.fnptr('int drive_i32(int reps)')(30), 0, `from FnPtr: ${lib.log()}`);
    nativeCalls += 2 * 30 * INT_PATTERN_COUNT;
    assert.equal(runs, 2 * 30 * INT_PATTERN_COUNT);
  });
});

describe('outbound: FnPtr calls into the same C library', () => {
  test('FnPtr calls a plain C function with mixed argument types', () => {
    const f = new FnPtr('int64_t (int8_t, uint16_t, int32_t, int64_t, double, float)', loadLibrary(lib.path).symbol('c_weighted'));
    assert.equal(f.call(-3, 65535, -100000, 2n ** 40n, 2.5, 0.5), -3n + 2n * 65535n + 3n * -100000n + 4n * 2n ** 40n + 12n + 3n);
  });

  test('FnPtr runs a C driver that calls a thunk', () => {
    const cb = keep(new BareFn('double (double)', (x: number) => -x));
    C.register_double(cb.bare());
    const driveDouble = new FnPtr('int (int)', loadLibrary(lib.path).symbol('drive_double'));
    assert.equal(driveDouble.call(10), 0);
    nativeCalls += 130;
  });

  test('FnPtr calls a thunk directly (JS -> native -> JS)', () => {
    const cb = keep(new BareFn('int64_t (int32_t, double, uint64_t)', (a: number, b: number, c: bigint) => BigInt(a) + BigInt(b) + c));
    const f = new FnPtr('int64_t (int32_t, double, uint64_t)', cb.bare());
    assert.equal(f.call(-5, 6, 2n ** 62n), 2n ** 62n + 1n);
  });
});

test('summary', (t) => {
  t.diagnostic(`callbacks-c: ${nativeCalls} calls from C into thunks`);
  assert.ok(nativeCalls > 10_000);
});
