/*
 * Foreign stacks.
 *
 * Some callers run native code on a stack of their own: koffi, for one, calls
 * every native function on a heap-allocated stack. A thunk called from there
 * cannot enter V8 as it is: V8 sees a stack pointer outside the thread's stack
 * and reports a stack overflow (and its garbage collector may scan the stack
 * between the two). So when cffi_enter finds itself off the thread's stack, it
 * switches to a reserved region of the thread's real stack, moves V8's stack
 * limit into that region for the duration of the call, and moves it back after.
 *
 * The reserved regions lie below V8's limit, in stack that JS never uses: on the
 * main thread the stack is typically 8 MiB while V8 uses about 1 MiB of it. Each
 * nesting level (a foreign-stack callback that calls out through another
 * foreign-stack FFI and is called back again) gets its own region.
 */
#include "bridge.h"
#include "os.h"

#define KIB ((uintptr_t)1024)
#define CXX_HEADROOM (256 * KIB)      /* native frames may run below V8's limit */
#define REGION_SIZE (512 * KIB)
#define REGION_JS_FLOOR (96 * KIB)    /* V8's limit sits this far above a region's bottom */
#define MAX_LEVELS 4 /* = length of cffi_realm.foreign_sp */
#define WORKER_STACK_BUFFER (192 * KIB) /* what Node leaves below a Worker's V8 limit */

static inline uintptr_t current_sp(void) { return CFFI_FRAME_ADDRESS(); }

void cffi_init_thread_stack(cffi_realm *r) {
  cffi_os_thread_stack(&r->stack_lo, &r->stack_hi);
  cffi_set_js_stack_size(r, 984 * KIB); /* V8's default --stack-size */
}

/* Where V8's limit is (approximately) and where the reserved regions go. */
void cffi_set_js_stack_size(cffi_realm *r, size_t js_stack_bytes) {
  r->reserve_levels = 0;
  r->stack_committed = 0;
  if (!r->stack_lo) return;
  int main_thread = cffi_os_is_main_thread();
  if (main_thread) {
    /* V8 put its limit js_stack_bytes below the stack position at start-up;
       erring lower only gives JS a little more of an 8 MiB stack. */
    r->js_limit = r->stack_hi - js_stack_bytes - 64 * KIB;
    r->reserve_top = r->js_limit - CXX_HEADROOM;
    r->reserve_size = REGION_SIZE;
  } else {
    /* Node sets a Worker's limit WORKER_STACK_BUFFER above the bottom of its stack;
       one smaller region fits below it. */
    r->js_limit = r->stack_lo + WORKER_STACK_BUFFER;
    r->reserve_top = r->js_limit - 16 * KIB;
    r->reserve_size = WORKER_STACK_BUFFER - 48 * KIB;
  }
  uintptr_t floor = r->stack_lo + 64 * KIB; /* stay clear of the guard page */
  while (r->reserve_levels < MAX_LEVELS && r->reserve_top - (r->reserve_levels + 1) * r->reserve_size >= floor)
    r->reserve_levels++;
}

int cffi_on_thread_stack(const cffi_realm *r) {
  uintptr_t sp = current_sp();
  return sp >= r->stack_lo && sp < r->stack_hi;
}

/*
 * Calls fn(arg) with the stack pointer set to `top` (16-byte aligned). Assembly, one per
 * CPU and assembler dialect: ELF targets below (GNU as); Windows x64 in
 * foreign_stack_win64.S (GNU as, mingw) and foreign_stack_win64.asm (MASM, for MSVC, which
 * has no inline assembly on x64), both with unwind information, since a Windows stack walk
 * (an exception, a debugger) needs it to pass this frame.
 */
void cffi_call_on_stack(uintptr_t top, cffi_stack_fn fn, void *arg);
#if defined(_WIN32)
/* in foreign_stack_win64.S / .asm */
#elif defined(__x86_64__)
__asm__(
    ".text\n"
    ".p2align 4\n"
    ".type cffi_call_on_stack, @function\n"
    "cffi_call_on_stack:\n"
    "  push %rbp\n"
    "  mov %rsp, %rbp\n"
    "  mov %rdi, %rsp\n"
    "  mov %rdx, %rdi\n"
    "  call *%rsi\n"
    "  mov %rbp, %rsp\n"
    "  pop %rbp\n"
    "  ret\n"
    ".size cffi_call_on_stack, .-cffi_call_on_stack\n");
#elif defined(__aarch64__)
/* AAPCS64: a frame record (x29, x30) on the old stack, x29 = the old sp, which fn keeps like
   x19-x28 and d8-d15; `top` is 16-byte aligned as sp must be. Reached only by a direct bl,
   so it needs no `bti c`. Checked under qemu by scripts/cross/check-bridge.ts. */
__asm__(
    ".text\n"
    ".p2align 2\n"
    ".type cffi_call_on_stack, %function\n"
    "cffi_call_on_stack:\n"
    "  stp x29, x30, [sp, #-16]!\n"
    "  mov x29, sp\n"
    "  mov sp, x0\n"
    "  mov x0, x2\n"
    "  blr x1\n"
    "  mov sp, x29\n"
    "  ldp x29, x30, [sp], #16\n"
    "  ret\n"
    ".size cffi_call_on_stack, .-cffi_call_on_stack\n");
#else
#error "closure-ffi: cffi_call_on_stack is not written for this CPU"
#endif

void cffi_run_on_reserved_stack(cffi_realm *r, cffi_stack_fn fn, void *arg) {
  unsigned level = r->reserve_in_use;
  if (level >= r->reserve_levels)
    cffi_fatal("a callback arrived on a foreign stack (sp=%p, outside this thread's stack %p..%p) "
               "and no reserved stack region is left (%u in use); aborting",
               (void *)current_sp(), (void *)r->stack_lo, (void *)r->stack_hi, level);
  /* A nested entry at or above the outer one on the same foreign stack means the
     other FFI restarted its stack under frames that are still live (koffi does this
     when a closure it did not create calls back into it): returning would crash. */
  uintptr_t sp = current_sp();
  if (level > 0 && sp >= r->foreign_sp[level - 1] && sp - r->foreign_sp[level - 1] < ((uintptr_t)64 << 20))
    cffi_fatal("a callback was entered on a foreign stack that has been reused underneath an active callback "
               "(another FFI, such as koffi, was called from a closure that it had called, and restarted its private "
               "stack); its frames are overwritten. Call nested native code through closure-ffi's FnPtr instead. "
               "Aborting.");
  r->foreign_sp[level] = sp;
  uintptr_t top = (r->reserve_top - level * r->reserve_size) & ~(uintptr_t)15;
  uintptr_t bottom = top - r->reserve_size;
  uintptr_t outer_limit = level == 0 ? r->js_limit : top + REGION_JS_FLOOR; /* the enclosing region's limit */
  if (!(r->stack_committed & (1u << level))) {
    cffi_os_commit_stack(bottom, r->stack_hi); /* Windows: the region is reserved, not yet committed */
    r->stack_committed |= 1u << level;
  }
  r->reserve_in_use = level + 1;
  cffi_accelerator->set_stack_limit(bottom + REGION_JS_FLOOR);
  cffi_call_on_stack(top, fn, arg);
  cffi_accelerator->set_stack_limit(outer_limit);
  r->reserve_in_use = level;
}
