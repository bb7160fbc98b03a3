/**
 * VaLists: the variadic arguments of a call, read from JS like C's `va_arg`, and passed
 * on to native code as a real `va_list` (to `vsnprintf`, or any `v*` function).
 *
 * Where a VaList comes from:
 * - the `...` tail of a callback (`'int (const char *fmt, ...)'`): the closure gets a
 *   VaList after its fixed arguments, reading the argument registers the entry stub saved
 *   in the frame, then the caller's stack (through the stack pointer in the frame);
 * - a `va_list` parameter (`'void (const char *fmt, va_list ap)'`): a VaList reading the
 *   caller's `va_list` (a copy of its position: the caller's own is not advanced).
 *
 * Three representations, as the conventions' C compilers have them:
 * - System V x86-64 ({@link SysvVaList}): integer and floating-point arguments are read
 *   from separate register runs (`gp_offset`, `fp_offset` into a 176-byte register save
 *   area), then from one `overflow_arg_area` of 8-byte slots;
 * - Win64 ({@link Win64VaList}): one run of 8-byte slots (the registers spilled into the
 *   home area, then the stack arguments), whatever the types;
 * - AArch64 ({@link Aapcs64VaList}): like System V, x and v register save areas counted back
 *   from their ends (`__gr_offs`, `__vr_offs`), then `__stack`; a `va_list` argument is a
 *   pointer to the caller's 32-byte copy.
 *
 * Each VaList owns a few words at the end of its call's inbound frame (arena memory with a
 * fixed native address, untouched by nested calls, which take later frames): the System V
 * register save area image and the `__va_list_tag` given to native code. Both live as long
 * as the call, which is why a VaList ends when its closure returns.
 */
import type { VaListAbi, VariadicStart } from '../abi/lowering';
import {
  ArgumentTypeError, DisposedError, UnsupportedConventionError, UnsupportedTypeError, VaListEndError, describeValue,
} from '../errors';
import { resolveType, type ScalarKind, type ScalarType, type VaList } from '../signature';
import { ArgumentAreaReader, type SlotKind } from './argument-area';
import { bridge } from '../native/bridge';
import { FRAME, FRAME_WORDS, views } from '../native/arena';
import { arenaAddress } from './cstrings';
import { formatVaList } from './va-format';

/** How a variadic argument of some C type is read: the kinds C's default promotions leave. */
type VaKind = Extract<ScalarKind, SlotKind>;

const promoted = new Map<string, ScalarType & { kind: VaKind }>();

/**
 * The C type of a '...' argument, given by name (`'int'`, `'double'`, `'const char *'`,
 * `'cstring'`, ...). C promotes narrower types (char, short, bool to int; float to double)
 * before they reach '...', so asking for one of those is an error that says what to use.
 */
export function variadicArgType(type: unknown, what: string): ScalarType & { kind: VaKind } {
  if (typeof type !== 'string') throw new ArgumentTypeError(`${what}: the type must be a C type name such as 'int', got ${describeValue(type)}`);
  const hit = promoted.get(type);
  if (hit !== undefined) return hit;
  const t = resolveType(type, what);
  if (t.tag !== 'scalar') throw new UnsupportedTypeError(`${what} '${type}': structs and unions cannot go through '...' yet`);
  if (t.js === 'VaList') throw new UnsupportedTypeError(`${what} '${type}': a va_list cannot be read from or passed through '...'`);
  switch (t.kind) {
    case 'i32': case 'u32': case 'i64': case 'u64': case 'pointer': case 'f64':
      promoted.set(type, t as ScalarType & { kind: VaKind });
      return t as ScalarType & { kind: VaKind };
    case 'f32':
      throw new ArgumentTypeError(`${what} '${type}': a float passed to '...' is promoted to double; use 'double'`);
    case 'void':
      throw new ArgumentTypeError(`${what} '${type}': there is no void argument`);
    default:
      throw new ArgumentTypeError(`${what} '${type}': a ${type} passed to '...' is promoted to int; use 'int' (or 'unsigned int')`);
  }
}

const { u32, i32, u64, i64, f64 } = views;

/**
 * Frame words one VaList owns. System V: a 24-byte `__va_list_tag`, then a 176-byte register
 * save area. AArch64: a 32-byte `__va_list`, then 64 bytes of x registers and 128 of v registers.
 */
export const VA_SCRATCH_WORDS = 4 + 8 + 16;
const TAG = 0;
const SAVE = 3;
/** System V register save area: 6 integer registers (48 bytes), then 8 xmm registers 16 bytes apart. */
const GP_END = 48;
const FP_END = 176;

/**
 * First frame word of the scratch words of the `index`-th VaList of a call: from the end
 * of the frame down, clear of the stack-argument copies and result buffer at its start.
 */
export function vaScratchWord(index: number): number {
  return FRAME_WORDS - VA_SCRATCH_WORDS * (index + 1);
}

/** Frame word `w` (absolute index into the arena views) read as `kind`. */
function readWord(w: number, kind: VaKind): number | bigint {
  switch (kind) {
    case 'i32': return i32[w * 2]!;
    case 'u32': return u32[w * 2]!;
    case 'i64': return i64[w]!;
    case 'u64': case 'pointer': return u64[w]!;
    case 'f64': return f64[w]!;
  }
}

/** Native address as a number (user-space x86-64 addresses fit in 47 bits). */
function addressNumber(p: bigint, what: string): number {
  if (p <= 0n || p > BigInt(Number.MAX_SAFE_INTEGER)) throw new ArgumentTypeError(`${what}: not a usable address (0x${p.toString(16)})`);
  return Number(p);
}

/** The reader of a caller's argument area whose error says which read ran off its end (`where` names the address). */
function overreadReader(owner: string, area: string, where: (address: number) => string): ArgumentAreaReader {
  return new ArgumentAreaReader((address) => new VaListEndError(
    `VaList.next() of ${owner} read past the end of ${area} (${where(address)}): more '...' arguments were read ` +
    `than were passed, which in C is undefined (the values read before this were already garbage)`));
}

/**
 * What every VaList shares: its lifetime, its scratch words, forwarding and formatting.
 * Forwarding gives native code a *copy* of the current position (as if through C's
 * `va_copy`): what the callee reads does not move this VaList.
 */
export abstract class NativeVaList implements VaList {
  private open = true;
  /** Absolute arena word of this VaList's scratch words. */
  protected readonly scratch: number;

  constructor(
    /** Base word of the inbound frame of the call this VaList belongs to. */
    protected readonly b: number,
    scratchWord: number,
    /** Names the call, for messages: `the closure for 'int (const char *, ...)'`. */
    protected readonly owner: string,
  ) {
    this.scratch = b + scratchWord;
  }

  abstract next(type: string): number | bigint;

  /**
   * @internal The `va_list` argument value for a function of convention `abi`, showing the
   * arguments not yet read: System V, a pointer to a fresh `__va_list_tag` in this VaList's
   * scratch words; Win64, a pointer to the next unread slot. Valid until the call returns.
   */
  abstract nativeFor(abi: VaListAbi): bigint;

  format(fmt: string): string {
    this.check('format()');
    if (typeof fmt !== 'string') throw new ArgumentTypeError(`VaList.format(fmt): fmt must be a string, got ${describeValue(fmt)}`);
    return formatVaList(this, fmt);
  }

  /** @internal The call returned: the frame and the caller's argument area are no longer this call's. */
  close(): void {
    this.open = false;
  }

  protected check(what: string): void {
    if (!this.open) throw new DisposedError(`the VaList of ${this.owner} was used after its call returned (${what})`);
  }

  /** Native address of absolute arena word `w`. */
  protected wordAddress(w: number): bigint {
    return BigInt(arenaAddress() + w * 8);
  }

  /** Writes a System V `__va_list_tag` into the scratch words; returns its address. */
  protected sysvTag(gp: number, fp: number, overflow: number, saveArea: bigint): bigint {
    const t = this.scratch + TAG;
    u32[t * 2] = gp;
    u32[t * 2 + 1] = fp;
    u64[t + 1] = BigInt(overflow);
    u64[t + 2] = saveArea;
    return this.wordAddress(t);
  }
}

/**
 * A System V x86-64 `va_list` position: offsets into a register save area image kept in
 * the scratch words, and the address of the next overflow slot.
 */
export class SysvVaList extends NativeVaList {
  private readonly reader: ArgumentAreaReader;

  constructor(
    b: number, scratchWord: number, owner: string,
    private gp: number,
    private fp: number,
    private overflow: number,
    /** Where the overflow area is, for the message when reading runs off its end. */
    area: string,
  ) {
    super(b, scratchWord, owner);
    this.reader = overreadReader(owner, area, (address) => `at 0x${address.toString(16)}`);
  }

  /** The `...` of a callback: registers from the frame (copied into the save area image), then the caller's stack. */
  static fromFrame(b: number, start: VariadicStart, scratchWord: number, owner: string): SysvVaList {
    const save = b + scratchWord + SAVE;
    const gprs = 6 - start.gprs.length;
    const fprs = 8 - start.fprs.length;
    for (let i = 0; i < start.gprs.length; i++) u64[save + gprs + i] = u64[b + start.gprs[i]! / 8]!;
    for (let i = 0; i < start.fprs.length; i++) u64[save + 6 + 2 * (fprs + i)] = u64[b + start.fprs[i]! / 8]!;
    const stack = Number(u64[b + FRAME.stackPtr]!) + start.stackOffset;
    return new SysvVaList(b, scratchWord, owner, gprs * 8, GP_END + fprs * 16, stack, "the caller's stack");
  }

  /** A `va_list` argument: a copy of the caller's `__va_list_tag` and the registers it has left. */
  static fromNative(p: bigint, b: number, scratchWord: number, owner: string, what: string): SysvVaList {
    const tag = p === 0n ? null : bridge.readSafe(p, 24);
    if (tag === null) throw new ArgumentTypeError(`${what}: the va_list (0x${p.toString(16)}) does not point to readable memory`);
    const dv = new DataView(tag.buffer, tag.byteOffset, 24);
    const gp = dv.getUint32(0, true);
    const fp = dv.getUint32(4, true);
    if (gp > GP_END || gp % 8 !== 0 || fp < GP_END || fp > FP_END || (fp - GP_END) % 16 !== 0)
      throw new ArgumentTypeError(`${what}: not a System V va_list (gp_offset ${gp}, fp_offset ${fp})`);
    const save = dv.getBigUint64(16, true);
    if (gp < GP_END || fp < FP_END) {
      // Only the registers not read yet: a callee's save area may be partial before that.
      const from = gp < GP_END ? gp : fp;
      const bytes = bridge.readSafe(save + BigInt(from), FP_END - from);
      if (bytes === null) throw new ArgumentTypeError(`${what}: the va_list's register save area (0x${save.toString(16)}) is not readable`);
      views.u8.set(bytes, (b + scratchWord + SAVE) * 8 + from);
    }
    const overflow = addressNumber(dv.getBigUint64(8, true), `${what}: overflow_arg_area of the va_list`);
    return new SysvVaList(b, scratchWord, owner, gp, fp, overflow, "the va_list's argument area");
  }

  next(type: string): number | bigint {
    this.check(`next('${type}')`);
    const kind = variadicArgType(type, 'VaList.next()').kind;
    if (kind === 'f64') {
      if (this.fp < FP_END) {
        const w = this.scratch + SAVE + this.fp / 8;
        this.fp += 16;
        return f64[w]!;
      }
    } else if (this.gp < GP_END) {
      const w = this.scratch + SAVE + this.gp / 8;
      this.gp += 8;
      return readWord(w, kind);
    }
    const at = this.overflow;
    const v = this.reader.read(at, kind);
    this.overflow = at + 8;
    return v;
  }

  nativeFor(abi: VaListAbi): bigint {
    this.check('passing it as a va_list');
    if (abi === 'sysv-x64') return this.sysvTag(this.gp, this.fp, this.overflow, this.wordAddress(this.scratch + SAVE));
    if (abi === 'aapcs64') throw otherCpu(this.owner, 'System V x86-64', abi);
    // Win64's va_list is one run of slots in argument order; System V keeps integer and
    // floating-point registers apart, so that order is known only once the registers are read.
    if (this.gp >= GP_END && this.fp >= FP_END) return BigInt(this.overflow);
    throw new UnsupportedConventionError(
      `the VaList of ${this.owner} (System V) cannot be passed as a Win64 va_list while '...' arguments are left in ` +
      `registers: System V keeps integer and floating-point registers apart, so their order is lost`);
  }
}

/**
 * A Win64 `va_list` position: the next 8-byte slot of one run (home area, then stack).
 * For a callback's own `...`, the slots still in registers are read from the frame.
 */
export class Win64VaList extends NativeVaList {
  private index = 0;
  private readonly reader: ArgumentAreaReader;

  constructor(
    b: number, scratchWord: number, owner: string,
    /** Native address of slot 0. */
    private readonly base: number,
    /** Frame byte offsets (relative to frame `b`) of the 8-byte register slots holding the first slots' values, already in JS reach. */
    private readonly registers: readonly number[],
    area: string,
  ) {
    super(b, scratchWord, owner);
    this.reader = overreadReader(owner, area, (address) => `slot ${(address - base) / 8} at 0x${address.toString(16)}`);
  }

  /**
   * The `...` of a callback. The entry stub spilled rcx, rdx, r8, r9 into the home area
   * right below the stack arguments, so the slots of the unused positions and the stack
   * words after the fixed ones form one run.
   */
  static fromFrame(b: number, start: VariadicStart, scratchWord: number, owner: string): Win64VaList {
    const stack = Number(u64[b + FRAME.stackPtr]!);
    const base = stack + start.stackOffset - start.gprs.length * 8;
    return new Win64VaList(b, scratchWord, owner, base, start.gprs, "the caller's stack");
  }

  /** A `va_list` argument: the caller's `char *` (our copy advances, the caller's does not). */
  static fromNative(p: bigint, b: number, scratchWord: number, owner: string, what: string): Win64VaList {
    return new Win64VaList(b, scratchWord, owner, addressNumber(p, `${what}: the va_list`), [], "the va_list's argument area");
  }

  next(type: string): number | bigint {
    this.check(`next('${type}')`);
    const kind = variadicArgType(type, 'VaList.next()').kind;
    const i = this.index++;
    if (i < this.registers.length) return readWord(this.b + this.registers[i]! / 8, kind);
    return this.reader.read(this.base + i * 8, kind);
  }

  nativeFor(abi: VaListAbi): bigint {
    this.check('passing it as a va_list');
    const next = this.base + this.index * 8;
    if (abi === 'win64-x64') return BigInt(next);
    if (abi === 'aapcs64') throw otherCpu(this.owner, 'Win64', abi);
    // System V's va_arg reads 8-byte slots from overflow_arg_area once the register offsets
    // say the registers are used up: exactly a Win64 run, for every promoted scalar type.
    return this.sysvTag(GP_END, FP_END, next, 0n);
  }
}

/** A VaList cannot become the va_list of another CPU's convention (a program never mixes them). */
function otherCpu(owner: string, mine: string, abi: VaListAbi): UnsupportedConventionError {
  return new UnsupportedConventionError(`the VaList of ${owner} (${mine}) cannot be passed as a va_list of ${abi}`);
}

/** AArch64 `__va_list` layout and its register save areas in the scratch words (byte offsets). */
const A64_TAG = 0;
const A64_GR = 32;
const A64_GR_END = A64_GR + 64;
const A64_VR_END = A64_GR_END + 128;

/**
 * An AArch64 `va_list` position: `__gr_offs` / `__vr_offs` (negative while arguments are left
 * in x / v registers, counted back from the end of their save areas, kept as images in the
 * scratch words) and the address of the next stack slot.
 */
export class Aapcs64VaList extends NativeVaList {
  private readonly reader: ArgumentAreaReader;

  constructor(
    b: number, scratchWord: number, owner: string,
    private grOffs: number,
    private vrOffs: number,
    private stack: number,
    area: string,
  ) {
    super(b, scratchWord, owner);
    this.reader = overreadReader(owner, area, (address) => `at 0x${address.toString(16)}`);
  }

  /** Byte index into the arena views of scratch byte `offset`. */
  private byte(offset: number): number {
    return this.scratch * 8 + offset;
  }

  /** The `...` of a callback: the x and v registers the fixed arguments left, then the caller's stack. */
  static fromFrame(b: number, start: VariadicStart, scratchWord: number, owner: string): Aapcs64VaList {
    const save = (b + scratchWord) * 8;
    const gr = start.gprs.length;
    const vr = start.fprs.length;
    for (let i = 0; i < gr; i++) u64[(save + A64_GR_END - (gr - i) * 8) / 8] = u64[b + start.gprs[i]! / 8]!;
    for (let i = 0; i < vr; i++) u64[(save + A64_VR_END - (vr - i) * 16) / 8] = u64[b + start.fprs[i]! / 8]!;
    const stack = Number(u64[b + FRAME.stackPtr]!) + start.stackOffset;
    return new Aapcs64VaList(b, scratchWord, owner, -gr * 8, -vr * 16, stack, "the caller's stack");
  }

  /** A `va_list` argument: a pointer to the caller's copy of its `__va_list`; the registers it has left are copied. */
  static fromNative(p: bigint, b: number, scratchWord: number, owner: string, what: string): Aapcs64VaList {
    const tag = p === 0n ? null : bridge.readSafe(p, 32);
    if (tag === null) throw new ArgumentTypeError(`${what}: the va_list (0x${p.toString(16)}) does not point to readable memory`);
    const dv = new DataView(tag.buffer, tag.byteOffset, 32);
    const grOffs = dv.getInt32(24, true);
    const vrOffs = dv.getInt32(28, true);
    if (grOffs > 0 || grOffs < -64 || grOffs % 8 !== 0 || vrOffs > 0 || vrOffs < -128 || vrOffs % 16 !== 0)
      throw new ArgumentTypeError(`${what}: not an AArch64 va_list (__gr_offs ${grOffs}, __vr_offs ${vrOffs})`);
    const save = (b + scratchWord) * 8;
    const copyBack = (top: bigint, offs: number, end: number, name: string) => {
      if (offs === 0) return;
      const bytes = bridge.readSafe(top + BigInt(offs), -offs);
      if (bytes === null) throw new ArgumentTypeError(`${what}: the va_list's ${name} save area (0x${top.toString(16)}) is not readable`);
      views.u8.set(bytes, save + end + offs);
    };
    copyBack(dv.getBigUint64(8, true), grOffs, A64_GR_END, 'general register');
    copyBack(dv.getBigUint64(16, true), vrOffs, A64_VR_END, 'vector register');
    const stack = addressNumber(dv.getBigUint64(0, true), `${what}: __stack of the va_list`);
    return new Aapcs64VaList(b, scratchWord, owner, grOffs, vrOffs, stack, "the va_list's argument area");
  }

  next(type: string): number | bigint {
    this.check(`next('${type}')`);
    const kind = variadicArgType(type, 'VaList.next()').kind;
    if (kind === 'f64') {
      if (this.vrOffs < 0) {
        const v = f64[(this.byte(A64_VR_END) + this.vrOffs) / 8]!;
        this.vrOffs += 16;
        return v;
      }
    } else if (this.grOffs < 0) {
      const w = (this.byte(A64_GR_END) + this.grOffs) / 8;
      this.grOffs += 8;
      return readWord(w, kind);
    }
    const v = this.reader.read(this.stack, kind);
    this.stack += 8;
    return v;
  }

  nativeFor(abi: VaListAbi): bigint {
    this.check('passing it as a va_list');
    if (abi !== 'aapcs64') throw otherCpu(this.owner, 'AArch64', abi);
    const t = this.scratch + A64_TAG / 8;
    u64[t] = BigInt(this.stack);
    u64[t + 1] = this.wordAddress(this.scratch + A64_GR_END / 8);
    u64[t + 2] = this.wordAddress(this.scratch + A64_VR_END / 8);
    i32[(t + 3) * 2] = this.grOffs;
    i32[(t + 3) * 2 + 1] = this.vrOffs;
    return this.wordAddress(t);
  }
}

/** The VaList of a callback's `...` tail, for the convention that lowered it. */
export function frameVaList(b: number, start: VariadicStart, scratchWord: number, owner: string): NativeVaList {
  switch (start.abi) {
    case 'sysv-x64': return SysvVaList.fromFrame(b, start, scratchWord, owner);
    case 'win64-x64': return Win64VaList.fromFrame(b, start, scratchWord, owner);
    case 'aapcs64': return Aapcs64VaList.fromFrame(b, start, scratchWord, owner);
  }
}

/** The VaList for a `va_list` argument `p` of convention `abi`. */
export function argumentVaList(p: bigint, abi: VaListAbi, b: number, scratchWord: number, owner: string, what: string): NativeVaList {
  switch (abi) {
    case 'sysv-x64': return SysvVaList.fromNative(p, b, scratchWord, owner, what);
    case 'win64-x64': return Win64VaList.fromNative(p, b, scratchWord, owner, what);
    case 'aapcs64': return Aapcs64VaList.fromNative(p, b, scratchWord, owner, what);
  }
}

/**
 * The `va_list` word for an outbound argument: a VaList (forwarded as a copy of its
 * position) or a bigint `va_list` value native code gave us. `bad` builds the type error.
 */
export function vaListArgument(v: unknown, abi: VaListAbi, bad: (got: unknown) => Error): bigint {
  if (v instanceof NativeVaList) return v.nativeFor(abi);
  if (typeof v === 'bigint' && v > 0n && v < 1n << 64n) return v;
  throw bad(v);
}
