/*
 * Calls that were answered with zero without running (refused, dropped, or failed before
 * the closure), told to the JS thread so the thunk's onError hears of each: queued here by
 * any thread, delivered on the JS thread.
 */
#include "bridge.h"
#include <stdlib.h>
#include <string.h>

/* Why a call got zero, as the end of a sentence that names the thunk and the caller. */
static const char *explain(const char *why) {
  if (!strcmp(why, "wrong-thread")) return "it is not Sync, so only its own JS thread may run it";
  if (!strcmp(why, "timeout")) return "it is Sync, and its JS thread did not take the call within timeoutMs";
  if (!strcmp(why, "realm-gone")) return "its JS environment has ended (its Worker, or the process, is exiting)";
  if (!strcmp(why, "too-deep")) return "it was nested inside too many calls (native -> JS -> native ...) to get a frame";
  if (!strcmp(why, "queue-full")) return "its queue of fire-and-forget calls was full (maxQueued), so the call was dropped";
  if (!strcmp(why, "js-failed")) return "JS threw before the closure could run (the JS stack was nearly exhausted)";
  if (!strcmp(why, "foreign-stack"))
    return "it arrived on another FFI's private stack, and moving JS onto the thread's own stack needs the V8-direct "
           "accelerator, which this runtime cannot use";
  return "its JS thread is shutting down";
}

int cffi_queue_report_locked(cffi_realm *r, uint64_t ctx, long tid, const char *why) {
  int ok = r->alive && r->sync_tsfn;
  cffi_report *rep = ok ? malloc(sizeof *rep) : NULL;
  if (rep) {
    rep->ctx = ctx;
    rep->tid = tid;
    rep->why = why;
    cffi_report **tail = &r->reports;
    while (*tail) tail = &(*tail)->next;
    rep->next = NULL;
    *tail = rep;
    ok = cffi_wake_js_locked(r);
  }
  return rep != NULL && ok;
}

/* Queues a report for the JS thread; 0 if the JS thread can no longer be reached. */
int cffi_queue_report(cffi_realm *r, uint64_t ctx, long tid, const char *why) {
  cffi_mutex_lock(&r->sync_lock);
  int ok = cffi_queue_report_locked(r, ctx, tid, why);
  cffi_mutex_unlock(&r->sync_lock);
  return ok;
}

/* Tells the thunk's JS thread that a call from thread tid (0 = the JS thread) got the zero value (see sync_calls.c). */
void cffi_report_foreign(cffi_realm *r, uint64_t ctx, long tid, const char *why) {
  char name[256];
  if (CFFI_CTX_FLAGS(ctx) & CFFI_FLAG_ABORT_ON_ERROR)
    cffi_fatal("%s was called from thread %ld and could not run: %s; aborting (onError: 'abort')",
               cffi_thunk_name(r, ctx, name, sizeof name), tid, explain(why));
  /* JS can no longer be told (its environment is going away): say so once, so that a flood
     of such calls cannot use up the realm's messages before the ones that matter more. */
  if (!cffi_queue_report(r, ctx, tid, why) && !cffi_exchange_int(&r->unreported_said, 1))
    cffi_warn(r, "%s was called from thread %ld and got zero: %s (later calls that cannot be reported either get zero "
              "silently)", cffi_thunk_name(r, ctx, name, sizeof name), tid, explain(why));
}

/*
 * Runs on the JS thread: hands one report to the JS reporter, or prints it if there is
 * none. The reporter handles its own errors; should it throw anyway, the error becomes an
 * uncaught exception and the next report is still delivered.
 */
static void deliver_report(napi_env env, cffi_realm *r, uint64_t ctx, long tid, const char *why, uint32_t count) {
  if (!r->foreign_reporter) {
    char name[256];
    cffi_warn(r, "%s was called from thread %ld and got zero: %s", cffi_thunk_name(r, ctx, name, sizeof name), tid,
              explain(why));
    return;
  }
  napi_handle_scope scope;
  napi_open_handle_scope(env, &scope);
  napi_value fn, recv, args[4], result;
  napi_get_reference_value(env, r->foreign_reporter, &fn);
  napi_get_undefined(env, &recv);
  napi_create_bigint_uint64(env, ctx, &args[0]);
  napi_create_int64(env, tid, &args[1]);
  napi_create_string_utf8(env, why, NAPI_AUTO_LENGTH, &args[2]);
  napi_create_uint32(env, count, &args[3]);
  if (napi_call_function(env, recv, fn, 4, args, &result) != napi_ok) {
    bool pending = false;
    napi_value exc;
    if (napi_is_exception_pending(env, &pending) == napi_ok && pending &&
        napi_get_and_clear_last_exception(env, &exc) == napi_ok)
      napi_fatal_exception(env, exc);
  }
  napi_close_handle_scope(env, scope);
}

void cffi_deliver_reports(napi_env env, cffi_realm *r) {
  cffi_mutex_lock(&r->sync_lock);
  cffi_report *rep = r->reports;
  r->reports = NULL;
  cffi_mutex_unlock(&r->sync_lock);
  while (rep) {
    cffi_report *next = rep->next;
    uint32_t count = 1;
    if (!strcmp(rep->why, "queue-full")) {
      /* One report stands for every call of this thunk dropped since the last one. */
      cffi_mutex_lock(&r->sync_lock);
      cffi_sync_slot *slot = cffi_sync_slot_of(r, rep->ctx);
      if (slot) {
        count = slot->dropped;
        slot->dropped = 0;
      }
      cffi_mutex_unlock(&r->sync_lock);
    }
    if (count) deliver_report(env, r, rep->ctx, rep->tid, rep->why, count);
    free(rep);
    rep = next;
  }
}

static void keep_function(napi_env env, napi_value fn, napi_ref *ref) {
  if (*ref) napi_delete_reference(env, *ref);
  *ref = NULL;
  napi_valuetype t;
  if (napi_typeof(env, fn, &t) == napi_ok && t == napi_function) napi_create_reference(env, fn, 1, ref);
}

/*
 * setForeignReporter(report, resume): report(ctx: bigint, tid: number, why: string,
 * count: number) is told about calls that got zero (count > 1: that many dropped calls);
 * resume() is called when a wake-up left calls queued, and must serve them
 * (drainForeignCalls) after the event loop's turn.
 */
static napi_value js_set_foreign_reporter(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 2) return cffi_throw(env, "ERR_ARG_TYPE", "setForeignReporter(report, resume): two functions");
  cffi_realm *r;
  napi_get_instance_data(env, (void **)&r);
  keep_function(env, argv[0], &r->foreign_reporter);
  keep_function(env, argv[1], &r->foreign_resumer);
  return NULL;
}

void cffi_init_reports(napi_env env, napi_value exports) {
  cffi_export(env, exports, "setForeignReporter", js_set_foreign_reporter);
}
