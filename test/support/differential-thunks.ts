/**
 * Shared by the differential tests: the conventions they run under on this CPU, the scalar
 * types as this target defines them, and the step that makes one thunk per generated
 * signature and hands it to the generated C driver.
 */
import koffi from 'koffi';
import { BareFn, FnPtr, loadLibrary, type CallConvName } from '../../src/index';
import { hostArch } from '../../src/arch/conventions';
import type { CConvention, CType } from './differential-gen';
import { ON_WINDOWS } from './platform';

/** The CPU the tests run on, as closure-ffi names it (`x64`, `arm64`). */
export const HOST_CPU = hostArch().name;

/**
 * One convention a differential test runs under. `cc` is what closure-ffi is given
 * (`undefined`: the platform's C convention); `c` names it in file and type names; `emitAs`
 * is what the C generators take (see CConvention): 'native' leaves the thunks and impls in
 * the compiler's own convention, 'ms' / 'sysv' declare them `ms_abi` / `sysv_abi`;
 * `label` goes into the test titles; `hfa`: the struct test adds its HFA-heavy signatures.
 */
export interface DifferentialConvention {
  readonly cc: CallConvName | undefined;
  readonly c: 'sysv' | 'ms' | 'aapcs64';
  readonly emitAs: CConvention;
  readonly sigs: number;
  readonly label: string;
  readonly hfa: boolean;
}

/**
 * The conventions a differential test runs under, from the CPU and OS it runs on:
 * - x86-64 Linux: System V (the platform's C convention) with `count` signatures, and Win64
 *   (C's ms_abi) with half;
 * - x86-64 Windows: Win64 (the platform's C convention, mingw's default) with `count`
 *   signatures, and System V (C's sysv_abi) with half;
 * - AArch64: AAPCS64 (the platform's C convention) with `count` signatures.
 */
export function differentialConventions(count: number): readonly DifferentialConvention[] {
  const half = Math.ceil(count / 2);
  switch (HOST_CPU) {
    case 'x64':
      return ON_WINDOWS
        ? [
            { cc: undefined, c: 'ms', emitAs: 'native', sigs: count, label: ', Win64', hfa: false },
            { cc: 'Sysv64', c: 'sysv', emitAs: 'sysv', sigs: half, label: ', cc Sysv64', hfa: false },
          ]
        : [
            { cc: undefined, c: 'sysv', emitAs: 'native', sigs: count, label: '', hfa: false },
            { cc: 'Win64', c: 'ms', emitAs: 'ms', sigs: half, label: ', cc Win64', hfa: false },
          ];
    case 'arm64':
      return [{ cc: undefined, c: 'aapcs64', emitAs: 'native', sigs: count, label: ', AAPCS64', hfa: true }];
  }
  throw new Error(`the differential tests know no conventions for CPU '${HOST_CPU}'`);
}

/** Conventions closure-ffi must refuse on this CPU (those of another CPU). */
export function foreignConventions(): readonly CallConvName[] {
  switch (HOST_CPU) {
    case 'x64': return ['Aapcs64'];
    case 'arm64': return ['Win64', 'Sysv64'];
  }
  return [];
}

/**
 * Is plain `char` signed on this CPU's Linux ABI? Stated here rather than read from
 * closure-ffi's data model, so the tests check that model instead of repeating it (and the
 * struct test also asks the C compiler).
 */
export const CHAR_SIGNED: boolean = ({ x64: true, arm64: false } as Record<string, boolean>)[HOST_CPU] ?? true;

/**
 * `t` as this target defines it: plain `char` takes the target's signedness (values are bit
 * patterns of the type's width, so a value generated for one signedness is a valid value of
 * the other; only the JS number, e.g. 255 instead of -1, and the edge values differ).
 */
export function hostScalar(t: CType): CType {
  if (t.name !== 'char' || t.signed === CHAR_SIGNED) return t;
  return (hostChar ??= { ...t, signed: CHAR_SIGNED });
}
let hostChar: CType | undefined;

/**
 * Can koffi call C that calls our thunks? koffi runs C on a stack of its own, and a thunk
 * entered there moves V8 to a reserved region of the thread's stack with the V8-direct
 * accelerator, which Windows builds do not have (it needs MSVC's C++ ABI): there such calls
 * are refused (docs/architecture.md, win32-x64), and the driver runs through FnPtr instead.
 */
const KOFFI_CALLS_THUNKS = !ON_WINDOWS;

/**
 * The functions every generated C driver at `path` exports (see cDriverPrelude), bound
 * through koffi; run_range, which calls the thunks, through closure-ffi's FnPtr where koffi
 * cannot carry such calls.
 */
export function bindDriver(k: ReturnType<typeof koffi.load>, path: string) {
  const runRange = KOFFI_CALLS_THUNKS
    ? (k.func('int run_range(int from, int to)') as (from: number, to: number) => number)
    : (() => {
        const f = new FnPtr('int (int, int)', loadLibrary(path).symbol('run_range'));
        return (from: number, to: number) => f.call(from, to) as number;
      })();
  return {
    set_thunk: k.func('void set_thunk(int i, void *p)') as (i: number, p: bigint) => void,
    run_range: runRange,
    fail_log: k.func('const char *fail_log(void)') as () => string,
    fail_count: k.func('int fail_count(void)') as () => number,
    calls_count: k.func('int calls_count(void)') as () => number,
  };
}

/**
 * One thunk per signature, handed to the C driver with its set_thunk(i, p). A signature that
 * cannot be made into a thunk is collected (the test that checks construction fails), not thrown.
 */
export function installThunks<S extends { readonly index: number; readonly spec: unknown }>(
  sigs: readonly S[],
  closureFor: (s: S) => unknown,
  cc: CallConvName | undefined,
  setThunk: (i: number, p: bigint) => void,
  label: (s: S) => string,
): { thunks: (BareFn | undefined)[]; errors: string[] } {
  const thunks: (BareFn | undefined)[] = [];
  const errors: string[] = [];
  for (const s of sigs) {
    try {
      const t = new BareFn(s.spec as never, closureFor(s) as never, { cc });
      thunks[s.index] = t;
      setThunk(s.index, t.bare());
    } catch (e) {
      errors.push(`sig ${s.index} ${label(s)}: ${String(e)}`);
    }
  }
  return { thunks, errors };
}
