/** Finding native functions: dlopen/dlsym through the bridge. */
import { bridge } from './runtime/bridge';
import { ClosureFfiError } from './errors';

/** A loaded shared library (or the running program's own symbols). */
export class NativeLibrary {
  private handle: bigint;

  constructor(readonly path: string | null) {
    this.handle = bridge.dlopen(path);
  }

  /** Address of `name`; throws when the symbol does not exist. */
  symbol(name: string): bigint {
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
 * Opens a shared library; without a path, the running program and its loaded libraries (libc included).
 *
 * @example
 * ```ts
 * const qsort = loadLibrary().symbol('qsort');
 * ```
 */
export function loadLibrary(path?: string): NativeLibrary {
  return new NativeLibrary(path ?? null);
}
