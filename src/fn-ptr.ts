/**
 * FnPtr: call any native function pointer from JS (ours or not), with the same
 * signatures and conventions as thunks.
 */
import { ArgumentTypeError, describeValue } from './errors';
import { makeOutboundCaller, type OutboundCaller } from './runtime/codec';
import { planFor, type SignatureSpec } from './runtime/signature-plan';
import type { CallConvName } from './signature';
import type { ArgsOf, ReturnOf } from './signature/typelevel';

export interface FnPtrOptions {
  cc?: CallConvName;
}

/** Anything that names a native function: an address, or an object with `bare()` (a BareFn). */
export type FunctionAddress = bigint | number | { bare(): bigint };

function toAddress(target: FunctionAddress): bigint {
  const a =
    typeof target === 'bigint' ? target
    : typeof target === 'number' && Number.isSafeInteger(target) ? BigInt(target)
    : typeof target === 'object' && target !== null && typeof target.bare === 'function' ? target.bare()
    : undefined;
  if (a === undefined || a <= 0n || a >= 1n << 64n)
    throw new ArgumentTypeError(`FnPtr needs a non-null function address (bigint), got ${describeValue(target)}`);
  return a;
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
export class FnPtr<S extends SignatureSpec = SignatureSpec> {
  readonly address: bigint;
  readonly signature: string;
  /** Calls the native function; arguments are checked against the signature. */
  readonly call: (...args: ArgsOf<S>) => ReturnOf<S>;

  constructor(signature: S, address: FunctionAddress, options: FnPtrOptions = {}) {
    const plan = planFor(signature, options.cc);
    this.address = toAddress(address);
    this.signature = plan.signature.text;
    const label = `FnPtr '${plan.signature.text}'`;
    const names = plan.signature.argNames;
    const caller: OutboundCaller = makeOutboundCaller(
      plan.lowering,
      this.address,
      plan.callStub(),
      (i) => `argument ${i + 1}${names[i] ? ` (${names[i]})` : ''} of ${label}`,
      label,
    );
    this.call = caller as (...args: ArgsOf<S>) => ReturnOf<S>;
  }
}
