/**
 * BareFn, BareFnMut, BareFnOnce and their Sync variants: a JS closure behind a
 * context-free native function pointer. Options are checked in thunk-options.ts; what
 * happens to errors the native caller cannot receive is error-policy.ts.
 */
import {
  ArgumentCountError,
  CalledTwiceError,
  DisposedError,
  InvalidOptionError,
  ForeignStackError,
  JsStackExhaustedError,
  NotAFunctionError,
  NestingError,
  QueueFullError,
  ReentrancyError,
  SyncTimeoutError,
  WrongThreadError,
} from './errors';
import { abortWith, errorText, rethrow } from './error-policy';
import { getGlobalJitAlloc, validateJitAlloc } from './jit/jit-alloc';
import { checkName, checkPolicy, NO_OPTIONS, syncOptions, type BareFnOptions, type BareFnSyncOptions, type OnErrorPolicy } from './thunk-options';
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
import type { SignatureSpec } from './signature';
export type { BareFnOptions, BareFnSyncOptions, OnErrorPolicy } from './thunk-options';
import type { ClosureOf } from './signature/typelevel';

let serials = 0;

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
      if (sync.ref) this.holdEventLoop(true);
    }
    if (plan.lowering.ret?.kind === 'indirect') flags |= FLAG.resultInMemory;
    this.pool.write(this.slot, contextLo(this.id, this.gen), contextHi(this.gen, Math.ceil(plan.lowering.stackBytes / 8), flags), target);
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
    this.pool.release(this.slot, this.serial, trapInfoHi(describe(this.plan, kind, this.customName)), trapTarget());
    this.isDisposed = true;
    this.holdEventLoop(false);
    unregisterThunk(this.id, (this.constructor as typeof BareFn).threadSafe);
    if (this.namedNatively) bridge.nameSlot(this.id, null);
    this.fn = undefined;
  }

  /**
   * Whether this thunk keeps the event loop (and so the process) alive, so that calls from
   * native threads can still arrive: the Sync classes' `ref()` / `unref()`.
   */
  protected holdEventLoop(hold: boolean): void {
    if (hold === this.keepsLoopAlive || (hold && this.isDisposed)) return;
    this.keepsLoopAlive = hold;
    bridge.refSync(hold ? 1 : -1);
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
        : why === 'foreign-stack'
        ? new ForeignStackError(
            `${me} was called on another FFI's private stack (koffi runs native code on its own stack); moving JS ` +
              `onto the thread's own stack needs the V8-direct accelerator, which this runtime cannot use ` +
              `(entryKind is 'napi'). Call the native code through FnPtr instead. The native caller received the zero value.`,
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

  /** Keeps the event loop (and so the process) alive while this thunk lives, so calls from native threads can still arrive. Off by default. */
  ref(): this {
    this.holdEventLoop(true);
    return this;
  }

  /** Undoes `ref()`: this thunk no longer keeps the process alive. */
  unref(): this {
    this.holdEventLoop(false);
    return this;
  }
}

/** A {@link BareFnMut} that any native thread may call; its exclusivity holds across threads. */
export class BareFnMutSync<const S extends SignatureSpec = SignatureSpec> extends BareFnMut<S> {
  protected static override readonly threadSafe = true;
  protected static override readonly kind: string = 'BareFnMutSync';
  constructor(signature: S, fn: ClosureOf<S>, options: BareFnSyncOptions = NO_OPTIONS) {
    super(signature, fn, options);
  }

  /** Keeps the event loop (and so the process) alive while this thunk lives, so calls from native threads can still arrive. Off by default. */
  ref(): this {
    this.holdEventLoop(true);
    return this;
  }

  /** Undoes `ref()`: this thunk no longer keeps the process alive. */
  unref(): this {
    this.holdEventLoop(false);
    return this;
  }
}

/** A {@link BareFnOnce} that any native thread may call. */
export class BareFnOnceSync<const S extends SignatureSpec = SignatureSpec> extends BareFnOnce<S> {
  protected static override readonly threadSafe = true;
  protected static override readonly kind: string = 'BareFnOnceSync';
  constructor(signature: S, fn: ClosureOf<S>, options: BareFnSyncOptions = NO_OPTIONS) {
    super(signature, fn, options);
  }

  /** Keeps the event loop (and so the process) alive while this thunk lives, so calls from native threads can still arrive. Off by default. */
  ref(): this {
    this.holdEventLoop(true);
    return this;
  }

  /** Undoes `ref()`: this thunk no longer keeps the process alive. */
  unref(): this {
    this.holdEventLoop(false);
    return this;
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
