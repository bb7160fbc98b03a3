/*
 * A "Lua-style" error model for longjmp.test.ts: lj_pcall runs a callback under setjmp,
 * and lj_error leaves whatever is running by longjmp to the innermost lj_pcall, as Lua's
 * lua_pcall / lua_error do (and libpng's png_error with its setjmp in png_jmpbuf).
 */
#include <setjmp.h>
#include <stddef.h>

typedef struct lj_State {
  jmp_buf *handler; /* innermost lj_pcall's, or NULL */
  int errors;       /* how many lj_error jumps happened */
  int code;         /* the code of the last error */
} lj_State;

static lj_State state;

lj_State *lj_state(void) { return &state; }
int lj_errors(lj_State *L) { return L->errors; }

/* Never returns: jumps to the innermost lj_pcall (as lua_error does). */
int lj_error(lj_State *L, int code) {
  L->errors++;
  L->code = code;
  longjmp(*L->handler, 1);
}

/* Runs fn(L) protected: its result, or -code if it raised an error. */
int lj_pcall(lj_State *L, int (*fn)(lj_State *)) {
  jmp_buf here;
  jmp_buf *outer = L->handler;
  L->handler = &here;
  int status;
  if (setjmp(here) == 0) status = fn(L);
  else status = -L->code;
  L->handler = outer;
  return status;
}

/* Two protected calls from one frame: a second callback then arrives at the same stack
   position as the first, which lets the bridge see frames the first one's jump skipped. */
int lj_pcall_twice(lj_State *L, int (*fn)(lj_State *)) {
  static volatile int calls; /* volatile: survives the longjmp */
  jmp_buf here;
  jmp_buf *outer = L->handler;
  L->handler = &here;
  calls = 0;
  setjmp(here);
  if (calls < 2) {
    calls++;
    fn(L);
  }
  L->handler = outer;
  return calls;
}
