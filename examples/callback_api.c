/*
 * The seed's example: a C API that registers a callback and gives it no
 * context pointer, so the callback cannot find any state of its own.
 */
#include <stdint.h>
#include <stddef.h>

static void (*registered)(uint32_t);

void ffi_register_callback(void (*cb)(uint32_t)) { registered = cb; }

void ffi_unregister_callback(void (*cb)(uint32_t)) {
  if (registered == cb) registered = NULL;
}

/* Fires the registered callback with 1, 2, ..., n; returns how many calls were made. */
uint32_t ffi_trigger(uint32_t n) {
  uint32_t calls = 0;
  for (uint32_t i = 1; i <= n && registered; i++, calls++) registered(i);
  return calls;
}
