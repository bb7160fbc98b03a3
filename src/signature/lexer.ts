/**
 * Tokenizer for C prototypes and type names. Skips comments; expands user-defined macros
 * (`types.defineMacro`) with the column of the use site, so errors point into the text
 * the user wrote.
 */
import { SignatureSyntaxError } from '../errors';

export type TokenKind = 'ident' | 'number' | 'string' | 'punct' | 'eof';

export interface Token {
  readonly kind: TokenKind;
  /** Token text (for strings: the contents, without quotes or escapes processing). */
  readonly text: string;
  /** 1-based column of the token (of the macro name, for tokens from a macro expansion). */
  readonly col: number;
  /** Name of the macro this token came from, if any. */
  readonly macro?: string;
}

/** The text used for the end-of-input token in messages. */
export const END_OF_INPUT = 'end of input';

/** Looks a macro up: its replacement tokens, or `undefined` when `name` is not a macro. */
export type MacroLookup = (name: string) => readonly Token[] | undefined;

const PUNCT = new Set(['(', ')', '[', ']', ',', '*', ';', ':', '=', '&', '<', '>', '{', '}', '+', '-', '/', '%', '^', '|', '!', '~', '?', '.']);
const IDENT_START = /[A-Za-z_]/;
const IDENT_PART = /[A-Za-z0-9_]/;

/** Splits `src` into tokens; the last token is always `eof`. */
export function tokenize(src: string, macros?: MacroLookup): Token[] {
  const out: Token[] = [];
  const n = src.length;
  let i = 0;
  const fail = (msg: string, token: string, at: number): never => {
    throw new SignatureSyntaxError(msg, src, token, at + 1);
  };
  while (i < n) {
    const c = src[i]!;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f' || c === '\v') { i++; continue; }
    if (c === '/' && src[i + 1] === '*') {
      const end = src.indexOf('*/', i + 2);
      if (end < 0) fail('unterminated comment', '/*', i);
      i = end + 2;
      continue;
    }
    if (c === '/' && src[i + 1] === '/') {
      const end = src.indexOf('\n', i);
      i = end < 0 ? n : end + 1;
      continue;
    }
    const start = i;
    if (IDENT_START.test(c)) {
      while (i < n && IDENT_PART.test(src[i]!)) i++;
      out.push({ kind: 'ident', text: src.slice(start, i), col: start + 1 });
      continue;
    }
    if (c >= '0' && c <= '9') {
      while (i < n && /[A-Za-z0-9_.]/.test(src[i]!)) i++;
      out.push({ kind: 'number', text: src.slice(start, i), col: start + 1 });
      continue;
    }
    if (c === '"') {
      i++;
      while (i < n && src[i] !== '"') i += src[i] === '\\' ? 2 : 1;
      if (i >= n) fail('unterminated string literal', src.slice(start), start);
      out.push({ kind: 'string', text: src.slice(start + 1, i), col: start + 1 });
      i++;
      continue;
    }
    if (c === '.' && src[i + 1] === '.' && src[i + 2] === '.') {
      out.push({ kind: 'punct', text: '...', col: start + 1 });
      i += 3;
      continue;
    }
    if (PUNCT.has(c)) {
      out.push({ kind: 'punct', text: c, col: start + 1 });
      i++;
      continue;
    }
    fail(`unexpected character ${JSON.stringify(c)}`, c, i);
  }
  out.push({ kind: 'eof', text: END_OF_INPUT, col: n + 1 });
  return macros === undefined ? out : expandMacros(out, macros);
}

function expandMacros(tokens: Token[], macros: MacroLookup): Token[] {
  const out: Token[] = [];
  const expand = (t: Token, col: number, active: ReadonlySet<string>, origin: string | undefined): void => {
    if (t.kind === 'ident' && !active.has(t.text)) {
      const body = macros(t.text);
      if (body !== undefined) {
        const inner = new Set(active).add(t.text);
        for (const b of body) expand(b, col, inner, origin ?? t.text);
        return;
      }
    }
    out.push(origin === undefined ? t : { kind: t.kind, text: t.text, col, macro: origin });
  };
  for (const t of tokens) {
    if (t.kind === 'eof') out.push(t);
    else expand(t, t.col, new Set(), undefined);
  }
  return out;
}

/** Describes a token for messages: `')'`, `'foo'`, `end of input`. */
export function describeToken(t: Token): string {
  if (t.kind === 'eof') return END_OF_INPUT;
  if (t.kind === 'string') return `"${t.text}"`;
  return `'${t.text}'`;
}
