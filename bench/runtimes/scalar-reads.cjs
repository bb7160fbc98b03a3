// Side table of the bench (bench/runtimes/side-table.ts): scalar reads of native memory in
// one runtime, per read, in this process. Run by Bun, Deno or Node with CommonJS:
//   <runtime> bench/runtimes/scalar-reads.cjs
// Prints one line `@@READS@@ {json}` with ns per read for each way this runtime has:
// Bun's read.i32, Deno's UnsafePointerView#getInt32, and closure-ffi's decode/memory.i32.
'use strict';
const path = require('node:path');

const N = 5_000_000;
const WORDS = 1024;
const now = () => Number(process.hrtime.bigint());

function time(read) {
  let sum = 0;
  for (let i = 0; i < N / 10; i++) sum += read((i & (WORDS - 1)) * 4); // warm up
  const t0 = now();
  for (let i = 0; i < N; i++) sum += read((i & (WORDS - 1)) * 4);
  const ns = (now() - t0) / N;
  if (!Number.isFinite(sum)) throw new Error('bad sum');
  return ns;
}

const results = {};
const data = new Int32Array(WORDS).map((_, i) => i * 7);

if (typeof Bun !== 'undefined') {
  const { ptr, read } = require('bun:ffi');
  const p = ptr(data);
  results['bun read.i32'] = time((off) => read.i32(p, off));
}
if (typeof Deno !== 'undefined') {
  const view = new Deno.UnsafePointerView(Deno.UnsafePointer.of(data));
  results['deno getInt32'] = time((off) => view.getInt32(off));
}
try {
  const cffi = require(process.env.CLOSURE_FFI_ROOT || path.join(__dirname, '..', '..'));
  const base = cffi.memory.alloc(WORDS * 4);
  cffi.memory.write(base, data);
  const baseNum = Number(base);
  results['closure-ffi memory.i32'] = time((off) => cffi.memory.i32(baseNum, off));
  const pointers = Array.from({ length: WORDS }, (_, i) => base + BigInt(i * 4)); // bigints made once, as a callback receives them
  results['closure-ffi decode'] = time((off) => cffi.decode(pointers[off >> 2], 'int32_t'));
  cffi.memory.free(base);
} catch (e) {
  results['closure-ffi'] = `unavailable: ${String(e && e.message ? e.message : e).split('\n')[0]}`;
}
console.log(`@@READS@@ ${JSON.stringify(results)}`);
