/**
 * The C and POSIX header typedefs built into the prototype language: each one has the
 * size and signedness the C compiler gives it here, and prototypes copied from headers
 * parse and call without `types.define`.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, test } from 'node:test';
import { FnPtr, loadLibrary, memory, sizeof, types, TypeDefinitionError, UnsupportedTypeError } from '../src/index';
import { HEADER_TYPEDEF_NAMES } from '../src/signature/header-typedefs';
import { resolveType } from '../src/signature/resolve';
import { compileExecutable } from './support/cc';

const OPAQUE = new Set(['FILE', 'DIR']);
const scalars = HEADER_TYPEDEF_NAMES.filter((n) => !OPAQUE.has(n));

function cFacts(): Map<string, { size: number; signed: boolean }> {
  const lines = scalars.map((n) => `  printf("%s %zu %d\\n", "${n}", sizeof(${n}), (${n})-1 < (${n})0);`);
  const src = `#define _GNU_SOURCE
#include <dirent.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/statvfs.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>
#include <wchar.h>
int main(void) {
${lines.join('\n')}
  return 0;
}
`;
  const out = execFileSync(compileExecutable('header-typedefs', src), { encoding: 'utf8' });
  const facts = new Map<string, { size: number; signed: boolean }>();
  for (const line of out.trim().split('\n')) {
    const [name, size, signed] = line.split(' ');
    facts.set(name!, { size: Number(size), signed: signed === '1' });
  }
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
      assert.equal(t.js, t.size === 8 ? 'bigint' : 'number', `JS type of ${name}`);
    }
  });

  test('the sizes follow the data model (time_t is 4 bytes on ILP32, 8 on LP64)', () => {
    assert.equal(resolveType('time_t', undefined, 'ilp32-x86').size, 4);
    assert.equal(resolveType('time_t', undefined, 'lp64-arm64').size, 8);
    assert.equal(resolveType('dev_t', undefined, 'ilp32-arm').size, 8);
    assert.equal(sizeof('uint_fast16_t'), 8);
  });

  test('FILE and DIR are opaque: fine behind a pointer, refused by value', () => {
    assert.equal(resolveType('FILE *').kind, 'pointer');
    assert.equal(resolveType('DIR *').kind, 'pointer');
    assert.throws(() => resolveType('FILE'), UnsupportedTypeError);
  });

  test('prototypes copied from glibc headers call libc without types.define', () => {
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

  test('defining a header typedef again as the same type is a no-op; as another type, refused', () => {
    types.define('time_t', 'long');
    types.define('FILE', 'struct _IO_FILE');
    assert.throws(() => types.define('pid_t', 'long'), (e: unknown) =>
      e instanceof TypeDefinitionError && /built in as 'int'/.test(e.message));
    assert.throws(() => types.defineMacro('FILE', 'void'), TypeDefinitionError);
  });
});
