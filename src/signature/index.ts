/** The C signature layer: types, prototype parser, typedef registry, type-level signatures. */
export type {
  ScalarKind, ScalarType, CType, JsValueType, AggregateType, StructType, UnionType, ArrayType, FieldLayout, FieldSpecs,
} from './ctype';
export { isCType, isAggregate, isCString, isVaList } from './ctype';
export type { CallConvName } from './calling-conventions';
export { callConventions, callConventions as cc, isCallConvName } from './calling-conventions';
export type { DataModelName, TargetDataModel, SizeAlign } from './data-model';
export { DATA_MODELS, defaultDataModel, getDataModel } from './data-model';
export type { Signature, SignatureDescriptor, SignatureSpec, TypeSpec } from './signature';
export { parsePrototype, resolveSignature, resolveType, type DataModelOption } from './resolve';
export { types } from './type-names';
export { TypeDefinitionError } from './type-definition-error';
export type { ClosureOf, ArgsOf, GivenArgsOf, GivenOf, ReturnOf, VaList, JsTypeOf, LooseClosure } from './typelevel';
