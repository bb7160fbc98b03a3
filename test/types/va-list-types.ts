/**
 * Type-level checks for `va_list` (checked by `tsc --noEmit`, npm test's typecheck): a
 * `va_list` parameter is a VaList in the closure and in a FnPtr's arguments, and a
 * signature ending in one is not mistaken for a variadic one.
 */
import type { ArgsOf, ClosureOf, GivenArgsOf, JsTypeOf, VaList } from '../../src/signature/typelevel';
import { FnPtr } from '../../src/fn-ptr';

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends (<T>() => T extends B ? 1 : 2) ? true : false;
type Expect<T extends true> = T;

export type VaListTypeChecks = [
  Expect<Equal<ArgsOf<'void (void *ctx, int level, const char *fmt, va_list ap)'>, [bigint, number, bigint, VaList]>>,
  Expect<Equal<ClosureOf<'int (const char *, va_list)'>, (...args: [bigint, VaList]) => number>>,
  // (Only the va_list positions and the lengths: what pointers accept is not this file's business.)
  Expect<Equal<GivenArgsOf<'int vsprintf(char *, const char *, va_list)'>[2], VaList>>,
  Expect<Equal<GivenArgsOf<'int vsprintf(char *, const char *, va_list)'>['length'], 3>>,
  Expect<Equal<GivenArgsOf<{ args: ['char *', 'va_list']; ret: 'int' }>, [GivenArgsOf<'int (char *)'>[0], VaList]>>,
  // A '...' signature: fixed arguments, then anything (type and value pairs).
  Expect<Equal<GivenArgsOf<'int sprintf(char *, const char *, ...)'>['length'], number>>,
  Expect<Equal<GivenArgsOf<{ args: ['char *']; ret: 'int'; variadic: true }>['length'], number>>,
  Expect<Equal<JsTypeOf<'va_list'>, VaList>>,
];

export function forwards(vsprintf: FnPtr<'int (char *, const char *, va_list)'>, va: VaList): number {
  // @ts-expect-error a va_list argument takes a VaList, not a number
  vsprintf.call(0n, 0n, 42);
  const text: string = va.format('%d');
  void text;
  return vsprintf.call(0n, 0n, va);
}
