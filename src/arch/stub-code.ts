/**
 * The machine code of one shared stub, with what the OS needs to unwind through it: on
 * Windows x64 its UNWIND_INFO (see asm/x64-unwind.ts), registered for the stub when it is
 * placed (jit/stub-cache.ts). CPUs and OSes that unwind without tables leave it out.
 */
export interface StubCode {
  readonly code: Uint8Array;
  /** UNWIND_INFO describing `code` as one function, or undefined. */
  readonly unwind?: Uint8Array;
}
