/**
 * Benchmark sizes. `BENCH_QUICK=1` shrinks everything for a smoke run; the individual
 * `BENCH_*` variables override one number (handy when investigating a single case).
 */
export const QUICK = process.env.BENCH_QUICK === '1';

function num(name: string, full: number, quick: number): number {
  const v = process.env[name];
  if (v !== undefined && v !== '') {
    const n = Number(v);
    if (Number.isFinite(n) && n > 0) return Math.floor(n);
  }
  return QUICK ? quick : full;
}

export const config = {
  quick: QUICK,
  /** callback invocations per repetition in the call_* cases */
  calls: num('BENCH_CALLS', 2_000_000, 200_000),
  /** timed repetitions per case (one extra untimed warm-up repetition runs first) */
  reps: num('BENCH_REPS', 5, 3),
  /** elements sorted by qsort_i32 */
  sortN: num('BENCH_SORT_N', 1_000_000, 100_000),
  sortReps: num('BENCH_SORT_REPS', 3, 2),
  /** int32 reads per repetition of decode_i32 */
  decodeReads: num('BENCH_DECODE_READS', 5_000_000, 500_000),
  /** elements sorted by qsort_decode (its comparator reads through the pointers) */
  decodeSortN: num('BENCH_DECODE_SORT_N', 100_000, 20_000),
  /** create+dispose pairs per repetition */
  createOps: num('BENCH_CREATE_OPS', 100_000, 10_000),
  /** how many live thunks the capacity case tries to hold at once */
  liveTarget: num('BENCH_LIVE_TARGET', 1_000_000, 100_000),
  /** callback invocations per repetition from a foreign thread */
  threadCalls: num('BENCH_THREAD_CALLS', 20_000, 2_000),
  /**
   * The runner walks all cases and contenders this many times, splitting the repetitions
   * between the rounds, so slow drift of a shared machine hits every contender alike.
   */
  rounds: num('BENCH_ROUNDS', 2, 1),
  /** seed for the xorshift32 data of qsort_i32 (same data for every contender) */
  seed: 0x9e3779b9,
  /** per-process time limit, ms */
  timeoutMs: num('BENCH_TIMEOUT_MS', 180_000, 90_000),
};
export type Config = typeof config;
