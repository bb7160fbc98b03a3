/*
 * Entering JS on the realm's own thread: push a frame with the call's registers and
 * stack words, run the dispatcher once (through the V8-direct accelerator or N-API), and
 * hand the result words back. Every inbound call that runs reaches JS through here: from a
 * native caller on the JS thread (enter.c) or from the queue of other threads' calls
 * (sync_calls.c).
 */
#include "bridge.h"
#include <string.h>

const cffi_v8_accelerator *cffi_accelerator;

/*
 * JS was entered but the dispatcher did not complete. `terminating`: the environment is
 * going away (a Worker being terminated) and refuses every call, so say it once. Otherwise
 * JS threw before the thunk's own error handling could run, which in practice means the
 * JS stack was exhausted when the call arrived: that is reported to the thunk's onError
 * like a refused call from another thread, once per call.
 */
static void dispatcher_failed(cffi_realm *r, uint64_t ctx, int terminating) {
  if (!terminating) {
    cffi_report_foreign(r, ctx, 0, "js-failed");
    return;
  }
  char name[256];
  cffi_thunk_name(r, ctx, name, sizeof name);
  if (CFFI_CTX_FLAGS(ctx) & CFFI_FLAG_ABORT_ON_ERROR)
    cffi_fatal("could not enter JS for %s: its JS environment is shutting down; aborting (onError: 'abort')", name);
  if (cffi_exchange_int(&r->enter_failure_reported, 1)) return;
  cffi_warn(r, "could not enter JS for %s: its JS environment is shutting down; the caller got zero (later calls "
            "that fail the same way get zero silently)", name);
}

/* Runs the dispatcher for the frame at the current depth; 0 if JS could not be entered. */
static int call_dispatcher(cffi_realm *r, uint64_t ctx) {
  if (r->v8_entry) {
    int status = cffi_accelerator->call(r->v8_entry);
    if (status != 0) dispatcher_failed(r, ctx, status == 2);
    return status == 0;
  }
  napi_env env = r->env;
  napi_handle_scope scope;
  napi_open_handle_scope(env, &scope);
  napi_value fn, recv, result;
  napi_get_reference_value(env, r->dispatcher, &fn);
  napi_get_undefined(env, &recv);
  napi_status st = napi_call_function(env, recv, fn, 0, NULL, &result);
  if (st != napi_ok) {
    napi_value exc;
    bool pending = false;
    napi_is_exception_pending(env, &pending);
    if (pending) napi_get_and_clear_last_exception(env, &exc);
    dispatcher_failed(r, ctx, st == napi_cannot_run_js);
  }
  napi_close_handle_scope(env, scope);
  return st == napi_ok;
}

/* The inbound call proper, on the realm's JS thread and on its own stack; tid names the native caller's thread (0 = this one). */
void cffi_enter_on_js_thread(cffi_realm *r, uint64_t ctx, uint64_t *regs, uint64_t *stack_args, long tid) {
  uint64_t depth = r->arena[0];
  if (depth >= CFFI_MAX_DEPTH) {
    cffi_zero_result(ctx, regs);
    cffi_report_foreign(r, ctx, tid, "too-deep");
    return;
  }
  uintptr_t here = CFFI_FRAME_ADDRESS();
  if (depth > 0) cffi_check_not_jumped_over(r, depth, here, ctx);
  uint64_t *frame = cffi_frame_at(r, depth);
  uint32_t stack_words = CFFI_CTX_STACK_WORDS(ctx);
  frame[CFFI_FRAME_CTX] = ctx;
  frame[CFFI_FRAME_STATUS] = CFFI_STATUS_INBOUND;
  frame[CFFI_FRAME_NATIVE_SP] = here;
  memcpy(frame + CFFI_FRAME_ARGS, regs, CFFI_ARG_WORDS * 8);
  /* The result words are not cleared here: the codec writes every word a result
     uses, and zeroes them itself whenever a call fails (onError). */
  frame[CFFI_FRAME_STACK_PTR] = (uint64_t)(uintptr_t)stack_args;
  frame[CFFI_FRAME_THREAD] = (uint64_t)tid;
  if (stack_words) memcpy(frame + CFFI_FRAME_STACK, stack_args, (size_t)stack_words * 8);
  r->arena[0] = depth + 1;
  int entered = call_dispatcher(r, ctx);
  r->arena[0] = depth;
  frame[CFFI_FRAME_STATUS] = 0;
  frame[CFFI_FRAME_NATIVE_SP] = 0;
  if (r->arena[CFFI_HEADER_AFTER_RETURN] != 0) cffi_take_after_return(r, depth, tid);
  if (entered) memcpy(regs + CFFI_ARG_WORDS, frame + CFFI_FRAME_RET, CFFI_RET_WORDS * 8);
  else cffi_zero_result(ctx, regs); /* JS never wrote a result: the frame holds an older call's words */
}
