/**
 * Reserved words of the prototype language: C keywords, GCC/MSVC extensions and
 * convention keywords. None of them can be redefined with `types.define`.
 */
import { CC_KEYWORDS, UNSUPPORTED_CC_KEYWORDS } from './calling-conventions';

/** Words that form a built-in type by combination (`unsigned long int`). */
export const TYPE_SPECIFIER_WORDS: ReadonlySet<string> = new Set([
  'void', 'char', 'short', 'int', 'long', 'signed', 'unsigned', 'float', 'double', 'bool', '_Bool',
  '_Complex', '__complex__', '__int128', '__signed', '__signed__', '__unsigned',
]);

/** Qualifier spellings → the qualifier. */
export const QUALIFIERS: Readonly<Record<string, 'const' | 'volatile' | 'restrict'>> = Object.freeze({
  const: 'const', __const: 'const', __const__: 'const',
  volatile: 'volatile', __volatile: 'volatile', __volatile__: 'volatile',
  restrict: 'restrict', __restrict: 'restrict', __restrict__: 'restrict',
});

/** Words accepted and ignored: storage classes, function specifiers, nullability and MSVC pointer qualifiers. */
export const IGNORED_WORDS: ReadonlySet<string> = new Set([
  'extern', 'static', 'register', 'auto', 'typedef', 'inline', '__inline', '__inline__', '_Noreturn',
  '__extension__', '_Nonnull', '_Nullable', '_Null_unspecified', '__unaligned', '__ptr32', '__ptr64',
  '__w64', '__sptr', '__uptr',
]);

/** Stand-alone names of types that exist in C but that closure-ffi cannot pass by value. */
export const UNSUPPORTED_TYPE_NAMES: ReadonlySet<string> = new Set([
  '__int128_t', '__uint128_t', '_Float16', '__fp16', '__bf16', '_Float128', '__float128', '__float80',
  '__ibm128', '_Float64x', '_Float32x', '_Float128x', '_Decimal32', '_Decimal64', '_Decimal128', '_BitInt',
]);

/** Keywords that introduce constructs the parser rejects outright. */
export const UNSUPPORTED_KEYWORDS: ReadonlySet<string> = new Set([
  '_Atomic', 'typeof', '__typeof__', '__typeof', 'typeof_unqual', '_Alignas', 'alignas',
]);

/** Every reserved word. */
export const RESERVED_WORDS: ReadonlySet<string> = new Set([
  ...TYPE_SPECIFIER_WORDS, ...Object.keys(QUALIFIERS), ...IGNORED_WORDS, ...UNSUPPORTED_TYPE_NAMES,
  ...UNSUPPORTED_KEYWORDS, ...Object.keys(CC_KEYWORDS), ...UNSUPPORTED_CC_KEYWORDS,
  'struct', 'union', 'enum', '__attribute__', '__attribute', '__declspec',
  'break', 'case', 'continue', 'default', 'do', 'else', 'for', 'goto', 'if', 'return', 'sizeof',
  'switch', 'while', '_Alignof', 'alignof', '_Generic', '_Static_assert', 'static_assert',
  '_Thread_local', 'thread_local', 'constexpr', 'nullptr', 'true', 'false', '__asm__', 'asm',
]);
