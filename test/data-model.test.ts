/**
 * Data models: the running process's model has the C compiler's sizes, alignments and
 * signedness for every built-in type (under Wine that compiler is mingw-w64, whose
 * `long double` is not MSVC's), and Windows x64's LLP64 model (`llp64-x64`) gives
 * Microsoft's ABI on any host: `long` is 4 bytes, `wchar_t` a 2-byte unsigned unit.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, test } from 'node:test';
import { UnsupportedTypeError } from '../src/errors';
import { DATA_MODELS, defaultDataModel, resolveSignature, resolveType, type CType, type DataModelName } from '../src/signature';
import { makeStruct } from '../src/signature/layout';
import { resolveFieldType } from '../src/signature/resolve';
import { compileExecutable } from './support/cc';
import { ON_WINDOWS } from './support/platform';

const WIN: DataModelName = 'llp64-x64';

/** `struct { fields }` laid out on `model` (struct() itself uses the running process's). */
function structOn(model: DataModelName, fields: Record<string, string>) {
  const members = Object.entries(fields).map(([name, spec]) => ({ name, type: resolveFieldType(spec, undefined, model) }));
  return makeStruct(members, false, fields);
}

const kindSigned = (t: CType): boolean => t.tag === 'scalar' && t.kind.startsWith('i');

describe('the running process\'s data model', () => {
  test('is Windows x64\'s LLP64 model exactly on win32-x64', () => {
    const expected = ON_WINDOWS && process.arch === 'x64' ? WIN : undefined;
    if (expected !== undefined) assert.equal(defaultDataModel().name, expected);
    else assert.notEqual(defaultDataModel().name, WIN);
  });

  test('every built-in type has the C compiler\'s size, alignment and signedness', () => {
    const model = defaultDataModel();
    const names = [
      'char', 'signed char', 'unsigned char', 'short', 'unsigned short', 'int', 'unsigned int', 'long', 'unsigned long',
      'long long', 'unsigned long long', 'int8_t', 'uint8_t', 'int16_t', 'uint16_t', 'int32_t', 'uint32_t', 'int64_t',
      'uint64_t', 'intmax_t', 'uintmax_t', 'size_t', 'ssize_t', 'ptrdiff_t', 'intptr_t', 'uintptr_t', 'off_t', 'off64_t',
      'wchar_t', 'char16_t', 'char32_t', 'bool', 'float', 'double', 'void *',
      // mingw-w64's GCC makes `long double` 16-byte x87; MSVC (the ABI closure-ffi follows) a double.
      ...(model.longDoubleIsDouble === true && ON_WINDOWS ? [] : ['long double']),
    ];
    // Alignment inside a struct, as C lays it out (i386's 4-aligned `double` included).
    const lines = names.map((n, i) =>
      `  { struct s${i} { char c; ${n} x; }; printf("%s|%u|%u|%d\\n", "${n}", (unsigned)sizeof(${n}), (unsigned)offsetof(struct s${i}, x), (${n})-1 < (${n})0); }`);
    const src = `#define _GNU_SOURCE
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>
#include <uchar.h>
#include <wchar.h>
int main(void) {
${lines.join('\n')}
  return 0;
}
`;
    const out = execFileSync(compileExecutable('data-model', src), { encoding: 'utf8' });
    const rows = out.split(/\r?\n/).filter((l) => l !== '').map((l) => l.split('|'));
    assert.equal(rows.length, names.length);
    for (const [name, size, align, signed] of rows) {
      if (name === 'long double' && model.longDoubleIsDouble !== true) {
        assert.throws(() => resolveType(name), UnsupportedTypeError);
        continue;
      }
      const t = resolveType(name!);
      assert.deepEqual([t.size, t.align], [Number(size), Number(align)], `size and alignment of ${name} on ${model.name}`);
      if (t.tag === 'scalar' && t.kind !== 'bool' && t.kind !== 'pointer' && !t.kind.startsWith('f')) {
        assert.equal(kindSigned(t), signed === '1', `signedness of ${name} on ${model.name}`);
      }
    }
  });
});

describe('Windows x64 (llp64-x64), on any host', () => {
  test('long is 4 bytes, long long and pointers 8; wchar_t is a 2-byte unsigned unit; char is signed', () => {
    const sig = resolveSignature('long (unsigned long, long long, size_t, ssize_t, off_t, off64_t, wchar_t, char, void *)', WIN);
    assert.equal(sig.dataModel, WIN);
    assert.deepEqual([sig.ret, ...sig.args].map((a) => [a.kind, a.size, a.align]), [
      ['i32', 4, 4], ['u32', 4, 4], ['i64', 8, 8], ['u64', 8, 8], ['i64', 8, 8], ['i32', 4, 4], ['i64', 8, 8],
      ['u16', 2, 2], ['i8', 1, 1], ['pointer', 8, 8],
    ]);
    // A 32-bit `long` is a number, as every 32-bit integer is (the runtime converts by size).
    assert.equal(sig.ret.js, 'number');
    assert.equal(sig.args[1]!.js, 'bigint'); // long long
    assert.equal(resolveType('wchar_t', undefined, WIN).js, 'number');
    assert.equal(DATA_MODELS[WIN].charSigned, true);
  });

  test('struct layouts use the 4-byte long and 2-byte wchar_t', () => {
    const CL = structOn(WIN, { c: 'char', l: 'long' });
    assert.deepEqual([CL.size, CL.align, CL.fields.map((f) => f.offset)], [8, 4, [0, 4]]);
    const W = structOn(WIN, { w: 'wchar_t', c: 'char', s: 'wchar_t[3]' });
    assert.deepEqual([W.size, W.align, W.fields.map((f) => f.offset)], [10, 2, [0, 2, 4]]);
    const Mixed = structOn(WIN, { b: 'bool', p: 'void *', l: 'long', w: 'wchar_t' });
    assert.deepEqual([Mixed.size, Mixed.fields.map((f) => f.offset)], [24, [0, 8, 16, 20]]);
    // the same fields on Linux x86-64, for contrast
    assert.equal(structOn('lp64-x64', { c: 'char', l: 'long' }).size, 16);
    assert.equal(structOn('lp64-x64', { b: 'bool', p: 'void *', l: 'long', w: 'wchar_t' }).size, 32);
  });

  test('long double is MSVC\'s: a double (refused where it is x87 or 128-bit)', () => {
    const sig = resolveSignature('long double (long double x, const long double *p)', WIN);
    assert.deepEqual([sig.ret.kind, sig.ret.size, sig.ret.name], ['f64', 8, 'long double']);
    assert.equal(sig.args[0]!.kind, 'f64');
    assert.equal(sig.args[1]!.kind, 'pointer');
    assert.equal((sig.args[1]!.pointee as CType).kind, 'f64');
    assert.equal(sig.text, 'long double (long double, const long double *)');
    assert.deepEqual([structOn(WIN, { c: 'char', x: 'long double' }).size], [16]);
    for (const m of ['lp64-x64', 'lp64-arm64', 'ilp32-x86', 'ilp32-arm'] as const) {
      assert.throws(() => resolveSignature('long double (int)', m), UnsupportedTypeError, m);
    }
    assert.throws(() => resolveType('_Complex long double', undefined, WIN), UnsupportedTypeError);
  });

  test('header typedefs are Microsoft\'s, and POSIX-only ones are refused, not guessed', () => {
    const t = (n: string) => resolveType(n, undefined, WIN);
    // <corecrt.h>: a 64-bit __time64_t (glibc's `long` would be 4 bytes here), 16-bit wint_t.
    assert.deepEqual([t('time_t').kind, t('time_t').size, t('time_t').js], ['i64', 8, 'bigint']);
    assert.deepEqual([t('wint_t').kind, t('wint_t').size], ['u16', 2]);
    assert.equal(t('socklen_t').kind, 'i32'); // <ws2tcpip.h>: int
    assert.deepEqual([t('clock_t').kind, t('clock_t').size], ['i32', 4]);
    assert.deepEqual([t('int_fast32_t').kind, t('uint_fast16_t').kind], ['i32', 'u32']);
    assert.equal(t('FILE *').kind, 'pointer');
    for (const n of ['pid_t', 'uid_t', 'mode_t', 'pthread_t', 'ino_t', 'dev_t', 'suseconds_t']) {
      assert.throws(() => t(n), (e: unknown) => e instanceof UnsupportedTypeError && e.message.includes(`'${n}'`) && e.message.includes(WIN), n);
      // behind a pointer it is only an address
      assert.equal(t(`${n} *`).kind, 'pointer');
    }
    assert.throws(() => resolveSignature('pid_t getpid(void)', WIN), /'pid_t' \(at column 1 in 'pid_t getpid\(void\)'\) has no definition on llp64-x64/);
    // Linux's table is unchanged
    assert.deepEqual([resolveType('time_t', undefined, 'lp64-x64').size, resolveType('pid_t', undefined, 'lp64-x64').kind], [8, 'i32']);
  });
});
