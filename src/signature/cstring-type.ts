/**
 * The `cstring` type as an object, for descriptors and struct fields (the type name
 * `'cstring'` works too).
 */
import { builtinType } from './builtin-types';
import { defaultDataModel } from './data-model';
import type { ScalarType } from './ctype';

/**
 * A C string (`const char *`) that JS sees as a `string` (UTF-8) or `null` (NULL), as an
 * argument, a result or a struct field. Lifetimes (see also `internedStrings()`):
 * - JS → C as an argument of a `FnPtr` call: valid during the call only;
 * - JS → C as a closure's result or a struct field: interned, never freed (one copy per
 *   distinct text for the life of the process; return a `bigint` pointer you manage to
 *   avoid that);
 * - C → JS: copied into a JS string; the C memory is untouched.
 * `bigint` addresses are accepted wherever a cstring is written. A string containing a NUL
 * character is rejected (C would read it as shorter).
 *
 * To get strings for `const char *` without rewriting a prototype, use a descriptor with
 * `strings: true`.
 *
 * @example
 * ```ts
 * new BareFn('int (cstring name)', (name) => name?.length ?? -1);
 * new BareFn({ args: [cstring], ret: 'int' }, (name) => 0);
 * new FnPtr({ args: ['const char *'], ret: 'size_t', strings: true }, lib.symbol('strlen')).call('hello'); // 5n
 * ```
 */
export const cstring: ScalarType & { readonly name: 'cstring'; readonly js: 'string' } =
  builtinType('cstring', defaultDataModel()) as ScalarType & { readonly name: 'cstring'; readonly js: 'string' };
