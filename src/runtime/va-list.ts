/**
 * The variadic tail of a callback (`'int (const char *fmt, ...)'`): the closure gets a
 * {@link VaList} after its fixed arguments and reads each further argument with the type
 * its format says, like C's `va_arg`. Values come from the registers the entry stub saved
 * in the frame, then from the caller's stack (through the stack pointer the bridge put in
 * the frame): both valid only while the call runs, so a VaList ends when the closure returns.
 */
import type { VariadicStart } from '../abi/lowering';
import { ArgumentTypeError, DisposedError, UnsupportedTypeError, VaListEndError, describeValue } from '../errors';
import { resolveType, type ScalarKind, type ScalarType, type VaList } from '../signature';
import { bridge } from './bridge';
import { FRAME, views } from './arena';

/** How a variadic argument of some C type is read: the kinds C's default promotions leave. */
type VaKind = Extract<ScalarKind, 'i32' | 'u32' | 'i64' | 'u64' | 'pointer' | 'f64'>;

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

export class FrameVaList implements VaList {
  private gpr = 0;
  private fpr = 0;
  private stackWord: number;
  /** The caller's stack is known to be readable below this address. */
  private readableTo = 0n;
  private open = true;

  constructor(
    private readonly b: number,
    private readonly start: VariadicStart,
    private readonly owner: string,
  ) {
    this.stackWord = start.stackWord;
  }

  next(type: string): number | bigint {
    if (!this.open) throw new DisposedError(`the VaList of ${this.owner} was used after its call returned`);
    const kind = variadicArgType(type, 'VaList.next()').kind;
    const s = this.start;
    const vector = kind === 'f64' && !s.positional;
    const words = vector ? s.fprWords : s.gprWords;
    const used = vector ? this.fpr : this.gpr;
    if (used < words.length) {
      if (vector) this.fpr++;
      else this.gpr++;
      return readWord(this.b + words[used]!, kind);
    }
    // From the caller's stack: 8 bytes a slot, whatever the type. Nothing says how many
    // slots the caller filled; a safe read at least turns walking off the stack's mapping
    // into an error instead of SIGSEGV. Slots are 8-aligned, so one never straddles pages,
    // and once a read succeeded the rest of its (at least 4 KiB) page is readable too.
    const slot = this.stackWord++;
    const stack = u64[this.b + FRAME.stackPtr]! + BigInt(slot * 8);
    let bytes: Buffer | null;
    if (stack < this.readableTo) {
      bytes = bridge.read(stack, 8);
    } else {
      bytes = bridge.readSafe(stack, 8);
      if (bytes === null) {
        throw new VaListEndError(
          `VaList.next('${type}') of ${this.owner} read past the end of the caller's stack (stack slot ${slot} at 0x${stack.toString(16)}): ` +
          `more '...' arguments were read than were passed, which in C is undefined (the values read before this were already garbage)`);
      }
      this.readableTo = (stack | 4095n) + 1n;
    }
    const dv = new DataView(bytes.buffer, bytes.byteOffset, 8);
    switch (kind) {
      case 'i32': return dv.getInt32(0, true);
      case 'u32': return dv.getUint32(0, true);
      case 'i64': return dv.getBigInt64(0, true);
      case 'u64': case 'pointer': return dv.getBigUint64(0, true);
      case 'f64': return dv.getFloat64(0, true);
    }
  }

  /** @internal The call returned: the frame and the caller's stack are no longer this call's. */
  close(): void {
    this.open = false;
  }
}

function readWord(w: number, kind: VaKind): number | bigint {
  switch (kind) {
    case 'i32': return i32[w * 2]!;
    case 'u32': return u32[w * 2]!;
    case 'i64': return i64[w]!;
    case 'u64': case 'pointer': return u64[w]!;
    case 'f64': return f64[w]!;
  }
}
