/**
 * Typed-array views of the frame arena shared with the native bridge.
 *
 * Inbound and outbound calls each push one frame; JS reads arguments and writes
 * results through these views instead of creating N-API values per argument.
 * Offsets below are in 64-bit words and mirror native/bridge.h.
 */
import { bridge } from './bridge';

export const FRAME_WORDS = bridge.FRAME_WORDS;
export const HEADER_WORDS = bridge.HEADER_WORDS;
export const ARG_WORDS = bridge.ARG_WORDS;
export const RET_WORDS = bridge.RET_WORDS;
export const MAX_STACK_WORDS = bridge.MAX_STACK_WORDS;

/** Word offsets inside a frame (native/bridge.h, read from the bridge). */
export const FRAME = {
  /** Inbound: the thunk's context. Outbound: the address of the function to call. */
  ctx: bridge.FRAME_CTX,
  status: bridge.FRAME_STATUS,
  args: bridge.FRAME_ARGS,
  ret: bridge.FRAME_RET,
  stackPtr: bridge.FRAME_STACK_PTR,
  thread: bridge.FRAME_THREAD,
  stub: bridge.FRAME_STUB,
  stack: bridge.FRAME_STACK,
} as const;

/** Frame words only the bridge writes: STATUS_INBOUND while an inbound call runs in the frame. */
export const FRAME_STATUS_INBOUND = bridge.STATUS_INBOUND;
/** Header word 2 (as a u32 index): the frame depth whose closure staged a call with callAfterReturn(). */
export const HEADER_AFTER_RETURN_U32 = bridge.HEADER_AFTER_RETURN * 2;
/** Header word 1 (as a u32 index): the mode of the next outbound call, consumed by the bridge. */
export const HEADER_CALL_MODE_U32 = bridge.HEADER_CALL_MODE * 2;
export const CALL_SERVICED = bridge.CALL_SERVICED;

const buffer = bridge.arena;

/** One view per element type, all over the same arena; index = byteOffset / elementSize. */
export const views = {
  u8: new Uint8Array(buffer),
  i8: new Int8Array(buffer),
  u16: new Uint16Array(buffer),
  i16: new Int16Array(buffer),
  u32: new Uint32Array(buffer),
  i32: new Int32Array(buffer),
  f32: new Float32Array(buffer),
  f64: new Float64Array(buffer),
  u64: new BigUint64Array(buffer),
  i64: new BigInt64Array(buffer),
};
export type ArenaViews = typeof views;

