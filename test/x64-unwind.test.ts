/**
 * Windows x64 unwind information for generated stubs (src/asm/x64-unwind.ts): the encoder
 * against the bytes GNU as (x86_64-w64-mingw32-as 2.40) writes to .xdata for the same
 * prologues described with .seh_* directives; and the stubs' own prologues against what
 * their unwind information says. Whether Windows then unwinds through a live stub is shown
 * by the Windows run (test/windows.test.ts, under Wine).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { X64Writer, type XmmReg } from '../src/asm/x64';
import { X64UnwindInfo } from '../src/asm/x64-unwind';
import { buildCallStubX64, buildEntryStubX64, buildTrapStubX64 } from '../src/arch/x64-stubs';
import { lowerSysvX64, SYSV_X64 } from '../src/abi/sysv-x64';
import { WIN64_X64 } from '../src/abi/win64-x64';
import { resolveSignature } from '../src/signature';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe('UNWIND_INFO encoding matches GNU as', () => {
  test('pushes, a large allocation, near and far xmm saves', () => {
    // push rbp; mov rbp, rsp; push rdi; push rsi; sub rsp, 0x128;
    // movdqu [rsp+0x20], xmm6; movdqu [rsp+0x1010], xmm15
    const u = new X64UnwindInfo();
    u.pushNonvol(1, 'rbp');
    u.pushNonvol(5, 'rdi');
    u.pushNonvol(6, 'rsi');
    u.alloc(0x0d, 0x128);
    u.saveXmm128(0x13, 'xmm6', 0x20);
    u.saveXmm128(0x1d, 'xmm15', 0x1010);
    assert.equal(hex(u.encode(0x1d)), '011d09001df8010113680200' + '0d012500066005700150' + '0000');
  });

  test('a frame register, and a small allocation', () => {
    const g = new X64UnwindInfo(); // push rbp; mov rbp, rsp (.seh_setframe %rbp, 0)
    g.pushNonvol(1, 'rbp');
    g.setFrame(4, 'rbp');
    assert.equal(hex(g.encode(4)), '0104020504030150');
    const h = new X64UnwindInfo(); // push rbx; sub rsp, 0x28
    h.pushNonvol(1, 'rbx');
    h.alloc(5, 0x28);
    assert.equal(hex(h.encode(5)), '0105020005420130');
  });

  test('steps out of order, or past what the format holds, are refused', () => {
    const u = new X64UnwindInfo();
    u.pushNonvol(4, 'rbp');
    assert.throws(() => u.pushNonvol(4, 'rbx'), /out of order/);
    assert.throws(() => new X64UnwindInfo().alloc(1, 12), /cannot be described/);
    assert.throws(() => new X64UnwindInfo().encode(256), /longer than/);
    assert.throws(() => new X64UnwindInfo().pushNonvol(1, 'rip' as never), /not an x86-64 register/);
  });
});

/**
 * Replays a stub's prologue as the unwind information tells it and as the code does, from a
 * known rsp: both must agree on where each saved register lives and on the size of the frame.
 */
function decode(info: Uint8Array) {
  const count = info[2]!;
  const slots = Array.from({ length: count }, (_, i) => info[4 + i * 2]! | (info[5 + i * 2]! << 8));
  const steps: { at: number; op: number; reg: number; operand: number }[] = [];
  for (let i = 0; i < slots.length;) {
    const s = slots[i]!;
    const op = (s >> 8) & 15, reg = s >> 12;
    const extra = op === 1 ? (reg === 0 ? 1 : 2) : op === 8 ? 1 : op === 9 ? 2 : 0;
    const operand = extra === 0 ? 0 : extra === 1 ? slots[i + 1]! : slots[i + 1]! | (slots[i + 2]! << 16);
    steps.push({ at: s & 0xff, op, reg, operand });
    i += 1 + extra;
  }
  return { prolog: info[1]!, frameRegister: info[3]! & 15, steps: steps.reverse() };
}

describe('the x86-64 stubs describe their prologues', () => {
  test('entry stub (Win64 host): rbp pushed first, then one allocation that keeps rsp 16-aligned', () => {
    const stub = buildEntryStubX64(WIN64_X64, WIN64_X64, 0x1000n, 0x2000n);
    const d = decode(stub.unwind!);
    assert.equal(stub.code[0], 0x55); // push rbp
    assert.deepEqual(d.steps.map((s) => s.op), [0, 1]);
    assert.equal(d.steps[0]!.reg, 5);
    const frame = 8 + d.steps[1]!.operand * 8; // pushes + allocation, above the return address
    assert.equal((frame + 8) % 16, 0, `frame of ${frame} bytes`);
    assert.equal(d.frameRegister, 0);
    assert.ok(d.prolog <= stub.code.length);
  });

  test('call stub from a Win64 host to a System V target saves rdi, rsi and xmm6-15 where it says', () => {
    const lowering = lowerSysvX64(resolveSignature({ args: ['double', 'int', 'int64_t'], ret: 'double' } as never));
    const stub = buildCallStubX64(SYSV_X64, WIN64_X64, lowering);
    const d = decode(stub.unwind!);
    const pushes = d.steps.filter((s) => s.op === 0).map((s) => s.reg);
    assert.deepEqual(pushes, [5, 3, 12, 7, 6]); // rbp, rbx, r12, rdi, rsi
    const xmms = d.steps.filter((s) => s.op === 8);
    assert.deepEqual(xmms.map((s) => s.reg), [6, 7, 8, 9, 10, 11, 12, 13, 14, 15]);
    // Each recorded save is the `movdqu [rsp+offset], xmmN` that ends where the step says.
    for (const s of xmms) {
      const w = new X64Writer();
      w.putMovdquMemXmm('rsp', s.operand * 16, `xmm${s.reg}` as XmmReg);
      const store = w.finish();
      assert.equal(hex(stub.code.subarray(s.at - store.length, s.at)), hex(store), `xmm${s.reg}`);
    }
  });

  test('trap stub: rbp is its frame register, since it realigns rsp', () => {
    const d = decode(buildTrapStubX64(WIN64_X64, 0x1000n).unwind!);
    assert.equal(d.frameRegister, 5);
    assert.deepEqual(d.steps.map((s) => s.op), [0, 3]);
  });
});
