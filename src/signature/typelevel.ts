/**
 * Type-level signatures: the TypeScript type of the closure for a prototype string
 * literal (parsed with template-literal types) or a descriptor (mapped tuples).
 *
 * Value mapping (matching `CType.js` at run time on LP64 targets; on Windows x64, where
 * `long` and the typedefs built on it are 32 bits, those are a `number` at run time while
 * these types say `bigint`: code meant for both uses `int32_t` or `int64_t`):
 * - 8/16/32-bit integers (`char`, `short`, `int`, `int32_t`, `wchar_t`, enums, ...),
 *   `float`, `double` → `number`;
 * - `long`, `long long`, `int64_t`/`uint64_t`, `size_t`, `ssize_t`, `intptr_t`,
 *   `uintptr_t`, `ptrdiff_t`, `off_t`, `intmax_t`, and the built-in header typedefs that are
 *   a `long` or 64-bit (`time_t`, `dev_t`, `int_fast32_t`, ...) → `bigint`;
 * - pointers (including arrays and function pointers) → `bigint` (`0n` is NULL);
 * - `bool`/`_Bool` → `boolean`; a `void` return → `void`;
 * - `cstring` → `string | null` (also `const char *` in a descriptor with `strings: true`);
 * - struct objects (`struct({...})`) → an object type with one property per field, union
 *   objects → an object with every member optional, `array(T, n)` and `'T[n]'` members →
 *   `T[]` (descriptors and member types only: a prototype *string* naming `struct Name`
 *   cannot see `types.define`, so such a parameter is `unknown`);
 * - typedef names, anything unrecognised → `unknown` (the type level cannot see
 *   `types.define`; narrow inside the closure);
 * - `...` → a final {@link VaList} parameter; a `va_list` parameter → a {@link VaList}.
 *
 * The type-level parser is deliberately shallow (it does not follow C's full declarator
 * grammar): it understands `RET name(params)`, `RET (CC *name)(params)`, attributes,
 * comments and nested function-pointer parameters. For a string it cannot read (e.g. a
 * typedef name of a function-pointer type, or a function returning a function pointer),
 * and for non-literal strings/descriptors, it falls back to a loose type accepting any
 * closure; the run-time parser still validates the signature.
 */
import type { ScalarKind } from './ctype';

/**
 * The variadic arguments of a call: the `...` tail of a callback (`'int (const char *fmt, ...)'`,
 * after the fixed arguments) or a `va_list` parameter (`'void (const char *fmt, va_list ap)'`).
 * Read each argument with the type the format says ({@link VaList.next}), pass the rest on to
 * a native `v*` function wherever a `va_list` argument is expected (`vsnprintf`, `vsyslog`,
 * a library's own), or get the formatted text ({@link VaList.format}).
 *
 * - **Forwarding** gives the native function a copy of the current position, as if through
 *   C's `va_copy`: it sees the arguments `next()` has not read yet, and this VaList does not
 *   move, so `next()` after a forward reads the argument the callee read first. (In C, a
 *   `va_list` passed to a function is indeterminate after it returns unless `va_copy` was
 *   used; ours always behaves like the copy.) Likewise the caller of a `va_list` callback
 *   keeps its own position: reading `ap` does not advance the caller's `va_list`.
 * - **Lifetime**: the arguments live in the caller's registers and stack, so a VaList ends
 *   when its closure returns: `next()`, `format()` or forwarding it afterwards throws
 *   `DisposedError` (`ERR_DISPOSED`).
 * - **Conventions**: a VaList may be forwarded to a function of its own convention (System
 *   V, Win64), and a Win64 VaList to a System V function too (so `format()` uses the C
 *   library's `vsnprintf` for both); a System V VaList with arguments left in registers
 *   cannot become a Win64 `va_list` (`ERR_UNSUPPORTED_CONVENTION`).
 * - **Counting**: nothing tells the callee how many arguments the caller passed, so, as with
 *   C's `va_arg`, reading more than were passed is undefined: the extra reads return whatever
 *   lies on the caller's stack. A read that runs off the end of readable memory throws
 *   `VaListEndError` (`ERR_VA_LIST_END`) instead of crashing the process, but the values
 *   before it were garbage already; take the count from the fixed arguments (a format, a
 *   length).
 *
 * @example
 * ```ts
 * new BareFn('long (int n, ...)', (n, va) => {
 *   let sum = 0n;
 *   for (let i = 0; i < n; i++) sum += va.next('long') as bigint; // never more than n
 *   return sum;
 * });
 * // sprintf in JS: forward the '...' to the C library's vsprintf.
 * const vsprintf = new FnPtr('int (char *, const char *, va_list)', loadLibrary().symbol('vsprintf'));
 * new BareFn('int (char *buf, const char *fmt, ...)', (buf, fmt, va) => vsprintf.call(buf, fmt, va));
 * // A logging hook (FFmpeg's av_log_set_callback, libvirt's error handlers, ...).
 * new BareFn('void (void *avcl, int level, const char *fmt, va_list vl)', (avcl, level, fmt, vl) => {
 *   console.log(level, vl.format(memory.readCString(fmt)!));
 * });
 * ```
 */
export interface VaList {
  /**
   * Reads the next variadic argument as a C type after the default promotions: `'int'`,
   * `'unsigned int'` and `'double'` give a number; 64-bit integers and pointers
   * (`'long'`, `'size_t'`, `'const char *'`, ...) a bigint. Reading past the arguments
   * passed is undefined (see {@link VaList}).
   */
  next(type: string): number | bigint;
  /**
   * The text C's `vsnprintf(buf, size, fmt, ap)` writes for the arguments not read yet
   * (done by the C library itself: every conversion behaves exactly as in C). Does not
   * move this VaList. The format must match the arguments passed, as in C.
   *
   * @example
   * ```ts
   * new BareFn('void (const char *fmt, va_list ap)', (fmt, ap) => log(ap.format(memory.readCString(fmt)!)));
   * ```
   */
  format(fmt: string): string;
}

/**
 * The fallback closure type for signatures unknown at compile time. It uses `any[]` for
 * the parameters on purpose: with `unknown[]`, a closure declaring `(x: number) => ...`
 * would not be assignable (parameters are contravariant), so every closure for a
 * dynamic signature would need casts. This is the only `any` in the public types.
 */
export type LooseClosure = (...args: any[]) => unknown;

// ---- string utilities (all tail-recursive with accumulators) ----------------------------

type ReplaceAll<S extends string, F extends string, T extends string, Acc extends string = ''> =
  S extends `${infer A}${F}${infer B}` ? ReplaceAll<B, F, T, `${Acc}${A}${T}`> : `${Acc}${S}`;

type TrimLeft<S extends string> = S extends ` ${infer R}` ? TrimLeft<R> : S;
type TrimRight<S extends string> = S extends `${infer R} ` ? TrimRight<R> : S;
type Trim<S extends string> = TrimLeft<TrimRight<S>>;

type StripBetween<S extends string, Open extends string, Close extends string, Acc extends string = ''> =
  S extends `${infer A}${Open}${string}${Close}${infer B}` ? StripBetween<B, Open, Close, `${Acc}${A} `> : `${Acc}${S}`;

type StripSemicolon<S extends string> = S extends `${infer R};` ? Trim<R> : S;

/** Whitespace, comments, attributes and a trailing `;` removed/normalised. */
type Normalize<S extends string> = StripSemicolon<Trim<
  StripBetween<StripBetween<StripBetween<StripBetween<
    ReplaceAll<ReplaceAll<ReplaceAll<S, '\n', ' '>, '\t', ' '>, '\r', ' '>,
    '/*', '*/'>, '__attribute__((', '))'>, '__attribute((', '))'>, '__declspec(', ')'>
>>;

type Split<S extends string, Acc extends string[] = []> =
  S extends `${infer W} ${infer R}` ? Split<R, W extends '' ? Acc : [...Acc, W]> : S extends '' ? Acc : [...Acc, S];

type CountChar<S extends string, C extends string, N extends 0[] = []> =
  S extends `${string}${C}${infer R}` ? CountChar<R, C, [...N, 0]> : N['length'];

type Balanced<S extends string> = CountChar<S, '('> extends CountChar<S, ')'> ? true : false;

/** Splits a parameter list on top-level commas (commas inside nested parens stay). */
type SplitParams<S extends string, Cur extends string = '', Acc extends string[] = []> =
  S extends `${infer A},${infer B}`
    ? Balanced<`${Cur}${A}`> extends true
      ? SplitParams<B, '', [...Acc, `${Cur}${A}`]>
      : SplitParams<B, `${Cur}${A},`, Acc>
    : [...Acc, `${Cur}${S}`];

// ---- words ------------------------------------------------------------------------------

/** Words with no effect on the JS type: qualifiers, storage classes, conventions. */
type IgnoredWord =
  | 'const' | '__const' | '__const__' | 'volatile' | '__volatile' | '__volatile__'
  | 'restrict' | '__restrict' | '__restrict__' | 'register' | 'extern' | 'static' | 'inline'
  | '__inline' | '__inline__' | 'typedef' | '_Noreturn' | '__extension__'
  | '_Nonnull' | '_Nullable' | '_Null_unspecified'
  | '__cdecl' | '_cdecl' | '__stdcall' | '_stdcall' | '__fastcall' | '_fastcall' | '__thiscall'
  | '__sysv_abi' | 'sysv64' | '__ms_abi' | 'win64' | 'aapcs' | 'efiapi' | `"${string}"`;

type BigWord =
  | 'long' | 'int64_t' | 'uint64_t' | 'intmax_t' | 'uintmax_t' | 'size_t' | 'ssize_t'
  | 'ptrdiff_t' | 'intptr_t' | 'uintptr_t' | 'off_t' | 'off64_t' | HeaderBigWord;

type NumberWord =
  | 'char' | 'short' | 'int' | 'signed' | 'unsigned' | '__signed' | '__signed__' | 'float' | 'double'
  | 'int8_t' | 'uint8_t' | 'int16_t' | 'uint16_t' | 'int32_t' | 'uint32_t'
  | 'wchar_t' | 'char8_t' | 'char16_t' | 'char32_t' | HeaderNumberWord;

/** Built-in header typedefs (header-typedefs.ts) whose base type is `long` or 64-bit. */
type HeaderBigWord =
  | 'time_t' | 'clock_t' | 'suseconds_t' | 'blkcnt_t' | 'ino_t' | 'fsblkcnt_t' | 'fsfilcnt_t' | 'rlim_t'
  | 'pthread_t' | 'dev_t' | 'ino64_t' | 'blkcnt64_t' | 'loff_t' | 'int_least64_t' | 'uint_least64_t'
  | 'int_fast16_t' | 'uint_fast16_t' | 'int_fast32_t' | 'uint_fast32_t' | 'int_fast64_t' | 'uint_fast64_t';

/** Built-in header typedefs (header-typedefs.ts) of at most 32 bits. */
type HeaderNumberWord =
  | 'pid_t' | 'id_t' | 'uid_t' | 'gid_t' | 'mode_t' | 'useconds_t' | 'key_t' | 'clockid_t' | 'sig_atomic_t'
  | 'wint_t' | 'socklen_t' | 'in_addr_t' | 'in_port_t' | 'sa_family_t'
  | 'int_least8_t' | 'uint_least8_t' | 'int_least16_t' | 'uint_least16_t' | 'int_least32_t' | 'uint_least32_t'
  | 'int_fast8_t' | 'uint_fast8_t';

type TypeWord = BigWord | NumberWord | 'void' | 'bool' | '_Bool' | 'cstring' | 'va_list';

type DropIgnored<W extends string[], Acc extends string[] = []> =
  W extends [infer H extends string, ...infer R extends string[]]
    ? DropIgnored<R, H extends IgnoredWord ? Acc : [...Acc, H]>
    : Acc;

/** Drops a trailing declarator name (`int x` → `int`; `HWND hwnd` → `HWND`). */
type DropName<W extends string[]> =
  W extends [...infer Init extends string[], infer Last extends string]
    ? Init extends [] ? W : Last extends TypeWord ? W : Init
    : W;

type ClassifyWords<U extends string> =
  [U] extends [never] ? unknown
  : 'enum' extends U ? number
  : [Exclude<U, TypeWord>] extends [never]
    ? 'void' extends U ? void
    : 'cstring' extends U ? string | null
    : 'va_list' extends U ? VaList
    : 'bool' extends U ? boolean
    : '_Bool' extends U ? boolean
    : 'long' extends U ? ('double' extends U ? unknown : bigint)
    : [Extract<U, BigWord>] extends [never] ? number : bigint
    : unknown;

/** JS type of a C type text (already normalised; may include a parameter name). */
type ClassifyType<T extends string> =
  T extends `${string}(${string}` ? bigint
  : T extends `${string}*${string}` ? bigint
  : T extends `${string}[${string}` ? bigint
  : ClassifyWords<DropName<DropIgnored<Split<T>>>[number]>;

// ---- prototype strings ----------------------------------------------------------------

type MapParams<P extends string[], Acc extends unknown[] = []> =
  P extends [infer H extends string, ...infer R extends string[]]
    ? Trim<H> extends '...'
      ? [...Acc, VaList]
      : MapParams<R, [...Acc, ClassifyType<Trim<H>>]>
    : Acc;

type ParamsOfList<L extends string> =
  Trim<L> extends '' | 'void' ? [] : MapParams<SplitParams<L>>;

type Opens<S extends string, N extends 0[] = []> = S extends `${string}(${infer R}` ? Opens<R, [...N, 0]> : N;

/** Does `S` contain a `)` closing a paren opened before `S` (i.e. is it not a plain parameter list)? */
type HasOuterClose<S extends string, Open extends 0[] = [], Close extends 0[] = []> =
  S extends `${infer A})${infer R}`
    ? [...Open, ...Opens<A>] extends [0, ...Close, ...0[]]
      ? HasOuterClose<R, [...Open, ...Opens<A>], [0, ...Close]>
      : true
    : false;

/** `[returnText, paramListText]`, or `false` when the shallow parser cannot read `S`. */
type SplitPrototype<S extends string> =
  S extends `${infer Head}(${infer Rest}`
    ? Trim<Rest> extends `${infer Body})`
      ? HasOuterClose<Body> extends true
        // `RET (CC *name)(params)`: accept only a simple group (no parens or commas inside)
        ? Body extends `${infer G})${infer Mid}(${infer P}`
          ? G extends `${string}${'(' | ','}${string}` ? false
          : Trim<Mid> extends '' ? HasOuterClose<P> extends true ? false : [Head, P] : false
          : false
        : [Head, Body]
      : false
    : false;

type ReturnOfText<H extends string> = ClassifyType<Trim<H>>;

type ParsedString<S extends string> = SplitPrototype<Normalize<S>>;

// ---- descriptors ------------------------------------------------------------------------

type JsOfKind<K> =
  [K] extends ['void'] ? void
  : [K] extends ['bool'] ? boolean
  : [K] extends ['i64' | 'u64' | 'pointer'] ? bigint
  : [K] extends [Exclude<ScalarKind, 'void' | 'bool' | 'i64' | 'u64' | 'pointer'>] ? number
  : unknown;

/** The JS type of one `TypeSpec` (a C type name literal or a type object). */
export type JsTypeOf<T> =
  T extends string ? (string extends T ? unknown : ClassifyType<Normalize<T>>)
  : T extends { readonly tag: 'struct'; readonly fieldSpecs: infer F } ? StructJs<F>
  : T extends { readonly tag: 'union'; readonly fieldSpecs: infer F } ? UnionJs<F>
  : T extends { readonly tag: 'array'; readonly elementSpec: infer E } ? JsMemberOf<E>[]
  : T extends { readonly js: infer J }
    ? [J] extends ['number'] ? number : [J] extends ['bigint'] ? bigint : [J] extends ['boolean'] ? boolean
      : [J] extends ['string'] ? string | null
      : [J] extends ['VaList'] ? VaList
      : [J] extends ['undefined'] ? void : T extends { readonly kind: infer K } ? JsOfKind<K> : unknown
  : T extends { readonly kind: infer K } ? JsOfKind<K>
  : unknown;

/** A struct's JS object: one property per field. */
type StructJs<F> = { -readonly [K in keyof F]: JsMemberOf<F[K]> };
/** A union's JS object: every member optional (decoded: all present; encoded: the first present). */
type UnionJs<F> = { -readonly [K in keyof F]?: JsMemberOf<F[K]> };

/** `[2][3]` → wraps `Acc` in one array per dimension. */
type ArrayDims<Rest extends string, Acc> = Rest extends `[${string}]${infer R}` ? ArrayDims<R, Acc[]> : Acc;

/** A member type text: like a parameter's, but `T name[N]` / `T[N]` is an array by value. */
type MemberText<S extends string> =
  S extends `${infer E}[${string}]${infer Rest}`
    ? E extends `${string}(${string}` ? ClassifyType<S> : ArrayDims<Rest, ClassifyType<Trim<E>>[]>
    : ClassifyType<S>;

/** The JS type of a struct/union member or array element spec. */
type JsMemberOf<T> = T extends string ? (string extends T ? unknown : MemberText<Normalize<T>>) : JsTypeOf<T>;

/** `const char *` in any spacing/order (what `strings: true` turns into a string). */
type IsConstCharPointer<T extends string> =
  ReplaceAll<Normalize<T>, ' ', ''> extends 'constchar*' | 'charconst*' | 'constchar*const' | 'charconst*const' ? true : false;

/** {@link JsTypeOf} under a descriptor's `strings: true`. */
type JsTypeOfStrings<T> = T extends string ? (IsConstCharPointer<T> extends true ? string | null : JsTypeOf<T>) : JsTypeOf<T>;

type Strings<D> = D extends { readonly strings: true } ? true : false;

type MapSpecs<A extends readonly unknown[], S extends boolean> =
  { -readonly [K in keyof A]: S extends true ? JsTypeOfStrings<A[K]> : JsTypeOf<A[K]> };

type DescriptorArgs<D> =
  D extends { readonly args: infer A extends readonly unknown[] }
    ? number extends A['length'] ? never
    : D extends { readonly variadic: true } ? [...MapSpecs<A, Strings<D>>, VaList] : MapSpecs<A, Strings<D>>
    : never;

type DescriptorRet<D> =
  D extends { readonly ret: infer R }
    ? (R extends undefined ? void : Strings<D> extends true ? JsTypeOfStrings<R> : JsTypeOf<R>)
    : void;

// ---- public -------------------------------------------------------------------------------

/**
 * What JS may give where native code receives a value (a closure's result, a `FnPtr`
 * argument): like the received type, but a C string may also be given as a `bigint`
 * address of memory the caller manages.
 */
export type GivenOf<T> = T extends string ? T | bigint : T;

/**
 * JS memory a call may pass for a pointer parameter: it stands for the address of its
 * bytes for the duration of the call (see src/runtime/pointer-argument.ts).
 */
export type JsMemory = ArrayBufferView | ArrayBuffer;

/** An object that stands for a native address (`memory.out(...)`, a thunk): its `bare()`. */
export interface HasAddress {
  bare(): bigint;
}

/** Is pointer text `B*R` (split at its first `*`) a `const char *` (one level, any spelling)? */
type IsConstCharText<B extends string, R extends string> =
  R extends `${string}*${string}` ? false
  : ReplaceAll<Trim<B>, ' ', ''> extends 'constchar' | 'charconst' | 'constunsignedchar' | 'constsignedchar' ? true : false;

/**
 * What a call's parameter of (normalised) C type text `T` takes: as {@link GivenOf}, and
 * for a data pointer also `null`, {@link JsMemory} and {@link HasAddress} objects, and for a `const char *` a string
 * (a temporary NUL-terminated UTF-8 copy for the call).
 */
type GivenParam<T extends string> =
  T extends `${string}(${string}` ? GivenOf<ClassifyType<T>>
  : T extends `${infer B}*${infer R}` ? bigint | null | JsMemory | HasAddress | (IsConstCharText<B, R> extends true ? string : never)
  : GivenOf<ClassifyType<T>>;

type GivenParams<P extends string[], Acc extends unknown[] = []> =
  P extends [infer H extends string, ...infer R extends string[]]
    ? Trim<H> extends '...' ? [...Acc, VaList] : GivenParams<R, [...Acc, GivenParam<Trim<H>>]>
    : Acc;

type GivenSpec<T, S extends boolean> =
  T extends string
    ? string extends T ? unknown
    : S extends true ? (IsConstCharPointer<T> extends true ? GivenOf<string | null> | JsMemory | HasAddress : GivenParam<Normalize<T>>)
    : GivenParam<Normalize<T>>
  : GivenOf<JsTypeOf<T>>;

type MapGiven<A extends readonly unknown[], S extends boolean> = { -readonly [K in keyof A]: GivenSpec<A[K], S> };

/** The call's parameter tuple before the variadic split (like {@link ArgsOf}). */
type GivenFixed<S> =
  [S] extends [never] ? unknown[]
  : S extends string
    ? string extends S ? unknown[]
    : ParsedString<S> extends [string, infer P extends string] ? (Trim<P> extends '' | 'void' ? [] : GivenParams<SplitParams<P>>) : unknown[]
  : S extends { readonly args: infer A extends readonly unknown[] }
    ? number extends A['length'] ? unknown[]
    : S extends { readonly variadic: true } ? [...MapGiven<A, Strings<S>>, VaList] : MapGiven<A, Strings<S>>
    : unknown[];

/**
 * {@link ArgsOf} for values JS gives (a `FnPtr`'s arguments): see {@link GivenOf}; a data
 * pointer also takes `null` and JS memory ({@link JsMemory}), a `const char *` a string.
 * For a variadic signature, the fixed arguments and then (type, value) pairs, unchecked.
 *
 * @example
 * ```ts
 * type A = GivenArgsOf<'size_t strlen(const char *)'>; // [bigint | null | JsMemory | HasAddress | string]
 * ```
 */
export type GivenArgsOf<S> =
  IsVariadic<S> extends true
    ? GivenFixed<S> extends [...infer Fixed, VaList] ? [...Fixed, ...unknown[]] : unknown[]
    : GivenFixed<S>;

/** Does signature `S` end in `...` (as opposed to a `va_list` parameter, also a VaList)? */
type IsVariadic<S> =
  S extends string
    ? ParsedString<S> extends [string, infer P extends string] ? LastParam<SplitParams<P>> extends '...' ? true : false : false
    : S extends { readonly variadic: true } ? true : false;

type LastParam<P extends string[]> = P extends [...string[], infer L extends string] ? Trim<L> : never;

/**
 * The parameter tuple of the closure for signature `S` (a prototype string literal or a
 * descriptor type); `unknown[]` when `S` is not known at compile time.
 *
 * @example
 * ```ts
 * type A = ArgsOf<'int32_t (double, uint64_t, const char *)'>; // [number, bigint, bigint]
 * ```
 */
export type ArgsOf<S> =
  [S] extends [never] ? unknown[]
  : S extends string
    ? string extends S ? unknown[]
    : ParsedString<S> extends [string, infer P extends string] ? ParamsOfList<P> : unknown[]
  : [DescriptorArgs<S>] extends [never] ? unknown[] : DescriptorArgs<S>;

/**
 * The return type of the closure for signature `S`; `unknown` when `S` is not known at
 * compile time.
 *
 * @example
 * ```ts
 * type R = ReturnOf<{ args: ['int32_t', 'double']; ret: 'double' }>; // number
 * ```
 */
export type ReturnOf<S> =
  [S] extends [never] ? unknown
  : S extends string
    ? string extends S ? unknown
    : ParsedString<S> extends [infer H extends string, string] ? ReturnOfText<H> : unknown
  : [DescriptorArgs<S>] extends [never] ? unknown : DescriptorRet<S>;

/**
 * The closure type for signature `S`: for `'int32_t (double, uint64_t, const char *)'`,
 * `(a: number, b: bigint, c: bigint) => number`. Falls back to {@link LooseClosure}
 * when `S` is a non-literal `string`, a descriptor whose `args` is not a tuple, or a
 * prototype the type-level parser cannot read.
 *
 * @example
 * ```ts
 * const f: ClosureOf<'int (const void *a, const void *b)'> = (a, b) => Number(a - b);
 * const g: ClosureOf<{ args: ['int32_t', 'double']; ret: 'double' }> = (i, d) => i * d;
 * ```
 */
export type ClosureOf<S> =
  [S] extends [never] ? LooseClosure
  : S extends string
    ? string extends S ? LooseClosure
    : ParsedString<S> extends [infer H extends string, infer P extends string]
      ? (...args: ParamsOfList<P>) => GivenOf<ReturnOfText<H>>
      : LooseClosure
  : [UnknownDescriptorKey<S>] extends [never]
    ? [DescriptorArgs<S>] extends [never] ? LooseClosure : (...args: DescriptorArgs<S>) => GivenOf<DescriptorRet<S>>
    : { readonly 'unknown descriptor key (a descriptor has args, ret, cc, variadic, strings)': UnknownDescriptorKey<S> };

/**
 * Keys of descriptor `S` that descriptors do not have (`return` for `ret`): the closure
 * type then names them, so the typo is a compile error instead of a `void` function.
 */
type UnknownDescriptorKey<S> = Exclude<keyof S, 'args' | 'ret' | 'cc' | 'variadic' | 'strings'>;
