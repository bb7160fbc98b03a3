/**
 * The result of ABI classification: where each argument and the result live, as byte
 * locations inside a frame (see src/native/arena.ts): a register's slot in the frame's
 * register block, or a place in the copy of the caller's stack arguments.
 * Classifiers produce it; stubs and codecs consume it. Nothing else is ABI-specific.
 *
 * Every location is a byte offset from the start of the frame (`at`). Register slots are
 * 8 bytes on 64-bit CPUs; a stack slot is as wide as the convention makes it (8 bytes on
 * x86-64 and AArch64 Linux; 4 on 32-bit CPUs; packed by natural alignment on Apple arm64).
 */
import type { AggregateType, ScalarKind } from '../signature';

/** A scalar in one location (low bytes first, as the register or stack slot holds it). */
export interface ScalarSlot {
  /** Byte offset inside the frame; a multiple of the scalar's size. */
  readonly at: number;
  /**
   * Bytes of the location (8 for a register or an x86-64 stack slot): a value narrower
   * than that is sign- or zero-extended over all of them when JS stores it.
   */
  readonly size: number;
  /**
   * The scalar's machine kind; `'cstring'` is a pointer that JS sees as a string
   * (decoded with the bridge's `readCString`, encoded into frame scratch memory or
   * interned; see src/runtime/cstrings.ts).
   */
  readonly kind: ScalarKind | 'cstring';
}

/**
 * Bytes `from .. from + size - 1` of a value, held at frame byte offset `at`: one register
 * (an eightbyte of a System V struct, one member of an AArch64 HFA) or a run of stack bytes.
 */
export interface Piece {
  readonly at: number;
  readonly from: number;
  readonly size: number;
}

/**
 * A struct or union by value, as pieces: in registers (integer and vector registers may
 * mix, a piece each), or in memory (one piece: the value's bytes contiguous in the frame).
 */
export interface AggregateSlot {
  readonly kind: 'aggregate';
  readonly type: AggregateType;
  readonly pieces: readonly Piece[];
}

/**
 * A struct or union passed by reference to a copy (Win64, for sizes other than 1, 2, 4 and
 * 8 bytes; AArch64, for composites over 16 bytes): the pointer-sized location `at` holds
 * the copy's address. Inbound, the codec reads the value there; outbound, the call builds
 * the copy in the frame from byte `copyAt` on.
 */
export interface ReferenceSlot {
  readonly kind: 'reference';
  readonly type: AggregateType;
  readonly at: number;
  readonly copyAt: number;
}

/**
 * How a convention's C compiler represents a `va_list` argument (one pointer-sized word):
 * - `'sysv-x64'`: a pointer to a 24-byte `__va_list_tag { u32 gp_offset; u32 fp_offset;
 *   void *overflow_arg_area; void *reg_save_area; }` that the caller owns;
 * - `'win64-x64'`: a `char *` to the next argument's 8-byte slot (registers spilled to the
 *   home area, then the stack arguments, contiguous);
 * - `'aapcs64'`: a 32-byte `struct { void *__stack, *__gr_top, *__vr_top; int __gr_offs,
 *   __vr_offs; }`, passed (being larger than 16 bytes) as a pointer to the caller's copy.
 */
export type VaListAbi = 'sysv-x64' | 'win64-x64' | 'aapcs64';

/** A `va_list` argument: JS sees a VaList, native code the pointer-sized location `at` (see {@link VaListAbi}). */
export interface VaListSlot {
  readonly kind: 'va_list';
  readonly at: number;
  readonly abi: VaListAbi;
}

/** Where an argument lives. */
export type ValueSlot = ScalarSlot | AggregateSlot | ReferenceSlot | VaListSlot;

/**
 * A result returned in memory (System V class MEMORY; Win64 and AArch64 large composites):
 * the caller passes the address of a buffer as a hidden argument, the callee stores the
 * value there (and, where the convention says so, returns the same address).
 */
export interface IndirectResultSlot {
  readonly kind: 'indirect';
  readonly type: AggregateType;
  /** Frame byte offset of the register slot carrying the hidden pointer (rdi, rcx, x8). */
  readonly pointerAt: number;
  /** Frame byte offset of the register the callee returns that pointer in, or null when it need not (AArch64). */
  readonly returnAt: number | null;
  /**
   * Outbound calls: the frame byte offset of the result buffer, after the stack
   * arguments; the call stub passes its address as the hidden pointer. Inbound calls:
   * where the codec assembles the value before copying it to the caller's buffer.
   */
  readonly bufferAt: number;
}

/** Where the result lives. */
export type ResultSlot = ValueSlot | IndirectResultSlot;

/**
 * Where a variadic callee finds the arguments after the fixed ones: the argument registers
 * the fixed arguments left (as frame byte offsets), then the caller's stack from byte
 * `stackOffset` of its argument area on. How a callee walks them (by type for System V,
 * by position for Win64) is the convention's `abi`.
 */
export interface VariadicStart {
  /** How the convention's `va_list` reaches these arguments (what a VaList forwards as). */
  readonly abi: VaListAbi;
  readonly gprs: readonly number[];
  readonly fprs: readonly number[];
  readonly stackOffset: number;
}

export interface Lowering {
  readonly args: readonly ValueSlot[];
  /** Where the result is read/written; null for void. */
  readonly ret: ResultSlot | null;
  /** Bytes of stack arguments the caller pushed (copied into the frame on entry), a multiple of 8. */
  readonly stackBytes: number;
  /** Integer / vector argument registers used (outbound stubs load only these). */
  readonly gprCount: number;
  readonly fprCount: number;
  /**
   * First frame byte not used by stack arguments, a memory result buffer or copies:
   * outbound calls put C-string arguments from there up to the end of the frame.
   */
  readonly scratchAt: number;
  /** For a variadic signature: where the variadic arguments start. */
  readonly variadic?: VariadicStart;
  /**
   * Outbound calls to a variadic function: `[from, to]` frame byte offsets of 8-byte
   * register slots to copy after the arguments are stored, putting a floating-point
   * variadic argument in the integer register of its position too (Win64 callers must).
   */
  readonly floatCopiesToGpr?: readonly (readonly [number, number])[];
}

/** A convention's register files as frame byte offsets, shared by its classifier and its stubs. */
export interface RegisterFile {
  /** Integer argument registers, in order. */
  readonly gprs: readonly number[];
  /** Floating-point / vector argument registers, in order. */
  readonly fprs: readonly number[];
  /** Integer and floating-point result registers. */
  readonly intRets: readonly number[];
  readonly fprRets: readonly number[];
}

/** Whether a value's pieces are one run of frame bytes in value order (it can be read as memory, and looped over). */
export function isContiguous(pieces: readonly Piece[]): boolean {
  return pieces.every((p, i) => i === 0 || (p.from === pieces[i - 1]!.from + pieces[i - 1]!.size && p.at === pieces[i - 1]!.at + pieces[i - 1]!.size));
}

/** One piece: the `size` bytes of a value held contiguously at frame byte `at`. */
export function wholeAt(at: number, size: number): Piece[] {
  return [{ at, from: 0, size }];
}
