/**
 * System V AMD64 calling convention (Linux, macOS, BSD on x86-64; `__sysv_abi`).
 *
 * Scalars: the first six integer-class arguments go in rdi, rsi, rdx, rcx, r8, r9;
 * the first eight float/double arguments in xmm0..xmm7; the rest on the stack in
 * order, one 8-byte slot each. Results: integers in rax, float/double in xmm0.
 *
 * Structs and unions (section 3.2.3, "Classification", as GCC implements it):
 * - larger than 16 bytes, or containing a misaligned field (packed) → class MEMORY:
 *   passed as a copy on the stack (ceil(size/8) 8-byte slots), returned through a hidden
 *   pointer the caller passes in rdi; the callee returns that pointer in rax;
 * - otherwise each eightbyte is classified from the scalars in it: any integer, pointer
 *   or bool → INTEGER, only float/double → SSE. INTEGER eightbytes take the next integer
 *   register, SSE eightbytes the next vector register (two floats share one xmm);
 * - an argument whose eightbytes do not all fit in the remaining registers goes wholly
 *   on the stack (registers are not split between it and the stack), and the registers it
 *   did not take remain available to later arguments;
 * - results: INTEGER eightbytes in rax then rdx, SSE eightbytes in xmm0 then xmm1.
 * Reference: System V AMD64 ABI, section 3.2.3.
 */
import { FRAME } from '../native/arena';
import { isAggregate, isCString, isVaList, type AggregateType, type CType, type Signature } from '../signature';
import { wholeAt, type Lowering, type Piece, type ResultSlot, type ValueSlot } from './lowering';
import { registerFileX64, type X64ConventionRegs } from './x64-registers';

export const SYSV_X64: X64ConventionRegs = {
  gprs: ['rdi', 'rsi', 'rdx', 'rcx', 'r8', 'r9'],
  fprs: ['xmm0', 'xmm1', 'xmm2', 'xmm3', 'xmm4', 'xmm5', 'xmm6', 'xmm7'],
  intRets: ['rax', 'rdx'],
  fprRets: ['xmm0', 'xmm1'],
  calleeSaved: { gprs: ['rbx', 'rbp', 'rsp', 'r12', 'r13', 'r14', 'r15'], xmms: [] },
};

const sysvX64Registers = registerFileX64(SYSV_X64);

/** Class of one eightbyte. */
export type EightbyteClass = 'INTEGER' | 'SSE';

type Cls = EightbyteClass | 'NONE';

/** The ABI's merge rule for two classes meeting in one eightbyte (MEMORY is handled by the caller). */
function merge(a: Cls, b: Cls): Cls {
  if (a === b) return a;
  if (a === 'NONE') return b;
  if (b === 'NONE') return a;
  return 'INTEGER'; // INTEGER with SSE
}

/**
 * Classes of the eightbytes covered by a value of type `t` at byte `offset` of the
 * argument (indexed from the eightbyte containing `offset`), or null for MEMORY. Follows
 * GCC's `classify_argument` (gcc/config/i386/i386.cc), which is what C code on Linux is
 * compiled with, including its one deviation from a literal reading of the ABI text: an
 * array is classified by its *first* element, whose classes are repeated over the array
 * (so a later element misaligned by packing does not force MEMORY).
 */
function classifyAt(t: CType, offset: number): Cls[] | null {
  const words = Math.ceil((t.size + (offset % 8)) / 8);
  switch (t.tag) {
    case 'scalar': {
      if (t.size === 0) return ['NONE'];
      if (offset % t.size !== 0) return null; // misaligned scalar: MEMORY
      return [t.kind === 'f32' || t.kind === 'f64' ? 'SSE' : 'INTEGER'];
    }
    case 'array': {
      const sub = classifyAt(t.element, offset);
      if (sub === null) return null;
      return Array.from({ length: words }, (_, i) => sub[i % sub.length]!);
    }
    case 'struct':
    case 'union': {
      const classes: Cls[] = new Array(words).fill('NONE');
      for (const f of t.fields) {
        const sub = classifyAt(f.type, offset + f.offset);
        if (sub === null) return null;
        const pos = Math.floor((f.offset + (offset % 8)) / 8);
        for (let i = 0; i < sub.length && i + pos < words; i++) classes[i + pos] = merge(sub[i]!, classes[i + pos]!);
      }
      return classes;
    }
  }
}

/**
 * System V classification of a struct/union/array: the class of each eightbyte, or
 * `'MEMORY'` (larger than 16 bytes, or a misaligned member).
 *
 * @example
 * ```ts
 * classifySysvX64(struct({ d: 'double', i: 'int32_t' })); // ['SSE', 'INTEGER']
 * classifySysvX64(struct({ a: 'int64_t', b: 'int64_t', c: 'int64_t' })); // 'MEMORY'
 * ```
 */
export function classifySysvX64(t: AggregateType): EightbyteClass[] | 'MEMORY' {
  if (t.size > 16) return 'MEMORY';
  const classes = classifyAt(t, 0);
  if (classes === null) return 'MEMORY';
  // An eightbyte of padding only cannot occur with alignments <= 8; treat it as SSE.
  return classes.map((c) => (c === 'NONE' ? 'SSE' : c));
}

/** The pieces of a value held in registers, one eightbyte each. */
function eightbytes(size: number, registers: readonly number[]): Piece[] {
  return registers.map((at, i) => ({ at, from: i * 8, size: Math.min(8, size - i * 8) }));
}

export function lowerSysvX64(sig: Signature): Lowering {
  const regs = sysvX64Registers;
  const stackAt = FRAME.stack * 8;
  let gpr = 0;
  let fpr = 0;
  let stack = 0; // bytes of stack arguments so far
  /** `size` bytes of stack arguments, in 8-byte slots. */
  const onStack = (size: number): number => {
    const at = stackAt + stack;
    stack += Math.ceil(size / 8) * 8;
    return at;
  };

  let ret: ResultSlot | null;
  const r = sig.ret;
  let indirectBytes = 0;
  if (isAggregate(r)) {
    const c = classifySysvX64(r);
    if (c === 'MEMORY') {
      gpr = 1; // the hidden result pointer takes rdi
      indirectBytes = Math.ceil(r.size / 8) * 8;
      ret = { kind: 'indirect', type: r, pointerAt: regs.gprs[0]!, returnAt: regs.intRets[0]!, bufferAt: -1 };
    } else {
      let ni = 0;
      let nf = 0;
      const at = c.map((k) => (k === 'INTEGER' ? regs.intRets[ni++]! : regs.fprRets[nf++]!));
      ret = { kind: 'aggregate', type: r, pieces: eightbytes(r.size, at) };
    }
  } else if (r.kind === 'void') {
    ret = null;
  } else {
    ret = { at: r.kind === 'f32' || r.kind === 'f64' ? regs.fprRets[0]! : regs.intRets[0]!, size: 8, kind: isCString(r) ? 'cstring' : r.kind };
  }

  const args: ValueSlot[] = sig.args.map((t): ValueSlot => {
    if (isAggregate(t)) {
      const c = classifySysvX64(t);
      if (c !== 'MEMORY') {
        const ni = c.filter((k) => k === 'INTEGER').length;
        const nf = c.length - ni;
        if (gpr + ni <= regs.gprs.length && fpr + nf <= regs.fprs.length) {
          const at = c.map((k) => (k === 'INTEGER' ? regs.gprs[gpr++]! : regs.fprs[fpr++]!));
          return { kind: 'aggregate', type: t, pieces: eightbytes(t.size, at) };
        }
      }
      return { kind: 'aggregate', type: t, pieces: wholeAt(onStack(t.size), t.size) };
    }
    if (isVaList(t)) return { kind: 'va_list', at: gpr < regs.gprs.length ? regs.gprs[gpr++]! : onStack(8), abi: 'sysv-x64' };
    const kind = isCString(t) ? 'cstring' : t.kind;
    const isFloat = t.kind === 'f32' || t.kind === 'f64';
    if (isFloat && fpr < regs.fprs.length) return { at: regs.fprs[fpr++]!, size: 8, kind };
    if (!isFloat && gpr < regs.gprs.length) return { at: regs.gprs[gpr++]!, size: 8, kind };
    return { at: onStack(8), size: 8, kind };
  });
  if (ret !== null && ret.kind === 'indirect') ret = { ...ret, bufferAt: stackAt + stack };
  const variadic = sig.variadic
    ? { abi: 'sysv-x64' as const, gprs: regs.gprs.slice(gpr), fprs: regs.fprs.slice(fpr), stackOffset: stack }
    : undefined;
  return {
    args, ret, stackBytes: stack, gprCount: gpr, fprCount: fpr,
    scratchAt: stackAt + stack + indirectBytes, variadic,
  };
}
