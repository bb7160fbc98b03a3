/**
 * Windows x64 unwind information (UNWIND_INFO, version 1) for generated code: how the OS's
 * unwinder (structured exceptions, the C runtime's longjmp, RtlVirtualUnwind, stack walks
 * of debuggers and crash reporters) undoes a function's prologue to find its caller. On
 * Windows x64 a function without it is taken for a leaf that pushed nothing, so an unwind
 * through a stub that has a frame would go astray.
 *
 * A code generator records each prologue step right after it emits it (the offset is the
 * end of the instruction); {@link X64UnwindInfo.encode} gives the bytes a RUNTIME_FUNCTION
 * entry points at. Saved-register offsets are relative to rsp after the prologue (frames of
 * a fixed size), unless {@link X64UnwindInfo.setFrame} declares a frame register, which
 * code that realigns rsp needs.
 */
import { x64RegisterNumber, type X64Reg, type XmmReg } from './x64';

// UNWIND_CODE operations (the unwinder's UWOP_* numbers).
const PUSH_NONVOL = 0;
const ALLOC_LARGE = 1;
const ALLOC_SMALL = 2;
const SET_FPREG = 3;
const SAVE_XMM128 = 8;
const SAVE_XMM128_FAR = 9;

/** One prologue step: its code slot, then the slots holding its operand. */
interface Step {
  readonly at: number;
  readonly op: number;
  readonly info: number;
  readonly operand: readonly number[];
}

export class X64UnwindInfo {
  private readonly steps: Step[] = [];
  private frameRegister = 0;

  /** `push reg` ending at `at`. */
  pushNonvol(at: number, reg: X64Reg): void {
    this.add(at, PUSH_NONVOL, x64RegisterNumber(reg), []);
  }

  /** `sub rsp, bytes` ending at `at` (bytes: a positive multiple of 8). */
  alloc(at: number, bytes: number): void {
    if (!Number.isInteger(bytes) || bytes <= 0 || bytes % 8 || bytes > 0xffff_fff8)
      throw new RangeError(`internal: a stack allocation of ${bytes} bytes cannot be described`);
    if (bytes <= 128) this.add(at, ALLOC_SMALL, bytes / 8 - 1, []);
    else if (bytes <= 0x7fff8) this.add(at, ALLOC_LARGE, 0, [bytes / 8]);
    else this.add(at, ALLOC_LARGE, 1, [bytes & 0xffff, bytes >>> 16]);
  }

  /** A 16-byte store of `xmm` at [rsp + offset] (rsp after the prologue), ending at `at`. */
  saveXmm128(at: number, xmm: XmmReg, offset: number): void {
    if (!Number.isInteger(offset) || offset < 0 || offset > 0xffff_ffff)
      throw new RangeError(`internal: an xmm save at rsp+${offset} cannot be described`);
    const reg = x64RegisterNumber(xmm);
    if (offset % 16 === 0 && offset / 16 <= 0xffff) this.add(at, SAVE_XMM128, reg, [offset / 16]);
    else this.add(at, SAVE_XMM128_FAR, reg, [offset & 0xffff, offset >>> 16]);
  }

  /** `mov reg, rsp` ending at `at`: `reg` is the frame register from here on. */
  setFrame(at: number, reg: X64Reg): void {
    if (this.frameRegister) throw new Error('internal: a function has one frame register');
    this.frameRegister = x64RegisterNumber(reg);
    this.add(at, SET_FPREG, 0, []);
  }

  /** The UNWIND_INFO bytes for a prologue that ends at `prologEnd`. */
  encode(prologEnd: number): Uint8Array {
    if (prologEnd > 0xff) throw new RangeError(`internal: a prologue of ${prologEnd} bytes is longer than unwind information can describe (255)`);
    // The unwinder reads the steps last to first: it undoes the prologue backwards.
    const slots: number[] = [];
    for (const s of [...this.steps].reverse()) slots.push(s.at | (s.op << 8) | (s.info << 12), ...s.operand);
    const count = slots.length;
    if (count > 0xff) throw new RangeError(`internal: ${count} unwind code slots are more than 255`);
    if (count % 2) slots.push(0); // the array is padded to a multiple of 4 bytes
    const bytes = new Uint8Array(4 + slots.length * 2);
    bytes[0] = 1; // version 1, no handler flags
    bytes[1] = prologEnd;
    bytes[2] = count;
    bytes[3] = this.frameRegister; // frame offset 0: the frame register holds rsp as it was
    slots.forEach((v, i) => { bytes[4 + i * 2] = v & 0xff; bytes[5 + i * 2] = v >>> 8; });
    return bytes;
  }

  private add(at: number, op: number, info: number, operand: number[]): void {
    const last = this.steps[this.steps.length - 1];
    if (!Number.isInteger(at) || at <= 0 || at > 0xff || (last && at <= last.at))
      throw new RangeError(`internal: prologue step at byte ${at} is out of order or past byte 255`);
    this.steps.push({ at, op, info, operand });
  }
}
