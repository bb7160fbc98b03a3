/**
 * The Arm 64-bit procedure call standard (AAPCS64) as Linux uses it; GCC and Clang agree.
 *
 * - Integers and pointers take the next of x0..x7, float and double the next of v0..v7 (as
 *   s or d); when a file is used up, the value goes to the next 8-byte stack slot.
 * - A homogeneous floating-point aggregate (HFA: a struct, union or array of one to four
 *   members that are all float or all double) takes one v register per member when enough
 *   are left; otherwise every remaining v register is given up and it goes on the stack.
 * - Other composites of at most 16 bytes take one or two x registers (a 16-byte aligned one
 *   starts at an even register); if not enough are left, every remaining x register is given
 *   up and it goes on the stack. Larger ones are copied by the caller and passed as a pointer.
 * - Stack arguments take 8-byte slots (a composite: its size rounded up to 8), aligned to 8,
 *   or 16 for a 16-byte aligned composite.
 * - Results: integers in x0, float/double in v0, an HFA in v0..v3, other composites of at
 *   most 16 bytes in x0/x1; larger ones in a buffer whose address the caller passes in x8
 *   (the callee need not return it).
 * - Narrow integers: the callee may not rely on the unused upper bits (it extends them
 *   itself), so inbound reads take only the value's own bytes; outbound stores extend.
 * - Variadic arguments are passed exactly like named ones.
 *
 * Where Apple's arm64 convention differs (for when it is added as a variant of this table):
 * every '...' argument goes on the stack in 8-byte slots, and named stack arguments are
 * packed by their natural size and alignment (a char takes 1 byte) instead of 8-byte slots;
 * the caller extends narrow integers to 32 bits. Windows on arm64 passes '...' floats in x
 * registers. Those would be options of `onStack` and of the scalar case below.
 * Reference: Procedure Call Standard for the Arm 64-bit Architecture, "Parameter passing".
 */
import { FRAME } from '../native/arena';
import { isAggregate, isCString, isVaList, type CType, type Signature } from '../signature';
import { wholeAt, type Lowering, type Piece, type ResultSlot, type ValueSlot } from './lowering';

/**
 * The entry stub's register block on AArch64: x0..x7 in words 0..7, x8 (indirect result)
 * in word 8, d0..d7 in words 9..16; the result block: x0, x1, then d0..d3. The stubs
 * (src/arch/arm64-stubs.ts) save and load exactly these; `RESULT_POINTER_WORD` of the
 * bridge must be 8.
 */
export const AAPCS64_BLOCK = { gprs: 8, x8: 8, fprs: 9, intRets: 2, fprRets: 4 } as const;

const arg = (word: number) => (FRAME.args + word) * 8;
const ret = (word: number) => (FRAME.ret + word) * 8;

export const AAPCS64_REGISTERS = {
  gprs: Array.from({ length: AAPCS64_BLOCK.gprs }, (_, i) => arg(i)),
  x8: arg(AAPCS64_BLOCK.x8),
  fprs: Array.from({ length: 8 }, (_, i) => arg(AAPCS64_BLOCK.fprs + i)),
  intRets: Array.from({ length: AAPCS64_BLOCK.intRets }, (_, i) => ret(i)),
  fprRets: Array.from({ length: AAPCS64_BLOCK.fprRets }, (_, i) => ret(AAPCS64_BLOCK.intRets + i)),
};

/** The member type and count of a homogeneous floating-point aggregate, or null. */
export function hfaOf(t: CType): { readonly kind: 'f32' | 'f64'; readonly count: number } | null {
  let kind: 'f32' | 'f64' | undefined;
  const count = (u: CType): number => {
    switch (u.tag) {
      case 'scalar':
        if (u.kind !== 'f32' && u.kind !== 'f64') return NaN;
        if (kind !== undefined && kind !== u.kind) return NaN;
        kind = u.kind;
        return 1;
      case 'array': return u.length * count(u.element);
      case 'struct': return u.fields.reduce((n, f) => n + count(f.type), 0);
      case 'union': return u.fields.reduce((n, f) => Math.max(n, count(f.type)), 0);
    }
  };
  const n = count(t);
  if (!(n >= 1 && n <= 4) || kind === undefined) return null;
  const member = kind === 'f32' ? 4 : 8;
  return t.size === n * member ? { kind, count: n } : null; // padding or packing makes it an ordinary composite
}

/** Pieces of an HFA in consecutive vector registers from `first`: member i in register slot first + i. */
function hfaPieces(hfa: { kind: 'f32' | 'f64'; count: number }, registers: readonly number[], first: number): Piece[] {
  const size = hfa.kind === 'f32' ? 4 : 8;
  return Array.from({ length: hfa.count }, (_, i) => ({ at: registers[first + i]!, from: i * size, size }));
}

/** Pieces of a composite of at most 16 bytes in consecutive integer registers from `first`. */
function gprPieces(size: number, registers: readonly number[], first: number): Piece[] {
  return Array.from({ length: Math.ceil(size / 8) }, (_, i) => ({ at: registers[first + i]!, from: i * 8, size: Math.min(8, size - i * 8) }));
}

const isFloat = (t: CType) => t.tag === 'scalar' && (t.kind === 'f32' || t.kind === 'f64');

export function lowerAapcs64(sig: Signature): Lowering {
  const regs = AAPCS64_REGISTERS;
  const stackAt = FRAME.stack * 8;
  let ngrn = 0;
  let nsrn = 0;
  let nsaa = 0; // bytes of stack arguments so far
  let gprCount = 0;
  let fprCount = 0;
  /** `size` bytes of stack arguments aligned to `align` (at least 8), in 8-byte slots. */
  const onStack = (size: number, align: number): number => {
    nsaa = Math.ceil(nsaa / Math.max(8, align)) * Math.max(8, align);
    const at = stackAt + nsaa;
    nsaa += Math.ceil(size / 8) * 8;
    return at;
  };
  const takeGprs = (n: number) => {
    const first = ngrn;
    ngrn += n;
    gprCount = Math.max(gprCount, ngrn);
    return first;
  };
  const takeFprs = (n: number) => {
    const first = nsrn;
    nsrn += n;
    fprCount = Math.max(fprCount, nsrn);
    return first;
  };

  let result: ResultSlot | null;
  let indirectBytes = 0;
  const r = sig.ret;
  if (isAggregate(r)) {
    const hfa = hfaOf(r);
    if (hfa) result = { kind: 'aggregate', type: r, pieces: hfaPieces(hfa, regs.fprRets, 0) };
    else if (r.size <= 16) result = { kind: 'aggregate', type: r, pieces: gprPieces(r.size, regs.intRets, 0) };
    else {
      indirectBytes = Math.ceil(r.size / 8) * 8;
      result = { kind: 'indirect', type: r, pointerAt: regs.x8, returnAt: null, bufferAt: -1 };
    }
  } else if (r.kind === 'void') {
    result = null;
  } else {
    result = { at: isFloat(r) ? regs.fprRets[0]! : regs.intRets[0]!, size: 8, kind: isCString(r) ? 'cstring' : r.kind };
  }

  const copies: { index: number; bytes: number }[] = [];
  const args = sig.args.map((t, i): ValueSlot => {
    if (isAggregate(t)) {
      const hfa = hfaOf(t);
      if (hfa) {
        if (nsrn + hfa.count <= 8) return { kind: 'aggregate', type: t, pieces: hfaPieces(hfa, regs.fprs, takeFprs(hfa.count)) };
        nsrn = 8;
        return { kind: 'aggregate', type: t, pieces: wholeAt(onStack(t.size, t.align), t.size) };
      }
      if (t.size > 16) {
        copies.push({ index: i, bytes: Math.ceil(t.size / 8) * 8 });
        const at = ngrn < 8 ? regs.gprs[takeGprs(1)]! : onStack(8, 8);
        return { kind: 'reference', type: t, at, copyAt: -1 };
      }
      if (t.align >= 16) ngrn = Math.ceil(ngrn / 2) * 2;
      const n = Math.ceil(t.size / 8);
      if (ngrn + n <= 8) return { kind: 'aggregate', type: t, pieces: gprPieces(t.size, regs.gprs, takeGprs(n)) };
      ngrn = 8;
      return { kind: 'aggregate', type: t, pieces: wholeAt(onStack(t.size, t.align), t.size) };
    }
    // A va_list is a 32-byte structure passed by value, so C passes a pointer to a copy.
    if (isVaList(t)) return { kind: 'va_list', at: ngrn < 8 ? regs.gprs[takeGprs(1)]! : onStack(8, 8), abi: 'aapcs64' };
    const kind = isCString(t) ? 'cstring' : t.kind;
    if (isFloat(t) && nsrn < 8) return { at: regs.fprs[takeFprs(1)]!, size: 8, kind };
    if (!isFloat(t) && ngrn < 8) return { at: regs.gprs[takeGprs(1)]!, size: 8, kind };
    return { at: onStack(8, 8), size: 8, kind };
  });
  if (result !== null && result.kind === 'indirect') result = { ...result, bufferAt: stackAt + nsaa };
  let free = stackAt + nsaa + indirectBytes;
  for (const c of copies) {
    const slot = args[c.index]!;
    if (slot.kind === 'reference') args[c.index] = { ...slot, copyAt: free };
    free += c.bytes;
  }
  const variadic = sig.variadic
    ? { abi: 'aapcs64' as const, gprs: regs.gprs.slice(ngrn), fprs: regs.fprs.slice(nsrn), stackOffset: nsaa }
    : undefined;
  return { args, ret: result, stackBytes: nsaa, gprCount, fprCount, scratchAt: free, variadic };
}
