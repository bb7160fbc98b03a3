/**
 * One block of executable memory from a {@link JitAlloc}, and the only two ways of
 * writing into it:
 * - code, into pages that hold no code yet: written once, then only executed;
 * - data that code reads but never executes (thunk contexts and targets).
 *
 * A dual-mapped block (distinct RW and RX views of the same pages) is written through
 * its RW view. A single-mapped block (rx === rw) is flipped RW -> RX with the
 * allocator's `protectJitMemory` around a code write; since code only ever goes into
 * fresh pages, no page that holds code another thread may be running is ever made
 * non-executable, and data pages stay RW and are never executable.
 */
import { bridge } from '../native/bridge';
import { defaultJitAlloc, type JitAlloc } from './jit-alloc';

/** x86 keeps instruction fetch coherent with stores; other CPUs need an explicit flush. */
const coherentIcache = process.arch === 'x64' || process.arch === 'ia32';

export class CodeBlock {
  readonly rx: bigint;
  readonly rw: bigint;
  /** `rx` as a number (user-space addresses fit in 53 bits), for address arithmetic without BigInt. */
  readonly rxNumber: number;
  readonly singleMapped: boolean;
  readonly pageSize = bridge.pageSize;
  /** The block through its writable view, when one can be had as an ArrayBuffer. */
  private readonly bytes: Uint8Array | undefined;
  /** Same memory as 32-bit words (data writes: a few element stores, no native call). */
  readonly words: Uint32Array | undefined;
  /** Single-mapped blocks: pages that hold code, which are never made writable again. */
  private readonly codePages = new Set<number>();

  constructor(
    readonly alloc: JitAlloc,
    readonly size: number,
  ) {
    const block = alloc.alloc(size);
    this.rx = block.rx;
    this.rw = block.rw;
    this.rxNumber = Number(block.rx);
    this.singleMapped = block.rx === block.rw;
    let view = alloc === defaultJitAlloc ? defaultJitAlloc.writableView(block.rx) : undefined;
    if (!view) {
      try {
        view = bridge.view(block.rw, size);
      } catch {
        view = undefined; // runtimes without external ArrayBuffers: native copies instead
      }
    }
    this.bytes = view ? new Uint8Array(view) : undefined;
    this.words = view ? new Uint32Array(view) : undefined;
    if (alloc === defaultJitAlloc) defaultJitAlloc.markInUse(block.rx);
  }

  /**
   * Marks [offset, offset + length) as data: on a single-mapped block its pages are made
   * writable (and so not executable) for good.
   */
  reserveData(offset: number, length: number): void {
    if (!this.singleMapped) return;
    this.alloc.protectJitMemory?.(this.rx + BigInt(offset), length, 'rw');
  }

  /** Writes bytes that are never executed (see {@link reserveData}). */
  writeData(offset: number, data: Uint8Array): void {
    if (this.bytes) this.bytes.set(data, offset);
    else bridge.write(this.rw + BigInt(offset), data);
  }

  /**
   * Writes code at `offset` and makes it executable. On a single-mapped block the pages
   * it touches must hold no code yet (callers put each new piece of code on fresh pages).
   */
  writeCode(offset: number, code: Uint8Array): void {
    if (offset < 0 || offset + code.length > this.size)
      throw new RangeError(`code write of ${code.length} bytes at ${offset} overflows a ${this.size}-byte block`);
    const rx = this.rx + BigInt(offset);
    if (this.singleMapped) {
      const first = Math.floor(offset / this.pageSize);
      const last = Math.floor((offset + code.length - 1) / this.pageSize);
      for (let p = first; p <= last; p++) {
        if (this.codePages.has(p))
          throw new Error(`internal: code write at ${offset} would make page ${p}, which holds live code, writable`);
        this.codePages.add(p);
      }
      const start = first * this.pageSize;
      const span = (last + 1) * this.pageSize - start;
      this.alloc.protectJitMemory?.(this.rx + BigInt(start), span, 'rw');
      this.writeData(offset, code);
      this.alloc.protectJitMemory?.(this.rx + BigInt(start), span, 'rx');
    } else {
      this.writeData(offset, code);
      if (coherentIcache && this.alloc === defaultJitAlloc) return;
    }
    this.alloc.flushInstructionCache(rx, code.length);
  }
}
