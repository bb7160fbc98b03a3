/*
 * closure-ffi native bridge: the few things JavaScript cannot do itself.
 * Executable memory, raw memory access, dlopen/dlsym, and entering JS from
 * native code. Everything else (ABI, machine code, dispatch) lives in TypeScript.
 */
#ifndef CLOSURE_FFI_BRIDGE_H
#define CLOSURE_FFI_BRIDGE_H

#define NAPI_VERSION 8
#include <node_api.h>
#include "v8_accelerator.h"
#include "os.h"
#ifdef __cplusplus
extern "C" {
#endif
#include <stdint.h>
#include <stddef.h>
#include <string.h>

/*
 * A frame is how arguments and results cross between native code and JS.
 * The entry stub saves the argument registers into a block of CFFI_ARG_WORDS
 * words followed by CFFI_RET_WORDS words for the result registers; the bridge
 * copies that block into the frame at the current nesting depth, where JS reads
 * it through typed-array views of the arena. The layout inside the blocks is
 * the ABI's business and is defined in TypeScript (src/abi).
 */
#define CFFI_ARG_WORDS 24
#define CFFI_RET_WORDS 8
#define CFFI_FRAME_CTX 0          /* thunk context (inbound) or call target (outbound) */
#define CFFI_FRAME_STATUS 1       /* CFFI_STATUS_INBOUND while an inbound call runs in it, else 0 */
#define CFFI_STATUS_INBOUND 1
#define CFFI_FRAME_ARGS 2         /* CFFI_ARG_WORDS words */
#define CFFI_FRAME_RET (CFFI_FRAME_ARGS + CFFI_ARG_WORDS)
#define CFFI_FRAME_STACK_PTR (CFFI_FRAME_RET + CFFI_RET_WORDS)
#define CFFI_FRAME_THREAD 35      /* id of the calling thread, for diagnostics */
#define CFFI_FRAME_STUB 36        /* outbound: address of the per-signature call stub */
#define CFFI_FRAME_NATIVE_SP 37   /* native stack position of the call running in it, 0 once it ended (jumps.c) */
#define CFFI_FRAME_STACK 40       /* copies of stack-passed argument words */
#define CFFI_MAX_STACK_WORDS 472
#define CFFI_FRAME_WORDS (CFFI_FRAME_STACK + CFFI_MAX_STACK_WORDS)
#define CFFI_MAX_DEPTH 128       /* frames, shared by inbound and outbound calls */
#define CFFI_HEADER_WORDS 8       /* header word 0: depth in use; word 1: mode of the next outbound call */
#define CFFI_HEADER_CALL_MODE 1
#define CFFI_HEADER_AFTER_RETURN 2 /* word 2: a call staged by callAfterReturn(), see jumps.c */
#define CFFI_CALL_SERVICED 1      /* run the call on a helper thread while this thread serves callbacks */

/*
 * The 64-bit context a thunk loads before jumping to the entry stub:
 * bits 0..21 the thunk's table id, 22..49 its generation (changes each time the id is
 * reused, so a call still on its way when its thunk was disposed can never reach the
 * thunk that took the id next), 50..58 stack words to copy, 59..63 flags.
 * The realm (JS environment) is not in the context: each realm's entry stub passes it.
 * JS reads this layout from the bridge's exports (CTX_*), so it is written down once.
 */
#define CFFI_CTX_ID_BITS 22
#define CFFI_CTX_GEN_BITS 28
#define CFFI_CTX_STACK_SHIFT 50
#define CFFI_CTX_STACK_BITS 9
#define CFFI_CTX_FLAGS_SHIFT 59
#define CFFI_CTX_ID(c) ((uint32_t)(c) & ((1u << CFFI_CTX_ID_BITS) - 1))
#define CFFI_CTX_STACK_WORDS(c) ((uint32_t)(((c) >> CFFI_CTX_STACK_SHIFT) & ((1u << CFFI_CTX_STACK_BITS) - 1)))
#define CFFI_CTX_FLAGS(c) ((uint32_t)((c) >> CFFI_CTX_FLAGS_SHIFT))
#define CFFI_FLAG_ABORT_ON_ERROR 0x1
#define CFFI_FLAG_SYNC 0x2            /* may be called from any thread: marshalled to the JS thread */
#define CFFI_FLAG_NONBLOCKING 0x4     /* Sync void thunk: a foreign caller does not wait */
#define CFFI_FLAG_RESULT_IN_MEMORY 0x8 /* result goes through a hidden pointer in the first argument register */
#define CFFI_FLAG_WAIT_WHEN_FULL 0x10 /* non-blocking thunk whose queue is full: the caller waits instead of dropping */
/*
 * A disposed thunk's data holds trap information instead of a context: all flag bits
 * set (no live thunk has that combination), the description index in bits 32..58 and
 * the thunk's serial number in bits 0..31.
 */
#define CFFI_TRAP_FLAGS 0x1f
#define CFFI_IS_TRAP_INFO(c) (CFFI_CTX_FLAGS(c) == CFFI_TRAP_FLAGS)

/*
 * The block word of the register that carries the hidden pointer of a result returned in
 * memory (CFFI_FLAG_RESULT_IN_MEMORY); JS reads it as RESULT_POINTER_WORD.
 *  - x86-64: the first argument register, rdi (System V) or rcx (Win64); both entry stubs
 *    save it in word 0.
 *  - AArch64: x8, not an argument register; the entry stub saves x0..x7 in words 0..7, x8 in
 *    word 8, then v0..v7 (as d registers) in words 9..16.
 * A new CPU must say where its entry stub puts that pointer.
 */
#if defined(__x86_64__) || defined(_M_X64) /* GCC and Clang; MSVC */
#define CFFI_RESULT_POINTER_WORD 0
#elif defined(__aarch64__) || defined(_M_ARM64)
#define CFFI_RESULT_POINTER_WORD 8
#else
#error "closure-ffi: CFFI_RESULT_POINTER_WORD is not defined for this CPU"
#endif

/*
 * The result a native caller gets when JS could not produce one: zero words, and
 * for a result in memory the hidden pointer back in the first result register (x86-64
 * promises rax = that pointer; AArch64 promises nothing, and x0 = x8 is harmless).
 * The buffer itself is left as it was.
 */
static inline void cffi_zero_result(uint64_t ctx, uint64_t *regs) {
  memset(regs + CFFI_ARG_WORDS, 0, CFFI_RET_WORDS * 8);
  if (CFFI_CTX_FLAGS(ctx) & CFFI_FLAG_RESULT_IN_MEMORY) regs[CFFI_ARG_WORDS] = regs[CFFI_RESULT_POINTER_WORD];
}

/* Texts by small index (thunk names, trap descriptions), grown on demand. */
typedef struct cffi_text_table {
  char **items;
  uint32_t cap;
} cffi_text_table;

/* A call from another thread that was answered with zero, waiting to be told to JS. */
typedef struct cffi_report {
  struct cffi_report *next;
  uint64_t ctx;
  long tid;
  const char *why;
} cffi_report;

/* What a native thread needs to know about a Sync thunk without asking JS (sync_calls.c). */
typedef struct cffi_sync_slot {
  uint32_t timeout_ms;          /* 0 = wait forever */
  uint32_t max_queued;          /* non-blocking thunks: calls that may wait in the queue */
  uint32_t queued;              /* non-blocking calls of this id in the queue now */
  uint32_t dropped;             /* non-blocking calls dropped since JS was last told */
} cffi_sync_slot;

typedef struct cffi_realm {
  napi_env env;
  cffi_thread thread;
  int alive;
  int closing;                  /* the process is exiting: foreign calls are refused, not queued */
  uint32_t index;               /* serial number of the JS environment, for messages */
  uint64_t *arena;              /* header + CFFI_MAX_DEPTH frames; freed when the environment ends */
  size_t arena_bytes;
  napi_ref dispatcher;          /* JS function run for every inbound call */
  struct cffi_v8_entry *v8_entry; /* the same function for the V8-direct path, or NULL */
  napi_ref foreign_reporter;    /* JS function told about refused calls from other threads */
  napi_ref foreign_resumer;     /* JS function that serves the rest of a long queue after the event loop's turn */
  /* The JS thread's own stack, and the reserved regions used when a callback
     arrives on a stack that is not this one (see foreign_stack.c). */
  uintptr_t stack_lo, stack_hi;
  uintptr_t js_limit;           /* V8's stack limit outside reserved regions */
  uintptr_t reserve_top;        /* top of reserved region 0; region i lies below region i-1 */
  size_t reserve_size;
  unsigned reserve_levels, reserve_in_use;
  uintptr_t foreign_sp[4];      /* where each active foreign-stack entry arrived */
  /* Calls from other threads waiting for the JS thread (sync_calls.c). */
  cffi_mutex sync_lock;
  cffi_cond sync_cv;            /* signalled when a call is queued or a serviced call ends */
  struct cffi_pending *queue_head, *queue_tail;
  struct cffi_report *reports;  /* refused foreign calls not yet told to JS */
  napi_threadsafe_function sync_tsfn;
  int wake_pending;             /* a wake-up of the JS thread is queued and not yet run; under sync_lock */
  int sync_refs;
  cffi_sync_slot *sync_slots;   /* per thunk id; under sync_lock */
  uint32_t sync_slots_cap;
  unsigned long refused_at_exit; /* foreign calls answered with zero once the process was exiting */
  int native_depth;             /* JS thread is inside this many plain (unserviced) native calls */
  cffi_text_table slot_names;   /* per thunk id, for messages printed without JS; under sync_lock */
  int warnings;                 /* stderr lines printed, for rate limiting */
  int enter_failure_reported;   /* JS could not be entered once already: say it only once */
  int unreported_said;          /* a refused call could not be reported to JS: said once already */
  cffi_os_signals signals;      /* the JS thread's signal mask outside signal handlers (os.h) */
  unsigned stack_committed;     /* reserved regions made usable (cffi_os_commit_stack), a bit per level */
  int signal_refusals;          /* calls refused because a signal handler interrupted JS */
} cffi_realm;

#ifdef __cplusplus
}
#endif

/* The frame at `depth` of the realm's arena. */
static inline uint64_t *cffi_frame_at(cffi_realm *r, uint64_t depth) {
  return r->arena + CFFI_HEADER_WORDS + depth * CFFI_FRAME_WORDS;
}

/* The Sync record of the thunk a context names, or NULL if JS never configured one; under sync_lock. */
static inline cffi_sync_slot *cffi_sync_slot_of(cffi_realm *r, uint64_t ctx) {
  uint32_t id = CFFI_CTX_ID(ctx);
  return id < r->sync_slots_cap ? &r->sync_slots[id] : NULL;
}

/* Shared argument helpers (bridge.c). */
napi_value cffi_throw(napi_env env, const char *code, const char *msg);
int cffi_get_address(napi_env env, napi_value v, uint64_t *out);
int cffi_get_address_size(napi_env env, napi_callback_info info, size_t argc, napi_value *argv, uint64_t *addr,
                          size_t *size);
napi_value cffi_make_address(napi_env env, uint64_t addr);
int cffi_get_index_text(napi_env env, napi_callback_info info, uint32_t *index, char **text);
int cffi_text_table_put(cffi_text_table *t, uint32_t index, char *text);
/* Safe without the lock: cap is published after the array that has room for it. */
static inline const char *cffi_text_table_get(const cffi_text_table *t, uint32_t index) {
  if (index >= cffi_load_u32(&t->cap)) return NULL;
  return ((char **)cffi_load_ptr((void *const *)&t->items))[index];
}
void cffi_export(napi_env env, napi_value exports, const char *name, napi_callback cb);
void cffi_export_number(napi_env env, napi_value exports, const char *name, double d);
CFFI_NORETURN void cffi_fatal(const char *fmt, ...) CFFI_PRINTF(1, 2);
/* A diagnostic on stderr, at most a few dozen per realm so a flood of refused calls cannot drown the output. */
void cffi_warn(cffi_realm *r, const char *fmt, ...) CFFI_PRINTF(2, 3);
/* "BareFnSync#3 ('int (int)')" when the thunk was named, else "thunk id N". */
const char *cffi_thunk_name(cffi_realm *r, uint64_t ctx, char *buf, size_t size);

/* Waking the JS thread to serve queued calls and reports (js_wake.c); under sync_lock. 0 if it cannot be reached. */
int cffi_wake_js_locked(cffi_realm *r);

/* Calls answered with zero, told to the JS thread (reports.c). `tid` 0 = the JS thread itself. */
void cffi_report_foreign(cffi_realm *r, uint64_t ctx, long tid, const char *why);
int cffi_queue_report(cffi_realm *r, uint64_t ctx, long tid, const char *why);
int cffi_queue_report_locked(cffi_realm *r, uint64_t ctx, long tid, const char *why);
/* On the JS thread: hands every queued report to JS (a "queue-full" one with its count of dropped calls). */
void cffi_deliver_reports(napi_env env, cffi_realm *r);
void cffi_init_reports(napi_env env, napi_value exports);

/* Entering JS on the realm's own thread (js_entry.c). */
void cffi_enter_on_js_thread(cffi_realm *r, uint64_t ctx, uint64_t *regs, uint64_t *stack_args, long tid);

/* Inbound calls from native code (enter.c). */
CFFI_NORETURN void cffi_trap(uint64_t info);

/* Callbacks that C leaves with longjmp (jumps.c). The arena holds one frame more than
   CFFI_MAX_DEPTH: the staging frame of a call made after a callback returns. */
#define CFFI_STAGING_FRAME CFFI_MAX_DEPTH
void cffi_check_not_jumped_over(cffi_realm *r, uint64_t depth, uintptr_t here, uint64_t ctx);
void cffi_check_call_returned(cffi_realm *r, uint64_t depth);
void cffi_take_after_return(cffi_realm *r, uint64_t depth, long tid);
void cffi_run_after_return(void);

/* Calls from other threads (sync_calls.c). */
void cffi_init_sync_calls(napi_env env, cffi_realm *r, napi_value exports);
int cffi_is_serviced_helper(const cffi_realm *r);
void cffi_sync_call(cffi_realm *r, uint64_t ctx, uint64_t *regs, uint64_t *stack_args, long tid);
void cffi_run_serviced(cffi_realm *r, uint64_t *frame, void (*stub)(uint64_t *frame));
void cffi_teardown_sync_calls(cffi_realm *r);

/* Foreign stacks (foreign_stack.c). */
typedef void (*cffi_stack_fn)(void *arg);
void cffi_init_thread_stack(cffi_realm *r);
void cffi_set_js_stack_size(cffi_realm *r, size_t js_stack_bytes);
int cffi_on_thread_stack(const cffi_realm *r);
void cffi_run_on_reserved_stack(cffi_realm *r, cffi_stack_fn fn, void *arg);
/* The V8-direct accelerator, when JS has loaded one that matches this engine (else NULL). */
extern const struct cffi_v8_accelerator *cffi_accelerator;

/* Module parts. */
void cffi_init_jit_memory(napi_env env, napi_value exports);
void cffi_init_raw_memory(napi_env env, napi_value exports);
void cffi_init_library(napi_env env, napi_value exports);
void cffi_init_enter(napi_env env, napi_value exports);

#endif
