/**
 * AArch64 (A64) machine-code writer, shaped like Frida gum's `gumarm64writer`: one small
 * typed `put*` method per instruction form, labels resolved by {@link Arm64Writer.finish}.
 * Every encoding matches the one GNU `as` picks for the same instruction
 * (test/asm-arm64.test.ts checks this word for word against `aarch64-linux-gnu-as`).
 *
 * Register operands are strings (`'x0'`, `'w3'`, `'sp'`, `'xzr'`, `'d8'`, `'q0'`, ...); each
 * emitter's parameter types say which classes it takes, and the same rule is checked at run
 * time (a wrong class is a RangeError), because register names often come from tables.
 */

type N31 =
  | 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9 | 10 | 11 | 12 | 13 | 14 | 15
  | 16 | 17 | 18 | 19 | 20 | 21 | 22 | 23 | 24 | 25 | 26 | 27 | 28 | 29 | 30;
type N32 = N31 | 31;

/** A 64-bit general-purpose register (x30 is the link register). */
export type Arm64XReg = `x${N31}`;
/** The low 32 bits of a general-purpose register (writes zero-extend to 64 bits). */
export type Arm64WReg = `w${N31}`;
/** An 8-bit SIMD&FP register view (loads and stores only). */
export type Arm64BReg = `b${N32}`;
/** A 16-bit SIMD&FP register view (loads and stores only). */
export type Arm64HReg = `h${N32}`;
/** A single-precision SIMD&FP register view. */
export type Arm64SReg = `s${N32}`;
/** A double-precision SIMD&FP register view. */
export type Arm64DReg = `d${N32}`;
/** A full 128-bit SIMD&FP register. */
export type Arm64QReg = `q${N32}`;
/** Register number 31 of the 64-bit and 32-bit views, read as the stack pointer or zero, per instruction. */
export type Arm64SpecialReg = 'sp' | 'wsp' | 'xzr' | 'wzr';
/** A general-purpose register in any of its forms. */
export type Arm64GpReg = Arm64XReg | Arm64WReg | Arm64SpecialReg;
/** A SIMD&FP register in any scalar view. */
export type Arm64FpReg = Arm64BReg | Arm64HReg | Arm64SReg | Arm64DReg | Arm64QReg;
/** Any register operand. */
export type Arm64Reg = Arm64GpReg | Arm64FpReg;
/** A base register of an address: a 64-bit register or `sp`. */
export type Arm64BaseReg = Arm64XReg | 'sp';

/** Condition codes accepted by {@link Arm64Writer.putBCondLabel} (`hs`/`lo` are `cs`/`cc`). */
export type Arm64Cond =
  | 'eq' | 'ne' | 'cs' | 'hs' | 'cc' | 'lo' | 'mi' | 'pl'
  | 'vs' | 'vc' | 'hi' | 'ls' | 'ge' | 'lt' | 'gt' | 'le' | 'al';

/** Addressing mode of a load/store: `[base, #off]`, `[base, #off]!` or `[base], #off`. */
export type Arm64IndexMode = 'offset' | 'pre' | 'post';

/** The targets a `bti` landing pad accepts: calls (`c`), jumps (`j`) or both. */
export type Arm64BtiKind = 'c' | 'j' | 'jc';

const COND: Readonly<Record<Arm64Cond, number>> = {
  eq: 0, ne: 1, cs: 2, hs: 2, cc: 3, lo: 3, mi: 4, pl: 5,
  vs: 6, vc: 7, hi: 8, ls: 9, ge: 10, lt: 11, gt: 12, le: 13, al: 14,
};

const U64_MAX = (1n << 64n) - 1n;

type Kind = 'x' | 'w' | 'b' | 'h' | 's' | 'd' | 'q';
/** A decoded register: `kind` is its view, `n` the encoding number, `sp`/`zr` tell what 31 means. */
interface RegInfo { kind: Kind; n: number; sp: boolean; zr: boolean; name: string }

const REGS = new Map<string, RegInfo>();
for (let n = 0; n < 32; n++) {
  for (const kind of ['x', 'w', 'b', 'h', 's', 'd', 'q'] as const) {
    if (n === 31 && (kind === 'x' || kind === 'w')) continue;
    REGS.set(`${kind}${n}`, { kind, n, sp: false, zr: false, name: `${kind}${n}` });
  }
}
REGS.set('sp', { kind: 'x', n: 31, sp: true, zr: false, name: 'sp' });
REGS.set('wsp', { kind: 'w', n: 31, sp: true, zr: false, name: 'wsp' });
REGS.set('xzr', { kind: 'x', n: 31, sp: false, zr: true, name: 'xzr' });
REGS.set('wzr', { kind: 'w', n: 31, sp: false, zr: true, name: 'wzr' });

/** Byte size of each view (the scale of scaled offsets). */
const SIZE: Readonly<Record<Kind, number>> = { b: 1, h: 2, w: 4, s: 4, x: 8, d: 8, q: 16 };

type FixupKind = 'imm26' | 'imm19' | 'imm14' | 'adr';
/** A pc-relative field to patch once its label is known: value = label - at. */
interface Fixup { at: number; label: string; emitter: string; kind: FixupKind }

/** Bit width and scale of each pc-relative field, for range messages. */
const FIELD: Readonly<Record<FixupKind, { bits: number; scale: number; reach: string }>> = {
  imm26: { bits: 26, scale: 4, reach: '±128 MiB' },
  imm19: { bits: 19, scale: 4, reach: '±1 MiB' },
  imm14: { bits: 14, scale: 4, reach: '±32 KiB' },
  adr: { bits: 21, scale: 1, reach: '±1 MiB' },
};

/** A bad operand: a RangeError (as the contract says) carrying the project's `code` convention. */
function operandError(emitter: string, message: string): RangeError {
  return Object.assign(new RangeError(`Arm64Writer.${emitter}: ${message}`), { code: 'ERR_ASM_OPERAND' });
}

/** Which register forms an operand position accepts. */
interface Accept { kinds: readonly Kind[]; sp?: boolean; zr?: boolean; what: string }

const GP_X: Accept = { kinds: ['x'], what: 'a 64-bit register x0..x30' };
const GP: Accept = { kinds: ['x', 'w'], what: 'a general-purpose register x0..x30 / w0..w30' };
const GP_ZR: Accept = { kinds: ['x', 'w'], zr: true, what: 'a general-purpose register (x0..x30, w0..w30, xzr, wzr)' };
const GP_SP: Accept = { kinds: ['x', 'w'], sp: true, what: 'a general-purpose register or the stack pointer (x0..x30, w0..w30, sp, wsp)' };
const BASE: Accept = { kinds: ['x'], sp: true, what: 'a base register x0..x30 or sp' };
const W_ZR: Accept = { kinds: ['w'], zr: true, what: 'a 32-bit register w0..w30 or wzr' };
const X_ZR: Accept = { kinds: ['x'], zr: true, what: 'a 64-bit register x0..x30 or xzr' };

/**
 * Emits AArch64 instructions into a growing buffer. Instructions are 4 bytes and must start
 * at a multiple of 4; labels may be referenced before they are defined.
 *
 * @example
 * ```ts
 * // A thunk: x16 = context, x17 = entry stub, both from a literal pool after the code.
 * const w = new Arm64Writer();
 * w.putBti('c');
 * w.putLdrRegLiteral('x16', 'ctx');
 * w.putLdrRegLiteral('x17', 'stub');
 * w.putBrReg('x17');
 * w.putLabel('ctx');
 * w.putU64(ctx);
 * w.putLabel('stub');
 * w.putU64(stub);
 * const code = w.finish();   // Uint8Array, 32 bytes; w.labelOffset('ctx') === 16
 * ```
 */
export class Arm64Writer {
  private readonly code: number[] = [];
  private readonly labels = new Map<string, number>();
  private readonly fixups: Fixup[] = [];
  /** Literals requested by putLdrRegU64 and not yet placed: label -> value and size. */
  private readonly pool = new Map<string, { value: bigint; size: 4 | 8 }>();
  private poolCount = 0;

  /** Current length in bytes (the offset the next instruction will start at). */
  get offset(): number {
    return this.code.length;
  }

  /** The offset of a defined label (e.g. a literal slot to patch later), or undefined. */
  labelOffset(name: string): number | undefined {
    return this.labels.get(name);
  }

  // ---- pc-relative loads and addresses ----------------------------------------------------

  /** `ldr dst, label`: loads a literal (a {@link putU64}/{@link putU32} at `label`), ±1 MiB. */
  putLdrRegLiteral(dst: Arm64XReg | Arm64WReg | Arm64SReg | Arm64DReg | Arm64QReg, label: string): void {
    const word = this.ldrLiteralWord('putLdrRegLiteral', dst);
    this.labelName('putLdrRegLiteral', label);
    this.fixup('putLdrRegLiteral', 'imm19', label);
    this.ins('putLdrRegLiteral', word);
  }

  /** `ldr dst, . + offset`: loads the literal `offset` bytes from this instruction (multiple of 4, ±1 MiB). */
  putLdrRegPcRel(dst: Arm64XReg | Arm64WReg | Arm64SReg | Arm64DReg | Arm64QReg, offset: number): void {
    const word = this.ldrLiteralWord('putLdrRegPcRel', dst);
    this.ins('putLdrRegPcRel', word | this.pcRelField('putLdrRegPcRel', 'imm19', offset));
  }

  /**
   * `ldr dst, <literal>` with the literal placed in this writer's pool: 8 bytes for x/d,
   * 4 bytes for w/s (value below 2^32). Equal literals share a slot. The pool is written
   * by {@link putLiteralPool} (or by {@link finish}), which must come within 1 MiB.
   */
  putLdrRegU64(dst: Arm64XReg | Arm64WReg | Arm64SReg | Arm64DReg, value: bigint): void {
    const e = 'putLdrRegU64';
    const r = this.reg(e, dst, { kinds: ['x', 'w', 's', 'd'], what: 'an x, w, s or d register' });
    const size = SIZE[r.kind] as 4 | 8;
    if (typeof value !== 'bigint' || value < 0n || value >= 1n << BigInt(8 * size)) {
      throw operandError(e, `value ${String(value)} is not a bigint in 0..2^${8 * size}-1 (for '${r.name}')`);
    }
    let label: string | undefined;
    for (const [name, lit] of this.pool) if (lit.value === value && lit.size === size) label = name;
    if (label === undefined) {
      label = `\0pool${this.poolCount++}`;
      this.pool.set(label, { value, size });
    }
    this.fixup(e, 'imm19', label);
    this.ins(e, this.ldrLiteralWord(e, dst));
  }

  /**
   * Writes the pending literals of {@link putLdrRegU64}: aligned to 8 with `udf #0`, the
   * 8-byte literals first, then the 4-byte ones. Does nothing when none are pending. Put it
   * where execution cannot fall through (after a branch or `ret`).
   */
  putLiteralPool(): void {
    if (this.pool.size === 0) return;
    const entries = [...this.pool].sort(([, a], [, b]) => b.size - a.size);
    this.putAlign(entries[0][1].size);
    for (const [label, { value, size }] of entries) {
      this.labels.set(label, this.code.length);
      if (size === 8) this.putU64(value);
      else this.u32(Number(value));
    }
    this.pool.clear();
  }

  /** `adr dst, label`: the address of a label (any byte distance, ±1 MiB). */
  putAdrRegLabel(dst: Arm64XReg, label: string): void {
    const d = this.reg('putAdrRegLabel', dst, GP_X).n;
    this.labelName('putAdrRegLabel', label);
    this.fixup('putAdrRegLabel', 'adr', label);
    this.ins('putAdrRegLabel', 0x1000_0000 | d);
  }

  /** `adr dst, . + offset` (any byte offset, ±1 MiB). */
  putAdrRegPcRel(dst: Arm64XReg, offset: number): void {
    const d = this.reg('putAdrRegPcRel', dst, GP_X).n;
    this.ins('putAdrRegPcRel', 0x1000_0000 | d | this.pcRelField('putAdrRegPcRel', 'adr', offset));
  }

  /**
   * `adrp dst, target`: `dst` = the 4 KiB page of absolute address `target`, this instruction
   * being placed at absolute address `at` (the page distance must fit ±4 GiB).
   */
  putAdrpRegAddress(dst: Arm64XReg, target: bigint, at: bigint): void {
    const d = this.reg('putAdrpRegAddress', dst, GP_X).n;
    this.address('putAdrpRegAddress', 'target', target);
    this.address('putAdrpRegAddress', 'at', at);
    const pages = (target >> 12n) - (at >> 12n);
    if (pages < -(1n << 20n) || pages >= 1n << 20n) {
      throw operandError('putAdrpRegAddress',
        `target 0x${target.toString(16)} is out of adrp reach (±4 GiB) from 0x${at.toString(16)}`);
    }
    this.ins('putAdrpRegAddress', 0x9000_0000 | d | adrImm(Number(pages)));
  }

  // ---- branches ---------------------------------------------------------------------------

  /** `b label` (±128 MiB). */
  putBLabel(label: string): void {
    this.branchLabel('putBLabel', 'imm26', label, 0x1400_0000);
  }

  /** `bl label` (±128 MiB). */
  putBlLabel(label: string): void {
    this.branchLabel('putBlLabel', 'imm26', label, 0x9400_0000);
  }

  /** `b . + offset` (multiple of 4, ±128 MiB). */
  putBPcRel(offset: number): void {
    this.ins('putBPcRel', 0x1400_0000 | this.pcRelField('putBPcRel', 'imm26', offset));
  }

  /** `bl . + offset` (multiple of 4, ±128 MiB). */
  putBlPcRel(offset: number): void {
    this.ins('putBlPcRel', 0x9400_0000 | this.pcRelField('putBlPcRel', 'imm26', offset));
  }

  /** `b.<cond> label` (±1 MiB). */
  putBCondLabel(cond: Arm64Cond, label: string): void {
    const c = this.cond('putBCondLabel', cond);
    this.branchLabel('putBCondLabel', 'imm19', label, 0x5400_0000 | c);
  }

  /** `b.<cond> . + offset` (multiple of 4, ±1 MiB). */
  putBCondPcRel(cond: Arm64Cond, offset: number): void {
    const c = this.cond('putBCondPcRel', cond);
    this.ins('putBCondPcRel', 0x5400_0000 | c | this.pcRelField('putBCondPcRel', 'imm19', offset));
  }

  /** `cbz reg, label`: branch if the register is zero (±1 MiB). */
  putCbzRegLabel(reg: Arm64XReg | Arm64WReg, label: string): void {
    const r = this.reg('putCbzRegLabel', reg, GP);
    this.branchLabel('putCbzRegLabel', 'imm19', label, sf(r) | 0x3400_0000 | r.n);
  }

  /** `cbnz reg, label`: branch if the register is not zero (±1 MiB). */
  putCbnzRegLabel(reg: Arm64XReg | Arm64WReg, label: string): void {
    const r = this.reg('putCbnzRegLabel', reg, GP);
    this.branchLabel('putCbnzRegLabel', 'imm19', label, sf(r) | 0x3500_0000 | r.n);
  }

  /** `tbz reg, #bit, label`: branch if the bit is clear (±32 KiB; bits 32..63 need an x register). */
  putTbzRegImmLabel(reg: Arm64XReg | Arm64WReg, bit: number, label: string): void {
    this.testBit('putTbzRegImmLabel', 0x3600_0000, reg, bit, label);
  }

  /** `tbnz reg, #bit, label`: branch if the bit is set (±32 KiB; bits 32..63 need an x register). */
  putTbnzRegImmLabel(reg: Arm64XReg | Arm64WReg, bit: number, label: string): void {
    this.testBit('putTbnzRegImmLabel', 0x3700_0000, reg, bit, label);
  }

  /** `br reg`: jump to the address in a register (use x16/x17 to land on `bti c`). */
  putBrReg(reg: Arm64XReg): void {
    this.ins('putBrReg', 0xd61f_0000 | (this.reg('putBrReg', reg, GP_X).n << 5));
  }

  /** `blr reg`: call the address in a register. */
  putBlrReg(reg: Arm64XReg): void {
    this.ins('putBlrReg', 0xd63f_0000 | (this.reg('putBlrReg', reg, GP_X).n << 5));
  }

  /** `ret` (through x30 unless another register is given). */
  putRet(reg: Arm64XReg = 'x30'): void {
    this.ins('putRet', 0xd65f_0000 | (this.reg('putRet', reg, GP_X).n << 5));
  }

  // ---- hints and traps ----------------------------------------------------------------------

  /** `bti` / `bti c|j|jc`: a branch-target landing pad (a `nop` on CPUs without BTI). */
  putBti(kind?: Arm64BtiKind): void {
    const op = kind === undefined ? 0 : ['', 'c', 'j', 'jc'].indexOf(kind);
    if (op <= 0 && kind !== undefined) {
      throw operandError('putBti', `unknown target '${String(kind)}' (expected 'c', 'j', 'jc' or none)`);
    }
    this.ins('putBti', 0xd503_241f | (op << 6));
  }

  /** `nop`. */
  putNop(): void {
    this.ins('putNop', 0xd503_201f);
  }

  /** `brk #imm`: a breakpoint (SIGTRAP), `imm` in 0..65535. */
  putBrk(imm = 0): void {
    this.ins('putBrk', 0xd420_0000 | (this.uimm('putBrk', imm, 16) << 5));
  }

  /** `udf #imm`: a permanently undefined instruction (SIGILL), `imm` in 0..65535. */
  putUdf(imm = 0): void {
    this.ins('putUdf', this.uimm('putUdf', imm, 16));
  }

  // ---- moves --------------------------------------------------------------------------------

  /**
   * `mov dst, src` between general-purpose registers of the same width: `orr dst, zr, src`,
   * or `add dst, src, #0` when either side is `sp`/`wsp`.
   */
  putMovRegReg(dst: Arm64GpReg, src: Arm64GpReg): void {
    const e = 'putMovRegReg';
    const d = this.reg(e, dst, { ...GP_SP, zr: true });
    const s = this.reg(e, src, { ...GP_SP, zr: true });
    this.sameWidth(e, d, s);
    if (d.sp || s.sp) {
      if (d.zr || s.zr) throw operandError(e, `cannot move between '${d.name}' and '${s.name}' in one instruction`);
      this.ins(e, sf(d) | 0x1100_0000 | (s.n << 5) | d.n);
    } else {
      this.ins(e, sf(d) | 0x2a00_03e0 | (s.n << 16) | d.n);
    }
  }

  /**
   * `fmov dst, src`: between FP registers of one size (s/d), or bit-for-bit between an FP
   * register and a general-purpose register of the same size (d <-> x, s <-> w; xzr/wzr as source).
   */
  putFmovRegReg(
    dst: Arm64SReg | Arm64DReg | Arm64XReg | Arm64WReg,
    src: Arm64SReg | Arm64DReg | Arm64XReg | Arm64WReg | 'xzr' | 'wzr',
  ): void {
    const e = 'putFmovRegReg';
    const any: Accept = { kinds: ['s', 'd', 'x', 'w'], what: 'an s, d, x or w register' };
    const d = this.reg(e, dst, any);
    const s = this.reg(e, src, { ...any, zr: true, what: 'an s, d, x or w register, xzr or wzr' });
    const fp = (r: RegInfo): boolean => r.kind === 's' || r.kind === 'd';
    if (SIZE[d.kind] !== SIZE[s.kind] || (!fp(d) && !fp(s))) {
      throw operandError(e, `cannot fmov '${s.name}' to '${d.name}' (same size, at least one FP register)`);
    }
    if (fp(d) && fp(s)) {
      this.ins(e, (d.kind === 'd' ? 0x1e60_4000 : 0x1e20_4000) | (s.n << 5) | d.n);
    } else if (fp(d)) {
      this.ins(e, (d.kind === 'd' ? 0x9e67_0000 : 0x1e27_0000) | (s.n << 5) | d.n);
    } else {
      this.ins(e, (d.kind === 'x' ? 0x9e66_0000 : 0x1e26_0000) | (s.n << 5) | d.n);
    }
  }

  /** `movz dst, #imm16, lsl #shift`: dst = imm16 << shift (shift 0/16, and 32/48 for x). */
  putMovzRegImm(dst: Arm64XReg | Arm64WReg, imm16: number, shift = 0): void {
    this.moveWide('putMovzRegImm', 2, dst, imm16, shift);
  }

  /** `movk dst, #imm16, lsl #shift`: replaces one 16-bit field, keeping the others. */
  putMovkRegImm(dst: Arm64XReg | Arm64WReg, imm16: number, shift = 0): void {
    this.moveWide('putMovkRegImm', 3, dst, imm16, shift);
  }

  /** `movn dst, #imm16, lsl #shift`: dst = ~(imm16 << shift). */
  putMovnRegImm(dst: Arm64XReg | Arm64WReg, imm16: number, shift = 0): void {
    this.moveWide('putMovnRegImm', 0, dst, imm16, shift);
  }

  /**
   * Loads any constant (0..2^64-1 for x, 0..2^32-1 for w) with the fewest `movz`/`movn` +
   * `movk` instructions: one per 16-bit field that differs from all-zeros (movz) or from
   * all-ones (movn), whichever leaves fewer; at least one instruction. For a fixed-size
   * layout use {@link putLdrRegLiteral} instead.
   */
  putMovRegU64(dst: Arm64XReg | Arm64WReg, value: bigint): void {
    const e = 'putMovRegU64';
    const d = this.reg(e, dst, GP);
    const fields = d.kind === 'x' ? 4 : 2;
    if (typeof value !== 'bigint' || value < 0n || value >= 1n << BigInt(16 * fields)) {
      throw operandError(e, `value ${String(value)} is not a bigint in 0..2^${16 * fields}-1`);
    }
    const hw = Array.from({ length: fields }, (_, i) => Number((value >> BigInt(16 * i)) & 0xffffn));
    const nonZero = hw.filter((h) => h !== 0).length;
    const nonOnes = hw.filter((h) => h !== 0xffff).length;
    const inverted = nonOnes < nonZero;
    const skip = inverted ? 0xffff : 0;
    let first = hw.findIndex((h) => h !== skip);
    if (first < 0) first = 0;
    this.moveWide(e, inverted ? 0 : 2, dst, inverted ? hw[first] ^ 0xffff : hw[first], 16 * first);
    for (let i = first + 1; i < fields; i++) if (hw[i] !== skip) this.moveWide(e, 3, dst, hw[i], 16 * i);
  }

  // ---- arithmetic ---------------------------------------------------------------------------

  /** `add dst, src, #imm{, lsl #12}` (imm 0..4095; dst/src may be sp/wsp). */
  putAddRegRegImm(dst: Arm64XReg | Arm64WReg | 'sp' | 'wsp', src: Arm64XReg | Arm64WReg | 'sp' | 'wsp', imm: number, shift: 0 | 12 = 0): void {
    this.addSubImm('putAddRegRegImm', 0, dst, src, imm, shift);
  }

  /** `sub dst, src, #imm{, lsl #12}` (imm 0..4095; dst/src may be sp/wsp). */
  putSubRegRegImm(dst: Arm64XReg | Arm64WReg | 'sp' | 'wsp', src: Arm64XReg | Arm64WReg | 'sp' | 'wsp', imm: number, shift: 0 | 12 = 0): void {
    this.addSubImm('putSubRegRegImm', 1, dst, src, imm, shift);
  }

  /** `cmp reg, #imm{, lsl #12}` (= `subs zr, reg, #imm`; imm 0..4095; reg may be sp/wsp). */
  putCmpRegImm(reg: Arm64XReg | Arm64WReg | 'sp' | 'wsp', imm: number, shift: 0 | 12 = 0): void {
    this.addSubImm('putCmpRegImm', 1, null, reg, imm, shift);
  }

  /**
   * `add dst, a, b{, lsl #amount}`. With sp/wsp as `dst` or `a` this is the extended-register
   * form (uxtx/uxtw, amount 0..4) as `as` encodes it; otherwise the shifted-register form
   * (amount 0..63 for x, 0..31 for w; xzr/wzr allowed).
   */
  putAddRegRegReg(dst: Arm64GpReg, a: Arm64GpReg, b: Arm64XReg | Arm64WReg | 'xzr' | 'wzr', lsl = 0): void {
    this.addSubReg('putAddRegRegReg', 0, 0, dst, a, b, lsl);
  }

  /** `sub dst, a, b{, lsl #amount}` (forms as {@link putAddRegRegReg}). */
  putSubRegRegReg(dst: Arm64GpReg, a: Arm64GpReg, b: Arm64XReg | Arm64WReg | 'xzr' | 'wzr', lsl = 0): void {
    this.addSubReg('putSubRegRegReg', 1, 0, dst, a, b, lsl);
  }

  /** `cmp a, b` (= `subs zr, a, b`; `a` may be sp/wsp). */
  putCmpRegReg(a: Arm64GpReg, b: Arm64XReg | Arm64WReg | 'xzr' | 'wzr'): void {
    this.addSubReg('putCmpRegReg', 1, 1, null, a, b, 0);
  }

  // ---- loads and stores ----------------------------------------------------------------------

  /**
   * `ldr dst, [base, #offset]` (or `[base, #offset]!` / `[base], #offset` with `mode`).
   * `dst` is x/w (xzr/wzr allowed) or b/h/s/d/q. For `'offset'` this is the scaled unsigned
   * form when the offset is a non-negative multiple of the size below 4096 × size, else
   * `ldur` (-256..255), as `as` chooses; pre/post-index take -256..255.
   */
  putLdrRegRegOffset(dst: Arm64Reg, base: Arm64BaseReg, offset: number, mode: Arm64IndexMode = 'offset'): void {
    this.ldst('putLdrRegRegOffset', 'ldr', dst, base, offset, mode, false);
  }

  /** `str src, [base, #offset]` (forms as {@link putLdrRegRegOffset}). */
  putStrRegRegOffset(src: Arm64Reg, base: Arm64BaseReg, offset: number, mode: Arm64IndexMode = 'offset'): void {
    this.ldst('putStrRegRegOffset', 'str', src, base, offset, mode, false);
  }

  /** `ldur dst, [base, #offset]`: the unscaled form (offset -256..255, any alignment). */
  putLdurRegRegOffset(dst: Arm64Reg, base: Arm64BaseReg, offset: number): void {
    this.ldst('putLdurRegRegOffset', 'ldr', dst, base, offset, 'offset', true);
  }

  /** `stur src, [base, #offset]`: the unscaled form (offset -256..255, any alignment). */
  putSturRegRegOffset(src: Arm64Reg, base: Arm64BaseReg, offset: number): void {
    this.ldst('putSturRegRegOffset', 'str', src, base, offset, 'offset', true);
  }

  /** `ldrb dst, [base, #offset]`: loads a byte, zero-extended (forms as {@link putLdrRegRegOffset}). */
  putLdrbRegRegOffset(dst: Arm64WReg | 'wzr', base: Arm64BaseReg, offset: number, mode: Arm64IndexMode = 'offset'): void {
    this.ldst('putLdrbRegRegOffset', 'ldrb', dst, base, offset, mode, false);
  }

  /** `strb src, [base, #offset]`: stores the low byte. */
  putStrbRegRegOffset(src: Arm64WReg | 'wzr', base: Arm64BaseReg, offset: number, mode: Arm64IndexMode = 'offset'): void {
    this.ldst('putStrbRegRegOffset', 'strb', src, base, offset, mode, false);
  }

  /** `ldrh dst, [base, #offset]`: loads a halfword, zero-extended. */
  putLdrhRegRegOffset(dst: Arm64WReg | 'wzr', base: Arm64BaseReg, offset: number, mode: Arm64IndexMode = 'offset'): void {
    this.ldst('putLdrhRegRegOffset', 'ldrh', dst, base, offset, mode, false);
  }

  /** `strh src, [base, #offset]`: stores the low halfword. */
  putStrhRegRegOffset(src: Arm64WReg | 'wzr', base: Arm64BaseReg, offset: number, mode: Arm64IndexMode = 'offset'): void {
    this.ldst('putStrhRegRegOffset', 'strh', src, base, offset, mode, false);
  }

  /** `ldrsb dst, [base, #offset]`: loads a byte, sign-extended to w or x. */
  putLdrsbRegRegOffset(dst: Arm64XReg | Arm64WReg, base: Arm64BaseReg, offset: number, mode: Arm64IndexMode = 'offset'): void {
    this.ldst('putLdrsbRegRegOffset', 'ldrsb', dst, base, offset, mode, false);
  }

  /** `ldrsh dst, [base, #offset]`: loads a halfword, sign-extended to w or x. */
  putLdrshRegRegOffset(dst: Arm64XReg | Arm64WReg, base: Arm64BaseReg, offset: number, mode: Arm64IndexMode = 'offset'): void {
    this.ldst('putLdrshRegRegOffset', 'ldrsh', dst, base, offset, mode, false);
  }

  /** `ldrsw dst, [base, #offset]`: loads a word, sign-extended to x. */
  putLdrswRegRegOffset(dst: Arm64XReg, base: Arm64BaseReg, offset: number, mode: Arm64IndexMode = 'offset'): void {
    this.ldst('putLdrswRegRegOffset', 'ldrsw', dst, base, offset, mode, false);
  }

  /**
   * `ldp a, b, [base, #offset]` (or pre/post-index with `mode`): a pair of x, w, s, d or q
   * registers (both the same view); offset a multiple of the size in -64..63 × size.
   */
  putLdpRegRegRegOffset(
    a: Arm64XReg | Arm64WReg | Arm64SReg | Arm64DReg | Arm64QReg | 'xzr' | 'wzr',
    b: Arm64XReg | Arm64WReg | Arm64SReg | Arm64DReg | Arm64QReg | 'xzr' | 'wzr',
    base: Arm64BaseReg, offset: number, mode: Arm64IndexMode = 'offset',
  ): void {
    this.pair('putLdpRegRegRegOffset', true, a, b, base, offset, mode);
  }

  /** `stp a, b, [base, #offset]` (forms as {@link putLdpRegRegRegOffset}). */
  putStpRegRegRegOffset(
    a: Arm64XReg | Arm64WReg | Arm64SReg | Arm64DReg | Arm64QReg | 'xzr' | 'wzr',
    b: Arm64XReg | Arm64WReg | Arm64SReg | Arm64DReg | Arm64QReg | 'xzr' | 'wzr',
    base: Arm64BaseReg, offset: number, mode: Arm64IndexMode = 'offset',
  ): void {
    this.pair('putStpRegRegRegOffset', false, a, b, base, offset, mode);
  }

  /** `stp a, b, [sp, #-16]!`: pushes two x or d registers (sp stays 16-byte aligned). */
  putPushRegReg(a: Arm64XReg | Arm64DReg | 'xzr', b: Arm64XReg | Arm64DReg | 'xzr'): void {
    this.pair('putPushRegReg', false, a, b, 'sp', -16, 'pre');
  }

  /** `ldp a, b, [sp], #16`: pops what {@link putPushRegReg} pushed. */
  putPopRegReg(a: Arm64XReg | Arm64DReg, b: Arm64XReg | Arm64DReg): void {
    this.pair('putPopRegReg', true, a, b, 'sp', 16, 'post');
  }

  // ---- labels and data ----------------------------------------------------------------------

  /** Defines `name` at the current offset; each name may be defined once. */
  putLabel(name: string): void {
    this.labelName('putLabel', name);
    if (name.startsWith('\0')) throw operandError('putLabel', `label names starting with NUL are reserved`);
    if (this.labels.has(name)) throw operandError('putLabel', `label '${name}' is already defined`);
    this.labels.set(name, this.code.length);
  }

  /** A raw instruction word (little-endian), e.g. one this writer has no emitter for. */
  putInstruction(word: number): void {
    this.ins('putInstruction', this.u32Value('putInstruction', word));
  }

  /** A raw little-endian 32-bit value (data; no alignment required). */
  putU32(v: number): void {
    this.u32(this.u32Value('putU32', v));
  }

  /** A raw little-endian 64-bit value, for literal pools (align to 8 first for single-copy atomic loads). */
  putU64(v: bigint): void {
    if (typeof v !== 'bigint' || v < 0n || v > U64_MAX) {
      throw operandError('putU64', `value ${String(v)} is not a bigint in 0..2^64-1`);
    }
    for (let i = 0n; i < 64n; i += 8n) this.code.push(Number((v >> i) & 0xffn));
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

  /**
   * Pads up to a multiple of `boundary` (a power of two ≥ 4) with the 32-bit `fill` word,
   * `udf #0` by default so stray execution traps; the current offset must be a multiple of 4.
   */
  putAlign(boundary: number, fill = 0): void {
    if (!Number.isInteger(boundary) || boundary < 4 || (boundary & (boundary - 1)) !== 0) {
      throw operandError('putAlign', `boundary ${boundary} is not a power of two ≥ 4`);
    }
    const word = this.u32Value('putAlign', fill);
    this.aligned('putAlign');
    while (this.code.length % boundary !== 0) this.u32(word);
  }

  /**
   * Resolves label references and returns the bytes. A label never defined throws a
   * RangeError with code `ERR_ASM_UNDEFINED_LABEL` (the code X64Writer uses); a label out
   * of the instruction's reach, or not 4-byte aligned for a branch or literal load, throws
   * `ERR_ASM_OPERAND`. Both name the emitter that referenced it. Pending literals of
   * {@link putLdrRegU64} are first written at the end, as {@link putLiteralPool} does.
   */
  finish(): Uint8Array {
    this.putLiteralPool();
    const out = Uint8Array.from(this.code);
    const view = new DataView(out.buffer);
    for (const f of this.fixups) {
      const target = this.labels.get(f.label);
      if (target === undefined) {
        throw Object.assign(new RangeError(`Arm64Writer.${f.emitter}: label '${f.label}' is never defined`), {
          code: 'ERR_ASM_UNDEFINED_LABEL',
        });
      }
      const what = f.label.startsWith('\0') ? 'its literal-pool entry' : `label '${f.label}'`;
      const field = this.pcRelField(f.emitter, f.kind, target - f.at, what);
      view.setUint32(f.at, (view.getUint32(f.at, true) | field) >>> 0, true);
    }
    return out;
  }

  // ---- encoding helpers ----------------------------------------------------------------------

  private reg(emitter: string, r: string, accept: Accept): RegInfo {
    const info = typeof r === 'string' ? REGS.get(r) : undefined;
    if (info === undefined || !accept.kinds.includes(info.kind)
        || (info.sp && !accept.sp) || (info.zr && !accept.zr)) {
      throw operandError(emitter, `'${String(r)}' is not ${accept.what}`);
    }
    return info;
  }

  private sameWidth(emitter: string, ...rs: RegInfo[]): void {
    if (rs.some((r) => r.kind !== rs[0].kind)) {
      throw operandError(emitter, `registers ${rs.map((r) => `'${r.name}'`).join(', ')} mix 64-bit and 32-bit views`);
    }
  }

  private cond(emitter: string, cond: Arm64Cond): number {
    if (typeof cond !== 'string' || !Object.hasOwn(COND, cond)) {
      throw operandError(emitter, `unknown condition '${String(cond)}' (expected one of ${Object.keys(COND).join(', ')})`);
    }
    return COND[cond];
  }

  private uimm(emitter: string, v: number, bits: number): number {
    if (!Number.isInteger(v) || v < 0 || v >= 2 ** bits) {
      throw operandError(emitter, `immediate ${v} is not an integer in 0..${2 ** bits - 1}`);
    }
    return v;
  }

  private u32Value(emitter: string, v: number): number {
    if (!Number.isInteger(v) || v < 0 || v > 0xffff_ffff) {
      throw operandError(emitter, `value ${v} is not an integer in 0..0xffffffff`);
    }
    return v;
  }

  private address(emitter: string, what: string, v: bigint): void {
    if (typeof v !== 'bigint' || v < 0n || v > U64_MAX) {
      throw operandError(emitter, `${what} ${String(v)} is not a bigint address in 0..2^64-1`);
    }
  }

  private labelName(emitter: string, name: string): void {
    if (typeof name !== 'string' || name === '') {
      throw operandError(emitter, `label name ${String(name)} is not a non-empty string`);
    }
  }

  private aligned(emitter: string): void {
    if (this.code.length % 4 !== 0) {
      throw operandError(emitter, `offset ${this.code.length} is not a multiple of 4 (instructions are word-aligned)`);
    }
  }

  /** Appends one instruction word. */
  private ins(emitter: string, word: number): void {
    this.aligned(emitter);
    this.u32(word >>> 0);
  }

  private u32(v: number): void {
    this.code.push(v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff);
  }

  /** Records a fixup for the instruction about to be emitted at the current offset. */
  private fixup(emitter: string, kind: FixupKind, label: string): void {
    this.aligned(emitter);
    this.fixups.push({ at: this.code.length, label, emitter, kind });
  }

  private branchLabel(emitter: string, kind: FixupKind, label: string, word: number): void {
    this.labelName(emitter, label);
    this.fixup(emitter, kind, label);
    this.ins(emitter, word);
  }

  /** The encoded pc-relative field for byte distance `delta`, checked for reach and alignment. */
  private pcRelField(emitter: string, kind: FixupKind, delta: number, what = 'offset'): number {
    const { bits, scale, reach } = FIELD[kind];
    const name = what === 'offset' ? `offset ${delta}` : `${what} (at distance ${delta})`;
    if (!Number.isInteger(delta)) throw operandError(emitter, `${name} is not an integer`);
    if (delta % scale !== 0) throw operandError(emitter, `${name} is not a multiple of ${scale}`);
    const v = delta / scale;
    if (v < -(2 ** (bits - 1)) || v >= 2 ** (bits - 1)) throw operandError(emitter, `${name} is out of reach (${reach})`);
    switch (kind) {
      case 'imm26': return v & 0x3ff_ffff;
      case 'imm19': return (v & 0x7_ffff) << 5;
      case 'imm14': return (v & 0x3fff) << 5;
      case 'adr': return adrImm(v);
    }
  }

  private ldrLiteralWord(emitter: string, dst: string): number {
    const r = this.reg(emitter, dst, { kinds: ['x', 'w', 's', 'd', 'q'], what: 'an x, w, s, d or q register' });
    const opc = { w: 0, x: 1, s: 0, d: 1, q: 2 }[r.kind as 'x' | 'w' | 's' | 'd' | 'q'];
    const v = r.kind === 'x' || r.kind === 'w' ? 0 : 1;
    return (opc << 30) | 0x1800_0000 | (v << 26) | r.n;
  }

  private testBit(emitter: string, op: number, reg: string, bit: number, label: string): void {
    const r = this.reg(emitter, reg, GP);
    const max = r.kind === 'x' ? 63 : 31;
    if (!Number.isInteger(bit) || bit < 0 || bit > max) {
      throw operandError(emitter, `bit ${bit} is not an integer in 0..${max} for '${r.name}'`);
    }
    this.branchLabel(emitter, 'imm14', label, ((bit >> 5) << 31) | op | ((bit & 31) << 19) | r.n);
  }

  private moveWide(emitter: string, opc: number, dst: string, imm16: number, shift: number): void {
    const d = this.reg(emitter, dst, GP);
    this.uimm(emitter, imm16, 16);
    const shifts = d.kind === 'x' ? [0, 16, 32, 48] : [0, 16];
    if (!shifts.includes(shift)) {
      throw operandError(emitter, `shift ${shift} is not one of ${shifts.join(', ')} for '${d.name}'`);
    }
    this.ins(emitter, sf(d) | (opc << 29) | 0x1280_0000 | ((shift / 16) << 21) | (imm16 << 5) | d.n);
  }

  /** add/sub (immediate); `dst` null means cmp (subs into the zero register). */
  private addSubImm(emitter: string, op: number, dst: string | null, src: string, imm: number, shift: number): void {
    const s = this.reg(emitter, src, GP_SP);
    const d = dst === null ? null : this.reg(emitter, dst, GP_SP);
    if (d) this.sameWidth(emitter, d, s);
    this.uimm(emitter, imm, 12);
    if (shift !== 0 && shift !== 12) throw operandError(emitter, `shift ${shift} is not 0 or 12`);
    const word = sf(s) | (op << 30) | (d ? 0 : 1 << 29) | 0x1100_0000 | ((shift / 12) << 22)
      | (imm << 10) | (s.n << 5) | (d ? d.n : 31);
    this.ins(emitter, word);
  }

  /** add/sub (shifted or extended register); `dst` null means cmp. */
  private addSubReg(emitter: string, op: number, setFlags: number, dst: string | null, a: string, b: string, lsl: number): void {
    const any: Accept = { ...GP_SP, zr: true, what: 'a general-purpose register (x0..x30, w0..w30, sp, wsp, xzr, wzr)' };
    const d = dst === null ? null : this.reg(emitter, dst, any);
    const n = this.reg(emitter, a, any);
    const m = this.reg(emitter, b, GP_ZR);
    this.sameWidth(emitter, ...(d ? [d, n, m] : [n, m]));
    const extended = n.sp || (d !== null && d.sp);
    if (extended) {
      if (n.zr || (d && d.zr)) {
        throw operandError(emitter, `'${n.zr ? n.name : d?.name}' cannot be combined with the stack pointer`);
      }
      if (!Number.isInteger(lsl) || lsl < 0 || lsl > 4) {
        throw operandError(emitter, `shift ${lsl} is not an integer in 0..4 (extended-register form, with sp)`);
      }
      const option = n.kind === 'x' ? 3 : 2; // uxtx / uxtw
      this.ins(emitter, sf(n) | (op << 30) | (setFlags << 29) | 0x0b20_0000 | (m.n << 16) | (option << 13)
        | (lsl << 10) | (n.n << 5) | (d ? d.n : 31));
    } else {
      const max = n.kind === 'x' ? 63 : 31;
      if (!Number.isInteger(lsl) || lsl < 0 || lsl > max) {
        throw operandError(emitter, `shift ${lsl} is not an integer in 0..${max}`);
      }
      this.ins(emitter, sf(n) | (op << 30) | (setFlags << 29) | 0x0b00_0000 | (m.n << 16) | (lsl << 10)
        | (n.n << 5) | (d ? d.n : 31));
    }
  }

  /** Single-register load/store: unsigned-offset, unscaled, pre- and post-index forms. */
  private ldst(
    emitter: string, op: 'ldr' | 'str' | 'ldrb' | 'strb' | 'ldrh' | 'strh' | 'ldrsb' | 'ldrsh' | 'ldrsw',
    reg: string, base: string, offset: number, mode: Arm64IndexMode, unscaled: boolean,
  ): void {
    let r: RegInfo;
    let size: number; // log2 of the access size in bytes
    let opc: number;
    let v = 0;
    switch (op) {
      case 'ldr': case 'str': {
        r = this.reg(emitter, reg, {
          kinds: ['x', 'w', 'b', 'h', 's', 'd', 'q'], zr: true,
          what: 'an x, w, b, h, s, d or q register (or xzr/wzr)',
        });
        const load = op === 'ldr' ? 1 : 0;
        v = r.kind === 'x' || r.kind === 'w' ? 0 : 1;
        size = Math.log2(SIZE[r.kind]);
        opc = r.kind === 'q' ? 2 | load : load;
        if (r.kind === 'q') size = 0;
        break;
      }
      case 'ldrb': case 'strb': case 'ldrh': case 'strh':
        r = this.reg(emitter, reg, W_ZR);
        size = op.endsWith('b') ? 0 : 1;
        opc = op.startsWith('ldr') ? 1 : 0;
        break;
      case 'ldrsb': case 'ldrsh':
        r = this.reg(emitter, reg, GP);
        size = op === 'ldrsb' ? 0 : 1;
        opc = r.kind === 'x' ? 2 : 3;
        break;
      case 'ldrsw':
        r = this.reg(emitter, reg, GP_X);
        size = 2;
        opc = 2;
        break;
    }
    const scale = r.kind === 'q' && (op === 'ldr' || op === 'str') ? 16 : 1 << size;
    const n = this.reg(emitter, base, BASE);
    if (mode !== 'offset' && mode !== 'pre' && mode !== 'post') {
      throw operandError(emitter, `mode '${String(mode)}' is not 'offset', 'pre' or 'post'`);
    }
    if (!Number.isInteger(offset)) throw operandError(emitter, `offset ${offset} is not an integer`);
    if (mode !== 'offset' && v === 0 && !r.zr && r.n === n.n && !n.sp) {
      throw operandError(emitter, `'${r.name}' is also the written-back base (unpredictable)`);
    }
    const head = (size << 30) | 0x3800_0000 | (v << 26) | (opc << 22) | (n.n << 5) | r.n;
    if (mode === 'offset' && !unscaled && offset >= 0 && offset % scale === 0 && offset / scale < 4096) {
      this.ins(emitter, head | (1 << 24) | ((offset / scale) << 10));
      return;
    }
    if (offset < -256 || offset > 255) {
      const scaled = mode === 'offset' && !unscaled
        ? ` or a multiple of ${scale} in 0..${4095 * scale}` : '';
      throw operandError(emitter, `offset ${offset} is not in -256..255${scaled}`);
    }
    const idx = mode === 'offset' ? 0 : mode === 'post' ? 1 : 3;
    this.ins(emitter, head | ((offset & 0x1ff) << 12) | (idx << 10));
  }

  /** ldp/stp: signed-offset, pre- and post-index forms. */
  private pair(emitter: string, load: boolean, a: string, b: string, base: string, offset: number, mode: Arm64IndexMode): void {
    const accept: Accept = { kinds: ['x', 'w', 's', 'd', 'q'], zr: true, what: 'an x, w, s, d or q register (or xzr/wzr)' };
    const t1 = this.reg(emitter, a, accept);
    const t2 = this.reg(emitter, b, accept);
    const n = this.reg(emitter, base, BASE);
    if (t1.kind !== t2.kind) throw operandError(emitter, `'${t1.name}' and '${t2.name}' are not the same register view`);
    if (mode !== 'offset' && mode !== 'pre' && mode !== 'post') {
      throw operandError(emitter, `mode '${String(mode)}' is not 'offset', 'pre' or 'post'`);
    }
    if (load && t1.name === t2.name) throw operandError(emitter, `loads '${t1.name}' twice (unpredictable)`);
    const gp = t1.kind === 'x' || t1.kind === 'w';
    if (mode !== 'offset' && gp && !n.sp && [t1, t2].some((t) => !t.zr && t.n === n.n)) {
      throw operandError(emitter, `'x${n.n}' is both a transfer register and the written-back base (unpredictable)`);
    }
    const scale = SIZE[t1.kind];
    if (!Number.isInteger(offset) || offset % scale !== 0 || offset < -64 * scale || offset > 63 * scale) {
      throw operandError(emitter, `offset ${offset} is not a multiple of ${scale} in ${-64 * scale}..${63 * scale}`);
    }
    const opc = { w: 0, x: 2, s: 0, d: 1, q: 2 }[t1.kind as 'x' | 'w' | 's' | 'd' | 'q'];
    const m = mode === 'post' ? 1 : mode === 'offset' ? 2 : 3;
    this.ins(emitter, (opc << 30) | 0x2800_0000 | ((gp ? 0 : 1) << 26) | (m << 23) | ((load ? 1 : 0) << 22)
      | (((offset / scale) & 0x7f) << 15) | (t2.n << 10) | (n.n << 5) | t1.n);
  }
}

/** The `sf` bit: set for the 64-bit view. */
function sf(r: RegInfo): number {
  return r.kind === 'x' ? 0x8000_0000 : 0;
}

/** adr/adrp immediate split: immlo in bits 29..30, immhi in bits 5..23. */
function adrImm(v: number): number {
  return ((v & 3) << 29) | (((v >> 2) & 0x7_ffff) << 5);
}
