/**
 * The floors: addons whose own C/C++ loop calls the JS function directly (N-API's
 * napi_call_function, or V8's Function::Call). No FFI library sits in between, so these are
 * the lower bounds for an N-API based library and for anything built on V8's API.
 */
import { config } from './config';
import { closures, compareI32, expected } from './data';
import { type CaseTable, loopCase, sortCase, threadCase, waitUntil } from './harness';

export interface FloorAddon {
  loopI32(fn: (x: number) => number, n: number, scoped?: boolean): number;
  loopF64x2(fn: (a: number, b: number) => number, n: number, scoped?: boolean): number;
  loopMixed8(fn: (...a: never[]) => number, n: number, scoped?: boolean): number;
  loopPtr(fn: (p: bigint) => void, n: number, scoped?: boolean): number;
  sortPrepare(n: number, seed: number): void;
  sortRun(cmp: (a: number, b: number) => number): boolean;
  threadStartI32?(fn: (x: number) => number, n: number): void;
  threadDone?(): boolean;
  threadJoin?(): number;
}

export function floorCases(addon: FloorAddon, kind: 'napi' | 'v8', scoped = true): CaseTable {
  let ptrCalls = 0;
  const onPtr = (_p: bigint): void => {
    ptrCalls++;
  };
  const table: CaseTable = {
    call_i32: () => loopCase((n) => addon.loopI32(closures.i32, n, scoped), expected.i32),
    call_f64x2: () => loopCase((n) => addon.loopF64x2(closures.f64x2, n, scoped), expected.f64x2),
    call_mixed8: () =>
      loopCase((n) => addon.loopMixed8(closures.mixed8 as (...a: never[]) => number, n, scoped), expected.mixed8),
    call_ptr: () =>
      loopCase(
        (n) => {
          ptrCalls = 0;
          addon.loopPtr(onPtr, n, scoped);
          return ptrCalls;
        },
        (n) => n,
      ),
    // The floor's comparator receives the two int32 values already read in C (no pointer
    // decoding in JS): the least work any library could do for a JS comparator.
    qsort_i32: () =>
      sortCase(
        (n) => addon.sortPrepare(n, config.seed),
        () => {
          if (!addon.sortRun(compareI32)) throw new Error('not sorted');
        },
        () => true,
      ),
  };
  if (kind === 'napi' && addon.threadStartI32 && addon.threadDone && addon.threadJoin) {
    const { threadStartI32, threadDone, threadJoin } = addon as Required<FloorAddon>;
    // A pthread round-trips each call through napi_threadsafe_function (blocking), then waits
    // on a condition variable for the JS result.
    table.foreign_thread = () =>
      threadCase(async (n) => {
        threadStartI32(closures.i32, n);
        await waitUntil(() => threadDone());
        return threadJoin();
      });
  }
  return table;
}
