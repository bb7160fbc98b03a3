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
  /** Direct view of the RW mapping, when the allocator is the default dual-mapped one. */
  readonly direct: DataView | undefined;
  private readonly bytes: Uint8Array | undefined;

  constructor(
    readonly alloc: JitAlloc,
    readonly size: number,
  ) {
    const block = alloc.alloc(size);
    this.rx = block.rx;
    this.rw = block.rw;
    const view = alloc === defaultJitAlloc ? defaultJitAlloc.writableView(block.rx) : undefined;
    this.direct = view ? new DataView(view) : undefined;
    this.bytes = view ? new Uint8Array(view) : undefined;
  }

  /** Writes code at `offset` and makes it executable. */
  write(offset: number, code: Uint8Array): void {
    if (offset < 0 || offset + code.length > this.size)
      throw new RangeError(`code write of ${code.length} bytes at ${offset} overflows a ${this.size}-byte block`);
    const rx = this.rx + BigInt(offset);
    if (this.bytes) {
      this.bytes.set(code, offset);
      if (coherentIcache) return;
    } else {
      this.alloc.protectJitMemory?.(rx, code.length, 'rw');
      bridge.write(this.rw + BigInt(offset), code);
      this.alloc.protectJitMemory?.(rx, code.length, 'rx');
    }
    this.alloc.flushInstructionCache(rx, code.length);
  }
}
