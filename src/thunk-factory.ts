/**
 * Higher-order thunks: context-free function pointers built around other functions.
 */
import { BareFn, BareFnSync, type BareFnOptions, type BareFnSyncOptions } from './bare-fn';
import type { FnPtr } from './fn-ptr';
import type { ArgsOf, ClosureOf, GivenArgsOf, GivenOf, ReturnOf, SignatureSpec } from './signature';

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
    const original = target.call;
    // What the thunk receives can always be given back (a received C string is a string).
    const closure = (...args: ArgsOf<S>) => original(...(args as unknown as GivenArgsOf<S>));
    return new BareFnSync(target.spec, closure as unknown as ClosureOf<S>, { cc: target.cc, ...options });
  },
};
