/**
 * BareFn, BareFnMut, BareFnOnce: a JS closure behind a context-free native
 * function pointer.
 */
import * as fs from 'node:fs';
import {
  ArgumentCountError,
  CalledTwiceError,
  DisposedError,
  InvalidOptionError,
  JsStackExhaustedError,
  NotAFunctionError,
  NestingError,
  QueueFullError,
  ReentrancyError,
  SyncTimeoutError,
  WrongThreadError,
  describeValue,
} from './errors';
import { getGlobalJitAlloc, validateJitAlloc, type JitAlloc } from './jit/jit-alloc';
import type { ThunkPool } from './jit/thunk-pool';
import { bridge } from './native/bridge';
import { keepForEnclosingCall } from './runtime/callback-errors';
import type { InboundCodec } from './runtime/codec';
import {
  allocateId,
  descriptionIndex,
  entryTarget,
  generationOfId,
  poolFor,
  registerThunk,
  trapTarget,
  unregisterThunk,
  type ThunkEntry,
} from './runtime/thunk-table';
import { contextHi, contextLo, FLAG, trapInfoHi } from './native/thunk-context';
import { planFor, type SignaturePlan } from './runtime/signature-plan';
import type { CallConvName, Signature, SignatureSpec } from './signature';
import { isVaList } from './signature';
import type { ClosureOf } from './signature/typelevel';

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
let serials = 0;
/** The default options object, shared: creating a thunk without options allocates none. */
const NO_OPTIONS: BareFnSyncOptions = Object.freeze({});

function rethrow(error: unknown): never {
  throw error;
}

function abortWith(message: string): never {
  try {
    fs.writeSync(2, `closure-ffi: ${message}\n`);
  } catch {
    // stderr closed: abort anyway
  }
  process.abort();
}

function errorText(error: unknown): string {
  return error instanceof Error ? (error.stack ?? String(error)) : String(error);
}

function syncOptions(o: BareFnSyncOptions, kind: string, sig: Signature) {
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

function checkName(name: unknown, kind: string): string | undefined {
  if (name === undefined || typeof name === 'string') return name;
  throw new InvalidOptionError(`${kind} option name must be a string, got ${describeValue(name)}`);
}

/** Trap-message descriptions, cached per plan and kind so creating a thunk builds no string. */
const descriptionsByPlan = new Map<SignaturePlan, Map<string, number>>(); // plans are cached forever

function describe(plan: SignaturePlan, kind: string, name: string | undefined): number {
  const text = () => `${name ? `'${name}', a ` : ''}${kind} '${plan.signature.text}'`;
  if (name !== undefined) return descriptionIndex(text(), false);
  let byKind = descriptionsByPlan.get(plan);
  if (!byKind) descriptionsByPlan.set(plan, (byKind = new Map()));
  let index = byKind.get(kind);
  if (index === undefined) byKind.set(kind, (index = descriptionIndex(text(), true)));
  return index;
}

function checkPolicy(p: unknown): OnErrorPolicy {
  if (p === undefined) return 'rethrow';
  if (p === 'rethrow' || p === 'abort' || typeof p === 'function') return p as OnErrorPolicy;
  throw new InvalidOptionError(`onError must be 'rethrow', 'abort' or a function, got ${JSON.stringify(p)}`);
}

/**
 * A closure callable through a plain C function pointer; it may be re-entered
 * (the closure may call native code that calls it again).
 *
 * @example
 * ```ts
 * let sum = 0;
 * using cb = new BareFn('void (uint32_t)', (x) => { sum += x; });
 * registerCallback(cb.bare()); // any C API taking `void (*)(uint32_t)`, no context pointer
 * ```
 */
export class BareFn<const S extends SignatureSpec = SignatureSpec> implements ThunkEntry {
  /** Canonical C text of the signature, e.g. `'int32_t (int32_t)'`. */
  readonly signature: string;
  protected fn: ((...args: never[]) => unknown) | undefined;
  protected readonly codec: InboundCodec;
  private readonly onError: OnErrorPolicy;
  private readonly pool: ThunkPool;
  private readonly slot: number;
  /** @internal Table id and generation, carried in the thunk's context. */
  readonly id: number;
  /** @internal */
  readonly gen: number;
  private readonly address: bigint;
  private readonly serial: number;
  private readonly plan: SignaturePlan;
  private readonly customName: string | undefined;
  /** Whether native diagnostics know this thunk's name (they are told to forget it on dispose). */
  private readonly namedNatively: boolean;
  private isDisposed = false;
  private keepsLoopAlive = false;
  /** Whether calls from other threads are marshalled to the JS thread (the `*Sync` classes). */
  protected static readonly threadSafe: boolean = false;
  /** The class name used in messages (a static, so creating a thunk reads no Function.name). */
  protected static readonly kind: string = 'BareFn';

  constructor(signature: S, fn: ClosureOf<S>, options: BareFnOptions = NO_OPTIONS) {
    const { kind, threadSafe } = new.target as unknown as typeof BareFn;
    if (typeof fn !== 'function') throw new NotAFunctionError(`the closure given to ${kind}`, fn);
    if (options === null || typeof options !== 'object') throw new InvalidOptionError(`${kind} options must be an object`);
    const plan = planFor(signature, options.cc);
    const sig = plan.signature;
    const passed = sig.args.length + (sig.variadic ? 1 : 0); // a variadic closure also gets its VaList
    if (fn.length > passed)
      throw new ArgumentCountError(
        `the closure given to ${kind} declares ${fn.length} parameters, but '${sig.text}' passes ${passed}`,
      );
    const alloc = options.alloc ?? getGlobalJitAlloc();
    if (options.alloc !== undefined) validateJitAlloc(alloc);
    // Every option is checked before anything is taken, so a bad one leaves nothing behind.
    this.onError = checkPolicy(options.onError);
    this.customName = checkName(options.name, kind);
    const sync = threadSafe ? syncOptions(options as BareFnSyncOptions, kind, sig) : undefined;
    this.signature = sig.text;
    this.plan = plan;
    this.fn = fn as (...args: never[]) => unknown;
    this.codec = plan.inbound();
    const target = entryTarget(plan.backend);

    this.pool = poolFor(alloc);
    this.slot = this.pool.acquire(); // the one step that may fail (the allocator): before any bookkeeping
    this.serial = ++serials >>> 0;
    this.id = allocateId();
    this.gen = generationOfId(this.id);
    registerThunk(this);
    let flags = this.onError === 'abort' ? FLAG.abortOnError : 0;
    // Native code reports on these without JS (abort, deadlock warnings): give it the name.
    this.namedNatively = sync !== undefined || flags !== 0;
    if (this.namedNatively) bridge.nameSlot(this.id, `${this.name} ('${sig.text}')`);
    if (sync) {
      flags |= FLAG.sync;
      if (!sync.blocking) flags |= FLAG.nonblocking | (sync.wait ? FLAG.waitWhenFull : 0);
      bridge.configureSync(this.id, sync.timeoutMs, sync.maxQueued);
      if (sync.ref) this.ref();
    }
    if (plan.lowering.ret?.kind === 'indirect') flags |= FLAG.resultInMemory;
    this.pool.write(this.slot, contextLo(this.id, this.gen), contextHi(this.gen, plan.lowering.stackWords, flags), target);
    this.address = this.pool.address(this.slot);
  }

  /** Name used in diagnostics: the `name` option, or e.g. `'BareFn#3'`. */
  get name(): string {
    return this.customName ?? `${(this.constructor as typeof BareFn).kind}#${this.serial}`;
  }

  /** Address of the context-free native function (a `bigint`; never `0n`). */
  bare(): bigint {
    if (this.isDisposed) throw new DisposedError(`${this.name} ('${this.signature}') was disposed; its pointer is no longer valid`);
    return this.address;
  }

  get disposed(): boolean {
    return this.isDisposed;
  }

  /**
   * Releases the closure. The native pointer is turned into a trap first: a call
   * through a stale copy aborts with a message naming this thunk. Idempotent.
   */
  dispose(): void {
    if (this.isDisposed) return;
    // The trap carries a description of what was disposed; looked up only now, not at creation.
    const { kind } = this.constructor as typeof BareFn;
    this.pool.release(this.slot, this.serial, trapInfoHi(describe(this.plan, kind, this.customName)), trapTarget);
    this.isDisposed = true;
    this.unref();
    unregisterThunk(this.id, (this.constructor as typeof BareFn).threadSafe);
    if (this.namedNatively) bridge.nameSlot(this.id, null);
    this.fn = undefined;
  }

  /**
   * Sync thunks only: keep the event loop (and so the process) alive while this thunk
   * lives, so calls from native threads can still arrive. Off by default.
   */
  ref(): this {
    if (!(this.constructor as typeof BareFn).threadSafe)
      throw new InvalidOptionError(`${this.name} is not Sync; ref() only applies to BareFnSync, BareFnMutSync and BareFnOnceSync`);
    if (!this.keepsLoopAlive && !this.isDisposed) {
      this.keepsLoopAlive = true;
      bridge.refSync(1);
    }
    return this;
  }

  /** Undoes `ref()`: this thunk no longer keeps the process alive. */
  unref(): this {
    if (this.keepsLoopAlive) {
      this.keepsLoopAlive = false;
      bridge.refSync(-1);
    }
    return this;
  }

  [Symbol.dispose](): void {
    this.dispose();
  }

  /** A type-erased holder of this thunk, for collections of mixed signatures. */
  untyped(): UntypedBareFn {
    return UntypedBareFn.from(this);
  }

  /** @internal Runs the closure for the frame at word `b`. Never throws. */
  run(b: number): void {
    try {
      this.codec.invoke(this.fn!, b);
    } catch (error) {
      this.failed(error, b);
    }
  }

  /**
   * @internal Calls were answered with the zero value natively (`count` of them, for
   * dropped fire-and-forget calls); report why under onError. Never throws.
   */
  refusedForeignCall(threadId: number, why: string, count: number): void {
    const me = `${this.name} ('${this.signature}')`;
    const what = `${me} was called from native thread ${threadId}`;
    const error =
      why === 'disposed'
        ? new DisposedError(
            `${what} and that call was still on its way (queued) when the thunk was disposed; ` +
              `the native caller received the zero value`,
          )
        : why === 'too-deep'
        ? new NestingError(
            `${me} was called while calls were already nested ${bridge.MAX_DEPTH} deep ` +
              `(native -> JS -> native ...); the native caller received the zero value.`,
          )
        : why === 'timeout'
        ? new SyncTimeoutError(
            `${what}, but the JS thread did not take the call within timeoutMs. It is probably blocked, e.g. in a ` +
              `native call that waits for that thread (a deadlock): make that call with FnPtr option ` +
              `{ serviceCallbacks: true }. The native caller received the zero value.`,
          )
        : why === 'js-failed'
        ? new JsStackExhaustedError(
            `${me} was called when JS could not run it: JS threw before the closure started, which means the JS ` +
              `stack was nearly exhausted (deep recursion around the native call). The native caller received the zero value.`,
          )
        : why === 'queue-full'
        ? new QueueFullError(
            `${count} fire-and-forget call${count === 1 ? '' : 's'} to ${me} from native threads ${count === 1 ? 'was' : 'were'} ` +
              `dropped: its queue already held maxQueued calls waiting for the JS thread (use whenFull: 'wait' to make ` +
              `callers wait instead, or a larger maxQueued).`,
            count,
          )
        : why === 'wrong-thread'
        ? new WrongThreadError(
            `${what}, but it is not Sync: only its own JS thread may run it (use BareFnSync for callbacks from ` +
              `other threads). The native caller received the zero value.`,
          )
        : new DisposedError(`${what} after its JS environment had begun to shut down; the native caller received the zero value.`);
    const p = this.onError;
    if (typeof p !== 'function') {
      process.nextTick(rethrow, error);
      return;
    }
    try {
      p(error);
    } catch (secondary) {
      process.nextTick(rethrow, secondary);
    }
  }

  /**
   * Applies the onError policy for a call that could not complete; the result words are
   * zeroed first. An error to rethrow goes to the enclosing `FnPtr` call when there is one
   * (it throws it when the native function returns: see callback-errors.ts), else it is
   * thrown on the event loop as an uncaught exception.
   */
  protected failed(error: unknown, b: number): void {
    this.codec.zeroResult(b);
    const p = this.onError;
    if (p === 'rethrow') {
      if (!keepForEnclosingCall(error)) process.nextTick(rethrow, error);
    } else if (p === 'abort') {
      abortWith(`${this.name} ('${this.signature}') failed with onError: 'abort':\n${errorText(error)}`);
    } else {
      try {
        this.codec.encodeResult(p(error), b);
      } catch (secondary) {
        this.codec.zeroResult(b);
        if (!keepForEnclosingCall(secondary)) process.nextTick(rethrow, secondary);
      }
    }
  }
}

/**
 * Like {@link BareFn}, for closures that must not be re-entered: a call that arrives
 * while the closure is still running is reported (ERR_REENTERED) under `onError`.
 */
export class BareFnMut<const S extends SignatureSpec = SignatureSpec> extends BareFn<S> {
  protected static override readonly kind: string = 'BareFnMut';
  private busy = false;

  override run(b: number): void {
    if (this.busy) {
      this.failed(
        new ReentrancyError(`${this.name} ('${this.signature}') was re-entered while its closure was still running`),
        b,
      );
      return;
    }
    this.busy = true;
    try {
      this.codec.invoke(this.fn!, b);
    } catch (error) {
      this.failed(error, b);
    } finally {
      this.busy = false;
    }
  }
}

/**
 * Like {@link BareFn}, for closures that may run only once: the closure is released
 * after its first call, and any later call is reported (ERR_ONCE_CALLED_TWICE).
 */
export class BareFnOnce<const S extends SignatureSpec = SignatureSpec> extends BareFn<S> {
  protected static override readonly kind: string = 'BareFnOnce';
  override run(b: number): void {
    const fn = this.fn;
    if (fn === undefined) {
      this.failed(new CalledTwiceError(`${this.name} ('${this.signature}') is a BareFnOnce and was already called`), b);
      return;
    }
    this.fn = undefined;
    try {
      this.codec.invoke(fn, b);
    } catch (error) {
      this.failed(error, b);
    }
  }
}

/**
 * A {@link BareFn} that any native thread may call: a call from another thread blocks
 * that thread, runs the closure on the JS thread that created the thunk (as soon as it
 * is idle, or at once if it is waiting in a serviced native call), and returns the
 * closure's result.
 *
 * @example
 * ```ts
 * using onProgress = new BareFnSync('void (int percent)', (p) => bar.update(p));
 * startWorkerThreads(onProgress.bare());
 * ```
 */
export class BareFnSync<const S extends SignatureSpec = SignatureSpec> extends BareFn<S> {
  protected static override readonly threadSafe = true;
  protected static override readonly kind: string = 'BareFnSync';
  constructor(signature: S, fn: ClosureOf<S>, options: BareFnSyncOptions = NO_OPTIONS) {
    super(signature, fn, options);
  }
}

/** A {@link BareFnMut} that any native thread may call; its exclusivity holds across threads. */
export class BareFnMutSync<const S extends SignatureSpec = SignatureSpec> extends BareFnMut<S> {
  protected static override readonly threadSafe = true;
  protected static override readonly kind: string = 'BareFnMutSync';
  constructor(signature: S, fn: ClosureOf<S>, options: BareFnSyncOptions = NO_OPTIONS) {
    super(signature, fn, options);
  }
}

/** A {@link BareFnOnce} that any native thread may call. */
export class BareFnOnceSync<const S extends SignatureSpec = SignatureSpec> extends BareFnOnce<S> {
  protected static override readonly threadSafe = true;
  protected static override readonly kind: string = 'BareFnOnceSync';
  constructor(signature: S, fn: ClosureOf<S>, options: BareFnSyncOptions = NO_OPTIONS) {
    super(signature, fn, options);
  }
}

/**
 * A type-erased thunk holder: `bare()` and `dispose()` only, so thunks of different
 * signatures can share a collection.
 *
 * @example
 * ```ts
 * const all: UntypedBareFn[] = [new BareFn('void (int)', f).untyped(), UntypedBareFn.from(new BareFn('int (void)', g))];
 * all.forEach((t) => t.dispose());
 * ```
 */
export class UntypedBareFn {
  private constructor(private readonly inner: BareFn) {}

  static from(thunk: BareFn | UntypedBareFn): UntypedBareFn {
    if (thunk instanceof UntypedBareFn) return thunk;
    if (thunk instanceof BareFn) return new UntypedBareFn(thunk as BareFn);
    throw new InvalidOptionError('UntypedBareFn.from expects a BareFn, BareFnMut, BareFnOnce or UntypedBareFn');
  }

  bare(): bigint {
    return this.inner.bare();
  }

  dispose(): void {
    this.inner.dispose();
  }

  [Symbol.dispose](): void {
    this.inner.dispose();
  }

  get signature(): string {
    return this.inner.signature;
  }

  get name(): string {
    return this.inner.name;
  }

  get disposed(): boolean {
    return this.inner.disposed;
  }
}
