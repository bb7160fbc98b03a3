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

/** Word offsets inside a frame. */
export const FRAME = {
  ctx: 0,
  status: 1,
  args: 2,
  ret: 2 + bridge.ARG_WORDS,
  stackPtr: 2 + bridge.ARG_WORDS + bridge.RET_WORDS,
  thread: 35,
  stub: 36,
  stack: 40,
} as const;

/** Frame words only the bridge writes: STATUS_INBOUND while an inbound call runs in the frame. */
export const FRAME_STATUS_INBOUND = 1;
/** Header word 2 (as a u32 index): the frame depth whose closure staged a call with callAfterReturn(). */
export const HEADER_AFTER_RETURN_U32 = 4;
/** Header word 1 (as a u32 index): the mode of the next outbound call, consumed by the bridge. */
export const HEADER_CALL_MODE_U32 = 2;
export const CALL_SERVICED = 1;

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

