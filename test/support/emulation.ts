/**
 * Tests run natively, or on another CPU under emulation (scripts/cross/run.sh exports
 * CLOSURE_FFI_CROSS_TARGET): there, starting a process takes seconds and code runs 5-20
 * times slower, so time limits are scaled, never the checks themselves.
 */
export const EMULATED_TARGET: string | undefined = process.env.CLOSURE_FFI_CROSS_TARGET || undefined;

/** How much longer a time limit is under emulation. */
export const SLOWDOWN = EMULATED_TARGET ? 8 : 1;

/** A time limit in milliseconds, scaled for emulation. */
export function timeLimit(ms: number): number {
  return ms * SLOWDOWN;
}
