/**
 * `callAfterReturn(fnPtr, ...args)`: leaving a callback through a C function that does not
 * return (Lua's `lua_error`, libpng's `png_error`, `longjmp` itself), safely.
 *
 * Such a function jumps to a `setjmp` further up the native stack. Called from the closure
 * (`luaError.call(L)`), the jump would skip the closure's JS frames, which V8 cannot
 * survive; the bridge detects that and aborts (native/jumps.c). Staged with
 * callAfterReturn, the call is made by the thunk itself once the closure has returned and
 * its JS frames are gone, so the jump crosses native frames only.
 *
 * How: the arguments are checked and written exactly as for `fnPtr.call(...args)`, but the
 * frame is copied to the arena's staging frame instead of being run, and header word 2
 * names the closure's frame depth; the bridge takes the staged call when that closure's
 * call ends (see native/jumps.c).
 */
import { AfterReturnError } from './errors';
import { stagerOf } from './fn-ptr';
import type { FnPtr } from './fn-ptr';
import { FRAME, FRAME_STATUS_INBOUND, FRAME_WORDS, HEADER_AFTER_RETURN_U32, HEADER_WORDS, views } from './native/arena';
import { bridge } from './native/bridge';
import type { SignatureSpec } from './signature';
import type { GivenArgsOf } from './signature/typelevel';

const { u32, u64 } = views;
const STAGING_BASE = HEADER_WORDS + bridge.STAGING_FRAME * FRAME_WORDS;

/**
 * Run by the generated caller in place of the native call: the frame it claimed (depth
 * u32[0] - 1) goes to the staging frame, tagged with that depth, which is one more than the
 * depth of the closure's own inbound frame (the tag the bridge compares).
 */
function stageClaimedFrame(): void {
  const claimed = u32[0]! - 1;
  const b = HEADER_WORDS + claimed * FRAME_WORDS;
  u64.copyWithin(STAGING_BASE, b, b + FRAME_WORDS);
  u32[HEADER_AFTER_RETURN_U32] = claimed;
  u32[HEADER_AFTER_RETURN_U32 + 1] = 0;
}

/** Why a call cannot be staged now, or undefined: the innermost frame must be a closure called on this thread. */
function refusal(): string | undefined {
  const depth = u32[0]!;
  if (depth === 0) return 'it was called outside a callback (only a closure that native code is running can stage a call)';
  const b = HEADER_WORDS + (depth - 1) * FRAME_WORDS;
  if (u32[(b + FRAME.status) * 2] !== FRAME_STATUS_INBOUND)
    return 'it was called outside a callback (only a closure that native code is running can stage a call)';
  if (u32[(b + FRAME.thread) * 2] !== 0 || u32[(b + FRAME.thread) * 2 + 1] !== 0)
    return 'this callback was called from another thread (a Sync thunk): the jump would have to happen on that thread';
  if (u32[HEADER_AFTER_RETURN_U32] !== 0)
    return 'a call is already staged (by this closure, or by an enclosing one that is still running)';
  return undefined;
}

/**
 * Asks the running thunk to call `fn(...args)` after the closure has returned, in its
 * place, and then to return the closure's result to its caller if `fn` returns at all.
 * Meant for C functions that leave by `longjmp` and must not be called while JS frames are
 * on the stack: Lua's `lua_error(L)`, libpng's `png_error(png, msg)`, `longjmp(env, 1)`.
 *
 * The arguments are checked now, like `fn.call(...args)` (errors name them); C strings
 * and `va_list`s cannot be staged (pass a bigint pointer to memory that stays valid). One
 * staged call per closure, and only from a closure native code called on its own JS thread
 * (not a Sync thunk's call from another thread): otherwise an `AfterReturnError`
 * (`ERR_AFTER_RETURN`). Calling native code after staging is allowed; the staged call is
 * still made last.
 *
 * @example
 * ```ts
 * // A Lua C function written in JS: raise a Lua error the way C code does, but from the thunk.
 * const luaError = new FnPtr('int lua_error(void *L)', lua.symbol('lua_error'));
 * const checked = new BareFn('int (void *L)', (L) => {
 *   if (!valid(L)) return callAfterReturn(luaError, L), 0;
 *   return 1;
 * });
 * ```
 */
export function callAfterReturn<const S extends SignatureSpec>(fn: FnPtr<S>, ...args: GivenArgsOf<S>): void {
  const why = refusal();
  if (why !== undefined) throw new AfterReturnError(`callAfterReturn(): ${why}`);
  const stage = stagerOf(fn, stageClaimedFrame);
  if (typeof stage === 'string') throw new AfterReturnError(`callAfterReturn(): the first argument must be a FnPtr; ${stage}`);
  stage(...args);
}
