/**
 * Generator for the struct differential test (test/differential-struct.test.ts): random
 * struct/union/array types (nested, mixed float/int fields, packed, arrays inside, sizes
 * 1-64 bytes), random signatures mixing them with scalars, random values, and ONE C file
 * that
 *  - calls each signature's thunk with literal values and checks the returned value leaf by
 *    leaf, bit for bit (inbound: C -> closure-ffi);
 *  - implements each signature as a C function `impl<i>` that checks its arguments leaf by
 *    leaf and returns a literal (outbound: closure-ffi's FnPtr -> C);
 *  - reports its own sizeof/_Alignof/offsetof of every type, to check the JS layouts.
 *
 * A value is carried as bit patterns of its scalar leaves (see {@link Val}); padding is
 * never compared (C does not preserve it through a by-value copy), and a union is compared
 * through the member it was written with.
 *
 * For AAPCS64 there is also an HFA-heavy generator ({@link generateHfaSignatures}): HFAs of
 * 1-4 floats or doubles in every shape (flat, arrays, nested, unions, packed), near-HFAs
 * (5 members, float and double mixed, float and integer), composites of 9-16 bytes (x
 * register pairs) and of more than 16 (by reference), many to a signature so that v0-v7
 * and x0-x7 run out, and {@link aapcs64Coverage}, an independent count of where they go.
 */
import { array, struct, union, type CType as FfiType } from '../../src/index';
import {
  ARG_TYPES, cConventionAttribute, cDriverPrelude, compareJs, jsValue, randomBits, type CConvention, type CType as Scalar, type NanPolicy,
} from './differential-gen';
import { hostScalar } from './differential-thunks';
import type { Prng } from './prng';

/** Scalar types used as struct fields (and as scalar arguments); plain char as the target has it. */
export const FIELD_TYPES: readonly Scalar[] = ARG_TYPES.filter((t) => t.name !== 'const char *').map(hostScalar);

export type TypeNode =
  | { readonly k: 'scalar'; readonly t: Scalar }
  | { readonly k: 'struct' | 'union'; readonly cname: string; readonly fields: readonly { readonly name: string; readonly type: TypeNode }[]; readonly packed: boolean; ffi: FfiType }
  | { readonly k: 'array'; readonly of: TypeNode; readonly n: number };

/** A value: scalar bits, array elements, struct fields, or a union's one written member. */
export type Val = bigint | Val[] | { readonly [field: string]: Val } | { readonly member: string; readonly value: Val };

export interface StructSig {
  readonly index: number;
  readonly ret: TypeNode | null; // null = void
  readonly args: readonly TypeNode[];
  /** What closure-ffi gets: a descriptor or a prototype string using registered names. */
  readonly spec: unknown;
  readonly text: string;
  readonly calls: readonly { readonly args: readonly Val[]; readonly ret: Val | null }[];
}

export interface TypeTable {
  /** Aggregates in definition order (dependencies first). */
  readonly aggregates: Extract<TypeNode, { k: 'struct' | 'union' }>[];
}

/* ---- types ------------------------------------------------------------------------------- */

function ffiOf(t: TypeNode, rng: Prng): FfiType | string {
  switch (t.k) {
    case 'scalar': return t.t.name;
    case 'struct': case 'union': return t.ffi;
    case 'array': {
      // sometimes spelled as a member type string 'T[n]' / 'T[n][m]'
      if (rng.chance(0.3)) {
        let base: TypeNode = t;
        const dims: number[] = [];
        while (base.k === 'array') { dims.push(base.n); base = base.of; }
        if (base.k === 'scalar') return `${base.t.name}[${dims.join('][')}]`;
      }
      return array(ffiOf(t.of, rng), t.n);
    }
  }
}

export function sizeOf(t: TypeNode): number {
  switch (t.k) {
    case 'scalar': return t.t.bits / 8;
    case 'array': return t.n * sizeOf(t.of);
    default: return t.ffi.size;
  }
}

function randomScalar(rng: Prng, floaty: number): TypeNode {
  if (rng.chance(floaty)) return { k: 'scalar', t: rng.pick(FIELD_TYPES.filter((x) => x.kind === 'float' || x.kind === 'double')) };
  return { k: 'scalar', t: rng.pick(FIELD_TYPES) };
}

/** Generates random aggregate types; each call makes one new top-level struct or union. */
export class TypeFactory {
  readonly aggregates: Extract<TypeNode, { k: 'struct' | 'union' }>[] = [];
  private n = 0;

  constructor(private readonly rng: Prng, private readonly prefix: string) {}

  private field(depth: number, floaty: number): TypeNode {
    const rng = this.rng;
    const r = rng.u32() / 2 ** 32;
    if (depth < 2 && r < 0.14) return this.make(depth + 1, rng.chance(0.12) ? 'union' : 'struct', 24);
    if (r < 0.28) {
      const n = rng.chance(0.15) ? 9 + rng.int(30) : 1 + rng.int(5);
      let of: TypeNode = depth < 2 && rng.chance(0.15) ? this.make(depth + 1, 'struct', 12) : randomScalar(rng, floaty);
      if (rng.chance(0.1) && of.k === 'scalar') of = { k: 'array', of, n: 1 + rng.int(3) };
      return { k: 'array', of, n };
    }
    return randomScalar(rng, floaty);
  }

  /** A struct or union of at most `maxSize` bytes (retries until it fits). */
  make(depth = 0, kind: 'struct' | 'union' = this.rng.chance(0.08) ? 'union' : 'struct', maxSize = 64): Extract<TypeNode, { k: 'struct' | 'union' }> {
    const rng = this.rng;
    const mark = this.aggregates.length;
    for (;;) {
      this.aggregates.length = mark; // drop the members of a rejected attempt
      const floaty = rng.pick([0, 0.3, 0.6, 1]);
      const count = 1 + rng.int(depth === 0 ? 7 : 4);
      const fields = Array.from({ length: count }, (_, i) => ({ name: `f${i}`, type: this.field(depth, floaty) }));
      const size = fields.reduce((s, f) => s + sizeOf(f.type), 0);
      if (size > maxSize) continue; // (a lower bound of the real size: recheck below)
      const packed = rng.chance(0.12);
      const cname = `${kind === 'union' ? 'U' : 'S'}${this.prefix}${this.n++}`;
      const specs = Object.fromEntries(fields.map((f) => [f.name, ffiOf(f.type, rng)]));
      const ffi = kind === 'union' ? union(specs, { packed }) : struct(specs, { packed });
      if (ffi.size > maxSize) continue;
      const node = { k: kind, cname, fields, packed, ffi };
      this.aggregates.push(node);
      return node;
    }
  }

  /* -- AAPCS64 classes (the HFA-heavy signatures; never used on x86-64, so its seeds replay as before) -- */

  private readonly byClass: Record<AbiClass, Extract<TypeNode, { k: 'struct' | 'union' }>[]> = { hfa: [], near: [], small: [], large: [] };
  private readonly classes = new Map<TypeNode, AbiClass>();

  /** The aggregates made by {@link makeAbi} for `cls`. */
  ofClass(cls: AbiClass): readonly Extract<TypeNode, { k: 'struct' | 'union' }>[] {
    return this.byClass[cls];
  }

  /** The class `t` was made for by {@link makeAbi}, if it was. */
  classOf(t: TypeNode): AbiClass | undefined {
    return this.classes.get(t);
  }

  /**
   * A new top-level aggregate of class `cls`:
   * - 'hfa': 1-4 floats or 1-4 doubles, flat, as arrays (also 2-D), nested structs, arrays of
   *   structs, unions of such members, sometimes packed (no padding, so still an HFA);
   * - 'near': almost an HFA: 5 members of one kind (by reference), float and double mixed,
   *   float or double with an integer, a union of float and double members;
   * - 'small': 9-16 bytes and not an HFA (x register pairs, or the stack);
   * - 'large': 17-64 bytes and not an HFA (copied and passed by reference).
   */
  makeAbi(cls: AbiClass): Extract<TypeNode, { k: 'struct' | 'union' }> {
    const rng = this.rng;
    let node: Extract<TypeNode, { k: 'struct' | 'union' }>;
    const mark = this.aggregates.length;
    for (;;) {
      this.aggregates.length = mark;
      switch (cls) {
        case 'hfa': node = this.hfaTop(rng.pick(FLOATS), 1 + rng.int(4)); break;
        case 'near': node = this.nearHfa(); break;
        case 'small': node = this.plain(9, 16); break;
        case 'large': node = this.plain(17, 64); break;
      }
      if (cls === 'hfa' ? hfaOfNode(node) !== null : hfaOfNode(node) === null) break;
    }
    this.byClass[cls].push(node);
    this.classes.set(node, cls);
    return node;
  }

  /** A struct or union of these fields (named f0, f1, ...), registered as an aggregate. */
  private build(kind: 'struct' | 'union', types: readonly TypeNode[], packed = false): Extract<TypeNode, { k: 'struct' | 'union' }> {
    const fields = types.map((type, i) => ({ name: `f${i}`, type }));
    const cname = `${kind === 'union' ? 'U' : 'S'}${this.prefix}${this.n++}`;
    const specs = Object.fromEntries(fields.map((f) => [f.name, ffiOf(f.type, this.rng)]));
    const ffi = kind === 'union' ? union(specs, { packed }) : struct(specs, { packed });
    const node = { k: kind, cname, fields, packed, ffi };
    this.aggregates.push(node);
    return node;
  }

  /** `n` split into 1..n positive parts, in random order. */
  private parts(n: number, atLeastTwo = false): number[] {
    const out: number[] = [];
    let left = n;
    while (left > 0) {
      const p = atLeastTwo && out.length === 0 && n > 1 ? 1 + this.rng.int(n - 1) : 1 + this.rng.int(left);
      out.push(p);
      left -= p;
    }
    return out;
  }

  /** A field type holding exactly `n` members of `base` with no padding: a scalar, an array, a nested struct or union, an array of structs. */
  private hfaPart(base: Scalar, n: number, depth: number): TypeNode {
    const rng = this.rng;
    const leaf: TypeNode = { k: 'scalar', t: base };
    if (depth >= 3 || (n === 1 && rng.chance(0.6))) return n === 1 ? leaf : { k: 'array', of: leaf, n };
    switch (rng.int(6)) {
      case 0: return n === 1 ? leaf : { k: 'array', of: leaf, n };
      case 1: return { k: 'array', of: leaf, n };
      case 2: return this.build('struct', this.parts(n).map((p) => this.hfaPart(base, p, depth + 1)), rng.chance(0.15));
      case 3: {
        const d = rng.pick([1, 2, 3, 4].filter((x) => n % x === 0 && x < n).concat(n === 1 ? [1] : []));
        return { k: 'array', of: this.build('struct', this.parts(d).map((p) => this.hfaPart(base, p, depth + 1))), n: n / d };
      }
      case 4: {
        const a = rng.pick([1, 2, 3, 4].filter((x) => n % x === 0));
        return { k: 'array', of: { k: 'array', of: leaf, n: n / a }, n: a };
      }
      default: {
        const others = Array.from({ length: rng.int(3) }, () => this.hfaPart(base, 1 + rng.int(n), depth + 1));
        const members = [this.hfaPart(base, n, depth + 1), ...others];
        if (rng.chance(0.5)) members.reverse();
        return this.build('union', members);
      }
    }
  }

  /** A top-level HFA of `n` members of `base`. */
  private hfaTop(base: Scalar, n: number): Extract<TypeNode, { k: 'struct' | 'union' }> {
    const rng = this.rng;
    if (rng.chance(0.15)) {
      const others = Array.from({ length: 1 + rng.int(2) }, () => this.hfaPart(base, 1 + rng.int(n), 1));
      return this.build('union', [this.hfaPart(base, n, 1), ...others], rng.chance(0.15));
    }
    return this.build('struct', this.parts(n).map((p) => this.hfaPart(base, p, 1)), rng.chance(0.15));
  }

  /** Not an HFA, though close: five members of one kind, float and double mixed, floats with an integer. */
  private nearHfa(): Extract<TypeNode, { k: 'struct' | 'union' }> {
    const rng = this.rng;
    const [f, d] = FLOATS;
    const packed = rng.chance(0.15);
    const shuffle = (xs: TypeNode[]) => { for (let i = xs.length - 1; i > 0; i--) { const j = rng.int(i + 1); [xs[i], xs[j]] = [xs[j]!, xs[i]!]; } return xs; };
    switch (rng.int(5)) {
      case 0: { // five (or six) members of one kind: 20-48 bytes, by reference
        const base = rng.pick(FLOATS);
        return this.build('struct', this.parts(5 + rng.int(2), true).map((p) => this.hfaPart(base, p, 1)), packed);
      }
      case 1: { // float and double members, 2-4 of them
        const a = 1 + rng.int(2), b = 1 + rng.int(2);
        return this.build('struct', shuffle([this.hfaPart(f, a, 1), this.hfaPart(d, b, 1)]), packed);
      }
      case 2: { // floats or doubles and one integer
        const base = rng.pick(FLOATS);
        const int = rng.pick(FIELD_TYPES.filter((x) => x.kind === 'int' || x.kind === 'bool'));
        return this.build('struct', shuffle([this.hfaPart(base, 1 + rng.int(3), 1), { k: 'scalar', t: int }]), packed);
      }
      case 3: // a union of a float member and a double member
        return this.build('union', shuffle([this.hfaPart(f, 1 + rng.int(4), 1), this.hfaPart(d, 1 + rng.int(2), 1)]));
      default: { // an HFA nested next to a float of the other kind
        const base = rng.pick(FLOATS);
        const inner = this.build('struct', this.parts(1 + rng.int(3)).map((p) => this.hfaPart(base, p, 2)));
        return this.build('struct', shuffle([inner, { k: 'scalar', t: base === f ? d! : f! }]), packed);
      }
    }
  }

  /** A struct or union of `min`-`max` bytes of integers, pointers, char arrays and the odd float (retries until it fits). */
  private plain(min: number, max: number): Extract<TypeNode, { k: 'struct' | 'union' }> {
    const rng = this.rng;
    const mark = this.aggregates.length;
    for (;;) {
      this.aggregates.length = mark;
      const fieldType = (): TypeNode => {
        if (rng.chance(0.15)) return { k: 'array', of: { k: 'scalar', t: rng.pick(FIELD_TYPES.filter((x) => x.bits === 8 && x.kind === 'int')) }, n: 1 + rng.int(max) };
        return randomScalar(rng, 0.15);
      };
      const kind = rng.chance(0.1) ? 'union' : 'struct';
      const node = this.build(kind, Array.from({ length: 1 + rng.int(6) }, fieldType), rng.chance(0.15));
      if (node.ffi.size >= min && node.ffi.size <= max) return node;
    }
  }
}

/** float and double, in that order. */
const FLOATS: readonly Scalar[] = ['float', 'double'].map((n) => FIELD_TYPES.find((t) => t.name === n)!);

/* ---- values -------------------------------------------------------------------------------- */

export function randomVal(rng: Prng, t: TypeNode): Val {
  switch (t.k) {
    case 'scalar': return randomBits(rng, t.t);
    case 'array': return Array.from({ length: t.n }, () => randomVal(rng, t.of));
    case 'struct': return Object.fromEntries(t.fields.map((f) => [f.name, randomVal(rng, f.type)]));
    case 'union': {
      const f = rng.pick(t.fields);
      return { member: f.name, value: randomVal(rng, f.type) };
    }
  }
}

/** A JS array whose elements V8 keeps boxed (a double array may canonicalize NaN payloads on store). */
function boxedArray(items: unknown[]): unknown[] {
  const a: unknown[] = ['boxed'];
  a.length = 0;
  for (const x of items) a.push(x);
  return a;
}

/** The JS value closure-ffi accepts for `v` (float arrays as typed arrays: array-likes are accepted). */
export function toJs(t: TypeNode, v: Val, rng?: Prng): unknown {
  switch (t.k) {
    case 'scalar': return jsValue(t.t, v as bigint);
    case 'array': {
      const items = v as Val[];
      if (t.of.k === 'scalar' && t.of.t.kind === 'float' && rng?.chance(0.5)) return new Float32Array(new Uint32Array(items.map((b) => Number(b))).buffer);
      if (t.of.k === 'scalar' && t.of.t.kind === 'double' && rng?.chance(0.5)) return new Float64Array(new BigUint64Array(items as bigint[]).buffer);
      // (no intermediate .map(): its result may be a double array that drops NaN payloads)
      const out = boxedArray([]);
      for (const x of items) out.push(toJs(t.of, x, rng));
      return out;
    }
    case 'struct': {
      const o: Record<string, unknown> = {};
      for (const f of t.fields) o[f.name] = toJs(f.type, (v as Record<string, Val>)[f.name]!, rng);
      return o;
    }
    case 'union': {
      const u = v as { member: string; value: Val };
      const f = t.fields.find((x) => x.name === u.member)!;
      return { [u.member]: toJs(f.type, u.value, rng) };
    }
  }
}

/** Compares a JS value against expected leaves; returns mismatch descriptions (empty = equal). */
export function compareVal(t: TypeNode, got: unknown, want: Val, path: string, nan: NanPolicy, out: string[]): void {
  switch (t.k) {
    case 'scalar': {
      const o = compareJs(t.t, got, want as bigint, nan);
      if (!o.ok) out.push(`${path}: ${o.detail}`);
      return;
    }
    case 'array': {
      if (!Array.isArray(got) || got.length !== t.n) { out.push(`${path}: expected an array of ${t.n}, got ${String(got)}`); return; }
      (want as Val[]).forEach((w, i) => compareVal(t.of, got[i], w, `${path}[${i}]`, nan, out));
      return;
    }
    case 'struct': {
      if (typeof got !== 'object' || got === null) { out.push(`${path}: expected an object, got ${String(got)}`); return; }
      const keys = Object.keys(got);
      if (keys.join() !== t.fields.map((f) => f.name).join()) out.push(`${path}: keys ${keys.join()} want ${t.fields.map((f) => f.name).join()}`);
      for (const f of t.fields) compareVal(f.type, (got as Record<string, unknown>)[f.name], (want as Record<string, Val>)[f.name]!, `${path}.${f.name}`, nan, out);
      return;
    }
    case 'union': {
      if (typeof got !== 'object' || got === null) { out.push(`${path}: expected an object, got ${String(got)}`); return; }
      const u = want as { member: string; value: Val };
      const f = t.fields.find((x) => x.name === u.member)!;
      compareVal(f.type, (got as Record<string, unknown>)[u.member], u.value, `${path}.${u.member}`, nan, out);
      return;
    }
  }
}

/* ---- signatures ---------------------------------------------------------------------------- */

export function cTypeName(t: TypeNode): string {
  switch (t.k) {
    case 'scalar': return t.t.name;
    case 'struct': return `struct ${t.cname}`;
    case 'union': return `union ${t.cname}`;
    case 'array': throw new Error('arrays are not passed by value');
  }
}

export interface SigOptions {
  readonly count: number;
  readonly callsPerSig: number;
}

export function generateStructSignatures(rng: Prng, types: TypeFactory, opts: SigOptions, registered: ReadonlySet<string>): StructSig[] {
  const sigs: StructSig[] = [];
  for (let i = 0; i < opts.count; i++) {
    const agg = (): TypeNode => (types.aggregates.length > 3 && rng.chance(0.35) ? rng.pick(types.aggregates.filter((a) => a.ffi.size <= 64)) : types.make());
    const scalar = (): TypeNode => randomScalar(rng, 0.3);
    const r = rng.u32() / 2 ** 32;
    const ret: TypeNode | null = r < 0.65 ? agg() : r < 0.9 ? scalar() : null;
    const nArgs = rng.chance(0.25) ? 6 + rng.int(6) : rng.int(6);
    const args = Array.from({ length: nArgs }, () => (rng.chance(0.5) ? agg() : scalar()));
    sigs.push(finishSig(rng, i, ret, args, registered, opts.callsPerSig));
  }
  return sigs;
}

/** A signature of these types: its spec (a descriptor, or a prototype string using registered names) and its calls' values. */
function finishSig(rng: Prng, index: number, ret: TypeNode | null, args: TypeNode[], registered: ReadonlySet<string>, callsPerSig: number): StructSig {
  const names = (t: TypeNode): string => {
    if (t.k === 'scalar') return t.t.name;
    if (t.k === 'array') throw new Error('arrays are not passed by value');
    return registered.has(t.cname) && rng.chance(0.5) ? t.cname : cTypeName(t);
  };
  const text = `${ret ? cTypeName(ret) : 'void'} (${args.length ? args.map(cTypeName).join(', ') : 'void'})`;
  const useString = args.concat(ret ? [ret] : []).every((t) => t.k === 'scalar' || registered.has((t as { cname: string }).cname)) && rng.chance(0.4);
  const ffiSpec = (t: TypeNode) => (t.k === 'scalar' ? t.t.name : (t as { ffi: FfiType }).ffi);
  const spec = useString
    ? `${ret ? names(ret) : 'void'} (${args.length ? args.map((a, k) => `${names(a)}${rng.chance(0.3) ? ` a${k}` : ''}`).join(', ') : 'void'})`
    : { args: args.map(ffiSpec), ret: ret ? ffiSpec(ret) : 'void' };
  const calls = Array.from({ length: callsPerSig }, () => ({
    args: args.map((a) => randomVal(rng, a)),
    ret: ret ? randomVal(rng, ret) : null,
  }));
  return { index, ret, args, spec, text, calls };
}

/* ---- AAPCS64: HFAs, near-HFAs, composites in registers, on the stack and by reference ---------- */

/** How AAPCS64 treats an aggregate the HFA generator made (by construction; {@link hfaOfNode} rechecks HFAs). */
export type AbiClass = 'hfa' | 'near' | 'small' | 'large';

export interface HfaOptions extends SigOptions {
  /** Index of the first signature (they follow the general ones). */
  readonly first: number;
}

/**
 * Signatures for AAPCS64's aggregate rules: arguments are HFAs (40%), near-HFAs (15%),
 * composites of 9-16 bytes (12%) and of 17-64 bytes (8%), floats/doubles (15%) and integers
 * or pointers (10%); a third of the signatures take 10-16 arguments, so that v0-v7 and x0-x7
 * run out and HFAs, composites, pointers to copies and scalars go on the stack. Results are
 * HFAs in v0-v3, composites in x0/x1, or in memory through x8.
 */
export function generateHfaSignatures(rng: Prng, types: TypeFactory, opts: HfaOptions, registered: ReadonlySet<string>): StructSig[] {
  const sigs: StructSig[] = [];
  const agg = (cls: AbiClass): TypeNode => {
    const old = types.ofClass(cls);
    return old.length > 4 && rng.chance(0.3) ? rng.pick(old) : types.makeAbi(cls);
  };
  const floatScalar = (): TypeNode => ({ k: 'scalar', t: rng.pick(FIELD_TYPES.filter((x) => x.kind === 'float' || x.kind === 'double')) });
  const intScalar = (): TypeNode => ({ k: 'scalar', t: rng.pick(FIELD_TYPES.filter((x) => x.kind !== 'float' && x.kind !== 'double')) });
  const weighted = (table: readonly [number, () => TypeNode | null][]): TypeNode | null => {
    let r = rng.u32() / 2 ** 32;
    for (const [w, make] of table) if ((r -= w) < 0) return make();
    return table[table.length - 1]![1]();
  };
  for (let i = 0; i < opts.count; i++) {
    const ret = weighted([
      [0.4, () => agg('hfa')], [0.1, () => agg('near')], [0.12, () => agg('small')], [0.14, () => agg('large')],
      [0.08, floatScalar], [0.06, intScalar], [0.1, () => null],
    ]);
    const mode = rng.int(3);
    const nArgs = mode === 0 ? rng.int(5) : mode === 1 ? 5 + rng.int(5) : 10 + rng.int(7);
    const args = Array.from({ length: nArgs }, () => weighted([
      [0.4, () => agg('hfa')], [0.15, () => agg('near')], [0.12, () => agg('small')], [0.08, () => agg('large')],
      [0.15, floatScalar], [0.1, intScalar],
    ])!);
    sigs.push(finishSig(rng, opts.first + i, ret, args, registered, opts.callsPerSig));
  }
  return sigs;
}

/** The member kind and count of an HFA (AAPCS64's rule, on the generator's types), or null. */
export function hfaOfNode(t: TypeNode): { readonly base: 'float' | 'double'; readonly count: number } | null {
  if (t.k === 'scalar') return null;
  let base: 'float' | 'double' | undefined;
  const leaves = (u: TypeNode): number => {
    switch (u.k) {
      case 'scalar':
        if (u.t.kind !== 'float' && u.t.kind !== 'double') return NaN;
        if (base !== undefined && base !== u.t.kind) return NaN;
        base = u.t.kind;
        return 1;
      case 'array': return u.n * leaves(u.of);
      case 'struct': return u.fields.reduce((n, f) => n + leaves(f.type), 0);
      case 'union': return u.fields.reduce((n, f) => Math.max(n, leaves(f.type)), 0);
    }
  };
  const n = leaves(t);
  if (!(n >= 1 && n <= 4) || base === undefined) return null;
  return sizeOf(t) === n * (base === 'float' ? 4 : 8) ? { base, count: n } : null;
}

/** Where AAPCS64 puts the values of a set of signatures, counted independently of closure-ffi's classifier. */
export interface Aapcs64Coverage {
  hfaArgsInV: number; hfaArgsOnStack: number; compositeArgsInX: number; compositeArgsOnStack: number;
  byReference: number; byReferencePointerOnStack: number; scalarArgsOnStack: number; nearHfaArgs: number;
  hfaResults: number; compositeResultsInX: number; resultsThroughX8: number;
  sigsVExhausted: number; sigsXExhausted: number; sigsWithStackArgs: number;
}

export function aapcs64Coverage(sigs: readonly StructSig[], classOf: (t: TypeNode) => AbiClass | undefined): Aapcs64Coverage {
  const c: Aapcs64Coverage = {
    hfaArgsInV: 0, hfaArgsOnStack: 0, compositeArgsInX: 0, compositeArgsOnStack: 0,
    byReference: 0, byReferencePointerOnStack: 0, scalarArgsOnStack: 0, nearHfaArgs: 0,
    hfaResults: 0, compositeResultsInX: 0, resultsThroughX8: 0,
    sigsVExhausted: 0, sigsXExhausted: 0, sigsWithStackArgs: 0,
  };
  for (const s of sigs) {
    if (s.ret && s.ret.k !== 'scalar') {
      if (hfaOfNode(s.ret)) c.hfaResults++;
      else if (sizeOf(s.ret) <= 16) c.compositeResultsInX++;
      else c.resultsThroughX8++;
    }
    let ngrn = 0, nsrn = 0, stack = false, vOut = false, xOut = false;
    for (const t of s.args) {
      if (classOf(t) === 'near') c.nearHfaArgs++;
      if (t.k === 'scalar') {
        const isFloat = t.t.kind === 'float' || t.t.kind === 'double';
        if (isFloat ? nsrn < 8 : ngrn < 8) isFloat ? nsrn++ : ngrn++;
        else { c.scalarArgsOnStack++; stack = true; (isFloat ? (vOut = true) : (xOut = true)); }
        continue;
      }
      const hfa = hfaOfNode(t);
      if (hfa) {
        if (nsrn + hfa.count <= 8) { nsrn += hfa.count; c.hfaArgsInV++; }
        else { nsrn = 8; c.hfaArgsOnStack++; stack = vOut = true; }
      } else if (sizeOf(t) > 16) {
        c.byReference++;
        if (ngrn < 8) ngrn++;
        else { c.byReferencePointerOnStack++; stack = xOut = true; }
      } else {
        const n = Math.ceil(sizeOf(t) / 8);
        if (ngrn + n <= 8) { ngrn += n; c.compositeArgsInX++; }
        else { ngrn = 8; c.compositeArgsOnStack++; stack = xOut = true; }
      }
    }
    if (vOut) c.sigsVExhausted++;
    if (xOut) c.sigsXExhausted++;
    if (stack) c.sigsWithStackArgs++;
  }
  return c;
}

/* ---- C emission ------------------------------------------------------------------------------- */

function declC(t: TypeNode, name: string): string {
  if (t.k === 'array') return declC(t.of, `${name}[${t.n}]`);
  return `${cTypeName(t)} ${name}`;
}

function scalarLit(t: Scalar, b: bigint): string {
  switch (t.kind) {
    case 'bool': return b ? 'true' : 'false';
    case 'int': return `(${t.name})0x${b.toString(16)}ull`;
    case 'float': return `F32(0x${b.toString(16)}u)`;
    case 'double': return `F64(0x${b.toString(16)}ull)`;
    case 'ptr': return `(${t.name})(uintptr_t)0x${b.toString(16)}ull`;
    case 'void': throw new Error('void');
  }
}

/** A C initializer for `v` (inside braces for aggregates). */
function initC(t: TypeNode, v: Val): string {
  switch (t.k) {
    case 'scalar': return scalarLit(t.t, v as bigint);
    case 'array': return `{ ${(v as Val[]).map((x) => initC(t.of, x)).join(', ')} }`;
    case 'struct': return `{ ${t.fields.map((f) => `.${f.name} = ${initC(f.type, (v as Record<string, Val>)[f.name]!)}`).join(', ')} }`;
    case 'union': {
      const u = v as { member: string; value: Val };
      return `{ .${u.member} = ${initC(t.fields.find((f) => f.name === u.member)!.type, u.value)} }`;
    }
  }
}

/** A C expression of type `t` with value `v` (compound literal for aggregates). */
export function exprC(t: TypeNode, v: Val): string {
  return t.k === 'scalar' ? scalarLit(t.t, v as bigint) : `(${cTypeName(t)})${initC(t, v)}`;
}

/** C statements checking every leaf of lvalue `e` against `v` (bit patterns, through `ck`). */
export function checkC(t: TypeNode, e: string, v: Val, out: string[]): void {
  switch (t.k) {
    case 'scalar': {
      const b = v as bigint;
      const want = `0x${b.toString(16)}ull`;
      switch (t.t.kind) {
        case 'float': out.push(`ck(B32(${e}), ${want}, "${e}");`); return;
        case 'double': out.push(`ck(B64(${e}), ${want}, "${e}");`); return;
        case 'ptr': out.push(`ck((uintptr_t)(${e}), ${want}, "${e}");`); return;
        case 'bool': out.push(`ck((unsigned long long)(${e}), ${want}, "${e}");`); return;
        default: out.push(`ck((unsigned long long)(${e}), (unsigned long long)(${t.t.name})${want}, "${e}");`); return;
      }
    }
    case 'array': (v as Val[]).forEach((x, i) => checkC(t.of, `${e}[${i}]`, x, out)); return;
    case 'struct': for (const f of t.fields) checkC(f.type, `${e}.${f.name}`, (v as Record<string, Val>)[f.name]!, out); return;
    case 'union': {
      const u = v as { member: string; value: Val };
      checkC(t.fields.find((f) => f.name === u.member)!.type, `${e}.${u.member}`, u.value, out);
    }
  }
}

/** Every leaf as [C path, offset] is checked in C; the layout table checks sizes/offsets. */
function layoutRows(a: Extract<TypeNode, { k: 'struct' | 'union' }>): string[] {
  return [`sizeof(${cTypeName(a)})`, `_Alignof(${cTypeName(a)})`, ...a.fields.map((f) => `offsetof(${cTypeName(a)}, ${f.name})`)];
}

/**
 * The C driver; the thunks' pointer types and the impl functions are declared with
 * `convention` ('native': the compiler's own, see {@link CConvention}).
 */
export function emitStructC(types: TypeTable, sigs: readonly StructSig[], convention: CConvention = 'native'): string {
  const cc = cConventionAttribute(convention);
  const out: string[] = [];
  out.push(`/* generated by test/support/struct-gen.ts: ${types.aggregates.length} types, ${sigs.length} signatures */
${cDriverPrelude(sigs.length)}#pragma GCC diagnostic ignored "-Waddress-of-packed-member"
#pragma GCC diagnostic ignored "-Wmissing-braces"
static const char *cur_dir = "";
static int cur_sig, cur_call;
static void ck(unsigned long long got, unsigned long long want, const char *what) {
  if (got != want) fail_at(cur_dir, cur_sig, cur_call, "%s: got 0x%llx want 0x%llx", what, got, want);
}
`);
  for (const a of types.aggregates) {
    const attr = a.packed ? ' __attribute__((packed))' : '';
    out.push(`${a.k}${attr} ${a.cname} { ${a.fields.map((f) => `${declC(f.type, f.name)};`).join(' ')} };`);
  }
  const rows = types.aggregates.flatMap(layoutRows);
  out.push(`static const long layout_table[] = { ${rows.length ? rows.map((r) => `(long)${r}`).join(', ') : '0'} };`);
  out.push(`EXPORT const long *layouts(void) { return layout_table; }`);
  out.push(`EXPORT int layouts_count(void) { return ${rows.length}; }`);
  out.push(`EXPORT int char_is_signed(void) { return (char)-1 < 0; }`);
  out.push(`EXPORT int long_bits(void) { return (int)sizeof(long) * 8; }`);

  for (const s of sigs) {
    const retT = s.ret ? cTypeName(s.ret) : 'void';
    const params = s.args.length ? s.args.map(cTypeName).join(', ') : 'void';
    out.push(`/* ${s.index}: ${s.text} */`);
    out.push(`typedef ${retT} (${cc}*sig${s.index}_t)(${params});`);
    // inbound: C calls the thunk
    out.push(`static void run${s.index}(void) {`);
    out.push(`  const int sig = ${s.index};`);
    s.calls.forEach((c, k) => {
      const call = `((sig${s.index}_t)thunks[sig])(${s.args.map((a, j) => exprC(a, c.args[j]!)).join(', ')})`;
      out.push(`  { cur_dir = "C<-thunk"; cur_sig = sig; cur_call = ${k}; calls_made++;`);
      if (s.ret === null) out.push(`    ${call};`);
      else {
        out.push(`    ${retT} r = ${call};`);
        const checks: string[] = [];
        checkC(s.ret, 'r', c.ret!, checks);
        out.push(...checks.map((x) => `    ${x}`));
      }
      out.push(`  }`);
    });
    out.push(`}`);
    // outbound: closure-ffi calls impl<i>
    const named = s.args.map((a, j) => `${cTypeName(a)} a${j}`).join(', ') || 'void';
    out.push(`static int impl${s.index}_calls;`);
    out.push(`EXPORT ${cc}${retT} impl${s.index}(${named}) {`);
    out.push(`  const int call = impl${s.index}_calls++; cur_dir = "FnPtr->C"; cur_sig = ${s.index}; cur_call = call;`);
    out.push(`  switch (call) {`);
    s.calls.forEach((c, k) => {
      const checks: string[] = [];
      s.args.forEach((a, j) => checkC(a, `a${j}`, c.args[j]!, checks));
      out.push(`  case ${k}: {`);
      out.push(...checks.map((x) => `    ${x}`));
      out.push(s.ret === null ? `    return;` : `    return ${exprC(s.ret, c.ret!)};`);
      out.push(`  }`);
    });
    out.push(`  default: fail_at(cur_dir, cur_sig, call, "unexpected call");`);
    out.push(s.ret === null ? `    return;` : `    { ${retT} z; memset(&z, 0, sizeof z); return z; }`);
    out.push(`  }`);
    out.push(`}`);
  }
  out.push(`static void (*const runs[N_SIGS])(void) = { ${sigs.map((s) => `run${s.index}`).join(', ')} };`);
  out.push(`EXPORT int run_range(int from, int to) {
  for (int i = from; i < to && i < N_SIGS; i++) runs[i]();
  return fails;
}`);
  return out.join('\n') + '\n';
}

/** Expected JS layout rows (same order as the C table). */
export function jsLayoutRows(types: TypeTable): { label: string; value: number }[] {
  const rows: { label: string; value: number }[] = [];
  for (const a of types.aggregates) {
    rows.push({ label: `sizeof(${a.cname})`, value: a.ffi.size });
    rows.push({ label: `alignof(${a.cname})`, value: a.ffi.align });
    for (const f of (a.ffi as { fields: readonly { name: string; offset: number }[] }).fields) rows.push({ label: `offsetof(${a.cname}, ${f.name})`, value: f.offset });
  }
  return rows;
}
