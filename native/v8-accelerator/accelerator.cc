// The V8-direct accelerator (see ../v8_accelerator.h): what the bridge does through
// V8's C++ API, where N-API has no equivalent or costs too much on the hot path:
//  - entering the dispatcher: N-API heap-allocates each handle scope and wraps
//    every call in several checks; a stack HandleScope plus one
//    Function::Call is the floor for any callback into JS;
//  - moving the JS stack limit for callbacks that arrive on a foreign stack.
// A separate addon, built for one Node ABI and loaded only there; the N-API path in
// the core bridge is the portable fallback.
#include <string.h>
#include <node_version.h>
#include <v8.h>
#include "../v8_accelerator.h"

struct cffi_v8_entry {
  v8::Isolate *isolate;
  v8::Global<v8::Function> dispatcher;
  v8::Global<v8::Context> context;
};

static void set_stack_limit(uintptr_t limit) {
  v8::Isolate *isolate = v8::Isolate::GetCurrent();
  if (isolate) isolate->SetStackLimit(limit);
}

// napi_value is a v8::Local<v8::Value> in Node's implementation of N-API.
static v8::Local<v8::Value> local_of(napi_value v) {
  v8::Local<v8::Value> local;
  static_assert(sizeof(local) == sizeof(v), "napi_value and v8::Local differ in size");
  memcpy(static_cast<void *>(&local), &v, sizeof(v));
  return local;
}

static cffi_v8_entry *entry_new(napi_value fn) {
  v8::Isolate *isolate = v8::Isolate::GetCurrent();
  v8::Local<v8::Value> value = local_of(fn);
  if (!isolate || !value->IsFunction()) return nullptr;
  auto *e = new cffi_v8_entry();
  e->isolate = isolate;
  e->dispatcher.Reset(isolate, value.As<v8::Function>());
  e->context.Reset(isolate, isolate->GetCurrentContext());
  return e;
}

static void entry_delete(cffi_v8_entry *e) { delete e; }

// Returns 0 on success, 1 if the dispatcher threw, 2 if JS is terminating.
static int call(cffi_v8_entry *e) {
  v8::Isolate *isolate = e->isolate;
  v8::HandleScope scope(isolate);
  v8::Local<v8::Context> context = e->context.Get(isolate);
  v8::TryCatch try_catch(isolate);
  v8::MaybeLocal<v8::Value> result = e->dispatcher.Get(isolate)->Call(context, v8::Undefined(isolate), 0, nullptr);
  if (!result.IsEmpty()) return 0;
  return try_catch.HasTerminated() || isolate->IsExecutionTerminating() ? 2 : 1;
}

static const cffi_v8_accelerator table = {CFFI_V8_ACCELERATOR_VERSION, entry_new, entry_delete, call, set_stack_limit};

// exports: { table: External(&table), modules: NODE_MODULE_VERSION it was compiled for }
NAPI_MODULE_INIT() {
  napi_value v;
  napi_create_external(env, const_cast<cffi_v8_accelerator *>(&table), nullptr, nullptr, &v);
  napi_set_named_property(env, exports, "table", v);
  napi_create_uint32(env, NODE_MODULE_VERSION, &v);
  napi_set_named_property(env, exports, "modules", v);
  return exports;
}
