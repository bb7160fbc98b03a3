/*
 * V8 floor: the loops of floor_napi.c written against V8's C++ API (what N-API itself is
 * built on). Per call: a HandleScope, a TryCatch, the argument values, Function::Call, and
 * reading the result. Built against the running Node's headers (same V8 ABI).
 */
#include <node.h>
#include <v8.h>
#include <cstdint>
#include <cstdlib>

using v8::BigInt;
using v8::Context;
using v8::Function;
using v8::FunctionCallbackInfo;
using v8::HandleScope;
using v8::Integer;
using v8::Isolate;
using v8::Local;
using v8::Number;
using v8::Object;
using v8::TryCatch;
using v8::Value;

namespace {

struct Loop {
  Isolate *iso;
  Local<Context> ctx;
  Local<Function> fn;
  Local<Value> recv;
  int32_t n;
  explicit Loop(const FunctionCallbackInfo<Value> &info)
      : iso(info.GetIsolate()), ctx(iso->GetCurrentContext()), fn(info[0].As<Function>()),
        recv(v8::Undefined(iso)), n(info[1]->Int32Value(ctx).FromMaybe(0)) {}
};

void LoopI32(const FunctionCallbackInfo<Value> &info) {
  Loop l(info);
  int64_t sum = 0;
  for (int32_t i = 0; i < l.n; i++) {
    HandleScope hs(l.iso);
    TryCatch tc(l.iso);
    Local<Value> argv[1] = {Integer::New(l.iso, i)};
    Local<Value> r;
    if (!l.fn->Call(l.ctx, l.recv, 1, argv).ToLocal(&r)) { tc.ReThrow(); return; }
    int32_t out;
    if (r->IsInt32()) out = r.As<v8::Int32>()->Value();
    else if (!r->Int32Value(l.ctx).To(&out)) { tc.ReThrow(); return; }
    sum += out;
  }
  info.GetReturnValue().Set(static_cast<double>(sum));
}

double ToDouble(Local<Context> ctx, Local<Value> r, bool *ok) {
  if (r->IsNumber()) return r.As<Number>()->Value();
  double d = 0;
  *ok = r->NumberValue(ctx).To(&d);
  return d;
}

void LoopF64x2(const FunctionCallbackInfo<Value> &info) {
  Loop l(info);
  double sum = 0;
  for (int32_t i = 0; i < l.n; i++) {
    HandleScope hs(l.iso);
    TryCatch tc(l.iso);
    Local<Value> argv[2] = {Number::New(l.iso, i), Number::New(l.iso, 0.5)};
    Local<Value> r;
    bool ok = true;
    if (!l.fn->Call(l.ctx, l.recv, 2, argv).ToLocal(&r)) { tc.ReThrow(); return; }
    sum += ToDouble(l.ctx, r, &ok);
    if (!ok) { tc.ReThrow(); return; }
  }
  info.GetReturnValue().Set(sum);
}

void LoopMixed8(const FunctionCallbackInfo<Value> &info) {
  static char buf[1024];
  Loop l(info);
  double sum = 0;
  for (int32_t i = 0; i < l.n; i++) {
    HandleScope hs(l.iso);
    TryCatch tc(l.iso);
    Local<Value> argv[8] = {
        Integer::New(l.iso, i),
        Number::New(l.iso, i * 0.25),
        BigInt::New(l.iso, static_cast<int64_t>(i) * 3),
        Number::New(l.iso, static_cast<double>(0.5f)),
        Integer::NewFromUnsigned(l.iso, static_cast<uint8_t>(i & 255)),
        BigInt::NewFromUnsigned(l.iso, reinterpret_cast<uintptr_t>(buf + (i & 1023))),
        Integer::NewFromUnsigned(l.iso, static_cast<uint32_t>(i)),
        Number::New(l.iso, 1.5),
    };
    Local<Value> r;
    bool ok = true;
    if (!l.fn->Call(l.ctx, l.recv, 8, argv).ToLocal(&r)) { tc.ReThrow(); return; }
    sum += ToDouble(l.ctx, r, &ok);
    if (!ok) { tc.ReThrow(); return; }
  }
  info.GetReturnValue().Set(sum);
}

void LoopPtr(const FunctionCallbackInfo<Value> &info) {
  static char buf[4096];
  Loop l(info);
  for (int32_t i = 0; i < l.n; i++) {
    HandleScope hs(l.iso);
    TryCatch tc(l.iso);
    Local<Value> argv[1] = {BigInt::NewFromUnsigned(l.iso, reinterpret_cast<uintptr_t>(buf + (i & 4095)))};
    if (l.fn->Call(l.ctx, l.recv, 1, argv).IsEmpty()) { tc.ReThrow(); return; }
  }
  info.GetReturnValue().Set(static_cast<double>(l.n));
}

// qsort: the comparator gets the two int32 values (read in C), like the N-API floor.
int32_t *g_data = nullptr;
int32_t g_n = 0;
Loop *g_loop = nullptr;
bool g_failed = false;

void SortPrepare(const FunctionCallbackInfo<Value> &info) {
  Local<Context> ctx = info.GetIsolate()->GetCurrentContext();
  g_n = info[0]->Int32Value(ctx).FromMaybe(0);
  uint32_t x = info[1]->Uint32Value(ctx).FromMaybe(1);
  if (!x) x = 1;
  free(g_data);
  g_data = static_cast<int32_t *>(malloc(sizeof(int32_t) * (g_n > 0 ? g_n : 1)));
  for (int32_t i = 0; i < g_n; i++) { x ^= x << 13; x ^= x >> 17; x ^= x << 5; g_data[i] = static_cast<int32_t>(x); }
}

int V8Cmp(const void *pa, const void *pb) {
  if (g_failed) return 0;
  Loop &l = *g_loop;
  HandleScope hs(l.iso);
  TryCatch tc(l.iso);
  Local<Value> argv[2] = {Integer::New(l.iso, *static_cast<const int32_t *>(pa)),
                          Integer::New(l.iso, *static_cast<const int32_t *>(pb))};
  Local<Value> r;
  int32_t out = 0;
  if (!l.fn->Call(l.ctx, l.recv, 2, argv).ToLocal(&r) || !r->Int32Value(l.ctx).To(&out)) {
    g_failed = true;
    tc.ReThrow();
    return 0;
  }
  return out;
}

void SortRun(const FunctionCallbackInfo<Value> &info) {
  Loop l(info);
  g_loop = &l;
  g_failed = false;
  qsort(g_data, g_n, sizeof(int32_t), V8Cmp);
  g_loop = nullptr;
  if (g_failed) return;
  bool ok = true;
  for (int32_t i = 1; i < g_n; i++) if (g_data[i - 1] > g_data[i]) { ok = false; break; }
  info.GetReturnValue().Set(ok);
}

}  // namespace

NODE_MODULE_INIT(/* exports, module, context */) {
  NODE_SET_METHOD(exports, "loopI32", LoopI32);
  NODE_SET_METHOD(exports, "loopF64x2", LoopF64x2);
  NODE_SET_METHOD(exports, "loopMixed8", LoopMixed8);
  NODE_SET_METHOD(exports, "loopPtr", LoopPtr);
  NODE_SET_METHOD(exports, "sortPrepare", SortPrepare);
  NODE_SET_METHOD(exports, "sortRun", SortRun);
}
