/**
 * closure-ffi: JavaScript closures as context-free native function pointers.
 * See docs/architecture.md for how it is built and README.md for a tour.
 */
export {
  BareFn,
  BareFnMut,
  BareFnOnce,
  BareFnSync,
  BareFnMutSync,
  BareFnOnceSync,
  UntypedBareFn,
  type BareFnOptions,
  type BareFnSyncOptions,
  type OnErrorPolicy,
} from './bare-fn';
export { FnPtr, type FnPtrOptions, type FunctionAddress } from './fn-ptr';
export { callAfterReturn } from './after-return';
export { thunkFactory } from './thunk-factory';
export { defaultJitAlloc, setGlobalJitAlloc, type JitAlloc, type JitBlock } from './jit/jit-alloc';
export { loadLibrary, NativeLibrary, type LoadLibraryOptions } from './library';
export { memory } from './memory';
export { OutParam } from './out-param';
export { jitStats, type JitStats } from './stats';
export { entryKind } from './runtime/thunk-table';
export * from './errors';
export * from './signature/public';
export { decode, encode } from './runtime/memory-codec';
export { internedStrings } from './runtime/cstrings';
