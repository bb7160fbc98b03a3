/**
 * System V AMD64 calling convention (Linux, macOS, BSD on x86-64; `__sysv_abi`).
 *
 * Scalars: the first six integer-class arguments go in rdi, rsi, rdx, rcx, r8, r9;
 * the first eight float/double arguments in xmm0..xmm7; the rest on the stack in
 * order, one 8-byte slot each. Results: integers in rax, float/double in xmm0.
 * Reference: System V AMD64 ABI, section 3.2.3.
 */
import { FRAME } from '../runtime/arena';
import type { Signature } from '../signature';
import type { Lowering, ValueSlot } from './lowering';
import { registerFileX64, type X64ConventionRegs } from './x64-registers';

export const SYSV_X64: X64ConventionRegs = {
  gprs: ['rdi', 'rsi', 'rdx', 'rcx', 'r8', 'r9'],
  fprs: ['xmm0', 'xmm1', 'xmm2', 'xmm3', 'xmm4', 'xmm5', 'xmm6', 'xmm7'],
  intRets: ['rax', 'rdx'],
  fprRets: ['xmm0', 'xmm1'],
};

const sysvX64Registers = registerFileX64(SYSV_X64);

export function lowerSysvX64(sig: Signature): Lowering {
  const regs = sysvX64Registers;
  let gpr = 0;
  let fpr = 0;
  let stack = 0;
  const args: ValueSlot[] = sig.args.map((t) => {
    const isFloat = t.kind === 'f32' || t.kind === 'f64';
    if (isFloat && fpr < regs.fprWords.length) return { word: regs.fprWords[fpr++], kind: t.kind };
    if (!isFloat && gpr < regs.gprWords.length) return { word: regs.gprWords[gpr++], kind: t.kind };
    return { word: FRAME.stack + stack++, kind: t.kind };
  });
  const r = sig.ret.kind;
  const ret: ValueSlot | null =
    r === 'void' ? null : { word: r === 'f32' || r === 'f64' ? regs.fprRetWords[0] : regs.intRetWords[0], kind: r };
  return { args, ret, stackWords: stack, gprCount: gpr, fprCount: fpr };
}
