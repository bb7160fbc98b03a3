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
 *
 * Windows x64 (`llp64-x64`) follows the Microsoft headers (UCRT, Windows SDK) instead, in
 * {@link WINDOWS_X64}: where glibc's base type would get the size or signedness wrong
 * there, the name has Microsoft's base type, and a name those headers do not define (most
 * of POSIX's) is refused when lowered rather than guessed, since mingw-w64 disagrees with
 * glibc about some of them (`pid_t` is a 64-bit integer there).
 */
import { NO_QUALS, type TypeNode } from './ast';
import type { TargetDataModel } from './data-model';

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

/** The Windows x64 headers' own base type, or (a string) why they have no such name. */
type WindowsTypedef = TypeNode | string;

const POSIX_ONLY = 'a POSIX type the Microsoft C runtime does not define';

/**
 * How the names differ on Windows x64 (`llp64-x64`); a name not listed has glibc's base
 * type, which gives Microsoft's size and signedness there: `clock_t` and `off_t` are
 * `long` (4 bytes) in both, `int_fast16_t`/`int_fast32_t` are `long` in glibc and `int` in
 * MSVC's <stdint.h> (4 bytes, signed), `sig_atomic_t` is `int`. Where Microsoft's type
 * is narrower than glibc's and of another kind (`ino_t` is `unsigned short`, `dev_t`
 * `unsigned int`), the name is refused rather than given either silently.
 */
const WINDOWS_X64: ReadonlyMap<string, WindowsTypedef> = new Map<string, WindowsTypedef>([
  // <corecrt.h>: `__time64_t`, an `__int64` (4-byte `long` would truncate it).
  ['time_t', builtin('long long')],
  // <corecrt.h>: a UTF-16 unit, like `wchar_t`.
  ['wint_t', builtin('unsigned short')],
  // <ws2tcpip.h>: signed.
  ['socklen_t', builtin('int')],
  // <sys/types.h> has them, but narrower than glibc's.
  ['ino_t', "the Microsoft C runtime's is an 'unsigned short'"],
  ['dev_t', "the Microsoft C runtime's is an 'unsigned int'"],
  // Not in the Microsoft headers; mingw-w64 makes `pid_t` an `__int64` and `mode_t` an `unsigned short`.
  ...['suseconds_t', 'blkcnt_t', 'fsblkcnt_t', 'fsfilcnt_t', 'rlim_t', 'pthread_t', 'ino64_t', 'blkcnt64_t',
    'loff_t', 'pid_t', 'id_t', 'uid_t', 'gid_t', 'mode_t', 'useconds_t', 'key_t', 'clockid_t',
    'in_addr_t', 'in_port_t', 'sa_family_t'].map((n): [string, WindowsTypedef] => [n, POSIX_ONLY]),
]);

/** The base type of header typedef `name`, or `undefined` when `name` is not one. */
export function headerTypedef(name: string): TypeNode | undefined {
  return HEADER_TYPEDEFS.get(name);
}

/**
 * Header typedef `name` on `model`: its base type there, or `{ missing }` (why that
 * target's C library has no such type); `undefined` when `name` is not a header typedef.
 */
export function headerTypedefOn(name: string, model: TargetDataModel): TypeNode | { readonly missing: string } | undefined {
  const glibc = HEADER_TYPEDEFS.get(name);
  if (glibc === undefined || model.name !== 'llp64-x64') return glibc;
  const win = WINDOWS_X64.get(name);
  if (win === undefined) return glibc;
  return typeof win === 'string' ? { missing: win } : win;
}

/** Every built-in header typedef name (for docs and tests). */
export const HEADER_TYPEDEF_NAMES: readonly string[] = Object.freeze([...HEADER_TYPEDEFS.keys()]);
