/**
 * Recursive-descent parser for C function prototypes and type names, producing the
 * target-independent type tree of `ast.ts`. It follows C's declarator grammar, so
 * `int (*cmp)(const void *, const void *)`, `char buf[16]` and
 * `void (*signal(int, void (*)(int)))(int)` all mean what a C compiler says they mean.
 *
 * Errors: {@link SignatureSyntaxError} (with the offending token and its 1-based column),
 * {@link UnknownTypeError} (unknown identifier where a type is required),
 * {@link UnsupportedTypeError} (bit-fields, inline struct definitions, `_Atomic`, ...),
 * {@link UnsupportedConventionError} (`__vectorcall`, `regparm`, ...).
 * Declarators nest at most {@link MAX_NESTING} levels deep (a SignatureSyntaxError past
 * that), so neither this recursive parser nor the code walking its type trees can run out
 * of stack on hostile input such as `'int (*)('` repeated ten thousand times.
 */
import {
  SignatureSyntaxError, UnknownTypeError, UnsupportedConventionError, UnsupportedTypeError,
} from '../errors';
import {
  NO_QUALS, adjustParamType, unwrapTypedefs,
  type FuncNode, type ParamNode, type Quals, type SourcePos, type TypeNode,
} from './ast';
import { BUILTIN_TYPE_NAMES } from './builtin-types';
import {
  CC_ATTRIBUTES, CC_KEYWORDS, EXTERN_ABI_STRINGS, PCS_VALUES, UNSUPPORTED_CC_ATTRIBUTES,
  UNSUPPORTED_CC_KEYWORDS, type CallConvName,
} from './calling-conventions';
import {
  IGNORED_WORDS, QUALIFIERS, RESERVED_WORDS, TYPE_SPECIFIER_WORDS, UNSUPPORTED_KEYWORDS,
  UNSUPPORTED_TYPE_NAMES,
} from './keywords';
import { describeToken, tokenize, type MacroLookup, type Token } from './lexer';
import { printType } from './print';

/**
 * How deeply declarators may nest: each `*`, `[...]`, parameter list and grouping `(` of a
 * declarator counts one level, and a parameter's levels add to those of the list it is in.
 * C compilers allow thousands; real headers rarely need ten.
 */
export const MAX_NESTING = 256;

/** What the parser needs to know about user definitions. */
export interface ParseScope {
  /** The type a typedef name stands for, or `undefined` if `name` is not a typedef. */
  lookupTypedef(name: string): TypeNode | undefined;
  /** Macro expansion (see `types.defineMacro`). */
  lookupMacro: MacroLookup;
}

/** A convention attached somewhere in a declaration, with where it was written. */
interface CcMark { readonly cc: CallConvName; readonly tok: Token }

/** Canonical word for spelling variants of the combinable type specifiers. */
const WORD_ALIASES: Readonly<Record<string, string>> = {
  _Bool: 'bool', __signed: 'signed', __signed__: 'signed', __complex__: '_Complex',
};

/** Every legal combination of specifier words (as a multiset); any sub-multiset is legal too. */
const COMBOS: readonly (readonly string[])[] = [
  ['void'], ['bool'], ['float'], ['_Complex', 'long', 'double'], ['_Complex', 'float'],
  ['signed', 'char'], ['unsigned', 'char'],
  ['signed', 'short', 'int'], ['unsigned', 'short', 'int'],
  ['signed', 'long', 'long', 'int'], ['unsigned', 'long', 'long', 'int'],
  ['signed', '__int128'], ['unsigned', '__int128'],
];

function countWords(words: readonly string[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const w of words) m.set(w, (m.get(w) ?? 0) + 1);
  return m;
}
const COMBO_COUNTS = COMBOS.map(countWords);

function isLegalWordSet(words: readonly string[]): boolean {
  const c = countWords(words);
  return COMBO_COUNTS.some((combo) => [...c].every(([w, n]) => (combo.get(w) ?? 0) >= n));
}

/** Canonical name of a legal specifier-word set: `unsigned long int` → `unsigned long`. */
function canonicalWords(words: readonly string[]): { name: string; supported: boolean } {
  const c = countWords(words);
  const has = (w: string): boolean => c.has(w);
  const sign = has('unsigned') ? 'unsigned ' : '';
  if (has('_Complex')) {
    const base = has('float') ? 'float' : has('long') ? 'long double' : 'double';
    return { name: `_Complex ${base}`, supported: false };
  }
  if (has('__int128')) return { name: `${sign}__int128`, supported: false };
  if (has('void')) return { name: 'void', supported: true };
  if (has('bool')) return { name: 'bool', supported: true };
  if (has('float')) return { name: 'float', supported: true };
  if (has('double')) return has('long') ? { name: 'long double', supported: false } : { name: 'double', supported: true };
  if (has('char')) return { name: has('signed') ? 'signed char' : has('unsigned') ? 'unsigned char' : 'char', supported: true };
  if (has('short')) return { name: `${sign}short`, supported: true };
  const longs = c.get('long') ?? 0;
  if (longs === 2) return { name: `${sign}long long`, supported: true };
  if (longs === 1) return { name: `${sign}long`, supported: true };
  return { name: has('unsigned') ? 'unsigned int' : 'int', supported: true };
}

interface Specifiers {
  readonly base: TypeNode;
  readonly cc: CcMark | undefined;
  readonly first: Token;
}

interface Declarator {
  readonly name: Token | undefined;
  /** Builds the declared type from the type to the declarator's left. */
  apply(base: TypeNode): TypeNode;
}

type Suffix =
  | { readonly k: 'array'; readonly len: string; readonly tok: Token }
  | { readonly k: 'func'; readonly params: readonly ParamNode[]; readonly variadic: boolean; readonly tok: Token; readonly cc: CcMark | undefined };

class Parser {
  private i = 0;
  /** Nesting levels open at the cursor (see {@link MAX_NESTING}). */
  private level = 0;
  private readonly toks: Token[];
  /** Where each function's convention was written (for conflict messages). */
  private readonly ccMarks = new WeakMap<FuncNode, CcMark>();

  constructor(private readonly src: string, private readonly scope: ParseScope) {
    this.toks = tokenize(src, scope.lookupMacro);
  }

  // ---- token helpers ----------------------------------------------------------------

  private peek(o = 0): Token {
    return this.toks[Math.min(this.i + o, this.toks.length - 1)]!;
  }
  private next(): Token {
    const t = this.peek();
    if (t.kind !== 'eof') this.i++;
    return t;
  }
  private isPunct(t: Token, text: string): boolean {
    return t.kind === 'punct' && t.text === text;
  }
  private pos(t: Token): SourcePos {
    return { col: t.col, token: tokenText(t) };
  }
  private fail(message: string, t: Token): never {
    throw new SignatureSyntaxError(message, this.src, tokenText(t), t.col);
  }
  private unexpected(t: Token, expected?: string): never {
    this.fail(`unexpected ${describeToken(t)}${expected ? ` (expected ${expected})` : ''}`, t);
  }
  /** Opens one more nesting level at token `t`; fails past {@link MAX_NESTING}. */
  private deeper(t: Token): void {
    if (++this.level > MAX_NESTING) {
      this.fail(`declarators nested more than ${MAX_NESTING} levels deep (pointers, arrays, parameter lists and parentheses count one level each)`, t);
    }
  }
  private expectClose(open: Token, closer: ')' | ']'): void {
    const t = this.peek();
    if (this.isPunct(t, closer)) { this.next(); return; }
    if (t.kind === 'eof') this.fail(`unbalanced '${open.text}' at column ${open.col}: missing '${closer}'`, t);
    this.unexpected(t, `'${closer}' to close the '${open.text}' at column ${open.col}`);
  }

  // ---- entry points -----------------------------------------------------------------

  /** A whole declaration (prototype mode: a name is allowed) or an abstract type name. */
  parseTop(mode: 'prototype' | 'type-name'): TypeNode {
    const first = this.peek();
    if (first.kind === 'eof') this.fail(mode === 'prototype' ? 'empty signature' : 'empty type name', first);
    const spec = this.parseSpecifiers();
    const decl = this.parseDeclarator(mode === 'prototype');
    const t = decl.apply(spec.base);
    if (spec.cc) this.attachToEntity(t, spec.cc);
    if (this.isPunct(this.peek(), ';')) this.next();
    const end = this.peek();
    if (end.kind !== 'eof') {
      if (end.kind === 'ident' && !RESERVED_WORDS.has(end.text) && mode === 'type-name') {
        this.fail(`unexpected identifier '${end.text}' (a type name has no declarator name)`, end);
      }
      this.unexpected(end, mode === 'prototype' ? 'end of the prototype' : 'end of the type name');
    }
    return t;
  }

  /** The function type of a prototype: a function, or a pointer to one. */
  parsePrototype(): FuncNode {
    const t = this.parseTop('prototype');
    const u = unwrapTypedefs(t);
    if (u.k === 'func') return u;
    if (u.k === 'ptr') {
      const p = unwrapTypedefs(u.to);
      if (p.k === 'func') return p;
    }
    this.fail(`'${printType(t)}' is not a function type (expected a parameter list)`, this.peek());
  }

  // ---- declaration specifiers ---------------------------------------------------------

  private parseSpecifiers(): Specifiers {
    const first = this.peek();
    const words: string[] = [];
    let named: TypeNode | undefined;
    let namedTok: Token | undefined;
    const quals: Quals = {};
    let cc: CcMark | undefined;
    const typeSeen = (): boolean => words.length > 0 || named !== undefined;
    const addNamed = (node: TypeNode, t: Token): void => {
      if (named !== undefined || words.length > 0) {
        this.fail(`'${tokenText(t)}' cannot be combined with '${namedTok ? tokenText(namedTok) : words.join(' ')}'`, t);
      }
      named = node;
      namedTok = t;
    };

    for (;;) {
      const t = this.peek();
      if (t.kind !== 'ident') break;
      const w = t.text;
      if (QUALIFIERS[w] !== undefined) { quals[QUALIFIERS[w]] = true; this.next(); continue; }
      const ccHere = this.tryParseCc();
      if (ccHere !== null) { if (ccHere !== undefined) cc = this.mergeCc(cc, ccHere); continue; }
      if (w === '__declspec') { this.next(); this.skipParenGroup(t); continue; }
      if (IGNORED_WORDS.has(w)) { this.next(); continue; }
      if (UNSUPPORTED_KEYWORDS.has(w)) {
        throw new UnsupportedTypeError(`'${w}' is not supported (column ${t.col} in '${this.src}')`);
      }
      if (TYPE_SPECIFIER_WORDS.has(w)) {
        if (named !== undefined) this.fail(`'${w}' cannot be combined with '${tokenText(namedTok!)}'`, t);
        const word = WORD_ALIASES[w] ?? w;
        const nextWords = [...words, word];
        if (!isLegalWordSet(nextWords)) {
          const n = nextWords.filter((x) => x === word).length;
          if (word === 'long' && n > 2) this.fail(`'long long long' is too long`, t);
          if (n > 1 && word !== 'long') this.fail(`duplicate '${w}'`, t);
          this.fail(`'${w}' cannot be combined with '${words.join(' ')}'`, t);
        }
        words.push(word);
        this.next();
        continue;
      }
      if (w === 'struct' || w === 'union' || w === 'enum') {
        this.next();
        const nameTok = this.peek();
        if (this.isPunct(nameTok, '{')) {
          throw new UnsupportedTypeError(
            `inline ${w} definitions are not supported (column ${nameTok.col} in '${this.src}'); ` +
            `declare it with ${w === 'enum' ? "'int'" : `${w}({...})`} and refer to it by name`);
        }
        if (nameTok.kind !== 'ident' || RESERVED_WORDS.has(nameTok.text)) this.unexpected(nameTok, `a ${w} tag name`);
        this.next();
        addNamed({ k: 'tag', tag: w, name: nameTok.text, quals: NO_QUALS, pos: this.pos(t) }, t);
        continue;
      }
      if (typeSeen()) break; // an identifier after a complete type is the declarator's name
      if (UNSUPPORTED_TYPE_NAMES.has(w)) {
        this.next();
        addNamed({ k: 'unsupported', name: w, quals: NO_QUALS, pos: this.pos(t) }, t);
        continue;
      }
      if (BUILTIN_TYPE_NAMES.has(w)) {
        this.next();
        addNamed({ k: 'builtin', name: w, quals: NO_QUALS, pos: this.pos(t) }, t);
        continue;
      }
      const target = this.scope.lookupTypedef(w);
      if (target !== undefined) {
        this.next();
        addNamed({ k: 'typedef', name: w, target, quals: NO_QUALS, pos: this.pos(t) }, t);
        continue;
      }
      if (RESERVED_WORDS.has(w)) this.unexpected(t, 'a type');
      throw new UnknownTypeError(w, this.src, t.col);
    }

    const quals2: Quals = quals.const || quals.volatile || quals.restrict ? quals : NO_QUALS;
    let base: TypeNode;
    if (named !== undefined) {
      base = quals2 === NO_QUALS ? named : { ...named, quals: quals2 } as TypeNode;
    } else if (words.length > 0) {
      const { name, supported } = canonicalWords(words);
      base = { k: supported ? 'builtin' : 'unsupported', name, quals: quals2, pos: this.pos(first) };
    } else {
      const t = this.peek();
      this.unexpected(t, 'a type');
    }
    return { base, cc, first };
  }

  // ---- conventions and attributes -----------------------------------------------------

  private mergeCc(prev: CcMark | undefined, next: CcMark): CcMark {
    if (prev !== undefined && prev.cc !== next.cc) {
      this.fail(`conflicting calling conventions: '${tokenText(next.tok)}' after '${tokenText(prev.tok)}'`, next.tok);
    }
    return prev ?? next;
  }

  /**
   * Parses one convention marker or attribute at the cursor: a keyword (`__stdcall`),
   * `extern "system"`, or `__attribute__((...))`. Returns `null` if there is none here;
   * `undefined` for an attribute list that names no convention.
   */
  private tryParseCc(): CcMark | undefined | null {
    const t = this.peek();
    if (t.kind !== 'ident') return null;
    const kw = CC_KEYWORDS[t.text];
    if (kw !== undefined) { this.next(); return { cc: kw, tok: t }; }
    if (UNSUPPORTED_CC_KEYWORDS.has(t.text)) {
      throw new UnsupportedConventionError(`calling convention '${t.text}' is not supported (column ${t.col} in '${this.src}')`);
    }
    if (t.text === 'extern' && this.peek(1).kind === 'string') {
      this.next();
      const s = this.next();
      const cc = EXTERN_ABI_STRINGS[s.text];
      if (cc === undefined) {
        throw new UnsupportedConventionError(
          `unknown ABI "${s.text}" (column ${s.col} in '${this.src}'); expected one of ${Object.keys(EXTERN_ABI_STRINGS).map((k) => `"${k}"`).join(', ')}`);
      }
      return { cc, tok: s };
    }
    if (t.text === '__attribute__' || t.text === '__attribute') return this.parseAttribute();
    return null;
  }

  /** `__attribute__((a, b(args), ...))`: returns the convention it names, if any. */
  private parseAttribute(): CcMark | undefined {
    const kw = this.next();
    const o1 = this.peek();
    if (!this.isPunct(o1, '(')) this.unexpected(o1, `'((' after '${kw.text}'`);
    this.next();
    const o2 = this.peek();
    if (!this.isPunct(o2, '(')) this.unexpected(o2, `'((' after '${kw.text}'`);
    this.next();
    let cc: CcMark | undefined;
    for (;;) {
      const t = this.peek();
      if (this.isPunct(t, ')')) break;
      if (this.isPunct(t, ',')) { this.next(); continue; }
      if (t.kind !== 'ident') this.unexpected(t, 'an attribute name');
      this.next();
      const name = t.text.replace(/^__(.*)__$/, '$1');
      let args: Token[] = [];
      if (this.isPunct(this.peek(), '(')) args = this.skipParenGroup(this.peek(), true);
      const mapped = CC_ATTRIBUTES[name];
      if (mapped !== undefined) {
        cc = this.mergeCc(cc, { cc: mapped, tok: t });
      } else if (name === 'pcs') {
        const value = args.length === 1 && args[0]!.kind === 'string' ? args[0]!.text : undefined;
        const pcs = value === undefined ? undefined : PCS_VALUES[value];
        if (pcs === undefined) {
          throw new UnsupportedConventionError(
            `__attribute__((pcs(${args.map(tokenText).join(' ')}))) is not supported (column ${t.col} in '${this.src}'); only pcs("aapcs") is`);
        }
        cc = this.mergeCc(cc, { cc: pcs, tok: t });
      } else if (UNSUPPORTED_CC_ATTRIBUTES.has(name)) {
        throw new UnsupportedConventionError(
          `__attribute__((${t.text})) changes the calling convention in a way closure-ffi does not support (column ${t.col} in '${this.src}')`);
      }
      const after = this.peek();
      if (!this.isPunct(after, ',') && !this.isPunct(after, ')')) this.unexpected(after, `',' or ')' in '${kw.text}'`);
    }
    this.expectClose(o2, ')');
    this.expectClose(o1, ')');
    return cc;
  }

  /**
   * Skips a balanced `( ... )` group starting at the cursor (which must be `open`'s `(`);
   * returns the tokens inside when `collect` is set.
   */
  private skipParenGroup(open: Token, collect = false): Token[] {
    const o = this.peek();
    if (!this.isPunct(o, '(')) this.unexpected(o, `'(' after '${open.text}'`);
    this.next();
    const inside: Token[] = [];
    let depth = 1;
    for (;;) {
      const t = this.peek();
      if (t.kind === 'eof') this.fail(`unbalanced '(' at column ${o.col}: missing ')'`, t);
      this.next();
      if (this.isPunct(t, '(')) depth++;
      else if (this.isPunct(t, ')') && --depth === 0) return inside;
      if (collect) inside.push(t);
    }
  }

  /** Convention markers and attributes at the cursor (e.g. right after a `(` or a `*`). */
  private parseCcRun(into: CcMark | undefined): CcMark | undefined {
    for (;;) {
      const m = this.tryParseCc();
      if (m === null) return into;
      if (m !== undefined) into = this.mergeCc(into, m);
    }
  }

  // ---- declarators --------------------------------------------------------------------

  /** Is the identifier `t` the start of a type (so a `(` before it opens a parameter list)? */
  private isTypeStart(t: Token): boolean {
    if (t.kind !== 'ident') return false;
    const w = t.text;
    return RESERVED_WORDS.has(w) || BUILTIN_TYPE_NAMES.has(w) || this.scope.lookupTypedef(w) !== undefined;
  }

  /** At a `(` where a direct declarator may start: is it a grouping paren (not a parameter list)? */
  private isGroupingParen(allowName: boolean): boolean {
    let j = 1;
    for (;;) {
      const t = this.peek(j);
      if (t.kind === 'ident' && (t.text === '__attribute__' || t.text === '__attribute')) {
        // skip the attribute's balanced parens
        let k = j + 1;
        let depth = 0;
        do {
          const u = this.peek(k);
          if (u.kind === 'eof') return false;
          if (this.isPunct(u, '(')) depth++;
          else if (this.isPunct(u, ')')) depth--;
          k++;
        } while (depth > 0);
        j = k;
        continue;
      }
      if (t.kind === 'punct') return t.text === '*' || t.text === '(' || t.text === '[';
      if (t.kind !== 'ident') return false;
      if (CC_KEYWORDS[t.text] !== undefined || UNSUPPORTED_CC_KEYWORDS.has(t.text)) return true;
      if (t.text === 'extern' && this.peek(j + 1).kind === 'string') return true;
      if (this.isTypeStart(t)) return false;
      // `int (name)(int)`, `int (name[3])`: a parenthesised declarator name
      const after = this.peek(j + 1);
      const after2 = this.peek(j + 2);
      return allowName && (this.isPunct(after, '[') || (this.isPunct(after, ')') && (this.isPunct(after2, '(') || this.isPunct(after2, '['))));
    }
  }

  private parseDeclarator(allowName: boolean): Declarator {
    const ptrs: { quals: Quals; cc: CcMark | undefined; tok: Token }[] = [];
    while (this.isPunct(this.peek(), '*')) {
      this.deeper(this.peek());
      const star = this.next();
      const quals: Quals = {};
      let cc: CcMark | undefined;
      for (;;) {
        const t = this.peek();
        if (t.kind !== 'ident') break;
        if (QUALIFIERS[t.text] !== undefined) { quals[QUALIFIERS[t.text]!] = true; this.next(); continue; }
        const m = this.tryParseCc();
        if (m !== null) { if (m !== undefined) cc = this.mergeCc(cc, m); continue; }
        if (IGNORED_WORDS.has(t.text) && t.text !== 'extern') { this.next(); continue; }
        break;
      }
      ptrs.push({ quals: quals.const || quals.volatile || quals.restrict ? quals : NO_QUALS, cc, tok: star });
    }

    let inner: Declarator | undefined;
    let groupCc: CcMark | undefined;
    let name: Token | undefined;
    const t = this.peek();
    if (this.isPunct(t, '(') && this.isGroupingParen(allowName)) {
      this.deeper(t);
      const open = this.next();
      groupCc = this.parseCcRun(undefined);
      inner = this.parseDeclarator(allowName);
      this.expectClose(open, ')');
    } else if (t.kind === 'ident' && !RESERVED_WORDS.has(t.text) && allowName) {
      name = this.next();
    }

    const suffixes: Suffix[] = [];
    let trailingCc: CcMark | undefined;
    for (;;) {
      const s = this.peek();
      if (this.isPunct(s, '[')) {
        this.deeper(s);
        suffixes.push({ k: 'array', len: this.parseArrayLength(), tok: s });
      } else if (this.isPunct(s, '(')) {
        this.deeper(s);
        this.next();
        const { params, variadic } = this.parseParams(s);
        const cc = this.parseCcRun(undefined);
        suffixes.push({ k: 'func', params, variadic, tok: s, cc });
      } else if (s.kind === 'ident' && (s.text === '__attribute__' || s.text === '__attribute' || CC_KEYWORDS[s.text] !== undefined)) {
        trailingCc = this.parseCcRun(trailingCc);
      } else {
        break;
      }
    }

    const declName = name ?? inner?.name;
    return {
      name: declName,
      apply: (base: TypeNode): TypeNode => {
        let t: TypeNode = base;
        for (const p of ptrs) {
          if (p.cc) this.attachCc(t, p.cc, 'a pointer to a non-function type');
          t = { k: 'ptr', to: t, quals: p.quals, pos: this.pos(p.tok) };
        }
        for (let k = suffixes.length - 1; k >= 0; k--) {
          const s = suffixes[k]!;
          const u = unwrapTypedefs(t);
          if (s.k === 'array') {
            if (u.k === 'func') this.fail(`array of functions is not a C type (use an array of function pointers)`, s.tok);
            if (u.k === 'builtin' && u.name === 'void') this.fail(`array of 'void' is not a C type`, s.tok);
            t = { k: 'array', of: t, len: s.len, quals: NO_QUALS, pos: this.pos(s.tok) };
          } else {
            if (u.k === 'func') this.fail(`a function cannot return a function (return a function pointer instead)`, s.tok);
            if (u.k === 'array') this.fail(`a function cannot return an array`, s.tok);
            t = { k: 'func', ret: t, params: s.params, variadic: s.variadic, cc: undefined, quals: NO_QUALS, pos: this.pos(s.tok) };
            if (s.cc) this.attachCc(t, s.cc, 'a non-function type');
          }
        }
        if (trailingCc) this.attachCc(t, trailingCc, 'a non-function type');
        if (groupCc) this.attachCc(t, groupCc, 'a non-function type');
        return inner ? inner.apply(t) : t;
      },
    };
  }

  /** `[ ... ]`: the length text (anything balanced; it does not matter for parameters). */
  private parseArrayLength(): string {
    const open = this.next();
    const parts: string[] = [];
    let depth = 0;
    for (;;) {
      const t = this.peek();
      if (t.kind === 'eof') this.fail(`unbalanced '[' at column ${open.col}: missing ']'`, t);
      if (depth === 0 && this.isPunct(t, ']')) { this.next(); return parts.join(' '); }
      if (this.isPunct(t, '(') || this.isPunct(t, '[')) depth++;
      else if (this.isPunct(t, ')') || this.isPunct(t, ']')) {
        if (depth === 0) this.unexpected(t, `']' to close the '[' at column ${open.col}`);
        depth--;
      }
      parts.push(tokenText(t));
      this.next();
    }
  }

  /** Attaches a convention to a function type (a direct function node, never through a typedef). */
  private attachCc(t: TypeNode, mark: CcMark, what: string): void {
    if (t.k !== 'func') this.fail(`calling convention '${tokenText(mark.tok)}' applied to ${what}`, mark.tok);
    const prev = this.ccMarks.get(t);
    if (prev !== undefined && prev.cc !== mark.cc) {
      const [first, second] = prev.tok.col <= mark.tok.col ? [prev, mark] : [mark, prev];
      this.fail(`conflicting calling conventions: '${tokenText(second.tok)}' after '${tokenText(first.tok)}'`, second.tok);
    }
    this.ccMarks.set(t, mark);
    t.cc = mark.cc;
  }

  /** A convention written among the specifiers belongs to the declared function (or the one pointed to). */
  private attachToEntity(t: TypeNode, mark: CcMark): void {
    let u = t;
    while (u.k === 'ptr') u = u.to;
    this.attachCc(u, mark, 'a non-function type');
  }

  // ---- parameters ---------------------------------------------------------------------

  /** After `(`: the parameter list up to and including `)`. */
  private parseParams(open: Token): { params: ParamNode[]; variadic: boolean } {
    const params: ParamNode[] = [];
    const starts: Token[] = [];
    let variadic = false;
    if (this.isPunct(this.peek(), ')')) { this.next(); return { params, variadic }; }
    for (;;) {
      const t = this.peek();
      if (this.isPunct(t, '...')) {
        if (params.length === 0) this.fail(`'...' must follow at least one named parameter`, t);
        this.next();
        variadic = true;
        const after = this.peek();
        if (this.isPunct(after, ',')) this.fail(`'...' must be the last parameter`, t);
        if (!this.isPunct(after, ')')) {
          if (after.kind === 'eof') this.fail(`unbalanced '(' at column ${open.col}: missing ')'`, after);
          this.unexpected(after, `')' after '...'`);
        }
        this.next();
        break;
      }
      if (t.kind === 'eof') this.fail(`unbalanced '(' at column ${open.col}: missing ')'`, t);
      if (this.isPunct(t, ',') || this.isPunct(t, ')')) {
        this.unexpected(t, params.length === 0 ? 'a parameter type' : `a parameter type after ','`);
      }
      starts.push(t);
      params.push(this.parseParam());
      const sep = this.peek();
      if (this.isPunct(sep, ',')) { this.next(); continue; }
      if (this.isPunct(sep, ')')) { this.next(); break; }
      if (this.isPunct(sep, ':')) {
        throw new UnsupportedTypeError(`bit-fields are not supported (':' at column ${sep.col} in '${this.src}')`);
      }
      if (sep.kind === 'eof') this.fail(`unbalanced '(' at column ${open.col}: missing ')'`, sep);
      this.unexpected(sep, `',' or ')'`);
    }
    // `(void)` means no parameters; `void` anywhere else is an error.
    for (let k = 0; k < params.length; k++) {
      const p = params[k]!;
      const u = unwrapTypedefs(p.type);
      if (u.k !== 'builtin' || u.name !== 'void') continue;
      const lone = params.length === 1 && !variadic && p.name === undefined;
      const qualified = p.type.quals.const || p.type.quals.volatile || p.type.quals.restrict || u.quals.const || u.quals.volatile;
      if (lone && !qualified) return { params: [], variadic: false };
      const where = starts[k]!;
      if (p.name !== undefined) this.fail(`parameter '${p.name}' has type 'void'`, where);
      if (lone) this.fail(`'(void)' may not be qualified`, where);
      this.fail(`'void' must be the only parameter`, where);
    }
    return { params, variadic };
  }

  private parseParam(): ParamNode {
    // Parameters are siblings: each starts at the list's level (the declarator levels it
    // opens are those of its own type, nested in the function type).
    const level = this.level;
    const spec = this.parseSpecifiers();
    const decl = this.parseDeclarator(true);
    this.level = level;
    const t = decl.apply(spec.base);
    if (spec.cc) this.attachToEntity(t, spec.cc);
    return { type: adjustParamType(t), name: decl.name?.text, pos: this.pos(spec.first) };
  }
}

function tokenText(t: Token): string {
  return t.kind === 'string' ? `"${t.text}"` : t.text;
}

/**
 * Runs a parse, turning an engine RangeError (a stack overflow that {@link MAX_NESTING} did
 * not prevent, e.g. in a chain of thousands of macros, or a string too long to build) into
 * a SignatureSyntaxError, so every failure of the parser carries a `code`.
 */
function guarded<T>(src: string, parse: () => T): T {
  try {
    return parse();
  } catch (e) {
    if (!(e instanceof RangeError)) throw e;
    const text = src.trimStart();
    throw new SignatureSyntaxError(
      `signature too large or too deeply nested to parse (${e.message})`, src.length > 200 ? src.slice(0, 200) + '…' : src,
      /^\S{0,16}/.exec(text)![0], src.length - text.length + 1);
  }
}

/** Parses a prototype: the function type it declares (a function, or a pointer to one). */
export function parsePrototypeAst(src: string, scope: ParseScope): FuncNode {
  return guarded(src, () => new Parser(src, scope).parsePrototype());
}

/** Parses an abstract type name such as `const char *` or `int (*)(int)`. */
export function parseTypeNameAst(src: string, scope: ParseScope): TypeNode {
  return guarded(src, () => new Parser(src, scope).parseTop('type-name'));
}
