/**
 * closure-ffi: JavaScript closures as context-free native function pointers.
 * See DESIGN.md for the architecture and README.md for a tour.
 */
export { BareFn, BareFnMut, BareFnOnce, UntypedBareFn, type BareFnOptions, type OnErrorPolicy } from './bare-fn';
export { FnPtr, type FnPtrOptions, type FunctionAddress } from './fn-ptr';
export { defaultJitAlloc, setGlobalJitAlloc, type JitAlloc, type JitBlock } from './jit/jit-alloc';
export { loadLibrary, NativeLibrary } from './library';
export { memory } from './memory';
export { jitStats, type JitStats } from './stats';
export * from './errors';
export {
  cc,
  types,
  parsePrototype,
  resolveSignature,
  resolveType,
  type CallConvName,
  type CType,
  type ScalarKind,
  type ScalarType,
  type Signature,
  type SignatureDescriptor,
  type TypeSpec,
  type ClosureOf,
  type ArgsOf,
  type ReturnOf,
  type VaList,
  type SignatureSpec,
} from './signature';
