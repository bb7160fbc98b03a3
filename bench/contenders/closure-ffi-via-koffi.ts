/**
 * closure-ffi's thunks, with the C drivers called through koffi instead of closure-ffi's
 * FnPtr: koffi runs native code on a stack of its own, so every callback arrives on a
 * foreign stack and is moved onto the JS thread's own (see native/foreign_stack.c). This is
 * the cost for a user who keeps koffi for outbound calls and uses closure-ffi for callbacks.
 */
process.env.BENCH_CFFI_OUTBOUND = 'koffi';
// eslint-disable-next-line @typescript-eslint/no-require-imports
require('./closure-ffi');
