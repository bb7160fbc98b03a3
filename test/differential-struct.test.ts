/**
 * Differential test of structs, unions and arrays by value under every convention of the CPU
 * it runs on (x86-64: System V and Win64, the platform's own first; AArch64: AAPCS64; see differentialConventions):
 * random aggregate types (nested, mixed float/int fields, packed, arrays inside, 1-64 bytes)
 * in random signatures with scalars, checked bit for bit against the C compiler:
 *  1. layouts: sizeof/alignof/offsetof of every type, JS vs C (and plain char's signedness,
 *     and the width of `long`: 32 bits on Windows);
 *  2. inbound: generated C calls each thunk with literal values; the closure checks every
 *     leaf of every argument, C checks every leaf of the returned value;
 *  3. outbound: FnPtr calls a generated C function that checks every argument leaf and
 *     returns a literal; JS checks every leaf of the result;
 *  4. FnPtr calls each thunk (JS -> native -> JS).
 * NaN payloads (quiet NaNs) are compared exactly, including in arrays.
 * On AArch64, HFA-heavy signatures follow the general ones (struct-gen's
 * generateHfaSignatures): HFAs of 1-4 floats or doubles in every shape, near-HFAs,
 * composites of 9-16 and of more than 16 bytes, enough of them that v0-v7 and x0-x7 run
 * out; a test counts where AAPCS64 puts them and fails if a placement was never reached.
 *
 * Replay a failure with the printed seed: CFFI_SEED=<seed> node --import tsx --test test/differential-struct.test.ts
 * Size: CFFI_STRUCT_SIGS (default 320 signatures), CFFI_STRUCT_CALLS (default 3 calls each),
 * CFFI_STRUCT_HFA_SIGS (AArch64: default 200 HFA-heavy signatures more).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import koffi from 'koffi';
import { BareFn, FnPtr, loadLibrary, types } from '../src/index';
import { defaultDataModel } from '../src/signature';
import { compileSharedLibrary, removeArtifact } from './support/cc';
import {
  bindDriver, CHAR_SIGNED, differentialConventions, installThunks, type DifferentialConvention,
} from './support/differential-thunks';
import { LONG_BITS } from './support/differential-gen';
import { ON_WINDOWS } from './support/platform';
import { Prng, runSeed } from './support/prng';
import {
  aapcs64Coverage, compareVal, emitStructC, generateHfaSignatures, generateStructSignatures, jsLayoutRows, toJs, TypeFactory,
  type AbiClass, type StructSig, type TypeNode,
} from './support/struct-gen';

const seed = runSeed();
const SIGS = Number(process.env.CFFI_STRUCT_SIGS || 320);
const CALLS = Number(process.env.CFFI_STRUCT_CALLS || 3);
const HFA_SIGS = Number(process.env.CFFI_STRUCT_HFA_SIGS || 200);
const S = `[CFFI_SEED=${seed}]`;

function describeSpec(s: StructSig): string {
  return typeof s.spec === 'string' ? s.spec : s.text;
}

/**
 * -O0 (the generated file is large, and optimizing it takes time), except where the C compiler
 * cannot: mingw-w64's GCC 12 stops with an internal compiler error (in choose_baseaddr,
 * config/i386/i386.cc, during pro_and_epilogue) at -O0 on Windows functions that call
 * sysv_abi function pointers after a sysv_abi function taking structs (every seed tried);
 * at -O1 it compiles them. The checks are bit patterns compared in C either way.
 */
function optimization(emitAs: DifferentialConvention['emitAs']): string {
  return ON_WINDOWS && emitAs === 'sysv' ? '-O1' : '-O0';
}

for (const convention of differentialConventions(SIGS)) differentialStructs(convention);

function differentialStructs({ cc, c, emitAs, sigs: count, label, hfa }: DifferentialConvention): void {
  describe(`differential (structs): ${count} random signatures${hfa ? ` + ${HFA_SIGS} HFA-heavy` : ''}${label} ${S}`, () => {
    let sigs: StructSig[];
    let factory: TypeFactory;
    let path: string;
    let lib: ReturnType<typeof bindDriver> & { layouts: () => bigint; layouts_count: () => number; char_is_signed: () => number; long_bits: () => number };
    let thunks: (BareFn | undefined)[] = [];
    let constructionErrors: string[] = [];
    let counters: Int32Array;
    let problems: string[] = [];
    const rng2 = new Prng(seed ^ 0x5a5a5a5a); // for JS value shapes (typed vs plain arrays)

    function closureFor(s: StructSig) {
      return (...args: unknown[]) => {
        const k = counters[s.index]!++;
        const c = s.calls[k];
        if (!c) {
          problems.push(`sig ${s.index} '${describeSpec(s)}': unexpected call #${k}`);
          return s.ret ? toJs(s.ret, s.calls[0]!.ret!) : undefined;
        }
        if (args.length !== s.args.length) problems.push(`sig ${s.index}: closure got ${args.length} arguments, want ${s.args.length}`);
        const out: string[] = [];
        s.args.forEach((t, j) => compareVal(t, args[j], c.args[j]!, `arg${j}`, 'exact', out));
        for (const o of out) problems.push(`sig ${s.index} '${describeSpec(s)}' call ${k}: ${o}`);
        return s.ret ? toJs(s.ret, c.ret!, rng2) : undefined;
      };
    }

    before(() => {
      const rng = new Prng(seed);
      factory = new TypeFactory(rng, `_${c}${seed.toString(36)}_`);
      // a few types registered by name, for prototype strings ('struct S (S, int)')
      const registered = new Set<string>();
      const register = (t: TypeNode) => {
        if (t.k !== 'struct' && t.k !== 'union') return;
        types.define(t.cname, t.ffi);
        registered.add(t.cname);
      };
      for (let i = 0; i < 12; i++) register(factory.make());
      sigs = generateStructSignatures(rng, factory, { count, callsPerSig: CALLS }, registered);
      if (hfa) {
        for (const cls of ['hfa', 'hfa', 'hfa', 'hfa', 'near', 'near', 'small', 'large'] as const) register(factory.makeAbi(cls));
        sigs.push(...generateHfaSignatures(rng, factory, { count: HFA_SIGS, callsPerSig: CALLS, first: sigs.length }, registered));
      }
      for (const a of factory.aggregates) if (!registered.has(a.cname) && rng.chance(0.5)) register(a);
      path = compileSharedLibrary(`differential-struct-${c}-${seed}`, emitStructC(factory, sigs, emitAs), [optimization(emitAs), '-g0']);
      if (!process.env.CFFI_SEED) after(() => removeArtifact(path));
      const k = koffi.load(path);
      lib = { ...bindDriver(k, path), layouts: k.func('uintptr_t layouts(void)'), layouts_count: k.func('int layouts_count(void)'), char_is_signed: k.func('int char_is_signed(void)'),
        long_bits: k.func('int long_bits(void)') };
      counters = new Int32Array(sigs.length);
      ({ thunks, errors: constructionErrors } = installThunks(sigs, closureFor, cc, lib.set_thunk, (s) => `'${describeSpec(s)}'`));
    });

    test(`JS layouts (sizeof, alignof, offsetof) match C ${S}`, (t) => {
      const rows = jsLayoutRows(factory);
      assert.equal(lib.layouts_count(), rows.length);
      const table = koffi.decode(BigInt(lib.layouts()) as never, koffi.array('long', rows.length)) as number[];
      const bad = rows.filter((r, i) => Number(table[i]) !== r.value).map((r) => `${r.label}: JS ${r.value}, C ${table[rows.indexOf(r)]}`);
      t.diagnostic(`seed=${seed} types=${factory.aggregates.length} layout facts=${rows.length}`);
      assert.deepEqual(bad, [], S);
      assert.equal(lib.char_is_signed() === 1, CHAR_SIGNED, 'plain char: the C compiler vs the test\'s table');
      assert.equal(defaultDataModel().charSigned, CHAR_SIGNED, 'plain char: closure-ffi\'s data model');
      assert.equal(lib.long_bits(), LONG_BITS, 'long: the C compiler vs the test\'s table');
      assert.equal(defaultDataModel().long.size * 8, LONG_BITS, 'long: closure-ffi\'s data model');
    });

    if (hfa) {
      test(`the HFA-heavy signatures reach every AAPCS64 placement ${S}`, (t) => {
        const hfaSigs = sigs.slice(count);
        const cov = aapcs64Coverage(hfaSigs, (x: TypeNode) => factory.classOf(x));
        const made = (cls: AbiClass) => factory.ofClass(cls).length;
        t.diagnostic(
          `seed=${seed} HFA-heavy signatures=${hfaSigs.length} types: hfa=${made('hfa')} near=${made('near')} 9-16B=${made('small')} >16B=${made('large')}; ` +
            Object.entries(cov).map(([k, v]) => `${k}=${v}`).join(' '),
        );
        const never = Object.entries(cov).filter(([, v]) => v === 0).map(([k]) => k);
        assert.deepEqual(never, [], `placements never generated (raise CFFI_STRUCT_HFA_SIGS) ${S}`);
      });
    }

    test(`every signature can be made into a thunk ${S}`, () => {
      assert.deepEqual(constructionErrors, [], `${constructionErrors.length} signatures rejected ${S}`);
    });

    test(`C calls every thunk; struct arguments and results are bit-exact ${S}`, (t) => {
      problems = [];
      counters.fill(0);
      for (const s of sigs) if (thunks[s.index]) lib.run_range(s.index, s.index + 1);
      const failures = lib.fail_count();
      const sizes = factory.aggregates.map((a) => a.ffi.size);
      t.diagnostic(
        `seed=${seed} signatures=${sigs.length} native calls=${lib.calls_count()} aggregate types=${factory.aggregates.length} ` +
          `(sizes ${Math.min(...sizes)}-${Math.max(...sizes)} bytes, ${factory.aggregates.filter((a) => a.packed).length} packed, ` +
          `${factory.aggregates.filter((a) => a.k === 'union').length} unions) ` +
          `struct args=${sigs.reduce((n, s) => n + s.args.filter((a) => a.k !== 'scalar').length, 0)} ` +
          `struct returns=${sigs.filter((s) => s.ret && s.ret.k !== 'scalar').length}`,
      );
      const missed = sigs.filter((s) => thunks[s.index] && counters[s.index] !== s.calls.length);
      assert.deepEqual(missed.map((s) => `sig ${s.index}: closure ran ${counters[s.index]} times, want ${s.calls.length}`), [], S);
      assert.equal(problems.length, 0, `${problems.length} argument mismatches ${S}; first ones:\n${problems.slice(0, 25).join('\n')}`);
      assert.equal(failures, 0, `${failures} result mismatches seen by C ${S}:\n${lib.fail_log()}`);
    });

    test(`FnPtr calls C implementations; arguments seen by C and results are bit-exact ${S}`, (t) => {
      const cLib = loadLibrary(path);
      const before = lib.fail_count();
      const retProblems: string[] = [];
      let calls = 0;
      for (const s of sigs) {
        let f: FnPtr;
        try {
          f = new FnPtr(s.spec as never, cLib.symbol(`impl${s.index}`), { cc });
        } catch (e) {
          retProblems.push(`sig ${s.index} '${describeSpec(s)}': FnPtr rejected it: ${String(e)}`);
          continue;
        }
        s.calls.forEach((c, k) => {
          let got: unknown;
          try {
            got = (f.call as (...a: unknown[]) => unknown)(...s.args.map((a, j) => toJs(a, c.args[j]!, rng2)));
          } catch (e) {
            retProblems.push(`sig ${s.index} '${describeSpec(s)}' call ${k}: FnPtr.call threw ${String(e)}`);
            return;
          }
          calls++;
          const out: string[] = [];
          if (s.ret) compareVal(s.ret, got, c.ret!, 'ret', 'exact', out);
          else if (got !== undefined) out.push(`ret: got ${String(got)} for void`);
          for (const o of out) retProblems.push(`sig ${s.index} '${describeSpec(s)}' call ${k}: ${o}`);
        });
      }
      t.diagnostic(`seed=${seed} FnPtr -> C calls=${calls}`);
      assert.equal(retProblems.length, 0, `${retProblems.length} FnPtr problems ${S}; first ones:\n${retProblems.slice(0, 25).join('\n')}`);
      assert.equal(lib.fail_count() - before, 0, `argument mismatches seen by C ${S}:\n${lib.fail_log()}`);
    });

    test(`FnPtr calls every thunk with the same values (JS -> native -> JS) ${S}`, (t) => {
      problems = [];
      const retProblems: string[] = [];
      let calls = 0;
      for (const s of sigs) {
        const thunk = thunks[s.index];
        if (!thunk) continue;
        const f = new FnPtr(s.spec as never, thunk.bare(), { cc });
        s.calls.forEach((c, k) => {
          counters[s.index] = k;
          const got = (f.call as (...a: unknown[]) => unknown)(...s.args.map((a, j) => toJs(a, c.args[j]!, rng2)));
          calls++;
          const out: string[] = [];
          if (s.ret) compareVal(s.ret, got, c.ret!, 'ret', 'exact', out);
          for (const o of out) retProblems.push(`sig ${s.index} '${describeSpec(s)}' call ${k}: ${o}`);
        });
      }
      t.diagnostic(`seed=${seed} FnPtr -> thunk calls=${calls}`);
      assert.equal(problems.length, 0, `${problems.length} argument mismatches ${S}; first ones:\n${problems.slice(0, 25).join('\n')}`);
      assert.equal(retProblems.length, 0, `${retProblems.length} result mismatches ${S}; first ones:\n${retProblems.slice(0, 25).join('\n')}`);
    });

    test(`thunks are released ${S}`, () => {
      for (const t of thunks) t?.dispose();
      assert.ok(thunks.every((t) => !t || t.disposed), S);
    });
  });
}
