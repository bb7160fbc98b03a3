import { InvalidOptionError } from '../errors';

/**
 * Target data models: the one table of size, alignment and signedness facts for C's
 * built-in types. Everything else in the signature layer asks this table, so supporting a
 * new target is adding a row here.
 */

/** Names of the data models closure-ffi knows. */
export type DataModelName = 'lp64-x64' | 'lp64-arm64' | 'ilp32-x86' | 'ilp32-arm';

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
  /** Is `wchar_t` signed? (x86-64 Linux: `int`; i386 Linux: `long`; ARM Linux: `unsigned int`.) */
  readonly wcharSigned: boolean;
  readonly short: SizeAlign;
  readonly int: SizeAlign;
  readonly long: SizeAlign;
  readonly longLong: SizeAlign;
  /** Pointers, `size_t`, `ssize_t`, `ptrdiff_t`, `intptr_t`, `uintptr_t`. */
  readonly pointer: SizeAlign;
  /** `int64_t`, `uint64_t`, `intmax_t`, `off64_t`. */
  readonly int64: SizeAlign;
  /** `off_t` (glibc default, without `_FILE_OFFSET_BITS=64`). */
  readonly offT: SizeAlign;
  readonly wchar: SizeAlign;
  readonly float: SizeAlign;
  readonly double: SizeAlign;
}

const s = (size: SizeAlign['size'], align: SizeAlign['align'] = size): SizeAlign => ({ size, align });

/** Every supported data model, by name. */
export const DATA_MODELS: Readonly<Record<DataModelName, TargetDataModel>> = Object.freeze({
  'lp64-x64': Object.freeze({
    name: 'lp64-x64', charSigned: true, wcharSigned: true,
    short: s(2), int: s(4), long: s(8), longLong: s(8), pointer: s(8), int64: s(8), offT: s(8),
    wchar: s(4), float: s(4), double: s(8),
  }),
  'lp64-arm64': Object.freeze({
    name: 'lp64-arm64', charSigned: false, wcharSigned: false,
    short: s(2), int: s(4), long: s(8), longLong: s(8), pointer: s(8), int64: s(8), offT: s(8),
    wchar: s(4), float: s(4), double: s(8),
  }),
  'ilp32-x86': Object.freeze({
    name: 'ilp32-x86', charSigned: true, wcharSigned: true,
    short: s(2), int: s(4), long: s(4), longLong: s(8, 4), pointer: s(4), int64: s(8, 4), offT: s(4),
    wchar: s(4), float: s(4), double: s(8, 4),
  }),
  'ilp32-arm': Object.freeze({
    name: 'ilp32-arm', charSigned: false, wcharSigned: false,
    short: s(2), int: s(4), long: s(4), longLong: s(8), pointer: s(4), int64: s(8), offT: s(4),
    wchar: s(4), float: s(4), double: s(8),
  }),
});

/** The data model of the running process (from `process.arch`); x86-64 when unknown. */
export function defaultDataModel(): TargetDataModel {
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
