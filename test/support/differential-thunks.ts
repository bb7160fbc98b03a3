/**
 * Shared by the differential tests: the conventions they run under, and the step that
 * makes one thunk per generated signature and hands it to the generated C driver.
 */
import koffi from 'koffi';
import { BareFn, type CallConvName } from '../../src/index';

/**
 * The conventions a differential test runs under: System V (the platform's C convention)
 * with `count` signatures, and Win64 (C's ms_abi; `c` names it for the C generators) with half.
 */
export function differentialConventions(count: number) {
  return [
    { cc: undefined, c: 'sysv', sigs: count },
    { cc: 'Win64', c: 'ms', sigs: Math.ceil(count / 2) },
  ] as const;
}

/** The functions every generated C driver exports (see cDriverPrelude), bound through koffi. */
export function bindDriver(k: ReturnType<typeof koffi.load>) {
  return {
    set_thunk: k.func('void set_thunk(int i, void *p)') as (i: number, p: bigint) => void,
    run_range: k.func('int run_range(int from, int to)') as (from: number, to: number) => number,
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
