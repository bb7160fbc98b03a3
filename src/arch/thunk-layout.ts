/**
 * The shape of a thunk on one CPU, as the thunk pool needs it. A thunk is a few
 * instructions that load the thunk's context into a scratch register and jump to the
 * address in its target word; both words live in the thunk's data, away from its code.
 * The code is written once, when its block is made, and then only ever executed.
 */
export interface ThunkLayout {
  /** Bytes of code per thunk. */
  readonly codeSize: number;
  /** Bytes of data per thunk: the context word, then the target address word (8 bytes each). */
  readonly dataSize: number;
  /** The code of a thunk at block offset `codeAt` whose data is at block offset `dataAt`. */
  code(codeAt: number, dataAt: number): Uint8Array;
}
