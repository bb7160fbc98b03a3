// Checks every Arm64Writer emitter word for word against GNU `as` for AArch64: all cases go
// into one source file, assembled once; each case is bracketed by `cN:` / `cN_e:` symbols so
// its bytes can be cut out of `.text` using the addresses `nm` reports (as asm-x64 does).
// Needs binutils-aarch64-linux-gnu (CI installs it); without it these tests fail and say so.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  Arm64Writer, type Arm64BaseReg, type Arm64Cond, type Arm64DReg, type Arm64IndexMode, type Arm64Reg,
  type Arm64SReg, type Arm64WReg, type Arm64XReg, type Arm64QReg, type Arm64GpReg, type Arm64BtiKind,
} from '../src/asm/arm64';
import { rejecter } from './support/asm-operands';
import { skipWithoutTool } from './support/assembler';

const INSTALL = 'apt-get install -y binutils-aarch64-linux-gnu';
const AS = 'aarch64-linux-gnu-as';
const NM = 'aarch64-linux-gnu-nm';
const OBJCOPY = 'aarch64-linux-gnu-objcopy';
const LD = 'aarch64-linux-gnu-ld';

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);
const X = range(31).map((i) => `x${i}` as Arm64XReg);
const W = range(31).map((i) => `w${i}` as Arm64WReg);
const fp = <R extends string>(k: string): R[] => range(32).map((i) => `${k}${i}` as R);
const S = fp<Arm64SReg>('s');
const D = fp<Arm64DReg>('d');
const Q = fp<Arm64QReg>('q');
const B = fp<Arm64Reg>('b');
const H = fp<Arm64Reg>('h');
const BASES: readonly Arm64BaseReg[] = [...X, 'sp'];
const CONDS: readonly Arm64Cond[] = [
  'eq', 'ne', 'cs', 'hs', 'cc', 'lo', 'mi', 'pl', 'vs', 'vc', 'hi', 'ls', 'ge', 'lt', 'gt', 'le', 'al',
];
const MODES: readonly Arm64IndexMode[] = ['offset', 'pre', 'post'];

/** One instruction (or snippet): `asm` gets the case's symbol, to make its labels unique. */
interface Case {
  group: string;
  asm: string | ((sym: string) => string);
  emit(w: Arm64Writer): void;
  align?: number;
}

const hex = (v: number | bigint): string => (v < 0 ? `-0x${(-v).toString(16)}` : `0x${v.toString(16)}`);
const pcrel = (off: number): string => (off < 0 ? `. - ${-off}` : `. + ${off}`);

const cases: Case[] = [];
const add = (group: string, asm: Case['asm'], emit: Case['emit'], align?: number): void => {
  cases.push({ group, asm, emit, align });
};
/** Rotates through a list, so pairs cover every register without all n² combinations. */
const other = <T>(list: readonly T[], i: number, k = 7): T => list[(i + k) % list.length];

// ---- pc-relative loads and addresses -------------------------------------------------------
const LIT_REGS = [...X, ...W, ...S, ...D, ...Q] as const;
const IMM19_OFFS = [0, 4, -4, 8, 0x1234 * 4, -0x1234 * 4, 1048572, -1048576];
for (const r of LIT_REGS) {
  for (const off of IMM19_OFFS) add('putLdrRegPcRel', `ldr ${r}, ${pcrel(off)}`, (w) => w.putLdrRegPcRel(r, off));
  add('putLdrRegLiteral', (s) => `ldr ${r}, ${s}_lit\nnop\n${s}_lit: .quad 0x1122334455667788`, (w) => {
    w.putLdrRegLiteral(r, 'lit'); w.putNop(); w.putLabel('lit'); w.putU64(0x1122334455667788n);
  });
  add('putLdrRegLiteral', (s) => `${s}_lit: .word 0x11223344\nnop\nldr ${r}, ${s}_lit`, (w) => {
    w.putLabel('lit'); w.putU32(0x11223344); w.putNop(); w.putLdrRegLiteral(r, 'lit');
  });
}
const ADR_OFFS = [0, 1, 2, 3, -1, -2, -3, 5, 0x12345, -0x12345, 1048575, -1048576];
for (const r of X) {
  for (const off of ADR_OFFS) add('putAdrRegPcRel', `adr ${r}, ${pcrel(off)}`, (w) => w.putAdrRegPcRel(r, off));
  add('putAdrRegLabel', (s) => `adr ${r}, ${s}_t\n.byte 1, 2, 3\n${s}_t:`, (w) => {
    w.putAdrRegLabel(r, 't'); w.putBytes([1, 2, 3]); w.putLabel('t');
  });
  add('putAdrRegLabel', (s) => `${s}_t: .byte 1\n.balign 4\nadr ${r}, ${s}_t`, (w) => {
    w.putLabel('t'); w.putBytes([1, 0, 0, 0]); w.putAdrRegLabel(r, 't');
  });
}

// ---- branches ------------------------------------------------------------------------------
const IMM26_OFFS = [0, 4, -4, 0x123458, -0x123458, 0x7fffffc, -0x8000000];
for (const off of IMM26_OFFS) {
  add('putBPcRel', `b ${pcrel(off)}`, (w) => w.putBPcRel(off));
  add('putBlPcRel', `bl ${pcrel(off)}`, (w) => w.putBlPcRel(off));
}
for (const cc of CONDS) {
  for (const off of IMM19_OFFS) add('putBCondPcRel', `b.${cc} ${pcrel(off)}`, (w) => w.putBCondPcRel(cc, off));
  add('putBCondLabel', (s) => `b.${cc} ${s}_f\nbrk #0\n${s}_f: ret`, (w) => {
    w.putBCondLabel(cc, 'f'); w.putBrk(); w.putLabel('f'); w.putRet();
  });
  add('putBCondLabel', (s) => `${s}_b: nop\nb.${cc} ${s}_b`, (w) => {
    w.putLabel('b'); w.putNop(); w.putBCondLabel(cc, 'b');
  });
}
for (const r of [...X, ...W]) {
  for (const [op, emit] of [
    ['cbz', (w: Arm64Writer, l: string) => w.putCbzRegLabel(r, l)],
    ['cbnz', (w: Arm64Writer, l: string) => w.putCbnzRegLabel(r, l)],
  ] as const) {
    add(`put${op === 'cbz' ? 'Cbz' : 'Cbnz'}RegLabel`, (s) => `${op} ${r}, ${s}_f\nnop\n${s}_f: ret`, (w) => {
      emit(w, 'f'); w.putNop(); w.putLabel('f'); w.putRet();
    });
    add(`put${op === 'cbz' ? 'Cbz' : 'Cbnz'}RegLabel`, (s) => `${s}_b: ${op} ${r}, ${s}_b`, (w) => {
      w.putLabel('b'); emit(w, 'b');
    });
  }
  const bits = r.startsWith('x') ? [0, 1, 5, 31, 32, 47, 63] : [0, 1, 5, 17, 31];
  for (const bit of bits) {
    add('putTbzRegImmLabel', (s) => `tbz ${r}, #${bit}, ${s}_f\nnop\n${s}_f:`, (w) => {
      w.putTbzRegImmLabel(r, bit, 'f'); w.putNop(); w.putLabel('f');
    });
    add('putTbnzRegImmLabel', (s) => `${s}_b: nop\ntbnz ${r}, #${bit}, ${s}_b`, (w) => {
      w.putLabel('b'); w.putNop(); w.putTbnzRegImmLabel(r, bit, 'b');
    });
  }
}
for (const r of X) {
  add('putBrReg', `br ${r}`, (w) => w.putBrReg(r));
  add('putBlrReg', `blr ${r}`, (w) => w.putBlrReg(r));
  add('putRet', `ret ${r}`, (w) => w.putRet(r));
}
add('putRet', 'ret', (w) => w.putRet());

/**
 * Label distances at the edge of each field's reach, forward and backward (the label sits
 * `dist` bytes after / before the referencing instruction). Padding is zeros.
 */
const EDGES: readonly [string, number, number, (w: Arm64Writer, l: string) => void, (l: string) => string][] = [
  ['putBCondLabel', 1048572, -1048576, (w, l) => w.putBCondLabel('ne', l), (l) => `b.ne ${l}`],
  ['putCbzRegLabel', 1048572, -1048576, (w, l) => w.putCbzRegLabel('x3', l), (l) => `cbz x3, ${l}`],
  ['putCbnzRegLabel', 1048572, -1048576, (w, l) => w.putCbnzRegLabel('w9', l), (l) => `cbnz w9, ${l}`],
  ['putTbzRegImmLabel', 32764, -32768, (w, l) => w.putTbzRegImmLabel('x1', 40, l), (l) => `tbz x1, #40, ${l}`],
  ['putTbnzRegImmLabel', 32764, -32768, (w, l) => w.putTbnzRegImmLabel('w1', 3, l), (l) => `tbnz w1, #3, ${l}`],
  ['putLdrRegLiteral', 1048572, -1048576, (w, l) => w.putLdrRegLiteral('q7', l), (l) => `ldr q7, ${l}`],
  ['putAdrRegLabel', 1048575, -1048576, (w, l) => w.putAdrRegLabel('x17', l), (l) => `adr x17, ${l}`],
  ['putBLabel', 0x20000, -0x20000, (w, l) => w.putBLabel(l), (l) => `b ${l}`],
  ['putBlLabel', 0x20004, -0x20004, (w, l) => w.putBlLabel(l), (l) => `bl ${l}`],
];
for (const [group, fwd, back, emit, asm] of EDGES) {
  add(group, (s) => `${asm(`${s}_f`)}\n.skip ${fwd - 4}\n${s}_f:`, (w) => {
    emit(w, 'f'); w.putBytes(new Uint8Array(fwd - 4)); w.putLabel('f');
  });
  add(group, (s) => `${s}_b:\n.skip ${-back}\n${asm(`${s}_b`)}`, (w) => {
    w.putLabel('b'); w.putBytes(new Uint8Array(-back)); emit(w, 'b');
  });
}
for (const [op, emit] of [
  ['b', (w: Arm64Writer, l: string) => w.putBLabel(l)], ['bl', (w: Arm64Writer, l: string) => w.putBlLabel(l)],
] as const) {
  const group = op === 'b' ? 'putBLabel' : 'putBlLabel';
  add(group, (s) => `${op} ${s}_f\nnop\nnop\n${s}_f: ret`, (w) => {
    emit(w, 'f'); w.putNop(); w.putNop(); w.putLabel('f'); w.putRet();
  });
  add(group, (s) => `${s}_self: ${op} ${s}_self`, (w) => { w.putLabel('self'); emit(w, 'self'); });
  add(group, (s) => `${s}_b: nop\n${op} ${s}_b`, (w) => { w.putLabel('b'); w.putNop(); emit(w, 'b'); });
}

// ---- hints and traps -----------------------------------------------------------------------
for (const k of [undefined, 'c', 'j', 'jc'] as const) {
  add('putBti', `bti${k ? ` ${k}` : ''}`, (w) => w.putBti(k as Arm64BtiKind | undefined));
}
add('putNop', 'nop', (w) => w.putNop());
add('putBrk', 'brk #0', (w) => w.putBrk());
for (const imm of [0, 1, 0x3e8, 0xf000, 0xffff]) {
  add('putBrk', `brk #${imm}`, (w) => w.putBrk(imm));
  add('putUdf', `udf #${imm}`, (w) => w.putUdf(imm));
}

// ---- moves ---------------------------------------------------------------------------------
const XS: readonly Arm64GpReg[] = [...X, 'sp', 'xzr'];
const WS: readonly Arm64GpReg[] = [...W, 'wsp', 'wzr'];
for (const regs of [XS, WS]) {
  for (const d of regs) for (const s of regs) {
    const spzr = (r: string): number => (r.endsWith('sp') ? 1 : r.endsWith('zr') ? 2 : 0);
    if (spzr(d) + spzr(s) === 3) continue; // sp <-> zr: no single instruction (rejected below)
    add('putMovRegReg', `mov ${d}, ${s}`, (w) => w.putMovRegReg(d, s));
  }
}
for (const [ds, ss] of [[S, S], [D, D], [D, [...X, 'xzr']], [S, [...W, 'wzr']], [X, D], [W, S]] as const) {
  ds.forEach((d, i) => {
    for (const s of ds === ss ? ss : [other(ss, i), ...ss.slice(0, 4), ss[ss.length - 1]]) {
      add('putFmovRegReg', `fmov ${d}, ${s}`, (w) => w.putFmovRegReg(d as Arm64DReg, s as Arm64DReg));
    }
  });
}
const IMM16S = [0, 1, 0x1234, 0x8000, 0xffff];
for (const r of [...X, ...W]) {
  for (const shift of r.startsWith('x') ? [0, 16, 32, 48] : [0, 16]) for (const imm of IMM16S) {
    const sh = `#${hex(imm)}, lsl #${shift}`;
    add('putMovzRegImm', `movz ${r}, ${sh}`, (w) => w.putMovzRegImm(r, imm, shift));
    add('putMovkRegImm', `movk ${r}, ${sh}`, (w) => w.putMovkRegImm(r, imm, shift));
    add('putMovnRegImm', `movn ${r}, ${sh}`, (w) => w.putMovnRegImm(r, imm, shift));
  }
}
add('putMovzRegImm', 'movz x3, #7', (w) => w.putMovzRegImm('x3', 7));

/**
 * Reference for putMovRegU64: `mov reg, #v` when one movz/movn does it (as chooses the
 * instruction itself), else the movz- or movn-based sequence with fewer instructions.
 */
function movSequence(r: string, v: bigint): string {
  const fields = r.startsWith('x') ? 4 : 2;
  const hw = range(fields).map((i) => Number((v >> BigInt(16 * i)) & 0xffffn));
  const zeroBased = hw.map((h, i) => [h, i] as const).filter(([h]) => h !== 0);
  const onesBased = hw.map((h, i) => [h, i] as const).filter(([h]) => h !== 0xffff);
  if (Math.min(zeroBased.length, onesBased.length) <= 1) return `mov ${r}, #${hex(v)}`;
  const ones = onesBased.length < zeroBased.length;
  const [[h0, i0], ...rest] = ones ? onesBased : zeroBased;
  return [`${ones ? 'movn' : 'movz'} ${r}, #${hex(ones ? h0 ^ 0xffff : h0)}, lsl #${16 * i0}`,
    ...rest.map(([h, i]) => `movk ${r}, #${hex(h)}, lsl #${16 * i}`)].join('\n');
}
const U64S = [
  0n, 1n, 0xffffn, 0x10000n, 0xffff0000n, 0xffffffffn, 0x1_0000_0000n, 0x1234_0000_0000n, 0xabcd_0000_0000_0000n,
  0x0123_4567_89ab_cdefn, 0xffff_ffff_ffff_ffffn, 0xffff_ffff_ffff_fffen, 0xffff_ffff_1234_ffffn,
  0x1234_ffff_ffff_ffffn, 0xffff_0000_ffff_0000n, 0x0000_ffff_0000_ffffn, 0xffff_ffff_0000_0000n,
  0x7fff_ffff_ffff_ffffn, 0x8000_0000_0000_0000n, 0xdead_beef_0000_1234n, 0x0000_7fff_dead_b000n,
  0xffff_8000_0000_0000n, 0x1234_5678n, 0xffff_1234n, 0x1234_ffffn, 0x8000_0000n,
];
for (const r of [...X, ...W]) {
  const wide = r.startsWith('x');
  for (const v of U64S) {
    if (!wide && v > 0xffff_ffffn) continue;
    add('putMovRegU64', movSequence(r, v), (w) => w.putMovRegU64(r, v));
  }
}

// ---- arithmetic ----------------------------------------------------------------------------
const XSP: readonly (Arm64XReg | 'sp')[] = [...X, 'sp'];
const WSP: readonly (Arm64WReg | 'wsp')[] = [...W, 'wsp'];
const IMM12S = [0, 1, 0x10, 0x800, 0xfff];
for (const regs of [XSP, WSP]) {
  regs.forEach((d, i) => {
    for (const s of regs) add('putAddRegRegImm', `add ${d}, ${s}, #1`, (w) => w.putAddRegRegImm(d, s, 1));
    const s = other(regs, i);
    for (const imm of IMM12S) for (const shift of [0, 12] as const) {
      const sh = shift ? ', lsl #12' : '';
      add('putAddRegRegImm', `add ${d}, ${s}, #${imm}${sh}`, (w) => w.putAddRegRegImm(d, s, imm, shift));
      add('putSubRegRegImm', `sub ${d}, ${s}, #${imm}${sh}`, (w) => w.putSubRegRegImm(d, s, imm, shift));
      add('putCmpRegImm', `cmp ${d}, #${imm}${sh}`, (w) => w.putCmpRegImm(d, imm, shift));
    }
    add('putSubRegRegImm', `sub ${d}, ${d}, #0x20`, (w) => w.putSubRegRegImm(d, d, 0x20));
  });
}
for (const [regs, wide] of [[XS, true], [WS, false]] as const) {
  const plain = regs.filter((r) => !r.endsWith('sp'));
  regs.forEach((d, i) => {
    const a = other(regs, i, 3);
    const b = other(plain, i, 11);
    const viaSp = d.endsWith('sp') || a.endsWith('sp');
    if (viaSp && (d.endsWith('zr') || a.endsWith('zr'))) return;
    const shifts = viaSp ? [0, 1, 2, 3, 4] : wide ? [0, 1, 12, 63] : [0, 1, 12, 31];
    for (const lsl of shifts) {
      const sh = lsl ? `, lsl #${lsl}` : '';
      add('putAddRegRegReg', `add ${d}, ${a}, ${b}${sh}`, (w) => w.putAddRegRegReg(d, a, b as Arm64XReg, lsl));
      add('putSubRegRegReg', `sub ${d}, ${a}, ${b}${sh}`, (w) => w.putSubRegRegReg(d, a, b as Arm64XReg, lsl));
    }
    for (const bb of plain) add('putAddRegRegReg', `add ${d}, ${a}, ${bb}`, (w) => w.putAddRegRegReg(d, a, bb as Arm64XReg));
    for (const bb of [b, plain[0], plain[plain.length - 1]]) {
      add('putCmpRegReg', `cmp ${d}, ${bb}`, (w) => w.putCmpRegReg(d, bb as Arm64XReg));
    }
  });
}

// ---- loads and stores ------------------------------------------------------------------------
const mem = (base: string, off: number, mode: Arm64IndexMode): string =>
  mode === 'pre' ? `[${base}, #${off}]!` : mode === 'post' ? `[${base}], #${off}` : off === 0 ? `[${base}]` : `[${base}, #${off}]`;

/** Offsets around every edge of the scaled, unscaled and index forms for an access of `scale` bytes. */
function ldstOffsets(scale: number, mode: Arm64IndexMode, unscaled = false): number[] {
  const simm9 = [0, 1, -1, 8, -8, 16, -16, 255, -256, scale, -scale];
  if (mode !== 'offset' || unscaled) return [...new Set(simm9)];
  return [...new Set([...simm9, 256, 4095 * scale, 4094 * scale, 0x123 * scale, 256 * scale])];
}

type LdSt = (w: Arm64Writer, r: Arm64Reg, base: Arm64BaseReg, off: number, mode: Arm64IndexMode) => void;
/**
 * Every data register of each view with bases x1 and sp, and every base with two data
 * registers, over all offsets and modes. Writeback with the data register as base is skipped.
 */
function ldstGroup(group: string, mnem: string, regs: readonly string[], scale: number, emit: LdSt, unscaled = false): void {
  const modes = unscaled ? (['offset'] as const) : MODES;
  const combos: [string, Arm64BaseReg][] = [];
  for (const r of regs) for (const base of ['x1', 'sp'] as const) combos.push([r, base]);
  for (const base of BASES) for (const r of [regs[0], regs[regs.length - 1]]) combos.push([r, base]);
  for (const [r, base] of combos) for (const mode of modes) {
    if (mode !== 'offset' && /^[xw]\d/.test(r) && r.slice(1) === base.slice(1)) continue;
    for (const off of ldstOffsets(scale, mode, unscaled)) {
      add(group, `${mnem} ${r}, ${mem(base, off, mode)}`, (w) => emit(w, r as Arm64Reg, base, off, mode));
    }
  }
}
const VIEWS: readonly [readonly string[], number][] = [
  [[...X, 'xzr'], 8], [[...W, 'wzr'], 4], [B, 1], [H, 2], [S, 4], [D, 8], [Q, 16],
];
for (const [regs, scale] of VIEWS) {
  ldstGroup('putLdrRegRegOffset', 'ldr', regs, scale, (w, r, b, o, m) => w.putLdrRegRegOffset(r, b, o, m));
  ldstGroup('putStrRegRegOffset', 'str', regs, scale, (w, r, b, o, m) => w.putStrRegRegOffset(r, b, o, m));
  ldstGroup('putLdurRegRegOffset', 'ldur', regs, scale, (w, r, b, o) => w.putLdurRegRegOffset(r, b, o), true);
  ldstGroup('putSturRegRegOffset', 'stur', regs, scale, (w, r, b, o) => w.putSturRegRegOffset(r, b, o), true);
}
const WZ = [...W, 'wzr'] as const;
ldstGroup('putLdrbRegRegOffset', 'ldrb', WZ, 1, (w, r, b, o, m) => w.putLdrbRegRegOffset(r as Arm64WReg, b, o, m));
ldstGroup('putStrbRegRegOffset', 'strb', WZ, 1, (w, r, b, o, m) => w.putStrbRegRegOffset(r as Arm64WReg, b, o, m));
ldstGroup('putLdrhRegRegOffset', 'ldrh', WZ, 2, (w, r, b, o, m) => w.putLdrhRegRegOffset(r as Arm64WReg, b, o, m));
ldstGroup('putStrhRegRegOffset', 'strh', WZ, 2, (w, r, b, o, m) => w.putStrhRegRegOffset(r as Arm64WReg, b, o, m));
for (const regs of [X, W]) {
  ldstGroup('putLdrsbRegRegOffset', 'ldrsb', regs, 1, (w, r, b, o, m) => w.putLdrsbRegRegOffset(r as Arm64WReg, b, o, m));
  ldstGroup('putLdrshRegRegOffset', 'ldrsh', regs, 2, (w, r, b, o, m) => w.putLdrshRegRegOffset(r as Arm64WReg, b, o, m));
}
ldstGroup('putLdrswRegRegOffset', 'ldrsw', X, 4, (w, r, b, o, m) => w.putLdrswRegRegOffset(r as Arm64XReg, b, o, m));

type PairReg = Arm64XReg | Arm64DReg;
const PAIR_VIEWS: readonly [readonly string[], number][] = [
  [[...X, 'xzr'], 8], [[...W, 'wzr'], 4], [S, 4], [D, 8], [Q, 16],
];
for (const [regs, scale] of PAIR_VIEWS) {
  const offs = [0, scale, -scale, 63 * scale, -64 * scale, 0x10 * scale, -0x20 * scale];
  const combos: [string, string, Arm64BaseReg][] = [];
  regs.forEach((a, i) => {
    for (const base of ['x1', 'sp'] as const) combos.push([a, other(regs, i, 1), base]);
  });
  for (const base of BASES) combos.push([regs[0], regs[1], base], [regs[29], regs[30], base]);
  for (const [a, b, base] of combos) for (const mode of MODES) {
    const gp = /^[xw]\d/;
    if (mode !== 'offset' && [a, b].some((r) => gp.test(r) && r.slice(1) === base.slice(1))) continue;
    for (const off of offs) {
      const m = mem(base, off, mode);
      add('putLdpRegRegRegOffset', `ldp ${a}, ${b}, ${m}`, (w) => w.putLdpRegRegRegOffset(a as PairReg, b as PairReg, base, off, mode));
      add('putStpRegRegRegOffset', `stp ${a}, ${b}, ${m}`, (w) => w.putStpRegRegRegOffset(a as PairReg, b as PairReg, base, off, mode));
    }
  }
}
for (const regs of [X, D] as const) {
  regs.forEach((a, i) => {
    const b = other(regs, i, 1) as PairReg;
    add('putPushRegReg', `stp ${a}, ${b}, [sp, #-16]!`, (w) => w.putPushRegReg(a, b));
    add('putPopRegReg', `ldp ${a}, ${b}, [sp], #16`, (w) => w.putPopRegReg(a, b));
  });
}

// ---- labels, data, alignment, and a whole thunk ------------------------------------------------
const WORDS = [0, 1, 0xd503201f, 0x7fffffff, 0x80000000, 0xffffffff];
for (const v of WORDS) {
  add('putInstruction', `.inst ${hex(v)}`, (w) => w.putInstruction(v));
  add('putU32', `.word ${hex(v)}`, (w) => w.putU32(v));
}
for (const v of U64S) add('putU64', `.quad ${hex(v)}`, (w) => w.putU64(v));
add('putBytes', '.byte 0, 1, 0x7f, 0x80, 0xff', (w) => w.putBytes([0, 1, 0x7f, 0x80, 0xff]));
add('putBytes', '', (w) => w.putBytes([]));
for (const n of [0, 1, 2, 3, 4, 7]) for (const [boundary, fill] of [[8, 0], [16, 0xd503201f], [4, 0xd4200000]] as const) {
  add('putAlign', `.inst ${range(n).map(() => '0xd503201f').join(', ') || '0xd503201f'}\n.balignl ${boundary}, ${hex(fill)}`, (w) => {
    for (let i = 0; i < Math.max(n, 1); i++) w.putNop();
    w.putAlign(boundary, fill);
  }, 16);
}
// The thunk shape issue 13 asks for: bti c, context and target from a literal pool, x16/x17.
for (const [ctxReg, fnReg] of [['x16', 'x17'], ['x9', 'x10'], ['x17', 'x16']] as const) {
  add('literal pool', (s) => [
    'bti c', `ldr ${ctxReg}, ${s}_ctx`, `ldr ${fnReg}, ${s}_fn`, `br ${fnReg}`, '.balignl 8, 0',
    `${s}_ctx: .quad 0x1122334455667788`, `${s}_fn: .quad 0xfedcba9876543210`,
  ].join('\n'), (w) => {
    w.putBti('c'); w.putLdrRegLiteral(ctxReg, 'ctx'); w.putLdrRegLiteral(fnReg, 'fn'); w.putBrReg(fnReg);
    w.putAlign(8); w.putLabel('ctx'); w.putU64(0x1122334455667788n); w.putLabel('fn'); w.putU64(0xfedcba9876543210n);
  }, 16);
}
// putLdrRegU64's own pool: aligned to 8 with udf #0, 8-byte literals first, equal ones shared.
for (const [i, r] of [...X, ...D].entries()) {
  const v = 0x1122_3344_0000_0000n + BigInt(i);
  add('putLdrRegU64', (s) => [
    `ldr ${r}, ${s}_a`, `ldr ${r}, ${s}_b`, `ldr ${r}, ${s}_a`, 'ret', '.balignl 8, 0',
    `${s}_a: .quad ${hex(v)}`, `${s}_b: .quad 0xffffffffffffffff`,
  ].join('\n'), (w) => {
    w.putLdrRegU64(r, v); w.putLdrRegU64(r, 0xffff_ffff_ffff_ffffn); w.putLdrRegU64(r, v); w.putRet();
  }, 16);
}
for (const [i, r] of [...W, ...S].entries()) {
  const v = 0x8000_0000n + BigInt(i);
  add('putLdrRegU64', (s) => [
    `ldr ${r}, ${s}_a`, 'ldr x1, 1f', `ldr ${r}, ${s}_b`, 'ret', '.balignl 8, 0',
    '1: .quad 0x1122334455667788', `${s}_a: .word ${hex(v)}`, `${s}_b: .word 0`,
  ].join('\n'), (w) => {
    w.putLdrRegU64(r, v); w.putLdrRegU64('x1', 0x1122_3344_5566_7788n); w.putLdrRegU64(r, 0n); w.putRet();
    w.putLiteralPool();
  }, 16);
}
add('putLdrRegU64', (s) => `ldr w3, ${s}_a\nret\n${s}_a: .word 7`, (w) => {
  w.putLdrRegU64('w3', 7n); w.putRet(); // 4-byte literals only: no padding needed
});

// An entry-stub-like frame: push, save argument registers, a call, a loop, restore, return.
add('labels', (s) => [
  'bti c', 'stp x29, x30, [sp, #-16]!', 'mov x29, sp', 'sub sp, sp, #0xd0',
  'stp x0, x1, [sp]', 'stp x2, x3, [sp, #16]', 'stp q0, q1, [sp, #64]', 'str d7, [sp, #0xc8]',
  'mov x0, x16', 'mov x1, sp', `ldr x17, ${s}_fn`, 'blr x17',
  `${s}_loop: cbz x0, ${s}_done`, 'sub x0, x0, #1', 'cmp x0, #0x10', `b.hs ${s}_loop`, `tbnz w0, #3, ${s}_loop`,
  `${s}_done: ldp x0, x1, [sp]`, 'ldr q0, [sp, #64]', 'mov sp, x29', 'ldp x29, x30, [sp], #16', 'ret',
  `${s}_fn: .quad 0x0000ffffdeadbeef`,
].join('\n'), (w) => {
  w.putBti('c'); w.putPushRegReg('x29', 'x30'); w.putMovRegReg('x29', 'sp'); w.putSubRegRegImm('sp', 'sp', 0xd0);
  w.putStpRegRegRegOffset('x0', 'x1', 'sp', 0); w.putStpRegRegRegOffset('x2', 'x3', 'sp', 16);
  w.putStpRegRegRegOffset('q0', 'q1', 'sp', 64); w.putStrRegRegOffset('d7', 'sp', 0xc8);
  w.putMovRegReg('x0', 'x16'); w.putMovRegReg('x1', 'sp'); w.putLdrRegLiteral('x17', 'fn'); w.putBlrReg('x17');
  w.putLabel('loop'); w.putCbzRegLabel('x0', 'done'); w.putSubRegRegImm('x0', 'x0', 1); w.putCmpRegImm('x0', 0x10);
  w.putBCondLabel('hs', 'loop'); w.putTbnzRegImmLabel('w0', 3, 'loop');
  w.putLabel('done'); w.putLdpRegRegRegOffset('x0', 'x1', 'sp', 0); w.putLdrRegRegOffset('q0', 'sp', 64);
  w.putMovRegReg('sp', 'x29'); w.putPopRegReg('x29', 'x30'); w.putRet();
  w.putLabel('fn'); w.putU64(0x0000_ffff_dead_beefn);
}, 16);

// ---- assembling ------------------------------------------------------------------------------

function run(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 256 << 20 });
  if (r.error) {
    throw new Error(`cannot run ${cmd} (${r.error.message}): the AArch64 assembler tests need GNU binutils for `
      + `AArch64; install them with \`${INSTALL}\` (Debian/Ubuntu, as root, after apt-get update)`);
  }
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed:\n${r.stderr.slice(0, 4000)}`);
  return r.stdout;
}

/** Assembles every case in one `as` run (warnings are errors); returns each case's bytes. */
function assembleAll(): Buffer[] {
  const dir = mkdtempSync(join(tmpdir(), 'asm-arm64-'));
  try {
    const src = ['.text'];
    cases.forEach((c, i) => {
      src.push(`.balign ${c.align ?? 4}`);
      src.push(`c${i}:`, typeof c.asm === 'string' ? c.asm : c.asm(`c${i}`), `c${i}_e:`);
    });
    const [s, o, bin] = ['all.s', 'all.o', 'all.bin'].map((f) => join(dir, f));
    writeFileSync(s, src.join('\n') + '\n');
    run(AS, ['-march=armv8.5-a', '--fatal-warnings', '-o', o, s]);
    run(OBJCOPY, ['-O', 'binary', '-j', '.text', o, bin]);
    const text = readFileSync(bin);
    const addr = new Map<string, number>();
    for (const line of run(NM, [o]).split('\n')) {
      const m = /^([0-9a-f]+) [tT] (c\d+(?:_e)?)$/.exec(line);
      if (m) addr.set(m[2], parseInt(m[1], 16));
    }
    return cases.map((_, i) => {
      const start = addr.get(`c${i}`);
      const end = addr.get(`c${i}_e`);
      assert.ok(start !== undefined && end !== undefined, `symbols of case ${i} missing from nm output`);
      return text.subarray(start, end);
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Under an emulated target that cannot start the host's assembler, the checks against it are skipped. */
const noAs = skipWithoutTool(AS);

let assembled: Buffer[] | undefined;
const reference = (): Buffer[] => (assembled ??= assembleAll());
/** Little-endian words as hex, e.g. `d503245f f9400020` (bytes for a ragged tail). */
function words(b: Uint8Array, limit = 64): string {
  const out: string[] = [];
  for (let i = 0; i < Math.min(b.length, limit); i += 4) {
    if (i + 4 <= b.length) out.push(Buffer.from(b.subarray(i, i + 4)).readUInt32LE().toString(16).padStart(8, '0'));
    else out.push(Buffer.from(b.subarray(i)).toString('hex'));
  }
  return out.join(' ') + (b.length > limit ? ` ... (${b.length} bytes)` : '');
}
/** The first differing 4-byte window, for large cases. */
function firstDiff(a: Uint8Array, b: Uint8Array): string {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  const at = i & ~3;
  return `at +${at}: as ${words(a.subarray(at, at + 8))}, writer ${words(b.subarray(at, at + 8))}`;
}

const groups = [...new Set(cases.map((c) => c.group))];
for (const group of groups) {
  test(`${group} matches GNU as`, { skip: noAs }, () => {
    const ref = reference();
    const bad: string[] = [];
    let n = 0;
    cases.forEach((c, i) => {
      if (c.group !== group) return;
      n++;
      const asm = (typeof c.asm === 'string' ? c.asm : c.asm('L')).replace(/\n/g, '; ').slice(0, 200);
      try {
        const w = new Arm64Writer();
        c.emit(w);
        const got = w.finish();
        assert.equal(w.offset, got.length);
        if (!ref[i].equals(got)) {
          bad.push(got.length <= 64 && ref[i].length <= 64
            ? `${asm}: as ${words(ref[i])}, writer ${words(got)}`
            : `${asm}: ${firstDiff(ref[i], got)} (lengths ${ref[i].length}/${got.length})`);
        }
      } catch (e) {
        bad.push(`${asm}: writer threw ${String(e)}`);
      }
    });
    assert.ok(n > 0);
    assert.deepEqual(bad.slice(0, 20), [], `${bad.length} of ${n} ${group} cases differ`);
  });
}

test(`case count: ${cases.length} cases checked against GNU as`, { skip: noAs }, (t) => {
  assert.equal(reference().length, cases.length);
  const per = new Map<string, number>();
  for (const c of cases) per.set(c.group, (per.get(c.group) ?? 0) + 1);
  t.diagnostic([...per].map(([g, n]) => `${g} ${n}`).join(', '));
});

/** Runs a movz/movn/movk sequence: the value it leaves in the register. */
function simulateMoveWide(code: Uint8Array): { value: bigint; count: number } {
  const view = new DataView(code.buffer, code.byteOffset, code.byteLength);
  let value = 0n;
  let count = 0;
  for (let at = 0; at < code.length; at += 4, count++) {
    const word = view.getUint32(at, true);
    const bits = word >>> 31 ? 64n : 32n;
    const mask = (1n << bits) - 1n;
    const opc = (word >>> 29) & 3;
    const shift = BigInt(((word >>> 21) & 3) * 16);
    const imm = BigInt((word >>> 5) & 0xffff) << shift;
    assert.equal((word >>> 23) & 0x3f, 0b100101, `word ${word.toString(16)} is not a move-wide`);
    if (opc === 2) value = imm;
    else if (opc === 0) value = ~imm & mask;
    else value = (value & ~(0xffffn << shift) & mask) | imm;
  }
  return { value, count };
}

test('putMovRegU64 leaves the value with the fewest instructions', () => {
  const values = [...U64S];
  let seed = 0x1234_5678_9abc_def0n;
  for (let i = 0; i < 2000; i++) {
    seed = (seed * 6364136223846793005n + 1442695040888963407n) & ((1n << 64n) - 1n);
    // Mix in all-zero and all-ones fields, where the choice of movz vs movn matters.
    let v = seed;
    for (let f = 0n; f < 4n; f++) {
      const pick = (seed >> (60n - f * 2n)) & 3n;
      if (pick === 0n) v &= ~(0xffffn << (16n * f));
      if (pick === 1n) v |= 0xffffn << (16n * f);
    }
    values.push(v);
  }
  for (const v of values) {
    for (const [reg, bits] of [['x5', 64n], ['w5', 32n]] as const) {
      const val = v & ((1n << bits) - 1n);
      const w = new Arm64Writer();
      w.putMovRegU64(reg, val);
      const { value, count } = simulateMoveWide(w.finish());
      assert.equal(value, val, `${reg} <- ${hex(val)}`);
      const fields = range(Number(bits / 16n)).map((i) => (val >> BigInt(16 * i)) & 0xffffn);
      const best = Math.max(1, Math.min(fields.filter((f) => f !== 0n).length, fields.filter((f) => f !== 0xffffn).length));
      assert.equal(count, best, `${reg} <- ${hex(val)} takes ${count} instructions, ${best} suffice`);
    }
  }
});

test('adrp and absolute targets agree with the linker (linked at known addresses)', { skip: noAs }, () => {
  // as leaves R_AARCH64_ADR_PREL_PG_HI21 relocations against the targets, ld defines them as
  // absolute symbols and places .text at BASE, so the page arithmetic is the toolchain's own.
  const BASE = 0x7fff_dead_b000n;
  const DELTAS = [0n, 0xfffn, 0x1000n, -0x1000n, 0x12_3456n, -0x12_3456n, 0xffff_f000n, -0x1_0000_0000n, 0x7ff_ffffn];
  const w = new Arm64Writer();
  const src = ['.globl _start', '_start:'];
  const defs: string[] = [];
  for (const delta of DELTAS) {
    for (const pad of [0, 1]) {
      const at = BASE + BigInt(w.offset);
      const target = at + delta;
      w.putAdrpRegAddress(pad ? 'x30' : 'x16', target, at);
      // An absolute symbol: a bare number is taken as an undefined-symbol reference by ld.
      // Each target is a symbol ld defines (as would fold a bare number or an .set away).
      const sym = `t${defs.length}`;
      defs.push(`--defsym=${sym}=${hex(target)}`);
      src.push(`adrp ${pad ? 'x30' : 'x16'}, ${sym}`);
      if (pad) { w.putNop(); src.push('nop'); }
    }
  }
  const dir = mkdtempSync(join(tmpdir(), 'asm-arm64-'));
  try {
    const [s, o, elf, bin] = ['abs.s', 'abs.o', 'abs.elf', 'abs.bin'].map((f) => join(dir, f));
    writeFileSync(s, src.join('\n') + '\n');
    run(AS, ['-o', o, s]);
    run(LD, ['-o', elf, `-Ttext=${hex(BASE)}`, ...defs, o]);
    run(OBJCOPY, ['-O', 'binary', '-j', '.text', elf, bin]);
    assert.equal(words(w.finish(), 1e6), words(readFileSync(bin), 1e6));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

// ---- operand validation ------------------------------------------------------------------------

const rejects = rejecter(() => new Arm64Writer(), 'Arm64Writer');
const bad = <T>(v: unknown): T => v as T;

test('wrong register classes are rejected', () => {
  rejects((w) => w.putBrReg(bad('w16')), 'putBrReg', 'w16');
  rejects((w) => w.putBlrReg(bad('sp')), 'putBlrReg', 'sp');
  rejects((w) => w.putRet(bad('xzr')), 'putRet', 'xzr');
  rejects((w) => w.putBrReg(bad('x31')), 'putBrReg', 'x31');
  rejects((w) => w.putBrReg(bad('toString')), 'putBrReg', 'toString');
  rejects((w) => w.putLdrRegLiteral(bad('b0'), 'l'), 'putLdrRegLiteral', 'b0');
  rejects((w) => w.putLdrRegPcRel(bad('sp'), 0), 'putLdrRegPcRel', 'sp');
  rejects((w) => w.putAdrRegPcRel(bad('w0'), 0), 'putAdrRegPcRel', 'w0');
  rejects((w) => w.putMovRegReg('x0', bad('w1')), 'putMovRegReg', "'w1'");
  rejects((w) => w.putMovRegReg('sp', 'xzr'), 'putMovRegReg', 'xzr');
  rejects((w) => w.putMovRegReg(bad('d0'), 'x1'), 'putMovRegReg', 'd0');
  rejects((w) => w.putFmovRegReg('d0', bad('w1')), 'putFmovRegReg', 'w1');
  rejects((w) => w.putFmovRegReg('x0', 'x1'), 'putFmovRegReg', 'x1');
  rejects((w) => w.putFmovRegReg(bad('q0'), 'd1'), 'putFmovRegReg', 'q0');
  rejects((w) => w.putMovzRegImm(bad('sp'), 1), 'putMovzRegImm', 'sp');
  rejects((w) => w.putMovRegU64(bad('xzr'), 1n), 'putMovRegU64', 'xzr');
  rejects((w) => w.putAddRegRegImm('x0', bad('xzr'), 1), 'putAddRegRegImm', 'xzr');
  rejects((w) => w.putAddRegRegImm('x0', 'w1', 1), 'putAddRegRegImm', 'w1');
  rejects((w) => w.putAddRegRegReg('x0', 'x1', bad('sp')), 'putAddRegRegReg', 'sp');
  rejects((w) => w.putAddRegRegReg('sp', 'xzr', 'x1'), 'putAddRegRegReg', 'xzr');
  rejects((w) => w.putCmpRegReg('x0', bad('d1')), 'putCmpRegReg', 'd1');
  rejects((w) => w.putLdrRegRegOffset('x0', bad('xzr'), 0), 'putLdrRegRegOffset', 'xzr');
  rejects((w) => w.putLdrRegRegOffset('x0', bad('w1'), 0), 'putLdrRegRegOffset', 'w1');
  rejects((w) => w.putLdrRegRegOffset(bad('sp'), 'x1', 0), 'putLdrRegRegOffset', 'sp');
  rejects((w) => w.putLdrbRegRegOffset(bad('x0'), 'x1', 0), 'putLdrbRegRegOffset', 'x0');
  rejects((w) => w.putLdrswRegRegOffset(bad('w0'), 'x1', 0), 'putLdrswRegRegOffset', 'w0');
  rejects((w) => w.putLdpRegRegRegOffset('x0', bad('w1'), 'sp', 0), 'putLdpRegRegRegOffset', 'w1');
  rejects((w) => w.putStpRegRegRegOffset(bad('b0'), bad('b1'), 'sp', 0), 'putStpRegRegRegOffset', 'b0');
  rejects((w) => w.putCbzRegLabel(bad('sp'), 'l'), 'putCbzRegLabel', 'sp');
  rejects((w) => w.putBCondLabel(bad('nv'), 'l'), 'putBCondLabel', 'nv');
  rejects((w) => w.putBti(bad('x')), 'putBti', "'x'");
});

test('unpredictable register combinations are rejected', () => {
  rejects((w) => w.putLdrRegRegOffset('x1', 'x1', 8, 'post'), 'putLdrRegRegOffset', 'x1');
  rejects((w) => w.putStrRegRegOffset('w3', 'x3', -8, 'pre'), 'putStrRegRegOffset', 'w3');
  rejects((w) => w.putLdpRegRegRegOffset('x0', 'x0', 'sp', 0), 'putLdpRegRegRegOffset', 'x0');
  rejects((w) => w.putStpRegRegRegOffset('x0', 'x1', 'x1', -16, 'pre'), 'putStpRegRegRegOffset', 'x1');
  // Not unpredictable: the same number as base and data, without writeback, or zr vs sp.
  const w = new Arm64Writer();
  w.putLdrRegRegOffset('x1', 'x1', 8);
  w.putStrRegRegOffset('xzr', 'sp', -16, 'pre');
  w.putLdpRegRegRegOffset('d0', 'd1', 'x0', 16, 'post');
  assert.equal(w.finish().length, 12);
});

test('immediates and offsets out of range or misaligned are rejected', () => {
  rejects((w) => w.putLdrRegRegOffset('x0', 'x1', 4096 * 8), 'putLdrRegRegOffset', '32768');
  rejects((w) => w.putLdrRegRegOffset('x0', 'x1', 257), 'putLdrRegRegOffset', '257');
  rejects((w) => w.putLdrRegRegOffset('x0', 'x1', -257), 'putLdrRegRegOffset', '-257');
  rejects((w) => w.putLdrRegRegOffset('x0', 'x1', 256, 'pre'), 'putLdrRegRegOffset', '256');
  rejects((w) => w.putStrRegRegOffset('q0', 'sp', 4095 * 16 + 16), 'putStrRegRegOffset', '65536');
  rejects((w) => w.putLdrRegRegOffset('x0', 'x1', 1.5), 'putLdrRegRegOffset', '1.5');
  rejects((w) => w.putLdrRegRegOffset('x0', 'x1', 0, bad('index')), 'putLdrRegRegOffset', 'index');
  rejects((w) => w.putLdurRegRegOffset('x0', 'x1', 256), 'putLdurRegRegOffset', '256');
  rejects((w) => w.putLdpRegRegRegOffset('x0', 'x1', 'sp', 4), 'putLdpRegRegRegOffset', '4');
  rejects((w) => w.putLdpRegRegRegOffset('x0', 'x1', 'sp', 512), 'putLdpRegRegRegOffset', '512');
  rejects((w) => w.putStpRegRegRegOffset('q0', 'q1', 'sp', -1040), 'putStpRegRegRegOffset', '-1040');
  rejects((w) => w.putAddRegRegImm('x0', 'x1', 4096), 'putAddRegRegImm', '4096');
  rejects((w) => w.putSubRegRegImm('sp', 'sp', -16), 'putSubRegRegImm', '-16');
  rejects((w) => w.putAddRegRegImm('x0', 'x1', 1, bad(16)), 'putAddRegRegImm', '16');
  rejects((w) => w.putCmpRegImm('x0', 0x1000), 'putCmpRegImm', '4096');
  rejects((w) => w.putAddRegRegReg('x0', 'x1', 'x2', 64), 'putAddRegRegReg', '64');
  rejects((w) => w.putAddRegRegReg('w0', 'w1', 'w2', 32), 'putAddRegRegReg', '32');
  rejects((w) => w.putAddRegRegReg('sp', 'x1', 'x2', 5), 'putAddRegRegReg', '5');
  rejects((w) => w.putMovzRegImm('x0', 0x10000), 'putMovzRegImm', '65536');
  rejects((w) => w.putMovkRegImm('w0', 1, 32), 'putMovkRegImm', '32');
  rejects((w) => w.putMovnRegImm('x0', 1, 8), 'putMovnRegImm', '8');
  rejects((w) => w.putMovRegU64('w0', 1n << 32n), 'putMovRegU64', '4294967296');
  rejects((w) => w.putMovRegU64('x0', -1n), 'putMovRegU64', '-1');
  rejects((w) => w.putMovRegU64('x0', bad('1')), 'putMovRegU64', '1');
  rejects((w) => w.putTbzRegImmLabel('w0', 32, 'l'), 'putTbzRegImmLabel', '32');
  rejects((w) => w.putTbnzRegImmLabel('x0', 64, 'l'), 'putTbnzRegImmLabel', '64');
  rejects((w) => w.putBrk(0x10000), 'putBrk', '65536');
  rejects((w) => w.putUdf(-1), 'putUdf', '-1');
  rejects((w) => w.putBPcRel(2), 'putBPcRel', '2');
  rejects((w) => w.putBPcRel(0x8000000), 'putBPcRel', '134217728');
  rejects((w) => w.putBlPcRel(-0x8000004), 'putBlPcRel', '-134217732');
  rejects((w) => w.putBCondPcRel('eq', 1048576), 'putBCondPcRel', '1048576');
  rejects((w) => w.putLdrRegPcRel('x0', -1048580), 'putLdrRegPcRel', '-1048580');
  rejects((w) => w.putLdrRegPcRel('x0', 6), 'putLdrRegPcRel', '6');
  rejects((w) => w.putAdrRegPcRel('x0', 1048576), 'putAdrRegPcRel', '1048576');
  rejects((w) => w.putAdrpRegAddress('x0', 0x1_0000_0000n + 0x1000n, 0x1000n), 'putAdrpRegAddress', '0x100001000');
  rejects((w) => w.putAdrpRegAddress('x0', 0n, 1n << 64n), 'putAdrpRegAddress', 'at');
  rejects((w) => w.putInstruction(2 ** 32), 'putInstruction', '4294967296');
  rejects((w) => w.putU32(-1), 'putU32', '-1');
  rejects((w) => w.putU64(1n << 64n), 'putU64', '18446744073709551616');
  rejects((w) => w.putBytes([1, 256]), 'putBytes', '256');
  rejects((w) => w.putAlign(2), 'putAlign', '2');
  rejects((w) => w.putAlign(12), 'putAlign', '12');
  rejects((w) => { w.putBytes([1]); w.putNop(); }, 'putNop', 'offset 1');
  rejects((w) => { w.putBytes([1, 2]); w.putAlign(8); }, 'putAlign', 'offset 2');
});

test('labels: undefined, duplicate, out of reach and misaligned', () => {
  const w = new Arm64Writer();
  w.putBLabel('nowhere');
  assert.throws(() => w.finish(), (e: unknown) =>
    e instanceof RangeError && /Arm64Writer\.putBLabel: label 'nowhere' is never defined/.test(e.message)
    && (e as Error & { code?: string }).code === 'ERR_ASM_UNDEFINED_LABEL');
  rejects((x) => { x.putLabel('x'); x.putLabel('x'); }, 'putLabel', "'x'");
  rejects((x) => x.putBLabel(''), 'putBLabel', 'label name');
  const finishRejects = (build: (x: Arm64Writer) => void, emitter: string, value: string): void =>
    rejects((x) => { build(x); x.finish(); }, emitter, value);
  finishRejects((x) => { x.putBCondLabel('eq', 'far'); x.putBytes(new Uint8Array(1048576 - 4)); x.putLabel('far'); },
    'putBCondLabel', "label 'far'");
  finishRejects((x) => { x.putLabel('far'); x.putBytes(new Uint8Array(32772)); x.putTbzRegImmLabel('x0', 1, 'far'); },
    'putTbzRegImmLabel', '-32772');
  finishRejects((x) => { x.putLdrRegLiteral('x0', 'odd'); x.putBytes([0, 0]); x.putLabel('odd'); },
    'putLdrRegLiteral', 'multiple of 4');
  finishRejects((x) => { x.putAdrRegLabel('x0', 'far'); x.putBytes(new Uint8Array(1048576)); x.putLabel('far'); },
    'putAdrRegLabel', 'distance 1048580');
});

test('literal pool: explicit placement, reuse after a flush, label offsets', () => {
  const w = new Arm64Writer();
  w.putLdrRegU64('x16', 0xdeadn);
  w.putBrReg('x17');
  assert.equal(w.offset, 8);
  w.putLiteralPool();
  assert.equal(w.offset, 16); // 8-aligned already: no padding
  w.putLiteralPool(); // nothing pending
  assert.equal(w.offset, 16);
  w.putLdrRegU64('x16', 0xdeadn); // a new slot after the flush, written by finish()
  w.putLabel('end');
  const code = w.finish();
  assert.equal(code.length, 32);
  assert.equal(Buffer.from(code).readBigUInt64LE(8), 0xdeadn);
  assert.equal(Buffer.from(code).readBigUInt64LE(24), 0xdeadn);
  assert.equal(Buffer.from(code).readUInt32LE(20), 0); // udf #0 padding
  assert.equal(w.labelOffset('end'), 20);
  assert.equal(w.labelOffset('nope'), undefined);
  assert.deepEqual(w.finish(), code);
  rejects((x) => x.putLdrRegU64('w0', 1n << 32n), 'putLdrRegU64', '4294967296');
  rejects((x) => x.putLdrRegU64(bad('q0'), 1n), 'putLdrRegU64', 'q0');
  rejects((x) => x.putLabel('\0pool0'), 'putLabel', 'reserved');
  rejects((x) => { x.putLdrRegU64('x0', 1n); x.putBytes(new Uint8Array(1048576)); x.finish(); },
    'putLdrRegU64', 'literal-pool entry');
});

test('the class TSDoc example runs as written', () => {
  const ctx = 0x1122_3344_5566_7788n;
  const stub = 0x0000_ffff_dead_b000n;
  const w = new Arm64Writer();
  w.putBti('c');
  w.putLdrRegLiteral('x16', 'ctx');
  w.putLdrRegLiteral('x17', 'stub');
  w.putBrReg('x17');
  w.putLabel('ctx');
  w.putU64(ctx);
  w.putLabel('stub');
  w.putU64(stub);
  const code = w.finish();
  assert.equal(code.length, 32);
  assert.equal(w.labelOffset('ctx'), 16);
  assert.equal(words(code.subarray(0, 16)), 'd503245f 58000070 58000091 d61f0220');
});

test('finish() does not consume the writer', () => {
  const w = new Arm64Writer();
  w.putBLabel('end');
  w.putLabel('end');
  const first = w.finish();
  assert.deepEqual([...first], [0x01, 0, 0, 0x14]);
  assert.deepEqual(w.finish(), first);
  w.putRet();
  assert.equal(w.offset, 8);
  assert.deepEqual([...w.finish()], [0x01, 0, 0, 0x14, 0xc0, 0x03, 0x5f, 0xd6]);
});
