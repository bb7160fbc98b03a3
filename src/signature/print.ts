/**
 * Prints a type tree back as canonical C: normalised specifiers, names dropped, top-level
 * qualifiers of parameters dropped, conventions spelled as keywords (`__stdcall`) or as
 * `extern "system"` where C has no keyword. The output parses back to the same type.
 */
import type { FuncNode, Quals, TypeNode } from './ast';
import { withoutQuals } from './ast';
import { ccSpelling, ccText } from './calling-conventions';

function qualText(q: Quals): string {
  const parts: string[] = [];
  if (q.const) parts.push('const');
  if (q.volatile) parts.push('volatile');
  if (q.restrict) parts.push('restrict');
  return parts.join(' ');
}

function join(base: string, inner: string): string {
  if (inner === '') return base;
  return inner[0] === '[' ? base + inner : `${base} ${inner}`;
}

/** Prints `t` as a C type name (`inner` is the declarator text built so far). */
export function printType(t: TypeNode, inner = ''): string {
  switch (t.k) {
    case 'builtin': case 'typedef': case 'unsupported': {
      const q = qualText(t.quals);
      return join(q ? `${q} ${t.name}` : t.name, inner);
    }
    case 'tag': {
      const q = qualText(t.quals);
      return join(`${q ? q + ' ' : ''}${t.tag} ${t.name}`, inner);
    }
    case 'ctype': {
      const q = qualText(t.quals);
      return join(q ? `${q} ${t.type.name}` : t.type.name, inner);
    }
    case 'ptr': {
      const q = qualText(t.quals);
      let d = '*' + (q ? q + (inner ? ' ' : '') : '') + inner;
      if (t.to.k === 'func' || t.to.k === 'array') {
        d = t.to.k === 'func' && t.to.cc !== undefined ? `(${ccText(t.to.cc)} ${d})` : `(${d})`;
      }
      return printType(t.to, d);
    }
    case 'array':
      return printType(t.of, `${inner}[${t.len}]`);
    case 'func':
      return printFunc(t, inner, false);
  }
}

function printParams(f: FuncNode): string {
  if (f.params.length === 0) return '(void)';
  const parts = f.params.map((p) => printType(withoutQuals(p.type)));
  if (f.variadic) parts.push('...');
  return `(${parts.join(', ')})`;
}

/**
 * Prints a function type. At the top level (`topLevel`), its convention is written after
 * the return type (`int __stdcall (int)`) or as an `extern "..."` prefix.
 */
export function printFunc(f: FuncNode, inner = '', topLevel = true): string {
  let prefix = '';
  let d = inner + printParams(f);
  if (topLevel && f.cc !== undefined) {
    const s = ccSpelling(f.cc);
    if ('keyword' in s) d = `${s.keyword} ${d}`;
    else prefix = `extern "${s.externAbi}" `;
  }
  return prefix + printType(f.ret, d);
}
