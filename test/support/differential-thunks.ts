/**
 * Shared step of the differential tests: one thunk per generated signature, handed to the
 * generated C driver with its set_thunk(i, p). A signature that cannot be made into a
 * thunk is collected (and the test that checks construction fails), not thrown.
 */
import { BareFn, type CallConvName } from '../../src/index';

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
