/**
 * JS source generation for reading and writing C values of any type (scalars, structs,
 * unions, arrays, C strings) at known byte offsets: the unrolled field reads and writes
 * that per-signature codecs (codec.ts) and the `decode`/`encode` memory helpers
 * (memory-codec.ts) compile with `new Function`.
 *
 * Every access is resolved at generation time: a struct field becomes one typed-array
 * load or store at a constant index relative to the frame base `b` (or a DataView call
 * at a constant offset), nested objects and arrays are built as literals. Only arrays
 * longer than {@link UNROLL_LIMIT} elements (of integers) in contiguous memory become loops.
 *
 * Names the generated code expects in scope:
 * - frame mode: the arena views `u8 i8 u16 i16 u32 i32 f32 f64 u64 i64`, `arenaDataView` (a DataView
 *   over the arena, for misaligned fields of packed structs) and `b` (the frame's index in
 *   64-bit words; its byte offset is `b * 8`);
 * - memory mode: `dv`, a DataView whose byte 0 is the value's first byte;
 * - both: `readCString(ptr)`, `intern(string)` (see cstrings.ts) and
 *   `badAt(what, path, expected, got, hint?)`, which builds the ArgumentTypeError, and
 *   `addressOf`/`pointerHint` (pointer-argument.ts), `intHint` (integer-range.ts).
 */
import { ArgumentTypeError, describeValue } from '../errors';
import { POINTER_EXPECTED } from './pointer-argument';
import { fitsExpr, rangeText, wideFitsExpr, wideText } from './integer-range';
import type { CType, ScalarKind, ScalarType } from '../signature';
import { isContiguous, type Piece } from '../abi/lowering';

/** The hint added when a number has no integer value to convert. */
export function nonFiniteHint(got: unknown): string {
  return typeof got === 'number' && !Number.isFinite(got) ? ' (NaN and Infinity have no integer value)' : '';
}

/**
 * `badAt(index, path, expected, got, hint?)` for the generated code: the error for a struct
 * member (`path` is `.inner.y`, `.tag[3]`, or empty for the value itself). `namer(index)`
 * names the whole value, `root(index)` starts the member path.
 */
export function badMember(namer: (index: number) => string, root: (index: number) => string) {
  return (index: number, path: string, expected: string, got: unknown, hint?: string): ArgumentTypeError => {
    const where = path === '' ? '' : `: ${root(index)}${path}${got === undefined ? ' (missing)' : ''}`;
    return new ArgumentTypeError(`${namer(index)}${where}: expected ${expected}, got ${describeValue(got)}${hint ?? nonFiniteHint(got)}`);
  };
}

/** Arrays longer than this are decoded/encoded with a loop (only where memory is contiguous). */
export const UNROLL_LIMIT = 32;

/**
 * Where the value's bytes are.
 * - `frame`: in the frame whose base is `b`, as pieces (see src/abi/lowering.ts): a byte
 *   of the value is in the piece that covers it; a value in one contiguous piece can be
 *   looped over;
 * - `memory`: the value is in memory seen through a DataView: byte `k` of the value is `dv` byte `k`.
 */
export type Place =
  | { readonly mode: 'frame'; readonly pieces: readonly Piece[] }
  | { readonly mode: 'memory' };

/** A byte offset inside the value: a constant plus loop terms (`i3 * 12`). */
interface Offset {
  readonly k: number;
  readonly terms: readonly { readonly v: string; readonly stride: number }[];
}

const at = (o: Offset, add: number): Offset => ({ k: o.k + add, terms: o.terms });
const withTerm = (o: Offset, v: string, stride: number): Offset => ({ k: o.k, terms: [...o.terms, { v, stride }] });

/** A JS expression for a member path: `path` (a JS string expression) followed by `suffix`. */
function pathJoin(path: string, suffix: string): string {
  if (/^"(?:[^"\\]|\\.)*"$/.test(path)) return JSON.stringify((JSON.parse(path) as string) + suffix);
  return `${path} + ${JSON.stringify(suffix)}`;
}

/** Property access `v.name` / `v["na-me"]`. */
function prop(v: string, name: string): string {
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(name) ? `${v}.${name}` : `${v}[${JSON.stringify(name)}]`;
}

/** Object-literal key. */
function key(name: string): string {
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(name) ? name : JSON.stringify(name);
}

const VIEW: Record<Exclude<ScalarKind, 'void'>, { view: string; dvGet: string; dvSet: string }> = {
  bool: { view: 'u8', dvGet: 'getUint8', dvSet: 'setUint8' },
  i8: { view: 'i8', dvGet: 'getInt8', dvSet: 'setInt8' },
  u8: { view: 'u8', dvGet: 'getUint8', dvSet: 'setUint8' },
  i16: { view: 'i16', dvGet: 'getInt16', dvSet: 'setInt16' },
  u16: { view: 'u16', dvGet: 'getUint16', dvSet: 'setUint16' },
  i32: { view: 'i32', dvGet: 'getInt32', dvSet: 'setInt32' },
  u32: { view: 'u32', dvGet: 'getUint32', dvSet: 'setUint32' },
  f32: { view: 'f32', dvGet: 'getFloat32', dvSet: 'setFloat32' },
  f64: { view: 'f64', dvGet: 'getFloat64', dvSet: 'setFloat64' },
  i64: { view: 'i64', dvGet: 'getBigInt64', dvSet: 'setBigInt64' },
  u64: { view: 'u64', dvGet: 'getBigUint64', dvSet: 'setBigUint64' },
  pointer: { view: 'u64', dvGet: 'getBigUint64', dvSet: 'setBigUint64' },
};

/** The text JS must supply for a scalar of this type (for error messages). */
export function expectedText(t: ScalarType): string {
  if (t.js === 'string') return 'a string, null or a bigint address';
  switch (t.kind) {
    case 'bool': return 'boolean';
    case 'i64': case 'u64': return wideText(t.kind);
    case 'i8': case 'u8': case 'i16': case 'u16': case 'i32': case 'u32': return rangeText(t.kind);
    case 'pointer': return POINTER_EXPECTED;
    case 'void': return 'undefined';
    default: return 'number';
  }
}

function hasFloat(t: CType): boolean {
  switch (t.tag) {
    case 'scalar': return t.kind === 'f32' || t.kind === 'f64';
    case 'array': return hasFloat(t.element);
    default: return t.fields.some((f) => hasFloat(f.type));
  }
}

/**
 * The index expression of frame byte `at` (relative to the frame whose base word index is
 * in `b`) in an arena view of `unit`-byte elements; `at` must be a multiple of `unit`.
 */
export function frameIndex(at: number, unit: number): string {
  if (at % unit !== 0) throw new Error(`internal: frame byte ${at} is not aligned for a ${unit}-byte access`);
  const scale = 8 / unit;
  const b = scale === 1 ? 'b' : `b * ${scale}`;
  return at === 0 ? b : `${b} + ${at / unit}`;
}

/** Generates reads and writes of one value at one place. */
let names = 0;

export class ValueGen {
  constructor(private readonly place: Place) {}

  /** A fresh identifier (unique across all generated code, so several values can share one function). */
  temp(prefix: string): string {
    return `${prefix}_${(names++).toString(36)}`;
  }

  /** Expression for the storage of a scalar of `size` bytes at `o`: a typed-array element or DataView call arguments. */
  private access(o: Offset, size: number, kind: Exclude<ScalarKind, 'void'>): { typed: string } | { dv: string; off: string } {
    let base: number;
    if (this.place.mode === 'memory') {
      base = o.k;
      const off = [String(base), ...o.terms.map((t) => `${t.v} * ${t.stride}`)].join(' + ');
      return { dv: 'dv', off };
    }
    const { pieces } = this.place;
    const contiguous = isContiguous(pieces);
    if (o.terms.length > 0 && !contiguous) throw new Error('internal: loop over a value split across registers');
    const piece = contiguous ? pieces[0]! : pieces.find((p) => o.k >= p.from && o.k < p.from + p.size);
    if (piece === undefined || (!contiguous && o.k + size > piece.from + piece.size))
      throw new Error('internal: scalar not inside one piece of a value split across registers');
    base = piece.at + o.k - piece.from;
    const aligned = base % size === 0 && o.terms.every((t) => t.stride % size === 0);
    if (aligned) {
      const parts = [frameIndex(base, size), ...o.terms.map((t) => `${t.v} * ${t.stride / size}`)];
      return { typed: `${VIEW[kind].view}[${parts.join(' + ')}]` };
    }
    return { dv: 'arenaDataView', off: ['b * 8', String(base), ...o.terms.map((t) => `${t.v} * ${t.stride}`)].join(' + ') };
  }

  private read(o: Offset, t: ScalarType): string {
    const kind = t.kind as Exclude<ScalarKind, 'void'>;
    const a = this.access(o, t.size, kind);
    const raw = 'typed' in a ? a.typed : `${a.dv}.${VIEW[kind].dvGet}(${a.off}${t.size > 1 ? ', true' : ''})`;
    if (t.js === 'string') return `readCString(${raw})`;
    if (kind === 'bool') return `(${raw} !== 0)`;
    return raw;
  }

  private write(o: Offset, t: ScalarType, value: string): string {
    const kind = t.kind as Exclude<ScalarKind, 'void'>;
    const a = this.access(o, t.size, kind);
    return 'typed' in a ? `${a.typed} = ${value};` : `${a.dv}.${VIEW[kind].dvSet}(${a.off}, ${value}${t.size > 1 ? ', true' : ''});`;
  }

  /**
   * A JS expression decoding the value of type `t` at byte `offset` of the place;
   * statements it needs first (loops for long arrays) are appended to `pre`.
   */
  decode(t: CType, pre: string[], offset: Offset = { k: 0, terms: [] }): string {
    switch (t.tag) {
      case 'scalar':
        return this.read(offset, t);
      case 'struct':
      case 'union':
        return `{ ${t.fields.map((f) => `${key(f.name)}: ${this.decode(f.type, pre, at(offset, f.offset))}`).join(', ')} }`;
      case 'array': {
        const el = t.element;
        if (el.tag === 'scalar' && (el.kind === 'f32' || el.kind === 'f64')) {
          // V8 may canonicalize NaNs stored into a double-elements array (an array literal
          // of numbers can become one), so float arrays start as generic arrays (of nulls)
          // and keep every NaN payload.
          const arr = this.temp('d');
          const stores: string[] = [];
          for (let i = 0; i < t.length; i++) stores.push(`${arr}[${i}] = ${this.decode(el, pre, at(offset, i * el.size))};`);
          pre.push(`const ${arr} = [${new Array<string>(t.length).fill('null').join(', ')}]; ${stores.join(' ')}`);
          return arr;
        }
        if (t.length <= UNROLL_LIMIT || !this.canLoop() || hasFloat(el)) {
          const items: string[] = [];
          for (let i = 0; i < t.length; i++) items.push(this.decode(el, pre, at(offset, i * el.size)));
          return `[${items.join(', ')}]`;
        }
        const arr = this.temp('d');
        const i = this.temp('i');
        const body: string[] = [];
        const e = this.decode(el, body, withTerm(offset, i, el.size));
        pre.push(`const ${arr} = new Array(${t.length}); for (let ${i} = 0; ${i} < ${t.length}; ${i}++) { ${body.join(' ')} ${arr}[${i}] = ${e}; }`);
        return arr;
      }
    }
  }

  private canLoop(): boolean {
    return this.place.mode === 'memory' || isContiguous(this.place.pieces);
  }

  /**
   * Statements encoding the JS value in variable `v` as type `t` at byte `offset`,
   * checking its JS type; `path` is a JS string expression naming the member for errors
   * (`""` at the top), `what` the value's index for `badAt`.
   */
  encode(t: CType, v: string, what: number, path = '""', offset: Offset = { k: 0, terms: [] }): string {
    // `hintCode`: a JS expression computing the hint at run time (instead of the constant `hint`).
    const fail = (expected: string, hint = '', hintCode?: string) =>
      `throw badAt(${what}, ${path}, ${JSON.stringify(expected)}, ${v}${hintCode ? `, ${hintCode}` : hint ? `, ${JSON.stringify(hint)}` : ''});`;
    switch (t.tag) {
      case 'scalar':
        return this.encodeScalar(t, v, offset, fail);
      case 'struct': {
        const out = [`if (typeof ${v} !== 'object' || ${v} === null) ${fail(`an object (${t.name})`)}`];
        for (const f of t.fields) {
          const fv = this.temp('v');
          out.push(`const ${fv} = ${prop(v, f.name)};`);
          out.push(this.encode(f.type, fv, what, pathJoin(path, `.${f.name}`), at(offset, f.offset)));
        }
        return out.join(' ');
      }
      case 'union': {
        // The widest member present (not undefined) is encoded, the first of equally wide
        // ones: a one-member object is encoded from that member, and a union decoded from C
        // (every member present) goes back with as many of its bytes as one member covers.
        const order = t.fields.map((f, i) => ({ f, i })).sort((a, b) => b.f.type.size - a.f.type.size || a.i - b.i).map((x) => x.f);
        let chain = fail(`an object with one of the members ${t.fields.map((f) => f.name).join(', ')}`);
        for (let i = order.length - 1; i >= 0; i--) {
          const f = order[i]!;
          const fv = this.temp('v');
          const enc = this.encode(f.type, fv, what, pathJoin(path, `.${f.name}`), at(offset, f.offset));
          chain = `{ const ${fv} = ${prop(v, f.name)}; if (${fv} !== undefined) { ${enc} } else ${chain} }`;
        }
        return `if (typeof ${v} !== 'object' || ${v} === null) ${fail(`an object (${t.name})`)} ${chain}`;
      }
      case 'array': {
        const el = t.element;
        const out = [`if (typeof ${v} !== 'object' || ${v} === null || ${v}.length !== ${t.length}) ${fail(`an array of ${t.length} elements (${t.name})`)}`];
        if (t.length <= UNROLL_LIMIT || !this.canLoop()) {
          for (let i = 0; i < t.length; i++) {
            const ev = this.temp('v');
            out.push(`const ${ev} = ${v}[${i}];`);
            out.push(this.encode(el, ev, what, pathJoin(path, `[${i}]`), at(offset, i * el.size)));
          }
        } else {
          const i = this.temp('i');
          const ev = this.temp('v');
          const p = `${path} + "[" + ${i} + "]"`;
          out.push(`for (let ${i} = 0; ${i} < ${t.length}; ${i}++) { const ${ev} = ${v}[${i}]; ${this.encode(el, ev, what, p, withTerm(offset, i, el.size))} }`);
        }
        return out.join(' ');
      }
    }
  }

  private encodeScalar(t: ScalarType, v: string, o: Offset, fail: (expected: string, hint?: string, hintCode?: string) => string): string {
    const expected = expectedText(t);
    const w = (x: string) => this.write(o, t, x);
    if (t.js === 'string') {
      return `if (typeof ${v} === 'string') { if (${v}.includes('\\0')) ${fail(expected, ' (the string contains a NUL character)')} ${w(`intern(${v})`)} } ` +
        `else if (${v} === null) ${w('0n')} else if (typeof ${v} === 'bigint') ${w(v)} else ${fail(expected)}`;
    }
    switch (t.kind) {
      case 'void': return '';
      case 'bool':
        return `if (typeof ${v} === 'boolean' || typeof ${v} === 'number') ${w(`${v} ? 1 : 0`)} else ${fail(expected)}`;
      case 'f32': case 'f64':
        return `if (typeof ${v} !== 'number') ${fail(expected)} ${w(v)}`;
      case 'i64': case 'u64':
        return `if (typeof ${v} === 'bigint') ${w(v)} else if (${wideFitsExpr(t.kind, v)}) ${w(`BigInt(${v})`)} else ${fail(expected, '', `intHint(${v})`)}`;
      case 'pointer': // as codec.ts: no numbers; an object with bare() stands for its address
        return `if (typeof ${v} === 'bigint') ${w(v)} else if (${v} === null) ${w('0n')} ` +
          `else { const a = addressOf(${v}); if (a === undefined) ${fail(expected, '', `pointerHint(${v})`)} ${w('a')} }`;
      default: // 8/16/32-bit integers: in range (integer-range.ts), so the typed-array store only drops a signed type's bit-pattern form to its value
        return `if (typeof ${v} !== 'number' || !${fitsExpr(t.kind, v)}) ${fail(expected, '', `intHint(${v})`)} ${w(v)}`;
    }
  }
}

/**
 * Statements setting a value's frame bytes to zero before it is written (its padding, and
 * the unused upper bytes of the registers it takes): whole 8-byte words where the piece
 * starts on one (a register slot; a 64-bit stack slot), else 4-byte or single bytes.
 */
export function zeroPieces(pieces: readonly Piece[]): string {
  const out: string[] = [];
  for (const { at, size } of pieces) {
    const [view, unit] = at % 8 === 0 ? ['f64', 8] : at % 4 === 0 ? ['u32', 4] : ['u8', 1];
    for (let k = 0; k < Math.ceil(size / unit); k++) out.push(`${view}[${frameIndex(at + k * unit, unit)}] = 0;`);
  }
  return out.join(' ');
}
