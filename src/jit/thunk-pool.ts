/**
 * Thunk memory: many 16-byte thunks per block, handed out and taken back.
 *
 * Each block starts with a literal pool (the addresses of the shared stubs a
 * thunk may jump to), followed by thunk slots. A freed slot is first rewritten
 * to jump to the trap stub, then quarantined: it is reused only after
 * QUARANTINE_SLOTS newer frees, oldest first, so a stale function pointer kept
 * by native code traps instead of calling some newer closure.
 */
import { CodeBlock } from './code-block';
import type { JitAlloc } from './jit-alloc';
import { X64_THUNK } from './stubs-x64';

const BLOCK_BYTES = 64 * 1024;
const LITERAL_SLOTS = 8;
const LITERAL_BYTES = LITERAL_SLOTS * 8;
const SLOTS_PER_BLOCK = Math.floor((BLOCK_BYTES - LITERAL_BYTES) / X64_THUNK.size);
export const QUARANTINE_SLOTS = 4096;

/** What a literal-pool index holds: the entry stub of one convention, or the trap stub. */
export type LiteralIndex = number;
export const TRAP_LITERAL: LiteralIndex = 0;

/** First-in, first-out queue of slot numbers without O(n) shifts. */
class SlotQueue {
  private items = new Int32Array(1024);
  private head = 0;
  private tail = 0;

  get length(): number {
    return this.tail - this.head;
  }

  push(v: number): void {
    if (this.tail === this.items.length) {
      const live = this.items.subarray(this.head, this.tail);
      const grown = live.length * 2 > this.items.length ? new Int32Array(this.items.length * 2) : this.items;
      grown.set(live);
      this.items = grown;
      this.tail -= this.head;
      this.head = 0;
    }
    this.items[this.tail++] = v;
  }

  shift(): number {
    return this.items[this.head++];
  }
}

/**
 * A thunk is four little-endian 32-bit words: `mov r10, imm64` puts the context at bytes
 * 2..9, so it straddles words 0..2; word 3 is the jump's displacement. Thunks are built
 * from these words with integer arithmetic, no byte buffer in between.
 */
if (X64_THUNK.size !== 16 || X64_THUNK.ctxOffset !== 2 || X64_THUNK.dispOffset !== 12)
  throw new Error('internal: the thunk word layout below assumes mov r10, imm64 (10 bytes) + jmp [rip+disp32] (6 bytes)');
const template = new Uint32Array(X64_THUNK.template.buffer.slice(0, X64_THUNK.size));
const OPCODE_LO = template[0] & 0xffff; // REX.W + mov r10
const OPCODE_HI = template[2] & 0xffff0000; // jmp [rip + disp32]
const thunkWords = new Uint32Array(4);

export class ThunkPool {
  private readonly blocks: CodeBlock[] = [];
  private readonly literalsWritten: number[] = [];
  private fresh = 0; // next never-used slot number
  private readonly quarantine = new SlotQueue();
  private readonly addresses: bigint[] = [];
  private live = 0;

  constructor(
    private readonly alloc: JitAlloc,
    /** Address to store in literal `i` of every block (resolved lazily: stubs are made on first use). */
    private readonly literal: (i: LiteralIndex) => bigint,
  ) {}

  get liveThunks(): number {
    return this.live;
  }

  /** Takes a slot: the oldest quarantined one once the quarantine is full, else a fresh one. */
  acquire(): number {
    this.live++;
    if (this.quarantine.length > QUARANTINE_SLOTS) return this.quarantine.shift();
    const slot = this.fresh++;
    if (slot >= this.blocks.length * SLOTS_PER_BLOCK) {
      this.blocks.push(new CodeBlock(this.alloc, BLOCK_BYTES));
      this.literalsWritten.push(0);
    }
    return slot;
  }

  /** Native address of a slot's code (made once per slot: slots are reused, bigints cost). */
  address(slot: number): bigint {
    let a = this.addresses[slot];
    if (a === undefined) {
      a = BigInt(this.blocks[(slot / SLOTS_PER_BLOCK) | 0].rxNumber + this.offsetOf(slot));
      this.addresses[slot] = a;
    }
    return a;
  }

  /** Makes the slot load `ctx` (as two 32-bit halves) and jump through literal `target`. */
  write(slot: number, ctxLo: number, ctxHi: number, target: LiteralIndex): void {
    const blockIndex = (slot / SLOTS_PER_BLOCK) | 0;
    this.ensureLiteral(blockIndex, target);
    const off = this.offsetOf(slot);
    thunkWords[0] = OPCODE_LO | (ctxLo << 16);
    thunkWords[1] = (ctxLo >>> 16) | (ctxHi << 16);
    thunkWords[2] = OPCODE_HI | (ctxHi >>> 16);
    thunkWords[3] = target * 8 - (off + X64_THUNK.size);
    this.blocks[blockIndex].writeWords(off, thunkWords);
  }

  /** Turns the slot into a trap carrying `info`, then quarantines it. */
  release(slot: number, infoLo: number, infoHi: number): void {
    this.write(slot, infoLo, infoHi, TRAP_LITERAL);
    this.quarantine.push(slot);
    this.live--;
  }

  private offsetOf(slot: number): number {
    return LITERAL_BYTES + (slot % SLOTS_PER_BLOCK) * X64_THUNK.size;
  }

  private ensureLiteral(blockIndex: number, i: LiteralIndex): void {
    if (i >= LITERAL_SLOTS) throw new RangeError(`literal index ${i} exceeds the ${LITERAL_SLOTS}-entry pool`);
    const mask = this.literalsWritten[blockIndex];
    if (mask & (1 << i)) return;
    const bytes = new Uint8Array(8);
    new DataView(bytes.buffer).setBigUint64(0, this.literal(i), true);
    this.blocks[blockIndex].write(i * 8, bytes);
    this.literalsWritten[blockIndex] = mask | (1 << i);
  }
}
