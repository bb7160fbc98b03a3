/**
 * AArch64 machine code shared by all thunks (AAPCS64 is both the guest and the host
 * convention here: the bridge is compiled with it), built with the TypeScript assembler.
 *
 * Every entry point native code may reach through a pointer (thunks, the entry and trap
 * stubs, call stubs, the frame probe) starts with `bti c`, so code built with
 * `-mbranch-protection=standard` on a CPU with BTI can call it. A thunk reaches the entry
 * stub with `br x16`, which `bti c` also accepts; it passes its context in x17. x16 and x17
 * are the intra-procedure-call scratch registers: no argument lives in them.
 *
 * Entry stub frame (stack grows down; x29 = sp after saving x29/x30):
 *   [x29+16 ...]   the caller's stack arguments
 *   [x29]          saved x29, x30
 *   [sp ...]       register block: ARG_WORDS argument words, then RET_WORDS result words
 *                  (layout: AAPCS64_BLOCK in src/abi/aapcs64.ts)
 * The block is handed to cffi_enter(ctx, block, stackArgs, realm).
 */
import { Arm64Writer, type Arm64DReg, type Arm64XReg } from '../asm/arm64';
import { ARG_WORDS, FRAME, RET_WORDS } from '../native/arena';
import { AAPCS64_BLOCK } from '../abi/aapcs64';
import type { Lowering } from '../abi/lowering';
import type { StubCode } from './stub-code';
import type { ThunkLayout } from './thunk-layout';

const BLOCK_BYTES = (ARG_WORDS + RET_WORDS) * 8; // 256: sp stays 16-byte aligned
const RET_BLOCK = ARG_WORDS * 8;
const x = (i: number) => `x${i}` as Arm64XReg;
const d = (i: number) => `d${i}` as Arm64DReg;

/** Stores (or loads) registers `count` registers of one file as pairs at `base + offset + 8i`. */
function pairs(w: Arm64Writer, load: boolean, reg: (i: number) => Arm64XReg | Arm64DReg, count: number, base: Arm64XReg | 'sp', offset: number): void {
  for (let i = 0; i < count; i += 2) {
    if (i + 1 < count) {
      if (load) w.putLdpRegRegRegOffset(reg(i), reg(i + 1), base, offset + i * 8);
      else w.putStpRegRegRegOffset(reg(i), reg(i + 1), base, offset + i * 8);
    } else if (load) w.putLdrRegRegOffset(reg(i), base, offset + i * 8);
    else w.putStrRegRegOffset(reg(i), base, offset + i * 8);
  }
}

/** The entry stub of one JS environment: save argument registers, call cffi_enter, load result registers. */
export function buildEntryStubArm64(enter: bigint, realm: bigint): StubCode {
  const w = new Arm64Writer();
  w.putBti('c');
  w.putPushRegReg('x29', 'x30');
  w.putMovRegReg('x29', 'sp');
  w.putSubRegRegImm('sp', 'sp', BLOCK_BYTES);
  pairs(w, false, x, AAPCS64_BLOCK.gprs, 'sp', 0);
  w.putStrRegRegOffset('x8', 'sp', AAPCS64_BLOCK.x8 * 8);
  pairs(w, false, d, 8, 'sp', AAPCS64_BLOCK.fprs * 8);
  w.putMovRegReg('x0', 'x17'); // ctx, loaded by the thunk
  w.putMovRegReg('x1', 'sp'); // register block
  w.putAddRegRegImm('x2', 'x29', 16); // caller's stack arguments
  w.putLdrRegU64('x3', realm);
  w.putLdrRegU64('x16', enter);
  w.putBlrReg('x16');
  pairs(w, true, x, AAPCS64_BLOCK.intRets, 'sp', RET_BLOCK);
  pairs(w, true, d, AAPCS64_BLOCK.fprRets, 'sp', RET_BLOCK + AAPCS64_BLOCK.intRets * 8);
  w.putMovRegReg('sp', 'x29');
  w.putPopRegReg('x29', 'x30');
  w.putRet();
  return { code: w.finish() };
}

/** Trap stub for disposed thunks: cffi_trap(x17) never returns. */
export function buildTrapStubArm64(trap: bigint): StubCode {
  const w = new Arm64Writer();
  w.putBti('c');
  w.putMovRegReg('x0', 'x17');
  w.putLdrRegU64('x16', trap);
  w.putBlrReg('x16');
  w.putBrk(1);
  return { code: w.finish() };
}

/**
 * Per-signature call stub, called by the bridge as `void stub(uint64_t *frame)`: copies
 * stack arguments, loads argument registers (and x8 for a result in memory) from the frame,
 * calls the target stored in the frame, and stores the result registers back.
 */
export function buildCallStubArm64(lowering: Lowering): StubCode {
  const w = new Arm64Writer();
  const at = (word: number) => word * 8;
  w.putBti('c');
  w.putStpRegRegRegOffset('x29', 'x30', 'sp', -32, 'pre');
  w.putMovRegReg('x29', 'sp');
  w.putStrRegRegOffset('x19', 'sp', 16);
  w.putMovRegReg('x19', 'x0'); // the frame, from the bridge
  const stackBytes = Math.ceil(lowering.stackBytes / 16) * 16;
  if (stackBytes) {
    if (stackBytes > 4095) throw new Error(`internal: ${stackBytes} bytes of stack arguments exceed one sub immediate`);
    w.putSubRegRegImm('sp', 'sp', stackBytes);
    for (let i = 0; i < lowering.stackBytes / 8; i++) {
      w.putLdrRegRegOffset('x9', 'x19', at(FRAME.stack + i));
      w.putStrRegRegOffset('x9', 'sp', i * 8);
    }
  }
  pairs(w, true, x, lowering.gprCount, 'x19', at(FRAME.args));
  pairs(w, true, d, lowering.fprCount, 'x19', at(FRAME.args + AAPCS64_BLOCK.fprs));
  const ret = lowering.ret;
  if (ret !== null && ret.kind === 'indirect') w.putAddRegRegImm('x8', 'x19', ret.bufferAt); // the result buffer inside this frame
  w.putLdrRegRegOffset('x16', 'x19', at(FRAME.ctx));
  w.putBlrReg('x16');
  pairs(w, false, x, AAPCS64_BLOCK.intRets, 'x19', at(FRAME.ret));
  pairs(w, false, d, AAPCS64_BLOCK.fprRets, 'x19', at(FRAME.ret + AAPCS64_BLOCK.intRets));
  w.putMovRegReg('sp', 'x29');
  w.putLdrRegRegOffset('x19', 'sp', 16);
  w.putLdpRegRegRegOffset('x29', 'x30', 'sp', 32, 'post');
  w.putRet();
  return { code: w.finish() };
}

/** Frame probe, called like a call stub: stores the frame's own address in its first result word. */
export function buildFrameProbeStubArm64(): StubCode {
  const w = new Arm64Writer();
  w.putBti('c');
  w.putStrRegRegOffset('x0', 'x0', FRAME.ret * 8);
  w.putRet();
  return { code: w.finish() };
}

/**
 * Thunk: `bti c; ldr x17, ctx; ldr x16, target; br x16` (16 bytes). Like the x86-64 thunk,
 * its code never changes after its block is made; the context and target are data.
 */
export const ARM64_THUNK: ThunkLayout = {
  codeSize: 16,
  dataSize: 16,
  code(codeAt: number, dataAt: number): Uint8Array {
    const w = new Arm64Writer();
    w.putBti('c');
    w.putLdrRegPcRel('x17', dataAt - (codeAt + 4));
    w.putLdrRegPcRel('x16', dataAt + 8 - (codeAt + 8));
    w.putBrReg('x16');
    return w.finish();
  },
};
