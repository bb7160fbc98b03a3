/**
 * The side of the benchmark that runs inside one contender process:
 * `node --import tsx bench/contenders/<name>.ts <case>` runs one case and prints one line
 * `@@BENCH@@ {json}` on stdout, which bench/run.ts collects.
 */
import { config } from './config';

export type Unit = 'ns/call' | 'ms' | 'ns/op' | 'thunks';

export interface Measurement {
  unit: Unit;
  /** one value per timed repetition */
  reps: number[];
  /** what one repetition did, for the table (e.g. "2,000,000 calls") */
  work?: string;
  /** anything else worth recording (bytes per thunk, ops/s, ...) */
  extra?: Record<string, unknown>;
  note?: string;
}

export interface CaseOutput {
  contender: string;
  case: string;
  status: 'ok' | 'skipped' | 'error';
  note?: string;
  measurement?: Measurement;
  runtime: { node: string; pid: number };
}

/** Throw from a case (or from contender setup) to report it as skipped, with the reason. */
export class SkipCase extends Error {}

export type CaseFn = () => Measurement | Promise<Measurement>;
export type CaseTable = Record<string, CaseFn | string>;

export const RESULT_MARK = '@@BENCH@@';

function emit(out: CaseOutput): void {
  process.stdout.write(`\n${RESULT_MARK}${JSON.stringify(out)}\n`);
}

/**
 * Entry point of a contender file. `load` returns the table of cases (a string value is a
 * skip reason); it may throw SkipCase when the contender itself is unavailable.
 */
export function contenderMain(name: string, load: () => CaseTable | Promise<CaseTable>): void {
  const caseName = process.argv[2];
  const runtime = { node: process.version, pid: process.pid };
  const finish = (out: Omit<CaseOutput, 'contender' | 'case' | 'runtime'>): void => {
    emit({ contender: name, case: caseName ?? '', runtime, ...out });
  };
  (async () => {
    if (!caseName) throw new Error(`usage: node --import tsx bench/contenders/${name}.ts <case>`);
    const table = await load();
    const c = table[caseName];
    if (c === undefined) return finish({ status: 'skipped', note: 'not applicable' });
    if (typeof c === 'string') return finish({ status: 'skipped', note: c });
    const measurement = await c();
    finish({ status: 'ok', measurement, ...(measurement.note ? { note: measurement.note } : {}) });
  })().then(
    () => process.exit(0),
    (err: unknown) => {
      if (err instanceof SkipCase) finish({ status: 'skipped', note: err.message });
      else finish({ status: 'error', note: err instanceof Error ? (err.stack ?? err.message) : String(err) });
      process.exit(0);
    },
  );
}

const now = (): bigint => process.hrtime.bigint();

/** Run `body` once untimed, then `reps` timed times; returns the elapsed ns of each rep. */
export function timeReps(reps: number, body: (rep: number) => void, warmup = 1): number[] {
  for (let i = 0; i < warmup; i++) body(-1 - i);
  const out: number[] = [];
  for (let r = 0; r < reps; r++) {
    const t0 = now();
    body(r);
    out.push(Number(now() - t0));
  }
  return out;
}

export async function timeRepsAsync(reps: number, body: (rep: number) => Promise<void>, warmup = 1): Promise<number[]> {
  for (let i = 0; i < warmup; i++) await body(-1 - i);
  const out: number[] = [];
  for (let r = 0; r < reps; r++) {
    const t0 = now();
    await body(r);
    out.push(Number(now() - t0));
  }
  return out;
}

export function checkEqual(what: string, got: number | bigint, want: number): void {
  if (Number(got) !== want) throw new Error(`${what}: wrong result ${String(got)}, expected ${want}`);
}

/**
 * A call_* case: `run(n)` makes the C driver call the callback n times and returns the
 * driver's result, which must equal `want(n)`.
 */
export function loopCase(run: (n: number) => number | bigint, want: (n: number) => number): Measurement {
  const n = config.calls;
  const expectedValue = want(n);
  // warm-up: enough calls for V8 to optimize the closure and the library's JS path
  const warm = Math.min(n, 200_000);
  checkEqual('warm-up', run(warm), want(warm));
  const reps = timeReps(config.reps, () => checkEqual('loop', run(n), expectedValue), 0);
  return { unit: 'ns/call', reps: reps.map((ns) => ns / n), work: `${n.toLocaleString('en-US')} calls` };
}

/**
 * The sort case: `prepare(n)` makes fresh unsorted data (untimed), `sort(n)` sorts it
 * (timed, end to end), `verify(n)` checks the result. The warm-up sorts a smaller array.
 */
export function sortCase(
  prepare: (n: number) => void,
  sort: (n: number) => void,
  verify: (n: number) => boolean,
  n = config.sortN,
): Measurement {
  const reps: number[] = [];
  for (let r = -1; r < config.sortReps; r++) {
    const size = r < 0 ? Math.min(n, 50_000) : n;
    prepare(size);
    const t0 = now();
    sort(size);
    const dt = Number(now() - t0);
    if (!verify(size)) throw new Error('qsort: data is not sorted afterwards');
    if (r >= 0) reps.push(dt / 1e6);
  }
  return { unit: 'ms', reps, work: `sort ${n.toLocaleString('en-US')} int32` };
}

/** create+dispose throughput: `op(i)` creates one callback and releases it. */
export function createDisposeCase(op: (i: number) => void): Measurement {
  const n = config.createOps;
  const reps = timeReps(config.reps, () => {
    for (let i = 0; i < n; i++) op(i);
  });
  const perOp = reps.map((ns) => ns / n);
  const sorted = [...perOp].sort((a, b) => a - b);
  const median = sorted[sorted.length >> 1];
  return {
    unit: 'ns/op',
    reps: perOp,
    work: `${n.toLocaleString('en-US')} create+dispose`,
    extra: { opsPerSec: Math.round(1e9 / median) },
  };
}

/** Wait (letting the event loop run) until `done()` is true. */
export async function waitUntil(done: () => boolean, limitMs = 120_000): Promise<void> {
  const t0 = Date.now();
  while (!done()) {
    if (Date.now() - t0 > limitMs) throw new Error(`timed out after ${limitMs} ms`);
    await new Promise((r) => setTimeout(r, 1));
  }
}

/** Native memory the process holds outside the V8 heap: RSS minus the V8 heap's committed size. */
export function nativeBytes(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc) {
    gc();
    gc();
  }
  const m = process.memoryUsage();
  return m.rss - m.heapTotal;
}

/**
 * Bytes per callback from a memory delta; null when the delta is below what RSS can resolve
 * (a few MiB of allocator and page noise), e.g. for koffi's 8,192 callbacks.
 */
export function bytesPer(delta: number, count: number): number | null {
  // Under 4 MiB of growth, or a shrink (the V8 heap's committed size moved more than the
  // native side did), is noise, not a cost per thunk.
  if (count <= 0 || delta < 4 * 2 ** 20) return null;
  return Math.round(delta / count);
}

/** The foreign-thread cases: `runOnce(n)` resolves when each of `threads` foreign threads made n calls. */
export async function threadCase(runOnce: (n: number) => Promise<number | bigint>, threads = 1): Promise<Measurement> {
  const n = config.threadCalls;
  const want = (threads * n * (n + 1)) / 2;
  const reps = await timeRepsAsync(config.reps, async () => checkEqual('thread loop', await runOnce(n), want));
  const total = threads * n;
  const who = threads === 1 ? 'a pthread' : `each of ${threads} pthreads (time / all calls)`;
  return { unit: 'ns/call', reps: reps.map((ns) => ns / total), work: `${n.toLocaleString('en-US')} calls from ${who}` };
}
