/**
 * Resolved function signatures and the descriptor-object form of a signature.
 */
import type { CType } from './ctype';
import type { CallConvName } from './calling-conventions';
import type { DataModelName } from './data-model';

/** A type: a C type name (`'uint16_t'`, `'const char *'`, a typedef) or a {@link CType} object. */
export type TypeSpec = string | CType;

/** A fully resolved function signature (frozen; shared through the signature cache). */
export interface Signature {
  readonly ret: CType;
  /** Fixed parameters (not the variadic tail). */
  readonly args: readonly CType[];
  /** Parameter names as written (`undefined` where the prototype gave none). */
  readonly argNames: readonly (string | undefined)[];
  /** As written in the prototype / descriptor; `undefined` = not specified (the platform default). */
  readonly cc: CallConvName | undefined;
  readonly variadic: boolean;
  /** Canonical text, e.g. `'int32_t (double, uint64_t)'`, `'int __stdcall (int)'`; used in messages. */
  readonly text: string;
  /** The data model the sizes were computed for. */
  readonly dataModel: DataModelName;
}

/** A signature as an object: `{ args: ['int32_t', 'double'], ret: 'double' }`. */
export interface SignatureDescriptor {
  readonly args: readonly TypeSpec[];
  /** Default `'void'`. */
  readonly ret?: TypeSpec;
  readonly cc?: CallConvName;
  /** `true`: the function takes `...` after the fixed `args` (at least one is required). */
  readonly variadic?: boolean;
  /**
   * `true`: `const char *` arguments and result are C strings: JS sees a `string` (UTF-8)
   * or `null` instead of a `bigint` address, exactly as if they were written `cstring`.
   * Other pointers (including `char *`) stay `bigint`.
   */
  readonly strings?: boolean;
}

/** A signature in either form: a C prototype string or a {@link SignatureDescriptor}. */
export type SignatureSpec = string | SignatureDescriptor;
