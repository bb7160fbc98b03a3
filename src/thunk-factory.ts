/**
 * Higher-order thunks: context-free function pointers built around other functions.
 */
import { BareFn, BareFnSync, type BareFnOptions, type BareFnSyncOptions } from './bare-fn';
import type { FnPtr } from './fn-ptr';
import { UnsupportedTypeError } from './errors';
import { resolveSignature, type ArgsOf, type ClosureOf, type GivenArgsOf, type GivenOf, type ReturnOf, type SignatureSpec } from './signature';

/** A thunk cannot pass its '...' arguments on: it does not know their types. */
function refuseVariadic(target: { readonly spec: SignatureSpec; readonly signature: string }, what: string): void {
  if (resolveSignature(target.spec).variadic)
    throw new UnsupportedTypeError(
      `thunkFactory.${what}() cannot wrap the variadic function '${target.signature}': the thunk cannot tell the types ` +
        `of its '...' arguments to pass them on; wrap it with the argument list your callers use instead`,
    );
}

export const thunkFactory = {
  /**
   * A thunk with the target's signature that runs `wrapper(original, ...args)`, where
   * `original` calls the native function. For hooking and instrumentation: log, change
   * arguments or results, or skip the original.
   *
   * @example
   * ```ts
   * const abs = new FnPtr('int (int)', loadLibrary().symbol('abs'));
   * using loud = thunkFactory.around(abs, (orig, x) => { console.log('abs', x); return orig(x); });
   * installHook(loud.bare());
   * ```
   */
  around<const S extends SignatureSpec>(
    target: FnPtr<S>,
    wrapper: (original: (...args: GivenArgsOf<S>) => ReturnOf<S>, ...args: ArgsOf<S>) => GivenOf<ReturnOf<S>>,
    options: BareFnOptions = {},
  ): BareFn<S> {
    refuseVariadic(target, 'around');
    const original = target.call;
    const closure = (...args: ArgsOf<S>) => wrapper(original, ...args);
    return new BareFn(target.spec, closure as unknown as ClosureOf<S>, { cc: target.cc, ...options });
  },

  /**
   * A pointer any native thread may call, whose calls are run one at a time on this JS
   * thread and forwarded to the target: a way to use a native function that is not
   * thread-safe from many threads.
   *
   * @example
   * ```ts
   * const log = new FnPtr('void (const char *)', lib.symbol('single_threaded_log'));
   * using safeLog = thunkFactory.makeSync(log);
   * startWorkers(safeLog.bare());
   * ```
   */
  makeSync<const S extends SignatureSpec>(target: FnPtr<S>, options: BareFnSyncOptions = {}): BareFnSync<S> {
    refuseVariadic(target, 'makeSync');
    const original = target.call;
    // What the thunk receives can always be given back (a received C string is a string).
    const closure = (...args: ArgsOf<S>) => original(...(args as unknown as GivenArgsOf<S>));
    return new BareFnSync(target.spec, closure as unknown as ClosureOf<S>, { cc: target.cc, ...options });
  },
};
