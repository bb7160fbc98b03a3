/**
 * Calling-convention names, and how prototypes spell them (`__stdcall`,
 * `__attribute__((ms_abi))`, `extern "system"`, ...).
 */

/** A calling convention, named as in Rust's `extern "..."` ABIs. */
export type CallConvName =
  | 'C' | 'System' | 'Efiapi' | 'Cdecl' | 'Stdcall' | 'Fastcall' | 'Thiscall'
  | 'Sysv64' | 'Win64' | 'Aapcs' | 'Aapcs64';

/**
 * The calling conventions, exported from the package as `cc`. `C` is the platform's
 * default C convention; `System` is `Stdcall` on 32-bit Windows and `C` elsewhere;
 * `Efiapi` is `Win64` on x86-64 and `C` on ARM; `Thiscall`, `Stdcall`, `Fastcall` are
 * x86-32 conventions; `Sysv64` and `Win64` are both usable on any x86-64 OS; `Aapcs` is
 * the ARM32 base (soft-float) standard; `Aapcs64` is the AArch64 standard (= `C` there).
 *
 * @example
 * ```ts
 * import { BareFn, cc } from 'closure-ffi';
 * new BareFn('void (int)', (sig) => {}, { cc: cc.Win64 });
 * new BareFn({ args: ['int'], ret: 'int', cc: cc.Stdcall }, (x) => x + 1);
 * ```
 */
export const callConventions: Readonly<{ [K in CallConvName]: K }> = Object.freeze({
  C: 'C', System: 'System', Efiapi: 'Efiapi', Cdecl: 'Cdecl', Stdcall: 'Stdcall',
  Fastcall: 'Fastcall', Thiscall: 'Thiscall', Sysv64: 'Sysv64', Win64: 'Win64',
  Aapcs: 'Aapcs', Aapcs64: 'Aapcs64',
});

/** Is `x` a calling-convention name? */
export function isCallConvName(x: unknown): x is CallConvName {
  return typeof x === 'string' && Object.prototype.hasOwnProperty.call(callConventions, x);
}

/** Keywords that name a convention in a prototype (MSVC/GCC spellings and the design's short ones). */
export const CC_KEYWORDS: Readonly<Record<string, CallConvName>> = Object.freeze({
  __cdecl: 'Cdecl', _cdecl: 'Cdecl',
  __stdcall: 'Stdcall', _stdcall: 'Stdcall',
  __fastcall: 'Fastcall', _fastcall: 'Fastcall',
  __thiscall: 'Thiscall',
  __sysv_abi: 'Sysv64', sysv64: 'Sysv64',
  __ms_abi: 'Win64', win64: 'Win64',
  aapcs: 'Aapcs',
  efiapi: 'Efiapi',
});

/** Keywords of conventions closure-ffi knows but cannot call (rejected with a clear error). */
export const UNSUPPORTED_CC_KEYWORDS: ReadonlySet<string> = new Set([
  '__vectorcall', '_vectorcall', '__pascal', '_pascal', '__clrcall', '__regcall', '__syscall', '__far16',
]);

/** GCC `__attribute__((...))` names that select a convention (also accepted as `__name__`). */
export const CC_ATTRIBUTES: Readonly<Record<string, CallConvName>> = Object.freeze({
  cdecl: 'Cdecl', stdcall: 'Stdcall', fastcall: 'Fastcall', thiscall: 'Thiscall',
  sysv_abi: 'Sysv64', ms_abi: 'Win64',
});

/** GCC attributes that change the calling convention in ways closure-ffi does not support. */
export const UNSUPPORTED_CC_ATTRIBUTES: ReadonlySet<string> = new Set([
  'regparm', 'sseregparm', 'vectorcall', 'preserve_most', 'preserve_all', 'regcall',
  'swiftcall', 'pascal', 'interrupt',
]);

/** `__attribute__((pcs("...")))` values (ARM32) that map to a convention. */
export const PCS_VALUES: Readonly<Record<string, CallConvName>> = Object.freeze({ aapcs: 'Aapcs' });

/** `extern "abi"` strings (Rust spellings) → convention. */
export const EXTERN_ABI_STRINGS: Readonly<Record<string, CallConvName>> = Object.freeze({
  'C': 'C', 'system': 'System', 'efiapi': 'Efiapi', 'cdecl': 'Cdecl', 'stdcall': 'Stdcall',
  'fastcall': 'Fastcall', 'thiscall': 'Thiscall', 'sysv64': 'Sysv64', 'win64': 'Win64',
  'aapcs': 'Aapcs', 'aapcs64': 'Aapcs64',
});

/**
 * How a convention is written in canonical `text`: a keyword where C has one, otherwise
 * Rust's `extern "..."` form (which the parser also accepts).
 */
export function ccSpelling(cc: CallConvName): { keyword: string } | { externAbi: string } {
  switch (cc) {
    case 'Cdecl': return { keyword: '__cdecl' };
    case 'Stdcall': return { keyword: '__stdcall' };
    case 'Fastcall': return { keyword: '__fastcall' };
    case 'Thiscall': return { keyword: '__thiscall' };
    case 'Sysv64': return { keyword: '__sysv_abi' };
    case 'Win64': return { keyword: '__ms_abi' };
    case 'Aapcs': return { keyword: 'aapcs' };
    case 'Efiapi': return { keyword: 'efiapi' };
    case 'C': return { externAbi: 'C' };
    case 'System': return { externAbi: 'system' };
    case 'Aapcs64': return { externAbi: 'aapcs64' };
  }
}

/** `ccSpelling` as the token sequence text: `__stdcall` or `extern "system"`. */
export function ccText(cc: CallConvName): string {
  const s = ccSpelling(cc);
  return 'keyword' in s ? s.keyword : `extern "${s.externAbi}"`;
}
