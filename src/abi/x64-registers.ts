/**
 * How an x86-64 convention's registers map onto frame words. The stubs save and
 * load registers in exactly this order, and the classifier assigns frame words
 * from it, so the two can never disagree.
 */
import type { X64Reg, XmmReg } from '../asm/x64';
import { FRAME } from '../native/arena';
import type { RegisterFile } from './lowering';

export interface X64ConventionRegs {
  readonly gprs: readonly X64Reg[];
  readonly fprs: readonly XmmReg[];
  readonly intRets: readonly X64Reg[];
  readonly fprRets: readonly XmmReg[];
  /** Bytes the caller reserves above the return address before the stack arguments. */
  readonly shadowBytes?: number;
  /** Registers a callee must preserve for its caller. */
  readonly calleeSaved: { readonly gprs: readonly X64Reg[]; readonly xmms: readonly XmmReg[] };
}

export function registerFileX64(regs: X64ConventionRegs): RegisterFile {
  return {
    gprWords: regs.gprs.map((_, i) => FRAME.args + i),
    fprWords: regs.fprs.map((_, i) => FRAME.args + regs.gprs.length + i),
    intRetWords: regs.intRets.map((_, i) => FRAME.ret + i),
    fprRetWords: regs.fprRets.map((_, i) => FRAME.ret + regs.intRets.length + i),
  };
}
