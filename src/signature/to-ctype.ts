/**
 * Lowers the parser's type tree to {@link CType}s and {@link Signature}s for one target
 * data model: sizes, alignments, signedness, canonical names.
 */
import { UnsupportedTypeError } from '../errors';
import { unwrapTypedefs, withoutQuals, type FuncNode, type TypedefNode, type TypeNode, type UnsupportedNode } from './ast';
import { builtinType, pointerType } from './builtin-types';
import { makeScalar, renameType, type CType, type ScalarType } from './ctype';
import type { TargetDataModel } from './data-model';
import { headerTypedef, headerTypedefOn } from './header-typedefs';
import { makeArray } from './layout';
import { printFunc, printType } from './print';
import { registryScope } from './type-names';
import type { Signature } from './signature';

/** Where a type was written: its own position, or the use of the typedef it came from. */
export interface UseSite { readonly typedef: string; readonly col: number | undefined }

function where(t: TypeNode, source: string, via: UseSite | undefined): string {
  if (via !== undefined) {
    const at = via.col === undefined ? '' : `at column ${via.col} `;
    return `${at}in '${source}', through typedef '${via.typedef}'`;
  }
  return t.pos === undefined ? `in '${source}'` : `at column ${t.pos.col} in '${source}'`;
}

/**
 * What typedef `t` stands for on `model`: its target, except for a built-in header typedef
 * (the parser gives it glibc's base type), which has the model's own (Windows x64 differs;
 * see header-typedefs.ts). A `string` is why the model's C library has no such type.
 */
function typedefTarget(t: TypedefNode, model: TargetDataModel): TypeNode | string {
  if (t.target !== headerTypedef(t.name)) return t.target;
  const own = headerTypedefOn(t.name, model)!;
  return 'missing' in own ? own.missing : own;
}

/** Is `t` a `long double` that `model` makes a `double` (Microsoft's ABI)? */
function longDoubleIsDouble(t: UnsupportedNode, model: TargetDataModel): boolean {
  return t.name === 'long double' && model.longDoubleIsDouble === true;
}

/**
 * The {@link CType} of a value of type `t` (a parameter, return value or stand-alone type).
 * `via` is set while lowering a typedef's target, so messages point at the typedef's use.
 */
export function lowerValue(t: TypeNode, model: TargetDataModel, source: string, via?: UseSite): CType {
  switch (t.k) {
    case 'builtin': return builtinType(t.name, model);
    case 'typedef': {
      const own = typedefTarget(t, model);
      if (typeof own === 'string') {
        throw new UnsupportedTypeError(
          `'${t.name}' (${where(t, source, via)}) has no definition on ${model.name}: ${own}; ` +
          `write the type the library's header gives it, or types.define('${t.name}', ...)`);
      }
      const target = lowerValue(own, model, source, via ?? { typedef: t.name, col: t.pos?.col });
      return renameType(target, t.name);
    }
    case 'ctype': return t.type;
    case 'tag': {
      if (t.tag === 'enum') return makeScalar({ kind: 'i32', name: `enum ${t.name}`, size: 4, align: 4, js: 'number' });
      // `struct Name` by value: `Name` defined with types.define('Name', struct({...})).
      const def = registryScope.lookupTypedef(t.name);
      const u = def === undefined ? undefined : unwrapTypedefs(def);
      if (u !== undefined && u.k === 'ctype' && u.type.tag !== 'scalar') {
        if (u.type.tag === t.tag) return renameType(u.type, `${t.tag} ${t.name}`);
        throw new UnsupportedTypeError(
          `'${t.tag} ${t.name}' (${where(t, source, via)}): '${t.name}' is defined as ${u.type.tag === 'array' ? 'an array' : `a ${u.type.tag}`}, not a ${t.tag}`);
      }
      throw new UnsupportedTypeError(
        `'${t.tag} ${t.name}' by value (${where(t, source, via)}) is not supported: ` +
        `pass a pointer ('${t.tag} ${t.name} *'), or describe a by-value ${t.tag} with ${t.tag}({ ... }) ` +
        `and register it with types.define('${t.name}', ...)`);
    }
    case 'unsupported':
      if (longDoubleIsDouble(t, model)) return renameType(builtinType('double', model), 'long double');
      throw new UnsupportedTypeError(`'${t.name}' (${where(t, source, via)}) is not supported by value`);
    case 'array':
      throw new UnsupportedTypeError(
        `array type '${printType(withoutQuals(t))}' by value (${where(t, source, via)}) is not supported: use a pointer, or array(type, length)`);
    case 'func':
      throw new UnsupportedTypeError(
        `function type '${printType(t)}' by value (${where(t, source, via)}) is not supported: use a function pointer`);
    case 'ptr': {
      const to = unwrapTypedefs(t.to);
      const name = printType(withoutQuals(t));
      if (to.k === 'func') return pointerType(name, model, 'function', lowerFunc(to, model, source, via));
      return pointerType(name, model, lowerPointee(t.to, model, source, via));
    }
  }
}

function lowerPointee(t: TypeNode, model: TargetDataModel, source: string, via: UseSite | undefined): ScalarType['pointee'] {
  const u = unwrapTypedefs(t);
  switch (u.k) {
    case 'func': return 'function';
    case 'tag': return u.tag === 'enum' ? lowerValue(t, model, source, via) : 'opaque';
    case 'array': return 'opaque';
    case 'unsupported': return longDoubleIsDouble(u, model) ? lowerValue(t, model, source, via) : 'opaque';
    default: return hasNoDefinition(t, model) ? 'opaque' : lowerValue(t, model, source, via);
  }
}

/** Is `t` (or a typedef it goes through) a header typedef `model`'s C library lacks? A pointer to it is still a pointer. */
function hasNoDefinition(t: TypeNode, model: TargetDataModel): boolean {
  while (t.k === 'typedef') {
    const own = typedefTarget(t, model);
    if (typeof own === 'string') return true;
    t = own;
  }
  return false;
}

/** An integer constant as C writes array lengths (`16`, `0x10`, `020`, `16u`). */
function arrayLength(text: string): number | undefined {
  const m = /^(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)[uUlL]*$/.exec(text.trim());
  if (m === null) return undefined;
  const s = m[1]!;
  const n = s.length > 1 && s[0] === '0' && s[1] !== 'x' && s[1] !== 'X' ? parseInt(s, 8) : Number(s);
  return Number.isSafeInteger(n) ? n : undefined;
}

/**
 * The {@link CType} of a struct/union member or array element: like {@link lowerValue},
 * but `T name[N]` is an array by value (members do not decay to pointers).
 */
export function lowerField(t: TypeNode, model: TargetDataModel, source: string, via?: UseSite): CType {
  if (t.k === 'typedef') {
    const u = unwrapTypedefs(t);
    if (u.k !== 'array') return lowerValue(t, model, source, via);
    return renameType(lowerField(t.target, model, source, via ?? { typedef: t.name, col: t.pos?.col }), t.name);
  }
  if (t.k !== 'array') return lowerValue(t, model, source, via);
  const n = arrayLength(t.len);
  if (n === undefined || n <= 0) {
    throw new UnsupportedTypeError(
      `array length '${t.len}' (${where(t, source, via)}) must be a positive integer constant (flexible and zero-length arrays are not supported)`);
  }
  const el = lowerField(t.of, model, source, via);
  if (el.tag === 'scalar' && el.kind === 'void') throw new UnsupportedTypeError(`array of 'void' (${where(t, source, via)}) is not a C type`);
  return makeArray(el, n, printType(withoutQuals(t.of)));
}

function byValue(t: CType, what: string, source: string): CType {
  if (t.tag === 'array') {
    throw new UnsupportedTypeError(
      `${what} '${t.name}' in '${source}' is an array by value, which C does not pass: wrap it in a struct, or use a pointer`);
  }
  return t;
}

/** The {@link Signature} of a function type. */
export function lowerFunc(f: FuncNode, model: TargetDataModel, source: string, via?: UseSite): Signature {
  const ret = byValue(lowerValue(f.ret, model, source, via), 'the return type', source);
  const args = f.params.map((p, i) => byValue(lowerValue(p.type, model, source, via), `parameter ${i + 1}`, source));
  return Object.freeze({
    ret,
    args: Object.freeze(args),
    argNames: Object.freeze(f.params.map((p) => p.name)),
    cc: f.cc,
    variadic: f.variadic,
    text: printFunc(f),
    dataModel: model.name,
  });
}
