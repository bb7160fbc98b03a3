/**
 * C's built-in scalar type names (after specifier normalisation, e.g. `long unsigned int`
 * → `unsigned long`) and the `<stdint.h>`/`<stddef.h>`-style names closure-ffi knows
 * without a typedef. Sizes come from the {@link TargetDataModel}; this file only says
 * which row of it each name uses and whether it is signed.
 */
import type { TargetDataModel, SizeAlign } from './data-model';
import { makeScalar, type JsValueType, type ScalarKind, type ScalarType } from './ctype';

type Width = 'char' | 'short' | 'int' | 'long' | 'longLong' | 'pointer' | 'int64' | 'offT' | 'wchar' | 8 | 16 | 32;

type BuiltinFact =
  | { readonly cls: 'void' | 'bool' | 'float' | 'double' | 'cstring' | 'va_list' }
  | { readonly cls: 'int'; readonly width: Width; readonly signed: boolean | 'char' | 'wchar'; readonly js: JsValueType };

const int = (width: Width, signed: boolean | 'char' | 'wchar', js: JsValueType = 'number'): BuiltinFact =>
  ({ cls: 'int', width, signed, js });

/** Every built-in type name, in canonical spelling. */
const BUILTINS: Readonly<Record<string, BuiltinFact>> = {
  'void': { cls: 'void' },
  'bool': { cls: 'bool' },
  'float': { cls: 'float' },
  'double': { cls: 'double' },
  'char': int('char', 'char'),
  'signed char': int('char', true),
  'unsigned char': int('char', false),
  'short': int('short', true),
  'unsigned short': int('short', false),
  'int': int('int', true),
  'unsigned int': int('int', false),
  'long': int('long', true, 'bigint'),
  'unsigned long': int('long', false, 'bigint'),
  'long long': int('longLong', true, 'bigint'),
  'unsigned long long': int('longLong', false, 'bigint'),
  'int8_t': int(8, true),
  'uint8_t': int(8, false),
  'int16_t': int(16, true),
  'uint16_t': int(16, false),
  'int32_t': int(32, true),
  'uint32_t': int(32, false),
  'int64_t': int('int64', true, 'bigint'),
  'uint64_t': int('int64', false, 'bigint'),
  'intmax_t': int('int64', true, 'bigint'),
  'uintmax_t': int('int64', false, 'bigint'),
  'size_t': int('pointer', false, 'bigint'),
  'ssize_t': int('pointer', true, 'bigint'),
  'ptrdiff_t': int('pointer', true, 'bigint'),
  'intptr_t': int('pointer', true, 'bigint'),
  'uintptr_t': int('pointer', false, 'bigint'),
  'off_t': int('offT', true, 'bigint'),
  'off64_t': int('int64', true, 'bigint'),
  'wchar_t': int('wchar', 'wchar'),
  'char8_t': int(8, false),
  'char16_t': int(16, false),
  'char32_t': int(32, false),
  // A `const char *` that JS sees as a string (UTF-8) or null; see `cstring` in aggregate.ts.
  'cstring': { cls: 'cstring' },
  // <stdarg.h>'s va_list as a parameter: JS sees a VaList (see src/runtime/va-list.ts).
  'va_list': { cls: 'va_list' },
};

/**
 * Names that are built-in types on their own (not keyword combinations like
 * `unsigned long`): the identifiers a prototype may use as a complete type name.
 */
export const BUILTIN_TYPE_NAMES: ReadonlySet<string> = new Set([
  'int8_t', 'uint8_t', 'int16_t', 'uint16_t', 'int32_t', 'uint32_t', 'int64_t', 'uint64_t',
  'intmax_t', 'uintmax_t', 'size_t', 'ssize_t', 'ptrdiff_t', 'intptr_t', 'uintptr_t',
  'off_t', 'off64_t', 'wchar_t', 'char8_t', 'char16_t', 'char32_t', 'cstring', 'va_list',
]);

/** Is `name` a canonical built-in type name? */
export function isBuiltinType(name: string): boolean {
  return Object.prototype.hasOwnProperty.call(BUILTINS, name);
}

function sizeAlign(width: Width, model: TargetDataModel): SizeAlign {
  switch (width) {
    case 'char': return { size: 1, align: 1 };
    case 8: return { size: 1, align: 1 };
    case 16: return { size: 2, align: 2 };
    case 32: return { size: 4, align: 4 };
    default: return model[width];
  }
}

function intKind(size: number, signed: boolean): ScalarKind {
  switch (size) {
    case 1: return signed ? 'i8' : 'u8';
    case 2: return signed ? 'i16' : 'u16';
    case 4: return signed ? 'i32' : 'u32';
    default: return signed ? 'i64' : 'u64';
  }
}

const cache = new WeakMap<TargetDataModel, Map<string, ScalarType>>();

/** The scalar type of a canonical built-in name on `model` (throws on an unknown name). */
export function builtinType(name: string, model: TargetDataModel): ScalarType {
  let perModel = cache.get(model);
  if (perModel === undefined) cache.set(model, perModel = new Map());
  const hit = perModel.get(name);
  if (hit !== undefined) return hit;
  const fact = BUILTINS[name];
  if (fact === undefined || !isBuiltinType(name)) throw new Error(`internal: '${name}' is not a built-in type`);
  let t: ScalarType;
  switch (fact.cls) {
    case 'void': t = makeScalar({ kind: 'void', name, size: 0, align: 1, js: 'undefined' }); break;
    case 'bool': t = makeScalar({ kind: 'bool', name, size: 1, align: 1, js: 'boolean' }); break;
    case 'float': t = makeScalar({ kind: 'f32', name, ...model.float, js: 'number' }); break;
    case 'double': t = makeScalar({ kind: 'f64', name, ...model.double, js: 'number' }); break;
    case 'cstring': t = makeScalar({ kind: 'pointer', name, ...model.pointer, js: 'string', pointee: builtinType('char', model) }); break;
    // As a parameter a va_list is pointer-sized everywhere closure-ffi runs (System V's
    // array type decays to a pointer to the caller's __va_list_tag; Windows' is a `char *`).
    case 'va_list': t = makeScalar({ kind: 'pointer', name, ...model.pointer, js: 'VaList', pointee: 'opaque' }); break;
    case 'int': {
      const sa = sizeAlign(fact.width, model);
      const signed = fact.signed === 'char' ? model.charSigned : fact.signed === 'wchar' ? model.wcharSigned : fact.signed;
      // `long` and the types built on it are bigints only where they have 64 bits: on LLP64
      // (Windows) and ILP32 they are 32 bits, which the runtime passes as numbers.
      const js = fact.js === 'bigint' && sa.size < 8 ? 'number' : fact.js;
      t = makeScalar({ kind: intKind(sa.size, signed), name, size: sa.size, align: sa.align, js });
      break;
    }
  }
  perModel.set(name, t);
  return t;
}

/** A pointer type on `model` (name and pointee are informational). */
export function pointerType(name: string, model: TargetDataModel, pointee: ScalarType['pointee'], signature?: ScalarType['signature']): ScalarType {
  return makeScalar({ kind: 'pointer', name, ...model.pointer, js: 'bigint', pointee, signature });
}
