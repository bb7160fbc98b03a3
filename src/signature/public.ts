/** What the package root exports from the signature layer. */
export { callConventions as cc } from './calling-conventions';
export type { CallConvName } from './calling-conventions';
export type {
  ScalarKind, ScalarType, CType, JsValueType, AggregateType, StructType, UnionType, ArrayType, FieldLayout, FieldSpecs,
} from './ctype';
export type { Signature, SignatureDescriptor, SignatureSpec, TypeSpec } from './signature';
export { types } from './type-names';
export { TypeDefinitionError } from './type-definition-error';
export type { ClosureOf, ArgsOf, GivenArgsOf, GivenOf, ReturnOf, VaList, JsTypeOf, LooseClosure, JsMemory, HasAddress } from './typelevel';
export { struct, union, array, sizeof, alignof, offsetof, type AggregateOptions, type MemberPath } from './aggregate';
export { cstring } from './cstring-type';
