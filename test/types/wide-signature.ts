// Wide prototypes for the type-level parser's cost check (test/signature-types.test.ts).
import type { ArgsOf, ClosureOf } from '../../src/signature/typelevel';

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends (<T>() => T extends B ? 1 : 2) ? true : false;
type Expect<T extends true> = T;

type P16 = 'int64_t (int8_t a, uint8_t b, int16_t c, uint16_t d, int32_t e, uint32_t f, int64_t g, uint64_t h, float i, double j, size_t k, void *l, const char *m, bool n, long o, int (*p)(int, int))';
type P32 = 'void (int8_t, uint8_t, int16_t, uint16_t, int32_t, uint32_t, int64_t, uint64_t, float, double, size_t, void *, const char *, bool, long, int (*)(int, int), int8_t, uint8_t, int16_t, uint16_t, int32_t, uint32_t, int64_t, uint64_t, float, double, size_t, void *, const char *, bool, long, int (*)(int, int))';
type PNested = 'int (int (*a)(void (*)(int, int), double), void (*b)(int (*)(const void *, const void *), size_t, size_t), unsigned long long c, const volatile unsigned short int d, char e[16], struct s **f, enum e g, double h, float i, signed char j, unsigned char k, char l, short m, unsigned n, long long o, unsigned long p)';

export type Cases = [
  Expect<Equal<ArgsOf<P16>['length'], 16>>,
  Expect<Equal<ArgsOf<P16>[15], bigint>>,
  Expect<Equal<ArgsOf<P32>['length'], 32>>,
  Expect<Equal<ArgsOf<PNested>, [bigint, bigint, bigint, number, bigint, bigint, number, number, number, number, number, number, number, number, bigint, bigint]>>,
];

export const f16: ClosureOf<P16> = (a, b, c, d, e, f, g, h, i, j, k, l, m, n, o, p) =>
  BigInt(a + b + c + d + e + f + i + j) + g + h + k + l + m + (n ? 1n : 0n) + o + p;
