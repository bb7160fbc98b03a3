/**
 * Entry points: prototype strings, type names and descriptor objects → resolved
 * {@link Signature}s and {@link CType}s (cached per data model).
 */
import { ClosureFfiError, InvalidOptionError, UnsupportedConventionError, UnsupportedTypeError } from '../errors';
import { NO_QUALS, adjustParamType, unwrapTypedefs, type FuncNode, type ParamNode, type TypeNode } from './ast';
import { isCallConvName } from './calling-conventions';
import { isCType, isVaList, makeScalar, type CType, type JsValueType } from './ctype';
import { checkDescriptorKeys } from './descriptor-keys';
import { getDataModel, type DataModelName, type TargetDataModel } from './data-model';
import { lowerField, lowerFunc, lowerValue } from './to-ctype';
import { parsePrototypeAst, parseTypeNameAst } from './parser';
import { registryGeneration, registryScope } from './type-names';
import type { Signature, SignatureDescriptor, TypeSpec } from './signature';

/** A target data model or its name; omitted = the running process's. */
export type DataModelOption = TargetDataModel | DataModelName;

const MAX_CACHE = 4096;

/** A small map cache cleared whenever a typedef/macro is defined (definitions can change meaning). */
class Cache<V> {
  private map = new Map<string, V>();
  private gen = registryGeneration();
  get(key: string): V | undefined {
    if (this.gen !== registryGeneration()) { this.map.clear(); this.gen = registryGeneration(); }
    return this.map.get(key);
  }
  set(key: string, v: V): void {
    if (this.map.size >= MAX_CACHE) this.map.delete(this.map.keys().next().value!);
    this.map.set(key, v);
  }
}

const signatureCache = new Cache<Signature>();
const typeNodeCache = new Cache<TypeNode>();

/**
 * Parses a C prototype (function declaration or function-pointer type) into a
 * {@link Signature}. Not cached; see {@link resolveSignature}.
 *
 * @example
 * ```ts
 * const s = parsePrototype('int compar(const void *a, const void *b)');
 * s.text;                     // 'int (const void *, const void *)'
 * s.args.map((a) => a.kind);  // ['pointer', 'pointer']
 * parsePrototype('LRESULT (CALLBACK *)(HWND, UINT, WPARAM, LPARAM)').cc; // 'Stdcall' (with those typedefs)
 * parsePrototype('long (size_t)', 'ilp32-x86').ret.size; // 4
 * ```
 * @throws SignatureSyntaxError, UnknownTypeError, UnsupportedTypeError, UnsupportedConventionError
 */
export function parsePrototype(src: string, model?: DataModelOption): Signature {
  if (typeof src !== 'string') throw new InvalidOptionError(`a prototype must be a string, got ${typeof src}`);
  const m = getDataModel(model);
  return lowerFunc(parsePrototypeAst(src, registryScope), m, src);
}

function withContext<T>(context: string | undefined, fn: () => T): T {
  if (context === undefined) return fn();
  try {
    return fn();
  } catch (e) {
    if (e instanceof ClosureFfiError && !e.message.endsWith(`(${context})`)) e.message = `${e.message} (${context})`;
    throw e;
  }
}

const JS_BY_KIND: Record<CType['kind'], JsValueType> = {
  void: 'undefined', bool: 'boolean', i8: 'number', u8: 'number', i16: 'number', u16: 'number',
  i32: 'number', u32: 'number', i64: 'bigint', u64: 'bigint', f32: 'number', f64: 'number', pointer: 'bigint',
  struct: 'object', union: 'object', array: 'array',
};

/** Accepts a type object, filling in `js` for objects built by hand. */
function normalizeCType(t: CType): CType {
  if (t.tag !== 'scalar' || typeof (t as { js?: unknown }).js === 'string') return t;
  return makeScalar({ ...t, js: JS_BY_KIND[t.kind] });
}

function typeNodeOf(spec: TypeSpec): TypeNode {
  if (typeof spec === 'string') {
    const hit = typeNodeCache.get(spec);
    if (hit !== undefined) return hit;
    const node = parseTypeNameAst(spec, registryScope);
    typeNodeCache.set(spec, node);
    return node;
  }
  if (isCType(spec)) return { k: 'ctype', type: normalizeCType(spec), quals: NO_QUALS };
  throw new InvalidOptionError(`a type must be a C type name string or a type object, got ${spec === null ? 'null' : typeof spec}`);
}

/**
 * Resolves a type name (`'const char *'`, `'unsigned long'`, a typedef) or a type object.
 * `context` (e.g. `'args[1] of ...'`) is appended to error messages.
 *
 * @example
 * ```ts
 * resolveType('unsigned long int'); // { tag: 'scalar', kind: 'u64', name: 'unsigned long', size: 8, align: 8, js: 'bigint' }
 * resolveType('unsigned long', undefined, 'llp64-x64').size; // 4 (Windows x64 is LLP64)
 * resolveType('int (*)(int)').signature?.text; // 'int (int)'
 * ```
 *
 * @throws SignatureSyntaxError, UnknownTypeError, UnsupportedTypeError
 */
export function resolveType(spec: TypeSpec, context?: string, model?: DataModelOption): CType {
  return withContext(context, () => {
    if (typeof spec !== 'string' && isCType(spec)) return normalizeCType(spec);
    const m = getDataModel(model);
    return lowerValue(typeNodeOf(spec), m, typeof spec === 'string' ? spec : String(spec));
  });
}

/**
 * Resolves the type of a struct/union member, an array element or a `sizeof` operand: like
 * {@link resolveType}, but `'char[8]'` (or a typedef of an array type) is an array by value.
 *
 * @example
 * ```ts
 * resolveFieldType('char[8]').size; // 8
 * ```
 */
export function resolveFieldType(spec: TypeSpec, context?: string, model?: DataModelOption): CType {
  return withContext(context, () => {
    if (typeof spec !== 'string' && isCType(spec)) return normalizeCType(spec);
    if (typeof spec === 'string' && /:\s*\w+\s*$/.test(spec)) {
      throw new UnsupportedTypeError(`bit-fields are not supported ('${spec}'): declare the containing integer and mask it in JS`);
    }
    const m = getDataModel(model);
    return noVaListMember(lowerField(typeNodeOf(spec), m, typeof spec === 'string' ? spec : String(spec)));
  });
}

/**
 * A `va_list` is a parameter type only: as a member it would be the 24-byte
 * `__va_list_tag[1]` on System V (a `char *` cursor on Windows), which has no JS value.
 */
function noVaListMember(t: CType): CType {
  const base = t.tag === 'array' ? t.element : t;
  if (isVaList(base)) throw new UnsupportedTypeError(`'va_list' can only be a parameter (a VaList), not a struct member, array element or value in memory`);
  return t;
}

/** `const char *` (any spelling, also through typedefs): what `strings: true` turns into `cstring`. */
function isConstCharPointer(t: TypeNode): boolean {
  const u = unwrapTypedefs(t);
  if (u.k !== 'ptr') return false;
  const p = unwrapTypedefs(u.to);
  return p.k === 'builtin' && p.name === 'char' && (p.quals.const === true || u.to.quals.const === true);
}

const CSTRING_NODE: TypeNode = Object.freeze({ k: 'builtin', name: 'cstring', quals: NO_QUALS });

function isSignature(x: unknown): x is Signature {
  if (typeof x !== 'object' || x === null) return false;
  const s = x as Partial<Signature>;
  return typeof s.text === 'string' && isCType(s.ret) && Array.isArray(s.args) && typeof s.variadic === 'boolean';
}

function describeSpec(spec: unknown): string {
  if (typeof spec === 'string') return `'${spec}'`;
  if (isCType(spec)) return spec.name;
  return String(spec);
}

function describeDescriptor(d: SignatureDescriptor): string {
  const parts = [`args: [${Array.isArray(d.args) ? d.args.map(describeSpec).join(', ') : String(d.args)}]`];
  if (d.ret !== undefined) parts.push(`ret: ${describeSpec(d.ret)}`);
  if (d.cc !== undefined) parts.push(`cc: '${String(d.cc)}'`);
  if (d.variadic !== undefined) parts.push(`variadic: ${String(d.variadic)}`);
  if (d.strings !== undefined) parts.push(`strings: ${String(d.strings)}`);
  return `{ ${parts.join(', ')} }`;
}

function descriptorToSignature(d: SignatureDescriptor, m: TargetDataModel): Signature {
  const desc = describeDescriptor(d);
  if (!Array.isArray(d.args)) throw new InvalidOptionError(`signature descriptor ${desc}: 'args' must be an array of types`);
  if (d.cc !== undefined && !isCallConvName(d.cc)) {
    throw new UnsupportedConventionError(`signature descriptor ${desc}: unknown calling convention ${JSON.stringify(d.cc)}; expected one of cc.C, cc.System, cc.Efiapi, cc.Cdecl, cc.Stdcall, cc.Fastcall, cc.Thiscall, cc.Sysv64, cc.Win64, cc.Aapcs, cc.Aapcs64`);
  }
  if (d.variadic !== undefined && typeof d.variadic !== 'boolean') {
    throw new InvalidOptionError(`signature descriptor ${desc}: 'variadic' must be a boolean`);
  }
  if (d.strings !== undefined && typeof d.strings !== 'boolean') {
    throw new InvalidOptionError(`signature descriptor ${desc}: 'strings' must be a boolean`);
  }
  if (d.variadic === true && d.args.length === 0) {
    throw new InvalidOptionError(`signature descriptor ${desc}: a variadic signature needs at least one fixed argument`);
  }
  const strings = d.strings === true;
  const params: ParamNode[] = d.args.map((a, i) => {
    const context = `args[${i}] of ${desc}`;
    let node = withContext(context, () => adjustParamType(typeNodeOf(a)));
    if (strings && isConstCharPointer(node)) node = CSTRING_NODE;
    const type = withContext(context, () => lowerValue(node, m, typeof a === 'string' ? a : node.k));
    if (type.kind === 'void') throw new UnsupportedTypeError(`'void' is not a valid argument type (${context}); use args: [] for no arguments`);
    return { type: node, name: undefined };
  });
  const retContext = `ret of ${desc}`;
  let ret: TypeNode = d.ret === undefined ? { k: 'builtin', name: 'void', quals: NO_QUALS } : withContext(retContext, () => typeNodeOf(d.ret!));
  if (strings && isConstCharPointer(ret)) ret = CSTRING_NODE;
  const f: FuncNode = { k: 'func', ret, params, variadic: d.variadic === true, cc: d.cc, quals: NO_QUALS };
  return withContext(retContext, () => lowerFunc(f, m, desc));
}

/**
 * Resolves a signature given as a C prototype string (cached by string and data model),
 * a {@link SignatureDescriptor} (validated: an unknown type name throws `UnknownTypeError`
 * naming it and its argument index), or an already resolved {@link Signature} (returned
 * as is).
 *
 * @example
 * ```ts
 * resolveSignature('int32_t (double, uint64_t)') === resolveSignature('int32_t (double, uint64_t)'); // true
 * resolveSignature({ args: ['int32_t', 'double'], ret: 'double', cc: cc.Win64 }).text; // 'double __ms_abi (int32_t, double)'
 * ```
 */
export function resolveSignature(spec: string | SignatureDescriptor | Signature, model?: DataModelOption): Signature {
  const m = getDataModel(model);
  if (typeof spec === 'string') {
    const key = `${m.name}\u0000${spec}`;
    const hit = signatureCache.get(key);
    if (hit !== undefined) return hit;
    const sig = parsePrototype(spec, m);
    signatureCache.set(key, sig);
    return sig;
  }
  if (isSignature(spec)) return spec;
  if (typeof spec !== 'object' || spec === null) {
    throw new InvalidOptionError(`a signature must be a C prototype string or a descriptor object, got ${spec === null ? 'null' : typeof spec}`);
  }
  const d = spec;
  checkDescriptorKeys(d, () => describeDescriptor(d));
  const cacheable = Array.isArray(d.args) && d.args.every((a) => typeof a === 'string') && (d.ret === undefined || typeof d.ret === 'string');
  const key = cacheable ? `${m.name}\u0001${JSON.stringify([d.args, d.ret, d.cc, d.variadic, d.strings])}` : undefined;
  if (key !== undefined) {
    const hit = signatureCache.get(key);
    if (hit !== undefined) return hit;
  }
  const sig = descriptorToSignature(d, m);
  if (key !== undefined) signatureCache.set(key, sig);
  return sig;
}
