/**
 * Errors of callbacks that run inside a JS -> native call, thrown from that call.
 *
 * A callback's error cannot cross the native frames between it and JS (C has no
 * exceptions), so the native caller gets the zero value (or the onError value) and goes
 * on. But when the callback runs inside a `FnPtr` call made on the same JS thread, that
 * call is where the user can catch it: the error is kept, and thrown by the `FnPtr` call
 * when the native function returns (`try { qsort.call(...) } catch (e) { ... }`). The
 * thrown value is the closure's own error, so its stack trace starts in the closure.
 *
 * Only the first error of one call is thrown; later ones of the same call are dropped (as
 * a JS loop stops at its first throw; C, though, kept calling). Callbacks with no
 * enclosing JS call (from the event loop, from other threads) are not affected.
 */

/** Shared with the generated callers (codec.ts): a plain object with small integer fields, cheap to test. */
export interface OutboundCalls {
  /** Outbound (JS -> native) calls in progress on this thread's JS stack. */
  active: number;
  /** How many levels hold a kept error (so callers test one number in the common case). */
  kept: number;
  /** Throws the error kept for the call at `level` (1 = outermost), if any. */
  throwKept(level: number): void;
  /** Forgets errors kept at `level` and deeper (a call starting at `level` owns none yet). */
  forgetFrom(level: number): void;
}

const keptErrors: (unknown[] | undefined)[] = [];

export const outboundCalls: OutboundCalls = {
  active: 0,
  kept: 0,
  throwKept(level: number): void {
    const errors = keptErrors[level];
    if (errors === undefined) return;
    keptErrors[level] = undefined;
    outboundCalls.kept--;
    throw errors[0];
  },
  forgetFrom(level: number): void {
    for (let l = level; l < keptErrors.length; l++) {
      if (keptErrors[l] !== undefined) {
        keptErrors[l] = undefined;
        outboundCalls.kept--;
      }
    }
  },
};

/**
 * Keeps `error` for the innermost `FnPtr` call in progress, which throws it when it
 * returns. Returns `false` when no call is in progress (the caller then reports the
 * error another way).
 */
export function keepForEnclosingCall(error: unknown): boolean {
  const level = outboundCalls.active;
  if (level === 0) return false;
  const errors = keptErrors[level];
  if (errors === undefined) {
    keptErrors[level] = [error];
    outboundCalls.kept++;
  }
  return true;
}
