/**
 * The parser's type tree: C declarator structure, independent of any target data model.
 * It is lowered to {@link CType}/{@link Signature} for a model by `lower.ts` and printed
 * back to canonical C by `print.ts`.
 */
import type { CType } from './ctype';
import type { CallConvName } from './calling-conventions';

/** Where a node came from, for error messages. */
export interface SourcePos {
  readonly col: number;
  readonly token: string;
}

/** `const` / `volatile` / `restrict` on one level of a type. */
export interface Quals {
  const?: boolean;
  volatile?: boolean;
  restrict?: boolean;
}

export interface BuiltinNode { readonly k: 'builtin'; readonly name: string; readonly quals: Quals; readonly pos?: SourcePos }
export interface TypedefNode { readonly k: 'typedef'; readonly name: string; readonly target: TypeNode; readonly quals: Quals; readonly pos?: SourcePos }
export interface TagNode { readonly k: 'tag'; readonly tag: 'struct' | 'union' | 'enum'; readonly name: string; readonly quals: Quals; readonly pos?: SourcePos }
/**
 * A C type understood but not supported by value (`long double`, `_Complex double`,
 * `__int128`); `long double` is lowered as a `double` where the data model says so (Windows x64).
 */
export interface UnsupportedNode { readonly k: 'unsupported'; readonly name: string; readonly quals: Quals; readonly pos?: SourcePos }
/** A ready-made {@link CType} (from a descriptor or a typedef defined with an object). */
export interface CTypeNode { readonly k: 'ctype'; readonly type: CType; readonly quals: Quals; readonly pos?: SourcePos }
export interface PointerNode { readonly k: 'ptr'; readonly to: TypeNode; readonly quals: Quals; readonly pos?: SourcePos }
export interface ArrayNode { readonly k: 'array'; readonly of: TypeNode; readonly len: string; readonly quals: Quals; readonly pos?: SourcePos }
export interface ParamNode { readonly type: TypeNode; readonly name: string | undefined; readonly pos?: SourcePos }
export interface FuncNode {
  readonly k: 'func';
  readonly ret: TypeNode;
  readonly params: readonly ParamNode[];
  readonly variadic: boolean;
  /** Mutable while parsing: conventions are attached after the declarator is built. */
  cc: CallConvName | undefined;
  readonly quals: Quals;
  readonly pos?: SourcePos;
}

export type TypeNode = BuiltinNode | TypedefNode | TagNode | UnsupportedNode | CTypeNode | PointerNode | ArrayNode | FuncNode;

export const NO_QUALS: Quals = Object.freeze({});

/** Follows typedef names to the type they stand for. */
export function unwrapTypedefs(t: TypeNode): Exclude<TypeNode, TypedefNode> {
  while (t.k === 'typedef') t = t.target;
  return t;
}

/** The same node without top-level qualifiers (they do not affect a parameter's type). */
export function withoutQuals(t: TypeNode): TypeNode {
  if (!t.quals.const && !t.quals.volatile && !t.quals.restrict) return t;
  return { ...t, quals: NO_QUALS } as TypeNode;
}

/** C's parameter adjustment: arrays decay to pointers to their element, functions to function pointers. */
export function adjustParamType(t: TypeNode): TypeNode {
  const u = unwrapTypedefs(t);
  if (u.k === 'array') return { k: 'ptr', to: u.of, quals: u.quals, pos: u.pos };
  if (u.k === 'func') return { k: 'ptr', to: t, quals: NO_QUALS, pos: u.pos };
  return t;
}
