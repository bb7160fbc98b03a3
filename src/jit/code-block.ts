/**
 * One block of executable memory from a {@link JitAlloc}, with the single way of
 * writing code into it: through the RW view when the allocator gives one as an
 * ArrayBuffer (no native call at all), otherwise by flipping protection around
 * a native copy.
 */
import { bridge } from '../runtime/bridge';
import { defaultJitAlloc, type JitAlloc } from './jit-alloc';

/** x86 keeps instruction fetch coherent with stores; other CPUs need an explicit flush. */
const coherentIcache = process.arch === 'x64' || process.arch === 'ia32';

export class CodeBlock {
  readonly rx: bigint;
  readonly rw: bigint;
  /** `rx` as a number (user-space addresses fit in 53 bits), for address arithmetic without BigInt. */
  readonly rxNumber: number;
  private readonly bytes: Uint8Array | undefined;
  private readonly words: Uint32Array | undefined;

  constructor(
    readonly alloc: JitAlloc,
    readonly size: number,
  ) {
    const block = alloc.alloc(size);
    this.rx = block.rx;
    this.rw = block.rw;
    this.rxNumber = Number(block.rx);
    const view = alloc === defaultJitAlloc ? defaultJitAlloc.writableView(block.rx) : undefined;
    this.bytes = view ? new Uint8Array(view) : undefined;
    this.words = view ? new Uint32Array(view) : undefined;
  }

  /**
   * Writes code given as 32-bit words at a 4-byte-aligned offset: the hot path for
   * thunks, a few element stores (TypedArray.set costs more than that for 16 bytes).
   */
  writeWords(offset: number, code: Uint32Array): void {
    const words = this.words;
    if (words && coherentIcache && (offset & 3) === 0 && offset + code.byteLength <= this.size) {
      const base = offset >> 2;
      for (let i = 0; i < code.length; i++) words[base + i] = code[i];
      return;
    }
    this.write(offset, new Uint8Array(code.buffer, code.byteOffset, code.byteLength));
  }

  /** Writes code at `offset` and makes it executable. */
  write(offset: number, code: Uint8Array): void {
    if (offset < 0 || offset + code.length > this.size)
      throw new RangeError(`code write of ${code.length} bytes at ${offset} overflows a ${this.size}-byte block`);
    if (this.bytes) {
      this.bytes.set(code, offset);
      if (coherentIcache) return; // the hot path for thunks: one memcpy, no native call
    }
    const rx = this.rx + BigInt(offset);
    if (!this.bytes) {
      this.alloc.protectJitMemory?.(rx, code.length, 'rw');
      bridge.write(this.rw + BigInt(offset), code);
      this.alloc.protectJitMemory?.(rx, code.length, 'rx');
    }
    this.alloc.flushInstructionCache(rx, code.length);
  }
}
