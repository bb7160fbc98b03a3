/**
 * The typedefs of the C and POSIX headers that prototypes copied from real headers use
 * (`time_t`, `pid_t`, `FILE *`, `uint_fast8_t`, ...), built in so that such a prototype
 * parses without `types.define`.
 *
 * Each name is a typedef of a C base type, written the way glibc defines it, so its size
 * follows the data model (`time_t` is `long`: 8 bytes on LP64, 4 on ILP32). Names whose
 * base type differs between Linux CPUs in a way the data model does not capture
 * (`nlink_t`, `blksize_t`) are left out on purpose: a wrong size would be silent.
 * `FILE` and `DIR` are opaque: usable behind a pointer only.
 */
import { NO_QUALS, type TypeNode } from './ast';

const builtin = (name: string): TypeNode => Object.freeze({ k: 'builtin', name, quals: NO_QUALS });
const opaqueStruct = (tag: string): TypeNode => Object.freeze({ k: 'tag', tag: 'struct', name: tag, quals: NO_QUALS });

/** Header typedef name → the base type glibc gives it. */
const HEADER_TYPEDEFS: ReadonlyMap<string, TypeNode> = new Map<string, TypeNode>([
  // <stdio.h>, <dirent.h>: opaque handles.
  ['FILE', opaqueStruct('_IO_FILE')],
  ['DIR', opaqueStruct('__dirstream')],
  // <sys/types.h>, <time.h>: `long` on glibc (so 8 bytes on LP64, 4 on ILP32).
  ['time_t', builtin('long')],
  ['clock_t', builtin('long')],
  ['suseconds_t', builtin('long')],
  ['blkcnt_t', builtin('long')],
  ['ino_t', builtin('unsigned long')],
  ['fsblkcnt_t', builtin('unsigned long')],
  ['fsfilcnt_t', builtin('unsigned long')],
  ['rlim_t', builtin('unsigned long')],
  ['pthread_t', builtin('unsigned long')],
  ['dev_t', builtin('uint64_t')],
  ['ino64_t', builtin('uint64_t')],
  ['blkcnt64_t', builtin('int64_t')],
  ['loff_t', builtin('int64_t')],
  // 32-bit everywhere.
  ['pid_t', builtin('int')],
  ['id_t', builtin('unsigned int')],
  ['uid_t', builtin('unsigned int')],
  ['gid_t', builtin('unsigned int')],
  ['mode_t', builtin('unsigned int')],
  ['useconds_t', builtin('unsigned int')],
  ['key_t', builtin('int')],
  ['clockid_t', builtin('int')],
  ['sig_atomic_t', builtin('int')],
  ['wint_t', builtin('unsigned int')],
  ['socklen_t', builtin('unsigned int')],
  ['in_addr_t', builtin('uint32_t')],
  ['in_port_t', builtin('uint16_t')],
  ['sa_family_t', builtin('unsigned short')],
  // <stdint.h>: the least-width types are the exact-width ones on every Linux target...
  ['int_least8_t', builtin('signed char')],
  ['uint_least8_t', builtin('unsigned char')],
  ['int_least16_t', builtin('short')],
  ['uint_least16_t', builtin('unsigned short')],
  ['int_least32_t', builtin('int')],
  ['uint_least32_t', builtin('unsigned int')],
  ['int_least64_t', builtin('int64_t')],
  ['uint_least64_t', builtin('uint64_t')],
  // ...and glibc makes the 16- and 32-bit fast types a `long` (8 bytes on LP64).
  ['int_fast8_t', builtin('signed char')],
  ['uint_fast8_t', builtin('unsigned char')],
  ['int_fast16_t', builtin('long')],
  ['uint_fast16_t', builtin('unsigned long')],
  ['int_fast32_t', builtin('long')],
  ['uint_fast32_t', builtin('unsigned long')],
  ['int_fast64_t', builtin('int64_t')],
  ['uint_fast64_t', builtin('uint64_t')],
]);

/** The base type of header typedef `name`, or `undefined` when `name` is not one. */
export function headerTypedef(name: string): TypeNode | undefined {
  return HEADER_TYPEDEFS.get(name);
}

/** Every built-in header typedef name (for docs and tests). */
export const HEADER_TYPEDEF_NAMES: readonly string[] = Object.freeze([...HEADER_TYPEDEFS.keys()]);
