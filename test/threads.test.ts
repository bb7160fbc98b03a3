/**
 * Threads (issue 5): Sync thunks called from any native thread, fire-and-forget calls,
 * wrong-thread reports, Workers, deadlock handling, event-loop liveness, errno.
 *
 * The C side is test/c/threads.c (bound in test/fixtures/threads-lib.ts); behaviour that
 * ends or poisons a process runs in child processes (test/fixtures/threads-*.ts).
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import koffi from 'koffi';
import { after, before, describe, test } from 'node:test';
import { threadId, Worker } from 'node:worker_threads';
import {
  BareFn,
  BareFnMutSync,
  BareFnOnceSync,
  BareFnSync,
  CalledTwiceError,
  FnPtr,
  InvalidOptionError,
  ReentrancyError,
  SyncTimeoutError,
  WrongThreadError,
  decode,
  memory,
  struct,
} from '../src/index';
import { fixturePath, runFixture, type ChildResult } from './support/child';
import { timeLimit } from './support/emulation';
import { ON_WINDOWS } from './support/platform';
import { iiExpect, loadThreadsLib, threadsLibPath } from './fixtures/threads-lib';

const L = loadThreadsLib();
// The main JS thread's thread id: on Linux the process id; Windows numbers threads apart
// from processes (this module is loaded on the main thread).
const MAIN_TID = ON_WINDOWS ? L.gettidHere() : BigInt(process.pid);

const tick = (ms = 2) => new Promise<void>((r) => setTimeout(r, ms));

/** Polls `pred` from the event loop (so foreign calls and reports get served meanwhile). */
async function waitFor(pred: () => boolean, what: string, timeoutMs = 20_000, everyMs = 2): Promise<void> {
  const start = Date.now();
  while (!pred()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await tick(everyMs);
  }
}

/** C-side failures of the ii_* drivers, for assertion messages. */
function iiFailures(nt: number): string {
  const rows: string[] = [];
  for (let t = 0; t < nt; t++) {
    const bad = L.iiBad(t);
    if (bad) {
      const i = L.iiFirstBadI(t);
      rows.push(`thread ${t}: ${bad} wrong results, first at i=${i}: got ${L.iiFirstBadGot(t)}, want ${iiExpect(t, i)}`);
    }
  }
  return rows.join('\n') || 'none';
}

/**
 * The closure for `int32_t (int32_t t, int32_t i)` with per-thread bookkeeping: calls per
 * thread, calls out of order, nesting, and (sampled) which OS thread ran it.
 */
function makeCounter(threads: number) {
  const counts = new Int32Array(threads);
  const next = new Int32Array(threads);
  const state = { disorder: 0, firstDisorder: '', depth: 0, maxDepth: 0, total: 0, runTids: new Set<bigint>() };
  const fn = (t: number, i: number): number => {
    state.total++;
    if (++state.depth > state.maxDepth) state.maxDepth = state.depth;
    if (t < 0 || t >= threads) {
      state.disorder++;
      state.firstDisorder ||= `unknown thread index ${t}`;
    } else {
      counts[t]++;
      if (next[t] !== i) {
        state.disorder++;
        state.firstDisorder ||= `thread ${t}: got i=${i}, expected i=${next[t]}`;
      }
      next[t] = i + 1;
    }
    if ((i & 1023) === 0) state.runTids.add(L.gettidHere());
    state.depth--;
    return iiExpect(t, i);
  };
  const check = (perThread: number[], label: string) => {
    assert.equal(state.disorder, 0, `${label}: calls out of order / unknown: ${state.firstDisorder}`);
    assert.deepEqual([...counts], perThread, `${label}: calls per thread`);
    assert.equal(state.maxDepth, 1, `${label}: the closure was entered while already running`);
    assert.deepEqual([...state.runTids], [MAIN_TID], `${label}: the closure ran on OS threads ${[...state.runTids]}, want only the JS thread ${MAIN_TID}`);
  };
  return { fn, counts, state, check };
}

// ---------------------------------------------------------------------------------------
// Child processes: slow to start (~1 s with tsx), so they run a few at a time in the
// background from the moment the in-process measurements are done, and each test awaits its own.
// ---------------------------------------------------------------------------------------

const CHILDREN: Array<[string, string]> = [
  ['threads-errors.ts', 'deadlock-warn'], // longest (5.6 s of waiting): first
  ['threads-errors.ts', 'deadlock-warn-koffi'],
  ['threads-worker-end.ts', 'sleep'],
  ['threads-worker-end.ts', 'busy'],
  ['threads-worker-end.ts', 'slow'],
  ['threads-errors.ts', 'wrong-rethrow'],
  ['threads-errors.ts', 'wrong-abort'],
  ['threads-liveness.ts', 'unref'],
  ['threads-liveness.ts', 'unref-called'],
  ['threads-liveness.ts', 'pending'],
  ['threads-liveness.ts', 'ff-pending'],
  ['threads-liveness.ts', 'ref-option'],
  ['threads-liveness.ts', 'ref-method'],
  ['threads-liveness.ts', 'ref-twice'],
];
const children = new Map<string, { promise: Promise<ChildResult>; start: () => void }>();
for (const [fixture, mode] of CHILDREN) {
  let start!: () => void;
  const gate = new Promise<void>((r) => (start = r));
  const promise = gate.then(() => runFixture(fixture, [mode], { timeoutMs: 40_000 }));
  promise.catch(() => {});
  children.set(`${fixture} ${mode}`, { promise, start });
}
let childrenStarted = false;
/** Starts the child processes, at most `parallel` at a time. */
function startChildren(parallel = 3): void {
  if (childrenStarted) return;
  childrenStarted = true;
  const queue = [...children.values()];
  const launch = () => {
    const c = queue.shift();
    if (!c) return;
    c.start();
    c.promise.then(launch, launch);
  };
  for (let k = 0; k < parallel; k++) launch();
}
function child(fixture: string, mode: string): Promise<ChildResult> {
  startChildren();
  return children.get(`${fixture} ${mode}`)!.promise;
}

// ---------------------------------------------------------------------------------------

const row = (label: string, ns: number, note = '') => `${label.padEnd(48)} ${ns.toFixed(0).padStart(6)} ns/call${note}`;

/** koffi's cost for the same foreign-thread calls (C driver ii_*, JS idle in the event loop). */
async function koffiForeignCost(): Promise<string[]> {
  const lib = koffi.load(threadsLibPath());
  const proto = koffi.proto('int32_t ThreadsIiCb(int32_t t, int32_t i)');
  const iiStart = lib.func('int ii_start(ThreadsIiCb *cb, int nt, int n)') as (cb: unknown, nt: number, n: number) => number;
  const cb = koffi.register((t: number, i: number) => iiExpect(t, i), koffi.pointer(proto));
  const rows: string[] = [];
  try {
    for (const [nt, n] of [[1, 20_000], [8, 5_000]]) {
      assert.equal(iiStart(cb, nt, n), 0);
      await waitFor(() => L.iiFinished() === nt, 'the threads (koffi)', 30_000, 5);
      assert.equal(L.iiJoin(), 0, iiFailures(nt));
      const ns = Number(L.iiElapsedNs()) / (nt * n);
      rows.push(row(`koffi: ${nt} foreign thread${nt > 1 ? 's' : ''}, JS idle in event loop`, ns));
    }
  } finally {
    koffi.unregister(cb);
  }
  return rows;
}

describe('per-call cost from a foreign thread (printed, not asserted)', () => {
  test('measure', async () => {
    const rows: string[] = [];
    const c = makeCounter(8);
    using cb = new BareFnSync('int32_t (int32_t t, int32_t i)', c.fn);
    const idle = async (nt: number, n: number) => {
      c.counts.fill(0);
      assert.equal(L.iiStart(cb.bare(), nt, n), 0);
      await waitFor(() => L.iiFinished() === nt, 'the threads', 30_000, 5);
      assert.equal(L.iiJoin(), 0, iiFailures(nt));
      return Number(L.iiElapsedNs()) / (nt * n);
    };
    const serviced = (nt: number, n: number) => {
      assert.equal(L.iiRunServiced(cb.bare(), nt, n), 0, iiFailures(nt));
      return Number(L.iiElapsedNs()) / (nt * n);
    };
    // Same-thread baseline: C on the JS thread calling the same thunk.
    const n0 = 200_000;
    const t0 = process.hrtime.bigint();
    assert.equal(L.iiLoop(cb.bare(), 0, n0), 0);
    const same = Number(process.hrtime.bigint() - t0) / n0;
    c.state.runTids.clear();
    rows.push(row('same thread (C on the JS thread)', same));
    rows.push(row('1 foreign thread, JS idle in event loop', await idle(1, 20_000)));
    rows.push(row('8 foreign threads, JS idle in event loop', await idle(8, 5_000), ' (wall time / all calls)'));
    rows.push(row('1 foreign thread, JS in a serviced call', serviced(1, 20_000)));
    rows.push(row('8 foreign threads, JS in a serviced call', serviced(8, 5_000), ' (wall time / all calls)'));
    // The same driver with koffi's registered callback (koffi serves foreign-thread calls from the event loop).
    const koffiRows = await koffiForeignCost().catch((e: unknown) => [`koffi: not measured (${String(e)})`]);
    console.log(`Sync thunk 'int32_t (int32_t, int32_t)' called from native threads, per call:\n  ${[...rows, ...koffiRows].join('\n  ')}`);
    startChildren();
  });
});

describe('Sync thunk called from 8 native threads, 20,000 calls each', () => {
  const NT = 8;
  const N = 20_000;

  test('JS waits in a serviced FnPtr call that joins the threads', () => {
    const c = makeCounter(NT);
    // timeoutMs only so that a lost call fails the test (zero result + SyncTimeoutError) instead of hanging it.
    using cb = new BareFnSync('int32_t (int32_t t, int32_t i)', c.fn, { timeoutMs: 30_000 });
    const bad = L.iiRunServiced(cb.bare(), NT, N);
    assert.equal(bad, 0, `C saw wrong results:\n${iiFailures(NT)}`);
    c.check(Array(NT).fill(N), 'serviced join');
    assert.equal(c.state.total, NT * N);
  });

  test('JS returns to the event loop while the threads run', async () => {
    const c = makeCounter(NT);
    using cb = new BareFnSync('int32_t (int32_t t, int32_t i)', c.fn);
    assert.equal(L.iiStart(cb.bare(), NT, N), 0);
    await waitFor(() => L.iiFinished() === NT, 'the 8 threads to finish', 30_000);
    const bad = L.iiJoin();
    assert.equal(bad, 0, `C saw wrong results:\n${iiFailures(NT)}`);
    c.check(Array(NT).fill(N), 'event loop');
    assert.equal(c.state.total, NT * N);
  });

  test('the JS thread calls the thunk too (directly and through C) while the threads run', async () => {
    // Thread indices 0..7: native threads; 8: JS calling the thunk through FnPtr; 9: JS running C's loop.
    const c = makeCounter(NT + 2);
    using cb = new BareFnSync('int32_t (int32_t t, int32_t i)', c.fn);
    const direct = new FnPtr('int32_t (int32_t, int32_t)', cb);
    assert.equal(L.iiStart(cb.bare(), NT, N), 0);
    let jsDirect = 0;
    let jsViaC = 0;
    let jsBad = 0;
    let overlapped = 0; // JS batches made while some native thread was still running
    const BATCH = 250;
    while (jsDirect < N || jsViaC < N || L.iiFinished() < NT) {
      if (L.iiFinished() < NT) overlapped++;
      for (let k = 0; k < BATCH && jsDirect < N; k++, jsDirect++) {
        if (direct.call(NT, jsDirect) !== iiExpect(NT, jsDirect)) jsBad++;
      }
      if (jsViaC < N) {
        // ii_loop always starts at i = 0, so run it in one go for thread index 9, once.
        jsBad += L.iiLoop(cb.bare(), NT + 1, N);
        jsViaC = N;
      }
      await tick(1);
    }
    const bad = L.iiJoin();
    assert.equal(bad, 0, `C saw wrong results:\n${iiFailures(NT)}`);
    assert.equal(jsBad, 0, 'wrong results for the JS thread\'s own calls');
    c.check([...Array(NT).fill(N), N, N], 'JS calling too');
    assert.ok(overlapped >= 1, `the JS thread's calls should overlap the native threads' (overlapped batches: ${overlapped})`);
  });
});

describe('Sync thunk: arguments in registers and on the blocked caller\'s stack, 4 threads', () => {
  test('every argument arrives intact and the double result returns (event loop)', async () => {
    const NT = 4;
    const N = 2_000;
    let calls = 0;
    let bad = 0;
    let firstBad = '';
    using cb = new BareFnSync(
      'double (int32_t t, int32_t i, double a, int64_t b, float c, int32_t d, int32_t e, int32_t f, int32_t g, double h, double j, double k, double l, double m, double n, double o)',
      (t, i, a, b, c, d, e, f, g, h, j, k, l, m, n, o) => {
        calls++;
        const want = [i * 0.5, (BigInt(t) << 40n) | BigInt(i), i + 0.25, -t, i * 7, t + i, ~t, t * 1.5, -i, i / 1024, t - 0.5, i % 97, 3 * t + i, -0.125 * i];
        const got = [a, b, c, d, e, f, g, h, j, k, l, m, n, o];
        if (!want.every((w, x) => Object.is(w, got[x]) || (w === 0 && got[x] === 0))) {
          bad++;
          firstBad ||= `t=${t} i=${i}: got ${got.join(', ')}, want ${want.join(', ')}`;
        }
        return i * 0.5 + t;
      },
    );
    assert.equal(L.mxStart(cb.bare(), NT, N), 0);
    await waitFor(() => L.mxFinished() === NT, 'the threads', 30_000);
    assert.equal(L.mxJoin(), 0, 'C saw wrong results');
    assert.equal(bad, 0, firstBad);
    assert.equal(calls, NT * N);
  });
});

describe('fire-and-forget (blocking: false)', () => {
  type FfState = { count: number; bad: number; firstBad: string; sum: number; disorder: number; next: Int32Array };
  const SIG = 'void (int32_t t, int32_t i, int32_t a, int32_t b, int32_t c, int32_t d, int32_t e, int32_t f)';
  function ffCounter(nt: number) {
    const s: FfState = { count: 0, bad: 0, firstBad: '', sum: 0, disorder: 0, next: new Int32Array(nt) };
    const fn = (t: number, i: number, a: number, b: number, c: number, d: number, e: number, f: number) => {
      s.count++;
      // Same derivation as ff_main in threads.c; e and f were on the caller's stack.
      if (a !== (i * 3) || b !== -i || c !== t * 1000 + 1 || d !== (i ^ 0x55) || e !== i + t || f !== ~i) {
        s.bad++;
        s.firstBad ||= `t=${t} i=${i}: a..f = ${[a, b, c, d, e, f].join(', ')}`;
      }
      if (s.next[t] !== i) s.disorder++;
      s.next[t] = i + 1;
      s.sum = (s.sum + Math.imul(t + 1, 0x01000193) + i) | 0;
    };
    const expectedSum = (n: number) => {
      let sum = 0;
      for (let t = 0; t < nt; t++) for (let i = 0; i < n; i++) sum = (sum + Math.imul(t + 1, 0x01000193) + i) | 0;
      return sum;
    };
    return { s, fn, expectedSum };
  }

  test('100,000 calls from 4 threads while JS is in the event loop: all delivered, arguments intact', async () => {
    const NT = 4;
    const N = 25_000;
    const { s, fn, expectedSum } = ffCounter(NT);
    // Four threads outrun one JS thread: with whenFull: 'wait' a full queue holds them back, nothing is dropped.
    using cb = new BareFnSync(SIG, fn, { blocking: false, whenFull: 'wait', maxQueued: 1000 });
    assert.equal(L.ffStart(cb.bare(), NT, N), 0);
    await waitFor(() => L.ffFinished() === NT, 'the 4 threads to finish', 30_000);
    L.ffJoin();
    await waitFor(() => s.count >= NT * N, `all ${NT * N} calls (got ${s.count})`, 20_000);
    await tick(20); // anything beyond NT * N would be a duplicate
    assert.equal(s.count, NT * N, 'calls delivered');
    assert.equal(s.bad, 0, `arguments corrupted: ${s.firstBad}`);
    assert.equal(s.disorder, 0, 'calls out of order within a thread');
    assert.equal(s.sum, expectedSum(N), 'checksum of (t, i) over all calls');
  });

  test('a backlog of 100,000 queued calls is served in turns: timers run in between', async () => {
    const NT = 4;
    const N = 25_000;
    const { s, fn } = ffCounter(NT);
    using cb = new BareFnSync(SIG, fn, { blocking: false, maxQueued: NT * N });
    assert.equal(L.ffStart(cb.bare(), NT, N), 0);
    while (L.ffFinished() < NT); // JS stays busy until every call is queued
    L.ffJoin();
    assert.equal(s.count, 0, 'nothing ran while JS was busy');
    let ticksDuringBacklog = 0;
    const timer = setInterval(() => {
      if (s.count < NT * N) ticksDuringBacklog++;
    }, 1);
    try {
      await waitFor(() => s.count >= NT * N, `all ${NT * N} calls (got ${s.count})`, 20_000);
    } finally {
      clearInterval(timer);
    }
    // Served CALLS_PER_TURN (1,000) per turn of the event loop: 100 turns, so a 1 ms
    // interval runs between them instead of waiting for the whole backlog.
    assert.ok(ticksDuringBacklog >= 5, `the interval ran ${ticksDuringBacklog} times while 100,000 calls were served`);
  });

  test('the native threads do not wait for JS', async () => {
    // JS is kept busy for 300 ms (longer under emulation) while 4 threads make 2,000 calls each: they must be done long before.
    const NT = 4;
    const N = 2_000;
    const { s, fn } = ffCounter(NT);
    using cb = new BareFnSync(SIG, fn, { blocking: false });
    assert.equal(L.ffStart(cb.bare(), NT, N), 0);
    const t0 = Date.now();
    let finishedWhileBusy = -1;
    while (Date.now() - t0 < timeLimit(300)) if (L.ffFinished() === NT && finishedWhileBusy < 0) finishedWhileBusy = Date.now() - t0;
    assert.equal(s.count, 0, 'nothing runs while JS is busy');
    L.ffJoin();
    assert.ok(finishedWhileBusy >= 0, 'the threads finished all their calls while JS was busy');
    await waitFor(() => s.count >= NT * N, 'the queued calls', 20_000);
    await tick(20);
    assert.equal(s.count, NT * N);
    assert.equal(s.bad, 0, s.firstBad);
    assert.equal(s.disorder, 0);
  });

  test('served while JS waits in a serviced call too', () => {
    const NT = 4;
    const N = 5_000;
    const { s, fn, expectedSum } = ffCounter(NT);
    using cb = new BareFnSync(SIG, fn, { blocking: false });
    assert.equal(L.ffStart(cb.bare(), NT, N), 0);
    L.ffJoinServiced();
    // The serviced call returns when the threads are joined; calls queued at the very end may still be waiting.
    L.sleepMsServiced(20);
    assert.equal(s.count, NT * N);
    assert.equal(s.bad, 0, s.firstBad);
    assert.equal(s.sum, expectedSum(N));
  });

  test('blocking: false needs a void return type', () => {
    assert.throws(() => new BareFnSync('int32_t (int32_t)', (x: number) => x, { blocking: false }), InvalidOptionError);
  });
});

describe('a non-Sync thunk called from another native thread', () => {
  test('onError fn gets a WrongThreadError naming the thunk and the thread; C gets 0; JS never ran', async () => {
    const errors: unknown[] = [];
    let ran = 0;
    using cb = new BareFn('int32_t (int32_t)', (x: number) => (ran++, x + 1), {
      name: 'notSyncProbe',
      onError: (e) => {
        errors.push(e);
        return 77; // too late for the foreign caller: it already got 0
      },
    });
    assert.equal(L.callHere(cb.bare(), 1), 2, 'works on the JS thread');
    const got = L.callOnThread(cb.bare(), 5);
    const tid = L.lastThreadTid();
    assert.equal(got, 0, 'the foreign caller gets the zero value');
    await waitFor(() => errors.length > 0, 'the WrongThreadError report', 5_000);
    await tick(20);
    assert.equal(errors.length, 1, 'reported once');
    const e = errors[0] as WrongThreadError;
    assert.ok(e instanceof WrongThreadError, `got ${String(e)}`);
    assert.equal(e.code, 'ERR_WRONG_THREAD');
    assert.match(e.message, /notSyncProbe/, 'names the thunk');
    assert.match(e.message, /int32_t \(int32_t\)/, 'names the signature');
    assert.match(e.message, new RegExp(`\\b${tid}\\b`), `names the calling thread (${tid})`);
    assert.equal(ran, 1, 'the closure ran only for the JS-thread call');
  });

  test('a refused call with a memory-class result still returns the hidden result pointer in rax', async () => {
    const Big = struct({ a: 'int64_t', b: 'int64_t', c: 'int64_t' }); // 24 bytes: MEMORY class
    const errors: unknown[] = [];
    using cb = new BareFn({ args: [], ret: Big }, () => ({ a: 1n, b: 2n, c: 3n }), {
      onError: (e) => void errors.push(e),
    });
    const out = memory.alloc(24);
    try {
      assert.equal(L.memretCallCheck(cb.bare(), 0, 7n, out), 1, 'JS thread: rax is the buffer');
      assert.deepEqual(decode(out, Big), { a: 1n, b: 2n, c: 3n });
      assert.equal(L.memretCallCheck(cb.bare(), 1, 7n, out), 1, 'refused on another thread: rax is still the buffer');
      assert.deepEqual(decode(out, Big), { a: 7n, b: 7n, c: 7n }, 'the buffer is left as the caller filled it');
      await waitFor(() => errors.length > 0, 'the WrongThreadError report', 5_000);
      assert.ok(errors[0] instanceof WrongThreadError);
    } finally {
      memory.free(out);
    }
  });

  test('a failing closure with a memory-class result gives the onError value through the hidden pointer', () => {
    const Big = struct({ a: 'int64_t', b: 'int64_t', c: 'int64_t' });
    using cb = new BareFn({ args: [], ret: Big }, (): { a: bigint; b: bigint; c: bigint } => { throw new Error('boom'); }, {
      onError: () => ({ a: -1n, b: -2n, c: -3n }),
    });
    const out = memory.alloc(24);
    try {
      assert.equal(L.memretCallCheck(cb.bare(), 0, 7n, out), 1);
      assert.deepEqual(decode(out, Big), { a: -1n, b: -2n, c: -3n });
    } finally {
      memory.free(out);
    }
  });

  test('calls from a serviced call\'s helper thread run normally; other threads are still refused', async () => {
    const errors: unknown[] = [];
    const where = new Set<bigint>();
    using cb = new BareFn('int32_t (int32_t)', (x: number) => (where.add(L.gettidHere()), x + 1), {
      onError: (e) => void errors.push(e),
    });
    assert.equal(L.callHereServiced(cb.bare(), 10), 11, 'helper thread of the serviced call');
    assert.deepEqual([...where], [MAIN_TID], 'the closure ran on the JS thread');
    assert.equal(L.callOnThreadServiced(cb.bare(), 20), 0, 'a thread started by the helper is not the helper');
    await waitFor(() => errors.length > 0, 'the WrongThreadError report', 5_000);
    assert.ok(errors[0] instanceof WrongThreadError);
  });

  test('default policy: re-thrown on the JS thread as an uncaught exception (child process)', async () => {
    const r = await child('threads-errors.ts', 'wrong-rethrow');
    assert.equal(r.signal, null, r.describe());
    const res = JSON.parse(/^RESULT (.*)$/m.exec(r.stdout)?.[1] ?? 'null') as { got: number; tid: number; ran: number } | null;
    assert.ok(res, r.describe());
    assert.equal(res.got, 0, r.describe());
    assert.equal(res.ran, 0, r.describe());
    const unc = /^UNCAUGHT (.*)$/m.exec(r.stdout);
    assert.ok(unc, `no uncaught exception:\n${r.describe()}`);
    const u = JSON.parse(unc[1]) as { code: string; message: string };
    assert.equal(u.code, 'ERR_WRONG_THREAD', r.describe());
    assert.match(u.message, /wrongThreadProbe/, r.describe());
    assert.match(u.message, new RegExp(`\\b${res.tid}\\b`), r.describe());
  });

  test("onError: 'abort' aborts with a message naming the calling thread (child process)", async () => {
    const r = await child('threads-errors.ts', 'wrong-abort');
    assert.ok(r.aborted, r.describe());
    assert.doesNotMatch(r.stdout, /^RESULT/m, 'the process must not go on');
    assert.match(r.stderr, /closure-ffi: .*thread (\d+).*not Sync/, r.describe());
  });

  test(
    "onError: 'abort' message names the thunk (its name and signature)",
    async () => {
      const r = await child('threads-errors.ts', 'wrong-abort');
      assert.match(r.stderr, /wrongThreadProbe/, r.describe());
      assert.match(r.stderr, /int32_t \(int32_t\)/, r.describe());
    },
  );
});

describe('Workers', () => {
  const tsx = require.resolve('tsx/cjs');
  function startWorker(file: string, workerData: unknown): Worker {
    return new Worker(`require(${JSON.stringify(tsx)}); require(${JSON.stringify(file)});`, { eval: true, workerData });
  }
  type Msg = Record<string, unknown> & { kind: string };
  function nextMessage(w: Worker, kind: string, timeoutMs = 30_000): Promise<Msg> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => cleanup(new Error(`no '${kind}' message from the Worker in ${timeoutMs} ms`)), timeoutMs);
      const onMsg = (m: Msg) => {
        if (m.kind === 'error') cleanup(new Error(`Worker: ${String(m.message)}`));
        else if (m.kind === kind) cleanup(undefined, m);
      };
      const onErr = (e: Error) => cleanup(e);
      const onExit = (code: number) => cleanup(new Error(`Worker exited (${code}) before '${kind}'`));
      function cleanup(err?: Error, m?: Msg) {
        clearTimeout(timer);
        w.off('message', onMsg).off('error', onErr).off('exit', onExit);
        if (err) reject(err);
        else resolve(m!);
      }
      w.on('message', onMsg).on('error', onErr).on('exit', onExit);
    });
  }

  const NT = 4;
  const N = 5_000;
  let worker: Worker;
  let address: bigint;
  before(async () => {
    worker = startWorker(fixturePath('threads-worker.ts'), { nt: NT, n: N });
    address = (await nextMessage(worker, 'address')).address as bigint;
  });
  after(async () => {
    worker.postMessage('close');
    const exited = new Promise((r) => worker.once('exit', r));
    const t = setTimeout(() => void worker.terminate(), 5_000);
    await exited;
    clearTimeout(t);
  });

  for (const mode of ['idle', 'serviced'] as const) {
    test(`a BareFnSync made in a Worker runs on that Worker (threads started there; Worker ${mode === 'idle' ? 'in its event loop' : 'in a serviced join'})`, async () => {
      let mainTicks = 0;
      const iv = setInterval(() => mainTicks++, 5);
      const roundP = nextMessage(worker, 'round');
      worker.postMessage(`${mode}-round`);
      const r = await roundP;
      clearInterval(iv);
      assert.equal(r.bad, 0, 'C saw wrong results');
      assert.equal(r.calls, NT * N, 'calls');
      assert.equal(r.disorder, 0, 'out of order');
      assert.equal(r.ranOnMain, 0, 'the closure ran on the main thread');
      assert.deepEqual(r.threadIds, [worker.threadId], `closure ran on threadIds ${String(r.threadIds)}`);
      assert.notEqual(worker.threadId, threadId);
      assert.ok(mainTicks > 0, 'the main thread was not blocked meanwhile');
    });
  }

  test("the main JS thread, and threads it started, calling a Worker's Sync thunk get it run on the Worker", async () => {
    const resetP = nextMessage(worker, 'reset');
    worker.postMessage('reset');
    await resetP;
    const direct = new FnPtr('int32_t (int32_t, int32_t)', address);
    assert.equal(direct.call(9, 5), iiExpect(9, 5), 'main thread blocked until the Worker ran it');
    // Native threads started by the main thread call it too.
    assert.equal(L.iiStart(address, 2, 500), 0);
    await waitFor(() => L.iiFinished() === 2, 'the 2 threads', 20_000);
    assert.equal(L.iiJoin(), 0, iiFailures(2));
    const statsP = nextMessage(worker, 'stats');
    worker.postMessage('stats');
    const s = await statsP;
    assert.equal(s.calls, 1 + 2 * 500);
    assert.equal(s.disorder, 0);
    assert.equal(s.ranOnMain, 0);
    assert.deepEqual(s.threadIds, [worker.threadId]);
  });

  for (const mode of ['sleep', 'busy', 'slow'] as const) {
    test(`Worker terminated while a native thread keeps calling its thunk (${mode}): no crash, later calls get 0, stderr says why (child process)`, async () => {
      const r = await child('threads-worker-end.ts', mode);
      assert.equal(r.signal, null, `killed by a signal:\n${r.describe().slice(0, 4000)}`);
      assert.equal(r.status, 0, r.describe().slice(0, 4000));
      const m = /^RESULT (.*)$/m.exec(r.stdout);
      assert.ok(m, r.describe().slice(0, 4000));
      const res = JSON.parse(m[1]) as {
        before: { ok: number; zero: number; other: number };
        after: { ok: number; zero: number; other: number };
      };
      assert.ok(res.before.ok >= 20, `calls worked before the Worker ended: ${m[1]}`);
      assert.equal(res.after.ok, 0, `no call ran after the Worker ended: ${m[1]}`);
      assert.ok(res.after.zero > 0, `the native thread kept calling and got 0: ${m[1]}`);
      assert.match(r.stderr, /closure-ffi: .*(JS environment ended|Worker\) that has ended)/, r.stderr.slice(0, 2000));
    });
  }

  test(
    'a call cut short by Worker termination gets 0, never a stale result (child processes above)',
    async () => {
      for (const mode of ['sleep', 'busy', 'slow']) {
        const r = await child('threads-worker-end.ts', mode);
        const m = /^RESULT (.*)$/m.exec(r.stdout);
        assert.ok(m, r.describe().slice(0, 4000));
        const res = JSON.parse(m[1]) as { before: { other: number }; after: { other: number } };
        assert.equal(res.before.other + res.after.other, 0, `calls got neither k + 1 nor 0 (${mode}): ${m[1]}`);
      }
    },
  );
});

describe('deadlock: JS blocked in a native call that waits for a thread calling a Sync thunk', () => {
  test('plain FnPtr call + timeoutMs 500: ends within the timeout, C gets 0, JS gets SyncTimeoutError', async () => {
    const errors: unknown[] = [];
    let ran = 0;
    using cb = new BareFnSync('int32_t (int32_t)', (x: number) => (ran++, x + 1), {
      name: 'joinedProbe',
      timeoutMs: 500,
      onError: (e) => void errors.push(e),
    });
    const t0 = performance.now();
    const got = L.callOnThread(cb.bare(), 5); // pthread_join on the JS thread, not serviced
    const ms = performance.now() - t0;
    const tid = L.lastThreadTid();
    assert.equal(got, 0, 'the native caller gets the zero value');
    assert.ok(ms >= 450 && ms < timeLimit(1500), `took ${ms.toFixed(0)} ms, want about 500`);
    await waitFor(() => errors.length > 0, 'the SyncTimeoutError report', 5_000);
    await tick(50);
    assert.equal(errors.length, 1);
    const e = errors[0] as SyncTimeoutError;
    assert.ok(e instanceof SyncTimeoutError, String(e));
    assert.equal(e.code, 'ERR_SYNC_TIMEOUT');
    assert.match(e.message, /joinedProbe/);
    assert.match(e.message, new RegExp(`\\b${tid}\\b`), `names the thread ${tid}`);
    assert.match(e.message, /serviceCallbacks/, 'says how to avoid it');
    assert.equal(ran, 0, 'the abandoned call must never run later');
  });

  test('{ serviceCallbacks: true } makes the same call complete with the real result', () => {
    const errors: unknown[] = [];
    let ran = 0;
    using cb = new BareFnSync('int32_t (int32_t)', (x: number) => (ran++, x + 1), { timeoutMs: timeLimit(500), onError: (e) => void errors.push(e) });
    const t0 = performance.now();
    assert.equal(L.callOnThreadServiced(cb.bare(), 5), 6);
    assert.ok(performance.now() - t0 < timeLimit(450), 'did not wait for the timeout');
    assert.equal(ran, 1);
    assert.equal(errors.length, 0);
  });

  test('timeoutMs does not fire while JS is merely busy for less than the timeout', async () => {
    const errors: unknown[] = [];
    using cb = new BareFnSync('int32_t (int32_t)', (x: number) => x + 1, { timeoutMs: 2_000, onError: (e) => void errors.push(e) });
    assert.equal(L.callAsyncStart(cb.bare(), 41), 0);
    const t0 = Date.now();
    while (Date.now() - t0 < 300); // busy, not blocked in native code
    assert.equal(L.callAsyncJoinServiced(), 42);
    await tick(20);
    assert.equal(errors.length, 0, String(errors[0]));
  });

  for (const [mode, via] of [['deadlock-warn', 'FnPtr'], ['deadlock-warn-koffi', 'koffi']] as const)
  test(`JS blocked in a ${via} call for 5 s: the waiting thread warns on stderr; default policy re-throws (child process)`, async () => {
    const r = await child('threads-errors.ts', mode);
    assert.equal(r.signal, null, r.describe());
    const res = JSON.parse(/^RESULT (.*)$/m.exec(r.stdout)?.[1] ?? 'null') as { got: number; ms: number; ran: number } | null;
    assert.ok(res, r.describe());
    assert.equal(res.got, 0);
    assert.equal(res.ran, 0);
    assert.ok(res.ms >= 5_500 && res.ms < 5_500 + timeLimit(2_000), `gave up after ${res.ms} ms, want about 5600`);
    assert.match(r.stderr, /closure-ffi: thread \d+ has waited \d+ ms .*deadlock.*serviceCallbacks/, r.describe());
    assert.match(r.stderr, via === 'koffi' ? /another FFI/ : /made through FnPtr/, r.describe());
    const unc = /^UNCAUGHT (.*)$/m.exec(r.stdout);
    assert.ok(unc, r.describe());
    assert.equal((JSON.parse(unc[1]) as { code: string }).code, 'ERR_SYNC_TIMEOUT');
  });
});

describe('errors inside calls from foreign threads', () => {
  test('a throwing closure: the foreign caller gets the onError value (serviced and from the idle loop)', async () => {
    const errors: unknown[] = [];
    using cb = new BareFnSync('int32_t (int32_t)', (x: number) => {
      if (x < 0) throw new RangeError(`negative ${x}`);
      return x + 1;
    }, { onError: (e) => (errors.push(e), 55) });
    assert.equal(L.callOnThreadServiced(cb.bare(), -1), 55);
    assert.equal(L.callAsyncStart(cb.bare(), -2), 0);
    await waitFor(() => errors.length >= 2, 'the second call', 5_000);
    assert.equal(L.callAsyncJoin(), 55);
    assert.equal(L.callOnThreadServiced(cb.bare(), 1), 2);
    assert.deepEqual(errors.map((e) => (e as Error).message), ['negative -1', 'negative -2']);
  });

  test(
    "a thunk does not inherit the timeoutMs of a disposed Sync thunk whose id it reuses",
    async () => {
      const errors: unknown[] = [];
      using slow = new BareFnSync('int32_t (int32_t)', (x: number) => {
        const end = Date.now() + 300;
        while (Date.now() < end);
        return x;
      });
      const a = new BareFnSync('int32_t (int32_t)', (x: number) => x + 1, { timeoutMs: 100 });
      a.dispose();
      using b = new BareFn('int32_t (int32_t)', (x: number) => x + 1, { onError: (e) => void errors.push(e) }); // no timeout
      assert.equal(L.callAsyncStart(slow.bare(), 1), 0);
      L.sleepMs(20); // slow's call is queued first
      // b is called by the serviced call's helper thread (allowed for non-Sync thunks) and waits behind slow (300 ms).
      const got = L.callHereServiced(b.bare(), 41);
      assert.equal(L.callAsyncJoinServiced(), 1);
      await tick(20);
      assert.equal(got, 42, `got ${got}; reported: ${errors.map(String).join('; ')}`);
    },
  );

  // A Sync call that a native thread made before dispose(), still queued at dispose() time.
  test(
    'a call queued before dispose() does not run the thunk that reuses the id',
    () => {
      const ranB: number[] = [];
      const errors: unknown[] = [];
      const a = new BareFnSync('int32_t (int32_t)', (x: number) => x + 1, { name: 'A', onError: (e) => void errors.push(e) });
      assert.equal(L.callAsyncStart(a.bare(), 41), 0);
      L.sleepMs(50); // plain call: the thread's call to A is queued, not served
      a.dispose();
      using b = new BareFnSync('int32_t (int32_t)', (x: number) => (ranB.push(x), 1000 + x), { name: 'B' });
      const got = L.callAsyncJoinServiced();
      void b;
      assert.deepEqual(ranB, [], `B's closure ran for a call made to A (the thread got ${got})`);
      assert.ok(got === 42 || got === 0, `the thread got ${got}`);
      if (got === 0) assert.match(String(errors[0]), /A .*disposed/, 'the dropped call is reported under A\'s onError');
    },
  );

  test(
    'a call queued before dispose() gets 42 or 0 (not a stale result), and 0 is reported',
    async () => {
      const errors: unknown[] = [];
      using warm = new BareFnSync('int32_t (int32_t)', (x: number) => x * 1000);
      assert.equal(L.callOnThreadServiced(warm.bare(), 7), 7000); // leaves 7000 in a frame's result words
      const a = new BareFnSync('int32_t (int32_t)', (x: number) => x + 1, { name: 'A', onError: (e) => void errors.push(e) });
      assert.equal(L.callAsyncStart(a.bare(), 41), 0);
      L.sleepMs(50);
      a.dispose();
      const got = L.callAsyncJoinServiced();
      await tick(20);
      assert.ok(got === 42 || got === 0, `the thread got ${got}`);
      if (got === 0) assert.equal(errors.length, 1, 'a call dropped because its thunk was disposed must be reported');
    },
  );
});

describe('a foreign call wakes an idle event loop', () => {
  test('a call arriving while the loop waits with no timers is served promptly (ref\'d thunk)', async () => {
    let resolveRan!: (v: bigint) => void;
    const ran = new Promise<bigint>((r) => (resolveRan = r));
    using cb = new BareFnSync('int32_t (int32_t)', (x: number) => (resolveRan(process.hrtime.bigint()), x + 1), { ref: true });
    assert.equal(L.callAsyncStartAfter(cb.bare(), 1, 100), 0);
    const ranAt = await ran; // nothing but the thunk's wake-up can settle this
    const latencyMs = Number(ranAt - L.callAsyncCallNs()) / 1e6; // both CLOCK_MONOTONIC
    assert.equal(L.callAsyncJoinServiced(), 2);
    console.log(`wake-up latency of an idle event loop for a foreign call: ${latencyMs.toFixed(3)} ms`);
    assert.ok(latencyMs >= 0 && latencyMs < 100, `served ${latencyMs} ms after the call`);
  });
});

describe('event-loop liveness (child processes)', () => {
  function times(r: ChildResult) {
    const num = (tag: string) => {
      const m = new RegExp(`^${tag} ([\\d.]+)$`, 'm').exec(r.stdout);
      return m ? Number(m[1]) : undefined;
    };
    return { end: num('END'), timer: num('TIMER'), exit: num('EXIT') };
  }

  for (const mode of ['unref', 'unref-called', 'pending', 'ff-pending'] as const) {
    test(`exits by itself when only unref'd Sync thunks remain (${mode})`, async () => {
      const r = await child('threads-liveness.ts', mode);
      assert.equal(r.status, 0, r.describe());
      const t = times(r);
      assert.ok(t.end !== undefined && t.exit !== undefined, r.describe());
      assert.doesNotMatch(r.stdout, /^STUCK/m, `still alive ${timeLimit(3000)} ms after the script ended:\n${r.describe()}`);
      assert.ok(t.exit - t.end < timeLimit(500), `exited ${(t.exit - t.end).toFixed(0)} ms after the script ended:\n${r.describe()}`);
      if (mode === 'unref-called') assert.match(r.stdout, /^CALLED 42$/m, r.describe());
      if (mode === 'ff-pending') assert.match(r.stdout, /^FF-DELIVERED 4000$/m, `queued fire-and-forget calls lost at exit:\n${r.describe()}`);
      if (mode === 'pending') assert.match(r.stdout, /^PENDING 42$/m, `the queued call was not served before exit:\n${r.describe()}`);
    });
  }

  for (const mode of ['ref-option', 'ref-method', 'ref-twice'] as const) {
    test(`a ref()'d Sync thunk keeps the process alive until unref/dispose (${mode})`, async () => {
      const r = await child('threads-liveness.ts', mode);
      assert.equal(r.status, 0, r.describe());
      const t = times(r);
      assert.ok(t.end !== undefined && t.exit !== undefined, r.describe());
      assert.ok(t.timer !== undefined, `the unref'd 300 ms timer never fired: the process did not stay alive\n${r.describe()}`);
      // The timer fired (above), so the process was still alive 300 ms after it was armed; END is
      // printed after arming, so under load END - arming can eat into the 300 ms: bound it loosely.
      assert.ok(t.exit >= t.timer && t.exit - t.end >= 200, `alive ${(t.exit - t.end).toFixed(0)} ms after the script ended, want about 300 (the timer was armed just before END)`);
      assert.ok(t.exit - t.timer < timeLimit(500), `exit ${(t.exit - t.timer).toFixed(0)} ms after unref/dispose, want promptly`);
    });
  }
});

describe('errno of the native caller is preserved across the callback', () => {
  const SET = 4242;
  function probe() {
    const seen: number[] = [];
    const cb = new BareFnSync('int32_t (int32_t)', (x: number) => {
      existsSync(`/nonexistent-closure-ffi-${x}/nope`); // a failing syscall on the JS thread: errno = ENOENT
      // node.exe links its C runtime statically: on Windows JS reaches the errno of the
      // library's C runtime only through a call into it.
      if (ON_WINDOWS) L.setErrno(2);
      seen.push(L.getErrno());
      return x;
    });
    return { cb, seen };
  }

  test('called on the JS thread', () => {
    const { cb, seen } = probe();
    using _ = cb;
    assert.equal(L.errnoHere(cb.bare(), SET, 1), SET);
    assert.equal(seen.length, 1);
    assert.notEqual(seen[0], SET, 'the closure really changed errno on this thread (else the test proves nothing)');
  });

  test('called from a foreign thread (JS in a serviced call) and from the serviced helper thread', () => {
    const { cb, seen } = probe();
    using _ = cb;
    assert.equal(L.errnoOnThreadServiced(cb.bare(), SET, 2), SET, 'foreign thread');
    assert.equal(L.errnoHereServiced(cb.bare(), SET + 1, 3), SET + 1, 'helper thread');
    assert.equal(seen.length, 2);
  });

  test('a refused call (non-Sync thunk from a foreign thread) keeps errno too', async () => {
    const errors: unknown[] = [];
    using cb = new BareFn('int32_t (int32_t)', (x: number) => x, { onError: (e) => void errors.push(e) });
    assert.equal(L.errnoOnThread(cb.bare(), SET, 4), SET);
    await waitFor(() => errors.length > 0, 'the report', 5_000);
  });
});

describe('BareFnMutSync / BareFnOnceSync across threads', () => {
  function mutProbe() {
    const errors: unknown[] = [];
    const state = { depth: 0, maxDepth: 0, calls: 0 };
    let self: BareFnMutSync<'int32_t (int32_t)'> | undefined;
    const mut: BareFnMutSync<'int32_t (int32_t)'> = new BareFnMutSync(
      'int32_t (int32_t)',
      (x: number) => {
        state.calls++;
        state.maxDepth = Math.max(state.maxDepth, ++state.depth);
        try {
          if (x === 1) return L.callHere(self!.bare(), 2) + 100; // re-enters the same thunk
          return x * 10;
        } finally {
          state.depth--;
        }
      },
      { name: 'mutProbe', onError: (e) => (errors.push(e), -1) },
    );
    self = mut;
    return { mut, errors, state };
  }

  test('re-entered on the JS thread: ReentrancyError, the nested call gets the onError value', () => {
    const { mut, errors, state } = mutProbe();
    using _ = mut;
    assert.equal(L.callHere(mut.bare(), 1), 99); // -1 + 100
    assert.equal(errors.length, 1);
    assert.ok(errors[0] instanceof ReentrancyError, String(errors[0]));
    assert.equal((errors[0] as ReentrancyError).code, 'ERR_REENTERED');
    assert.match((errors[0] as Error).message, /mutProbe/);
    assert.equal(state.maxDepth, 1);
  });

  test('re-entered from within a call that came from a foreign thread: reported the same way', () => {
    const { mut, errors, state } = mutProbe();
    using _ = mut;
    assert.equal(L.callOnThreadServiced(mut.bare(), 1), 99);
    assert.equal(errors.length, 1);
    assert.ok(errors[0] instanceof ReentrancyError, String(errors[0]));
    assert.equal(state.maxDepth, 1);
    assert.equal(L.callOnThreadServiced(mut.bare(), 3), 30, 'usable again afterwards');
  });

  test('a foreign call arriving while the closure waits in a serviced call never runs nested', () => {
    // The closure (entered from JS) starts a thread that calls the same thunk, then waits in a
    // serviced native call, during which the JS thread serves foreign calls.
    const errors: unknown[] = [];
    const state = { depth: 0, maxDepth: 0, calls: [] as number[] };
    const holder: { mut?: BareFnMutSync<'int32_t (int32_t)'> } = {};
    using mut = new BareFnMutSync(
      'int32_t (int32_t)',
      (x: number) => {
        state.calls.push(x);
        state.maxDepth = Math.max(state.maxDepth, ++state.depth);
        try {
          if (x === 1) {
            assert.equal(L.callAsyncStart(holder.mut!.bare(), 2), 0);
            L.sleepMsServiced(100);
          }
          return x * 10;
        } finally {
          state.depth--;
        }
      },
      { onError: (e) => (errors.push(e), -1) },
    );
    holder.mut = mut;
    assert.equal(L.callHere(mut.bare(), 1), 10);
    const other = L.callAsyncJoinServiced(); // if the call was deferred, it is served now
    assert.equal(state.maxDepth, 1, `the closure was entered while running: calls ${state.calls}`);
    if (other === 20) assert.equal(errors.length, 0, 'deferred and run afterwards');
    else {
      assert.equal(other, -1, `the other thread got ${other}`);
      assert.equal(errors.length, 1);
      assert.ok(errors[0] instanceof ReentrancyError, String(errors[0]));
    }
    console.log(`BareFnMutSync, foreign call during a serviced wait inside the closure: ${other === 20 ? 'deferred until the closure returned' : 'refused with ReentrancyError'}`);
  });

  test('BareFnOnceSync: the first foreign call runs, later ones (other threads) are reported', async () => {
    const errors: unknown[] = [];
    let ran = 0;
    using once = new BareFnOnceSync('int32_t (int32_t)', (x: number) => (ran++, x + 1), {
      name: 'onceProbe',
      onError: (e) => (errors.push(e), -7),
    });
    assert.equal(L.callOnThreadServiced(once.bare(), 1), 2, 'first call, thread A');
    assert.equal(L.callOnThreadServiced(once.bare(), 2), -7, 'second call, thread B');
    // third call, served from the idle event loop
    assert.equal(L.callAsyncStart(once.bare(), 3), 0);
    await waitFor(() => errors.length >= 2, 'the third call', 5_000);
    assert.equal(L.callAsyncJoin(), -7, 'third call, thread C');
    assert.equal(ran, 1);
    assert.equal(errors.length, 2);
    for (const e of errors) {
      assert.ok(e instanceof CalledTwiceError, String(e));
      assert.equal(e.code, 'ERR_ONCE_CALLED_TWICE');
      assert.match(e.message, /onceProbe/);
    }
  });
});
