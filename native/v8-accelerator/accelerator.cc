// The part of the bridge that uses V8's C++ API directly, where N-API has no
// equivalent or costs too much on the hot path:
//  - entering the dispatcher: N-API heap-allocates each handle scope and wraps
//    every call in several checks; a stack HandleScope plus one
//    Function::Call is the floor for any callback into JS;
//  - moving the JS stack limit for callbacks that arrive on a foreign stack.
// The N-API path in enter.c stays as the portable fallback.
#include <string.h>
#include <v8.h>
#include "bridge.h"

struct cffi_v8_entry {
  v8::Isolate *isolate;
  v8::Global<v8::Function> dispatcher;
  v8::Global<v8::Context> context;
};

extern "C" void cffi_set_js_stack_limit(uintptr_t limit) {
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

extern "C" cffi_v8_entry *cffi_v8_entry_new(napi_value fn) {
  v8::Isolate *isolate = v8::Isolate::GetCurrent();
  v8::Local<v8::Value> value = local_of(fn);
  if (!isolate || !value->IsFunction()) return nullptr;
  auto *e = new cffi_v8_entry();
  e->isolate = isolate;
  e->dispatcher.Reset(isolate, value.As<v8::Function>());
  e->context.Reset(isolate, isolate->GetCurrentContext());
  return e;
}

extern "C" void cffi_v8_entry_delete(cffi_v8_entry *e) { delete e; }

// Returns 0 on success, 1 if the dispatcher threw, 2 if JS is terminating.
extern "C" int cffi_v8_call(cffi_v8_entry *e) {
  v8::Isolate *isolate = e->isolate;
  v8::HandleScope scope(isolate);
  v8::Local<v8::Context> context = e->context.Get(isolate);
  v8::TryCatch try_catch(isolate);
  v8::MaybeLocal<v8::Value> result = e->dispatcher.Get(isolate)->Call(context, v8::Undefined(isolate), 0, nullptr);
  if (!result.IsEmpty()) return 0;
  return try_catch.HasTerminated() || isolate->IsExecutionTerminating() ? 2 : 1;
}
