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
 */
import { array, struct, union, type CType as FfiType } from '../../src/index';
import { ARG_TYPES, cDriverPrelude, compareJs, jsValue, randomBits, type CType as Scalar, type NanPolicy } from './differential-gen';
import type { Prng } from './prng';

/** Scalar types used as struct fields (and as scalar arguments). */
export const FIELD_TYPES: readonly Scalar[] = ARG_TYPES.filter((t) => t.name !== 'const char *');

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
}

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
    const calls = Array.from({ length: opts.callsPerSig }, () => ({
      args: args.map((a) => randomVal(rng, a)),
      ret: ret ? randomVal(rng, ret) : null,
    }));
    sigs.push({ index: i, ret, args, spec, text, calls });
  }
  return sigs;
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

/** The C driver; `convention: 'ms'` declares the thunks' pointer types and the impl functions ms_abi. */
export function emitStructC(types: TypeTable, sigs: readonly StructSig[], convention: 'sysv' | 'ms' = 'sysv'): string {
  const cc = convention === 'ms' ? '__attribute__((ms_abi)) ' : '';
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
