/** Finding native functions: dlopen/dlsym through the bridge. */
import { bridge } from './native/bridge';
import { ArgumentTypeError, ClosureFfiError, InvalidOptionError, UnsupportedPlatformError, describeValue } from './errors';

/**
 * How {@link loadLibrary} opens a library: dlopen flags as booleans. Every option
 * defaults to `false`, which gives `RTLD_NOW | RTLD_LOCAL`: all symbols bound at load
 * (a missing one fails now, not at the first call), none made visible to later loads.
 */
export interface LoadLibraryOptions {
  /**
   * `RTLD_DEEPBIND` (as koffi's `deep`): the library's own calls prefer its own symbols
   * and dependencies over those already in the process. Needed for a library that Node
   * also carries a copy of (zlib, OpenSSL, libuv ...): without it, the library's internal
   * calls bind to Node's copy, which may be another version with other struct layouts.
   */
  readonly deep?: boolean;
  /** `RTLD_GLOBAL`: its symbols resolve references of libraries loaded later (plug-in hosts, Python-style extension loading). */
  readonly global?: boolean;
  /** `RTLD_LAZY`: bind functions at their first call instead of at load (faster to open; a missing symbol aborts at that call). */
  readonly lazy?: boolean;
  /** `RTLD_NODELETE`: never unmap the library, even after `close()` (for libraries that leave threads or atexit handlers behind). */
  readonly nodelete?: boolean;
}

/** Option name → its bit in the bridge's dlopen argument (native/library.c has the same numbers). */
const OPTION_BITS: Readonly<Record<keyof LoadLibraryOptions, number>> = { deep: 1, global: 2, lazy: 4, nodelete: 8 };

/** The option bits of `options`; unknown names and non-boolean values are refused (a typo must not load differently). */
function optionBits(options: unknown): number {
  if (options === undefined) return 0;
  if (typeof options !== 'object' || options === null || Array.isArray(options))
    throw new InvalidOptionError(`loadLibrary options must be an object like { deep: true }, got ${describeValue(options)}`);
  let bits = 0;
  for (const [name, value] of Object.entries(options)) {
    if (!Object.prototype.hasOwnProperty.call(OPTION_BITS, name))
      throw new InvalidOptionError(`unknown loadLibrary option '${name}'; expected ${Object.keys(OPTION_BITS).join(', ')}`);
    if (value === undefined) continue;
    if (typeof value !== 'boolean') throw new InvalidOptionError(`loadLibrary option '${name}' must be a boolean, got ${describeValue(value)}`);
    if (value) bits |= OPTION_BITS[name as keyof LoadLibraryOptions];
  }
  return bits;
}


/**
 * `s` as a C string argument: C stops at the first NUL byte, so 'libc.so.6\0junk' would
 * silently open libc.so.6 (and 'abs\0x' find abs). Such strings are refused instead.
 */
function checkCName(s: unknown, what: string): void {
  if (typeof s !== 'string') throw new ArgumentTypeError(`${what} must be a string, got ${describeValue(s)}`);
  const nul = s.indexOf('\0');
  if (nul >= 0)
    throw new ArgumentTypeError(`${what} ${JSON.stringify(s)} contains a NUL byte (at index ${nul}); C would see only ${JSON.stringify(s.slice(0, nul))}`);
}

/** A loaded shared library (or the running program's own symbols). */
export class NativeLibrary {
  private handle: bigint;

  constructor(readonly path: string | null, options?: LoadLibraryOptions) {
    if (path !== null) checkCName(path, 'library path');
    const bits = optionBits(options);
    try {
      this.handle = bridge.dlopen(path, bits);
    } catch (e) {
      if ((e as { code?: unknown }).code === 'ERR_UNSUPPORTED_PLATFORM') throw new UnsupportedPlatformError(`loadLibrary: ${(e as Error).message}`);
      throw e;
    }
  }

  /** Address of `name`; throws when the symbol does not exist, ERR_ARG_TYPE when it holds a NUL byte. */
  symbol(name: string): bigint {
    checkCName(name, 'symbol name');
    if (this.handle === 0n && this.path !== null) throw new ClosureFfiError('ERR_LIBRARY_CLOSED', `library ${this.path} was closed`);
    const p = bridge.dlsym(this.handle, name);
    if (p === 0n) throw new ClosureFfiError('ERR_SYMBOL_NOT_FOUND', `symbol '${name}' not found in ${this.path ?? 'the running program'}`);
    return p;
  }

  close(): void {
    if (this.handle !== 0n && this.path !== null) bridge.dlclose(this.handle);
    this.handle = 0n;
  }
}

/**
 * Opens a shared library; without a path (or `null`), the running program and its loaded
 * libraries (libc included). `options` sets dlopen's flags (see {@link LoadLibraryOptions};
 * the default is `RTLD_NOW | RTLD_LOCAL`).
 *
 * A path that is not a string or holds a NUL byte throws {@link ArgumentTypeError}
 * (`ERR_ARG_TYPE`); an unknown option name or a non-boolean value
 * {@link InvalidOptionError} (`ERR_INVALID_OPTION`); a flag the C library does not have
 * (`RTLD_DEEPBIND` on musl) {@link UnsupportedPlatformError}; a library that cannot be
 * opened, an error with code `ERR_DLOPEN` and dlerror()'s message.
 *
 * @example
 * ```ts
 * const qsort = loadLibrary().symbol('qsort');
 * // A library Node also carries (zlib): bind its internal calls to its own symbols.
 * const zlib = loadLibrary('libz.so.1', { deep: true });
 * ```
 */
export function loadLibrary(path?: string | null, options?: LoadLibraryOptions): NativeLibrary {
  return new NativeLibrary(path ?? null, options);
}
