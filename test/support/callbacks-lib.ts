/**
 * test/c/callbacks.c compiled with `cc` and loaded through koffi (an independent FFI),
 * so that the C side of the callback tests is driven by something other than closure-ffi.
 */
import koffi from 'koffi';
import { FnPtr, loadLibrary } from '../../src/index';
import { compileTestLibrary } from './cc';

/** C type spelling -> koffi type spelling (koffi has no ssize_t; size_t spelled explicitly). */
export function koffiType(t: string): string {
  switch (t) {
    case 'ssize_t':
      return 'int64_t';
    case 'size_t':
      return 'uint64_t';
    case 'signed char':
      return 'int8_t';
    default:
      return t.includes('*') ? 'void *' : t;
  }
}

/** Integer callbacks of callbacks.c: suffix -> C type. */
export const INT_TYPES: ReadonlyArray<readonly [string, string]> = [
  ['char', 'char'], ['schar', 'signed char'], ['uchar', 'unsigned char'],
  ['short', 'short'], ['ushort', 'unsigned short'], ['int', 'int'], ['uint', 'unsigned int'],
  ['long', 'long'], ['ulong', 'unsigned long'], ['llong', 'long long'], ['ullong', 'unsigned long long'],
  ['i8', 'int8_t'], ['u8', 'uint8_t'], ['i16', 'int16_t'], ['u16', 'uint16_t'], ['i32', 'int32_t'],
  ['u32', 'uint32_t'], ['i64', 'int64_t'], ['u64', 'uint64_t'], ['size', 'size_t'], ['ssize', 'ssize_t'],
  ['intptr', 'intptr_t'], ['uintptr', 'uintptr_t'],
];

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyFn = (...args: any[]) => any;

export interface CallbacksLib {
  path: string;
  /** koffi bindings by C function name. */
  fn: Record<string, AnyFn>;
  /** drive_log() as a JS string. */
  log(): string;
  /**
   * The same C function called through closure-ffi's own FnPtr, from a prototype
   * `'ret name(args)'`. Needed inside closures that were entered from koffi: koffi runs
   * native code on a private stack and does not know a closure-ffi callback is live on it,
   * so a nested koffi call from such a closure reuses (and clobbers) that stack.
   */
  fnptr(proto: string): AnyFn;
}

let cached: CallbacksLib | undefined;

export function loadCallbacksLib(): CallbacksLib {
  if (cached) return cached;
  const path = compileTestLibrary('callbacks.c');
  const lib = koffi.load(path);
  const fn: Record<string, AnyFn> = {};
  const def = (proto: string) => {
    const name = /([A-Za-z_0-9]+)\s*\(/.exec(proto)![1];
    fn[name] = lib.func(proto) as AnyFn;
  };
  def('void reset_log(void)');
  def('const char *drive_log(void)');
  const scalar = (name: string, t: string) => {
    const kt = koffiType(t);
    def(`void register_${name}(void *cb)`);
    def(`${kt} call_${name}(${kt} x)`);
    def(`int drive_${name}(int reps)`);
  };
  for (const [name, t] of INT_TYPES) scalar(name, t);
  scalar('bool', 'bool');
  scalar('float', 'float');
  scalar('double', 'double');
  scalar('ptr', 'void *');
  def('void register_strlen(void *cb)');
  def('uint64_t call_strlen(const char *s)');
  def('int drive_strlen(int reps)');
  def('void register_store(void *cb)');
  def('int call_store(int v)');
  def('int drive_store(int reps)');
  def('void register_void(void *cb)');
  def('void call_void(void)');
  def('int drive_void(int reps)');
  def('void register_mix8(void *cb)');
  def('double call_mix8(int8_t a, double b, uint16_t c, float d, int64_t e, double f, uint32_t g, float h)');
  def('int drive_mix8(int reps)');
  const ints20 = 'int8_t, int16_t, int32_t, int64_t, uint8_t, uint16_t, uint32_t, uint64_t';
  def('void register_ints20(void *cb)');
  def(`int64_t call_ints20(${ints20}, ${ints20}, int8_t, int16_t, int32_t, int64_t)`);
  def('int drive_ints20(int reps)');
  def('void register_dbl20(void *cb)');
  def(`double call_dbl20(${Array(20).fill('double').join(', ')})`);
  def('int drive_dbl20(int reps)');
  def('void register_flt18(void *cb)');
  def(`float call_flt18(${Array(18).fill('float').join(', ')})`);
  def('int drive_flt18(int reps)');
  def('void register_mix24(void *cb)');
  def(`uint64_t call_mix24(${MIX24_TYPES.map(koffiType).join(', ')})`);
  def(`uint64_t mix24_expect(${MIX24_TYPES.map(koffiType).join(', ')})`);
  def('int drive_mix24(int reps)');
  def('void register_slot(int i, void *cb)');
  def('int call_slot(int i, int x)');
  def('int drive_slots(int n, int reps)');
  def('void register_rec(void *cb)');
  def('int32_t recurse(int32_t n)');
  def('int check_callee_saved(void *fn)');
  def('int check_callee_saved_stack(void *fn)');
  def('int stack_misalignment(void)');
  def('void register_stk(int n, void *cb)');
  def('long call_stk(int n)');
  def('int32_t call_i32_on_thread(int32_t x)');
  def('void register_callback(void *cb)');
  def('void trigger(uint32_t n)');
  const so = loadLibrary(path);
  const fnptr = (proto: string): AnyFn => {
    const m = /^(.*?)\b([A-Za-z_][A-Za-z_0-9]*)\s*(\(.*\))\s*$/.exec(proto);
    if (!m) throw new Error(`bad prototype ${proto}`);
    const f = new FnPtr(`${m[1].trim()} ${m[3]}` as never, so.symbol(m[2]));
    return f.call as AnyFn;
  };
  cached = { path, fn, log: () => String(fn.drive_log()), fnptr };
  return cached;
}

/** Argument types of mix24 in callbacks.c. */
export const MIX24_TYPES = [
  'bool', 'int8_t', 'float', 'uint16_t', 'double', 'int32_t', 'void *', 'uint64_t',
  'float', 'int16_t', 'double', 'uint8_t', 'float', 'int64_t', 'double', 'uint32_t',
  'double', 'char', 'float', 'long', 'double', 'size_t', 'float', 'int',
] as const;
