/**
 * Node 26's experimental `node:ffi` (run by bench/run.ts with a Node 26 binary and
 * --experimental-ffi). Callbacks: `lib.registerCallback({ return, arguments }, fn)` returns
 * the pointer as a bigint; `lib.unregisterCallback(ptr)` releases it. Callbacks must be
 * invoked on the thread that created them.
 */
import { loopsLibrary } from '../support/build';
import { config } from '../support/config';
import { closures, compareI32, expected, I32Reader } from '../support/data';
import {
  type CaseTable,
  contenderMain,
  createDisposeCase,
  loopCase,
  bytesPer,
  nativeBytes,
  SkipCase,
  sortCase,
} from '../support/harness';

interface Signature {
  return?: string;
  arguments?: string[];
}
interface NodeFfiLibrary {
  getFunction(name: string, sig: Signature): (...args: unknown[]) => unknown;
  registerCallback(sig: Signature, fn: (...args: never[]) => unknown): bigint;
  unregisterCallback(ptr: bigint): void;
  close(): void;
}
interface NodeFfi {
  DynamicLibrary: new (path: string) => NodeFfiLibrary;
  getInt32(ptr: bigint, offset?: number): number;
  toArrayBuffer(ptr: bigint, length: number, copy?: boolean): ArrayBuffer;
}

function loadFfi(): NodeFfi {
  const major = Number(process.versions.node.split('.')[0]);
  if (major < 26) throw new SkipCase(`node:ffi needs Node >= 26 with --experimental-ffi (this is ${process.version})`);
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require('node:ffi') as NodeFfi;
  } catch (e) {
    throw new SkipCase(`node:ffi unavailable: ${e instanceof Error ? e.message : String(e)}`);
  }
}

contenderMain('node-ffi', (): CaseTable => {
  const ffi = loadFfi();
  const lib = new ffi.DynamicLibrary(loopsLibrary());
  const fn = (name: string, ret: string, args: string[]) => lib.getFunction(name, { return: ret, arguments: args });
  const loopI32 = fn('loop_i32', 'i64', ['pointer', 'i32']);
  const loopF64x2 = fn('loop_f64x2', 'f64', ['pointer', 'i32']);
  const loopMixed8 = fn('loop_mixed8', 'f64', ['pointer', 'i32']);
  const loopPtr = fn('loop_ptr', 'i64', ['pointer', 'i32']);
  const dataMake = fn('data_make', 'pointer', ['i32', 'u32']);
  const dataFree = fn('data_free', 'void', ['pointer']);
  const dataIsSorted = fn('data_is_sorted', 'i32', ['pointer', 'i32']);
  const sortI32 = fn('sort_i32', 'void', ['pointer', 'i32', 'pointer']);
  const cb = (ret: string, args: string[], f: (...a: never[]) => unknown) =>
    lib.registerCallback({ return: ret, arguments: args }, f);

  let ptrCalls = 0;
  return {
    call_i32: () => {
      const p = cb('i32', ['i32'], closures.i32);
      return loopCase((n) => loopI32(p, n) as bigint, expected.i32);
    },
    call_f64x2: () => {
      const p = cb('f64', ['f64', 'f64'], closures.f64x2);
      return loopCase((n) => loopF64x2(p, n) as number, expected.f64x2);
    },
    call_mixed8: () => {
      const p = cb(
        'f64',
        ['i32', 'f64', 'i64', 'f32', 'u8', 'pointer', 'u32', 'f64'],
        closures.mixed8 as (...a: never[]) => unknown,
      );
      return loopCase((n) => loopMixed8(p, n) as number, expected.mixed8);
    },
    call_ptr: () => {
      const p = cb('void', ['pointer'], (_p: bigint) => {
        ptrCalls++;
      });
      return loopCase(
        (n) => {
          ptrCalls = 0;
          loopPtr(p, n);
          return ptrCalls;
        },
        (n) => n,
      );
    },
    qsort_i32: () => {
      const reader = new I32Reader((p) => ffi.getInt32(p));
      const cmp = cb('i32', ['pointer', 'pointer'], (a: bigint, b: bigint) =>
        compareI32(reader.read(a), reader.read(b)),
      );
      let data: bigint | null = null;
      const m = sortCase(
        (n) => {
          if (data) dataFree(data);
          data = dataMake(n, config.seed) as bigint;
          reader.reset(data, ffi.toArrayBuffer(data, n * 4, false), n);
        },
        (n) => sortI32(data, n, cmp),
        (n) => dataIsSorted(data, n) === 1,
      );
      return { ...m, extra: { fallbackReads: reader.fallbacks } };
    },
    create_dispose: () =>
      createDisposeCase((i) => {
        const p = cb('i32', ['i32'], (x: number) => x + i);
        lib.unregisterCallback(p);
      }),
    live_thunks: () => {
      const target = config.liveTarget;
      const live: bigint[] = [];
      const before = nativeBytes();
      const t0 = process.hrtime.bigint();
      const deadline = Date.now() + 60_000;
      let stop = '';
      while (live.length < target) {
        if ((live.length & 1023) === 0 && Date.now() > deadline) {
          stop = 'time limit (60 s)';
          break;
        }
        try {
          const k = live.length;
          live.push(cb('i32', ['i32'], (x: number) => x + k));
        } catch (e) {
          stop = e instanceof Error ? e.message : String(e);
          break;
        }
      }
      const createNs = Number(process.hrtime.bigint() - t0);
      const after = nativeBytes();
      const k = live.length - 1;
      const got = Number(loopI32(live[k], 1));
      if (got !== k) throw new Error(`live callback ${k} returned ${got}`);
      for (const p of live) lib.unregisterCallback(p);
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
    },
  };
});
