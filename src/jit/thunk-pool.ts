/**
 * Thunk memory: many thunks per block, handed out and taken back.
 *
 * A block is two halves: code, then data. The code half is an array of thunks, each
 * page of it written once, when its first slot is handed out (see {@link ThunkLayout});
 * thunk `i` loads its context from data entry `i` and jumps to the target stored there. Creating a thunk writes its
 * context and target; disposing it writes trap information and the trap stub's address.
 * So creating and disposing never rewrites code: no page a thread may be executing is
 * ever touched, and CPUs that need an instruction-cache flush after writing code need
 * none here.
 *
 * A disposed slot is quarantined: reused only after QUARANTINE_SLOTS newer frees, oldest
 * first, so a stale function pointer kept by native code traps instead of calling some
 * newer closure.
 */
import { CodeBlock } from './code-block';
import type { JitAlloc } from './jit-alloc';
import type { ThunkLayout } from '../arch/thunk-layout';
import { SlotQueue } from './slot-queue';

const MIN_HALF_BYTES = 32 * 1024;
export const QUARANTINE_SLOTS = 4096;

/** A native address as two 32-bit halves, as the data words hold it. */
export interface AddressWords {
  readonly lo: number;
  readonly hi: number;
}

export function addressWords(a: bigint): AddressWords {
  return { lo: Number(a & 0xffffffffn), hi: Number(a >> 32n) };
}

export class ThunkPool {
  private readonly blocks: CodeBlock[] = [];
  private fresh = 0; // next never-used slot number
  private readonly quarantine = new SlotQueue();
  private readonly addresses: bigint[] = [];
  private live = 0;
  private readonly halfBytes: number;
  private readonly slotsPerBlock: number;
  /** Thunks per page of code: code is written a page at a time, as fresh slots are needed. */
  private readonly slotsPerPage: number;
  /** What each quarantined slot's trap carries (see onReuse). */
  private readonly trapInfo: number[] = [];

  constructor(
    private readonly alloc: JitAlloc,
    private readonly layout: ThunkLayout,
    pageSize: number,
    /** Told the trap information a quarantined slot carried when the slot is taken again. */
    private readonly onReuse: (infoHi: number) => void,
  ) {
    // Each half starts on a page boundary, so a single-mapped block can keep its code
    // pages executable and its data pages writable.
    this.halfBytes = Math.max(MIN_HALF_BYTES, pageSize);
    this.slotsPerBlock = Math.floor(this.halfBytes / Math.max(layout.codeSize, layout.dataSize));
    this.slotsPerPage = Math.max(1, Math.floor(pageSize / layout.codeSize));
  }

  get liveThunks(): number {
    return this.live;
  }

  /** Takes a slot: the oldest quarantined one once the quarantine is full, else a fresh one. */
  acquire(): number {
    if (this.quarantine.length > QUARANTINE_SLOTS) {
      const slot = this.quarantine.shift();
      this.onReuse(this.trapInfo[slot]!);
      this.live++;
      return slot;
    }
    const slot = this.fresh;
    if (slot >= this.blocks.length * this.slotsPerBlock) this.blocks.push(this.newBlock()); // may throw: nothing taken yet
    if (slot % this.slotsPerPage === 0) this.writeCodePage(slot);
    this.fresh++;
    this.live++;
    return slot;
  }

  /** Native address of a slot's code (made once per slot: slots are reused, bigints cost). */
  address(slot: number): bigint {
    let a = this.addresses[slot];
    if (a === undefined) {
      const i = slot % this.slotsPerBlock;
      a = BigInt(this.blocks[(slot / this.slotsPerBlock) | 0]!.rxNumber + i * this.layout.codeSize);
      this.addresses[slot] = a;
    }
    return a;
  }

  /** Makes the slot load context (ctxLo, ctxHi) and jump to `target`. The context goes first. */
  write(slot: number, ctxLo: number, ctxHi: number, target: AddressWords): void {
    this.setData(slot, ctxLo, ctxHi, target, false);
  }

  /**
   * Turns the slot into a trap carrying (infoLo, infoHi), then quarantines it. The target
   * goes first, so a racing call never jumps to the entry stub with trap information.
   */
  release(slot: number, infoLo: number, infoHi: number, trap: AddressWords): void {
    this.setData(slot, infoLo, infoHi, trap, true);
    this.trapInfo[slot] = infoHi;
    this.quarantine.push(slot);
    this.live--;
  }

  /** Writes a slot's context and target words, in the order a racing caller needs. */
  private setData(slot: number, ctxLo: number, ctxHi: number, target: AddressWords, targetFirst: boolean): void {
    const block = this.blocks[(slot / this.slotsPerBlock) | 0]!;
    const w = this.dataWord(slot);
    const words = block.words;
    if (!words) {
      block.writeData(w * 4, new Uint8Array(new Uint32Array([ctxLo, ctxHi, target.lo, target.hi]).buffer));
      return;
    }
    if (targetFirst) {
      words[w + 2] = target.lo;
      words[w + 3] = target.hi;
    }
    words[w] = ctxLo;
    words[w + 1] = ctxHi;
    if (!targetFirst) {
      words[w + 2] = target.lo;
      words[w + 3] = target.hi;
    }
  }

  /** Index (in 32-bit words from the block start) of a slot's data. */
  private dataWord(slot: number): number {
    return (this.halfBytes + (slot % this.slotsPerBlock) * this.layout.dataSize) >> 2;
  }

  /** A block with no thunk code yet; its data half is writable for good. */
  private newBlock(): CodeBlock {
    const block = new CodeBlock(this.alloc, 2 * this.halfBytes);
    block.reserveData(this.halfBytes, this.halfBytes);
    return block;
  }

  /** Writes the code of the page of thunks that starts with fresh slot `first`. */
  private writeCodePage(first: number): void {
    const block = this.blocks[(first / this.slotsPerBlock) | 0]!;
    const start = first % this.slotsPerBlock;
    const count = Math.min(this.slotsPerPage, this.slotsPerBlock - start);
    const { codeSize, dataSize } = this.layout;
    const code = new Uint8Array(count * codeSize);
    for (let i = 0; i < count; i++) code.set(this.layout.code((start + i) * codeSize, this.halfBytes + (start + i) * dataSize), i * codeSize);
    block.writeCode(start * codeSize, code);
  }
}
