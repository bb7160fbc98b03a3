/**
 * The memory map of this process, the same on every OS the tests run on: on Linux from
 * /proc/self/maps; on Windows from a small DLL (test/c/process_maps.c) that walks the
 * address space with VirtualQuery and reports the committed regions.
 */
import { readFileSync } from 'node:fs';
import { FnPtr, loadLibrary } from '../../src/index';
import { compileTestLibrary } from './cc';
import { ON_WINDOWS } from './platform';

export interface Mapping {
  /** First address. */
  lo: bigint;
  /** One past the last address. */
  hi: bigint;
  /**
   * What the current protection allows, as `rwx` with `-` for what it does not: 'r-x',
   * 'rw-', 'rwx'. Windows' copy-on-write protections count as writable (a write succeeds),
   * so PAGE_EXECUTE_WRITECOPY is 'rwx'.
   */
  perms: string;
  /**
   * What backs it: on Linux the path column of /proc/self/maps ('' when anonymous, or
   * '[heap]', '[stack]', a file); on Windows the file of the module an image region belongs
   * to, '' otherwise.
   */
  name: string;
  /**
   * Windows only: a region of a loaded executable or DLL (MEM_IMAGE), a view of a section
   * (MEM_MAPPED: the views of a dual mapping), or VirtualAlloc'ed memory (MEM_PRIVATE).
   */
  kind?: 'image' | 'mapped' | 'private';
  /** Windows only: where the allocation it is part of starts (a view, a VirtualAlloc block). */
  allocationBase?: bigint;
  /** Windows only: the region's PAGE_* protection as VirtualQuery gives it (modifiers such as PAGE_GUARD included). */
  protect?: number;
}

/** Every mapping of this process (Windows: every committed region), lowest address first. */
export function processMaps(): Mapping[] {
  return ON_WINDOWS ? windowsMaps() : linuxMaps();
}

/** The mapping that holds `addr`, if any. */
export function mappingOf(addr: bigint): Mapping | undefined {
  return processMaps().find((m) => addr >= m.lo && addr < m.hi);
}

/** Is the mapping writable and executable at once? */
export function isWritableAndExecutable(m: Mapping): boolean {
  return m.perms[1] === 'w' && m.perms[2] === 'x';
}

/** One line per mapping, for messages: `lo-hi perms kind name`. */
export function describeMapping(m: Mapping): string {
  return `${m.lo.toString(16)}-${m.hi.toString(16)} ${m.perms}${m.kind ? ` ${m.kind}` : ''}${m.name ? ` ${m.name}` : ''}`;
}

function linuxMaps(): Mapping[] {
  return readFileSync('/proc/self/maps', 'utf8')
    .trim()
    .split('\n')
    .map((line) => {
      // lo-hi perms offset dev inode [path]
      const m = /^([0-9a-f]+)-([0-9a-f]+) (\S{4}) \S+ \S+ \S+ *(.*)$/.exec(line);
      if (!m) throw new Error(`unexpected line in /proc/self/maps: ${line}`);
      return { lo: BigInt('0x' + m[1]), hi: BigInt('0x' + m[2]), perms: m[3]!.slice(0, 3), name: m[4]! };
    });
}

// Bits of the info word process_maps.c reports.
const MAP_R = 1n, MAP_W = 2n, MAP_X = 4n, MAP_IMAGE = 16n, MAP_MAPPED = 32n;

function bindWindows() {
  const lib = loadLibrary(compileTestLibrary('process_maps.c'));
  return {
    maps: new FnPtr('int (uint64_t *, int)', lib.symbol('process_maps')),
    moduleFile: new FnPtr('int (uint64_t, char *, int)', lib.symbol('module_file')),
  };
}
let windowsLib: ReturnType<typeof bindWindows> | undefined;

function windowsMaps(): Mapping[] {
  const win = (windowsLib ??= bindWindows());
  let words = new BigUint64Array(4 * 4096);
  let n = win.maps.call(words, words.length / 4) as number;
  while (n > words.length / 4) {
    words = new BigUint64Array(4 * (n + 256)); // regions may come and go between the two walks
    n = win.maps.call(words, words.length / 4) as number;
  }
  const names = new Map<bigint, string>();
  const nameBuf = Buffer.alloc(4096);
  const out: Mapping[] = [];
  for (let i = 0; i < n; i++) {
    const [lo, hi, info, base] = [words[4 * i]!, words[4 * i + 1]!, words[4 * i + 2]!, words[4 * i + 3]!];
    const protect = Number(info >> 32n);
    const kind = info & MAP_IMAGE ? 'image' : info & MAP_MAPPED ? 'mapped' : 'private';
    let name = '';
    if (kind === 'image') {
      if (!names.has(base)) {
        const len = win.moduleFile.call(base, nameBuf, nameBuf.length) as number;
        names.set(base, nameBuf.toString('utf8', 0, len));
      }
      name = names.get(base)!;
    }
    const perms = `${info & MAP_R ? 'r' : '-'}${info & MAP_W ? 'w' : '-'}${info & MAP_X ? 'x' : '-'}`;
    out.push({ lo, hi, perms, name, kind, allocationBase: base, protect });
  }
  return out;
}
