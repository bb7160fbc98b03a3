/**
 * Reliability (issue 9): the defects an adversarial pass found, each kept as a test.
 * Crashes, hangs, exits and process memory are in reliability-processes.test.ts; input
 * validation in reliability-inputs.test.ts. This file holds what one process can check.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  BareFn,
  BareFnSync,
  DisposedError,
  FnPtr,
  JsStackExhaustedError,
  QueueFullError,
  defaultJitAlloc,
  jitStats,
  loadLibrary,
  memory,
  struct,
  type JitAlloc,
} from '../src/index';
import { liveDescriptions } from '../src/runtime/thunk-table';
import { runFixture } from './support/child';
import { mappingOf } from './support/process-maps';
import { loadThreadsLib } from './fixtures/threads-lib';

const L = loadThreadsLib();
const tick = (ms = 2) => new Promise<void>((r) => setTimeout(r, ms));

async function waitFor(pred: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const start = Date.now();
  while (!pred()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await tick();
  }
}

function busyFor(ms: number): void {
  const until = Date.now() + ms;
  while (Date.now() < until);
}

describe('a queued call to a disposed thunk never reaches another closure', () => {
  test('after 2^20 create/dispose cycles (ids reused many times), the call is reported to the disposed thunk', async () => {
    const errors: unknown[] = [];
    const A = new BareFnSync('int32_t (int32_t)', (x) => x + 1, { onError: (e) => void errors.push(e) });
    const idOfA = A.id;
    assert.equal(L.callAsyncStart(A.bare(), 41), 0);
    busyFor(100); // the native thread's call is queued: JS is busy
    A.dispose();
    let reusedAsId = 0;
    for (let i = 0; i < 1 << 20; i++) {
      const t = new BareFn('int32_t (int32_t)', (x) => x);
      if (t.id === idOfA) reusedAsId++;
      t.dispose();
    }
    let wrong = 0;
    const B = new BareFnSync('int32_t (int32_t)', () => {
      wrong++;
      return 999;
    });
    try {
      await waitFor(() => errors.length > 0, "A's onError");
      assert.equal(L.callAsyncJoin(), 0, 'the queued caller gets the zero value');
      assert.equal(wrong, 0, "B's closure ran for A's queued call");
      assert.ok(errors[0] instanceof DisposedError, `A's onError got ${String(errors[0])}`);
      assert.ok(reusedAsId > 100, `A's id was reused ${reusedAsId} times: the generation is what told the calls apart`);
    } finally {
      B.dispose();
    }
  });
});

describe('callbacks near the JS stack limit', () => {
  test('a call that arrives when JS cannot run the closure goes to onError, once per zero', async () => {
    let zeros = 0;
    let ok = 0;
    let failed = 0;
    const reported: unknown[] = [];
    const th = new BareFn('int32_t (int32_t)', (x) => x + 1, {
      onError: (e) => {
        reported.push(e);
        return -1;
      },
    });
    try {
      const callHere = L.callHere;
      const rec = (d: number): void => {
        try {
          rec(d + 1);
        } catch {
          // reached the limit
        }
        try {
          const r = callHere(th.bare(), d);
          if (r === 0) zeros++;
          else if (r === d + 1) ok++;
          else if (r === -1) failed++;
        } catch {
          // the outbound call itself overflowed in JS: not this test's concern
        }
      };
      rec(0);
      await waitFor(() => reported.length >= zeros + failed, `${zeros + failed} reports`);
      await tick(20);
      assert.ok(ok > 0, 'most calls run normally');
      assert.ok(zeros + failed > 0, 'some calls arrived with the JS stack exhausted');
      assert.equal(reported.length, zeros + failed, `${zeros} zeros and ${failed} onError results, ${reported.length} reports`);
      assert.ok(
        reported.every((e) => e instanceof JsStackExhaustedError || e instanceof RangeError),
        `reports: ${reported.map(String).slice(0, 3).join('; ')}`,
      );
    } finally {
      th.dispose();
    }
  });
});

describe('re-entrant calls while arguments are written', () => {
  test('an FnPtr call from a struct argument getter does not clobber the outer arguments', () => {
    const S = struct({ x: 'int32_t', y: 'int32_t' });
    using echo = new BareFn({ args: ['int64_t', S, 'int64_t'], ret: 'int64_t' }, (a, s, b) =>
      a * 1000n + BigInt(s.x) * 100n + BigInt(s.y) * 10n + b,
    );
    const outer = new FnPtr({ args: ['int64_t', S, 'int64_t'], ret: 'int64_t' }, echo.bare());
    const labs = new FnPtr('long long (long long)', loadLibrary().symbol('llabs')); // long is 32 bits on Windows
    let inner = 0n;
    const withGetter = {
      get x() {
        inner = labs.call(-555n);
        return 1;
      },
      y: 2,
    };
    assert.equal(outer.call(7n, withGetter, 3n), 7123n);
    assert.equal(inner, 555n);
    // An argument that fails to encode leaves the depth as it was: later calls still work.
    assert.throws(() => outer.call(7n, { x: 'no', y: 2 } as never, 3n), { code: 'ERR_ARG_TYPE' });
    assert.equal(outer.call(1n, { x: 2, y: 3 }, 4n), 1234n);
  });
});

describe('nesting limits', () => {
  test('calls nested past the frame arena are a NestingError in JS and a reported zero in C', () => {
    const errors: unknown[] = [];
    let deepest = 0;
    let thrown: unknown;
    const self: { fn?: FnPtr<'int32_t (int32_t)'> } = {};
    using th = new BareFn('int32_t (int32_t)', (d) => {
      deepest = Math.max(deepest, d);
      try {
        return self.fn!.call(d + 1);
      } catch (e) {
        thrown ??= e;
        return -1;
      }
    }, { onError: (e) => { errors.push(e); return -2; } });
    self.fn = new FnPtr('int32_t (int32_t)', th.bare());
    self.fn.call(0);
    assert.ok(deepest > 50 && deepest < 128, `nested ${deepest} deep`);
    assert.equal((thrown as { code?: string })?.code, 'ERR_NESTING', `thrown: ${String(thrown)}`);
  });
});

describe('fire-and-forget queues are bounded', () => {
  const SIG = 'void (int32_t t, int32_t i, int32_t a, int32_t b, int32_t c, int32_t d, int32_t e, int32_t f)';

  test("whenFull 'drop' (default): maxQueued calls run, the rest are counted in QueueFullError", async () => {
    let delivered = 0;
    const errors: QueueFullError[] = [];
    using cb = new BareFnSync(SIG, () => void delivered++, {
      blocking: false,
      maxQueued: 100,
      onError: (e) => void errors.push(e as QueueFullError),
    });
    assert.equal(L.ffStart(cb.bare(), 4, 1000), 0);
    while (L.ffFinished() < 4); // JS busy: nothing is served while the threads call
    L.ffJoin();
    const dropped = () => errors.reduce((n, e) => n + e.dropped, 0);
    await waitFor(() => delivered + dropped() >= 4000, `4000 calls accounted for (delivered ${delivered}, dropped ${dropped()})`);
    assert.equal(delivered, 100, 'the queue held maxQueued calls');
    assert.equal(dropped(), 3900);
    assert.ok(errors.every((e) => e instanceof QueueFullError && e.code === 'ERR_QUEUE_FULL'));
    assert.ok(errors.length < 10, `dropped calls are reported in a few reports, not one each (${errors.length})`);
  });

  test('maxQueued and whenFull are checked', () => {
    assert.throws(() => new BareFnSync(SIG, () => {}, { blocking: false, maxQueued: 0 }), { code: 'ERR_INVALID_OPTION' });
    assert.throws(() => new BareFnSync(SIG, () => {}, { blocking: false, whenFull: 'block' as never }), { code: 'ERR_INVALID_OPTION' });
    assert.throws(() => new BareFnSync(SIG, () => {}, { maxQueued: 10 }), /blocking: false only/);
  });
});

describe('a throwing onError loses nothing', () => {
  test('five refused calls from other threads: onError runs five times, each throw is uncaught once', async () => {
    const r = await runFixture('reliability-onerror-throws.ts');
    assert.equal(r.status, 0, r.describe());
    assert.match(r.stdout, /onError 5 uncaught 5/, r.describe());
    assert.doesNotMatch(r.stderr, /DEP0168/, r.describe());
  });
});

describe('names and options', () => {
  test('a name that is not a string is refused at construction, leaving nothing behind', () => {
    const before = jitStats().liveThunks;
    assert.throws(() => new BareFn('int (int)', (x) => x, { name: Symbol('cb') as never }), { code: 'ERR_INVALID_OPTION' });
    const sneaky = { toString() { throw new Error('no'); } };
    assert.throws(() => new BareFn('int (int)', (x) => x, { name: sneaky as never }), { code: 'ERR_INVALID_OPTION' });
    assert.equal(jitStats().liveThunks, before);
  });

  test('10^5 distinct names: trap descriptions are freed as their slots are reused', () => {
    const before = liveDescriptions();
    for (let i = 0; i < 100_000; i++) new BareFn('int (int)', (x) => x, { name: `request-${i}` }).dispose();
    const grown = liveDescriptions() - before;
    // Only the quarantined slots (4,096, plus the ones not yet reused) may still carry a name.
    assert.ok(grown <= 4200, `${grown} descriptions still registered after 100,000 named thunks`);
  });

  test('an allocator that throws leaves the live-thunk count as it was', () => {
    const failing: JitAlloc = {
      alloc() {
        throw new Error('no executable memory today');
      },
      release() {},
      flushInstructionCache() {},
    };
    const before = jitStats().liveThunks;
    for (let i = 0; i < 3; i++) assert.throws(() => new BareFn('int (int)', (x) => x, { alloc: failing }), /no executable memory/);
    assert.equal(jitStats().liveThunks, before);
  });
});

describe('the default allocator guards its own blocks', () => {
  test("release() of a block that holds closure-ffi's thunks is refused, and the thunks keep working", () => {
    using t = new BareFn('int (int)', (x) => x + 1);
    const start = blockStart(t.bare());
    assert.throws(() => defaultJitAlloc.release(start), /closure-ffi's own thunks or stubs/);
    assert.equal(new FnPtr('int (int)', t).call(1), 2);
  });
});

/**
 * Start of the block a JIT allocation returned that holds native address `a`: its mapping
 * on Linux, the view it is part of on Windows.
 */
function blockStart(a: bigint): bigint {
  const m = mappingOf(a);
  assert.ok(m, 'the thunk lies in a mapping');
  return m.allocationBase ?? m.lo;
}
