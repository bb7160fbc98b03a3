/**
 * Shared machine code (entry stubs, trap stub, call stubs): generated once per key,
 * bump-allocated from executable blocks of the default allocator, never freed. On a
 * single-mapped block each stub starts on a fresh page, since pages that already hold
 * stubs are never made writable again (see code-block.ts).
 */
import { CodeBlock } from './code-block';
import { defaultJitAlloc } from './jit-alloc';

const BLOCK_BYTES = 64 * 1024;
const ALIGN = 16;

export class StubCache {
  private block: CodeBlock | undefined;
  private used = 0;
  private readonly byKey = new Map<string, bigint>();

  /** Address of the stub for `key`, building it with `build` the first time. */
  get(key: string, build: () => Uint8Array): bigint {
    const known = this.byKey.get(key);
    if (known !== undefined) return known;
    const code = build();
    if (!this.block || this.used + code.length > BLOCK_BYTES) {
      if (code.length > BLOCK_BYTES) throw new RangeError(`stub '${key}' is ${code.length} bytes, larger than a stub block`);
      this.block = new CodeBlock(defaultJitAlloc, BLOCK_BYTES);
      this.used = 0;
    }
    const offset = this.used;
    this.block.writeCode(offset, code);
    const align = this.block.singleMapped ? this.block.pageSize : ALIGN;
    this.used = Math.ceil((offset + code.length) / align) * align;
    const addr = this.block.rx + BigInt(offset);
    this.byKey.set(key, addr);
    return addr;
  }
}

export const stubs = new StubCache();
