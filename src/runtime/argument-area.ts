/**
 * Reading a caller's argument area (the stack arguments of a variadic call, a `va_list`'s
 * overflow area) from JS without a native call per argument: the bytes are copied a chunk
 * at a time (up to {@link CHUNK_BYTES}, never across a page boundary) and each 8-byte slot
 * is then read from the copy.
 *
 * Nothing says how far the area goes: C's `va_arg` just reads on. A chunk is copied with
 * the bridge's `readSafe`, so walking off the mapping is an error naming the slot, never a
 * SIGSEGV; a successful copy proves its page readable (pages are at least 4 KiB).
 */
import { bridge } from '../native/bridge';

/** Bytes copied per native read: 32 argument slots. */
export const CHUNK_BYTES = 256;
const PAGE_BYTES = 4096;

/** The machine kinds a promoted variadic argument can have. */
export type SlotKind = 'i32' | 'u32' | 'i64' | 'u64' | 'pointer' | 'f64';

export class ArgumentAreaReader {
  private copy: DataView | null = null;
  /** The native address range `[from, to)` that `copy` holds. */
  private from = 0;
  private to = 0;

  /**
   * @param unreadable builds the error for a slot whose memory is not readable (the
   *   address of the slot is given); it is thrown from {@link read}.
   */
  constructor(private readonly unreadable: (address: number) => Error) {}

  /** The 8-byte slot at native address `address` (8-aligned) read as `kind`. */
  read(address: number, kind: SlotKind): number | bigint {
    if (address < this.from || address + 8 > this.to) this.load(address);
    const dv = this.copy!;
    const at = address - this.from;
    switch (kind) {
      case 'i32': return dv.getInt32(at, true);
      case 'u32': return dv.getUint32(at, true);
      case 'i64': return dv.getBigInt64(at, true);
      case 'u64': case 'pointer': return dv.getBigUint64(at, true);
      case 'f64': return dv.getFloat64(at, true);
    }
  }

  private load(address: number): void {
    const length = Math.min(CHUNK_BYTES, PAGE_BYTES - (address % PAGE_BYTES));
    const bytes = bridge.readSafe(address, length);
    if (bytes === null) throw this.unreadable(address);
    this.copy = new DataView(bytes.buffer, bytes.byteOffset, length);
    this.from = address;
    this.to = address + length;
  }
}
