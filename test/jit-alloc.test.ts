/**
 * Executable-memory allocators: the default dual mapping is never writable and
 * executable at once, `near` hints are honoured, and custom allocators (including a
 * single-mapped one that flips protection around writes) carry working thunks.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { BareFn, FnPtr, defaultJitAlloc, loadLibrary, setGlobalJitAlloc, type JitAlloc } from '../src/index';
import { bridge } from '../src/native/bridge';

interface Mapping {
  lo: bigint;
  hi: bigint;
  perms: string;
}

function mappings(): Mapping[] {
  return fs
    .readFileSync('/proc/self/maps', 'utf8')
    .trim()
    .split('\n')
    .map((line) => {
      const [range, perms] = line.split(/\s+/);
      const [lo, hi] = range.split('-').map((h) => BigInt('0x' + h));
      return { lo, hi, perms };
    });
}

function mappingOf(addr: bigint): Mapping {
  const m = mappings().find((x) => addr >= x.lo && addr < x.hi);
  assert.ok(m, `no mapping contains 0x${addr.toString(16)}`);
  return m;
}

test('thunk memory is mapped RX where it runs and RW where it is written, never both', () => {
  using cb = new BareFn('int (int)', (x) => x * 3);
  assert.equal(new FnPtr('int (int)', cb.bare()).call(7), 21);
  const rx = mappingOf(cb.bare());
  assert.match(rx.perms, /^r-x/, `thunk page permissions ${rx.perms}`);
  const block = defaultJitAlloc.alloc(4096);
  assert.match(mappingOf(block.rw).perms, /^rw-/);
  assert.match(mappingOf(block.rx).perms, /^r-x/);
  assert.notEqual(block.rw, block.rx);
  defaultJitAlloc.release(block.rx);
});

test('near hints place blocks within rel32 reach of libc and of the (non-PIE) node binary', () => {
  const reach = 1n << 31n;
  const targets = [loadLibrary().symbol('qsort'), bridge.dlsym(0n, 'napi_call_function')];
  for (const near of targets) {
    const block = defaultJitAlloc.alloc(65536, { near });
    const distance = block.rx > near ? block.rx + 65536n - near : near - block.rx;
    assert.ok(distance < reach, `block 0x${block.rx.toString(16)} is ${distance} bytes from 0x${near.toString(16)}`);
    defaultJitAlloc.release(block.rx);
  }
});

test('a custom JitAlloc given per thunk is used and its thunks run', () => {
  const calls: string[] = [];
  const counting: JitAlloc = {
    alloc(size, hint) {
      calls.push(`alloc ${size}`);
      return defaultJitAlloc.alloc(size, hint);
    },
    release: (rx) => defaultJitAlloc.release(rx),
    flushInstructionCache(rx, size) {
      calls.push('flush');
      defaultJitAlloc.flushInstructionCache(rx, size);
    },
  };
  using cb = new BareFn('double (double, double)', (a, b) => a / b, { alloc: counting });
  assert.equal(new FnPtr('double (double, double)', cb.bare()).call(1, 4), 0.25);
  assert.ok(calls.some((c) => c.startsWith('alloc')), `allocator not used: ${calls.join(', ')}`);
  assert.ok(calls.includes('flush'), 'custom allocators are always told to flush');
});

test('a single-mapped allocator: code pages are made executable once and never writable again', () => {
  const page = BigInt(bridge.pageSize);
  const flips: { mode: 'rw' | 'rx'; lo: bigint; hi: bigint }[] = [];
  const single: JitAlloc = {
    alloc(size) {
      const m = bridge.jitAlloc(size); // use the RX view only, as a single mapping would
      bridge.jitProtect(m.rx, m.size, 'rx');
      return { rx: m.rx, rw: m.rx };
    },
    release() {},
    flushInstructionCache: (rx, size) => bridge.flushInstructionCache(rx, size),
    protectJitMemory(rx, size, mode) {
      flips.push({ mode, lo: rx / page, hi: (rx + BigInt(size) - 1n) / page });
      bridge.jitProtect(rx, size, mode);
    },
  };
  setGlobalJitAlloc(single);
  try {
    const thunks = Array.from({ length: 300 }, (_, i) => new BareFn('int (int)', (x) => x + i));
    for (const [i, t] of thunks.entries()) assert.equal(new FnPtr('int (int)', t.bare()).call(1), 1 + i);
    assert.match(mappingOf(thunks[0].bare()).perms, /^r-x/);
    for (const t of thunks.slice(0, 150)) t.dispose(); // disposing writes data only
    for (const [i, t] of thunks.slice(150).entries()) assert.equal(new FnPtr('int (int)', t.bare()).call(1), 151 + i);
    for (const t of thunks.slice(150)) t.dispose();
    // Once a page has been made executable it is never flipped back to writable.
    const executable = new Set<bigint>();
    for (const f of flips) {
      for (let p = f.lo; p <= f.hi; p++) {
        if (f.mode === 'rx') executable.add(p);
        else assert.ok(!executable.has(p), `page 0x${(p * page).toString(16)} was made writable after holding code`);
      }
    }
    assert.ok(flips.some((f) => f.mode === 'rx'), 'the code half was made executable');
  } finally {
    setGlobalJitAlloc(defaultJitAlloc);
  }
});

test('setGlobalJitAlloc rejects objects that are not allocators', () => {
  assert.throws(() => setGlobalJitAlloc({} as JitAlloc), { code: 'ERR_INVALID_OPTION' });
  assert.throws(() => new BareFn('void (void)', () => {}, { alloc: { alloc: 1 } as unknown as JitAlloc }), {
    code: 'ERR_INVALID_OPTION',
  });
});
