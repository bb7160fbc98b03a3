/**
 * Thunk lifetime: creating and disposing many thunks must not grow executable memory
 * without bound, a fresh thunk must still work after heavy churn, and a freed slot must not
 * be handed out again right away (quarantine: a stale pointer traps instead of calling a
 * newer closure). The trap itself is tested in errors-runtime.test.ts (child process).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { BareFn, BareFnMut, BareFnOnce, FnPtr, jitStats, loadLibrary, memory, type BareFnOptions } from '../src/index';
import { loadCallbacksLib } from './support/callbacks-lib';
import { notOnWindows, ON_WINDOWS } from './support/platform';
import { describeMapping, processMaps } from './support/process-maps';

const C = loadCallbacksLib().fn;
const CYCLES = 100_000;
const MAX_GROWTH = 1024 * 1024; // bytes of mapped executable memory
const QUARANTINE_CHECK = 1000; // a freed address must not come back within this many newer frees

describe('thunk lifetime', () => {
  const baseline = jitStats();

  test(`${CYCLES} thunks created and disposed: mapped executable memory stays bounded`, (t) => {
    const kinds = [
      () => new BareFn('int32_t (int32_t)', (x: number) => x + 1),
      () => new BareFnMut('double (double, int64_t)', (d: number) => d),
      () => new BareFnOnce('void (void)', () => {}),
      () => new BareFn({ args: ['uint8_t', 'float'], ret: 'uint64_t' }, () => 0n),
    ];
    const ring: (BareFn | undefined)[] = new Array(64); // a few live at a time, freed out of order
    const seen = new Set<bigint>();
    const start = performance.now();
    let peak = 0;
    for (let i = 0; i < CYCLES; i++) {
      const slot = (i * 37) % ring.length;
      ring[slot]?.dispose();
      const th = kinds[i % kinds.length]();
      ring[slot] = th;
      seen.add(th.bare());
      if (i % 10_000 === 0) {
        peak = Math.max(peak, jitStats().mappedBytes);
        // an int32 thunk in the mix still works from C mid-churn
        const live = new BareFn('int32_t (int32_t)', (x: number) => ~x);
        C.register_i32(live.bare());
        assert.equal(C.call_i32(i), ~i, `a thunk created after ${i} cycles works`);
        live.dispose();
      }
    }
    for (const th of ring) th?.dispose();
    const elapsed = performance.now() - start;
    const after = jitStats();
    const growth = after.mappedBytes - baseline.mappedBytes;
    t.diagnostic(
      `${CYCLES} create+dispose cycles in ${elapsed.toFixed(0)} ms; mappedBytes ${baseline.mappedBytes} -> ${after.mappedBytes} ` +
        `(peak ${peak}); ${seen.size} distinct addresses`,
    );
    assert.ok(growth <= MAX_GROWTH, `mapped executable memory grew by ${growth} bytes (limit ${MAX_GROWTH})`);
    assert.ok(seen.size < CYCLES / 4, `slots are reused eventually: only ${seen.size} distinct addresses for ${CYCLES} thunks`);
    assert.equal(after.liveThunks, baseline.liveThunks, 'every thunk was released');
  });

  test('a freshly created thunk works after the churn, from koffi and from a C driver', () => {
    const cb = new BareFn('int32_t (int32_t)', (x: number) => ~x);
    try {
      C.register_i32(cb.bare());
      assert.equal(C.call_i32(12345), ~12345);
      C.reset_log();
      assert.equal(C.drive_i32(100), 0, C.drive_log());
    } finally {
      cb.dispose();
    }
    const many = Array.from({ length: 16 }, (_, i) => new BareFn('int (int)', (x: number) => x + 1000 * (i + 1)));
    try {
      many.forEach((t, i) => C.register_slot(i, t.bare()));
      C.reset_log();
      assert.equal(C.drive_slots(16, 20), 0, C.drive_log());
    } finally {
      many.forEach((t) => t.dispose());
    }
  });

  test(`a disposed slot is quarantined: not reused by the next ${QUARANTINE_CHECK} thunks`, () => {
    const victim = new BareFn('int (int)', (x: number) => x);
    const address = victim.bare();
    victim.dispose();

    const immediately = new BareFn('int (int)', (x: number) => x);
    assert.notEqual(immediately.bare(), address, 'the very next thunk of the same signature gets another slot');

    const reused: number[] = [];
    for (let i = 0; i < QUARANTINE_CHECK; i++) {
      const th = new BareFn('int (int)', (x: number) => x);
      if (th.bare() === address) reused.push(i);
      th.dispose(); // each of these frees is newer than the victim's
    }
    immediately.dispose();
    assert.deepEqual(reused, [], `the disposed address ${address.toString(16)} came back after ${reused[0]} newer frees`);
  });

  test('live thunks never share an address', () => {
    const live = Array.from({ length: 5000 }, (_, i) => new BareFn('int (int)', (x: number) => x + i));
    try {
      assert.equal(new Set(live.map((t) => t.bare())).size, live.length);
      assert.equal(jitStats().liveThunks, baseline.liveThunks + live.length);
    } finally {
      live.forEach((t) => t.dispose());
    }
    assert.equal(jitStats().liveThunks, baseline.liveThunks);
  });

  test('closures are released: BareFnOnce after its first call, any thunk after dispose', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    type Kind = new (sig: 'int32_t (int32_t)', fn: (x: number) => number, o?: BareFnOptions) => BareFn;
    // The closure is the only holder of `captured`; a WeakRef tells whether it was collected.
    const make = (Kind: Kind) => {
      const captured = { payload: new Array(1000).fill(1) };
      return { ref: new WeakRef(captured), thunk: new Kind('int32_t (int32_t)', (x: number) => captured.payload.length + x) };
    };
    const collected = async (ref: WeakRef<object>) => {
      for (let i = 0; i < 5 && ref.deref() !== undefined; i++) {
        await new Promise((r) => setImmediate(r)); // WeakRef targets live until the job ends
        gc();
      }
      return ref.deref() === undefined;
    };

    const live = make(BareFn);
    const once = make(BareFnOnce as unknown as Kind);
    const disposed = make(BareFnMut as unknown as Kind);
    C.register_i32(once.thunk.bare());
    assert.equal(C.call_i32(1), 1001);
    C.register_i32(live.thunk.bare());
    assert.equal(C.call_i32(2), 1002);
    disposed.thunk.dispose();

    assert.equal(await collected(once.ref), true, 'a BareFnOnce drops its closure after the first call');
    assert.equal(await collected(disposed.ref), true, 'a disposed thunk drops its closure');
    assert.equal(await collected(live.ref), false, 'control: a live thunk keeps its closure');
    assert.equal(C.call_i32(3), 1003, 'and it still works');
    live.thunk.dispose();
    once.thunk.dispose();
  });

  test('thunk memory is never writable and executable at once (dual mapping, /proc/self/maps)', { skip: notOnWindows('no /proc/self/maps; the VirtualQuery test below checks the same') }, () => {
    const thunks = [
      new BareFn('int (int)', (x: number) => x),
      new BareFn('double (float, int64_t, void *)', () => 0),
    ];
    try {
      const maps = processMaps().filter((m) => m.name.includes('closure-ffi-jit'));
      const listing = maps.map(describeMapping).join('\n');
      const perms = maps.map((m) => m.perms);
      assert.ok(perms.length >= 2, `closure-ffi-jit mappings:\n${listing}`);
      assert.deepEqual(perms.filter((p) => p.includes('w') && p.includes('x')), [], listing);
      assert.ok(perms.some((p) => p.startsWith('r-x')), 'an executable view');
      assert.ok(perms.some((p) => p.startsWith('rw-')), 'a writable view');
      const rx = thunks.map((t) => t.bare());
      const ranges = maps.filter((m) => m.perms.startsWith('r-x'));
      for (const a of rx) assert.ok(ranges.some(({ lo, hi }) => a >= lo && a < hi), `thunk ${a.toString(16)} lies in an r-x view`);
    } finally {
      thunks.forEach((t) => t.dispose());
    }
  });

  // Windows: the same, seen through VirtualQuery. The thunk lies in a view of a section
  // (MEM_MAPPED) that is PAGE_EXECUTE_READ; the writable alias is another view, found as a
  // PAGE_READWRITE view holding the same bytes at the same offset; no view is both.
  test('thunk memory is never writable and executable at once (dual mapping, VirtualQuery)', { skip: !ON_WINDOWS && 'Windows only: the /proc/self/maps test above checks the same' }, () => {
    const PAGE_GUARD = 0x100;
    const PAGE_READWRITE = 0x04, PAGE_EXECUTE_READ = 0x20, PAGE_EXECUTE_READWRITE = 0x40, PAGE_EXECUTE_WRITECOPY = 0x80;
    const thunks = [
      new BareFn('int (int)', (x: number) => x),
      new BareFn('double (float, int64_t, void *)', () => 0),
    ];
    try {
      const maps = processMaps(); // with the thunks' blocks mapped
      // Every committed, readable view in the process.
      const views = maps.filter((m) => {
        const readable = [PAGE_READWRITE, PAGE_EXECUTE_READ, PAGE_EXECUTE_READWRITE, PAGE_EXECUTE_WRITECOPY, 0x02].includes(m.protect! & 0xff);
        return m.kind === 'mapped' && readable && !(m.protect! & PAGE_GUARD);
      });
      for (const t of thunks) {
        const a = t.bare();
        const rx = maps.find((m) => a >= m.lo && a < m.hi)!;
        const where = `thunk ${a.toString(16)}: region ${describeMapping(rx)} protect 0x${rx.protect!.toString(16)}`;
        assert.equal(rx.protect, PAGE_EXECUTE_READ, `${where}: PAGE_EXECUTE_READ`);
        assert.equal(rx.kind, 'mapped', `${where}: a view of a section (dual mapping)`);
        const offset = a - rx.allocationBase!;
        const code = memory.read(a, 32);
        const aliases = views.filter(
          (v) => v.allocationBase !== rx.allocationBase && v.lo <= v.allocationBase! + offset && v.allocationBase! + offset + 32n <= v.hi &&
            memory.read(v.allocationBase! + offset, 32).equals(code),
        );
        assert.ok(aliases.some((v) => v.protect === PAGE_READWRITE), `${where}: a PAGE_READWRITE view with the same bytes`);
        for (const v of aliases)
          assert.ok(v.protect === PAGE_READWRITE || v.protect === PAGE_EXECUTE_READ, `${where}: alias at ${v.lo.toString(16)} has protect 0x${v.protect!.toString(16)}`);
      }
    } finally {
      thunks.forEach((t) => t.dispose());
    }
  });
});
