/**
 * The native-memory cases (issue 10): what reading through a pointer costs with each
 * library's documented API.
 *
 * - `decode_i32`: one `int32_t` read per operation, from a 4 KiB native array at a
 *   varying offset (so no engine can hoist the load out of the loop), summed and checked.
 * - `qsort_decode`: libc `qsort` of `config.decodeSortN` int32s whose JS comparator reads
 *   both values through the pointers it receives with the library's documented read
 *   (closure-ffi `decode(p, 'int32_t')`, koffi `koffi.decode(p, 'int32_t')`), end to end.
 *   Unlike `qsort_i32`, no typed-array view of the whole array is allowed: this is what a
 *   callback that is handed pointers pays.
 *
 * Each contender passes its read functions; a case may time a second read function of the
 * same library (`alt`) and reports it in `extra`, so one process gives both numbers.
 */
import { config } from './config';
import { type Measurement, timeReps, sortCase } from './harness';

/** int32 values of the read array: word i holds i * 3 - 1000, so the expected sum is known. */
export const READ_WORDS = 1024;
export const readValue = (i: number): number => i * 3 - 1000;

/** Sum of `n` reads at word offsets `i & (READ_WORDS - 1)`. */
export function expectedReadSum(n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += readValue(i & (READ_WORDS - 1));
  return s;
}

/**
 * Times `read(byteOffset)` over `config.decodeReads` reads per repetition (ns per read);
 * `alt`, when given, is timed the same way and reported as `extra[altName]`.
 */
export function readCase(
  read: (byteOffset: number) => number,
  alt?: { name: string; label: string; read: (byteOffset: number) => number },
): Measurement {
  const n = config.decodeReads;
  const want = expectedReadSum(n);
  const loop = (f: (byteOffset: number) => number): number => {
    let s = 0;
    for (let i = 0; i < n; i++) s += f((i & (READ_WORDS - 1)) * 4);
    return s;
  };
  const check = (got: number): void => {
    if (got !== want) throw new Error(`decode_i32: wrong sum ${got}, expected ${want}`);
  };
  const reps = timeReps(config.reps, () => check(loop(read)));
  const m: Measurement = { unit: 'ns/call', reps: reps.map((ns) => ns / n), work: `${n.toLocaleString('en-US')} reads` };
  if (alt) {
    const altReps = timeReps(config.reps, () => check(loop(alt.read))).map((ns) => ns / n).sort((a, b) => a - b);
    const median = Math.round(altReps[altReps.length >> 1]! * 10) / 10;
    m.extra = { [alt.name]: median };
    m.note = `${alt.label}: ${median} ns`;
  }
  return m;
}

/** Fills the read array at `view` (an ArrayBuffer over the native array). */
export function fillReadArray(view: ArrayBuffer): void {
  const a = new Int32Array(view);
  for (let i = 0; i < READ_WORDS; i++) a[i] = readValue(i);
}

/**
 * The qsort-with-reads case: `make(n)` returns fresh unsorted native data, `sort(data, n)`
 * sorts it with the contender's comparator, `sorted(data, n)` checks it, `free(data)`.
 */
export function qsortDecodeCase<P>(
  make: (n: number) => P,
  sort: (data: P, n: number) => void,
  sorted: (data: P, n: number) => boolean,
  free: (data: P) => void,
): Measurement {
  let data: P | null = null;
  try {
    const m = sortCase(
      (n) => {
        if (data !== null) free(data);
        data = make(n);
      },
      (n) => sort(data!, n),
      (n) => sorted(data!, n),
      config.decodeSortN,
    );
    return { ...m, work: `sort ${config.decodeSortN.toLocaleString('en-US')} int32, comparator reads through the pointers` };
  } finally {
    if (data !== null) free(data);
  }
}
