/**
 * koffi contenders. `registered`: koffi.register() gives a persistent function pointer
 * (at most 8,192 live); `transient`: the JS function is passed directly as the callback
 * argument of each call (valid only during that call).
 */
import koffi, { type TypeObject } from 'koffi';
import { config } from './config';
import { closures, compareI32, expected, I32Reader } from './data';
import {
  type CaseTable,
  createDisposeCase,
  loopCase,
  bytesPer,
  nativeBytes,
  sortCase,
  threadCase,
  waitUntil,
} from './harness';
import { loopsLibrary } from './build';
import { fillReadArray, qsortDecodeCase, readCase, READ_WORDS } from './memory-cases';

export function koffiCases(mode: 'registered' | 'transient'): CaseTable {
  const lib = koffi.load(loopsLibrary());
  const CbI32 = koffi.proto('int32_t cb_i32_t(int32_t)');
  const CbF64x2 = koffi.proto('double cb_f64x2_t(double, double)');
  const CbMixed8 = koffi.proto('double cb_mixed8_t(int32_t, double, int64_t, float, uint8_t, void *, uint32_t, double)');
  const CbPtr = koffi.proto('void cb_ptr_t(void *)');
  const Cmp = koffi.proto('int cmp_t(const void *, const void *)');

  const loopI32 = lib.func('int64_t loop_i32(cb_i32_t *cb, int32_t n)');
  const loopF64x2 = lib.func('double loop_f64x2(cb_f64x2_t *cb, int32_t n)');
  const loopMixed8 = lib.func('double loop_mixed8(cb_mixed8_t *cb, int32_t n)');
  const loopPtr = lib.func('int64_t loop_ptr(cb_ptr_t *cb, int32_t n)');
  const dataMake = lib.func('void *data_make(int32_t n, uint32_t seed)');
  const dataFree = lib.func('void data_free(void *p)');
  const dataIsSorted = lib.func('int32_t data_is_sorted(void *p, int32_t n)');
  const sortI32 = lib.func('void sort_i32(void *p, int32_t n, cmp_t *cmp)');
  const threadStart = lib.func('void *thread_start_i32(cb_i32_t *cb, int32_t n)');
  const threadDone = lib.func('int32_t thread_done(void *h)');
  const threadJoin = lib.func('int64_t thread_join(void *h)');
  const threadsStart = lib.func('void *threads_start_i32(cb_i32_t *cb, int32_t nt, int32_t n)');
  const threadsDone = lib.func('int32_t threads_done(void *h)');
  const threadsJoin = lib.func('int64_t threads_join(void *h)');

  // For a registered callback the pointer is made once; transient passes the function itself.
  const cb = (fn: (...a: never[]) => unknown, type: TypeObject): unknown =>
    mode === 'registered' ? koffi.register(fn, koffi.pointer(type)) : fn;

  let ptrCalls = 0;
  const onPtr = (_p: unknown): void => {
    ptrCalls++;
  };

  const table: CaseTable = {
    call_i32: () => {
      const f = cb(closures.i32, CbI32);
      return loopCase((n) => loopI32(f, n) as number, expected.i32);
    },
    call_f64x2: () => {
      const f = cb(closures.f64x2, CbF64x2);
      return loopCase((n) => loopF64x2(f, n) as number, expected.f64x2);
    },
    call_mixed8: () => {
      const f = cb(closures.mixed8 as (...a: never[]) => unknown, CbMixed8);
      return loopCase((n) => loopMixed8(f, n) as number, expected.mixed8);
    },
    call_ptr: () => {
      const f = cb(onPtr, CbPtr);
      return loopCase(
        (n) => {
          ptrCalls = 0;
          loopPtr(f, n);
          return ptrCalls;
        },
        (n) => n,
      );
    },
    qsort_i32: () => {
      const dec = koffi.decode as unknown as { int32(p: unknown): number };
      const reader = new I32Reader((p) => dec.int32(p));
      const cmp = cb((a: bigint, b: bigint) => compareI32(reader.read(a), reader.read(b)), Cmp);
      let data: bigint | null = null;
      const m = sortCase(
        (n) => {
          if (data) dataFree(data);
          data = dataMake(n, config.seed) as bigint;
          reader.reset(data, koffi.view(data, n * 4), n);
        },
        (n) => sortI32(data, n, cmp),
        (n) => dataIsSorted(data, n) === 1,
      );
      dataFree(data);
      return { ...m, extra: { fallbackReads: reader.fallbacks } };
    },
  };

  // koffi's documented reads: koffi.decode(ptr, [offset,] type); decode.int32(ptr) is its
  // specialised form (no offset), timed as the alternative where it applies.
  table.decode_i32 = () => {
    const p = koffi.alloc('int32_t', READ_WORDS);
    fillReadArray(koffi.view(p, READ_WORDS * 4));
    return readCase((o) => koffi.decode(p, o, 'int32_t') as number);
  };
  table.qsort_decode = () => {
    const run = (read: (p: unknown) => number) => {
      const cmp = cb((a: unknown, b: unknown) => compareI32(read(a), read(b)), Cmp);
      try {
        return qsortDecodeCase(
          (n) => dataMake(n, config.seed) as unknown,
          (data, n) => sortI32(data, n, cmp),
          (data, n) => dataIsSorted(data, n) === 1,
          (data) => dataFree(data),
        );
      } finally {
        if (mode === 'registered') koffi.unregister(cmp as never);
      }
    };
    const m = run((p) => koffi.decode(p, 'int32_t') as number);
    const dec = koffi.decode as unknown as { int32?(p: unknown): number };
    if (dec.int32) {
      const int32 = dec.int32.bind(koffi.decode);
      const alt = [...run((p) => int32(p)).reps].sort((x, y) => x - y);
      const median = Math.round(alt[alt.length >> 1]! * 10) / 10;
      m.extra = { decodeInt32Ms: median };
      m.note = `with koffi.decode.int32(p): ${median} ms`;
    }
    return m;
  };

  // Transient callbacks exist only during one call: no create/dispose, capacity or thread case.
  if (mode === 'transient') return table;

  table.create_dispose = () =>
    createDisposeCase((i) => {
      const p = koffi.register((x: number) => x + i, koffi.pointer(CbI32));
      koffi.unregister(p);
    });

  table.live_thunks = () => {
    const target = config.liveTarget;
    const live: unknown[] = [];
    const before = nativeBytes();
    const t0 = process.hrtime.bigint();
    let stop = '';
    while (live.length < target) {
      try {
        const k = live.length;
        live.push(koffi.register((x: number) => x + k, koffi.pointer(CbI32)));
      } catch (e) {
        stop = e instanceof Error ? e.message : String(e);
        break;
      }
    }
    const createNs = Number(process.hrtime.bigint() - t0);
    const after = nativeBytes();
    // spot-check that the last one is live and is its own closure
    const k = live.length - 1;
    const got = Number(loopI32(live[k], 1));
    if (got !== k) throw new Error(`live thunk ${k} returned ${got}`);
    for (const p of live) koffi.unregister(p as never);
    return {
      unit: 'thunks',
      reps: [live.length],
      work: `register up to ${target.toLocaleString('en-US')}`,
      note: stop ? `stopped at ${live.length.toLocaleString('en-US')}: ${stop.split('\n')[0]}` : undefined,
      extra: {
        nativeBytesPerThunk: bytesPer(after - before, live.length),
        createNsPerThunk: Math.round(createNs / live.length),
      },
    };
  };

  table.foreign_thread = () => {
    const f = koffi.register(closures.i32, koffi.pointer(CbI32));
    return threadCase(async (n) => {
      const h = threadStart(f, n);
      await waitUntil(() => threadDone(h) === 1);
      return threadJoin(h) as number;
    });
  };
  table.foreign_threads8 = () => {
    const f = koffi.register(closures.i32, koffi.pointer(CbI32));
    return threadCase(async (n) => {
      const h = threadsStart(f, 8, n);
      await waitUntil(() => threadsDone(h) === 1);
      return threadsJoin(h) as number;
    }, 8);
  };
  return table;
}
