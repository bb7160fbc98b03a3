/**
 * Differential test of the thunks under every convention of the CPU it runs on (x86-64:
 * System V and Win64, the platform's own first; AArch64: AAPCS64; see
 * differentialConventions): random scalar signatures (every scalar type, 0-16 arguments,
 * integers and floats mixed), edge-heavy random values, one generated C file per convention
 * that calls each thunk with those values (through ms_abi or sysv_abi function pointers for
 * the convention that is not the platform's) and checks every returned value bit for bit,
 * while the JS closures check every argument bit for bit. Plain `char` has the target's
 * signedness (unsigned on AArch64 Linux), `long` the target's width (32 bits on Windows). It
 * also checks that the conventions of the other CPU are refused (Win64 and Sysv64 on AArch64).
 *
 * Replay a failure with the printed seed: CFFI_SEED=<seed> node --import tsx --test test/differential.test.ts
 * Size: CFFI_DIFF_SIGS (default 300 signatures), CFFI_DIFF_CALLS (default 4 calls each).
 *
 * What is compared:
 * - integers, bool, pointers: exact value and JS type (number / bigint / boolean);
 * - float/double: exact bits, so -0.0, subnormals, +-Inf, FLT_MAX, DBL_MIN are exact;
 * - NaN: quiet NaNs with payloads and both signs are generated and compared bit-exactly
 *   (NAN_POLICY below). Signalling NaNs are not generated: a float reaches JS by widening to
 *   double, which quiets them on x86, so no JS binding could preserve them.
 * - "wide" calls: for a subset of signatures with narrow integer/bool arguments, C calls the
 *   thunk through a pointer cast to a prototype where those arguments are uint64_t carrying
 *   garbage above the declared width; the closure must still see the declared-width value.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import koffi from 'koffi';
import { BareFn, FnPtr } from '../src/index';
import { compileSharedLibrary, removeArtifact } from './support/cc';
import {
  bindDriver, differentialConventions, foreignConventions, hostScalar, HOST_CPU, installThunks, type DifferentialConvention,
} from './support/differential-thunks';
import {
  compareJs,
  emitC,
  generateSignatures,
  jsValue,
  type NanPolicy,
  type SigCase,
} from './support/differential-gen';
import { Prng, runSeed } from './support/prng';

const seed = runSeed();
const SIGS = Number(process.env.CFFI_DIFF_SIGS || 300);
const CALLS = Number(process.env.CFFI_DIFF_CALLS || 4);
const NAN_POLICY: NanPolicy = 'exact';
const S = `[CFFI_SEED=${seed}]`;

for (const convention of differentialConventions(SIGS)) differential(convention);

test(`the conventions of another CPU (${foreignConventions().join(', ')}) are refused on ${HOST_CPU}`, () => {
  for (const cc of foreignConventions()) {
    assert.throws(() => new BareFn('int (int)', (x: number) => x, { cc }), { code: 'ERR_UNSUPPORTED_CONVENTION' }, cc);
  }
});

function differential({ cc, c, emitAs, sigs: count, label }: DifferentialConvention): void {
  describe(`differential: ${count} random signatures${label} ${S}`, () => {
    let sigs: SigCase[];
    let lib: ReturnType<typeof bindDriver> & { nan_soft_count: () => number };
    let thunks: (BareFn | undefined)[] = [];
    let constructionErrors: string[] = [];
    let counters: Int32Array;
    let problems: string[] = [];
    let jsNanSoft = 0;

    function closureFor(s: SigCase) {
      return (...args: unknown[]) => {
        const k = counters[s.index]++;
        const c = s.calls[k];
        if (!c) {
          problems.push(`sig ${s.index} '${s.text}': unexpected call #${k}`);
          return jsValue(s.ret, 0n);
        }
        if (args.length !== s.args.length) {
          problems.push(`sig ${s.index} '${s.text}' call ${k}: closure got ${args.length} arguments, want ${s.args.length}`);
        }
        for (let j = 0; j < s.args.length; j++) {
          const o = compareJs(s.args[j], args[j], c.args[j], NAN_POLICY);
          if (!o.ok) {
            problems.push(`sig ${s.index} '${s.text}' call ${k}${c.wide ? ' (wide)' : ''} argument ${j} (${s.args[j].name}): ${o.detail}`);
          } else if (o.nanPayloadOnly) jsNanSoft++;
        }
        return jsValue(s.ret, c.ret);
      };
    }

    before(() => {
      const rng = new Prng(seed);
      // Plain char as the target has it: the same bit patterns, read with its signedness.
      sigs = generateSignatures(rng, { count, callsPerSig: CALLS, wideFraction: 0.5 })
        .map((s) => ({ ...s, ret: hostScalar(s.ret), args: s.args.map(hostScalar) }));
      const path = compileSharedLibrary(`differential-${c}-${seed}`, emitC(sigs, NAN_POLICY, emitAs), ['-O0', '-g0']);
      // A random seed's library is never reused: delete it (a failure is replayed from the seed).
      if (!process.env.CFFI_SEED) after(() => removeArtifact(path));
      const k = koffi.load(path);
      lib = { ...bindDriver(k, path), nan_soft_count: k.func('int nan_soft_count(void)') };
      counters = new Int32Array(sigs.length);
      ({ thunks, errors: constructionErrors } = installThunks(sigs, closureFor, cc, lib.set_thunk, (s) => JSON.stringify(s.spec)));
    });

    test(`every signature can be made into a thunk ${S}`, () => {
      assert.deepEqual(constructionErrors, [], `${constructionErrors.length} signatures rejected ${S}`);
    });

    test(`C calls every thunk; arguments and results are bit-exact ${S}`, (t) => {
      problems = [];
      counters.fill(0);
      let failures = 0;
      for (const s of sigs) {
        if (!thunks[s.index]) continue;
        failures = lib.run_range(s.index, s.index + 1);
      }
      const calls = lib.calls_count();
      const wide = sigs.reduce((n, s) => n + (thunks[s.index] ? s.calls.filter((c) => c.wide).length : 0), 0);
      t.diagnostic(
        `seed=${seed} signatures=${sigs.length} native calls=${calls} (wide-prototype calls=${wide}) ` +
          `args checked=${sigs.reduce((n, s) => n + s.args.length * s.calls.length, 0)} ` +
          `NaN payload differences tolerated: C=${lib.nan_soft_count()} JS=${jsNanSoft} (policy ${NAN_POLICY})`,
      );
      const missed = sigs.filter((s) => thunks[s.index] && counters[s.index] !== s.calls.length);
      assert.deepEqual(
        missed.map((s) => `sig ${s.index} '${s.text}': closure ran ${counters[s.index]} times, want ${s.calls.length}`),
        [],
        `every call reaches its own closure exactly once ${S}`,
      );
      assert.equal(problems.length, 0, `${problems.length} argument mismatches ${S}; first ones:\n${problems.slice(0, 25).join('\n')}`);
      assert.equal(failures, 0, `${failures} return-value mismatches seen by C ${S}:\n${lib.fail_log()}`);
    });

    test(`FnPtr calls every thunk with the same values (JS -> native -> JS) ${S}`, (t) => {
      problems = [];
      const retProblems: string[] = [];
      let calls = 0;
      for (const s of sigs) {
        const thunk = thunks[s.index];
        if (!thunk) continue;
        let f: FnPtr;
        try {
          f = new FnPtr(s.spec as never, thunk.bare(), { cc });
        } catch (e) {
          retProblems.push(`sig ${s.index} ${JSON.stringify(s.spec)}: FnPtr rejected it: ${String(e)}`);
          continue;
        }
        s.calls.forEach((c, k) => {
          counters[s.index] = k;
          let got: unknown;
          try {
            got = (f.call as (...a: unknown[]) => unknown)(...s.args.map((a, j) => jsValue(a, c.args[j])));
          } catch (e) {
            retProblems.push(`sig ${s.index} '${s.text}' call ${k}: FnPtr.call threw ${String(e)}`);
            return;
          }
          calls++;
          const o = compareJs(s.ret, got, c.ret, NAN_POLICY);
          if (!o.ok) retProblems.push(`sig ${s.index} '${s.text}' call ${k}: return ${o.detail}`);
        });
      }
      t.diagnostic(`seed=${seed} FnPtr calls=${calls}`);
      assert.equal(problems.length, 0, `${problems.length} argument mismatches ${S}; first ones:\n${problems.slice(0, 25).join('\n')}`);
      assert.equal(retProblems.length, 0, `${retProblems.length} FnPtr problems ${S}; first ones:\n${retProblems.slice(0, 25).join('\n')}`);
    });

    test(`thunks are released ${S}`, () => {
      for (const t of thunks) t?.dispose();
      assert.ok(thunks.every((t) => !t || t.disposed), S);
    });
  });
}
