/*
 * Callbacks that C leaves with longjmp (Lua's lua_error, libpng's png_error, libjpeg's
 * error_exit): a safe way out, and detection of the unsafe one.
 *
 * Why it matters: a longjmp out of a callback while the closure's JS frames are on the
 * stack skips them, but V8 still believes they exist (its chain of entry frames, handle
 * scopes, the stack guard). Nothing fails at once; the next stack walk (a GC, an
 * exception) follows dangling frame pointers and loops or crashes: "hangs after ~64
 * errors" in issue 16.
 *
 * The way out: the closure stages a native call (callAfterReturn() in JS writes an
 * outbound frame with its arguments, copies it to the staging frame after the last
 * regular one, and puts the depth of its own frame in header word CFFI_HEADER_AFTER_RETURN
 * instead of running it). When the closure has returned, cffi_enter_on_js_thread takes the
 * staged call, and cffi_enter makes it as its very last act, after restoring errno and
 * leaving any reserved stack: the frames between the jump and its setjmp are then the
 * entry stub and cffi_enter only, which own nothing that must be undone.
 *
 * Detection: every frame records, while its call runs, the native stack position of the
 * C function that runs it (an inbound call: cffi_enter_on_js_thread; an outbound one:
 * callNative), and clears it when the call ends. Two things then prove a jump:
 *  - a callback entering at or above the recorded position of the innermost frame still in
 *    use: that frame's call cannot be running below us, so the stack was unwound past it;
 *  - a native call (callNative) returning while frames above its own are still claimed:
 *    a callback under it never returned.
 * Either aborts with a message naming the cause and the fix, instead of the later hang.
 * A jump that lands deeper than the skipped frames and never returns through callNative
 * (a library driven by another FFI) may escape the first test; the second catches every
 * jump under an FnPtr call, the usual shape (JS -> lua_pcall -> callback).
 */
#include "bridge.h"
#include <stdio.h>

typedef void (*call_stub_fn)(uint64_t *frame);

/* The staged call taken for the innermost cffi_enter on this thread (a realm has one JS thread). */
static CFFI_THREAD_LOCAL uint64_t *after_return;

/* Positions are comparable only on the JS thread's own stack (not another FFI's, not a reserved region elsewhere). */
static int on_thread_stack(const cffi_realm *r, uintptr_t p) {
  return p >= r->stack_lo && p < r->stack_hi;
}

/* `skipped`: the depth of a frame whose call was jumped over; the callback named is the innermost inbound one at or below it. */
static CFFI_NORETURN void jumped_over(cffi_realm *r, uint64_t skipped, const char *seen) {
  char name[256];
  snprintf(name, sizeof name, "a callback");
  for (uint64_t d = skipped + 1; d-- > 0;) {
    uint64_t *f = cffi_frame_at(r, d);
    if (f[CFFI_FRAME_STATUS] != CFFI_STATUS_INBOUND) continue;
    char thunk[200];
    snprintf(name, sizeof name, "the callback %s", cffi_thunk_name(r, f[CFFI_FRAME_CTX], thunk, sizeof thunk));
    break;
  }
  cffi_fatal("native code jumped out of a callback with longjmp (or another non-local exit) and skipped its JS "
             "frames (those of %s; %s). JS cannot run on this thread once frames of its stack were "
             "skipped (V8 would hang or crash at its next stack walk), so the process aborts now. To leave a "
             "callback by longjmp (lua_error, png_error, ...), return from the closure and let the thunk make that "
             "call: callAfterReturn(fnPtr, ...args) (README: 'C libraries that longjmp').",
             name, seen);
}

void cffi_check_not_jumped_over(cffi_realm *r, uint64_t depth, uintptr_t here, uint64_t ctx) {
  uint64_t *inner = cffi_frame_at(r, depth - 1);
  uintptr_t was = (uintptr_t)inner[CFFI_FRAME_NATIVE_SP];
  if (CFFI_UNLIKELY(was != 0 && here >= was) && on_thread_stack(r, here) && on_thread_stack(r, was)) {
    char now[256], seen[400];
    snprintf(seen, sizeof seen, "detected when %s was then called from a point of the stack above them",
             cffi_thunk_name(r, ctx, now, sizeof now));
    jumped_over(r, depth - 1, seen);
  }
}

void cffi_check_call_returned(cffi_realm *r, uint64_t depth) {
  if (CFFI_LIKELY(r->arena[0] == depth)) return;
  if (r->arena[0] < depth) return; /* JS lowered the depth itself (it cannot be, but it is not a jump) */
  jumped_over(r, depth, "detected when the native call that led to it returned");
}

/* After the closure of the inbound call at `depth` returned: take the call it staged, if it is its own. */
void cffi_take_after_return(cffi_realm *r, uint64_t depth, long tid) {
  if (r->arena[CFFI_HEADER_AFTER_RETURN] != depth + 1) return; /* a deeper closure's, already taken, or none */
  r->arena[CFFI_HEADER_AFTER_RETURN] = 0;
  /* JS stages only for calls on this thread's own caller (tid 0): a Sync call's caller is
     another thread, whose stack this one cannot jump on. */
  if (tid == 0) after_return = cffi_frame_at(r, CFFI_STAGING_FRAME);
}

void cffi_run_after_return(void) {
  uint64_t *frame = after_return;
  if (CFFI_LIKELY(frame == NULL)) return;
  after_return = NULL;
  /* May not return (that is the point). If it does, the caller gets the closure's result,
     already in the register block. */
  ((call_stub_fn)(uintptr_t)frame[CFFI_FRAME_STUB])(frame);
}
