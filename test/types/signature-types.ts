/**
 * Type-level signature tests, checked by `tsc --noEmit` (npm test's typecheck, and
 * test/signature-types.test.ts). Each `// @ts-expect-error` line must be an error; tsc
 * reports an unused one, so a case that stops failing fails the typecheck.
 */
import type { ArgsOf, ClosureOf, ReturnOf, VaList, JsTypeOf, LooseClosure } from '../../src/signature/typelevel';
import type { SignatureSpec } from '../../src/signature/signature';
import { resolveType } from '../../src/signature/resolve';

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends (<T>() => T extends B ? 1 : 2) ? true : false;
type Expect<T extends true> = T;

/** Stands in for `new BareFn(sig, fn)`: S is inferred from `sig`, then `fn` is checked against it. */
function accept<const S extends SignatureSpec>(sig: S, fn: ClosureOf<S>): void {
  void sig;
  void fn;
}

// ---- the mapping, prototype strings -------------------------------------------------------

export type Cases = [
  Expect<Equal<ArgsOf<'int32_t (double, uint64_t, const char *)'>, [number, bigint, bigint]>>,
  Expect<Equal<ReturnOf<'int32_t (double, uint64_t, const char *)'>, number>>,
  Expect<Equal<ClosureOf<'int32_t (double, uint64_t)'>, (...args: [number, bigint]) => number>>,
  // every 8/16/32-bit spelling → number
  Expect<Equal<ArgsOf<'void (char, signed char, unsigned char, short, short int, unsigned short, int, signed, unsigned, unsigned int)'>,
    [number, number, number, number, number, number, number, number, number, number]>>,
  Expect<Equal<ArgsOf<'void (int8_t, uint8_t, int16_t, uint16_t, int32_t, uint32_t, float, double, wchar_t, char16_t, char32_t)'>,
    [number, number, number, number, number, number, number, number, number, number, number]>>,
  // long-ish and 64-bit → bigint
  Expect<Equal<ArgsOf<'void (long, unsigned long, long int, long long, unsigned long long int, long unsigned)'>,
    [bigint, bigint, bigint, bigint, bigint, bigint]>>,
  Expect<Equal<ArgsOf<'void (size_t, ssize_t, intptr_t, uintptr_t, ptrdiff_t, off_t, int64_t, uint64_t)'>,
    [bigint, bigint, bigint, bigint, bigint, bigint, bigint, bigint]>>,
  // pointers, arrays, function pointers → bigint
  Expect<Equal<ArgsOf<'void (void *, char **argv, const char *const envp[], int a[16], struct stat *sb, int (*cmp)(const void *, const void *))'>,
    [bigint, bigint, bigint, bigint, bigint, bigint]>>,
  // bool
  Expect<Equal<ArgsOf<'bool (_Bool, bool b)'>, [boolean, boolean]>>,
  Expect<Equal<ReturnOf<'bool (_Bool, bool b)'>, boolean>>,
  // void return, (void), ()
  Expect<Equal<ClosureOf<'void (void)'>, (...args: []) => void>>,
  Expect<Equal<ClosureOf<'void ()'>, (...args: []) => void>>,
  Expect<Equal<ReturnOf<'void f(int)'>, void>>,
  // names, qualifiers, conventions, attributes, comments, whitespace, trailing ';'
  Expect<Equal<ClosureOf<'int compar(const void *a, const void *b)'>, (...args: [bigint, bigint]) => number>>,
  Expect<Equal<ClosureOf<'int (*)(const void *, const void *)'>, (...args: [bigint, bigint]) => number>>,
  Expect<Equal<ClosureOf<'int (__stdcall *cb)(volatile int x, const unsigned n)'>, (...args: [number, number]) => number>>,
  Expect<Equal<ClosureOf<'long __attribute__((ms_abi)) f(int x) __attribute__((noreturn));'>, (...args: [number]) => bigint>>,
  Expect<Equal<ClosureOf<'int /* count */ (\n  int a,\n\tdouble b /* scale */\n)'>, (...args: [number, number]) => number>>,
  Expect<Equal<ClosureOf<'extern "system" size_t (uint8_t)'>, (...args: [number]) => bigint>>,
  Expect<Equal<ClosureOf<'char *strdup(const char *s)'>, (...args: [bigint]) => bigint>>,
  // enums are int; typedef names and structs by value are unknown
  Expect<Equal<ArgsOf<'void (const void *nodep, enum VISIT which, int depth)'>, [bigint, number, number]>>,
  Expect<Equal<ArgsOf<'LRESULT __stdcall WindowProc(HWND hwnd, UINT uMsg, WPARAM wParam, LPARAM lParam)'>, [unknown, unknown, unknown, unknown]>>,
  Expect<Equal<ReturnOf<'LRESULT __stdcall WindowProc(HWND hwnd, UINT uMsg, WPARAM wParam, LPARAM lParam)'>, unknown>>,
  Expect<Equal<ArgsOf<'void (HWND, struct point)'>, [unknown, unknown]>>,
  // nested function-pointer parameters keep their commas
  Expect<Equal<ArgsOf<'int (int (*)(void *, int, char **, char **), void *arg, char **errmsg)'>, [bigint, bigint, bigint]>>,
  Expect<Equal<ArgsOf<'void (*)(void (*)(int, int), double)'>, [bigint, number]>>,
  // variadic → trailing VaList
  Expect<Equal<ClosureOf<'int printf(const char *fmt, ...)'>, (...args: [bigint, VaList]) => number>>,
  // non-literal strings and unreadable prototypes → the loose fallback
  Expect<Equal<ClosureOf<string>, LooseClosure>>,
  Expect<Equal<ArgsOf<string>, unknown[]>>,
  Expect<Equal<ClosureOf<'WNDPROC'>, LooseClosure>>,
  Expect<Equal<ClosureOf<'void (*signal(int sig, void (*func)(int)))(int)'>, LooseClosure>>,
  // descriptors
  Expect<Equal<ClosureOf<{ args: ['int32_t', 'double']; ret: 'double' }>, (...args: [number, number]) => number>>,
  Expect<Equal<ClosureOf<{ readonly args: readonly ['size_t', 'const char *', 'bool'] }>, (...args: [bigint, bigint, boolean]) => void>>,
  Expect<Equal<ClosureOf<{ args: ['const char *']; ret: 'int'; variadic: true }>, (...args: [bigint, VaList]) => number>>,
  Expect<Equal<ClosureOf<{ args: ['HWND']; ret: 'LRESULT' }>, (...args: [unknown]) => unknown>>,
  Expect<Equal<ClosureOf<{ args: string[]; ret: 'int' }>, LooseClosure>>,
  Expect<Equal<JsTypeOf<ReturnType<typeof resolveType>>, unknown>>,
  Expect<Equal<JsTypeOf<{ tag: 'scalar'; kind: 'u64'; name: 'x'; size: 8; align: 8; js: 'bigint' }>, bigint>>,
  Expect<Equal<JsTypeOf<'int (*)(int)'>, bigint>>,
];

// ---- closures accepted ----------------------------------------------------------------------

accept('int (const void *a, const void *b)', (a, b) => (a < b ? -1 : a > b ? 1 : 0));
accept('int32_t (double, uint64_t, const char *)', (d: number, n: bigint, s: bigint) => d + Number(n + s));
accept('int32_t (double, uint64_t)', (d) => d | 0); // fewer parameters is fine
accept('void (int)', () => undefined);
accept('void (int)', (sig) => { void sig; }); // void: the result is ignored
accept('bool (size_t)', (n) => n > 0n);
accept('int (HWND, LPARAM)', (hwnd, lParam) => (hwnd === lParam ? 1 : 0)); // unknown params
accept('LRESULT (HWND)', () => 0n); // unknown return: anything goes
accept('int printf(const char *fmt, ...)', (fmt, va) => Number(fmt) + Number(va.next('int')));
accept({ args: ['int32_t', 'double'], ret: 'double' }, (i, d) => i * d);
accept({ args: ['uint64_t'], ret: 'bool' }, (x) => x === 0n);
accept({ args: [] }, () => {});
const dynamic: string = 'int (int)';
accept(dynamic, (x: number, y: string) => x + y.length); // unknown at compile time: loose

// 16 parameters (the type-level parser stays cheap: one tail-recursive step per comma)
accept(
  'int64_t (int8_t, uint8_t, int16_t, uint16_t, int32_t, uint32_t, int64_t, uint64_t, float, double, size_t, void *, const char *, bool, long, int (*)(int, int))',
  (a, b, c, d, e, f, g, h, i, j, k, l, m, n, o, p) =>
    BigInt(a + b + c + d + e + f + i + j) + g + h + k + l + m + (n ? 1n : 0n) + o + p,
);

// ---- closures rejected ----------------------------------------------------------------------

// @ts-expect-error wrong parameter type: double is number, not string
accept('int (double)', (d: string) => d.length);
// @ts-expect-error wrong parameter type: uint64_t is bigint, not number
accept('void (uint64_t)', (n: number) => { void n; });
// @ts-expect-error wrong parameter type: a pointer is bigint
accept('void (const char *)', (s: string) => { void s; });
// @ts-expect-error wrong return type: int needs a number
accept('int (int)', (x) => `${x}`);
// @ts-expect-error wrong return type: size_t needs a bigint
accept('size_t (const char *)', (s) => Number(s));
// @ts-expect-error wrong return type: bool needs a boolean
accept('bool (int)', (x) => x);
// @ts-expect-error too many parameters
accept('int (int)', (a: number, b: number) => a + b);
// @ts-expect-error too many parameters for (void)
accept('void (void)', (a: number) => { void a; });
// @ts-expect-error wrong parameter type in a descriptor
accept({ args: ['int32_t', 'double'], ret: 'double' }, (i: bigint, d: number) => d);
// @ts-expect-error wrong return type in a descriptor
accept({ args: ['int32_t'], ret: 'int64_t' }, (i) => i);
// @ts-expect-error too many parameters for a descriptor
accept({ args: ['int32_t'] }, (a: number, b: number) => { void a; void b; });
// @ts-expect-error the variadic tail is a VaList, not a number
accept('int (const char *, ...)', (fmt, n: number) => n);
