/**
 * Memory mapped once, writable at the address it runs at once made RW again: what a
 * single-mapped JIT allocator uses (its pages flipped RW -> RX around writes with
 * bridge.jitProtect), for the tests of such allocators.
 *
 * On Linux it is the RX view of bridge.jitAlloc's mapping: mprotect can make it writable
 * (the memfd behind both views is open for writing). On Windows a view of a section keeps the
 * access it was mapped with, so the RX view of a dual mapping can never be made writable
 * (bridge.jitProtect refuses, see native/jit_memory_win32.c): there it is a block of the
 * process's own, VirtualAlloc'ed PAGE_READWRITE, which VirtualProtect may flip both ways.
 */
import { FnPtr, loadLibrary } from '../../src/index';
import { bridge } from '../../src/native/bridge';
import { ON_WINDOWS } from './platform';

export interface SingleMapping {
  /** Where it starts: the address code runs at and is written at. */
  rx: bigint;
  /** Its size in bytes (whole pages). */
  size: number;
  /** Unmaps it. */
  release(): void;
}

const MEM_COMMIT = 0x1000;
const MEM_RESERVE = 0x2000;
const MEM_RELEASE = 0x8000;
const PAGE_READWRITE = 0x04;

function bindKernel32() {
  const k = loadLibrary('kernel32.dll');
  return {
    virtualAlloc: new FnPtr('void * (void *, size_t, uint32_t, uint32_t)', k.symbol('VirtualAlloc')),
    virtualFree: new FnPtr('int32_t (void *, size_t, uint32_t)', k.symbol('VirtualFree')),
  };
}
let kernel32: ReturnType<typeof bindKernel32> | undefined;

/** A single mapping of at least `size` bytes (Linux: starts RX; Windows: starts RW). */
export function mapSingle(size: number): SingleMapping {
  if (!ON_WINDOWS) {
    const m = bridge.jitAlloc(size);
    return { rx: m.rx, size: m.size, release: () => bridge.jitRelease(m.rx, m.rw, m.size, m.view) };
  }
  const k32 = (kernel32 ??= bindKernel32());
  const page = bridge.pageSize;
  const bytes = Math.ceil(size / page) * page;
  const rx = k32.virtualAlloc.call(0n, BigInt(bytes), MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE) as bigint;
  if (rx === 0n) throw new Error(`VirtualAlloc(${bytes}) failed`);
  const free = k32.virtualFree;
  return { rx, size: bytes, release: () => void free.call(rx, 0n, MEM_RELEASE) };
}
