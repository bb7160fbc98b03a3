/**
 * Every error closure-ffi raises is a subclass of {@link ClosureFfiError} with a stable
 * `code`, so callers can branch on `err.code` instead of parsing messages.
 *
 * @example
 * ```ts
 * try { new BareFn('int (strnig)', f); }
 * catch (e) { if (e instanceof UnknownTypeError) console.log(e.code, e.token); }
 * ```
 */
export class ClosureFfiError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.code = code;
    this.name = new.target.name;
  }
}

/** A prototype string could not be parsed; `token` and `column` (1-based) locate the problem. */
export class SignatureSyntaxError extends ClosureFfiError {
  constructor(
    message: string,
    readonly source: string,
    readonly token: string,
    readonly column: number,
  ) {
    super('ERR_SIGNATURE_SYNTAX', `${message} at column ${column} (near '${token}') in '${source}'`);
  }
}

/** A type name that is neither built in nor registered with `types.define`. */
export class UnknownTypeError extends ClosureFfiError {
  constructor(
    readonly token: string,
    readonly source: string,
    readonly column?: number,
  ) {
    const where = column === undefined ? '' : ` at column ${column}`;
    super('ERR_UNKNOWN_TYPE', `unknown type '${token}'${where} in '${source}'`);
  }
}

/** A C type that is understood but not supported (e.g. `long double`). */
export class UnsupportedTypeError extends ClosureFfiError {
  constructor(message: string) {
    super('ERR_UNSUPPORTED_TYPE', message);
  }
}

/** A calling convention this CPU (or this version of closure-ffi) cannot use. */
export class UnsupportedConventionError extends ClosureFfiError {
  constructor(message: string) {
    super('ERR_UNSUPPORTED_CONVENTION', message);
  }
}

/** The platform (CPU/OS) has no backend yet. */
export class UnsupportedPlatformError extends ClosureFfiError {
  constructor(message: string) {
    super('ERR_UNSUPPORTED_PLATFORM', message);
  }
}

/** Something other than a function was given where a closure is required. */
export class NotAFunctionError extends ClosureFfiError {
  constructor(what: string, got: unknown) {
    super('ERR_NOT_A_FUNCTION', `${what} must be a function, got ${describeValue(got)}`);
  }
}

/** A call or closure whose number of arguments does not match the signature. */
export class ArgumentCountError extends ClosureFfiError {
  constructor(message: string) {
    super('ERR_ARG_COUNT', message);
  }
}

/** A value that cannot be converted to the declared C type of an argument or return value. */
export class ArgumentTypeError extends ClosureFfiError {
  constructor(message: string) {
    super('ERR_ARG_TYPE', message);
  }
}

/**
 * A number of the right type but outside what the argument allows: a size that is negative,
 * fractional, not finite or larger than `size_t`.
 */
export class OutOfRangeError extends ClosureFfiError {
  constructor(message: string) {
    super('ERR_OUT_OF_RANGE', message);
  }
}

/**
 * `VaList.next()` read past the end of the caller's stack: more '...' arguments were read
 * than the caller can have passed (in C, reading more than were passed is undefined).
 */
export class VaListEndError extends ClosureFfiError {
  constructor(message: string) {
    super('ERR_VA_LIST_END', message);
  }
}

/** An option object with a bad value. */
export class InvalidOptionError extends ClosureFfiError {
  constructor(message: string) {
    super('ERR_INVALID_OPTION', message);
  }
}

/** Use of a thunk after `dispose()`. */
export class DisposedError extends ClosureFfiError {
  constructor(message: string) {
    super('ERR_DISPOSED', message);
  }
}

/** A `BareFnMut` closure was entered again while it was still running. */
export class ReentrancyError extends ClosureFfiError {
  constructor(message: string) {
    super('ERR_REENTERED', message);
  }
}

/** A `BareFnOnce` was called after its first call. */
export class CalledTwiceError extends ClosureFfiError {
  constructor(message: string) {
    super('ERR_ONCE_CALLED_TWICE', message);
  }
}

/** A non-Sync thunk was called from a thread other than the JS thread that created it. */
export class WrongThreadError extends ClosureFfiError {
  constructor(message: string) {
    super('ERR_WRONG_THREAD', message);
  }
}

/**
 * `callAfterReturn()` used where it cannot work: outside a closure that native code called
 * on its own JS thread, or a second time in one closure.
 */
export class AfterReturnError extends ClosureFfiError {
  constructor(message: string) {
    super('ERR_AFTER_RETURN', message);
  }
}

/** Calls nested deeper than the frame arena allows (native -> JS -> native ...). */
export class NestingError extends ClosureFfiError {
  constructor(message: string) {
    super('ERR_NESTING', message);
  }
}

/** A Sync thunk's caller on another thread gave up waiting for the JS thread (`timeoutMs`). */
export class SyncTimeoutError extends ClosureFfiError {
  constructor(message: string) {
    super('ERR_SYNC_TIMEOUT', message);
  }
}

/** Executable memory could not be obtained or protected. */
export class JitMemoryError extends ClosureFfiError {
  constructor(message: string) {
    super('ERR_JIT_MEMORY', message);
  }
}

/** Short, safe description of an arbitrary value for error messages. */
export function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (typeof v === 'string') return `string ${JSON.stringify(v.length > 40 ? v.slice(0, 40) + '…' : v)}`;
  if (typeof v === 'bigint') return `bigint ${v}n`;
  if (typeof v === 'number' || typeof v === 'boolean') return `${typeof v} ${String(v)}`;
  if (typeof v === 'function') return 'function';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}

/**
 * A callback arrived when JS could not run it: the JS stack was nearly exhausted (deep
 * recursion around the native call), so JS threw before the closure's own error handling.
 */
export class JsStackExhaustedError extends ClosureFfiError {
  constructor(message: string) {
    super('ERR_JS_STACK_EXHAUSTED', message);
  }
}

/**
 * A callback arrived on another FFI's private stack (koffi runs native code on its own),
 * where JS can run only after a move onto the thread's own stack, which takes the V8-direct
 * accelerator; without it (Bun, Deno, Windows, `CLOSURE_FFI_ENTRY=napi`) the call is refused.
 */
export class ForeignStackError extends ClosureFfiError {
  constructor(message: string) {
    super('ERR_FOREIGN_STACK', message);
  }
}

/** Fire-and-forget calls were dropped because the thunk's queue was full (`maxQueued`). */
export class QueueFullError extends ClosureFfiError {
  /** How many calls were dropped since the last report. */
  readonly dropped: number;
  constructor(message: string, dropped: number) {
    super('ERR_QUEUE_FULL', message);
    this.dropped = dropped;
  }
}

/**
 * A native memory access (`memory.i32(ptr)`, `decode`, ...) at NULL or NULL plus a small
 * offset: an address in the first 64 KiB, which Linux never maps, so C would have crashed.
 */
export class NullPointerError extends ClosureFfiError {
  constructor(message: string) {
    super('ERR_NULL_POINTER', message);
  }
}
