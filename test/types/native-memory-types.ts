/**
 * Type-level checks for native memory (checked by `tsc --noEmit`, npm test's typecheck):
 * what a FnPtr's pointer parameters take (JS memory, null, and strings for `const char *`
 * only), and the types of the accessors and of `decode` with a count.
 */
import type { GivenArgsOf, HasAddress, JsMemory } from '../../src/signature/typelevel';
import { FnPtr } from '../../src/fn-ptr';
import { decode, memory } from '../../src/index';

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends (<T>() => T extends B ? 1 : 2) ? true : false;
type Expect<T extends true> = T;

type Ptr = bigint | null | JsMemory | HasAddress;

export type NativeMemoryTypeChecks = [
  Expect<Equal<GivenArgsOf<'size_t strlen(const char *s)'>, [Ptr | string]>>,
  Expect<Equal<GivenArgsOf<'void *memcpy(void *restrict, const void *restrict, size_t)'>, [Ptr, Ptr, bigint]>>,
  Expect<Equal<GivenArgsOf<'int (char const *)'>, [Ptr | string]>>,
  Expect<Equal<GivenArgsOf<'int (const char **)'>, [Ptr]>>,
  Expect<Equal<GivenArgsOf<{ args: ['const char *', 'int32_t']; ret: 'int' }>, [Ptr | string, number]>>,
  Expect<Equal<GivenArgsOf<{ args: ['const char *']; ret: 'int'; strings: true }>, [string | null | bigint | JsMemory | HasAddress]>>,
];

declare const fnAddr: bigint;
const strlen = new FnPtr('size_t strlen(const char *)', fnAddr);
export const l1: bigint = strlen.call('text');
export const l2: bigint = strlen.call(Buffer.from('text\0'));
const memset = new FnPtr('void *memset(void *, int, size_t)', fnAddr);
memset.call(new Uint8Array(4), 0, 4n);
memset.call(new ArrayBuffer(4), 0, 4n);
memset.call(new DataView(new ArrayBuffer(4)), 0, 4n);
// @ts-expect-error: a string is a temporary copy, taken only for const char *
memset.call('abc', 0, 3n);
// @ts-expect-error: a number is not an address
memset.call(4096, 0, 3n);

declare const p: bigint;
export const a: number = memory.i32(p, 4);
export const b: bigint = memory.u64(Number(p));
export const c: number[] = decode(p, 'int32_t', 4);
memory.setF64(p, 0, 1.5);
// @ts-expect-error: a 64-bit integer is not a double
memory.setF64(p, 0, 1n);

const strtol = new FnPtr('long strtol(const char *, char **endptr, int base)', fnAddr);
const end = memory.out('char *');
export const parsed: bigint = strtol.call('42abc', end, 10);
export const rest: bigint = end.value;
const n = memory.out('int32_t', 5);
export const nv: number = n.value;
n.value = 6;
// @ts-expect-error: an int32_t place holds numbers
n.value = 'x';
