/**
 * C layout of aggregates from already resolved member types: offsets, padding, size,
 * alignment and the layout text. `aggregate.ts` is the public front (it resolves type
 * names first); the lowering of `T name[N]` members uses {@link makeArray} directly.
 */
import { UnsupportedTypeError } from '../errors';
import {
  isCString, markAggregate,
  type ArrayType, type CType, type FieldLayout, type FieldSpecs, type StructType, type UnionType,
} from './ctype';

const roundUp = (n: number, a: number): number => Math.ceil(n / a) * a;

/** The declaration of a member named `name` of type `t`, as in C (`int32_t a[4]`). */
function declText(t: CType, name: string): string {
  if (t.tag === 'array') return declText(t.element, `${name}[${t.length}]`);
  return `${t.tag === 'scalar' ? t.name : t.layout} ${name}`;
}

/** Does `t` contain a `cstring` anywhere? */
export function hasCString(t: CType): boolean {
  switch (t.tag) {
    case 'scalar': return isCString(t);
    case 'array': return hasCString(t.element);
    default: return t.fields.some((f) => hasCString(f.type));
  }
}

export interface Member {
  readonly name: string;
  readonly type: CType;
}

function membersText(members: readonly Member[]): string {
  return members.map((m) => `${declText(m.type, m.name)};`).join(' ');
}

export function makeStruct<F extends FieldSpecs>(members: readonly Member[], packed: boolean, specs: F): StructType<F> {
  let offset = 0;
  let align = 1;
  const fields: FieldLayout[] = members.map(({ name, type }) => {
    const a = packed ? 1 : type.align;
    offset = roundUp(offset, a);
    const f: FieldLayout = Object.freeze({ name, type, offset });
    offset += type.size;
    align = Math.max(align, a);
    return f;
  });
  const size = roundUp(offset, align);
  const layout = `struct ${packed ? '__attribute__((packed)) ' : ''}{ ${membersText(members)} }`;
  return markAggregate(Object.freeze({
    tag: 'struct', kind: 'struct', js: 'object', name: layout, layout, size, align, packed,
    fields: Object.freeze(fields), fieldSpecs: Object.freeze({ ...specs }),
  }) as StructType<F>);
}

export function makeUnion<F extends FieldSpecs>(members: readonly Member[], packed: boolean, specs: F): UnionType<F> {
  for (const m of members) {
    if (hasCString(m.type)) {
      throw new UnsupportedTypeError(`union member '${m.name}' contains a cstring; use 'const char *' (a bigint) in unions`);
    }
  }
  const align = packed ? 1 : Math.max(...members.map((m) => m.type.align));
  const size = roundUp(Math.max(...members.map((m) => m.type.size)), align);
  const layout = `union ${packed ? '__attribute__((packed)) ' : ''}{ ${membersText(members)} }`;
  return markAggregate(Object.freeze({
    tag: 'union', kind: 'union', js: 'object', name: layout, layout, size, align, packed,
    fields: Object.freeze(members.map(({ name, type }) => Object.freeze({ name, type, offset: 0 }))),
    fieldSpecs: Object.freeze({ ...specs }),
  }) as UnionType<F>);
}

/** `int` for `int[2][3]`: the innermost element's text. */
function arrayBase(t: CType, which: 'name' | 'layout'): string {
  if (t.tag === 'array') return arrayBase(t.element, which);
  return t.tag === 'scalar' ? t.name : t[which];
}

/** `[2][3]` for `int[2][3]`. */
function arrayDims(t: CType): string {
  return t.tag === 'array' ? `[${t.length}]${arrayDims(t.element)}` : '';
}

export function makeArray<E extends string | CType, N extends number>(el: CType, length: N, spec: E): ArrayType<E, N> {
  if (el.tag === 'scalar' && el.kind === 'void') throw new UnsupportedTypeError(`array of 'void' is not a C type`);
  const dims = `[${length}]${arrayDims(el)}`;
  return markAggregate(Object.freeze({
    tag: 'array', kind: 'array', js: 'array',
    name: `${arrayBase(el, 'name')}${dims}`, layout: `${arrayBase(el, 'layout')}${dims}`,
    size: el.size * length, align: el.align, element: el, length, elementSpec: spec,
  }) as ArrayType<E, N>);
}
