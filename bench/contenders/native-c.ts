/**
 * Reference row: the same C drivers with a C callback (no JS at all), showing what the
 * loop itself costs. The outbound call goes through koffi (once per repetition).
 */
import koffi from 'koffi';
import { loopsLibrary } from '../support/build';
import { config } from '../support/config';
import { expected } from '../support/data';
import { type CaseTable, contenderMain, loopCase, sortCase } from '../support/harness';

contenderMain('native-c', (): CaseTable => {
  const lib = koffi.load(loopsLibrary());
  const nativeCb = lib.func('void *native_cb(int32_t which)');
  const loopI32 = lib.func('int64_t loop_i32(void *cb, int32_t n)');
  const loopF64x2 = lib.func('double loop_f64x2(void *cb, int32_t n)');
  const loopMixed8 = lib.func('double loop_mixed8(void *cb, int32_t n)');
  const loopPtr = lib.func('int64_t loop_ptr(void *cb, int32_t n)');
  const dataMake = lib.func('void *data_make(int32_t n, uint32_t seed)');
  const dataFree = lib.func('void data_free(void *p)');
  const dataIsSorted = lib.func('int32_t data_is_sorted(void *p, int32_t n)');
  const sortNative = lib.func('void sort_i32_native(void *p, int32_t n)');
  let data: unknown = null;
  return {
    call_i32: () => loopCase((n) => loopI32(nativeCb(0), n) as number, expected.i32),
    call_f64x2: () => loopCase((n) => loopF64x2(nativeCb(1), n) as number, expected.f64x2),
    call_mixed8: () => loopCase((n) => loopMixed8(nativeCb(2), n) as number, expected.mixed8),
    call_ptr: () => loopCase((n) => loopPtr(nativeCb(3), n) as number, (n) => n),
    qsort_i32: () =>
      sortCase(
        (n) => {
          if (data) dataFree(data);
          data = dataMake(n, config.seed);
        },
        (n) => sortNative(data, n),
        (n) => dataIsSorted(data, n) === 1,
      ),
  };
});
