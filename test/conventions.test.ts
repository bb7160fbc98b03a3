/**
 * Calling conventions on the host CPU. On x86-64 Linux: the C/System V spellings work
 * (checked against gcc's own sysv_abi functions), Win64/Efiapi work (test/win64.test.ts
 * checks them against gcc's ms_abi code). On Windows x64 it is the other way round: C,
 * System and Cdecl are Win64, and Sysv64 is the other convention, checked against gcc's
 * sysv_abi code. On AArch64 Linux: C, System, Cdecl and Aapcs64
 * are the one AAPCS64 convention, and the x86-64 ones are refused. Everywhere the others
 * fail at construction with a message that says why, never at call time.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { BareFn, FnPtr, cc, loadLibrary } from '../src/index';
import { compileSharedLibrary } from './support/cc';
import { ON_WINDOWS } from './support/platform';

const X64 = process.arch === 'x64';
const CPU = process.arch;

const lib = loadLibrary(
  compileSharedLibrary(
    'conventions',
    `
#include <stdint.h>
#if defined(__x86_64__)
__attribute__((sysv_abi)) int64_t sysv_mix(int32_t a, double b, int64_t c, float d) { return a + (int64_t)(b * 10) + c + (int64_t)(d * 100); }
__attribute__((ms_abi)) int64_t ms_mix(int32_t a, double b, int64_t c, float d) { return a + (int64_t)(b * 10) + c + (int64_t)(d * 100); }
int32_t call_cb_sysv(__attribute__((sysv_abi)) int32_t (*cb)(int32_t, double), int32_t a, double b) { return cb(a, b); }
int32_t call_cb_ms(__attribute__((ms_abi)) int32_t (*cb)(int32_t, double), int32_t a, double b) { return cb(a, b); }
#endif
int64_t c_mix(int32_t a, double b, int64_t c, float d) { return a + (int64_t)(b * 10) + c + (int64_t)(d * 100); }
int32_t call_cb(int32_t (*cb)(int32_t, double), int32_t a, double b) { return cb(a, b); }
`,
  ),
);

/** The error for a convention this CPU does not have, naming the convention and where it exists. */
const refused = (conv: string, home: RegExp) => (e: Error & { code?: string }) =>
  e.code === 'ERR_UNSUPPORTED_CONVENTION' && e.message.includes(conv) && home.test(e.message) && e.message.includes(`this CPU is ${CPU}`);

if (X64) {
  /** The platform's own convention (what C, System and Cdecl mean) and the other x86-64 one. */
  const [home, homeName, other, otherMix] = ON_WINDOWS
    ? ([cc.Win64, 'Win64', cc.Sysv64, 'sysv_mix'] as const)
    : ([cc.Sysv64, 'System V', cc.Win64, 'ms_mix'] as const);

  test(`C, System, Cdecl and ${home} all mean the ${homeName} convention here`, () => {
    // call_cb is compiled with the platform's default convention; the explicit callers check
    // that the default is the one gcc means by sysv_abi / ms_abi.
    const callCb = new FnPtr('int32_t (void *, int32_t, double)', lib.symbol('call_cb'));
    const callHome = new FnPtr('int32_t (void *, int32_t, double)', lib.symbol(ON_WINDOWS ? 'call_cb_ms' : 'call_cb_sysv'));
    for (const conv of [cc.C, cc.System, cc.Cdecl, home]) {
      using t = new BareFn('int32_t (int32_t, double)', (a, b) => a * 2 + Math.round(b), { cc: conv });
      assert.equal(callCb.call(t.bare(), 20, 1.6), 42, `cc ${conv}`);
      assert.equal(callHome.call(t.bare(), 20, 1.6), 42, `cc ${conv} called from ${ON_WINDOWS ? 'ms_abi' : 'sysv_abi'} code`);
    }
    const homeMix = ON_WINDOWS ? 'ms_mix' : 'sysv_mix';
    const keyword = ON_WINDOWS ? '__ms_abi' : '__sysv_abi';
    const viaKeyword = new FnPtr(`int64_t ${keyword} (int32_t, double, int64_t, float)`, lib.symbol(homeMix));
    assert.equal(viaKeyword.call(1, 2.5, 1000n, 0.5), 1076n);
    const viaOption = new FnPtr('int64_t (int32_t, double, int64_t, float)', lib.symbol(homeMix), { cc: home });
    assert.equal(viaOption.call(1, 2.5, 1000n, 0.5), 1076n);
    const viaDefault = new FnPtr('int64_t (int32_t, double, int64_t, float)', lib.symbol(homeMix));
    assert.equal(viaDefault.call(1, 2.5, 1000n, 0.5), 1076n);
  });

  test(`the other x86-64 convention (${other}) works both ways against gcc's code`, () => {
    const callOther = new FnPtr('int32_t (void *, int32_t, double)', lib.symbol(ON_WINDOWS ? 'call_cb_sysv' : 'call_cb_ms'));
    using t = new BareFn('int32_t (int32_t, double)', (a, b) => a * 2 + Math.round(b), { cc: other });
    assert.equal(callOther.call(t.bare(), 20, 1.6), 42, `BareFn ${other} called from gcc's ${other} code`);
    const mix = new FnPtr('int64_t (int32_t, double, int64_t, float)', lib.symbol(otherMix), { cc: other });
    assert.equal(mix.call(1, 2.5, 1000n, 0.5), 1076n, `FnPtr ${other} calling gcc's ${other} code`);
  });
} else {
  test('C, System, Cdecl and Aapcs64 all mean the AAPCS64 convention here', () => {
    const callCb = new FnPtr('int32_t (void *, int32_t, double)', lib.symbol('call_cb'));
    for (const conv of [cc.C, cc.System, cc.Cdecl, cc.Aapcs64]) {
      using t = new BareFn('int32_t (int32_t, double)', (a, b) => a * 2 + Math.round(b), { cc: conv });
      assert.equal(callCb.call(t.bare(), 20, 1.6), 42, `cc ${conv}`);
    }
    const viaKeyword = new FnPtr('int64_t extern "aapcs64" (int32_t, double, int64_t, float)', lib.symbol('c_mix'));
    assert.equal(viaKeyword.call(1, 2.5, 1000n, 0.5), 1076n);
    const viaOption = new FnPtr('int64_t (int32_t, double, int64_t, float)', lib.symbol('c_mix'), { cc: cc.Aapcs64 });
    assert.equal(viaOption.call(1, 2.5, 1000n, 0.5), 1076n);
  });
}

const X86_32_CONVENTIONS = [
  ['int __stdcall (int)', 'Stdcall'],
  ['int __fastcall (int, int)', 'Fastcall'],
  ['int __thiscall (void *, int)', 'Thiscall'],
] as const;

test('32-bit x86 conventions are refused at construction, naming the convention and the CPU', {
  skip: ON_WINDOWS && X64 ? 'on Windows x64 they mean Win64 (next test)' : false,
}, () => {
  for (const [spec, conv] of X86_32_CONVENTIONS) {
    assert.throws(() => new BareFn(spec, () => 0), refused(conv, /32-bit x86/), spec);
    assert.throws(() => new FnPtr('int (int)', 1n, { cc: conv }), { code: 'ERR_UNSUPPORTED_CONVENTION' });
  }
});

test('on Windows x64, __stdcall, __fastcall and __thiscall mean Win64, as the compilers take them', {
  skip: ON_WINDOWS && X64 ? false : 'Windows x64 only',
}, () => {
  // Each thunk is called as a plain Win64 function, and through FnPtr naming the convention.
  using s = new BareFn('int __stdcall (int)', (x) => x + 1);
  assert.equal(new FnPtr('int (int)', s.bare()).call(41), 42);
  assert.equal(new FnPtr('int (int)', s.bare(), { cc: cc.Stdcall }).call(41), 42);
  using f = new BareFn('int __fastcall (int, int)', (a, b) => a * 10 + b);
  assert.equal(new FnPtr('int (int, int)', f.bare()).call(4, 2), 42);
  assert.equal(new FnPtr('int __fastcall (int, int)', f.bare()).call(4, 2), 42);
  using t = new BareFn('int __thiscall (void *, int)', (p, x) => Number(p) + x);
  assert.equal(new FnPtr('int (void *, int)', t.bare()).call(40n, 2), 42);
  assert.equal(new FnPtr('int (void *, int)', t.bare(), { cc: cc.Thiscall }).call(40n, 2), 42);
});

if (X64) {
  test('ARM conventions are refused on x86-64', () => {
    assert.throws(() => new BareFn('void (int)', () => {}, { cc: cc.Aapcs }), refused('Aapcs', /32-bit ARM/));
    assert.throws(() => new BareFn('void (int)', () => {}, { cc: cc.Aapcs64 }), refused('Aapcs64', /AArch64/));
  });

  test(`Win64, Efiapi and Sysv64 are usable on x86-64 ${ON_WINDOWS ? 'Windows' : 'Linux'} (details in test/win64.test.ts)`, () => {
    using a = new BareFn('int32_t __ms_abi (int32_t)', (x) => x + 1);
    using b = new BareFn('int32_t (int32_t)', (x) => x + 2, { cc: cc.Efiapi });
    using c = new BareFn('int32_t __sysv_abi (int32_t)', (x) => x + 3);
    assert.equal(new FnPtr('int32_t win64 (int32_t)', a.bare()).call(40), 41);
    assert.equal(new FnPtr('int32_t (int32_t)', b.bare(), { cc: cc.Efiapi }).call(40), 42);
    assert.equal(new FnPtr('int32_t (int32_t)', c.bare(), { cc: cc.Sysv64 }).call(40), 43);
  });
} else {
  test('32-bit ARM is refused on AArch64', () => {
    assert.throws(() => new BareFn('void (int)', () => {}, { cc: cc.Aapcs }), refused('Aapcs', /32-bit ARM/));
    assert.throws(() => new FnPtr('int aapcs (int)', 1n), refused('Aapcs', /32-bit ARM/));
  });

  test('the x86-64 conventions (Sysv64, Win64, Efiapi) are refused on AArch64, by option and by keyword', () => {
    for (const conv of [cc.Sysv64, cc.Win64, cc.Efiapi]) {
      assert.throws(() => new BareFn('int32_t (int32_t)', (x) => x, { cc: conv }), refused(conv, /x86-64/), `BareFn ${conv}`);
      assert.throws(() => new FnPtr('int32_t (int32_t)', lib.symbol('call_cb'), { cc: conv }), refused(conv, /x86-64/), `FnPtr ${conv}`);
    }
    for (const [spec, conv] of [
      ['int32_t __sysv_abi (int32_t)', 'Sysv64'],
      ['int32_t __ms_abi (int32_t)', 'Win64'],
      ['int32_t win64 (int32_t)', 'Win64'],
      ['int32_t efiapi (int32_t)', 'Efiapi'],
    ] as const) {
      assert.throws(() => new BareFn(spec, (x) => x), refused(conv, /x86-64/), spec);
    }
  });
}

test('a cc option that contradicts the prototype is an error', () => {
  assert.throws(() => new BareFn('void __sysv_abi (int)', () => {}, { cc: cc.Win64 }), {
    code: 'ERR_INVALID_OPTION',
    message: /contradicts/,
  });
});
