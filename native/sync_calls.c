/*
 * Calls from other native threads.
 *
 * A Sync thunk called on a foreign thread queues the call for its realm's JS
 * thread and blocks until JS has run it (or, for fire-and-forget void thunks,
 * returns at once with the arguments copied). The JS thread takes queued calls
 * in two places:
 *  - when its event loop is idle: a threadsafe function wakes it;
 *  - while it waits in a *serviced* outbound call: the native function runs on
 *    a helper thread and the JS thread serves callbacks until it returns. This
 *    is what keeps `pthread_join`-style waits from deadlocking.
 * Callbacks made by a serviced helper thread are run the same way even for
 * non-Sync thunks: the JS thread is waiting for that very thread, so they can
 * never run concurrently with JS.
 */
#include "bridge.h"
#include "os.h"
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { PENDING_QUEUED, PENDING_RUNNING, PENDING_DONE };

/*
 * A blocking caller sleeps on its call's state word rather than on a condition variable,
 * so the JS thread can release it the moment its call is done, without the realm's lock
 * and without the caller having to take that lock to wake up.
 */
static void state_wait(int *state, int seen, long ms) {
  cffi_os_wait_on_address(state, seen, ms);
}

/* Publishes DONE and wakes the caller. The caller may return as soon as it sees DONE (its
   call record lives on its stack), so the wake may reach a stale address: harmless for a
   futex, at worst a spurious wake-up of that thread's next wait, which re-checks. */
static void finish_pending(int *state) {
  cffi_store_int(state, PENDING_DONE);
  cffi_os_wake_address(state);
}

#define DEADLOCK_WARNING_MS 5000
#define REG_WORDS (CFFI_ARG_WORDS + CFFI_RET_WORDS)

typedef struct cffi_pending {
  struct cffi_pending *next;
  uint64_t ctx;
  long tid;
  int blocking;
  int state;              /* PENDING_*; a blocking caller sleeps on it as a futex */
  int cancelled;          /* released by teardown without running */
  uint64_t *stack_args;
  uint64_t regs[REG_WORDS];
  uint64_t stack_copy[];  /* fire-and-forget calls: the caller's stack words */
} cffi_pending;

static CFFI_THREAD_LOCAL const cffi_realm *serviced_realm; /* set on helper threads of serviced calls */

int cffi_is_serviced_helper(const cffi_realm *r) { return serviced_realm == r; }

static void enqueue(cffi_realm *r, cffi_pending *p) {
  p->next = NULL;
  if (r->queue_tail) r->queue_tail->next = p;
  else r->queue_head = p;
  r->queue_tail = p;
}

static int unlink_pending(cffi_realm *r, cffi_pending *p) {
  cffi_pending **link = &r->queue_head, *prev = NULL;
  for (; *link; prev = *link, link = &(*link)->next) {
    if (*link == p) {
      *link = p->next;
      if (r->queue_tail == p) r->queue_tail = prev;
      return 1;
    }
  }
  return 0;
}

/*
 * Runs queued calls, at most `limit`, on the JS thread; returns whether calls are left.
 * A call is taken from the queue under the lock, run without it, and its caller released
 * at once (no lock needed for that), so it can make its next call while JS runs the
 * others. Calls not taken yet stay in the queue, where their callers may still withdraw
 * them (timeoutMs). While a drain runs, callers that find the queue empty do not wake the
 * JS thread again: the drain looks at the queue once more before it stops.
 */
static int drain(cffi_realm *r, unsigned limit) {
  cffi_mutex_lock(&r->sync_lock);
  for (unsigned served = 0;; served++) {
    cffi_pending *p = r->queue_head;
    if (served >= limit) break; /* a call that came in after a yield below still counts */
    if (!p) {
      /* The callers just released usually call again at once: let them run before
         going back to sleep in the event loop. */
      cffi_mutex_unlock(&r->sync_lock);
      cffi_os_yield();
      cffi_mutex_lock(&r->sync_lock);
      if (!(p = r->queue_head)) break;
    }
    r->queue_head = p->next;
    if (!r->queue_head) r->queue_tail = NULL;
    cffi_store_int(&p->state, PENDING_RUNNING);
    if (!p->blocking) {
      cffi_sync_slot *slot = cffi_sync_slot_of(r, p->ctx);
      if (slot && slot->queued) slot->queued--;
    }
    cffi_mutex_unlock(&r->sync_lock);
    cffi_enter_on_js_thread(r, p->ctx, p->regs, p->stack_args, p->tid);
    if (p->blocking) finish_pending(&p->state); /* p may be gone after this */
    else free(p);
    cffi_mutex_lock(&r->sync_lock);
  }
  int more = r->queue_head != NULL;
  if (!more) r->wake_pending = 0; /* the next call into the empty queue wakes the JS thread again */
  cffi_mutex_unlock(&r->sync_lock);
  return more;
}

/* A wake-up (and each later turn, see registry.ts) serves at most this many calls, then
   lets the event loop run timers and I/O: threads that never stop calling must not starve
   the JS thread. */
#define CALLS_PER_TURN 1000

/*
 * Calls are still queued after a wake-up served its share: have JS serve the rest after
 * the event loop's turn. Their callers made no wake-up of their own (the queue was not
 * empty), so without a JS resumer the threadsafe function is woken again instead.
 */
static void resume_later(napi_env env, cffi_realm *r) {
  napi_value fn, recv, result;
  if (r->foreign_resumer && napi_get_reference_value(env, r->foreign_resumer, &fn) == napi_ok && fn &&
      napi_get_undefined(env, &recv) == napi_ok && napi_call_function(env, recv, fn, 0, NULL, &result) == napi_ok)
    return;
  cffi_mutex_lock(&r->sync_lock);
  r->wake_pending = 0;
  cffi_wake_js_locked(r);
  cffi_mutex_unlock(&r->sync_lock);
}

static void on_wake(napi_env env, napi_value js_cb, void *context, void *data) {
  if (!env) return;
  cffi_realm *r = context;
  if (drain(r, CALLS_PER_TURN)) resume_later(env, r);
  cffi_deliver_reports(env, context);
}

static void refuse(cffi_realm *r, uint64_t ctx, uint64_t *regs, long tid, const char *why) {
  cffi_zero_result(ctx, regs);
  cffi_report_foreign(r, ctx, tid, why);
}

void cffi_sync_call(cffi_realm *r, uint64_t ctx, uint64_t *regs, uint64_t *stack_args, long tid) {
  uint32_t flags = CFFI_CTX_FLAGS(ctx);
  uint32_t stack_words = CFFI_CTX_STACK_WORDS(ctx);
  int blocking = !(flags & CFFI_FLAG_NONBLOCKING) || cffi_is_serviced_helper(r);

  /* The process is exiting (told once, in closeForeignCalls()): answered without the lock,
     which exit's teardown needs while threads may keep calling in a tight loop. */
  if (cffi_load_int(&r->closing)) {
    cffi_add_ulong(&r->refused_at_exit, 1);
    cffi_zero_result(ctx, regs);
    return;
  }
  cffi_mutex_lock(&r->sync_lock);
  if (r->closing) {
    r->refused_at_exit++;
    cffi_mutex_unlock(&r->sync_lock);
    cffi_zero_result(ctx, regs);
    return;
  }
  if (!r->alive || !r->sync_tsfn) {
    cffi_mutex_unlock(&r->sync_lock);
    cffi_zero_result(ctx, regs);
    char name[256];
    cffi_thunk_name(r, ctx, name, sizeof name);
    if (flags & CFFI_FLAG_ABORT_ON_ERROR)
      cffi_fatal("%s was called from thread %ld after its JS environment ended; aborting", name, tid);
    cffi_warn(r, "%s was called from thread %ld after its JS environment ended; the caller got zero", name, tid);
    return;
  }

  cffi_sync_slot *slot = cffi_sync_slot_of(r, ctx);
  if (!blocking && slot && slot->queued >= slot->max_queued) {
    /* The thunk's queue is full: wait like a blocking caller, or drop the call and count it. */
    if (flags & CFFI_FLAG_WAIT_WHEN_FULL) {
      blocking = 1;
    } else {
      if (slot->dropped++ == 0) cffi_queue_report_locked(r, ctx, tid, "queue-full");
      cffi_mutex_unlock(&r->sync_lock);
      cffi_zero_result(ctx, regs);
      return;
    }
  }

  if (!blocking) {
    /* Fire and forget: copy what the call needs, then let the caller go. */
    cffi_pending *p = malloc(sizeof *p + (size_t)stack_words * 8);
    if (!p) {
      cffi_mutex_unlock(&r->sync_lock);
      cffi_zero_result(ctx, regs);
      char name[256];
      cffi_warn(r, "%s: no memory to queue a call from thread %ld; that call was dropped", cffi_thunk_name(r, ctx, name, sizeof name), tid);
      return;
    }
    p->ctx = ctx;
    p->tid = tid;
    p->blocking = 0;
    p->state = PENDING_QUEUED;
    memcpy(p->regs, regs, CFFI_ARG_WORDS * 8);
    memcpy(p->stack_copy, stack_args, (size_t)stack_words * 8);
    p->stack_args = p->stack_copy;
    if (slot) slot->queued++;
    enqueue(r, p);
    cffi_cond_broadcast(&r->sync_cv);
    cffi_wake_js_locked(r);
    cffi_mutex_unlock(&r->sync_lock);
    cffi_zero_result(ctx, regs);
    return;
  }

  cffi_pending p;
  p.ctx = ctx;
  p.tid = tid;
  p.blocking = 1;
  p.state = PENDING_QUEUED;
  p.cancelled = 0;
  p.stack_args = stack_args;
  memcpy(p.regs, regs, CFFI_ARG_WORDS * 8);
  /* Only a call into an empty queue wakes the JS thread (see wake_js_locked). */
  enqueue(r, &p);
  cffi_cond_broadcast(&r->sync_cv);
  /* Only Sync thunks have a timeout (a non-Sync one gets here from a serviced call's thread). */
  long timeout_ms = (flags & CFFI_FLAG_SYNC) && slot ? (long)slot->timeout_ms : 0;
  /* Woken under the lock: the threadsafe function's finalizer takes it too, so it cannot vanish meanwhile. */
  int woken = cffi_wake_js_locked(r);
  cffi_mutex_unlock(&r->sync_lock);

  long waited = 0; /* ms */
  int warned = 0;
  const char *gave_up = woken ? NULL : "js-closing";
  for (;;) {
    int state = cffi_load_int(&p.state);
    if (state == PENDING_DONE) break;
    if (!gave_up) {
      if (!cffi_load_int(&r->alive)) gave_up = "realm-gone";
      else if (timeout_ms > 0 && waited >= timeout_ms && state == PENDING_QUEUED) gave_up = "timeout";
    }
    if (gave_up) {
      /* Withdraw the call if JS has not taken it yet; once taken, its result is waited
         for (a drain always finishes what it took). */
      cffi_mutex_lock(&r->sync_lock);
      int withdrawn = p.state == PENDING_QUEUED && unlink_pending(r, &p);
      cffi_mutex_unlock(&r->sync_lock);
      if (withdrawn) break;
      gave_up = NULL;
    }
    /* Not taken for this long: the JS thread is blocked in a native call (ours, or another
       FFI's such as koffi) that may be waiting for this very thread, or busy in JS. */
    if (!warned && waited >= DEADLOCK_WARNING_MS && state == PENDING_QUEUED) {
      warned = 1;
      char name[256];
      cffi_warn(r,
                "thread %ld has waited %ld ms for %s, and the JS thread has not taken the call: it is %s. If that "
                "native call waits for this thread, this is a deadlock: make it with closure-ffi's FnPtr option "
                "{ serviceCallbacks: true } (also for a function another FFI calls now), or give the thunk a "
                "timeoutMs; if JS is busy, let it return to the event loop.",
                tid, waited, cffi_thunk_name(r, ctx, name, sizeof name),
                cffi_load_int(&r->native_depth) > 0
                    ? "blocked inside a native call made through FnPtr"
                    : "busy in JS, or blocked inside a native call made through another FFI (koffi, say)");
    }
    long slice = 250;
    if (timeout_ms > 0 && timeout_ms > waited && timeout_ms - waited < slice) slice = timeout_ms - waited;
    long t0 = cffi_os_monotonic_ms();
    state_wait(&p.state, state, slice);
    waited += cffi_os_monotonic_ms() - t0;
  }
  /* The call was either withdrawn (gave_up says why) or is DONE (cancelled if its realm ended first). */
  if (p.cancelled) {
    if (cffi_load_int(&r->closing)) {
      cffi_zero_result(ctx, regs); /* counted and told in closeForeignCalls() */
      return;
    }
    gave_up = "realm-gone";
  }
  if (gave_up) refuse(r, ctx, regs, tid, gave_up);
  else memcpy(regs + CFFI_ARG_WORDS, p.regs + CFFI_ARG_WORDS, CFFI_RET_WORDS * 8);
}

/* ---- serviced outbound calls ---- */

typedef struct serviced_job {
  cffi_realm *realm;
  uint64_t *frame;
  void (*stub)(uint64_t *frame);
  int done;
} serviced_job;

static void serviced_main(void *arg) {
  serviced_job *job = arg;
  serviced_realm = job->realm;
  job->stub(job->frame);
  cffi_mutex_lock(&job->realm->sync_lock);
  job->done = 1;
  cffi_cond_broadcast(&job->realm->sync_cv);
  cffi_mutex_unlock(&job->realm->sync_lock);
}

void cffi_run_serviced(cffi_realm *r, uint64_t *frame, void (*stub)(uint64_t *frame)) {
  serviced_job job = {r, frame, stub, 0};
  cffi_thread_handle helper;
  const char *err = cffi_os_start_thread(&helper, serviced_main, &job, 8 << 20);
  if (err) cffi_fatal("could not start a thread for a serviced native call: %s", err);
  cffi_mutex_lock(&r->sync_lock);
  while (!job.done) {
    if (r->queue_head) {
      cffi_mutex_unlock(&r->sync_lock);
      drain(r, UINT_MAX);
      cffi_mutex_lock(&r->sync_lock);
      continue;
    }
    cffi_cond_wait(&r->sync_cv, &r->sync_lock);
  }
  cffi_mutex_unlock(&r->sync_lock);
  cffi_os_join_thread(helper);
}

/* ---- JS-facing controls ---- */

/*
 * drainForeignCalls(limit?): serves queued calls (at most `limit`, default all) and
 * delivers reports now; returns whether calls are still queued.
 */
static napi_value js_drain(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  uint32_t limit = UINT_MAX;
  if (argc >= 1) {
    napi_valuetype t;
    if (napi_typeof(env, argv[0], &t) == napi_ok && t == napi_number) napi_get_value_uint32(env, argv[0], &limit);
  }
  cffi_realm *r;
  napi_get_instance_data(env, (void **)&r);
  int more = drain(r, limit);
  cffi_deliver_reports(env, r);
  napi_value v;
  napi_get_boolean(env, more, &v);
  return v;
}

static cffi_realm *realm_of(napi_env env) {
  cffi_realm *r;
  napi_get_instance_data(env, (void **)&r);
  return r;
}

/*
 * configureSync(id, timeoutMs, maxQueued): how a foreign caller of thunk `id` waits for the
 * JS thread (ms; 0 = forever) and, for fire-and-forget thunks, how many of its calls may
 * wait in the queue.
 */
static napi_value js_configure_sync(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  uint32_t id, ms, max_queued;
  if (argc < 3 || napi_get_value_uint32(env, argv[0], &id) != napi_ok || napi_get_value_uint32(env, argv[1], &ms) != napi_ok ||
      napi_get_value_uint32(env, argv[2], &max_queued) != napi_ok)
    return cffi_throw(env, "ERR_ARG_TYPE", "configureSync(id, timeoutMs, maxQueued): bad arguments");
  cffi_realm *r = realm_of(env);
  cffi_mutex_lock(&r->sync_lock);
  if (id >= r->sync_slots_cap) {
    uint32_t cap = r->sync_slots_cap ? r->sync_slots_cap : 256;
    while (cap <= id) cap *= 2;
    cffi_sync_slot *grown = calloc(cap, sizeof *grown);
    if (!grown) {
      cffi_mutex_unlock(&r->sync_lock);
      return cffi_throw(env, "ERR_NO_MEMORY", "configureSync(): out of memory");
    }
    if (r->sync_slots) memcpy(grown, r->sync_slots, r->sync_slots_cap * sizeof *grown);
    free(r->sync_slots);
    r->sync_slots = grown;
    r->sync_slots_cap = cap;
  }
  cffi_sync_slot *slot = &r->sync_slots[id];
  slot->timeout_ms = ms;
  slot->max_queued = max_queued;
  cffi_mutex_unlock(&r->sync_lock);
  return NULL;
}

/* refSync(delta): Sync thunks that keep the event loop alive; the wake-up handle is ref'd while any do. */
static napi_value js_ref_sync(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  int32_t delta;
  if (argc < 1 || napi_get_value_int32(env, argv[0], &delta) != napi_ok)
    return cffi_throw(env, "ERR_ARG_TYPE", "refSync(delta): bad argument");
  cffi_realm *r = realm_of(env);
  int before = r->sync_refs;
  r->sync_refs += delta;
  if (before <= 0 && r->sync_refs > 0) napi_ref_threadsafe_function(env, r->sync_tsfn);
  if (before > 0 && r->sync_refs <= 0) napi_unref_threadsafe_function(env, r->sync_tsfn);
  return NULL;
}

/*
 * Empties the queue without running anything (under sync_lock): blocking callers are
 * released with their call marked cancelled (they answer zero), fire-and-forget calls are
 * dropped. Returns how many calls there were.
 */
static unsigned long cancel_queued_locked(cffi_realm *r) {
  unsigned long n = 0;
  cffi_pending *p = r->queue_head;
  r->queue_head = r->queue_tail = NULL;
  while (p) {
    cffi_pending *next = p->next;
    n++;
    if (p->blocking) {
      p->cancelled = 1;
      finish_pending(&p->state);
    } else {
      free(p);
    }
    p = next;
  }
  return n;
}

/*
 * closeForeignCalls(): the process is exiting (JS runs its 'exit' listeners and no more
 * event-loop turns). Calls still queued, and calls that arrive from now on, get zero at
 * once instead of waiting for a JS thread that will not serve them; one message says how
 * many were queued and how many refused calls could no longer be reported.
 */
static napi_value js_close_foreign_calls(napi_env env, napi_callback_info info) {
  cffi_realm *r = realm_of(env);
  cffi_mutex_lock(&r->sync_lock);
  cffi_store_int(&r->closing, 1);
  unsigned long cancelled = cancel_queued_locked(r), unreported = 0;
  cffi_report *rep = r->reports;
  r->reports = NULL;
  cffi_mutex_unlock(&r->sync_lock);
  for (; rep; unreported++) {
    cffi_report *next = rep->next;
    free(rep);
    rep = next;
  }
  if (cancelled)
    cffi_warn(r, "the process is exiting: %lu call%s from native threads still queued got the zero value", cancelled,
              cancelled == 1 ? "" : "s");
  if (unreported)
    cffi_warn(r, "the process is exiting: %lu refused call%s from native threads could not be reported to onError",
              unreported, unreported == 1 ? "" : "s");
  return NULL;
}

/* Node destroys threadsafe functions itself when the environment ends; forget ours then. */
static void sync_tsfn_finalized(napi_env env, void *data, void *hint) {
  cffi_realm *r = data;
  cffi_mutex_lock(&r->sync_lock);
  r->sync_tsfn = NULL;
  cffi_mutex_unlock(&r->sync_lock);
}

void cffi_init_sync_calls(napi_env env, cffi_realm *r, napi_value exports) {
  cffi_mutex_init(&r->sync_lock);
  cffi_cond_init(&r->sync_cv);
  napi_value name;
  napi_create_string_utf8(env, "closure-ffi sync calls", NAPI_AUTO_LENGTH, &name);
  if (napi_create_threadsafe_function(env, NULL, NULL, name, 0, 1, r, sync_tsfn_finalized, r, on_wake, &r->sync_tsfn) ==
      napi_ok)
    napi_unref_threadsafe_function(env, r->sync_tsfn); /* Sync thunks keep the loop alive only when ref()'d */
  else
    r->sync_tsfn = NULL;
  cffi_export(env, exports, "configureSync", js_configure_sync);
  cffi_export(env, exports, "closeForeignCalls", js_close_foreign_calls);
  cffi_export(env, exports, "refSync", js_ref_sync);
  cffi_export(env, exports, "drainForeignCalls", js_drain);
  cffi_export_number(env, exports, "CALLS_PER_TURN", CALLS_PER_TURN);
}

/* The JS environment is going away: no queued call will run; release every waiter with a zero result. */
void cffi_teardown_sync_calls(cffi_realm *r) {
  cffi_mutex_lock(&r->sync_lock);
  cancel_queued_locked(r);
  cffi_report *rep = r->reports;
  r->reports = NULL;
  cffi_mutex_unlock(&r->sync_lock);
  while (rep) {
    cffi_report *next = rep->next;
    cffi_warn(r, "thunk id %u was called from thread %ld (%s) and got zero; its JS environment ended before this could "
              "be reported there", CFFI_CTX_ID(rep->ctx), rep->tid, rep->why);
    free(rep);
    rep = next;
  }
}
