/**
 * test/c/callbacks.c compiled with `cc` and loaded through koffi (an independent FFI),
 * so that the C side of the callback tests is driven by something other than closure-ffi.
 *
 * On Windows the driver is test/c/napi-caller.c instead, a small Node addon that calls C
 * functions under the Win64 convention: koffi runs C on a stack of its own, and a thunk
 * called there is refused on Windows by design (no V8-direct accelerator). Like koffi, it
 * calls from outside any closure-ffi call, so a callback under it has no enclosing JS call.
 */
import koffi from 'koffi';
import { FnPtr, loadLibrary, memory } from '../../src/index';
import { compileTestLibrary } from './cc';
import { ON_WINDOWS } from './platform';

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
  /**
   * Bindings by C function name: koffi's, or on Windows the napi-caller's (see the file
   * comment), which return what koffi does but for pointers (bigint, or null for NULL) and
   * 64-bit integers (always bigint).
   */
  fn: Record<string, AnyFn>;
  /** What `fn` calls through: 'koffi', or on Windows 'the napi-caller addon'. */
  via: string;
  /** The library loaded by koffi (on Windows too, where a thunk called through it is refused). */
  koffiLib: ReturnType<typeof koffi.load>;
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
  const so = loadLibrary(path);
  const def = (proto: string) => {
    const name = /([A-Za-z_0-9]+)\s*\(/.exec(proto)![1];
    fn[name] = ON_WINDOWS ? napiCaller(proto, so.symbol(name)) : (lib.func(proto) as AnyFn);
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
  def('int64_t call_stk(int n)');
  def('int32_t call_i32_on_thread(int32_t x)');
  def('void register_callback(void *cb)');
  def('void trigger(uint32_t n)');
  const fnptr = (proto: string): AnyFn => {
    const m = /^(.*?)\b([A-Za-z_][A-Za-z_0-9]*)\s*(\(.*\))\s*$/.exec(proto);
    if (!m) throw new Error(`bad prototype ${proto}`);
    const f = new FnPtr(`${m[1].trim()} ${m[3]}` as never, so.symbol(m[2]));
    return f.call as AnyFn;
  };
  cached = { path, fn, via: ON_WINDOWS ? 'the napi-caller addon' : 'koffi', koffiLib: lib, log: () => String(fn.drive_log()), fnptr };
  return cached;
}

/** Argument types of mix24 in callbacks.c. */
export const MIX24_TYPES = [
  'bool', 'int8_t', 'float', 'uint16_t', 'double', 'int32_t', 'void *', 'uint64_t',
  'float', 'int16_t', 'double', 'uint8_t', 'float', 'int64_t', 'double', 'uint32_t',
  'double', 'char', 'float', 'long', 'double', 'size_t', 'float', 'int',
] as const;

/** How the napi-caller passes a value of one C type: its 64-bit slot, and back. */
type Kind =
  | { k: 'void' | 'bool' | 'f32' | 'f64' }
  | { k: 'int'; bits: number; signed: boolean }
  | { k: 'ptr'; string: boolean };

/** Integer types on Windows x64: [bits, signed]. LLP64: `long` is 32 bits. */
const WIN64_INTS: Record<string, readonly [number, boolean]> = {
  char: [8, true], 'signed char': [8, true], 'unsigned char': [8, false], int8_t: [8, true], uint8_t: [8, false],
  short: [16, true], 'unsigned short': [16, false], int16_t: [16, true], uint16_t: [16, false],
  int: [32, true], 'unsigned int': [32, false], int32_t: [32, true], uint32_t: [32, false],
  long: [32, true], 'unsigned long': [32, false],
  'long long': [64, true], 'unsigned long long': [64, false], int64_t: [64, true], uint64_t: [64, false],
  size_t: [64, false], ssize_t: [64, true], intptr_t: [64, true], uintptr_t: [64, false],
};
const TYPE_WORDS = new Set(['void', 'bool', 'char', 'short', 'int', 'long', 'signed', 'unsigned', 'float', 'double', 'const']);

/** The kind of a parameter or result declaration ('const char *s', 'int8_t a', 'double'). */
function kindOf(decl: string): Kind {
  if (decl.includes('*')) return { k: 'ptr', string: /\bchar\b/.test(decl) };
  const words = decl.trim().split(/\s+/);
  const last = words[words.length - 1];
  if (words.length > 1 && !TYPE_WORDS.has(last) && !last.endsWith('_t')) words.pop(); // a parameter name
  const name = words.join(' ');
  if (name === 'void' || name === 'bool') return { k: name };
  if (name === 'float') return { k: 'f32' };
  if (name === 'double') return { k: 'f64' };
  const int = WIN64_INTS[name];
  if (!int) throw new Error(`napi-caller: no type '${name}'`);
  return { k: 'int', bits: int[0], signed: int[1] };
}

interface NapiCallerAddon {
  call(fn: bigint, slots: BigUint64Array, out: BigUint64Array): void;
}
let addon: NapiCallerAddon | undefined;
const scratch = new DataView(new ArrayBuffer(8));

/** A JS function that calls the C function at `address`, of prototype `proto`, through the napi-caller addon. */
function napiCaller(proto: string, address: bigint): AnyFn {
  if (!addon) {
    const m = { exports: {} as NapiCallerAddon };
    process.dlopen(m, compileTestLibrary('napi-caller.c'));
    addon = m.exports;
  }
  const call = addon.call;
  const m = /^(.*?)\b[A-Za-z_][A-Za-z_0-9]*\s*\((.*)\)\s*$/.exec(proto);
  if (!m) throw new Error(`napi-caller: bad prototype ${proto}`);
  const ret = kindOf(m[1]);
  const params = m[2].trim() === 'void' || m[2].trim() === '' ? [] : m[2].split(',').map(kindOf);
  const slots = new BigUint64Array(Math.max(4, params.length));
  const out = new BigUint64Array(2);
  return (...args: unknown[]) => {
    if (args.length !== params.length) throw new TypeError(`napi-caller: ${proto} takes ${params.length} arguments, got ${args.length}`);
    const temps: bigint[] = [];
    try {
      params.forEach((p, i) => (slots[i] = toSlot(p, args[i], temps)));
      call(address, slots, out);
    } finally {
      temps.forEach((t) => memory.free(t));
    }
    return fromSlots(ret, out);
  };
}

function toSlot(kind: Kind, v: unknown, temps: bigint[]): bigint {
  switch (kind.k) {
    case 'bool':
      return v ? 1n : 0n;
    case 'f64':
      scratch.setFloat64(0, v as number, true);
      return scratch.getBigUint64(0, true);
    case 'f32':
      scratch.setFloat32(0, v as number, true);
      return BigInt(scratch.getUint32(0, true));
    case 'int': {
      const x = BigInt(typeof v === 'boolean' ? Number(v) : (v as number | bigint));
      return BigInt.asUintN(64, kind.signed ? BigInt.asIntN(kind.bits, x) : BigInt.asUintN(kind.bits, x));
    }
    case 'ptr': {
      if (v === null || v === undefined) return 0n;
      if (typeof v !== 'string') return BigInt.asUintN(64, BigInt(v as bigint));
      const bytes = Buffer.from(`${v}\0`, 'utf8');
      const p = memory.alloc(bytes.length);
      temps.push(p);
      memory.write(p, bytes);
      return p;
    }
    default:
      throw new TypeError(`napi-caller: no ${kind.k} parameters`);
  }
}

function fromSlots(kind: Kind, out: BigUint64Array): unknown {
  const [rax, xmm0] = [out[0], out[1]];
  switch (kind.k) {
    case 'void':
      return undefined;
    case 'bool':
      return (rax & 0xffn) !== 0n;
    case 'f64':
      scratch.setBigUint64(0, xmm0, true);
      return scratch.getFloat64(0, true);
    case 'f32':
      scratch.setBigUint64(0, xmm0, true);
      return scratch.getFloat32(0, true);
    case 'int': {
      const x = kind.signed ? BigInt.asIntN(kind.bits, rax) : BigInt.asUintN(kind.bits, rax);
      return kind.bits === 64 ? x : Number(x);
    }
    case 'ptr':
      return rax === 0n ? null : kind.string ? memory.readCString(rax) : rax;
  }
}
