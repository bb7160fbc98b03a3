/**
 * How an x86-64 convention's registers map onto the frame's register block (8 bytes a
 * register). The stubs save and load registers in exactly this order, and the classifier
 * assigns locations from it, so the two can never disagree.
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
    gprs: regs.gprs.map((_, i) => (FRAME.args + i) * 8),
    fprs: regs.fprs.map((_, i) => (FRAME.args + regs.gprs.length + i) * 8),
    intRets: regs.intRets.map((_, i) => (FRAME.ret + i) * 8),
    fprRets: regs.fprRets.map((_, i) => (FRAME.ret + regs.intRets.length + i) * 8),
  };
}
