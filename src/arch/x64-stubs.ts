/**
 * x86-64 machine code shared by all thunks of a calling convention, built with the
 * TypeScript assembler: the entry stub (native -> JS), the trap stub (disposed
 * thunks) and per-signature call stubs (JS -> native), plus the thunk template.
 *
 * Entry stub frame (stack grows down; rbp = caller's rsp - 8 after `push rbp`):
 *   [rbp+16 ...]   the caller's stack arguments (Win64: after the 32-byte home area, into
 *                  which the stub spills rcx, rdx, r8, r9)
 *   [rbp+8]        return address
 *   [rbp]          saved rbp
 *   ...            guest-preserved registers the host may clobber (pushed; xmm ones after the block)
 *   [rsp+home ...] register block: ARG_WORDS argument words, then RET_WORDS result words
 *   [rsp ...]      the host convention's home area for cffi_enter (Win64 host: 32 bytes; none
 *                  under System V)
 * The block is handed to cffi_enter(ctx, block, stackArgs, realm), which copies it into
 * the frame arena for JS and copies the result words back.
 *
 * The host convention is the one the bridge is compiled with (System V on Linux, Win64 on
 * Windows; see HOST_X64 in conventions.ts). Stubs call the bridge in it and are called by
 * it in it, so they reserve its home area and keep what it preserves.
 *
 * Each stub comes with its Windows unwind information (asm/x64-unwind.ts), recorded as the
 * prologue is emitted; registered only where the OS unwinds by tables (jit/stub-cache.ts).
 * The entry and call stubs have frames of a fixed size, so rsp after the prologue locates
 * every saved register and rbp, though set up for debuggers, is not declared a frame
 * register; their epilogues are the forms the unwinder recognises (pops and ret, after
 * `leave` or `lea rsp`).
 */
import { X64Writer, type X64Reg, type XmmReg } from '../asm/x64';
import { X64UnwindInfo } from '../asm/x64-unwind';
import { ARG_WORDS, FRAME, RET_WORDS } from '../native/arena';
import type { Lowering } from '../abi/lowering';
import type { X64ConventionRegs } from '../abi/x64-registers';
import type { StubCode } from './stub-code';
import type { ThunkLayout } from './thunk-layout';

const BLOCK_BYTES = (ARG_WORDS + RET_WORDS) * 8; // 256: keeps rsp 16-byte aligned after `push rbp`
const RET_BLOCK = ARG_WORDS * 8;

/**
 * Registers a guest convention's callers expect preserved that code compiled for the host
 * convention (the bridge) may clobber: the entry stub saves them around the bridge call.
 */
function savedAroundHost(guest: X64ConventionRegs, host: X64ConventionRegs) {
  return {
    gprs: guest.calleeSaved.gprs.filter((r) => !host.calleeSaved.gprs.includes(r)),
    xmms: guest.calleeSaved.xmms.filter((x) => !host.calleeSaved.xmms.includes(x)),
  };
}

/** The host convention's first `n` integer argument registers, for calls into the bridge. */
function hostArgs(host: X64ConventionRegs, n: number) {
  if (host.gprs.length < n) throw new Error(`internal: the host convention passes fewer than ${n} arguments in registers`);
  return host.gprs.slice(0, n);
}

/**
 * Per-convention entry stub: save argument registers, call cffi_enter, load result
 * registers. `realm` is this JS environment's native record, passed to cffi_enter so a
 * thunk's context need not carry it. For a convention whose callers expect more registers
 * preserved than the host's C code keeps (Win64 under a System V host: rdi, rsi,
 * xmm6-xmm15), those are saved below rbp and after the register block, and restored before
 * returning. A host with a home area (Win64) gets it below the block, at the call.
 */
export function buildEntryStubX64(regs: X64ConventionRegs, host: X64ConventionRegs, enter: bigint, realm: bigint): StubCode {
  const saved = savedAroundHost(regs, host);
  const home = host.shadowBytes ?? 0; // a multiple of 16: alignment is unchanged
  if (home % 16) throw new Error(`internal: a host home area of ${home} bytes would misalign the stack`);
  const [ctxArg, blockArg, stackArg, realmArg] = hostArgs(host, 4);
  const w = new X64Writer();
  const u = new X64UnwindInfo();
  pushSaved(w, u, 'rbp');
  w.putMovRegReg('rbp', 'rsp');
  // A convention with a home area (Win64) lets the callee spill its register arguments
  // there, as a variadic C callee does: the register arguments then sit right below the
  // stack arguments, so a `va_list` of the '...' part is one pointer into that run.
  if (regs.shadowBytes) regs.gprs.forEach((r, i) => w.putMovMemReg('rbp', 16 + i * 8, r));
  saved.gprs.forEach((r) => pushSaved(w, u, r));
  // rsp is 16-byte aligned after `push rbp`; keep it so for the call.
  const pad = (saved.gprs.length % 2) * 8;
  const block = home; // the register block, above the host's home area
  const xmmArea = block + BLOCK_BYTES; // saved xmm registers go right after the register block
  allocStack(w, u, home + BLOCK_BYTES + saved.xmms.length * 16 + pad);
  saved.xmms.forEach((x, i) => saveXmm(w, u, xmmArea + i * 16, x));
  const prologEnd = w.offset;
  regs.gprs.forEach((r, i) => w.putMovMemReg('rsp', block + i * 8, r));
  regs.fprs.forEach((x, i) => w.putMovqMemXmm('rsp', block + (regs.gprs.length + i) * 8, x));
  w.putMovRegReg(ctxArg!, 'r10'); // ctx, loaded by the thunk
  if (block) w.putLeaRegMem(blockArg!, 'rsp', block); // register block
  else w.putMovRegReg(blockArg!, 'rsp');
  w.putLeaRegMem(stackArg!, 'rbp', 16 + (regs.shadowBytes ?? 0)); // caller's stack arguments
  w.putMovRegU64(realmArg!, realm);
  w.putMovRegU64('rax', enter);
  w.putCallReg('rax');
  regs.intRets.forEach((r, i) => w.putMovRegMem(r, 'rsp', block + RET_BLOCK + i * 8));
  regs.fprRets.forEach((x, i) => w.putMovqXmmMem(x, 'rsp', block + RET_BLOCK + (regs.intRets.length + i) * 8));
  saved.xmms.forEach((x, i) => w.putMovdquXmmMem(x, 'rsp', xmmArea + i * 16));
  if (saved.gprs.length === 0) {
    w.putLeave();
  } else {
    w.putLeaRegMem('rsp', 'rbp', -8 * saved.gprs.length);
    [...saved.gprs].reverse().forEach((r) => w.putPopReg(r));
    w.putPopReg('rbp');
  }
  w.putRet();
  return { code: w.finish(), unwind: u.encode(prologEnd) };
}

/** `push r`, recorded for the unwinder. */
function pushSaved(w: X64Writer, u: X64UnwindInfo, r: X64Reg): void {
  w.putPushReg(r);
  u.pushNonvol(w.offset, r);
}

/** `sub rsp, bytes`, recorded for the unwinder. */
function allocStack(w: X64Writer, u: X64UnwindInfo, bytes: number): void {
  w.putSubRegImm('rsp', bytes);
  u.alloc(w.offset, bytes);
}

/** `movdqu [rsp+at], x`, recorded for the unwinder. */
function saveXmm(w: X64Writer, u: X64UnwindInfo, at: number, x: XmmReg): void {
  w.putMovdquMemXmm('rsp', at, x);
  u.saveXmm128(w.offset, x, at);
}

/**
 * Trap stub for disposed thunks: cffi_trap(r10) never returns. It realigns rsp (a thunk
 * may be jumped to with any alignment), so rbp is its declared frame register: a stack
 * walk from cffi_trap (a crash report) still reaches the thunk's caller.
 */
export function buildTrapStubX64(host: X64ConventionRegs, trap: bigint): StubCode {
  const w = new X64Writer();
  const u = new X64UnwindInfo();
  pushSaved(w, u, 'rbp');
  w.putMovRegReg('rbp', 'rsp');
  u.setFrame(w.offset, 'rbp');
  const prologEnd = w.offset;
  w.putAndRegImm('rsp', -16);
  if (host.shadowBytes) w.putSubRegImm('rsp', host.shadowBytes);
  w.putMovRegReg(hostArgs(host, 1)[0]!, 'r10');
  w.putMovRegU64('rax', trap);
  w.putCallReg('rax');
  w.putUd2();
  return { code: w.finish(), unwind: u.encode(prologEnd) };
}

/**
 * Per-signature call stub, called by the bridge as `void stub(uint64_t *frame)`:
 * copies stack arguments, loads argument registers from the frame, calls the target
 * stored in the frame, and stores the result registers back. A target whose convention
 * lets it clobber registers the host (the bridge) expects kept (System V called from a
 * Win64 host: rdi, rsi, xmm6-xmm15) has them saved around the call: the general ones pushed
 * after rbx and r12, the xmm ones in an area above the outgoing stack arguments.
 */
export function buildCallStubX64(regs: X64ConventionRegs, host: X64ConventionRegs, lowering: Lowering): StubCode {
  const saved = savedAroundHost(host, regs);
  const w = new X64Writer();
  const u = new X64UnwindInfo();
  const word = (i: number) => i * 8;
  pushSaved(w, u, 'rbp');
  w.putMovRegReg('rbp', 'rsp');
  pushSaved(w, u, 'rbx');
  pushSaved(w, u, 'r12'); // keeps rsp 16-byte aligned
  saved.gprs.forEach((r) => pushSaved(w, u, r));
  const pad = (saved.gprs.length % 2) * 8;
  w.putMovRegReg('rbx', hostArgs(host, 1)[0]!); // the frame, from the bridge
  const shadow = regs.shadowBytes ?? 0;
  const argBytes = Math.ceil((shadow + lowering.stackBytes) / 16) * 16;
  const xmmArea = argBytes; // above the outgoing arguments, below the pushed registers
  const stackBytes = argBytes + saved.xmms.length * 16 + pad;
  if (stackBytes) allocStack(w, u, stackBytes);
  saved.xmms.forEach((x, i) => saveXmm(w, u, xmmArea + i * 16, x));
  const prologEnd = w.offset;
  for (let i = 0; i < lowering.stackBytes / 8; i++) {
    w.putMovRegMem('rax', 'rbx', word(FRAME.stack + i));
    w.putMovMemReg('rsp', shadow + i * 8, 'rax');
  }
  regs.gprs.slice(0, lowering.gprCount).forEach((r, i) => w.putMovRegMem(r, 'rbx', word(FRAME.args + i)));
  regs.fprs
    .slice(0, lowering.fprCount)
    .forEach((x, i) => w.putMovqXmmMem(x, 'rbx', word(FRAME.args + regs.gprs.length + i)));
  const ret = lowering.ret;
  if (ret !== null && ret.kind === 'indirect') {
    // Result in memory: the hidden pointer argument is the result buffer inside this frame.
    const reg = regs.gprs[ret.pointerAt / 8 - FRAME.args];
    if (reg === undefined) throw new Error(`internal: hidden result pointer at frame byte ${ret.pointerAt} is not an integer argument register`);
    w.putLeaRegMem(reg, 'rbx', ret.bufferAt);
  }
  w.putMovReg32U32('eax', lowering.fprCount); // vector-register count, read by variadic callees
  w.putCallMem('rbx', word(FRAME.ctx));
  regs.intRets.forEach((r, i) => w.putMovMemReg('rbx', word(FRAME.ret + i), r));
  regs.fprRets.forEach((x, i) => w.putMovqMemXmm('rbx', word(FRAME.ret + regs.intRets.length + i), x));
  saved.xmms.forEach((x, i) => w.putMovdquXmmMem(x, 'rsp', xmmArea + i * 16));
  w.putLeaRegMem('rsp', 'rbp', -16 - 8 * saved.gprs.length);
  [...saved.gprs].reverse().forEach((r) => w.putPopReg(r));
  w.putPopReg('r12');
  w.putPopReg('rbx');
  w.putPopReg('rbp');
  w.putRet();
  return { code: w.finish(), unwind: u.encode(prologEnd) };
}

/**
 * Frame probe, called by the bridge like a call stub (`void stub(uint64_t *frame)`): stores
 * the frame's own address in its first result word, so JS learns the arena's native
 * address (for C strings it places in frame scratch memory).
 */
export function buildFrameProbeStubX64(host: X64ConventionRegs): StubCode {
  const w = new X64Writer();
  const frame = hostArgs(host, 1)[0]!;
  w.putMovMemReg(frame, FRAME.ret * 8, frame);
  w.putRet();
  return { code: w.finish() }; // a leaf that leaves rsp alone: the unwinder's default fits
}

/**
 * Thunk: `mov r10, [rip + ctx]; jmp [rip + target]` (13 bytes, padded to 16 with int3).
 * The code never changes after its block is made; creating or disposing a thunk writes
 * only its data (context, target), so no page that holds live code is ever rewritten.
 */
export const X64_THUNK: ThunkLayout = {
  codeSize: 16,
  dataSize: 16,
  code(codeAt: number, dataAt: number): Uint8Array {
    const w = new X64Writer();
    w.putMovRegRipRel('r10', dataAt - (codeAt + 7));
    w.putJmpRipRel(dataAt + 8 - (codeAt + 13));
    w.putInt3();
    w.putInt3();
    w.putInt3();
    return w.finish();
  },
};
