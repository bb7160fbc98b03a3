/** The xorshift32 generator of bench/native/loops.c `data_make`, in JS. */
export function makeData(n: number, seed: number): number[] {
  const out = new Array<number>(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out[i] = x | 0;
  }
  return out;
}

/** Expected results of the C loops for the closures every contender uses. */
export const expected = {
  /** closure: x => x + 1 */
  i32: (n: number): number => (n * (n + 1)) / 2,
  /** closure: (a, b) => a + b ; driver passes (i, 0.5) and sums in double */
  f64x2: (n: number): number => {
    let s = 0;
    for (let i = 0; i < n; i++) s += i + 0.5;
    return s;
  },
  /** closure: (a, b, c, d, e, f, g, h) => a + b + d + e + h */
  mixed8: (n: number): number => {
    let s = 0;
    for (let i = 0; i < n; i++) s += i + i * 0.25 + 0.5 + (i & 255) + 1.5;
    return s;
  },
};

/** The closures, shared so every contender runs the same JS. */
export const closures = {
  i32: (x: number): number => x + 1,
  f64x2: (a: number, b: number): number => a + b,
  mixed8: (a: number, b: number, _c: unknown, d: number, e: number, _f: unknown, _g: number, h: number): number =>
    a + b + d + e + h,
};

/** Three-way int comparison (a - b would overflow C's int for int32 inputs). */
export function compareI32(x: number, y: number): number {
  return x < y ? -1 : x > y ? 1 : 0;
}

/**
 * How every library contender's qsort comparator reads its two int32 values: through one
 * typed-array view of the native array (made once per sort with the library's own
 * "view native memory" call), indexing it with (pointer - base) / 4. A pointer outside the
 * array (a libc that compares against a copied pivot) falls back to the library's
 * one-value read and is counted.
 */
export class I32Reader {
  private base = 0n;
  private bytes = 0;
  private view = new Int32Array(0);
  fallbacks = 0;

  constructor(private readonly slowRead: (p: bigint) => number) {}

  reset(base: bigint, view: ArrayBuffer, count: number): void {
    this.base = base;
    this.view = new Int32Array(view, 0, count);
    this.bytes = count * 4;
  }

  read(p: bigint): number {
    const off = Number(p - this.base);
    if (off >= 0 && off < this.bytes) return this.view[off >> 2];
    this.fallbacks++;
    return this.slowRead(p);
  }
}
