/**
 * The result of ABI classification: where each argument and the result live,
 * expressed as word offsets inside a frame (see src/runtime/arena.ts).
 * Classifiers produce it; stubs and codecs consume it. Nothing else is ABI-specific.
 */
import type { ScalarKind } from '../signature';

export interface ValueSlot {
  /** Word offset inside the frame. */
  readonly word: number;
  readonly kind: ScalarKind;
}

export interface Lowering {
  readonly args: readonly ValueSlot[];
  /** Where the result is read/written; null for void. */
  readonly ret: ValueSlot | null;
  /** Number of 8-byte stack words the caller pushed (copied into the frame on entry). */
  readonly stackWords: number;
  /** Integer / vector registers used by the arguments (outbound stubs load only these). */
  readonly gprCount: number;
  readonly fprCount: number;
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
