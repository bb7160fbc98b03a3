/**
 * Shared machine code (entry stubs, trap stub, call stubs): generated once per key,
 * bump-allocated from executable blocks of the default allocator, never freed. On a
 * single-mapped block each stub starts on a fresh page, since pages that already hold
 * stubs are never made writable again (see code-block.ts).
 *
 * Where the OS unwinds by tables (Windows x64), a stub's unwind information is written
 * right after its code, in the same code write, and registered with the OS for the stub's
 * range; since stub blocks are never freed, the registration never outlives its code.
 */
import { bridge } from '../native/bridge';
import type { StubCode } from '../arch/stub-code';
import { CodeBlock } from './code-block';
import { defaultJitAlloc } from './jit-alloc';

const BLOCK_BYTES = 64 * 1024;
const ALIGN = 16;

export class StubCache {
  private block: CodeBlock | undefined;
  private used = 0;
  private readonly byKey = new Map<string, bigint>();

  /** Address of the stub for `key`, building it with `build` the first time. */
  get(key: string, build: () => StubCode): bigint {
    const known = this.byKey.get(key);
    if (known !== undefined) return known;
    const stub = build();
    const bytes = withUnwindInfo(stub);
    if (!this.block || this.used + bytes.length > BLOCK_BYTES) {
      if (bytes.length > BLOCK_BYTES) throw new RangeError(`stub '${key}' is ${bytes.length} bytes, larger than a stub block`);
      this.block = new CodeBlock(defaultJitAlloc, BLOCK_BYTES);
      this.used = 0;
    }
    const offset = this.used;
    this.block.writeCode(offset, bytes);
    if (bytes !== stub.code)
      bridge.addUnwindInfo(this.block.rx, offset, offset + stub.code.length, offset + unwindOffset(stub.code));
    const align = this.block.singleMapped ? this.block.pageSize : ALIGN;
    this.used = Math.ceil((offset + bytes.length) / align) * align;
    const addr = this.block.rx + BigInt(offset);
    this.byKey.set(key, addr);
    return addr;
  }
}

/** Where a stub's unwind information starts: after its code, 4-byte aligned as the OS requires. */
function unwindOffset(code: Uint8Array): number {
  return Math.ceil(code.length / 4) * 4;
}

/** The bytes to place: the code, then its unwind information where the OS uses it. */
function withUnwindInfo(stub: StubCode): Uint8Array {
  if (!stub.unwind || !bridge.UNWIND_TABLES) return stub.code;
  const at = unwindOffset(stub.code);
  const bytes = new Uint8Array(at + stub.unwind.length).fill(0xcc); // int3 between code and data
  bytes.set(stub.code);
  bytes.set(stub.unwind, at);
  return bytes;
}

export const stubs = new StubCache();
