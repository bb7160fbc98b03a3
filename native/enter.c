/*
 * Entering JS from native code, and calling native code from JS.
 *
 * Inbound: a thunk loads its context and jumps to an entry stub (machine code
 * generated in TypeScript), which saves the argument registers and calls
 * cffi_enter(). On the realm's own JS thread, cffi_enter copies the registers
 * into the frame arena and makes exactly one napi_call_function into the
 * realm's dispatcher; JS reads arguments and writes the result through
 * typed-array views of the arena. No N-API value is made per argument.
 *
 * Outbound: JS writes a frame, then callNative() runs the per-signature call
 * stub on it. Both directions push a frame, so they nest freely.
 */
#include "bridge.h"
#include "os.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint32_t next_realm;

/* Descriptions of thunk kinds+signatures, so a trap can name what was called. */
static cffi_mutex descriptions_lock = CFFI_MUTEX_INITIALIZER;
static cffi_text_table descriptions;


typedef struct inbound_call {
  cffi_realm *realm;
  uint64_t ctx;
  uint64_t *regs, *stack_args;
} inbound_call;

static void enter_from_reserved_stack(void *arg) {
  inbound_call *c = arg;
  cffi_enter_on_js_thread(c->realm, c->ctx, c->regs, c->stack_args, 0);
}

/*
 * Whether the JS thread is running a signal handler that interrupted it. JS must not be
 * entered there: V8 may be in the middle of anything. How to tell is the OS's business
 * (os.h: from the signal mask on POSIX; never on Windows). Async-signal-safe.
 */
static int in_signal_handler(cffi_realm *r) { return cffi_os_in_signal_handler(&r->signals); }

/* A call from a signal handler on the JS thread: zero, and one message (write(2) is all a handler may use). */
static void refuse_in_signal_handler(cffi_realm *r, uint64_t ctx, uint64_t *regs) {
  cffi_zero_result(ctx, regs);
  static const char msg[] =
      "closure-ffi: a thunk was called from a signal handler that interrupted its JS thread; JS cannot be entered "
      "there, so the caller got zero (this message is printed once; see README, 'Signals')\n";
  if (CFFI_CTX_FLAGS(ctx) & CFFI_FLAG_ABORT_ON_ERROR) {
    cffi_os_write_stderr(msg, sizeof msg - 1);
    abort();
  }
  if (cffi_add_int(&r->signal_refusals, 1) == 1) cffi_os_write_stderr(msg, sizeof msg - 1);
}

/*
 * Called by every entry stub: ctx from the thunk's data, the saved register block, the
 * caller's stack arguments, and the realm the entry stub was made for.
 */
CFFI_VISIBLE void cffi_enter(uint64_t ctx, uint64_t *regs, uint64_t *stack_args, cffi_realm *r) {
  /* The native caller's errno (and on Windows its GetLastError()) survives whatever JS does. */
  cffi_os_errors saved_errors;
  cffi_os_save_errors(&saved_errors);
  if (CFFI_UNLIKELY(CFFI_IS_TRAP_INFO(ctx))) cffi_trap(ctx); /* a stale pointer raced with reuse of its slot */
  if (cffi_os_same_thread(cffi_os_current_thread(), r->thread) && r->alive) {
    if (CFFI_LIKELY(cffi_on_thread_stack(r))) {
      /* Not inside an FnPtr call: JS itself may have been interrupted (a signal handler).
         Another FFI's call arrives on its own stack, below, and pays nothing for this. */
      if (r->native_depth == 0 && in_signal_handler(r)) refuse_in_signal_handler(r, ctx, regs);
      else cffi_enter_on_js_thread(r, ctx, regs, stack_args, 0);
    } else if (cffi_accelerator) {
      /* Called on another FFI's private stack (koffi does this): V8 must run on the thread's own. */
      inbound_call c = {r, ctx, regs, stack_args};
      cffi_run_on_reserved_stack(r, enter_from_reserved_stack, &c);
    } else {
      /* Moving V8's stack limit to a reserved region takes V8's own API. */
      cffi_zero_result(ctx, regs);
      cffi_report_foreign(r, ctx, 0, "foreign-stack");
    }
  } else if ((CFFI_CTX_FLAGS(ctx) & CFFI_FLAG_SYNC) || cffi_is_serviced_helper(r)) {
    cffi_sync_call(r, ctx, regs, stack_args, cffi_os_thread_id());
  } else {
    cffi_zero_result(ctx, regs);
    cffi_report_foreign(r, ctx, cffi_os_thread_id(), r->alive ? "wrong-thread" : "realm-gone");
  }
  cffi_os_restore_errors(&saved_errors);
  /* Last, with JS and the reserved stack left behind: a jump from here crosses native frames only. */
  cffi_run_after_return();
}

/* Called through a disposed thunk: info is trap information (see CFFI_TRAP_FLAGS in bridge.h). */
CFFI_VISIBLE CFFI_NORETURN void cffi_trap(uint64_t info) {
  if (!CFFI_IS_TRAP_INFO(info))
    cffi_fatal("thunk id %u was called from thread %ld while dispose() was turning it into a trap; the native side "
               "kept using a function pointer it was giving up. Aborting instead of running freed memory.",
               CFFI_CTX_ID(info), cffi_os_thread_id());
  uint32_t desc = (uint32_t)(info >> 32) & ((1u << (CFFI_CTX_FLAGS_SHIFT - 32)) - 1), serial = (uint32_t)info;
  const char *what = cffi_text_table_get(&descriptions, desc);
  if (!what) what = "a thunk";
  cffi_fatal("call to disposed thunk #%u (%s) from thread %ld; the native side kept a function pointer "
             "after dispose(). Aborting instead of running freed memory.",
             serial, what, cffi_os_thread_id());
}

/*
 * describe(index, text | null): registers the text a trap prints for thunks of this
 * description; null frees it (its index is no longer carried by any trap).
 */
static napi_value js_describe(napi_env env, napi_callback_info info) {
  uint32_t index;
  char *text;
  if (!cffi_get_index_text(env, info, &index, &text))
    return cffi_throw(env, "ERR_ARG_TYPE", "describe(index, text): bad arguments");
  cffi_mutex_lock(&descriptions_lock);
  int stored = cffi_text_table_put(&descriptions, index, text);
  cffi_mutex_unlock(&descriptions_lock);
  return stored ? NULL : cffi_throw(env, "ERR_NO_MEMORY", "describe(): out of memory");
}

/* ---- calls that were answered with zero ---- */

/* ---- outbound ---- */

typedef void (*call_stub_fn)(uint64_t *frame);

/*
 * callNative(): runs the call stub named in the frame JS claimed. JS claims a frame by
 * raising the depth (header word 0) *before* it writes the arguments, so a call made
 * while they are being written (a getter, say) takes the next frame instead of this one;
 * JS lowers the depth again when the call returns.
 */
static napi_value js_call_native(napi_env env, napi_callback_info info) {
  cffi_realm *r;
  napi_get_instance_data(env, (void **)&r);
  uint64_t depth = r->arena[0];
  if (depth == 0 || depth > CFFI_MAX_DEPTH)
    return cffi_throw(env, "ERR_NESTING", "callNative(): no frame was claimed for this call");
  uint64_t *frame = cffi_frame_at(r, depth - 1);
  call_stub_fn stub = (call_stub_fn)(uintptr_t)frame[CFFI_FRAME_STUB];
  uint64_t mode = r->arena[CFFI_HEADER_CALL_MODE];
  r->arena[CFFI_HEADER_CALL_MODE] = 0;
  frame[CFFI_FRAME_STATUS] = 0;
  frame[CFFI_FRAME_NATIVE_SP] = CFFI_FRAME_ADDRESS();
  if (mode == CFFI_CALL_SERVICED) {
    cffi_run_serviced(r, frame, stub);
  } else {
    r->native_depth++;
    stub(frame);
    r->native_depth--;
  }
  frame[CFFI_FRAME_NATIVE_SP] = 0;
  cffi_check_call_returned(r, depth);
  return NULL;
}


/*
 * useAccelerator(table): the V8-direct accelerator's function table (an External from
 * closure_ffi_v8.node), which JS loads only where it matches the running engine. Process-
 * wide: every environment of the process runs on the same engine.
 */
static napi_value js_use_accelerator(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  void *table = NULL;
  napi_valuetype t;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 1 ||
      napi_typeof(env, argv[0], &t) != napi_ok || t != napi_external ||
      napi_get_value_external(env, argv[0], &table) != napi_ok || !table)
    return cffi_throw(env, "ERR_ARG_TYPE", "useAccelerator(table): table must be the accelerator's External");
  const cffi_v8_accelerator *a = table;
  if (a->version != CFFI_V8_ACCELERATOR_VERSION)
    return cffi_throw(env, "ERR_ACCELERATOR", "useAccelerator(): the V8-direct accelerator was built for another bridge version");
  cffi_store_ptr((void **)&cffi_accelerator, (void *)a);
  return NULL;
}

/* setDispatcher(fn, napiOnly?): napiOnly selects the portable N-API entry instead of V8-direct. */
static napi_value js_set_dispatcher(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  cffi_realm *r;
  napi_get_instance_data(env, (void **)&r);
  napi_valuetype t;
  if (argc < 1 || napi_typeof(env, argv[0], &t) != napi_ok || t != napi_function)
    return cffi_throw(env, "ERR_ARG_TYPE", "setDispatcher(fn): fn must be a function");
  if (r->dispatcher) napi_delete_reference(env, r->dispatcher);
  napi_create_reference(env, argv[0], 1, &r->dispatcher);
  if (r->v8_entry) cffi_accelerator->entry_delete(r->v8_entry);
  r->v8_entry = NULL;
  bool use_napi = false;
  if (argc >= 2) napi_get_value_bool(env, argv[1], &use_napi);
  if (!use_napi && cffi_accelerator) r->v8_entry = cffi_accelerator->entry_new(argv[0]);
  napi_value how;
  napi_create_string_utf8(env, r->v8_entry ? "v8" : "napi", NAPI_AUTO_LENGTH, &how);
  return how;
}

/* nameSlot(id, text | null): how native diagnostics name thunk id `id` (null forgets the name). */
static napi_value js_name_slot(napi_env env, napi_callback_info info) {
  uint32_t id;
  char *text;
  if (!cffi_get_index_text(env, info, &id, &text))
    return cffi_throw(env, "ERR_ARG_TYPE", "nameSlot(id, text): bad arguments");
  cffi_realm *r;
  napi_get_instance_data(env, (void **)&r);
  cffi_mutex_lock(&r->sync_lock);
  int stored = cffi_text_table_put(&r->slot_names, id, text);
  cffi_mutex_unlock(&r->sync_lock);
  return stored ? NULL : cffi_throw(env, "ERR_NO_MEMORY", "nameSlot(): out of memory");
}

/* setJsStackSize(bytes): V8's --stack-size, so foreign-stack calls restore the right limit. */
static napi_value js_set_js_stack_size(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  cffi_realm *r;
  napi_get_instance_data(env, (void **)&r);
  double bytes;
  if (argc < 1 || napi_get_value_double(env, argv[0], &bytes) != napi_ok || bytes <= 0)
    return cffi_throw(env, "ERR_ARG_TYPE", "setJsStackSize(bytes): bytes must be a positive number");
  cffi_set_js_stack_size(r, (size_t)bytes);
  return NULL;
}

static napi_value js_current_thread_id(napi_env env, napi_callback_info info) {
  napi_value v;
  napi_create_int64(env, cffi_os_thread_id(), &v);
  return v;
}

/*
 * The environment ends. The realm itself stays (a native thread may still hold one of
 * its thunks, whose entry stub names it, and must get zero and a message naming the thunk),
 * but what only JS used goes: the frame arena, the Sync tables, the V8 handles.
 */
static void realm_teardown(napi_env env, void *data, void *hint) {
  cffi_realm *r = data;
  cffi_mutex_lock(&r->sync_lock);
  cffi_store_int(&r->alive, 0);
  cffi_mutex_unlock(&r->sync_lock);
  cffi_teardown_sync_calls(r);
  if (r->v8_entry) cffi_accelerator->entry_delete(r->v8_entry);
  r->v8_entry = NULL;
  cffi_os_aligned_free(r->arena);
  r->arena = NULL;
  cffi_mutex_lock(&r->sync_lock);
  /* The names stay: they belong to thunks still alive (dispose() forgets the others), whose
     late calls are exactly what the realm is kept for, and they name them in the message. */
  free(r->sync_slots);
  r->sync_slots = NULL;
  r->sync_slots_cap = 0;
  cffi_mutex_unlock(&r->sync_lock);
}

static void put_address(napi_env env, napi_value exports, const char *name, void *p) {
  napi_set_named_property(env, exports, name, cffi_make_address(env, (uint64_t)(uintptr_t)p));
}

/*
 * Node unloads an addon when the last environment that loaded it ends. Thunks outlive
 * environments (native code may keep calling a Worker's thunk after the Worker ended, and
 * must get zero, not a jump into unmapped code), so the bridge pins itself for the life
 * of the process.
 */
static void pin_bridge(void) {
  static int pinned;
  if (cffi_exchange_int(&pinned, 1)) return;
  const char *why = NULL;
  if (!cffi_os_pin_module((const void *)cffi_enter, &why)) cffi_fatal("could not pin the native bridge in memory: %s", why);
}

/* The frame, header and context layout (bridge.h), which JS reads instead of repeating it
   (src/native/arena.ts, thunk-context.ts): each as NAME, the value of CFFI_NAME. */
#define EXPORT_LAYOUT(NAME) cffi_export_number(env, exports, #NAME, CFFI_##NAME)
static void export_layout(napi_env env, napi_value exports) {
  EXPORT_LAYOUT(FRAME_CTX);
  EXPORT_LAYOUT(FRAME_STATUS);
  EXPORT_LAYOUT(FRAME_ARGS);
  EXPORT_LAYOUT(FRAME_RET);
  EXPORT_LAYOUT(FRAME_STACK_PTR);
  EXPORT_LAYOUT(FRAME_THREAD);
  EXPORT_LAYOUT(FRAME_STUB);
  EXPORT_LAYOUT(FRAME_STACK);
  EXPORT_LAYOUT(STATUS_INBOUND);
  EXPORT_LAYOUT(HEADER_CALL_MODE);
  EXPORT_LAYOUT(HEADER_AFTER_RETURN);
  EXPORT_LAYOUT(CALL_SERVICED);
  EXPORT_LAYOUT(CTX_ID_BITS);
  EXPORT_LAYOUT(CTX_GEN_BITS);
  EXPORT_LAYOUT(CTX_STACK_SHIFT);
  EXPORT_LAYOUT(CTX_FLAGS_SHIFT);
  EXPORT_LAYOUT(FLAG_ABORT_ON_ERROR);
  EXPORT_LAYOUT(FLAG_SYNC);
  EXPORT_LAYOUT(FLAG_NONBLOCKING);
  EXPORT_LAYOUT(FLAG_RESULT_IN_MEMORY);
  EXPORT_LAYOUT(FLAG_WAIT_WHEN_FULL);
  EXPORT_LAYOUT(TRAP_FLAGS);
  EXPORT_LAYOUT(FRAME_WORDS);
  EXPORT_LAYOUT(HEADER_WORDS);
  EXPORT_LAYOUT(MAX_DEPTH);
  EXPORT_LAYOUT(ARG_WORDS);
  EXPORT_LAYOUT(RET_WORDS);
  EXPORT_LAYOUT(MAX_STACK_WORDS);
  EXPORT_LAYOUT(STAGING_FRAME);
  EXPORT_LAYOUT(RESULT_POINTER_WORD);
}
#undef EXPORT_LAYOUT

void cffi_init_enter(napi_env env, napi_value exports) {
  pin_bridge();
  cffi_realm *r = calloc(1, sizeof *r);
  size_t words = CFFI_HEADER_WORDS + (size_t)(CFFI_MAX_DEPTH + 1) * CFFI_FRAME_WORDS; /* + the staging frame */
  if (r) r->arena = cffi_os_aligned_alloc(64, words * 8);
  if (!r || !r->arena) {
    cffi_throw(env, "ERR_NO_MEMORY", "closure-ffi: no memory for a new JS environment");
    return;
  }
  memset(r->arena, 0, words * 8);
  r->arena_bytes = words * 8;
  r->env = env;
  r->thread = cffi_os_current_thread();
  r->index = cffi_fetch_add_u32(&next_realm, 1);
  r->alive = 1;
  cffi_os_signals_init(&r->signals);
  cffi_init_thread_stack(r);
  napi_set_instance_data(env, r, realm_teardown, NULL);
  cffi_init_sync_calls(env, r, exports);

  napi_value arena;
  napi_create_external_arraybuffer(env, r->arena, words * 8, NULL, NULL, &arena);
  napi_set_named_property(env, exports, "arena", arena);
  cffi_export_number(env, exports, "realm", r->index);
  put_address(env, exports, "realmAddress", r);
  put_address(env, exports, "enterAddress", (void *)cffi_enter);
  put_address(env, exports, "trapAddress", (void *)cffi_trap);
  export_layout(env, exports);
  cffi_export(env, exports, "useAccelerator", js_use_accelerator);
  cffi_export(env, exports, "setDispatcher", js_set_dispatcher);
  cffi_init_reports(env, exports);
  cffi_export(env, exports, "callNative", js_call_native);
  cffi_export(env, exports, "describe", js_describe);
  cffi_export(env, exports, "currentThreadId", js_current_thread_id);
  cffi_export(env, exports, "setJsStackSize", js_set_js_stack_size);
  cffi_export(env, exports, "nameSlot", js_name_slot);
}
