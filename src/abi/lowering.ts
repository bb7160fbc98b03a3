/**
 * The result of ABI classification: where each argument and the result live,
 * expressed as word offsets inside a frame (see src/native/arena.ts).
 * Classifiers produce it; stubs and codecs consume it. Nothing else is ABI-specific.
 */
import type { AggregateType, ScalarKind } from '../signature';

/** A scalar in one frame word (low bytes first, as the register or stack slot holds it). */
export interface ScalarSlot {
  /** Word offset inside the frame. */
  readonly word: number;
  /**
   * The scalar's machine kind; `'cstring'` is a pointer that JS sees as a string
   * (decoded with the bridge's `readCString`, encoded into frame scratch memory or
   * interned; see src/runtime/cstrings.ts).
   */
  readonly kind: ScalarKind | 'cstring';
}

/**
 * A struct or union by value, split into eightbytes: eightbyte `i` (bytes `8i..8i+7` of
 * the value) is in frame word `words[i]`. For a value passed in registers the words are
 * register slots (integer and vector registers may mix); for a value passed in memory
 * they are consecutive stack words, so the value's bytes are contiguous in the frame.
 */
export interface AggregateSlot {
  readonly kind: 'aggregate';
  readonly type: AggregateType;
  readonly words: readonly number[];
  /** true when `words` are consecutive (the value is in memory, not in registers). */
  readonly contiguous: boolean;
}

/**
 * A struct or union passed by reference to a copy (Win64, for sizes other than 1, 2, 4 and
 * 8 bytes): argument word `word` holds the copy's address. Inbound, the codec reads the
 * value there; outbound, the call builds the copy in frame words from `copyWord` on.
 */
export interface ReferenceSlot {
  readonly kind: 'reference';
  readonly type: AggregateType;
  readonly word: number;
  readonly copyWord: number;
}

/**
 * How a convention's C compiler represents a `va_list` argument (one pointer-sized word):
 * - `'sysv-x64'`: a pointer to a 24-byte `__va_list_tag { u32 gp_offset; u32 fp_offset;
 *   void *overflow_arg_area; void *reg_save_area; }` that the caller owns;
 * - `'win64-x64'`: a `char *` to the next argument's 8-byte slot (registers spilled to the
 *   home area, then the stack arguments, contiguous).
 */
export type VaListAbi = 'sysv-x64' | 'win64-x64';

/** A `va_list` argument: JS sees a VaList, native code the word at `word` (see {@link VaListAbi}). */
export interface VaListSlot {
  readonly kind: 'va_list';
  readonly word: number;
  readonly abi: VaListAbi;
}

/** Where an argument lives. */
export type ValueSlot = ScalarSlot | AggregateSlot | ReferenceSlot | VaListSlot;

/**
 * A result returned in memory (System V class MEMORY): the caller passes the address of a
 * buffer as a hidden first integer argument, the callee stores the value there and returns
 * the same address in the first integer result register.
 */
export interface IndirectResultSlot {
  readonly kind: 'indirect';
  readonly type: AggregateType;
  /** Frame word of the hidden pointer argument (an integer argument register). */
  readonly pointerWord: number;
  /** Frame word of the register the callee returns that pointer in. */
  readonly returnWord: number;
  /**
   * Outbound calls: the first frame word of the result buffer, after the stack argument
   * words; the call stub passes its address as the hidden pointer. Inbound calls: where
   * the codec assembles the value before copying it to the caller's buffer.
   */
  readonly bufferWord: number;
}

/** Where the result lives. */
export type ResultSlot = ValueSlot | IndirectResultSlot;

/**
 * Where a variadic callee finds the arguments after the fixed ones: the argument registers
 * the fixed arguments left (as frame words), then the caller's stack from word `stackWord`
 * on. How a callee walks them (by type for System V, by position for Win64) is the
 * convention's `abi`.
 */
export interface VariadicStart {
  /** How the convention's `va_list` reaches these arguments (what a VaList forwards as). */
  readonly abi: VaListAbi;
  readonly gprWords: readonly number[];
  readonly fprWords: readonly number[];
  readonly stackWord: number;
}

export interface Lowering {
  readonly args: readonly ValueSlot[];
  /** Where the result is read/written; null for void. */
  readonly ret: ResultSlot | null;
  /** Number of 8-byte stack words the caller pushed (copied into the frame on entry). */
  readonly stackWords: number;
  /** Integer / vector registers used by the arguments (outbound stubs load only these). */
  readonly gprCount: number;
  readonly fprCount: number;
  /**
   * First frame word not used by stack arguments or a memory result buffer: outbound
   * calls put C-string arguments from there up to the end of the frame.
   */
  readonly scratchWord: number;
  /** For a variadic signature: where the variadic arguments start. */
  readonly variadic?: VariadicStart;
  /**
   * Outbound calls to a variadic function: `[from, to]` frame words to copy after the
   * arguments are stored, putting a floating-point variadic argument in the integer
   * register of its position too (Win64 callers must).
   */
  readonly floatCopiesToGpr?: readonly (readonly [number, number])[];
}

/** A convention's register files as frame words, shared by its classifier and its stubs. */
export interface RegisterFile {
  /** Frame-word offsets of integer argument registers, in order. */
  readonly gprWords: readonly number[];
  /** Frame-word offsets of floating-point argument registers, in order. */
  readonly fprWords: readonly number[];
  /** Frame-word offsets of the integer and floating-point result registers. */
  readonly intRetWords: readonly number[];
  readonly fprRetWords: readonly number[];
}
