/**
 * libc APIs whose callbacks take no context argument, the use case closure-ffi exists for:
 * qsort, bsearch, lsearch/lfind, tsearch/twalk/tdestroy and nftw. Called through koffi (an
 * independent FFI) and, for qsort and nftw, also through closure-ffi's own FnPtr.
 *
 * On Windows the C runtime (ucrtbase, which loadLibrary() searches after the main module)
 * has qsort, bsearch and _lsearch/_lfind; tsearch and nftw are POSIX only. The functions are
 * called through FnPtr there: a callback on koffi's own stack is refused on Windows by design
 * (there is no V8-direct accelerator to run it on).
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { after, describe, test } from 'node:test';
import koffi from 'koffi';
import { BareFn, FnPtr, loadLibrary, memory } from '../src/index';
import { compileSharedLibrary } from './support/cc';
import { notOnWindows, ON_WINDOWS } from './support/platform';
import { Prng, runSeed } from './support/prng';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyFn = (...args: any[]) => any;
/** The independent caller of the libc functions below (see the file comment). */
const VIA = ON_WINDOWS ? 'FnPtr' : 'koffi';
const k: Record<'qsort' | 'bsearch' | 'tsearch' | 'tfind' | 'twalk' | 'tdestroy' | 'nftw', AnyFn> = ON_WINDOWS
  ? (() => {
      const crt = loadLibrary();
      const qsort = new FnPtr('void (void *base, size_t n, size_t size, void *cmp)', crt.symbol('qsort'));
      const bsearch = new FnPtr('void *(const void *key, const void *base, size_t n, size_t size, void *cmp)', crt.symbol('bsearch'));
      const missing = () => {
        throw new Error('not in the Windows C runtime');
      };
      return {
        qsort: (base: bigint, n: number, size: number, cmp: bigint) => qsort.call(base, BigInt(n), BigInt(size), cmp),
        bsearch: (key: bigint, base: bigint, n: number, size: number, cmp: bigint) => bsearch.call(key, base, BigInt(n), BigInt(size), cmp),
        tsearch: missing, tfind: missing, twalk: missing, tdestroy: missing, nftw: missing,
      };
    })()
  : (() => {
      const libc = koffi.load('libc.so.6');
      return {
        qsort: libc.func('void qsort(void *base, size_t n, size_t size, void *cmp)'),
        bsearch: libc.func('void *bsearch(const void *key, const void *base, size_t n, size_t size, void *cmp)'),
        tsearch: libc.func('void *tsearch(const void *key, void *rootp, void *cmp)'),
        tfind: libc.func('void *tfind(const void *key, void *rootp, void *cmp)'),
        twalk: libc.func('void twalk(const void *root, void *action)'),
        tdestroy: libc.func('void tdestroy(void *root, void *freeNode)'),
        nftw: libc.func('int nftw(const char *dir, void *fn, int nopenfd, int flags)'),
      };
    })();

const seed = runSeed();
const rng = new Prng(seed);
const S = `(CFFI_SEED=${seed})`;

const allocations: bigint[] = [];
function alloc(size: number): bigint {
  const p = memory.alloc(size);
  allocations.push(p);
  return p;
}
after(() => allocations.forEach((p) => memory.free(p)));

function ptrOf(k: unknown): bigint {
  return k === null || k === undefined ? 0n : BigInt(k as bigint);
}
const readI32 = (p: bigint) => memory.read(p, 4).readInt32LE(0);
const readPtr = (p: bigint) => memory.read(p, 8).readBigUInt64LE(0);

function randomInts(n: number): Int32Array {
  const a = new Int32Array(n);
  for (let i = 0; i < n; i++) a[i] = rng.chance(0.2) ? rng.int(10) - 5 : rng.u32() | 0;
  return a;
}

describe('qsort', () => {
  test(`sorts 2000 int32 values with a BareFn comparator (${VIA} calls qsort)`, () => {
    const values = randomInts(2000);
    const base = alloc(values.byteLength);
    memory.write(base, values);
    let calls = 0;
    const cmp = new BareFn('int (const void *a, const void *b)', (a: bigint, b: bigint) => {
      calls++;
      const x = readI32(a);
      const y = readI32(b);
      return x < y ? -1 : x > y ? 1 : 0;
    });
    try {
      k.qsort(base, values.length, 4, cmp.bare());
    } finally {
      cmp.dispose();
    }
    const sorted = new Int32Array(memory.read(base, values.byteLength).buffer.slice(0));
    const want = Int32Array.from(values).sort();
    assert.deepEqual(Array.from(sorted), Array.from(want), `qsort result ${S}`);
    assert.ok(calls >= values.length - 1, `comparator called ${calls} times`);
  });

  test('sorts C strings (an array of char *) by strcmp order', () => {
    const words = Array.from({ length: 300 }, () => {
      const len = rng.int(12);
      return Array.from({ length: len }, () => String.fromCharCode(33 + rng.int(94))).join('');
    });
    const strings = words.map((w) => {
      const bytes = Buffer.from(w + '\0', 'utf8');
      const p = alloc(bytes.length);
      memory.write(p, bytes);
      return p;
    });
    const array = alloc(8 * strings.length);
    memory.write(array, new BigUint64Array(strings));
    const cmp = new BareFn('int (const void *, const void *)', (a: bigint, b: bigint) =>
      Buffer.compare(Buffer.from(memory.readCString(readPtr(a))!), Buffer.from(memory.readCString(readPtr(b))!)),
    );
    try {
      k.qsort(array, strings.length, 8, cmp.bare());
    } finally {
      cmp.dispose();
    }
    const out = Array.from(new BigUint64Array(memory.read(array, 8 * strings.length).buffer.slice(0)), (p) =>
      memory.readCString(p),
    );
    const want = [...words].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)));
    assert.deepEqual(out, want, `sorted strings ${S}`);
  });

  test('qsort called through closure-ffi FnPtr (double, descending)', () => {
    const qsort = new FnPtr('void (void *base, size_t n, size_t size, void *cmp)', loadLibrary().symbol('qsort'));
    const values = Float64Array.from({ length: 500 }, () => (rng.u32() - 2 ** 31) / 1024);
    values[0] = -0;
    values[1] = Infinity;
    values[2] = -Infinity;
    const base = alloc(values.byteLength);
    memory.write(base, values);
    const read = (p: bigint) => memory.read(p, 8).readDoubleLE(0);
    const cmp = new BareFn('int (const void *, const void *)', (a: bigint, b: bigint) => {
      const x = read(a);
      const y = read(b);
      return x < y ? 1 : x > y ? -1 : 0;
    });
    try {
      qsort.call(base, BigInt(values.length), 8n, cmp.bare());
    } finally {
      cmp.dispose();
    }
    const sorted = Array.from(new Float64Array(memory.read(base, values.byteLength).buffer.slice(0)));
    for (let i = 1; i < sorted.length; i++) assert.ok(sorted[i - 1] >= sorted[i], `descending at ${i} ${S}`);
    assert.equal(sorted[0], Infinity);
    assert.equal(sorted[sorted.length - 1], -Infinity);
    assert.deepEqual([...sorted].sort((a, b) => a - b), Array.from(values).sort((a, b) => a - b), 'same multiset');
  });
});

describe('bsearch', () => {
  test('finds every present key and reports absent ones as NULL', () => {
    const values = Int32Array.from(new Set(Array.from(randomInts(500)))).sort();
    const base = alloc(values.byteLength);
    memory.write(base, values);
    const key = alloc(4);
    const cmp = new BareFn('int (const void *key, const void *elem)', (a: bigint, b: bigint) => {
      const x = readI32(a);
      const y = readI32(b);
      return x < y ? -1 : x > y ? 1 : 0;
    });
    try {
      for (let i = 0; i < values.length; i += 7) {
        memory.write(key, Int32Array.of(values[i]));
        const found = ptrOf(k.bsearch(key, base, values.length, 4, cmp.bare()));
        assert.equal(found, base + BigInt(4 * i), `bsearch(${values[i]}) ${S}`);
      }
      const present = new Set(values);
      let absent = 0;
      for (const v of randomInts(50)) {
        if (present.has(v)) continue;
        absent++;
        memory.write(key, Int32Array.of(v));
        assert.equal(ptrOf(k.bsearch(key, base, values.length, 4, cmp.bare())), 0n, `bsearch(${v}) absent ${S}`);
      }
      assert.ok(absent > 0);
    } finally {
      cmp.dispose();
    }
  });
});

describe('lsearch, lfind', () => {
  test('appends absent keys, finds present ones, through an element count in memory', () => {
    // POSIX: lsearch(key, base, size_t *nmemb, size_t size, cmp); Windows: _lsearch with an
    // unsigned int count and width.
    const [prefix, count] = ON_WINDOWS ? ['_', 'unsigned int'] : ['', 'size_t'];
    const crt = loadLibrary();
    const sig: string = `void *(const void *key, void *base, void *nmemb, ${count} size, void *cmp)`;
    const lsearch = new FnPtr(sig, crt.symbol(`${prefix}lsearch`));
    const lfind = new FnPtr(sig, crt.symbol(`${prefix}lfind`));
    const size = ON_WINDOWS ? 4 : 4n;
    const readCount = (p: bigint) => (ON_WINDOWS ? memory.read(p, 4).readUInt32LE(0) : Number(memory.read(p, 8).readBigUInt64LE(0)));
    const keys = Array.from(new Set(Array.from(randomInts(60))));
    const base = alloc(4 * (keys.length + 1));
    const nmemb = alloc(8);
    memory.write(nmemb, new BigUint64Array([0n]));
    const key = alloc(4);
    let calls = 0;
    const cmp = new BareFn('int (const void *, const void *)', (a: bigint, b: bigint) => (calls++, readI32(a) === readI32(b) ? 0 : 1));
    try {
      for (const [i, v] of keys.entries()) {
        memory.write(key, Int32Array.of(v));
        assert.equal(ptrOf(lfind.call(key, base, nmemb, size, cmp.bare())), 0n, `lfind(${v}) before it is added ${S}`);
        assert.equal(ptrOf(lsearch.call(key, base, nmemb, size, cmp.bare())), base + BigInt(4 * i), `lsearch(${v}) appends ${S}`);
        assert.equal(readCount(nmemb), i + 1);
      }
      for (const [i, v] of keys.entries()) {
        memory.write(key, Int32Array.of(v));
        assert.equal(ptrOf(lsearch.call(key, base, nmemb, size, cmp.bare())), base + BigInt(4 * i), `lsearch(${v}) finds ${S}`);
      }
      assert.equal(readCount(nmemb), keys.length, 'present keys are not appended again');
      assert.deepEqual(Array.from(new Int32Array(memory.read(base, 4 * keys.length).buffer.slice(0))), keys);
      assert.ok(calls >= keys.length * (keys.length - 1), `comparator called ${calls} times`);
    } finally {
      cmp.dispose();
    }
  });
});

describe('tsearch, tfind, twalk, tdestroy', () => {
  test('builds a tree, walks it in order with depth and VISIT, destroys it', { skip: notOnWindows('no tsearch/twalk/tdestroy in the Windows C runtime (POSIX <search.h>)') }, () => {
    const keys = Array.from(new Set(Array.from(randomInts(200))));
    const keyPtrs = new Map<bigint, number>();
    const rootp = alloc(8); // void *root = NULL
    const cmp = new BareFn('int (const void *, const void *)', (a: bigint, b: bigint) => {
      const x = readI32(a);
      const y = readI32(b);
      return x < y ? -1 : x > y ? 1 : 0;
    });
    // VISIT is an enum (int): preorder 0, postorder 1, endorder 2, leaf 3
    const visits: { key: number; which: number; depth: number }[] = [];
    const action = new BareFn('void (const void *nodep, int which, int depth)', (nodep: bigint, which: number, depth: number) => {
      visits.push({ key: readI32(readPtr(nodep)), which, depth });
    });
    const freed: number[] = [];
    const freeNode = new BareFn('void (void *key)', (p: bigint) => void freed.push(readI32(p)));
    try {
      for (const v of keys) {
        const p = alloc(4);
        memory.write(p, Int32Array.of(v));
        keyPtrs.set(p, v);
        const node = ptrOf(k.tsearch(p, rootp, cmp.bare()));
        assert.notEqual(node, 0n);
        assert.equal(readPtr(node), p, 'a new node points at the inserted key');
      }
      // a duplicate insert returns the existing node
      const dup = alloc(4);
      memory.write(dup, Int32Array.of(keys[0]));
      const existing = ptrOf(k.tsearch(dup, rootp, cmp.bare()));
      assert.equal(keyPtrs.get(readPtr(existing)), keys[0]);
      assert.notEqual(readPtr(existing), dup);
      // tfind
      const found = ptrOf(k.tfind(dup, rootp, cmp.bare()));
      assert.equal(found, existing);

      k.twalk(readPtr(rootp), action.bare());
      const inOrder = visits.filter((v) => v.which === 1 || v.which === 3).map((v) => v.key);
      assert.deepEqual(inOrder, [...keys].sort((a, b) => a - b), `in-order walk ${S}`);
      assert.equal(visits.filter((v) => v.which === 3).length + 3 * visits.filter((v) => v.which === 0).length, visits.length,
        'internal nodes are visited 3 times, leaves once');
      assert.deepEqual(new Set(visits.map((v) => v.which)), new Set([0, 1, 2, 3]));
      assert.equal(Math.min(...visits.map((v) => v.depth)), 0, 'the root has depth 0');
      assert.ok(Math.max(...visits.map((v) => v.depth)) <= 2 * Math.log2(keys.length + 1) + 1, 'balanced (red-black) depth');

      k.tdestroy(readPtr(rootp), freeNode.bare());
      assert.deepEqual(freed.sort((a, b) => a - b), [...keys].sort((a, b) => a - b), 'tdestroy frees each key once');
    } finally {
      cmp.dispose();
      action.dispose();
      freeNode.dispose();
    }
  });
});

describe('nftw', () => {
  const skip = notOnWindows('no nftw in the Windows C runtime (POSIX <ftw.h>)');
  const root = mkdtempSync(join(tmpdir(), 'cffi-nftw-'));
  after(() => rmSync(root, { recursive: true, force: true }));
  const files = new Map<string, number>(); // relative path -> size
  const dirs = ['', 'a', join('a', 'b'), join('a', 'b', 'c'), 'd', join('d', 'empty')];
  for (const d of dirs) mkdirSync(join(root, d), { recursive: true });
  for (const [i, f] of ['f0.txt', join('a', 'f1'), join('a', 'b', 'f2'), join('a', 'b', 'c', 'f3.bin'), join('d', 'f4')].entries()) {
    const content = 'x'.repeat(i * 100 + 7);
    writeFileSync(join(root, f), content);
    files.set(f, content.length);
  }
  // struct stat's layout and the <ftw.h> constants differ between CPUs (st_mode is at 24 on
  // x86-64 glibc, at 16 on AArch64): asked of the C compiler rather than written down.
  const layout = skip ? { call: (_: number) => 0 } : new FnPtr('long (int)', loadLibrary(compileSharedLibrary('libc-nftw-layout', `
#define _GNU_SOURCE
#include <ftw.h>
#include <stddef.h>
#include <sys/stat.h>
long nftw_layout(int i) {
  static const long v[] = { FTW_F, FTW_D, FTW_DP, FTW_PHYS, FTW_DEPTH, offsetof(struct stat, st_mode),
    offsetof(struct stat, st_size), sizeof(struct stat), S_IFMT, S_IFDIR, S_IFREG, sizeof(struct FTW),
    offsetof(struct FTW, base), offsetof(struct FTW, level) };
  return v[i];
}
`)).symbol('nftw_layout'));
  const [FTW_F, FTW_D, FTW_DP, FTW_PHYS, FTW_DEPTH, ST_MODE, ST_SIZE, STAT_SIZE, S_IFMT, S_IFDIR, S_IFREG, FTW_SIZE, FTW_BASE, FTW_LEVEL] =
    Array.from({ length: 14 }, (_, i) => Number(layout.call(i)));

  type Seen = { path: string; typeflag: number; level: number; base: number; size: bigint; mode: number };
  function visitor(seen: Seen[], stopAt?: string) {
    return new BareFn(
      'int (const char *fpath, const struct stat *sb, int typeflag, struct FTW *ftwbuf)',
      (fpath: bigint, sb: bigint, typeflag: number, ftwbuf: bigint) => {
        const path = memory.readCString(fpath)!;
        const ftw = memory.read(ftwbuf, FTW_SIZE); // struct FTW { int base; int level; }
        const st = memory.read(sb, STAT_SIZE);
        seen.push({
          path,
          typeflag,
          base: ftw.readInt32LE(FTW_BASE),
          level: ftw.readInt32LE(FTW_LEVEL),
          size: st.readBigInt64LE(ST_SIZE),
          mode: st.readUInt32LE(ST_MODE),
        });
        return stopAt !== undefined && path.endsWith(stopAt) ? 42 : 0;
      },
    );
  }

  function checkWalk(seen: Seen[], depthFirst: boolean) {
    const rel = (p: string) => relative(root, p);
    assert.deepEqual(new Set(seen.map((s) => rel(s.path))), new Set([...dirs, ...files.keys()]), 'every path exactly once');
    assert.equal(seen.length, dirs.length + files.size);
    for (const s of seen) {
      const r = rel(s.path);
      const isDir = dirs.includes(r);
      assert.equal(s.typeflag, isDir ? (depthFirst ? FTW_DP : FTW_D) : FTW_F, `typeflag of ${r}`);
      assert.equal(s.level, r === '' ? 0 : r.split(sep).length, `FTW level of ${r}`);
      assert.equal(s.path.slice(s.base), r === '' ? s.path.slice(s.path.lastIndexOf('/') + 1) : r.split(sep).pop(), `FTW base of ${r}`);
      assert.equal(s.mode & S_IFMT, isDir ? S_IFDIR : S_IFREG, `st_mode of ${r}`);
      if (!isDir) assert.equal(s.size, BigInt(files.get(r)!), `st_size of ${r}`);
    }
    const order = seen.map((s) => rel(s.path));
    for (const d of dirs) {
      const inside = order.filter((p) => d === '' ? p !== '' : p.startsWith(d + sep));
      for (const p of inside) {
        const parentFirst = order.indexOf(d) < order.indexOf(p);
        assert.equal(parentFirst, !depthFirst, `${depthFirst ? 'FTW_DEPTH: contents before' : 'directory before'} ${d || '.'} / ${p}`);
      }
    }
  }

  test('walks a directory tree (pre-order), via koffi', { skip }, () => {
    const seen: Seen[] = [];
    const fn = visitor(seen);
    try {
      assert.equal(k.nftw(root, fn.bare(), 8, FTW_PHYS), 0);
    } finally {
      fn.dispose();
    }
    checkWalk(seen, false);
  });

  test('walks it depth-first (FTW_DEPTH) via closure-ffi FnPtr, and a non-zero return stops the walk', { skip }, () => {
    const nftw = new FnPtr('int (const char *dir, void *fn, int nopenfd, int flags)', loadLibrary().symbol('nftw'));
    const dir = Buffer.from(root + '\0');
    const dirp = alloc(dir.length);
    memory.write(dirp, dir);
    const seen: Seen[] = [];
    const fn = visitor(seen);
    try {
      assert.equal(nftw.call(dirp, fn.bare(), 8, FTW_PHYS | FTW_DEPTH), 0);
    } finally {
      fn.dispose();
    }
    checkWalk(seen, true);

    const partial: Seen[] = [];
    const stopper = visitor(partial, 'f2');
    try {
      assert.equal(nftw.call(dirp, stopper.bare(), 8, FTW_PHYS), 42, "nftw returns the callback's non-zero value");
    } finally {
      stopper.dispose();
    }
    assert.ok(partial.length < seen.length, 'the walk stopped early');
    assert.ok(partial[partial.length - 1].path.endsWith('f2'));
  });
});
