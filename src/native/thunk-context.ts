/**
 * The 64-bit context a thunk hands to the bridge, packed and unpacked in 32-bit halves
 * (no BigInt on the hot paths). The layout is the bridge's (native/bridge.h) and is read
 * from its exports, so it is written down in one place only.
 */
import { bridge } from './bridge';

export const ID_BITS = bridge.CTX_ID_BITS;
export const ID_MASK = 2 ** ID_BITS - 1;
const GEN_BITS = bridge.CTX_GEN_BITS;
export const GEN_MASK = 2 ** GEN_BITS - 1;
const GEN_LO_BITS = 32 - ID_BITS; // the generation's low bits share the low half with the id
const GEN_HI_MASK = 2 ** (GEN_BITS - GEN_LO_BITS) - 1;
const STACK_SHIFT_HI = bridge.CTX_STACK_SHIFT - 32;
const FLAGS_SHIFT_HI = bridge.CTX_FLAGS_SHIFT - 32;
const TRAP_DESC_MASK = 2 ** FLAGS_SHIFT_HI - 1;

export const FLAG = {
  abortOnError: bridge.FLAG_ABORT_ON_ERROR,
  sync: bridge.FLAG_SYNC,
  nonblocking: bridge.FLAG_NONBLOCKING,
  /** Tells native code where a zero result goes when JS cannot supply one. */
  resultInMemory: bridge.FLAG_RESULT_IN_MEMORY,
  waitWhenFull: bridge.FLAG_WAIT_WHEN_FULL,
} as const;

/** Low half of a context: the id and the generation's low bits. */
export function contextLo(id: number, gen: number): number {
  return (id | (gen << ID_BITS)) >>> 0;
}

/** High half of a context: the rest of the generation, stack words and flags. */
export function contextHi(gen: number, stackWords: number, flags: number): number {
  return ((gen >>> GEN_LO_BITS) | (stackWords << STACK_SHIFT_HI) | (flags << FLAGS_SHIFT_HI)) >>> 0;
}

/** The generation a context (given as halves) carries. */
export function generationOf(lo: number, hi: number): number {
  return (lo >>> ID_BITS) | ((hi & GEN_HI_MASK) << GEN_LO_BITS);
}

/** High half of a disposed thunk's trap information: its description index, marked as trap information. */
export function trapInfoHi(description: number): number {
  if (description > TRAP_DESC_MASK) throw new RangeError(`more than ${TRAP_DESC_MASK + 1} thunk descriptions`);
  return (description | (bridge.TRAP_FLAGS << FLAGS_SHIFT_HI)) >>> 0;
}

/** The description index a trap's high half carries. */
export function trapDescription(infoHi: number): number {
  return infoHi & TRAP_DESC_MASK;
}
