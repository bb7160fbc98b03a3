/**
 * Executable-memory allocators. closure-ffi asks a {@link JitAlloc} for blocks and
 * sub-allocates thunks inside them; the default one maps each block twice (an RW
 * view for writing, an RX view for running), so no page is ever writable and
 * executable at once.
 */
import { bridge, type NativeJitMapping } from '../native/bridge';
import { InvalidOptionError } from '../errors';

/** A block of executable memory: run it at `rx`, write it at `rw` (may be equal, see `protectJitMemory`). */
export interface JitBlock {
  rx: bigint;
  rw: bigint;
}

/**
 * A pluggable executable-memory allocator.
 *
 * @example
 * ```ts
 * const logged: JitAlloc = {
 *   alloc(size, hint) { console.log('jit alloc', size); return defaultJitAlloc.alloc(size, hint); },
 *   release: (rx) => defaultJitAlloc.release(rx),
 *   flushInstructionCache: (rx, size) => defaultJitAlloc.flushInstructionCache(rx, size),
 * };
 * new BareFn('void (int)', f, { alloc: logged });
 * ```
 */
export interface JitAlloc {
  /** Returns a block of at least `size` bytes. `hint.near` asks for memory within ±2 GiB of an address. */
  alloc(size: number, hint?: { near?: bigint }): JitBlock;
  /** Frees a block returned by `alloc`. */
  release(rx: bigint): void;
  /** Makes freshly written code visible to instruction fetch (a no-op on x86). */
  flushInstructionCache(rx: bigint, size: number): void;
  /** Switches a single-mapped block between writable and executable around writes. */
  protectJitMemory?(rx: bigint, size: number, mode: 'rw' | 'rx'): void;
}

class DualMappedJitAlloc implements JitAlloc {
  private readonly blocks = new Map<bigint, NativeJitMapping>();
  /** Blocks closure-ffi itself runs thunks and stubs from: release() refuses them. */
  private readonly inUse = new Set<bigint>();

  alloc(size: number, hint?: { near?: bigint }): JitBlock {
    const m = bridge.jitAlloc(size, hint?.near);
    if (!m.dual) bridge.jitProtect(m.rx, m.size, 'rx'); // fallback mapping: start executable, flip around writes
    this.blocks.set(m.rx, m);
    return { rx: m.rx, rw: m.rw };
  }

  release(rx: bigint): void {
    const m = this.blocks.get(rx);
    if (!m) throw new InvalidOptionError(`defaultJitAlloc.release: 0x${rx.toString(16)} was not allocated here`);
    if (this.inUse.has(rx))
      throw new InvalidOptionError(
        `defaultJitAlloc.release: 0x${rx.toString(16)} holds closure-ffi's own thunks or stubs; only blocks you ` +
          `allocated yourself may be released`,
      );
    this.blocks.delete(rx);
    bridge.jitRelease(m.rx, m.rw, m.size, m.view);
  }

  flushInstructionCache(rx: bigint, size: number): void {
    bridge.flushInstructionCache(rx, size);
  }

  protectJitMemory(rx: bigint, size: number, mode: 'rw' | 'rx'): void {
    const m = this.findBlock(rx);
    if (m && m.dual) return; // the RW view is always writable, the RX view never is
    bridge.jitProtect(rx, size, mode);
  }

  /** @internal The block carries closure-ffi's own code (thunks, stubs) and is never released. */
  markInUse(rx: bigint): void {
    this.inUse.add(rx);
  }

  /** The RW view as an ArrayBuffer, when this block has one (internal fast path for writing thunks). */
  writableView(rx: bigint): ArrayBuffer | undefined {
    return this.blocks.get(rx)?.view;
  }

  private findBlock(addr: bigint): NativeJitMapping | undefined {
    const exact = this.blocks.get(addr);
    if (exact) return exact;
    for (const m of this.blocks.values()) if (addr >= m.rx && addr < m.rx + BigInt(m.size)) return m;
    return undefined;
  }
}

/** The built-in dual-mapped allocator. */
export const defaultJitAlloc: JitAlloc & {
  writableView(rx: bigint): ArrayBuffer | undefined;
  markInUse(rx: bigint): void;
} = new DualMappedJitAlloc();

let globalJitAlloc: JitAlloc = defaultJitAlloc;

/** Replaces the allocator used by thunks created without an `alloc` option. */
export function setGlobalJitAlloc(alloc: JitAlloc): void {
  validateJitAlloc(alloc);
  globalJitAlloc = alloc;
}

export function getGlobalJitAlloc(): JitAlloc {
  return globalJitAlloc;
}

export function validateJitAlloc(alloc: unknown): asserts alloc is JitAlloc {
  const a = alloc as Partial<JitAlloc> | null;
  if (!a || typeof a.alloc !== 'function' || typeof a.release !== 'function' || typeof a.flushInstructionCache !== 'function')
    throw new InvalidOptionError('a JitAlloc needs alloc(size, hint), release(rx) and flushInstructionCache(rx, size) methods');
}
