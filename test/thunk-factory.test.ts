/**
 * thunkFactory: wrapping native functions with JS (around) and serialising
 * calls from many threads onto the JS thread (makeSync).
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { FnPtr, loadLibrary, thunkFactory } from '../src/index';
import { compileSharedLibrary } from './support/cc';

const source = `
#include <pthread.h>
#include <sched.h>
#include <stdint.h>

/* Not thread-safe on purpose: a read, a yield, then a write. */
static int64_t counter;
int64_t counter_add(int32_t n) { int64_t v = counter; sched_yield(); counter = v + n; return counter; }
int64_t counter_get(void) { return counter; }

static int64_t (*g_add)(int32_t);
static int g_calls;
static void *worker(void *arg) { for (int i = 0; i < g_calls; i++) g_add(1); return arg; }
/* Starts threads that call add() and waits for them. */
void hammer(int64_t (*add)(int32_t), int32_t threads, int32_t calls) {
  pthread_t t[16];
  g_add = add; g_calls = calls;
  for (int i = 0; i < threads; i++) pthread_create(&t[i], 0, worker, 0);
  for (int i = 0; i < threads; i++) pthread_join(t[i], 0);
}
/* Calls f through a plain function pointer, as a hooked call site would. */
int32_t call_through(int32_t (*f)(int32_t), int32_t x) { return f(x); }
`;

const lib = loadLibrary(compileSharedLibrary('thunk-factory', source, ['-lpthread']));
const hammer = new FnPtr('void (void *add, int32_t threads, int32_t calls)', lib.symbol('hammer'), { serviceCallbacks: true });
const callThrough = new FnPtr('int32_t (void *f, int32_t x)', lib.symbol('call_through'));

test('around: the wrapper sees the arguments, calls the original, and can change the result', () => {
  const abs = new FnPtr('int32_t (int32_t)', loadLibrary().symbol('abs'));
  const seen: number[] = [];
  using hooked = thunkFactory.around(abs, (original, x) => {
    seen.push(x);
    return original(x) * 10;
  });
  assert.equal(callThrough.call(hooked.bare(), -7), 70);
  assert.equal(callThrough.call(hooked.bare(), 3), 30);
  assert.deepEqual(seen, [-7, 3]);
  assert.equal(hooked.signature, 'int32_t (int32_t)');
});

test('around: the wrapper may skip the original', () => {
  const abs = new FnPtr('int32_t (int32_t)', loadLibrary().symbol('abs'));
  using stub = thunkFactory.around(abs, () => 42);
  assert.equal(callThrough.call(stub.bare(), -1), 42);
});

test('makeSync: calls from 4 threads to a non-thread-safe function are serialised on the JS thread', () => {
  const add = new FnPtr('int64_t (int32_t)', lib.symbol('counter_add'));
  const get = new FnPtr('int64_t (void)', lib.symbol('counter_get'));
  const before = get.call();
  using safe = thunkFactory.makeSync(add);
  hammer.call(safe.bare(), 4, 2000);
  assert.equal(get.call() - before, 8000n, 'every increment must survive: the calls never overlapped');
});

test('around and makeSync refuse variadic targets at construction, saying why', () => {
  // sprintf, not snprintf: Windows' C runtimes (ucrtbase.dll, msvcrt.dll) export no snprintf.
  const sprintf = new FnPtr('int (char *, cstring, ...)', loadLibrary().symbol('sprintf'));
  assert.throws(() => thunkFactory.around(sprintf, (orig, ...a) => orig(...a)), { code: 'ERR_UNSUPPORTED_TYPE', message: /around\(\).*variadic.*'\.\.\.' arguments/ });
  assert.throws(() => thunkFactory.makeSync(sprintf), { code: 'ERR_UNSUPPORTED_TYPE', message: /makeSync\(\).*variadic/ });
});
