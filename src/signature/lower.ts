/**
 * Lowers the parser's type tree to {@link CType}s and {@link Signature}s for one target
 * data model: sizes, alignments, signedness, canonical names.
 */
import { UnsupportedTypeError } from '../errors';
import { unwrapTypedefs, withoutQuals, type FuncNode, type TypeNode } from './ast';
import { builtinType, pointerType } from './builtin-types';
import { makeScalar, renameType, type CType, type ScalarType } from './ctype';
import type { TargetDataModel } from './data-model';
import { printFunc, printType } from './print';
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
 * The {@link CType} of a value of type `t` (a parameter, return value or stand-alone type).
 * `via` is set while lowering a typedef's target, so messages point at the typedef's use.
 */
export function lowerValue(t: TypeNode, model: TargetDataModel, source: string, via?: UseSite): CType {
  switch (t.k) {
    case 'builtin': return builtinType(t.name, model);
    case 'typedef': {
      const target = lowerValue(t.target, model, source, via ?? { typedef: t.name, col: t.pos?.col });
      return renameType(target, t.name);
    }
    case 'ctype': return t.type;
    case 'tag':
      if (t.tag === 'enum') return makeScalar({ kind: 'i32', name: `enum ${t.name}`, size: 4, align: 4, js: 'number' });
      throw new UnsupportedTypeError(
        `'${t.tag} ${t.name}' by value (${where(t, source, via)}) is not supported: ` +
        `pass a pointer ('${t.tag} ${t.name} *'), or describe a by-value ${t.tag} with ${t.tag}({ ... })`);
    case 'unsupported':
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
    case 'array': case 'unsupported': return 'opaque';
    default: return lowerValue(t, model, source, via);
  }
}

/** The {@link Signature} of a function type. */
export function lowerFunc(f: FuncNode, model: TargetDataModel, source: string, via?: UseSite): Signature {
  const ret = lowerValue(f.ret, model, source, via);
  const args = f.params.map((p) => lowerValue(p.type, model, source, via));
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
