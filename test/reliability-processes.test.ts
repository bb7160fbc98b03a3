/**
 * Regression tests for defects of the first reliability pass whose symptom is a crash, a
 * hang, the exit of a process or its memory: each case runs in its own child process
 * (test/fixtures/reliability-*.ts) against test/c/reliability.c.
 *
 *  - a thunk of a Worker that was the only user of closure-ffi, called after it ended (07)
 *  - native memory of Workers that loaded closure-ffi, after they end (08)
 *  - JIT memory without memfd, changed while other threads run thunks (10)
 *  - thunks called from a signal handler on the JS thread (09)
 *  - exit of a process whose un-ref'd Sync thunk native threads keep calling (06)
 *
 * (The numbers are those of the repros in the reliability-1 report.)
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { before, describe, test } from 'node:test';
import { compileSharedLibrary, cSourcePath } from './support/cc';
import { runFixture, taggedJson, type ChildResult } from './support/child';
import { timeLimit, EMULATED_TARGET } from './support/emulation';
import { notOnWindows, ON_WINDOWS } from './support/platform';

let LIB = '';
let NOMEMFD_SHIM = '';

before(() => {
  const src = readFileSync(cSourcePath('reliability.c'), 'utf8');
  LIB = compileSharedLibrary('reliability', src, ['-pthread']);
  NOMEMFD_SHIM = compileSharedLibrary('reliability-nomemfd', src, ['-DRELIABILITY_NOMEMFD_SHIM']);
});

/** The one `RESULT {...}` line of a child, or an assertion failure that shows the child's output. */
function resultOf<T>(r: ChildResult): T {
  const rows = taggedJson<T>(r.stdout, 'RESULT ');
  assert.equal(rows.length, 1, `expected one RESULT line\n${r.describe()}`);
  return rows[0];
}

function assertCleanExit(r: ChildResult): void {
  assert.equal(r.signal, null, `the child was killed by ${r.signal}\n${r.describe()}`);
  assert.equal(r.status, 0, `the child exited with ${r.status}\n${r.describe()}`);
}

function signed(v: number): string {
  return (v >= 0 ? '+' : '') + v.toFixed(1);
}

function count(text: string, re: RegExp): number {
  return text.split('\n').filter((l) => re.test(l)).length;
}

describe('a Worker that was the only user of closure-ffi (repro 07)', () => {
  interface WorkerOnly {
    worker?: { started: number; mapped: boolean };
    workerError: string;
    workerExitMs: number;
    stateAtWorkerExit: number;
    mappedBeforeWorker: boolean;
    mappedAfterExit: boolean;
    lateState: number;
    lateValue: number;
    lateMs: number;
    mainLoadedClosureFfi: boolean;
  }

  test('a native call to its BareFnSync after it ended gets 0 and a message, instead of crashing the process', async () => {
    const r = await runFixture('reliability-worker-only.ts', [LIB], { timeoutMs: 20_000 });
    assertCleanExit(r);
    const res = resultOf<WorkerOnly>(r);
    const seen = JSON.stringify(res);
    assert.equal(res.mainLoadedClosureFfi, false, `the main thread must not load closure-ffi: ${seen}`);
    assert.equal(res.mappedBeforeWorker, false, `the bridge was mapped before the Worker loaded it: ${seen}`);
    assert.equal(res.workerError, '', `the Worker failed: ${seen}`);
    assert.equal(res.worker?.started, 0, `call_later() failed in the Worker: ${seen}`);
    assert.equal(res.stateAtWorkerExit, 1, `the native thread must still be waiting when the Worker ends: ${seen}`);
    assert.equal(res.lateState, 3, `the late call did not return (state ${res.lateState}): ${seen}`);
    assert.equal(res.lateValue, 0, `the late call returned ${res.lateValue}, expected the zero value: ${seen}`);
    const told = count(r.stderr, /closure-ffi: .*after its JS environment ended/);
    assert.equal(told, 1, `the late call was reported ${told} times on stderr\n${r.describe()}`);
    console.log(`Worker ended after ${res.workerExitMs} ms; the late call returned ${res.lateValue} at ${res.lateMs} ms`);
  });
});

describe('Workers that load closure-ffi (repro 08)', () => {
  interface Growth {
    rawRss: number;
    rss: number;
    heap: number;
  }
  interface Memory {
    n: number;
    plain: Growth[];
    cffi: Growth[];
    ms: number;
  }
  // Windows' working set counts a page of the thunk memory an ended Worker keeps (for late
  // calls) once per view, RW and RX: ~140-150 KiB per Worker under Wine, where Linux shows
  // less. Either limit is far below the old leak (~520 KiB); the malloc limit is the same.
  const RSS_LIMIT_KIB = ON_WINDOWS ? 256 : 128;
  const HEAP_LIMIT_KIB = 64;

  test(`leave less than ${RSS_LIMIT_KIB} KiB of RSS behind per Worker, compared with Workers that do not`, async () => {
    // ~6 s on an idle 2-core machine; much more when it is busy (hence the long timeout).
    // RSS moves by up to ~130 KiB per Worker from run to run, mostly the main thread's V8
    // heap shrinking late (left out of the RSS compared here), also cached thread stacks and
    // allocator caches; the old leak was ~520 KiB per Worker (~500 KiB of it malloc'd).
    // malloc's memory in use is steady to a few KiB, so it must stay within its limit every
    // time; a second run only if RSS looks bad.
    const runs: string[] = [];
    let bestRss = Infinity;
    for (let attempt = 0; attempt < 2 && bestRss >= RSS_LIMIT_KIB; attempt++) {
      const r = await runFixture('reliability-worker-memory.ts', [LIB, '100', '1'], { timeoutMs: 120_000 });
      assertCleanExit(r);
      const m = resultOf<Memory>(r);
      const [plain, cffi] = [m.plain[0], m.cffi[0]];
      const rss = cffi.rss - plain.rss;
      const heap = cffi.heap - plain.heap;
      bestRss = Math.min(bestRss, rss);
      runs.push(
        `run ${attempt + 1}: ${m.n} Workers each, KiB per Worker: RSS less the main V8 heap plain ${signed(plain.rss)}, ` +
          `with closure-ffi ${signed(cffi.rss)}, difference ${signed(rss)} (raw RSS ${signed(plain.rawRss)} / ` +
          `${signed(cffi.rawRss)}); malloc in use plain ${signed(plain.heap)}, ` +
          `with closure-ffi ${signed(cffi.heap)}, difference ${signed(heap)} (${m.ms} ms)`,
      );
      assert.ok(
        heap < HEAP_LIMIT_KIB,
        `malloc'd memory left behind per Worker that loaded closure-ffi exceeds ${HEAP_LIMIT_KIB} KiB:\n${runs.join('\n')}`,
      );
    }
    console.log(runs.join('\n'));
    assert.ok(
      bestRss < RSS_LIMIT_KIB,
      `RSS growth per Worker that loaded closure-ffi exceeds ${RSS_LIMIT_KIB} KiB:\n${runs.join('\n')}`,
    );
  });
});

describe('JIT memory without memfd (repro 10)', () => {
  test('8 threads x 20000 calls of a BareFnSync while its closure creates and disposes thunks: all right, no crash', async () => {
    // Linux: an LD_PRELOAD shim makes memfd_create fail. Windows has neither: the fixture
    // gives the thunks single mappings from a VirtualAlloc allocator of its own.
    const r = await runFixture('reliability-no-memfd.ts', [LIB], {
      env: ON_WINDOWS ? {} : { LD_PRELOAD: NOMEMFD_SHIM },
      timeoutMs: 30_000,
    });
    assertCleanExit(r);
    const res = resultOf<{ dual: boolean; singleBlocks: number; calls: number; cCalls: number; bad: number; thunksMade: number; ms: number }>(r);
    const seen = JSON.stringify(res);
    if (ON_WINDOWS) assert.ok(res.singleBlocks > 0, `the single-mapping allocator was never asked for memory: ${seen}`);
    assert.equal(res.dual, false, `memfd_create was shimmed away (Windows: a single-mapping allocator), yet the JIT memory is dual-mapped: ${seen}`);
    assert.equal(res.calls, 160_000, `the closure ran ${res.calls} times: ${seen}`);
    assert.equal(res.cCalls, 160_000, `the C threads made ${res.cCalls} calls: ${seen}`);
    assert.equal(res.bad, 0, `${res.bad} calls returned a wrong result: ${seen}`);
    assert.equal(res.thunksMade, 640_000, seen);
  });
});

describe('thunks called from a SIGALRM handler (repro 09)', () => {
  interface Signal {
    inNative: number;
    spin: { fired: number; onMain: number; onMainOk: number; calls: number };
    allocated: number;
    errors: Record<string, number>;
    totalCalls: number;
  }

  // Skipped under emulation: qemu-user also delivers the process-directed SIGALRM to the
  // process's other threads, and a thunk called from a handler on a non-JS thread can
  // deadlock (its refusal report takes a lock and mallocs: a known bug, not AArch64's; about
  // one run in five hangs under qemu). Natively the kernel delivers it to the JS thread here.
  test('interrupting JS: refused with one message, no V8 fatal error; interrupting a native call: runs', {
    skip:
      notOnWindows('no POSIX signals') ||
      (EMULATED_TARGET ? 'signal handlers on non-JS threads can deadlock in the refusal report (known bug, see the comment)' : false),
  }, async () => {
    const r = await runFixture('reliability-signal.ts', [LIB, '1500'], { timeoutMs: 20_000 });
    assertCleanExit(r);
    const res = resultOf<Signal>(r);
    const seen = JSON.stringify(res);
    assert.doesNotMatch(r.stderr, /Check failed|AllowJavascriptExecution|FATAL ERROR/, r.describe());
    assert.equal(res.inNative, 43, `a call from the handler while JS was in C returned ${res.inNative}, want 43: ${seen}`);
    assert.ok(res.spin.fired > 100, `SIGALRM fired only ${res.spin.fired} times in 1.5 s: ${seen}`);
    for (const name of Object.keys(res.errors))
      assert.equal(name, 'WrongThreadError', `unexpected error kind reported to onError: ${seen}`);
    // Handler calls on the JS thread while it ran JS are refused (and counted nowhere in JS);
    // those that landed while it was in a native call (the disarm) ran the closure.
    const refusedOnMain = res.spin.onMain - res.spin.onMainOk;
    const messages = count(r.stderr, /called from a signal handler/);
    assert.ok(messages <= 1, `the signal-handler message was printed ${messages} times\n${r.describe()}`);
    if (refusedOnMain > 0)
      assert.equal(messages, 1, `${refusedOnMain} handler calls were refused on the JS thread without the message: ${seen}`);
    console.log(
      `SIGALRM: ${res.spin.fired} deliveries, ${res.spin.onMain} on the JS thread (${refusedOnMain} refused), ` +
        `${res.errors.WrongThreadError ?? 0} on other threads; ${res.allocated} objects allocated meanwhile`,
    );
  });
});

describe('exit with native threads calling an un-ref\'d BareFnSync forever (repro 06)', () => {
  interface Exit {
    started: number;
    code: number;
    exitMs: number;
    beforeExitMs: number;
    calls: number;
    ticks: number;
  }

  test('the process reaches \'exit\' within 2 s and ends, 3 times, with at most one "process is exiting" message', async () => {
    const rows: string[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await runFixture('reliability-exit.ts', [LIB], { timeoutMs: 30_000 });
      const closed = Date.now();
      assertCleanExit(r);
      const start = Number(/^START (\d+)$/m.exec(r.stdout)?.[1]);
      assert.ok(start > 0, `no START line\n${r.describe()}`);
      const res = resultOf<Exit>(r);
      const goneMs = closed - start;
      rows.push(
        `run ${i + 1}: 'exit' after ${res.exitMs} ms, process gone after ${goneMs} ms, ${res.calls} calls served, ` +
          `${res.ticks} interval ticks`,
      );
      const seen = `${rows.join('\n')}\n${r.describe()}`;
      assert.equal(res.started, 8, `start_forever started ${res.started} threads\n${seen}`);
      assert.ok(res.exitMs < timeLimit(2000), `'exit' came ${res.exitMs} ms after the script returned\n${seen}`);
      // From 'exit' to the end of the process is Node's teardown, which a busy machine slows
      // down (seen: 4 s at load 13 on 2 cores); a hang there still fails. Both scaled under emulation.
      assert.ok(goneMs < timeLimit(6000), `the process ended ${goneMs} ms after the script returned\n${seen}`);
      // The event loop must keep turning meanwhile: a 100 ms interval ticks during a long wait.
      if (res.exitMs >= 400) assert.ok(res.ticks >= 1, `the event loop was frozen for ${res.exitMs} ms\n${seen}`);
      const exiting = count(r.stderr, /the process is exiting/);
      assert.ok(exiting <= 1, `${exiting} lines mention "the process is exiting"\n${seen}`);
    }
    console.log(rows.join('\n'));
  });
});
