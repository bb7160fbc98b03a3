/*
 * The V8-direct accelerator: an optional second addon (native/v8-accelerator/) that
 * enters JS through V8's C++ API instead of N-API. The core bridge never links against
 * V8: it gets these functions as a table from the accelerator, which JS loads only where
 * it matches the running engine (Node, with the module ABI it was compiled for). Without
 * it the core uses N-API everywhere, so it loads in any runtime that has N-API.
 */
#ifndef CLOSURE_FFI_V8_ACCELERATOR_H
#define CLOSURE_FFI_V8_ACCELERATOR_H

#include <node_api.h>
#include <stdint.h>

#define CFFI_V8_ACCELERATOR_VERSION 1

typedef struct cffi_v8_accelerator {
  int version; /* CFFI_V8_ACCELERATOR_VERSION: the table's layout */
  /* A persistent handle to the dispatcher `fn` in the calling isolate, or NULL. */
  struct cffi_v8_entry *(*entry_new)(napi_value fn);
  void (*entry_delete)(struct cffi_v8_entry *e);
  /* Calls the dispatcher: 0 on success, 1 if it threw, 2 if JS is terminating. */
  int (*call)(struct cffi_v8_entry *e);
  /* Moves the current isolate's JS stack limit (callbacks that arrive on a foreign stack). */
  void (*set_stack_limit)(uintptr_t limit);
} cffi_v8_accelerator;

#endif
