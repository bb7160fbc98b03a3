/**
 * x86-64 machine-code writer, shaped like Frida gum's `gumx86writer`: one small typed
 * `put*` method per instruction form, labels resolved by {@link X64Writer.finish}.
 * Every encoding matches the one GNU `as` picks for the same Intel-syntax instruction
 * (test/asm-x64.test.ts checks this byte for byte).
 */

/** A 64-bit general-purpose register. */
export type X64Reg =
  | 'rax' | 'rcx' | 'rdx' | 'rbx' | 'rsp' | 'rbp' | 'rsi' | 'rdi'
  | 'r8' | 'r9' | 'r10' | 'r11' | 'r12' | 'r13' | 'r14' | 'r15';

/** The low 32 bits of a general-purpose register (writes zero-extend to 64 bits). */
export type X64Reg32 =
  | 'eax' | 'ecx' | 'edx' | 'ebx' | 'esp' | 'ebp' | 'esi' | 'edi'
  | 'r8d' | 'r9d' | 'r10d' | 'r11d' | 'r12d' | 'r13d' | 'r14d' | 'r15d';

/** An SSE register. */
export type XmmReg =
  | 'xmm0' | 'xmm1' | 'xmm2' | 'xmm3' | 'xmm4' | 'xmm5' | 'xmm6' | 'xmm7'
  | 'xmm8' | 'xmm9' | 'xmm10' | 'xmm11' | 'xmm12' | 'xmm13' | 'xmm14' | 'xmm15';

/** Condition codes accepted by {@link X64Writer.putJccLabel}. */
export type X64Cond = 'e' | 'ne' | 'l' | 'le' | 'g' | 'ge' | 'b' | 'be' | 'a' | 'ae' | 's' | 'ns';

// Array index = hardware register number; bit 3 goes into REX.R/X/B.
const REG64: readonly X64Reg[] = [
  'rax', 'rcx', 'rdx', 'rbx', 'rsp', 'rbp', 'rsi', 'rdi',
  'r8', 'r9', 'r10', 'r11', 'r12', 'r13', 'r14', 'r15',
];
const REG32: readonly X64Reg32[] = [
  'eax', 'ecx', 'edx', 'ebx', 'esp', 'ebp', 'esi', 'edi',
  'r8d', 'r9d', 'r10d', 'r11d', 'r12d', 'r13d', 'r14d', 'r15d',
];
const XMM: readonly XmmReg[] = REG64.map((_, i) => `xmm${i}` as XmmReg);

/** The hardware number of a register (as ModRM, REX and unwind information encode it). */
export function x64RegisterNumber(r: X64Reg | XmmReg): number {
  const n = r.startsWith('xmm') ? XMM.indexOf(r as XmmReg) : REG64.indexOf(r as X64Reg);
  if (n < 0) throw new TypeError(`'${String(r)}' is not an x86-64 register`);
  return n;
}

const CC: Readonly<Record<X64Cond, number>> = {
  b: 0x2, ae: 0x3, e: 0x4, ne: 0x5, be: 0x6, a: 0x7,
  s: 0x8, ns: 0x9, l: 0xc, ge: 0xd, le: 0xe, g: 0xf,
};

const I32_MIN = -0x8000_0000;
const I32_MAX = 0x7fff_ffff;
const U64_MAX = (1n << 64n) - 1n;

/** A rel32 field to patch once its label is known: value = label - end. */
interface Fixup { at: number; end: number; label: string; emitter: string }

/** A bad operand: a RangeError (as the contract says) carrying the project's `code` convention. */
function operandError(emitter: string, message: string): RangeError {
  return Object.assign(new RangeError(`X64Writer.${emitter}: ${message}`), { code: 'ERR_ASM_OPERAND' });
}

function fitsI8(v: number): boolean {
  return v >= -128 && v <= 127;
}

/**
 * Emits x86-64 instructions into a growing buffer.
 *
 * @example
 * ```ts
 * const w = new X64Writer();
 * w.putMovRegU64('r10', ctx);       // context pointer
 * w.putMovRegU64('r11', stub);
 * w.putJmpReg('r11');
 * const code = w.finish();
 * ```
 */
export class X64Writer {
  private readonly code: number[] = [];
  private readonly labels = new Map<string, number>();
  private readonly fixups: Fixup[] = [];

  /** Current length in bytes (the offset the next instruction will start at). */
  get offset(): number {
    return this.code.length;
  }

  // ---- moves -------------------------------------------------------------------------

  /** `movabs dst, imm64`: always the 10-byte form, so thunks have a fixed layout. */
  putMovRegU64(dst: X64Reg, imm: bigint): void {
    const d = this.reg64('putMovRegU64', dst);
    if (typeof imm !== 'bigint' || imm < 0n || imm > U64_MAX) {
      throw operandError('putMovRegU64', `immediate ${String(imm)} is not a bigint in 0..2^64-1`);
    }
    this.rex(true, 0, d);
    this.code.push(0xb8 + (d & 7));
    this.u64(imm);
  }

  /** `mov dst32, imm32` (the CPU zero-extends into the full register). */
  putMovReg32U32(dst: X64Reg32, imm: number): void {
    const d = this.reg32('putMovReg32U32', dst);
    if (!Number.isInteger(imm) || imm < 0 || imm > 0xffff_ffff) {
      throw operandError('putMovReg32U32', `immediate ${imm} is not an integer in 0..0xffffffff`);
    }
    this.rex(false, 0, d);
    this.code.push(0xb8 + (d & 7));
    this.u32(imm);
  }

  /** `mov dst, src` (64-bit). */
  putMovRegReg(dst: X64Reg, src: X64Reg): void {
    this.opRegReg(true, [0x89], this.reg64('putMovRegReg', src), this.reg64('putMovRegReg', dst));
  }

  /** `mov dst, qword ptr [base+disp]`. */
  putMovRegMem(dst: X64Reg, base: X64Reg, disp: number): void {
    this.opMem('putMovRegMem', null, true, [0x8b], this.reg64('putMovRegMem', dst), base, disp);
  }

  /** `mov qword ptr [base+disp], src`. */
  putMovMemReg(base: X64Reg, disp: number, src: X64Reg): void {
    this.opMem('putMovMemReg', null, true, [0x89], this.reg64('putMovMemReg', src), base, disp);
  }

  /** `mov dst32, dword ptr [base+disp]` (zero-extends). */
  putMovReg32Mem(dst: X64Reg32, base: X64Reg, disp: number): void {
    this.opMem('putMovReg32Mem', null, false, [0x8b], this.reg32('putMovReg32Mem', dst), base, disp);
  }

  /** `mov dword ptr [base+disp], src32`. */
  putMovMemReg32(base: X64Reg, disp: number, src: X64Reg32): void {
    this.opMem('putMovMemReg32', null, false, [0x89], this.reg32('putMovMemReg32', src), base, disp);
  }

  /** `movq dst, qword ptr [base+disp]` (F3 0F 7E): loads a double, clears the upper lane. */
  putMovqXmmMem(dst: XmmReg, base: X64Reg, disp: number): void {
    this.opMem('putMovqXmmMem', 0xf3, false, [0x0f, 0x7e], this.xmm('putMovqXmmMem', dst), base, disp);
  }

  /** `movq qword ptr [base+disp], src` (66 0F D6): stores the low 64 bits (a double). */
  putMovqMemXmm(base: X64Reg, disp: number, src: XmmReg): void {
    this.opMem('putMovqMemXmm', 0x66, false, [0x0f, 0xd6], this.xmm('putMovqMemXmm', src), base, disp);
  }

  /** `movd dst, dword ptr [base+disp]` (66 0F 6E): loads a float. */
  putMovdXmmMem(dst: XmmReg, base: X64Reg, disp: number): void {
    this.opMem('putMovdXmmMem', 0x66, false, [0x0f, 0x6e], this.xmm('putMovdXmmMem', dst), base, disp);
  }

  /** `movd dword ptr [base+disp], src` (66 0F 7E): stores the low 32 bits (a float). */
  putMovdMemXmm(base: X64Reg, disp: number, src: XmmReg): void {
    this.opMem('putMovdMemXmm', 0x66, false, [0x0f, 0x7e], this.xmm('putMovdMemXmm', src), base, disp);
  }

  /** `movdqu dst, xmmword ptr [base+disp]` (F3 0F 6F): loads all 128 bits, no alignment needed. */
  putMovdquXmmMem(dst: XmmReg, base: X64Reg, disp: number): void {
    this.opMem('putMovdquXmmMem', 0xf3, false, [0x0f, 0x6f], this.xmm('putMovdquXmmMem', dst), base, disp);
  }

  /** `movdqu xmmword ptr [base+disp], src` (F3 0F 7F): stores all 128 bits (saving a callee-saved xmm). */
  putMovdquMemXmm(base: X64Reg, disp: number, src: XmmReg): void {
    this.opMem('putMovdquMemXmm', 0xf3, false, [0x0f, 0x7f], this.xmm('putMovdquMemXmm', src), base, disp);
  }

  /** `lea dst, [base+disp]`. */
  putLeaRegMem(dst: X64Reg, base: X64Reg, disp: number): void {
    this.opMem('putLeaRegMem', null, true, [0x8d], this.reg64('putLeaRegMem', dst), base, disp);
  }

  /** `mov dst, qword ptr [rip+disp]` (disp counts from the end of the instruction). */
  putMovRegRipRel(dst: X64Reg, disp: number): void {
    this.opRip('putMovRegRipRel', true, 0x8b, this.reg64('putMovRegRipRel', dst), disp);
  }

  /** `mov dst, qword ptr [rip+label]`: loads a literal-pool entry written with {@link putU64}. */
  putMovRegLabel(dst: X64Reg, name: string): void {
    this.opRip('putMovRegLabel', true, 0x8b, this.reg64('putMovRegLabel', dst), name);
  }

  /** `lea dst, [rip+label]`: the address of a label. */
  putLeaRegLabel(dst: X64Reg, name: string): void {
    this.opRip('putLeaRegLabel', true, 0x8d, this.reg64('putLeaRegLabel', dst), name);
  }

  // ---- stack and arithmetic ------------------------------------------------------------

  /** `push r`. */
  putPushReg(r: X64Reg): void {
    const n = this.reg64('putPushReg', r);
    this.rex(false, 0, n);
    this.code.push(0x50 + (n & 7));
  }

  /** `pop r`. */
  putPopReg(r: X64Reg): void {
    const n = this.reg64('putPopReg', r);
    this.rex(false, 0, n);
    this.code.push(0x58 + (n & 7));
  }

  /** `add r, imm` (imm8 form when it fits, else imm32; sign-extended). */
  putAddRegImm(r: X64Reg, imm: number): void {
    this.aluImm('putAddRegImm', 0, r, imm);
  }

  /** `sub r, imm` (imm8 form when it fits, else imm32; sign-extended). */
  putSubRegImm(r: X64Reg, imm: number): void {
    this.aluImm('putSubRegImm', 5, r, imm);
  }

  /** `and r, imm` (imm8 form when it fits, else imm32; sign-extended, e.g. -16 aligns rsp). */
  putAndRegImm(r: X64Reg, imm: number): void {
    this.aluImm('putAndRegImm', 4, r, imm);
  }

  /** `cmp r, imm` (imm8 form when it fits, else imm32; sign-extended). */
  putCmpRegImm(r: X64Reg, imm: number): void {
    this.aluImm('putCmpRegImm', 7, r, imm);
  }

  /** `test a, b` (64-bit). */
  putTestRegReg(a: X64Reg, b: X64Reg): void {
    this.opRegReg(true, [0x85], this.reg64('putTestRegReg', b), this.reg64('putTestRegReg', a));
  }

  /** `xor a32, b32`: the idiomatic way to zero a register (zero-extends). */
  putXorReg32Reg32(a: X64Reg32, b: X64Reg32): void {
    this.opRegReg(false, [0x31], this.reg32('putXorReg32Reg32', b), this.reg32('putXorReg32Reg32', a));
  }

  // ---- control flow --------------------------------------------------------------------

  /** `call r`. */
  putCallReg(r: X64Reg): void {
    this.opRegReg(false, [0xff], 2, this.reg64('putCallReg', r));
  }

  /** `jmp r`. */
  putJmpReg(r: X64Reg): void {
    this.opRegReg(false, [0xff], 4, this.reg64('putJmpReg', r));
  }

  /** `call qword ptr [base+disp]`. */
  putCallMem(base: X64Reg, disp: number): void {
    this.opMem('putCallMem', null, false, [0xff], 2, base, disp);
  }

  /** `jmp qword ptr [base+disp]`. */
  putJmpMem(base: X64Reg, disp: number): void {
    this.opMem('putJmpMem', null, false, [0xff], 4, base, disp);
  }

  /** `jmp qword ptr [rip+disp]` (FF 25; disp counts from the end of the instruction). */
  putJmpRipRel(disp: number): void {
    this.opRip('putJmpRipRel', false, 0xff, 4, disp);
  }

  /** `call qword ptr [rip+disp]` (FF 15). */
  putCallRipRel(disp: number): void {
    this.opRip('putCallRipRel', false, 0xff, 2, disp);
  }

  /** `jmp qword ptr [rip+label]`: jumps through a literal-pool entry. */
  putJmpMemLabel(name: string): void {
    this.opRip('putJmpMemLabel', false, 0xff, 4, name);
  }

  /** `call qword ptr [rip+label]`: calls through a literal-pool entry. */
  putCallMemLabel(name: string): void {
    this.opRip('putCallMemLabel', false, 0xff, 2, name);
  }

  /** `jmp rel32` to absolute `target`, this instruction being placed at address `at`. */
  putJmpRel32(target: bigint, at: bigint): void {
    this.branchRel32('putJmpRel32', 0xe9, target, at);
  }

  /** `call rel32` to absolute `target`, this instruction being placed at address `at`. */
  putCallRel32(target: bigint, at: bigint): void {
    this.branchRel32('putCallRel32', 0xe8, target, at);
  }

  /** `ret`. */
  putRet(): void {
    this.code.push(0xc3);
  }

  /** `ret n`: also pops `n` bytes of arguments (callee-pop conventions). */
  putRetImm(n: number): void {
    if (!Number.isInteger(n) || n < 0 || n > 0xffff) {
      throw operandError('putRetImm', `immediate ${n} is not an integer in 0..65535`);
    }
    this.code.push(0xc2, n & 0xff, n >>> 8);
  }

  /** `leave` (mov rsp, rbp; pop rbp). */
  putLeave(): void {
    this.code.push(0xc9);
  }

  /** `int3`: a breakpoint, also used as padding that traps. */
  putInt3(): void {
    this.code.push(0xcc);
  }

  /** `ud2`: a guaranteed invalid-opcode trap. */
  putUd2(): void {
    this.code.push(0x0f, 0x0b);
  }

  /** `nop`. */
  putNop(): void {
    this.code.push(0x90);
  }

  // ---- labels and data -----------------------------------------------------------------

  /** Defines `name` at the current offset; each name may be defined once. */
  putLabel(name: string): void {
    this.labelName('putLabel', name);
    if (this.labels.has(name)) throw operandError('putLabel', `label '${name}' is already defined`);
    this.labels.set(name, this.code.length);
  }

  /** `jmp label` (always rel32, so layouts do not depend on distances). */
  putJmpLabel(name: string): void {
    this.labelName('putJmpLabel', name);
    this.code.push(0xe9);
    this.rel32Fixup('putJmpLabel', name);
  }

  /** `j<cc> label` (always rel32: 0F 80+cc). */
  putJccLabel(cc: X64Cond, name: string): void {
    if (typeof cc !== 'string' || !Object.hasOwn(CC, cc)) {
      throw operandError('putJccLabel', `unknown condition '${String(cc)}' (expected one of ${Object.keys(CC).join(', ')})`);
    }
    this.labelName('putJccLabel', name);
    this.code.push(0x0f, 0x80 | CC[cc]);
    this.rel32Fixup('putJccLabel', name);
  }

  /** Raw bytes, copied as given. */
  putBytes(b: ArrayLike<number>): void {
    for (let i = 0; i < b.length; i++) {
      const v = b[i];
      if (!Number.isInteger(v) || v < 0 || v > 0xff) {
        throw operandError('putBytes', `byte ${i} is ${v}, not an integer in 0..255`);
      }
    }
    for (let i = 0; i < b.length; i++) this.code.push(b[i]);
  }

  /** A raw little-endian 64-bit value, for literal pools. */
  putU64(v: bigint): void {
    if (typeof v !== 'bigint' || v < 0n || v > U64_MAX) {
      throw operandError('putU64', `value ${String(v)} is not a bigint in 0..2^64-1`);
    }
    this.u64(v);
  }

  /** Pads with `fill` (int3 by default, so stray execution traps) up to a multiple of `boundary`. */
  putAlign(boundary: number, fill = 0xcc): void {
    if (!Number.isInteger(boundary) || boundary < 1 || (boundary & (boundary - 1)) !== 0) {
      throw operandError('putAlign', `boundary ${boundary} is not a power of two`);
    }
    if (!Number.isInteger(fill) || fill < 0 || fill > 0xff) {
      throw operandError('putAlign', `fill ${fill} is not an integer in 0..255`);
    }
    while (this.code.length % boundary !== 0) this.code.push(fill);
  }

  /** Resolves label references and returns the bytes; throws if a label was never defined. */
  finish(): Uint8Array {
    const out = Uint8Array.from(this.code);
    const view = new DataView(out.buffer);
    for (const f of this.fixups) {
      const target = this.labels.get(f.label);
      if (target === undefined) {
        throw Object.assign(new Error(`X64Writer.${f.emitter}: label '${f.label}' is never defined`), {
          code: 'ERR_ASM_UNDEFINED_LABEL',
        });
      }
      view.setInt32(f.at, target - f.end, true);
    }
    return out;
  }

  // ---- encoding helpers ----------------------------------------------------------------

  private reg64(emitter: string, r: X64Reg): number {
    const n = REG64.indexOf(r);
    if (n < 0) throw operandError(emitter, `'${String(r)}' is not a 64-bit register (rax..r15)`);
    return n;
  }

  private reg32(emitter: string, r: X64Reg32): number {
    const n = REG32.indexOf(r);
    if (n < 0) throw operandError(emitter, `'${String(r)}' is not a 32-bit register (eax..r15d)`);
    return n;
  }

  private xmm(emitter: string, r: XmmReg): number {
    const n = XMM.indexOf(r);
    if (n < 0) throw operandError(emitter, `'${String(r)}' is not an SSE register (xmm0..xmm15)`);
    return n;
  }

  private disp32(emitter: string, disp: number): void {
    if (!Number.isInteger(disp) || disp < I32_MIN || disp > I32_MAX) {
      throw operandError(emitter, `displacement ${disp} is not an integer in -2^31..2^31-1`);
    }
  }

  private labelName(emitter: string, name: string): void {
    if (typeof name !== 'string' || name === '') {
      throw operandError(emitter, `label name ${String(name)} is not a non-empty string`);
    }
  }

  /** REX only when needed: W for 64-bit operands, R/B to reach r8..r15 / xmm8..xmm15. */
  private rex(w: boolean, reg: number, rm: number): void {
    const bits = (w ? 8 : 0) | ((reg >> 3) << 2) | (rm >> 3);
    if (bits !== 0) this.code.push(0x40 | bits);
  }

  /** Register-direct form (mod = 11); `reg` is a register or an opcode extension (/digit). */
  private opRegReg(w: boolean, opcode: number[], reg: number, rm: number): void {
    this.rex(w, reg, rm);
    this.code.push(...opcode, 0xc0 | ((reg & 7) << 3) | (rm & 7));
  }

  /** `[base+disp]` form, with the displacement size GNU as picks. */
  private opMem(
    emitter: string, prefix: number | null, w: boolean, opcode: number[], reg: number, base: X64Reg, disp: number,
  ): void {
    const b = this.reg64(emitter, base);
    this.disp32(emitter, disp);
    if (prefix !== null) this.code.push(prefix); // mandatory SSE prefix goes before REX
    this.rex(w, reg, b);
    // rbp/r13 (low bits 101) with mod 00 would mean rip-relative, so they need an explicit disp8 0.
    const mod = disp === 0 && (b & 7) !== 5 ? 0 : fitsI8(disp) ? 1 : 2;
    this.code.push(...opcode, (mod << 6) | ((reg & 7) << 3) | (b & 7));
    // rsp/r12 (low bits 100) in r/m means "SIB follows": index none, base rsp/r12.
    if ((b & 7) === 4) this.code.push(0x24);
    if (mod === 1) this.code.push(disp & 0xff);
    else if (mod === 2) this.u32(disp >>> 0);
  }

  /** `[rip+disp32]` form; a string target is a label patched in finish(). */
  private opRip(emitter: string, w: boolean, opcode: number, reg: number, target: number | string): void {
    if (typeof target === 'number') this.disp32(emitter, target);
    else this.labelName(emitter, target);
    this.rex(w, reg, 0);
    this.code.push(opcode, ((reg & 7) << 3) | 5);
    if (typeof target === 'number') this.u32(target >>> 0);
    else this.rel32Fixup(emitter, target);
  }

  /** Group-1 ALU op with immediate: 83 /ext ib, else the short rax form, else 81 /ext id. */
  private aluImm(emitter: string, ext: number, r: X64Reg, imm: number): void {
    const n = this.reg64(emitter, r);
    if (!Number.isInteger(imm) || imm < I32_MIN || imm > I32_MAX) {
      throw operandError(emitter, `immediate ${imm} is not an integer in -2^31..2^31-1 (sign-extended imm32)`);
    }
    if (fitsI8(imm)) {
      this.opRegReg(true, [0x83], ext, n);
      this.code.push(imm & 0xff);
    } else {
      // rax has a one-byte-shorter accumulator form (opcode ext*8+5), which as prefers.
      if (n === 0) this.code.push(0x48, (ext << 3) | 5);
      else this.opRegReg(true, [0x81], ext, n);
      this.u32(imm >>> 0);
    }
  }

  private branchRel32(emitter: string, opcode: number, target: bigint, at: bigint): void {
    for (const [what, v] of [['target', target], ['at', at]] as const) {
      if (typeof v !== 'bigint' || v < 0n || v > U64_MAX) {
        throw operandError(emitter, `${what} ${String(v)} is not a bigint address in 0..2^64-1`);
      }
    }
    const rel = target - (at + 5n);
    if (rel < BigInt(I32_MIN) || rel > BigInt(I32_MAX)) {
      throw operandError(
        emitter,
        `target 0x${target.toString(16)} is out of rel32 reach (±2 GiB) from 0x${at.toString(16)}`,
      );
    }
    this.code.push(opcode);
    this.u32(Number(BigInt.asUintN(32, rel)));
  }

  private rel32Fixup(emitter: string, label: string): void {
    this.fixups.push({ at: this.code.length, end: this.code.length + 4, label, emitter });
    this.u32(0);
  }

  private u32(v: number): void {
    this.code.push(v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff);
  }

  private u64(v: bigint): void {
    for (let i = 0n; i < 64n; i += 8n) this.code.push(Number((v >> i) & 0xffn));
  }
}
