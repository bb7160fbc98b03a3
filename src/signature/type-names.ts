/**
 * The typedef and macro registry behind `types.define`: names users add to the prototype
 * language (`HWND`, `LPARAM`, `CALLBACK`, `FAR`, ...).
 */
import { NO_QUALS, type TypeNode } from './ast';
import { isBuiltinType, BUILTIN_TYPE_NAMES } from './builtin-types';
import { ccText, isCallConvName, type CallConvName } from './calling-conventions';
import { isCType } from './ctype';
import { defaultDataModel } from './data-model';
import { headerTypedef, headerTypedefOn } from './header-typedefs';
import { RESERVED_WORDS } from './keywords';
import { tokenize, type Token } from './lexer';
import { parseTypeNameAst, type ParseScope } from './parser';
import { printType } from './print';
import type { TypeSpec } from './signature';
import { TypeDefinitionError } from './type-definition-error';

type Entry =
  | { readonly kind: 'typedef'; readonly target: TypeNode; readonly canonical: string }
  | { readonly kind: 'macro'; readonly tokens: readonly Token[]; readonly canonical: string };

const entries = new Map<string, Entry>();
let generation = 0;

/** Incremented on every new definition; caches of parsed signatures compare against it. */
export function registryGeneration(): number {
  return generation;
}

/** The scope the parser uses: registered typedefs and macros, then the built-in header typedefs. */
export const registryScope: ParseScope = {
  lookupTypedef(name: string): TypeNode | undefined {
    const e = entries.get(name);
    return e?.kind === 'typedef' ? e.target : headerTypedef(name);
  },
  lookupMacro(name: string): readonly Token[] | undefined {
    const e = entries.get(name);
    return e?.kind === 'macro' ? e.tokens : undefined;
  },
};

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

function checkName(name: unknown, what: string): asserts name is string {
  if (typeof name !== 'string' || !IDENT.test(name)) {
    throw new TypeDefinitionError(String(name), `${what} name must be a C identifier, got ${JSON.stringify(name)}`);
  }
  if (RESERVED_WORDS.has(name)) {
    throw new TypeDefinitionError(name, `cannot define '${name}': it is a reserved word of the prototype language`);
  }
  if (BUILTIN_TYPE_NAMES.has(name) || isBuiltinType(name)) {
    throw new TypeDefinitionError(name, `cannot redefine the built-in type '${name}'`);
  }
}

function add(name: string, entry: Entry): void {
  const old = entries.get(name);
  if (old !== undefined) {
    if (old.kind === entry.kind && old.canonical === entry.canonical) return;
    const was = old.kind === 'typedef' ? `a typedef for '${old.canonical}'` : `a macro for '${old.canonical}'`;
    throw new TypeDefinitionError(name, `'${name}' is already defined as ${was}`);
  }
  entries.set(name, entry);
  generation++;
}

function describeCType(spec: TypeSpec): string {
  if (typeof spec === 'string') return spec;
  return spec.tag === 'scalar' ? `${spec.name} (${spec.kind}, ${spec.size} bytes)` : spec.layout;
}

/**
 * Registering names for the prototype language.
 */
export const types = Object.freeze({
  /**
   * Defines a typedef: `name` becomes usable anywhere a type is (prototypes, descriptors,
   * other typedefs). Redefining a name with the same type is allowed; with a different
   * type, or redefining a built-in type or a reserved word, throws
   * {@link TypeDefinitionError}. An unknown type in `type` throws `UnknownTypeError`.
   *
   * @example
   * ```ts
   * import { types, BareFn } from 'closure-ffi';
   * types.define('HWND', 'void *');
   * types.define('LPARAM', 'intptr_t');
   * types.define('WNDENUMPROC', 'int (*)(HWND, LPARAM)');
   * new BareFn('int (HWND hwnd, LPARAM lParam)', (hwnd, lParam) => 1);
   * // (Win32's __stdcall is 32-bit x86's: on Windows x64 it means Win64, as its compilers take
   * // it; on x86-64 Linux a prototype that names it throws.)
   * ```
   */
  define(name: string, type: TypeSpec): void {
    checkName(name, 'typedef');
    let target: TypeNode;
    if (typeof type === 'string') {
      target = parseTypeNameAst(type, registryScope);
    } else if (isCType(type)) {
      target = { k: 'ctype', type, quals: NO_QUALS };
    } else {
      throw new TypeDefinitionError(name, `types.define('${name}', ...): the type must be a C type name or a type object`);
    }
    const canonical = target.k === 'ctype' ? `${describeCType(type)}` : printType(target);
    // The running process's C library: glibc's on Linux, Microsoft's on Windows x64.
    const builtIn = headerTypedefOn(name, defaultDataModel());
    if (builtIn !== undefined && !('missing' in builtIn)) {
      // Code written before these were built in defines them itself: the same type is a no-op.
      if (canonical === printType(builtIn)) return;
      throw new TypeDefinitionError(name, `cannot redefine '${name}': it is built in as '${printType(builtIn)}' (the C library's definition)`);
    }
    // A header typedef this C library lacks (`pid_t` on Windows): the caller's definition applies.
    add(name, { kind: 'typedef', target, canonical });
  },

  /**
   * Defines an object-like macro: `name` is replaced by the tokens of `expansion` before
   * parsing. An empty expansion makes the name disappear, which handles header noise such
   * as zlib's `FAR`/`z_const` or `WINAPI`-style convention macros.
   *
   * @example
   * ```ts
   * types.defineMacro('FAR', '');
   * types.defineMacro('z_const', 'const');
   * types.defineMacro('CALLBACK', '__stdcall');
   * ```
   */
  defineMacro(name: string, expansion: string): void {
    checkName(name, 'macro');
    if (headerTypedef(name) !== undefined) throw new TypeDefinitionError(name, `cannot define a macro '${name}': it is a built-in typedef`);
    if (typeof expansion !== 'string') {
      throw new TypeDefinitionError(name, `types.defineMacro('${name}', ...): the expansion must be a string`);
    }
    const tokens = tokenize(expansion, registryScope.lookupMacro).filter((t) => t.kind !== 'eof');
    add(name, { kind: 'macro', tokens, canonical: tokens.map((t) => t.kind === 'string' ? `"${t.text}"` : t.text).join(' ') });
  },

  /**
   * Defines a calling-convention macro such as Win32's `CALLBACK` or `WINAPI`
   * (shorthand for `defineMacro(name, '__stdcall')` and friends).
   *
   * @example
   * ```ts
   * // Code that uses the Microsoft x64 convention on Linux x86-64 (mods, emulators):
   * types.defineConvention('WINAPI', cc.Win64);
   * types.define('BOOL', 'int');
   * new BareFn('BOOL WINAPI (void *, intptr_t)', (hwnd, lParam) => 1);
   * ```
   */
  defineConvention(name: string, convention: CallConvName): void {
    if (!isCallConvName(convention)) {
      throw new TypeDefinitionError(String(name), `types.defineConvention('${String(name)}', ...): unknown calling convention ${JSON.stringify(convention)}`);
    }
    types.defineMacro(name, ccText(convention));
  },

  /** Is `name` a registered typedef or macro? */
  has(name: string): boolean {
    return entries.has(name);
  },
});
