/**
 * Checks the native bridge on the CPU it runs on, without the TypeScript backend for that CPU
 * (src/arch): what a new target needs from the bridge before thunks can work there.
 *
 *   scripts/cross/run.sh linux-arm64 -- node --import tsx scripts/cross/check-bridge.ts
 *   node --import tsx scripts/cross/check-bridge.ts          (the host, x86-64)
 *
 * Each check prints `ok`, `skip` or `FAIL`; the exit status is 1 if one failed. On AArch64 it
 * also enters JS through cffi_enter from hand-written JIT callers (src/asm/arm64.ts), on the
 * JS thread's stack and on a foreign (heap) stack, as an entry stub would: the block layout is
 * x0..x7 in words 0..7, x8 in word 8, d0..d7 in words 9..16.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import koffi from 'koffi';
import { Arm64Writer } from '../../src/asm/arm64';
import { bridge } from '../../src/native/bridge';
import { check, expect, finish } from './checks';


const W = 8; // bytes per block / frame word
// koffi 3.3.4 crashes in koffi.call() until some library was loaded: its call stack is set up by load().
koffi.load(null);
const arm64 = process.arch === 'arm64';

check('the bridge is the one CLOSURE_FFI_BINARY_DIR names', () => {
  const loaded = Object.keys(require.cache).filter((p) => p.endsWith('closure_ffi.node'));
  const dir = process.env.CLOSURE_FFI_BINARY_DIR;
  if (!dir) return `skip not set; loaded ${loaded.join(', ')}`;
  // resolve(): on Windows the loaded path is Z:\..., the variable /work/... (Wine's drive Z: is /).
  expect(loaded.length === 1 && loaded[0]!.startsWith(resolve(dir)), true, `loaded ${loaded.join(', ')}`);
  return `${process.platform}-${process.arch}, ${loaded[0]}`;
});

check('layout constants, RESULT_POINTER_WORD', () => {
  expect(bridge.RESULT_POINTER_WORD, arm64 ? 8 : 0, 'RESULT_POINTER_WORD');
  expect(bridge.ARG_WORDS >= 17, true, 'ARG_WORDS holds x0..x8 and d0..d7');
  return `ARG_WORDS ${bridge.ARG_WORDS}, RET_WORDS ${bridge.RET_WORDS}`;
});

const code = bridge.jitAlloc(4096);
check('jitAlloc gives two views of the same pages', () => {
  expect(code.dual, true, 'dual');
  expect(code.rx !== code.rw && code.view?.byteLength === 4096, true, 'views');
  return `rx ${code.rx.toString(16)}, rw ${code.rw.toString(16)}`;
});

/** Writes machine code at `offset` of the RW view, flushes its RX address, returns that address. */
function place(offset: number, bytes: Uint8Array): bigint {
  new Uint8Array(code.view!, offset, bytes.length).set(bytes);
  const rx = code.rx + BigInt(offset);
  bridge.flushInstructionCache(rx, bytes.length);
  return rx;
}

check('code written through RW, flushed on RX, called through koffi', () => {
  const bytes = arm64
    ? new Uint8Array(new Uint32Array([0xd503245f, 0x52800540, 0xd65f03c0]).buffer) // bti c; mov w0, #42; ret
    : process.arch === 'x64'
      ? Uint8Array.of(0xb8, 42, 0, 0, 0, 0xc3) // mov eax, 42; ret
      : undefined;
  if (!bytes) return `skip no code for ${process.arch}`;
  const fn = place(0, bytes);
  expect(koffi.call(fn, koffi.proto('int ret42(void)')), 42, 'result');
  return `koffi ${koffi.version}`;
});

check('readSafe: unmapped memory gives null, mapped memory its bytes', () => {
  expect(bridge.readSafe(8n, 8), null, 'readSafe(8)');
  const p = bridge.malloc(8);
  bridge.write(p, Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8));
  expect(bridge.readSafe(p, 8)?.toString('hex'), '0102030405060708', 'readSafe(p)');
  bridge.free(p);
});

check('child processes: process.execPath and `node` on PATH', () => {
  const a = spawnSync(process.execPath, ['-p', 'process.arch'], { encoding: 'utf8' });
  expect(a.error?.message ?? a.stdout.trim(), process.arch, 'spawn(process.execPath)');
  const b = spawnSync('node', ['-p', 'process.arch'], { encoding: 'utf8' });
  expect(b.error?.message ?? b.stdout.trim(), process.arch, "spawn('node')");
});

check('$CC builds a shared library that loads here', () => {
  const cc = process.env.CC || 'cc';
  const dir = mkdtempSync(join(tmpdir(), 'cross-check-'));
  try {
    writeFileSync(join(dir, 'add.c'), 'int add(int a, int b) { return a + b; }\n');
    const so = join(dir, `libadd${process.env.SHLIB_EXT || '.so'}`);
    const flags = (process.env.CFLAGS || '').split(/\s+/).filter(Boolean);
    execFileSync(cc, [...flags, '-shared', '-fPIC', '-o', so, join(dir, 'add.c')]);
    const lib = koffi.load(so);
    expect(lib.func('int add(int, int)')(2, 3), 5, 'add(2, 3)');
    lib.unload();
    return cc;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

// ---- entering JS through cffi_enter ------------------------------------------------------------

const arena = new BigUint64Array(bridge.arena);
const frameAt = (depth: number): number => bridge.HEADER_WORDS + depth * bridge.FRAME_WORDS;
let throwNext = false;
let calls = 0;
/** The dispatcher: result word 0 = 2 * argument word 0 + 1 (a thunk's generated decoder would be here). */
function dispatch(): void {
  calls++;
  const f = frameAt(Number(arena[0]) - 1);
  if (throwNext) throw new Error('refused on purpose');
  arena[f + bridge.FRAME_RET] = arena[f + bridge.FRAME_ARGS]! * 2n + 1n;
}
const entry = bridge.setDispatcher(dispatch);
const reports: string[] = [];
bridge.setForeignReporter((_ctx, _tid, why) => void reports.push(why), () => {});

const BLOCK_WORDS = bridge.ARG_WORDS + bridge.RET_WORDS;
const regs = bridge.malloc(BLOCK_WORDS * W);
const block = new BigUint64Array(bridge.view(regs, BLOCK_WORDS * W));
const CTX = 1n; // thunk id 1, generation 0, no stack words, no flags

check('setDispatcher: the V8-direct accelerator is in use', () => {
  if (entry !== 'v8') return 'skip no accelerator for this Node: N-API (callbacks from foreign stacks are refused)';
  return entry;
});

check('koffi calls cffi_enter (koffi runs C on its own stack)', () => {
  block.fill(0n);
  block[0] = 20n;
  const before = calls;
  koffi.call(bridge.enterAddress, koffi.proto('void enter(uint64_t, uint64_t, uint64_t, uint64_t)'), CTX, regs, 0n, bridge.realmAddress);
  if (entry !== 'v8') {
    expect(block[bridge.ARG_WORDS], 0n, 'zero result without the accelerator');
    return 'skip refused without the accelerator, as designed';
  }
  expect(calls - before, 1, 'dispatcher calls');
  expect(block[bridge.ARG_WORDS], 41n, 'result word 0');
});

/** Runs the call stub at `stub` as FnPtr.call would: claim frame 0, stub(frame), release it. */
function callNative(stub: bigint, args: bigint[]): BigUint64Array {
  const f = frameAt(0);
  arena[0] = 1n;
  arena[f + bridge.FRAME_STUB] = stub;
  args.forEach((v, i) => (arena[f + bridge.FRAME_ARGS + i] = v));
  try {
    bridge.callNative();
  } finally {
    arena[0] = 0n;
  }
  return arena.subarray(f + bridge.FRAME_ARGS, f + bridge.FRAME_ARGS + args.length + 1);
}

if (arm64) {
  /*
   * stub(frame): cffi_enter(args[0], args[1], args[2], args[3]) through args[4], on the stack it
   * was called on (the JS thread's).
   */
  const direct = new Arm64Writer();
  direct.putBti('c');
  direct.putPushRegReg('x29', 'x30');
  direct.putMovRegReg('x29', 'sp');
  direct.putAddRegRegImm('x9', 'x0', bridge.FRAME_ARGS * W);
  direct.putLdpRegRegRegOffset('x0', 'x1', 'x9', 0);
  direct.putLdpRegRegRegOffset('x2', 'x3', 'x9', 16);
  direct.putLdrRegRegOffset('x16', 'x9', 32);
  direct.putBlrReg('x16');
  direct.putPopRegReg('x29', 'x30');
  direct.putRet();
  const directStub = place(256, direct.finish());

  /*
   * stub(frame): like `direct`, but on the stack whose top is args[5] (as koffi does), with
   * x19..x28 and d8..d15 set to patterns before the call and compared after it: args[6] = 0
   * if all survived, else 1.
   */
  const foreign = new Arm64Writer();
  const xs = ['x19', 'x20', 'x21', 'x22', 'x23', 'x24', 'x25', 'x26', 'x27', 'x28'] as const;
  const ds = ['d8', 'd9', 'd10', 'd11', 'd12', 'd13', 'd14', 'd15'] as const;
  const pattern = (i: number): bigint => 0x5a5a_0000_0000_0000n | (BigInt(i + 1) << 24n) | 0xc0ffeen;
  foreign.putBti('c');
  foreign.putPushRegReg('x29', 'x30');
  foreign.putMovRegReg('x29', 'sp');
  foreign.putSubRegRegImm('sp', 'sp', 160);
  for (let i = 0; i < xs.length; i += 2) foreign.putStpRegRegRegOffset(xs[i]!, xs[i + 1]!, 'sp', i * 8);
  for (let i = 0; i < ds.length; i += 2) foreign.putStpRegRegRegOffset(ds[i]!, ds[i + 1]!, 'sp', 80 + i * 8);
  foreign.putStrRegRegOffset('x0', 'sp', 144);
  xs.forEach((r, i) => foreign.putMovRegU64(r, pattern(i)));
  ds.forEach((r, i) => { foreign.putMovRegU64('x9', pattern(10 + i)); foreign.putFmovRegReg(r, 'x9'); });
  foreign.putAddRegRegImm('x9', 'x0', bridge.FRAME_ARGS * W);
  foreign.putLdrRegRegOffset('x10', 'x9', 40);
  foreign.putLdrRegRegOffset('x16', 'x9', 32);
  foreign.putLdpRegRegRegOffset('x2', 'x3', 'x9', 16);
  foreign.putLdpRegRegRegOffset('x0', 'x1', 'x9', 0);
  foreign.putMovRegReg('sp', 'x10');
  foreign.putBlrReg('x16');
  foreign.putSubRegRegImm('sp', 'x29', 160);
  xs.forEach((r, i) => { foreign.putMovRegU64('x9', pattern(i)); foreign.putCmpRegReg(r, 'x9'); foreign.putBCondLabel('ne', 'bad'); });
  ds.forEach((r, i) => {
    foreign.putMovRegU64('x9', pattern(10 + i)); foreign.putFmovRegReg('x10', r);
    foreign.putCmpRegReg('x10', 'x9'); foreign.putBCondLabel('ne', 'bad');
  });
  foreign.putMovzRegImm('x0', 0);
  foreign.putBLabel('done');
  foreign.putLabel('bad');
  foreign.putMovzRegImm('x0', 1);
  foreign.putLabel('done');
  foreign.putLdrRegRegOffset('x9', 'sp', 144);
  foreign.putStrRegRegOffset('x0', 'x9', (bridge.FRAME_ARGS + 6) * W);
  for (let i = 0; i < xs.length; i += 2) foreign.putLdpRegRegRegOffset(xs[i]!, xs[i + 1]!, 'sp', i * 8);
  for (let i = 0; i < ds.length; i += 2) foreign.putLdpRegRegRegOffset(ds[i]!, ds[i + 1]!, 'sp', 80 + i * 8);
  foreign.putMovRegReg('sp', 'x29');
  foreign.putPopRegReg('x29', 'x30');
  foreign.putRet();
  const foreignStub = place(512, foreign.finish());

  check('JIT caller on the JS thread -> cffi_enter -> JS (callNative)', () => {
    block.fill(0n);
    block[0] = 100n;
    const before = calls;
    callNative(directStub, [CTX, regs, 0n, bridge.realmAddress, bridge.enterAddress]);
    expect(calls - before, 1, 'dispatcher calls');
    expect(block[bridge.ARG_WORDS], 201n, 'result word 0');
  });

  check('a result in memory that JS could not produce: x0 = x8 (block word RESULT_POINTER_WORD)', () => {
    block.fill(0n);
    block[0] = 7n;
    block[bridge.RESULT_POINTER_WORD] = 0xfeed_f00dn;
    block[bridge.ARG_WORDS] = 99n;
    throwNext = true;
    try {
      const ctx = BigInt(bridge.FLAG_RESULT_IN_MEMORY) << BigInt(bridge.CTX_FLAGS_SHIFT) | CTX;
      callNative(directStub, [ctx, regs, 0n, bridge.realmAddress, bridge.enterAddress]);
    } finally {
      throwNext = false;
    }
    expect(block[bridge.ARG_WORDS], 0xfeed_f00dn, 'result word 0');
    expect(block[bridge.ARG_WORDS + 1], 0n, 'result word 1');
    bridge.drainForeignCalls();
    return `reported: ${reports.join(', ') || 'not yet'}`;
  });

  check('JIT caller on a foreign stack -> reserved region (cffi_call_on_stack) -> JS; x19-x28, d8-d15 kept', () => {
    const size = 256 * 1024;
    const stack = bridge.malloc(size);
    try {
      block.fill(0n);
      block[0] = 1000n;
      const before = calls;
      const out = callNative(foreignStub, [CTX, regs, 0n, bridge.realmAddress, bridge.enterAddress, (stack + BigInt(size)) & ~15n, 2n]);
      expect(out[6], 0n, 'callee-saved registers survived (0)');
      if (entry !== 'v8') {
        expect(block[bridge.ARG_WORDS], 0n, 'zero result without the accelerator');
        return 'skip refused without the accelerator, as designed';
      }
      expect(calls - before, 1, 'dispatcher calls');
      expect(block[bridge.ARG_WORDS], 2001n, 'result word 0');
    } finally {
      bridge.free(stack);
    }
  });
}

bridge.free(regs);
finish();
