import { InvalidOptionError } from '../errors';

/**
 * Target data models: the one table of size, alignment and signedness facts for C's
 * built-in types. Everything else in the signature layer asks this table, so supporting a
 * new target is adding a row here.
 *
 * - `lp64-x64`, `lp64-arm64`: Linux (System V / AAPCS64): `long` and pointers are 8 bytes.
 * - `llp64-x64`: Windows x64 with Microsoft's ABI, which node.exe and MSVC-built DLLs use:
 *   `long` stays 4 bytes (only `long long` and pointers are 8), `wchar_t` is a 2-byte
 *   unsigned UTF-16 unit, `off_t` is MSVC's `long`, `long double` is `double`.
 * - `ilp32-x86`, `ilp32-arm`: 32-bit Linux (i386 System V, ARM EABI).
 */

/** Names of the data models closure-ffi knows. */
export type DataModelName = 'lp64-x64' | 'lp64-arm64' | 'llp64-x64' | 'ilp32-x86' | 'ilp32-arm';

/** Size and alignment (bytes) of one C type on a target. */
export interface SizeAlign {
  readonly size: 1 | 2 | 4 | 8;
  readonly align: 1 | 2 | 4 | 8;
}

/**
 * Size, alignment and signedness facts for one target ABI.
 *
 * Alignments are the ABI (in-struct) alignments: on i386 System V, `long long` and
 * `double` are 4-aligned inside structs and on the stack.
 */
export interface TargetDataModel {
  readonly name: DataModelName;
  /** Is plain `char` signed? (x86: yes; ARM: no.) */
  readonly charSigned: boolean;
  /** Is `wchar_t` signed? (x86-64 Linux: `int`; i386 Linux: `long`; ARM Linux: `unsigned int`; Windows: `unsigned short`.) */
  readonly wcharSigned: boolean;
  readonly short: SizeAlign;
  readonly int: SizeAlign;
  readonly long: SizeAlign;
  readonly longLong: SizeAlign;
  /**
   * Pointers, `size_t`, `ssize_t`, `ptrdiff_t`, `intptr_t`, `uintptr_t` (on Windows,
   * `ssize_t` is the Windows SDK's `SSIZE_T`, a pointer-sized `LONG_PTR`).
   */
  readonly pointer: SizeAlign;
  /** `int64_t`, `uint64_t`, `intmax_t`, `off64_t`. */
  readonly int64: SizeAlign;
  /** `off_t` (glibc default, without `_FILE_OFFSET_BITS=64`; the Microsoft C runtime: `long`). */
  readonly offT: SizeAlign;
  readonly wchar: SizeAlign;
  readonly float: SizeAlign;
  readonly double: SizeAlign;
  /**
   * Is `long double` the same type as `double`? Only with Microsoft's ABI (MSVC makes it
   * an 8-byte `double`, passed and returned like one); this follows the platform ABI, not
   * mingw-w64's GCC, whose 16-byte x87 `long double` MSVC-built code never sees. Elsewhere
   * it is an x87 80-bit or IEEE 128-bit type with no JS value, and refused. Absent: false.
   */
  readonly longDoubleIsDouble?: boolean;
}

const s = (size: SizeAlign['size'], align: SizeAlign['align'] = size): SizeAlign => ({ size, align });

/** Every supported data model, by name. */
export const DATA_MODELS: Readonly<Record<DataModelName, TargetDataModel>> = Object.freeze({
  'lp64-x64': Object.freeze({
    name: 'lp64-x64', charSigned: true, wcharSigned: true,
    short: s(2), int: s(4), long: s(8), longLong: s(8), pointer: s(8), int64: s(8), offT: s(8),
    wchar: s(4), float: s(4), double: s(8), longDoubleIsDouble: false,
  }),
  'lp64-arm64': Object.freeze({
    name: 'lp64-arm64', charSigned: false, wcharSigned: false,
    short: s(2), int: s(4), long: s(8), longLong: s(8), pointer: s(8), int64: s(8), offT: s(8),
    wchar: s(4), float: s(4), double: s(8), longDoubleIsDouble: false,
  }),
  // Windows x64 (MSVC, the UCRT and the Windows SDK headers): LLP64, so `long`,
  // `unsigned long` and MSVC's `off_t` (`long`) are 4 bytes; `wchar_t` is `unsigned short`.
  'llp64-x64': Object.freeze({
    name: 'llp64-x64', charSigned: true, wcharSigned: false,
    short: s(2), int: s(4), long: s(4), longLong: s(8), pointer: s(8), int64: s(8), offT: s(4),
    wchar: s(2), float: s(4), double: s(8), longDoubleIsDouble: true,
  }),
  'ilp32-x86': Object.freeze({
    name: 'ilp32-x86', charSigned: true, wcharSigned: true,
    short: s(2), int: s(4), long: s(4), longLong: s(8, 4), pointer: s(4), int64: s(8, 4), offT: s(4),
    wchar: s(4), float: s(4), double: s(8, 4), longDoubleIsDouble: false,
  }),
  'ilp32-arm': Object.freeze({
    name: 'ilp32-arm', charSigned: false, wcharSigned: false,
    short: s(2), int: s(4), long: s(4), longLong: s(8), pointer: s(4), int64: s(8), offT: s(4),
    wchar: s(4), float: s(4), double: s(8), longDoubleIsDouble: false,
  }),
});

/**
 * The data model of the running process: from `process.arch`, and on x86-64 from
 * `process.platform` too (Windows is LLP64, `llp64-x64`); `lp64-x64` when unknown.
 */
export function defaultDataModel(): TargetDataModel {
  if (process.platform === 'win32' && process.arch === 'x64') return DATA_MODELS['llp64-x64'];
  switch (process.arch) {
    case 'arm64': return DATA_MODELS['lp64-arm64'];
    case 'ia32': return DATA_MODELS['ilp32-x86'];
    case 'arm': return DATA_MODELS['ilp32-arm'];
    default: return DATA_MODELS['lp64-x64'];
  }
}

/** Accepts a model or a model name; `undefined` means {@link defaultDataModel}. */
export function getDataModel(model?: TargetDataModel | DataModelName): TargetDataModel {
  if (model === undefined) return defaultDataModel();
  if (typeof model === 'string') {
    const m = (DATA_MODELS as Record<string, TargetDataModel | undefined>)[model];
    if (m === undefined) throw new InvalidOptionError(`unknown data model '${model}'; expected one of ${Object.keys(DATA_MODELS).join(', ')}`);
    return m;
  }
  return model;
}
