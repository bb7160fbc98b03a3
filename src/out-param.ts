/**
 * Out- and in/out-parameters: a place for a C function to write a result (`int *out`,
 * `char **endptr`, `struct stat *buf`), as `memory.out(type)`.
 *
 * An `OutParam` is a small zero-filled native allocation of `sizeof(type)` bytes with a
 * typed `value` (decoded on each read, so it shows what C wrote last). It has `bare()`,
 * so it is passed as the pointer itself (`strtol.call(s, end, 10)`; the TypeScript type of
 * data pointer parameters takes it), and it is freed
 * explicitly (`free()`, or `using`); it is not garbage-collected, because C may have kept
 * the pointer. Like koffi's `[null]` out arrays, but typed, and usable for in/out values
 * (set `value` before the call).
 */
import { DisposedError } from './errors';
import { decode, encode } from './runtime/memory-codec';
import { bridge } from './native/bridge';
import type { TypeSpec } from './signature';
import { resolveFieldType } from './signature/resolve';
import type { JsTypeOf } from './signature/typelevel';

/**
 * A native place for one C value of type `T`, for out- and in/out-parameters.
 *
 * @example
 * ```ts
 * const strtol = new FnPtr('long strtol(const char *, char **endptr, int base)', libc.symbol('strtol'));
 * using end = memory.out('char *');
 * strtol.call(text, end, 10);         // 42n, for native memory `text` holding '42abc'
 * memory.string(end.value);           // 'abc'
 * ```
 */
export class OutParam<T> {
  #ptr: bigint;
  /** The C type's name, for messages. */
  readonly typeName: string;
  /** Size in bytes of the place. */
  readonly size: number;
  readonly #type: TypeSpec;

  /** Use {@link out} (`memory.out`). */
  constructor(type: TypeSpec, initial?: T) {
    const t = resolveFieldType(type, 'memory.out(type)');
    this.#type = type;
    this.typeName = t.name;
    this.size = t.size;
    this.#ptr = bridge.malloc(t.size); // zero-filled
    if (initial !== undefined) {
      try {
        encode(this.#ptr, type, initial as never);
      } catch (e) {
        this.free();
        throw e;
      }
    }
  }

  /** The address of the place (what a pointer parameter receives). */
  bare(): bigint {
    if (this.#ptr === 0n) throw new DisposedError(`memory.out(${this.typeName}) was used after free()`);
    return this.#ptr;
  }

  /** The value there now (decoded at each read). */
  get value(): T {
    return decode(this.bare(), this.#type) as T;
  }

  /** Stores a value there (for in/out parameters). */
  set value(v: T) {
    encode(this.bare(), this.#type, v as never);
  }

  /** Frees the place; idempotent. The pointer must no longer be used by C. */
  free(): void {
    if (this.#ptr !== 0n) {
      bridge.free(this.#ptr);
      this.#ptr = 0n;
    }
  }

  /** `using p = memory.out(...)` frees it at the end of the block. */
  [Symbol.dispose](): void {
    this.free();
  }
}

/**
 * A zero-filled place for a C value of `type` (optionally holding `initial`), to pass
 * where C writes a result; see {@link OutParam}.
 *
 * @example
 * ```ts
 * using n = memory.out('int32_t');
 * sscanf.call('17', '%d', 'void *', n);
 * n.value;   // 17
 * ```
 */
export function out<const T extends TypeSpec>(type: T, initial?: JsTypeOf<T>): OutParam<JsTypeOf<T>> {
  return new OutParam<JsTypeOf<T>>(type, initial);
}
