/** Counters for tests and benchmarks: how much executable memory and how many thunks are live. */
import { bridge } from './native/bridge';
import { liveThunkCount } from './runtime/thunk-table';

export interface JitStats {
  /** Bytes of executable memory mapped by the default allocator (each page counted once). */
  mappedBytes: number;
  liveThunks: number;
}

export function jitStats(): JitStats {
  return { mappedBytes: bridge.mappedBytes(), liveThunks: liveThunkCount() };
}
