/**
 * Shared by the differential tests: the conventions they run under, and the step that
 * makes one thunk per generated signature and hands it to the generated C driver.
 */
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
