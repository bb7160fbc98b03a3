// The one piece of the bridge that needs V8's C++ API: moving the JS stack
// limit while a callback runs on a reserved region of the thread's stack
// (see enter.c, "foreign stacks"). N-API has no equivalent.
#include <v8.h>
#include <stdint.h>

extern "C" void cffi_set_js_stack_limit(uintptr_t limit) {
  v8::Isolate *isolate = v8::Isolate::GetCurrent();
  if (isolate) isolate->SetStackLimit(limit);
}
