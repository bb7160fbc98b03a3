/**
 * `npm run demo`: the seed's example (a C API whose callback gets no context
 * pointer) and libc's qsort driven by a JS comparator.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { BareFn, BareFnMut, FnPtr, loadLibrary, memory } from '../src/index';

function buildExampleLibrary(): string {
  const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'closure-ffi-demo-')), 'libcallback_api.so');
  execFileSync('cc', ['-shared', '-fPIC', '-O2', '-o', out, path.join(__dirname, 'callback_api.c')]);
  return out;
}

function seedExample(): void {
  console.log('1) A C API that takes `void (*)(uint32_t)` and no context pointer');
  const lib = loadLibrary(buildExampleLibrary());
  const register = new FnPtr('void ffi_register_callback(void (*cb)(uint32_t))', lib.symbol('ffi_register_callback'));
  const unregister = new FnPtr('void ffi_unregister_callback(void (*cb)(uint32_t))', lib.symbol('ffi_unregister_callback'));
  const trigger = new FnPtr('uint32_t ffi_trigger(uint32_t n)', lib.symbol('ffi_trigger'));

  let sum = 0; // state captured by the closure: no statics, no context pointer
  using wrapped = new BareFnMut('void (uint32_t)', (x) => {
    sum += x;
  });
  register.call(wrapped.bare());
  const calls = trigger.call(100);
  unregister.call(wrapped.bare());
  console.log(`   C called the closure ${calls} times at ${hex(wrapped.bare())}; sum of 1..100 = ${sum}`);
}

function qsortExample(): void {
  console.log('2) libc qsort with a JS comparator');
  const values = Int32Array.from({ length: 12 }, (_, i) => ((i * 7919) % 101) - 50);
  const base = memory.alloc(values.byteLength);
  memory.write(base, values);
  const view = new DataView(memory.view(base, values.byteLength));
  let comparisons = 0;
  using cmp = new BareFn('int (const void *a, const void *b)', (a, b) => {
    comparisons++;
    const x = view.getInt32(Number(a - base), true);
    const y = view.getInt32(Number(b - base), true);
    return x < y ? -1 : x > y ? 1 : 0;
  });
  const qsort = new FnPtr('void qsort(void *base, size_t nmemb, size_t size, int (*compar)(const void *, const void *))', loadLibrary().symbol('qsort'));
  console.log(`   before: ${Array.from(values).join(' ')}`);
  qsort.call(base, BigInt(values.length), 4n, cmp.bare());
  const sorted = Array.from(values, (_, i) => view.getInt32(i * 4, true));
  memory.free(base);
  console.log(`   after:  ${sorted.join(' ')}  (${comparisons} comparisons through the thunk)`);
}

function hex(p: bigint): string {
  return '0x' + p.toString(16);
}

seedExample();
qsortExample();
