/**
 * The options of the thunk classes, and how they are checked: every option is checked
 * before a thunk takes anything, so a bad one leaves nothing behind.
 */
import { InvalidOptionError, describeValue } from './errors';
import type { JitAlloc } from './jit/jit-alloc';
import type { CallConvName, Signature } from './signature';
import { isVaList } from './signature';

/**
 * What happens when a call cannot complete normally (the closure throws, a
 * BareFnOnce is called again, a BareFnMut is re-entered, a non-Sync thunk is called
 * from another thread). The native caller never sees a JS exception.
 * - `'rethrow'` (default): the caller gets the zero value of the return type, and the
 *   error is thrown by the enclosing `FnPtr` call when the native function returns (so
 *   `try { qsort.call(...) } catch {}` catches it); a callback with no enclosing JS call
 *   (event loop, another thread) re-throws it on the JS thread as an uncaught exception.
 * - `'abort'`: prints a diagnostic naming the thunk and aborts the process.
 * - a function: called with the error; its result is returned to the native caller (an
 *   error it throws is treated like `'rethrow'`).
 *
 * @example
 * ```ts
 * const cmp = new BareFn('int (const void *, const void *)', (a, b) => { throw new Error('no'); });
 * try {
 *   qsort.call(base, n, 4n, cmp.bare());  // C saw 0 from each comparison and finished
 * } catch (e) {
 *   // e is the closure's Error('no')
 * }
 * ```
 */
export type OnErrorPolicy = 'rethrow' | 'abort' | ((error: unknown) => unknown);

export interface BareFnOptions {
  /** Calling convention; may also be written in the prototype (`'void __stdcall (int)'`). */
  cc?: CallConvName;
  /** Executable-memory allocator for this thunk (default: the global one). */
  alloc?: JitAlloc;
  onError?: OnErrorPolicy;
  /** Name used in diagnostics (default `<Kind>#<serial>`). */
  name?: string;
}

/** Options of the thread-safe variants (`BareFnSync`, `BareFnMutSync`, `BareFnOnceSync`). */
export interface BareFnSyncOptions extends BareFnOptions {
  /**
   * `false` (void signatures only): a caller on another thread does not wait; its
   * arguments are copied and the closure runs later on the JS thread. Memory that
   * pointer arguments point to is not copied. Default `true`.
   */
  blocking?: boolean;
  /**
   * A caller on another thread gives up after this many milliseconds if the JS
   * thread has not started the call; it gets the zero value and the JS thread gets an
   * error (under `onError`). Default: wait forever.
   */
  timeoutMs?: number;
  /** Keep the event loop alive while this thunk lives (see `ref()`). Default `false`. */
  ref?: boolean;
  /**
   * `blocking: false` only: how many calls may wait in this thunk's queue for the JS
   * thread (each holds a copy of its arguments). Default 65,536.
   */
  maxQueued?: number;
  /**
   * `blocking: false` only: what a caller gets when the queue is full. `'drop'` (default):
   * the call is dropped and counted; the JS thread gets a `QueueFullError` (under
   * `onError`) saying how many were dropped. `'wait'`: the caller waits until the JS thread
   * has run its call, as a blocking caller does, so nothing is lost.
   */
  whenFull?: 'drop' | 'wait';
}

const DEFAULT_MAX_QUEUED = 65536;
/** The default options object, shared: creating a thunk without options allocates none. */
export const NO_OPTIONS: BareFnSyncOptions = Object.freeze({});

/** The checked options of a Sync thunk. */
export function syncOptions(o: BareFnSyncOptions, kind: string, sig: Signature) {
  const blocking = o.blocking ?? true;
  if (typeof blocking !== 'boolean') throw new InvalidOptionError(`${kind} option blocking must be a boolean`);
  if (!blocking && sig.ret.kind !== 'void')
    throw new InvalidOptionError(`${kind} option blocking: false needs a void return type: a caller that does not wait cannot get a result`);
  if (!blocking && sig.variadic)
    throw new InvalidOptionError(`${kind} option blocking: false cannot be variadic: the '...' arguments cannot be copied before the caller goes on`);
  if (!blocking && sig.args.some(isVaList))
    throw new InvalidOptionError(`${kind} option blocking: false cannot take a va_list: the arguments it points to cannot be copied before the caller goes on`);
  const timeoutMs = o.timeoutMs ?? 0;
  if (!Number.isInteger(timeoutMs) || timeoutMs < 0 || timeoutMs > 0xffffffff)
    throw new InvalidOptionError(`${kind} option timeoutMs must be a whole number of milliseconds, got ${describeValue(o.timeoutMs)}`);
  const maxQueued = o.maxQueued ?? DEFAULT_MAX_QUEUED;
  if (!Number.isInteger(maxQueued) || maxQueued < 1 || maxQueued > 0xffffffff)
    throw new InvalidOptionError(`${kind} option maxQueued must be a whole number of calls (at least 1), got ${describeValue(o.maxQueued)}`);
  const whenFull = o.whenFull ?? 'drop';
  if (whenFull !== 'drop' && whenFull !== 'wait')
    throw new InvalidOptionError(`${kind} option whenFull must be 'drop' or 'wait', got ${describeValue(o.whenFull)}`);
  if (blocking && (o.maxQueued !== undefined || o.whenFull !== undefined))
    throw new InvalidOptionError(`${kind} options maxQueued and whenFull apply to blocking: false only`);
  if (o.ref !== undefined && typeof o.ref !== 'boolean') throw new InvalidOptionError(`${kind} option ref must be a boolean`);
  return { blocking, timeoutMs, ref: o.ref === true, maxQueued, wait: whenFull === 'wait' };
}

/** The `name` option: a string, or undefined for the default name. */
export function checkName(name: unknown, kind: string): string | undefined {
  if (name === undefined || typeof name === 'string') return name;
  throw new InvalidOptionError(`${kind} option name must be a string, got ${describeValue(name)}`);
}

/** The `onError` option. */
export function checkPolicy(p: unknown): OnErrorPolicy {
  if (p === undefined) return 'rethrow';
  if (p === 'rethrow' || p === 'abort' || typeof p === 'function') return p as OnErrorPolicy;
  throw new InvalidOptionError(`onError must be 'rethrow', 'abort' or a function, got ${JSON.stringify(p)}`);
}
