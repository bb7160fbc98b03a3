/**
 * closure-ffi: `new BareFn(signature, closure).bare()` is the function pointer handed to C.
 * The C drivers are called through closure-ffi's own FnPtr (once per repetition; set
 * BENCH_CFFI_OUTBOUND=koffi to call them through koffi instead).
 *
 * The library is loaded at run time (not imported statically) so that the benchmark keeps
 * type-checking and reports "skipped" while the library is incomplete.
 */
import { join } from 'node:path';
import { loopsLibrary } from '../support/build';
import { config } from '../support/config';
import { closures, compareI32, expected, I32Reader } from '../support/data';
import { fillReadArray, qsortDecodeCase, readCase, READ_WORDS } from '../support/memory-cases';
import {
  type CaseTable,
  contenderMain,
  createDisposeCase,
  type Measurement,
  loopCase,
  bytesPer,
  nativeBytes,
  SkipCase,
  sortCase,
  threadCase,
  waitUntil,
} from '../support/harness';

type AnyFn = (...args: never[]) => unknown;
interface Thunk {
  bare(): bigint;
  dispose(): void;
}
type ThunkCtor = new (signature: string, fn: AnyFn, options?: Record<string, unknown>) => Thunk;
interface ClosureFfi {
  BareFn: ThunkCtor;
  BareFnSync?: ThunkCtor;
  FnPtr?: new (signature: string, address: bigint) => { call(...args: unknown[]): unknown };
  loadLibrary?: (path: string) => { symbol(name: string): bigint };
  jitStats?: () => { mappedBytes: number; liveThunks: number };
  decode?: (ptr: bigint | number, type: string) => unknown;
  memory?: {
    read(ptr: bigint, length: number): Buffer;
    view?(ptr: bigint, length: number): ArrayBuffer;
    alloc?(size: number): bigint;
    i32?(ptr: bigint | number, offset?: number): number;
  };
}

function loadLibraryUnderTest(): ClosureFfi {
  let mod: Partial<ClosureFfi>;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    // The built package, as users run it: the sources through tsx's module wrappers would
    // turn the dispatcher's loads megamorphic and measure the loader, not the library.
    mod = require(join(__dirname, '..', '..', 'dist', 'cjs', 'index.js')) as Partial<ClosureFfi>;
  } catch (e) {
    const msg = e instanceof Error ? e.message.split('\n')[0] : String(e);
    throw new SkipCase(`closure-ffi not available yet (loading dist/cjs/index.js failed — run npm run build: ${msg})`);
  }
  if (typeof mod.BareFn !== 'function') throw new SkipCase('closure-ffi not available yet (no BareFn export)');
  return mod as ClosureFfi;
}

type Outbound = (name: string, ret: string, args: string[]) => (...args: unknown[]) => unknown;

/** How this process calls the C drivers: closure-ffi's FnPtr, or koffi as a fallback. */
function makeOutbound(lib: ClosureFfi, path: string): { call: Outbound; via: string } {
  if (process.env.BENCH_CFFI_OUTBOUND !== 'koffi' && lib.FnPtr && lib.loadLibrary) {
    const FnPtr = lib.FnPtr;
    const so = lib.loadLibrary(path);
    return {
      via: 'FnPtr',
      call: (name, ret, args) => {
        const f = new FnPtr(`${ret} (${args.join(', ')})`, so.symbol(name));
        return (...a) => f.call(...a);
      },
    };
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const koffi = require('koffi') as typeof import('koffi');
  const so = koffi.load(path);
  return {
    via: 'koffi',
    call: (name, ret, args) => so.func(`${ret} ${name}(${args.join(', ')})`) as (...args: unknown[]) => unknown,
  };
}

contenderMain('closure-ffi', (): CaseTable => {
  const lib = loadLibraryUnderTest();
  const { BareFn } = lib;
  const path = loopsLibrary();
  const { call: fn, via } = makeOutbound(lib, path);
  const loopI32 = fn('loop_i32', 'int64_t', ['void *', 'int32_t']);
  const loopF64x2 = fn('loop_f64x2', 'double', ['void *', 'int32_t']);
  const loopMixed8 = fn('loop_mixed8', 'double', ['void *', 'int32_t']);
  const loopPtr = fn('loop_ptr', 'int64_t', ['void *', 'int32_t']);
  const dataMake = fn('data_make', 'void *', ['int32_t', 'uint32_t']);
  const dataFree = fn('data_free', 'void', ['void *']);
  const dataIsSorted = fn('data_is_sorted', 'int32_t', ['void *', 'int32_t']);
  const sortI32 = fn('sort_i32', 'void', ['void *', 'int32_t', 'void *']);
  const threadStart = fn('thread_start_i32', 'void *', ['void *', 'int32_t']);
  const threadsStart = fn('threads_start_i32', 'void *', ['void *', 'int32_t', 'int32_t']);
  const threadsDone = fn('threads_done', 'int32_t', ['void *']);
  const threadsJoin = fn('threads_join', 'int64_t', ['void *']);
  const threadDone = fn('thread_done', 'int32_t', ['void *']);
  const threadJoin = fn('thread_join', 'int64_t', ['void *']);
  const note = via === 'FnPtr' ? undefined : 'C drivers called through koffi';
  const withNote = (m: Measurement): Measurement => (note ? { ...m, note } : m);

  // Reading one int32 through a pointer (the comparator's fallback): decode() where exported.
  const readI32: (p: bigint) => number = lib.decode
    ? ((decode) => (p: bigint) => decode(p, 'int32_t') as number)(lib.decode)
    : lib.memory
      ? ((memory) => (p: bigint) => memory.read(p, 4).readInt32LE(0))(lib.memory)
      : () => {
          throw new SkipCase('no way to read native memory (neither decode nor memory.read exported)');
        };

  let ptrCalls = 0;
  const table: CaseTable = {
    call_i32: () => {
      const cb = new BareFn('int32_t (int32_t)', closures.i32);
      return withNote(loopCase((n) => loopI32(cb.bare(), n) as bigint, expected.i32));
    },
    call_f64x2: () => {
      const cb = new BareFn('double (double, double)', closures.f64x2);
      return withNote(loopCase((n) => loopF64x2(cb.bare(), n) as number, expected.f64x2));
    },
    call_mixed8: () => {
      const cb = new BareFn(
        'double (int32_t, double, int64_t, float, uint8_t, void *, uint32_t, double)',
        closures.mixed8 as AnyFn,
      );
      return withNote(loopCase((n) => loopMixed8(cb.bare(), n) as number, expected.mixed8));
    },
    call_ptr: () => {
      const cb = new BareFn('void (void *)', (_p: bigint) => {
        ptrCalls++;
      });
      return withNote(
        loopCase(
          (n) => {
            ptrCalls = 0;
            loopPtr(cb.bare(), n);
            return ptrCalls;
          },
          (n) => n,
        ),
      );
    },
    qsort_i32: () => {
      const viewOf = lib.memory?.view?.bind(lib.memory);
      if (!viewOf) throw new SkipCase('memory.view is not exported');
      const reader = new I32Reader(readI32);
      const cmp = new BareFn('int (const void *, const void *)', (a: bigint, b: bigint) =>
        compareI32(reader.read(a), reader.read(b)),
      );
      let data: bigint | null = null;
      const m = sortCase(
        (n) => {
          if (data) dataFree(data);
          data = dataMake(n, config.seed) as bigint;
          reader.reset(data, viewOf(data, n * 4), n);
        },
        (n) => sortI32(data, n, cmp.bare()),
        (n) => Number(dataIsSorted(data, n)) === 1,
      );
      return { ...m, extra: { fallbackReads: reader.fallbacks }, ...(note ? { note } : {}) };
    },
    decode_i32: () => {
      const { decode, memory } = lib;
      if (!decode || !memory?.alloc || !memory.view) throw new SkipCase('decode / memory.alloc / memory.view not exported');
      const p = memory.alloc(READ_WORDS * 4);
      fillReadArray(memory.view(p, READ_WORDS * 4));
      const base = Number(p);
      const i32 = memory.i32?.bind(memory);
      return readCase((o) => decode(base + o, 'int32_t') as number, i32 && { name: 'memoryI32NsPerRead', label: 'memory.i32(p, off)', read: (o) => i32(p, o) });
    },
    qsort_decode: () => {
      const { decode, memory } = lib;
      if (!decode) throw new SkipCase('decode not exported');
      const run = (read: (p: bigint) => number): Measurement => {
        const cmp = new BareFn('int (const void *, const void *)', (a: bigint, b: bigint) => compareI32(read(a), read(b)));
        try {
          return qsortDecodeCase(
            (n) => dataMake(n, config.seed) as bigint,
            (data, n) => sortI32(data, n, cmp.bare()),
            (data, n) => Number(dataIsSorted(data, n)) === 1,
            (data) => dataFree(data),
          );
        } finally {
          cmp.dispose();
        }
      };
      const m = run((p) => decode(p, 'int32_t') as number);
      const i32 = memory?.i32?.bind(memory);
      if (i32) {
        const alt = [...run((p) => i32(p)).reps].sort((x, y) => x - y);
        const median = Math.round(alt[alt.length >> 1]! * 10) / 10;
        m.extra = { memoryI32Ms: median };
        m.note = `with memory.i32(p): ${median} ms`;
      }
      return withNote(m);
    },
    create_dispose: () =>
      withNote(
        createDisposeCase((i) => {
          const cb = new BareFn('int32_t (int32_t)', (x: number) => x + i);
          cb.bare();
          cb.dispose();
        }),
      ),
    live_thunks: () => {
      const target = config.liveTarget;
      const live: Thunk[] = [];
      const jitBefore = lib.jitStats?.();
      const before = nativeBytes();
      const t0 = process.hrtime.bigint();
      let stop = '';
      while (live.length < target) {
        try {
          const k = live.length;
          const cb = new BareFn('int32_t (int32_t)', (x: number) => x + k);
          cb.bare();
          live.push(cb);
        } catch (e) {
          stop = e instanceof Error ? e.message : String(e);
          break;
        }
      }
      const createNs = Number(process.hrtime.bigint() - t0);
      const after = nativeBytes();
      const jitAfter = lib.jitStats?.();
      // spot-check a few: each must still be its own live closure
      for (const k of [0, live.length >> 1, live.length - 1]) {
        if (k < 0) continue;
        const got = Number(loopI32(live[k].bare(), 1));
        if (got !== k) throw new Error(`live thunk ${k} returned ${got}`);
      }
      const t1 = process.hrtime.bigint();
      for (const cb of live) cb.dispose();
      const disposeNs = Number(process.hrtime.bigint() - t1);
      const n = Math.max(1, live.length);
      const extra: Record<string, unknown> = {
        nativeBytesPerThunk: bytesPer(after - before, live.length),
        createNsPerThunk: Math.round(createNs / n),
        disposeNsPerThunk: Math.round(disposeNs / n),
      };
      if (jitBefore && jitAfter) {
        extra.jitBytesPerThunk = Math.round(((jitAfter.mappedBytes - jitBefore.mappedBytes) / n) * 10) / 10;
        extra.jitLiveThunks = jitAfter.liveThunks;
        extra.jitMappedBytes = jitAfter.mappedBytes;
      }
      return {
        unit: 'thunks',
        reps: [live.length],
        work: `create up to ${target.toLocaleString('en-US')}`,
        note: [note, stop ? `stopped at ${live.length.toLocaleString('en-US')}: ${stop.split('\n')[0]}` : '']
          .filter(Boolean)
          .join('; ') || undefined,
        extra,
      };
    },
  };

  table.foreign_thread = lib.BareFnSync
    ? ((BareFnSync: ThunkCtor) => async () => {
        const cb = new BareFnSync('int32_t (int32_t)', closures.i32);
        return withNote(
          await threadCase(async (n) => {
            const h = threadStart(cb.bare(), n);
            await waitUntil(() => Number(threadDone(h)) === 1);
            return threadJoin(h) as bigint;
          }),
        );
      })(lib.BareFnSync)
    : 'needs Sync thunks (issue 5)';
  table.foreign_threads8 = lib.BareFnSync
    ? ((BareFnSync: ThunkCtor) => async () => {
        const cb = new BareFnSync('int32_t (int32_t)', closures.i32);
        return withNote(
          await threadCase(async (n) => {
            const h = threadsStart(cb.bare(), 8, n);
            await waitUntil(() => Number(threadsDone(h)) === 1);
            return threadsJoin(h) as bigint;
          }, 8),
        );
      })(lib.BareFnSync)
    : 'needs Sync thunks (issue 5)';
  return table;
});
