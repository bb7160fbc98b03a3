/**
 * The C and POSIX header typedefs built into the prototype language: each one has the
 * size and signedness the C compiler gives it here, and prototypes copied from headers
 * parse and call without `types.define`. On Windows x64 (under Wine) they are the Microsoft
 * headers' (header-typedefs.ts), checked against mingw-w64's, which are the same but for
 * the two listed in MSVC_NOT_MINGW; the POSIX names Windows lacks are refused there.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { FnPtr, loadLibrary, memory, sizeof, types, TypeDefinitionError, UnsupportedTypeError } from '../src/index';
import { defaultDataModel } from '../src/signature';
import { HEADER_TYPEDEF_NAMES, headerTypedefOn } from '../src/signature/header-typedefs';
import { resolveType } from '../src/signature/resolve';
import { compileExecutable } from './support/cc';
import { ON_WINDOWS, notOnWindows } from './support/platform';

const OPAQUE = new Set(['FILE', 'DIR']);
/** The names the running process's C library has (on Windows, not the POSIX-only ones). */
const scalars = HEADER_TYPEDEF_NAMES.filter((n) => {
  const own = headerTypedefOn(n, defaultDataModel());
  return !OPAQUE.has(n) && own !== undefined && !('missing' in own);
});
/** Where closure-ffi follows MSVC's <stdint.h> (int) and mingw-w64's differs (short). */
const MSVC_NOT_MINGW = new Map([['int_fast16_t', { size: 4, signed: true }], ['uint_fast16_t', { size: 4, signed: false }]]);

const POSIX_HEADERS = ['dirent.h', 'netinet/in.h', 'pthread.h', 'signal.h', 'stdint.h', 'stdio.h', 'sys/resource.h',
  'sys/socket.h', 'sys/statvfs.h', 'sys/types.h', 'time.h', 'unistd.h', 'wchar.h'];
const WINDOWS_HEADERS = ['winsock2.h', 'ws2tcpip.h', 'signal.h', 'stdint.h', 'stdio.h', 'sys/types.h', 'time.h', 'wchar.h'];

function cFacts(): Map<string, { size: number; signed: boolean }> {
  const lines = scalars.map((n) => `  printf("%s %u %d\\n", "${n}", (unsigned)sizeof(${n}), (${n})-1 < (${n})0);`);
  const src = `#define _GNU_SOURCE
${(ON_WINDOWS ? WINDOWS_HEADERS : POSIX_HEADERS).map((h) => `#include <${h}>`).join('\n')}
int main(void) {
${lines.join('\n')}
  return 0;
}
`;
  const out = execFileSync(compileExecutable('header-typedefs', src), { encoding: 'utf8' });
  const facts = new Map<string, { size: number; signed: boolean }>();
  for (const line of out.trim().split(/\r?\n/)) {
    const [name, size, signed] = line.split(' ');
    facts.set(name!, { size: Number(size), signed: signed === '1' });
  }
  if (ON_WINDOWS) for (const [name, fact] of MSVC_NOT_MINGW) facts.set(name, fact);
  return facts;
}

describe('header typedefs', () => {
  test('every built-in header typedef has the C compiler\'s size and signedness', () => {
    const facts = cFacts();
    assert.equal(facts.size, scalars.length);
    for (const name of scalars) {
      const t = resolveType(name);
      assert.equal(t.tag, 'scalar', name);
      const c = facts.get(name)!;
      assert.equal(t.size, c.size, `sizeof(${name})`);
      const signed = t.tag === 'scalar' && t.kind.startsWith('i');
      assert.equal(signed, c.signed, `signedness of ${name}`);
      // The JS type follows the size, as the runtime converts: a 64-bit one is a bigint.
      assert.equal(t.js, c.size === 8 ? 'bigint' : 'number', `JS type of ${name}`);
    }
  });

  test('the sizes follow the data model (time_t is 4 bytes on ILP32, 8 on LP64 and on Windows x64)', () => {
    assert.equal(resolveType('time_t', undefined, 'ilp32-x86').size, 4);
    assert.equal(resolveType('time_t', undefined, 'lp64-arm64').size, 8);
    assert.equal(resolveType('time_t', undefined, 'llp64-x64').size, 8);
    assert.equal(resolveType('dev_t', undefined, 'ilp32-arm').size, 8);
    assert.equal(resolveType('uint_fast16_t', undefined, 'lp64-x64').size, 8);
    assert.equal(resolveType('uint_fast16_t', undefined, 'llp64-x64').size, 4);
    assert.equal(sizeof('uint_fast16_t'), defaultDataModel().long.size);
    assert.throws(() => resolveType('pid_t', undefined, 'llp64-x64'), /'pid_t' .*has no definition on llp64-x64/);
  });

  test('FILE and DIR are opaque: fine behind a pointer, refused by value', () => {
    assert.equal(resolveType('FILE *').kind, 'pointer');
    assert.equal(resolveType('DIR *').kind, 'pointer');
    assert.throws(() => resolveType('FILE'), UnsupportedTypeError);
  });

  test('prototypes copied from glibc headers call libc without types.define', { skip: notOnWindows('glibc\'s functions (getpid, umask, /proc)') }, () => {
    const libc = loadLibrary();
    const time = new FnPtr('extern time_t time (time_t *__timer)', libc.symbol('time'));
    const now = time.call(0n);
    assert.equal(typeof now, 'bigint');
    assert.ok(now > 1_600_000_000n);
    const getpid = new FnPtr('extern pid_t getpid (void)', libc.symbol('getpid'));
    assert.equal(getpid.call(), process.pid);
    const umask = new FnPtr('mode_t umask(mode_t mask)', libc.symbol('umask'));
    const old = umask.call(0o022);
    umask.call(old);
    assert.equal(typeof old, 'number');

    const fopen = new FnPtr('FILE *fopen(const char *restrict pathname, const char *restrict mode)', libc.symbol('fopen'));
    const fileno = new FnPtr('int fileno(FILE *stream)', libc.symbol('fileno'));
    const fclose = new FnPtr('int fclose(FILE *stream)', libc.symbol('fclose'));
    const fread = new FnPtr('size_t fread(void *restrict ptr, size_t size, size_t nmemb, FILE *restrict stream)', libc.symbol('fread'));
    const buf = memory.alloc(64);
    memory.write(buf, Buffer.from('/proc/self/stat\0r\0'));
    const f = fopen.call(buf, buf + 16n);
    assert.notEqual(f, 0n);
    assert.ok(fileno.call(f) >= 0);
    try {
      const n = fread.call(buf, 1n, 64n, f);
      assert.ok(n > 0n);
      assert.match(memory.read(buf, Number(n)).toString('latin1'), new RegExp(`^${process.pid} `));
    } finally {
      memory.free(buf);
      assert.equal(fclose.call(f), 0);
    }
  });

  test('prototypes copied from the Microsoft C runtime\'s headers call it without types.define', { skip: ON_WINDOWS ? false : 'Windows only' }, () => {
    const crt = loadLibrary();
    // <time.h>: a 64-bit __time64_t, written through the pointer too.
    const time = new FnPtr('time_t _time64(time_t *_Time)', crt.symbol('_time64'));
    const out = memory.alloc(8);
    try {
      memory.write(out, Buffer.alloc(8, 0xff));
      const now = time.call(out);
      assert.equal(typeof now, 'bigint');
      assert.ok(now > 1_600_000_000n);
      assert.equal(memory.read(out, 8).readBigInt64LE(), now);
    } finally {
      memory.free(out);
    }
    const getpid = new FnPtr('int _getpid(void)', crt.symbol('_getpid'));
    assert.equal(getpid.call(), process.pid);
    // <corecrt_wctype.h>, <corecrt_wstring.h>: 16-bit wint_t, UTF-16 wchar_t.
    const towupper = new FnPtr('wint_t towupper(wint_t _C)', crt.symbol('towupper'));
    assert.equal(towupper.call(0x61), 0x41);
    const wcslen = new FnPtr('size_t wcslen(const wchar_t *_String)', crt.symbol('wcslen'));
    const text = memory.alloc(16);
    try {
      memory.write(text, Buffer.from('h\u00e9llo\0', 'utf16le'));
      assert.equal(wcslen.call(text), 5n);
    } finally {
      memory.free(text);
    }

    const fopen = new FnPtr('FILE *fopen(const char *_FileName, const char *_Mode)', crt.symbol('fopen'));
    const fileno = new FnPtr('int _fileno(FILE *_Stream)', crt.symbol('_fileno'));
    const fclose = new FnPtr('int fclose(FILE *_Stream)', crt.symbol('fclose'));
    const fread = new FnPtr('size_t fread(void *_Buffer, size_t _ElementSize, size_t _ElementCount, FILE *_Stream)', crt.symbol('fread'));
    const path = join(tmpdir(), `closure-ffi-header-typedefs-${process.pid}.txt`);
    writeFileSync(path, `pid ${process.pid}\n`);
    const buf = memory.alloc(300);
    try {
      memory.write(buf, Buffer.from(`${path}\0rb\0`, 'latin1'));
      const f = fopen.call(buf, buf + BigInt(path.length + 1));
      assert.notEqual(f, 0n);
      try {
        assert.ok(fileno.call(f) >= 0);
        const n = fread.call(buf, 1n, 64n, f);
        assert.equal(memory.read(buf, Number(n)).toString('latin1'), `pid ${process.pid}\n`);
      } finally {
        assert.equal(fclose.call(f), 0);
      }
    } finally {
      memory.free(buf);
      rmSync(path, { force: true });
    }
  });

  test('defining a header typedef again as the C library\'s type is a no-op; as another type, refused', () => {
    types.define('FILE', 'struct _IO_FILE');
    assert.throws(() => types.defineMacro('FILE', 'void'), TypeDefinitionError);
    if (!ON_WINDOWS) {
      types.define('time_t', 'long');
      assert.throws(() => types.define('pid_t', 'long'), (e: unknown) =>
        e instanceof TypeDefinitionError && /built in as 'int'/.test(e.message));
      return;
    }
    // Windows: Microsoft's definitions; a POSIX name the C runtime lacks takes the caller's.
    types.define('time_t', 'long long');
    assert.throws(() => types.define('time_t', 'long'), (e: unknown) =>
      e instanceof TypeDefinitionError && /built in as 'long long'/.test(e.message));
    types.define('pid_t', 'int');
    assert.equal(resolveType('pid_t').kind, 'i32');
    assert.equal(resolveType('pid_t').name, 'pid_t');
  });
});
