/**
 * Microsoft x64 calling convention (`Win64`, `__ms_abi`; UEFI's `efiapi` is the same), usable
 * on any x86-64 OS: GCC and Clang compile it on Linux with `__attribute__((ms_abi))`.
 *
 * - Each of the first four arguments takes the register of its *position*: integers and
 *   pointers rcx, rdx, r8, r9; float/double xmm0..xmm3 (argument 2 is in rdx or xmm1,
 *   whatever the types before it).
 * - Further arguments go on the stack, one 8-byte slot each, above 32 bytes of "shadow
 *   space" the caller reserves for the first four.
 * - Structs and unions of 1, 2, 4 or 8 bytes travel like an integer of that size, in the
 *   integer register of their position or a stack slot. Other sizes are passed as a pointer
 *   to a copy the caller makes (for outbound calls, in the frame after the stack words).
 * - Results: integers and pointers in rax, float/double in xmm0, structs of 1, 2, 4 or 8
 *   bytes in rax; other structs through a hidden pointer passed as the first argument
 *   (rcx, shifting the others by one position) and returned in rax.
 * - rbx, rbp, rdi, rsi, r12-r15 and xmm6-xmm15 are callee-saved: rdi, rsi and xmm6-xmm15
 *   are volatile under System V, so the entry stub saves them around the bridge call.
 * Variadic arguments follow the same positions; callers also copy floating-point ones into
 * the integer register of their position, which is where a variadic callee reads them.
 */
import { FRAME } from '../native/arena';
import { isAggregate, isCString, isVaList, type AggregateType, type Signature } from '../signature';
import { wholeAt, type Lowering, type ReferenceSlot, type ResultSlot, type ValueSlot } from './lowering';
import { registerFileX64, type X64ConventionRegs } from './x64-registers';

export const WIN64_X64: X64ConventionRegs = {
  gprs: ['rcx', 'rdx', 'r8', 'r9'],
  fprs: ['xmm0', 'xmm1', 'xmm2', 'xmm3'],
  intRets: ['rax'],
  fprRets: ['xmm0'],
  shadowBytes: 32,
  calleeSaved: {
    gprs: ['rbx', 'rbp', 'rdi', 'rsi', 'rsp', 'r12', 'r13', 'r14', 'r15'],
    xmms: ['xmm6', 'xmm7', 'xmm8', 'xmm9', 'xmm10', 'xmm11', 'xmm12', 'xmm13', 'xmm14', 'xmm15'],
  },
};

const win64Registers = registerFileX64(WIN64_X64);
const POSITIONS = WIN64_X64.gprs.length;

/** Whether an aggregate is passed and returned like an integer (1, 2, 4 or 8 bytes). */
function inOneRegister(t: AggregateType): boolean {
  return t.size === 1 || t.size === 2 || t.size === 4 || t.size === 8;
}

export function lowerWin64X64(sig: Signature, variadicCallFrom?: number): Lowering {
  const regs = win64Registers;
  const stackAt = FRAME.stack * 8;
  let position = 0;
  let stack = 0; // bytes of stack arguments so far
  /** The register slot of the next position if one is left (integer or vector file), else a new 8-byte stack slot. */
  const next = (vector: boolean): number => {
    const p = position++;
    if (p < POSITIONS) return vector ? regs.fprs[p]! : regs.gprs[p]!;
    stack += 8;
    return stackAt + stack - 8;
  };

  let ret: ResultSlot | null;
  let indirectBytes = 0;
  const r = sig.ret;
  if (isAggregate(r)) {
    if (inOneRegister(r)) {
      ret = { kind: 'aggregate', type: r, pieces: wholeAt(regs.intRets[0]!, r.size) };
    } else {
      position = 1; // the hidden result pointer takes rcx
      indirectBytes = Math.ceil(r.size / 8) * 8;
      ret = { kind: 'indirect', type: r, pointerAt: regs.gprs[0]!, returnAt: regs.intRets[0]!, bufferAt: -1 };
    }
  } else if (r.kind === 'void') {
    ret = null;
  } else {
    const vector = r.kind === 'f32' || r.kind === 'f64';
    ret = { at: vector ? regs.fprRets[0]! : regs.intRets[0]!, size: 8, kind: isCString(r) ? 'cstring' : r.kind };
  }

  const copies: { index: number; bytes: number }[] = [];
  const args = sig.args.map((t, i): ValueSlot => {
    if (isAggregate(t)) {
      if (inOneRegister(t)) return { kind: 'aggregate', type: t, pieces: wholeAt(next(false), t.size) };
      copies.push({ index: i, bytes: Math.ceil(t.size / 8) * 8 });
      return { kind: 'reference', type: t, at: next(false), copyAt: -1 };
    }
    if (isVaList(t)) return { kind: 'va_list', at: next(false), abi: 'win64-x64' };
    const at = next(t.kind === 'f32' || t.kind === 'f64');
    return { at, size: 8, kind: isCString(t) ? 'cstring' : t.kind };
  });
  // After the stack arguments: the result buffer, then the copies of by-reference arguments.
  if (ret !== null && ret.kind === 'indirect') ret = { ...ret, bufferAt: stackAt + stack };
  let free = stackAt + stack + indirectBytes;
  for (const c of copies) {
    args[c.index] = { ...(args[c.index] as ReferenceSlot), copyAt: free };
    free += c.bytes;
  }
  // Outbound calls load every register up to the last position used, from both files:
  // a slot whose argument went to the other file just carries an unused value.
  const used = Math.min(position, POSITIONS);
  const variadic = sig.variadic
    ? { abi: 'win64-x64' as const, gprs: regs.gprs.slice(used), fprs: regs.fprs.slice(used), stackOffset: stack }
    : undefined;
  // A caller of a variadic function also puts each floating-point '...' argument that is in
  // a vector register into the integer register of its position.
  const floatCopiesToGpr: [number, number][] = [];
  if (variadicCallFrom !== undefined)
    args.forEach((a, i) => {
      if (i < variadicCallFrom || a.kind !== 'f64') return;
      const p = regs.fprs.indexOf(a.at);
      if (p >= 0) floatCopiesToGpr.push([a.at, regs.gprs[p]!]);
    });
  return { args, ret, stackBytes: stack, gprCount: used, fprCount: used, scratchAt: free, variadic, floatCopiesToGpr };
}
