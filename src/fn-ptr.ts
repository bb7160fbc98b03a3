/**
 * FnPtr: call any native function pointer from JS (ours or not), with the same
 * signatures and conventions as thunks.
 */
import { ArgumentCountError, ArgumentTypeError, InvalidOptionError, UnsupportedTypeError, describeValue } from './errors';
import { CALL_SERVICED, HEADER_CALL_MODE_U32, views } from './native/arena';
import { makeOutboundCaller, type OutboundCaller } from './runtime/codec';
import { takesStringArgument } from './runtime/pointer-argument';
import { planFor, variadicCallPlan, type SignaturePlan } from './runtime/signature-plan';
import { variadicArgType } from './runtime/va-list';
import type { CallConvName, SignatureSpec } from './signature';
import type { GivenArgsOf, ReturnOf } from './signature/typelevel';

export interface FnPtrOptions {
  cc?: CallConvName;
  /**
   * Run the native function on a helper thread while this JS thread serves callbacks
   * from other threads (Sync thunks, and any thunk the function calls on that helper
   * thread). Use it for native calls that wait for threads which call back into JS —
   * `pthread_join`, thread pools, event loops — which would otherwise deadlock.
   * Costs a thread hand-off per call.
   */
  serviceCallbacks?: boolean;
}

/** Anything that names a native function: an address, or an object with `bare()` (a BareFn). */
export type FunctionAddress = bigint | number | { bare(): bigint };

function toAddress(target: FunctionAddress): bigint {
  if (typeof target === 'object' && target !== null && typeof target.bare === 'function') {
    // bare() is user code as far as the types can tell: check what it gave, not just its type.
    const a: unknown = target.bare();
    if (typeof a !== 'bigint' || a <= 0n || a >= 1n << 64n)
      throw new ArgumentTypeError(`FnPtr needs a non-null function address (bigint); the object's bare() returned ${describeValue(a)}`);
    return a;
  }
  const a =
    typeof target === 'bigint' ? target
    : typeof target === 'number' && Number.isSafeInteger(target) ? BigInt(target)
    : undefined;
  if (a === undefined || a <= 0n || a >= 1n << 64n)
    throw new ArgumentTypeError(`FnPtr needs a non-null function address (bigint), got ${describeValue(target)}`);
  return a;
}

const u32 = views.u32;

/** Marks the next native call as serviced; the bridge clears the mark when it takes the call. */
function serviced(caller: OutboundCaller): OutboundCaller {
  return (...args: unknown[]) => {
    u32[HEADER_CALL_MODE_U32] = CALL_SERVICED;
    try {
      return caller(...args);
    } finally {
      u32[HEADER_CALL_MODE_U32] = 0; // in case the arguments were rejected before the call
    }
  };
}

/** Names fixed argument `i` in errors: `argument 2 (nmemb) of FnPtr '...'`. */
function fixedArgName(plan: SignaturePlan, label: string, i: number): string {
  const name = plan.signature.argNames[i];
  return `argument ${i + 1}${name ? ` (${name})` : ''} of ${label}`;
}

/** Which parameters take a JS string as a temporary C string (`const char *`; see pointer-argument.ts). */
function stringArgsOf(plan: SignaturePlan): boolean[] {
  return plan.signature.args.map((t) => takesStringArgument(t.name));
}

function callerFor(plan: SignaturePlan, address: bigint, label: string): OutboundCaller {
  return makeOutboundCaller(plan.lowering, address, plan.callStub(), (i) => fixedArgName(plan, label, i), label, undefined, stringArgsOf(plan));
}

/**
 * Calls to a variadic function: the fixed arguments, then a C type name and a value for
 * each '...' argument (`printf.call(fmt, 'int', 42, 'double', 1.5, 'cstring', 'hi')`).
 * Each distinct list of types gets its own generated caller, made on first use.
 */
function variadicCaller(plan: SignaturePlan, address: bigint, label: string): OutboundCaller {
  const fixed = plan.signature.args.length;
  const callers = new Map<string, OutboundCaller>();
  return (...args: unknown[]) => {
    if (args.length < fixed || (args.length - fixed) % 2 !== 0)
      throw new ArgumentCountError(
        `${label} takes ${fixed} fixed argument${fixed === 1 ? '' : 's'}, then a type and a value for each '...' argument ` +
          `(e.g. 'int', 42); got ${args.length} arguments`,
      );
    const types: string[] = [];
    const values = args.slice(0, fixed);
    for (let i = fixed; i < args.length; i += 2) {
      types.push(args[i] as string);
      values.push(args[i + 1]);
    }
    const key = types.join('\u0000');
    let caller = callers.get(key);
    if (caller === undefined) {
      const ctypes = types.map((t, k) => variadicArgType(t, `argument ${fixed + 2 * k + 1} of ${label} (the type of '...' argument ${k + 1})`));
      const callPlan = variadicCallPlan(plan, ctypes);
      caller = makeOutboundCaller(callPlan.lowering, address, callPlan.callStub(), (i) =>
        i < fixed ? fixedArgName(plan, label, i) : `argument ${fixed + 2 * (i - fixed) + 2} of ${label} ('...' argument ${i - fixed + 1}, ${types[i - fixed]})`,
      label, undefined, stringArgsOf(plan));
      callers.set(key, caller);
    }
    return caller(...values);
  };
}

/**
 * For callAfterReturn (after-return.ts): makes a caller that writes a call's frame and hands
 * it to `run` instead of calling. Kept per FnPtr, outside its public shape.
 */
const stagers = new WeakMap<object, (run: () => void) => OutboundCaller>();

/** The staging caller of `fn` (made on first use), or a string saying why it has none. */
export function stagerOf(fn: object, run: () => void): OutboundCaller | string {
  const make = stagers.get(fn);
  if (make === undefined) return 'it is not a FnPtr';
  return make(run);
}

function stagerFactory(plan: SignaturePlan, address: bigint, label: string): (run: () => void) => OutboundCaller {
  let made: OutboundCaller | undefined;
  return (run) => {
    if (plan.signature.variadic) throw new UnsupportedTypeError(`callAfterReturn(${label}): variadic functions cannot be staged`);
    // The staged frame is copied and run later: nothing may point into the frame being written
    // (C strings placed in its scratch bytes, Win64 by-reference copies) or need freeing after the call.
    const bad = plan.lowering.args.findIndex((a) => a.kind === 'cstring' || a.kind === 'reference' || a.kind === 'va_list');
    if (bad >= 0)
      throw new UnsupportedTypeError(`callAfterReturn(${label}): ${fixedArgName(plan, label, bad)} is a C string, a va_list or a ` +
        `struct passed by reference, which cannot outlive the closure; pass a bigint pointer to memory that stays valid`);
    // Staged (after-return.ts): no temporary strings or JS memory, which nothing holds by the time of the real call.
    return (made ??= makeOutboundCaller(plan.lowering, address, plan.callStub(), (i) => fixedArgName(plan, label, i), label, run, undefined, false));
  };
}

/**
 * A typed native function pointer.
 *
 * @example
 * ```ts
 * const abs = new FnPtr('int (int)', loadLibrary().symbol('abs'));
 * abs.call(-5); // 5
 * ```
 */
export class FnPtr<const S extends SignatureSpec = SignatureSpec> {
  readonly address: bigint;
  /** Canonical C text of the signature. */
  readonly signature: string;
  /** The signature as given, and the convention option, so wrappers can reuse them. */
  readonly spec: S;
  readonly cc: CallConvName | undefined;
  /** Calls the native function; arguments are checked against the signature. */
  readonly call: (...args: GivenArgsOf<S>) => ReturnOf<S>;

  constructor(signature: S, address: FunctionAddress, options: FnPtrOptions = {}) {
    if (options === null || typeof options !== 'object') throw new InvalidOptionError('FnPtr options must be an object');
    if (options.serviceCallbacks !== undefined && typeof options.serviceCallbacks !== 'boolean')
      throw new InvalidOptionError(`FnPtr option serviceCallbacks must be a boolean, got ${describeValue(options.serviceCallbacks)}`);
    const plan = planFor(signature, options.cc);
    this.address = toAddress(address);
    this.signature = plan.signature.text;
    this.spec = signature;
    this.cc = options.cc;
    const label = `FnPtr '${plan.signature.text}'`;
    const caller = plan.signature.variadic ? variadicCaller(plan, this.address, label) : callerFor(plan, this.address, label);
    this.call = (options.serviceCallbacks ? serviced(caller) : caller) as (...args: GivenArgsOf<S>) => ReturnOf<S>;
    stagers.set(this, stagerFactory(plan, this.address, label));
  }
}
