/**
 * Executable-memory allocators: the default dual mapping is never writable and
 * executable at once, `near` hints are honoured, and custom allocators (including a
 * single-mapped one that flips protection around writes) carry working thunks.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { BareFn, FnPtr, defaultJitAlloc, loadLibrary, setGlobalJitAlloc, type JitAlloc } from '../src/index';
import { bridge } from '../src/native/bridge';
import { Arm64Writer } from '../src/asm/arm64';
import { X64Writer } from '../src/asm/x64';
import { runFixture } from './support/child';
import { mappingOf as findMapping, type Mapping } from './support/process-maps';
import { mapSingle } from './support/single-mapping';

/** The mapping (Windows: the committed region) that holds `addr`: Linux /proc/self/maps, Windows VirtualQuery. */
function mappingOf(addr: bigint): Mapping {
  const m = findMapping(addr);
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

test('near hints place blocks within rel32 reach of the C library and of the node binary', () => {
  const reach = 1n << 31n;
  // qsort: libc's on Linux; on Windows loadLibrary() looks in node.exe, then the C runtime (ucrtbase.dll).
  // napi_call_function: exported by the node binary (node.exe on Windows).
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
      const m = mapSingle(size); // one view only, flipped between RW and RX
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

/**
 * Code rewritten in place must be flushed before it runs again: on ARM the instruction
 * cache is not coherent with data writes, so without `flushInstructionCache` on the address
 * the code runs at, a CPU may keep running the old instructions. x86 needs no flush.
 *
 * Emulators have a rule of their own: qemu-user notices a write to code it translated only
 * when the write goes through the same virtual page (it ignores `ic ivau`), so code
 * rewritten through the RW alias of a dual mapping keeps running in its old version under
 * qemu even after the flush. That is one more reason closure-ffi never rewrites code that may
 * have run: thunk code is written once, and creating or disposing a thunk changes its data
 * only. This test rewrites code the way a single-mapped allocator would (the page made RW,
 * written at the address it runs at, made RX again, flushed), which every CPU and qemu honour.
 */
function returning(k: number): Uint8Array {
  if (process.arch === 'arm64') {
    const w = new Arm64Writer();
    w.putBti('c');
    w.putMovzRegImm('w0', k & 0xffff);
    w.putMovkRegImm('w0', k >>> 16, 16);
    w.putRet();
    return w.finish();
  }
  const w = new X64Writer();
  w.putMovReg32U32('eax', k);
  w.putRet();
  return w.finish();
}

test('code rewritten in place, then flushed, runs in its new version every time', () => {
  // A single mapping: on Windows the RX view of the default allocator's dual mapping can never be made writable.
  const block = mapSingle(4096);
  const fn = new FnPtr('uint32_t (void)', block.rx);
  let wrong = 0;
  for (let i = 0; i < 2000; i++) {
    const k = (i * 2654435761) >>> 0;
    bridge.jitProtect(block.rx, 4096, 'rw');
    bridge.write(block.rx, returning(k));
    bridge.jitProtect(block.rx, 4096, 'rx');
    defaultJitAlloc.flushInstructionCache(block.rx, 16);
    if (fn.call() !== k) wrong++;
  }
  assert.equal(wrong, 0, 'calls that ran an old version');
  block.release();
});

test('a thunk changes only its data: its code bytes stay the same across dispose and reuse of the slot', () => {
  const first = new BareFn('int (int)', (x) => x + 1);
  const at = first.bare();
  const before = bridge.read(at, 16);
  first.dispose();
  // Reuse of a slot comes after the quarantine (4096 newer frees): cycle through it.
  let reused: BareFn<'int (int)'> | undefined;
  for (let i = 0; i < 5000 && reused === undefined; i++) {
    const t = new BareFn('int (int)', (x) => x + 2);
    if (t.bare() === at) reused = t;
    else t.dispose();
  }
  assert.ok(reused, 'the slot was handed out again');
  assert.deepEqual(bridge.read(at, 16), before);
  assert.equal(new FnPtr('int (int)', at).call(40), 42, 'and it runs the new closure');
  reused.dispose();
});

test('under --jitless (V8 maps no code of its own) no mapping is writable and executable at once', async () => {
  const r = await runFixture('wx-scan.ts', [], { env: { NODE_OPTIONS: '' }, nodeArgs: ['--jitless'] });
  assert.equal(r.status, 0, r.describe());
  const { sum, executable, wx } = JSON.parse(r.stdout.trim().split('\n').pop()!) as { sum: number; executable: number; wx: string[] };
  // i + 1 for the 1000 values i = 0, 3, ..., 2997, and 1 + 2 + 3 for the 2000 others
  assert.equal(sum, 3 * 499500 + 1000 + 2000 * 6, 'the thunks ran');
  assert.ok(executable > 0, 'executable mappings were seen');
  assert.deepEqual(wx, [], 'writable and executable mappings');
});
