/**
 * Generator for the differential test: random scalar C signatures, random (edge-heavy)
 * argument and return values for each, and ONE C file that calls every signature's thunk
 * with those values and checks each returned value bit for bit.
 *
 * Every value is carried as its bit pattern (an unsigned bigint of the type's width) so the
 * C literal, the expected JS value and the comparisons all derive from one source of truth.
 */
import { f32FromBits, f64FromBits, f32Bits, f64Bits, hex32, hex64 } from './bits';
import { ON_WINDOWS } from './platform';
import type { Prng } from './prng';

export type Kind = 'int' | 'bool' | 'float' | 'double' | 'ptr' | 'void';

export interface CType {
  /** Spelling used both in the signature given to closure-ffi and in the C file. */
  name: string;
  kind: Kind;
  /** Width in bits of the value (0 for void). */
  bits: number;
  signed: boolean;
}

const int = (name: string, bits: number, signed: boolean): CType => ({ name, kind: 'int', bits, signed });

/**
 * Width of C's `long` on the target: 32 bits on Windows (LLP64: only `long long` and pointers
 * grow to 64), 64 on the LP64 Unix targets. Stated here rather than read from closure-ffi's
 * data model, so the tests check that model instead of repeating it.
 */
export const LONG_BITS = ON_WINDOWS ? 32 : 64;

/** Every scalar argument type exercised. */
export const ARG_TYPES: readonly CType[] = [
  { name: 'bool', kind: 'bool', bits: 8, signed: false },
  int('char', 8, true),
  int('signed char', 8, true),
  int('unsigned char', 8, false),
  int('short', 16, true),
  int('unsigned short', 16, false),
  int('int', 32, true),
  int('unsigned int', 32, false),
  int('long', LONG_BITS, true),
  int('unsigned long', LONG_BITS, false),
  int('long long', 64, true),
  int('unsigned long long', 64, false),
  int('int8_t', 8, true),
  int('uint8_t', 8, false),
  int('int16_t', 16, true),
  int('uint16_t', 16, false),
  int('int32_t', 32, true),
  int('uint32_t', 32, false),
  int('int64_t', 64, true),
  int('uint64_t', 64, false),
  int('size_t', 64, false),
  int('ssize_t', 64, true),
  int('intptr_t', 64, true),
  int('uintptr_t', 64, false),
  { name: 'float', kind: 'float', bits: 32, signed: true },
  { name: 'double', kind: 'double', bits: 64, signed: true },
  { name: 'void *', kind: 'ptr', bits: 64, signed: false },
  { name: 'const char *', kind: 'ptr', bits: 64, signed: false },
  { name: 'int32_t *', kind: 'ptr', bits: 64, signed: false },
  { name: 'double *', kind: 'ptr', bits: 64, signed: false },
];

export const VOID: CType = { name: 'void', kind: 'void', bits: 0, signed: false };
export const RET_TYPES: readonly CType[] = [...ARG_TYPES, VOID];

/**
 * Which NaNs are compared bit for bit.
 * - Quiet NaNs with payloads and either sign are generated for float and double, both as
 *   arguments and as return values, and must arrive with their exact bits when
 *   `nanPolicy` is 'exact'. With 'isnan' a NaN must arrive as some NaN (any payload), and
 *   payload differences are counted and reported, not failed.
 * - Signalling NaNs are never generated: a float reaches JS only after widening to double,
 *   which on x86 (cvtss2sd) quiets it, so its bits cannot survive by construction.
 */
export type NanPolicy = 'exact' | 'isnan';

const FLOAT_EDGES: readonly number[] = [
  0x00000000, 0x80000000, // +0, -0
  0x3f800000, 0xbf800000, // 1, -1
  0x7f7fffff, 0xff7fffff, // FLT_MAX, -FLT_MAX
  0x00800000, 0x80800000, // FLT_MIN (smallest normal)
  0x00000001, 0x007fffff, 0x80000001, // subnormals
  0x7f800000, 0xff800000, // +Inf, -Inf
  0x7fc00000, 0x7fc12345, 0xffc00001, 0x7fffffff, 0xffe00000, // quiet NaNs with payloads
];
const DOUBLE_EDGES: readonly bigint[] = [
  0x0000000000000000n, 0x8000000000000000n, // +0, -0
  0x3ff0000000000000n, 0xbff0000000000000n, // 1, -1
  0x7fefffffffffffffn, 0xffefffffffffffffn, // DBL_MAX, -DBL_MAX
  0x0010000000000000n, 0x8010000000000000n, // DBL_MIN
  0x0000000000000001n, 0x000fffffffffffffn, 0x800000000000deadn, // subnormals
  0x7ff0000000000000n, 0xfff0000000000000n, // +Inf, -Inf
  0x7ff8000000000000n, 0x7ff8dead0000beefn, 0xfff8000000000001n, 0x7fffffffffffffffn, // quiet NaNs
  0x47efffffe0000000n, // FLT_MAX as double
  0x4340000000000001n, // 2^53 + 2
];
const PTR_EDGES: readonly bigint[] = [
  0n, 1n, 0xffffffffffffffffn, 0x00007fffffffffffn, 0x8000000000000000n, 0x0000000100000000n,
];

function mask(bits: number): bigint {
  return (1n << BigInt(bits)) - 1n;
}

function intEdges(t: CType): bigint[] {
  const m = mask(t.bits);
  const half = 1n << BigInt(t.bits - 1);
  return t.signed
    ? [half /* MIN */, half - 1n /* MAX */, 0n, m /* -1 */, 1n, half + 1n]
    : [0n, m /* MAX */, 1n, m - 1n, half, half - 1n];
}

/** A random bit pattern for a value of type `t` (40% edge values). */
export function randomBits(rng: Prng, t: CType): bigint {
  const edge = rng.chance(0.4);
  switch (t.kind) {
    case 'bool':
      return BigInt(rng.int(2));
    case 'int': {
      if (edge) return rng.pick(intEdges(t));
      if (rng.chance(0.3)) {
        // small magnitudes, positive or negative
        const v = BigInt(rng.int(200) - 100);
        return BigInt.asUintN(t.bits, v);
      }
      return rng.u64() & mask(t.bits);
    }
    case 'float': {
      if (edge) return BigInt(rng.pick(FLOAT_EDGES));
      let b = rng.u32();
      if ((b & 0x7f800000) === 0x7f800000 && (b & 0x007fffff) !== 0) b = (b | 0x00400000) >>> 0; // quiet
      return BigInt(b);
    }
    case 'double': {
      if (edge) return rng.pick(DOUBLE_EDGES);
      if (rng.chance(0.3)) return f64Bits((rng.int(2_000_001) - 1_000_000) / 64);
      let b = rng.u64();
      if ((b & 0x7ff0000000000000n) === 0x7ff0000000000000n && (b & 0x000fffffffffffffn) !== 0n) {
        b |= 0x0008000000000000n; // quiet
      }
      return b;
    }
    case 'ptr':
      if (edge) return rng.pick(PTR_EDGES);
      return rng.chance(0.5) ? rng.u64() : rng.u64() & 0x00007ffffffffff8n;
    case 'void':
      return 0n;
  }
}

/** The JS value closure-ffi must produce for (or accept as) bits `b` of type `t`. */
export function jsValue(t: CType, b: bigint): number | bigint | boolean | undefined {
  switch (t.kind) {
    case 'void':
      return undefined;
    case 'bool':
      return b !== 0n;
    case 'float':
      return f32FromBits(Number(b));
    case 'double':
      return f64FromBits(b);
    case 'ptr':
      return BigInt.asUintN(64, b);
    case 'int':
      if (t.bits === 64) return t.signed ? BigInt.asIntN(64, b) : BigInt.asUintN(64, b);
      return Number(t.signed ? BigInt.asIntN(t.bits, b) : BigInt.asUintN(t.bits, b));
  }
}

function isNanBits(t: CType, b: bigint): boolean {
  if (t.kind === 'float') return (Number(b) & 0x7f800000) === 0x7f800000 && (Number(b) & 0x007fffff) !== 0;
  if (t.kind === 'double') {
    return (b & 0x7ff0000000000000n) === 0x7ff0000000000000n && (b & 0x000fffffffffffffn) !== 0n;
  }
  return false;
}

function fmtBits(t: CType, b: bigint): string {
  if (t.kind === 'float') return `${hex32(Number(b))} (${f32FromBits(Number(b))})`;
  if (t.kind === 'double') return `${hex64(b)} (${f64FromBits(b)})`;
  return `${jsValue(t, b)}`;
}

function fmtGot(t: CType, v: unknown): string {
  if (typeof v === 'number' && t.kind === 'float') return `${hex32(f32Bits(v))} (${v})`;
  if (typeof v === 'number' && t.kind === 'double') return `${hex64(f64Bits(v))} (${v})`;
  return `${typeof v} ${typeof v === 'bigint' ? `${v}n` : String(v)}`;
}

export interface CompareOutcome {
  ok: boolean;
  /** true when only a NaN payload differed and the policy is 'isnan'. */
  nanPayloadOnly?: boolean;
  detail?: string;
}

/** Is JS value `v` exactly the value with bits `b` of type `t`? */
export function compareJs(t: CType, v: unknown, b: bigint, nan: NanPolicy): CompareOutcome {
  const want = jsValue(t, b);
  const bad = (): CompareOutcome => ({ ok: false, detail: `got ${fmtGot(t, v)}, want ${fmtBits(t, b)}` });
  switch (t.kind) {
    case 'void':
      return v === undefined ? { ok: true } : bad();
    case 'bool':
      return v === want ? { ok: true } : bad();
    case 'ptr':
    case 'int':
      return typeof v === typeof want && v === want ? { ok: true } : bad();
    case 'float':
    case 'double': {
      if (typeof v !== 'number') return bad();
      if (isNanBits(t, b)) {
        if (!Number.isNaN(v)) return bad();
        const gotBits = t.kind === 'float' ? BigInt(f32Bits(v)) : f64Bits(v);
        if (gotBits === b) return { ok: true };
        // A double that is a NaN but not a float-representable one would still be caught by
        // the bits check above; here only the payload/sign differs.
        return nan === 'isnan' ? { ok: true, nanPayloadOnly: true } : bad();
      }
      // Non-NaN: the number must be exactly the value (Object.is distinguishes -0), and for
      // float it must be a float-representable double (no extra precision).
      return Object.is(v, want) ? { ok: true } : bad();
    }
  }
}

export interface CallCase {
  args: bigint[];
  ret: bigint;
  /**
   * When set, this call goes through a pointer cast to a prototype where every narrow
   * integer/bool argument is `uint64_t`; these are the raw 64-bit values passed, whose low
   * bits are `args[i]` and whose upper bits are garbage the thunk must ignore.
   */
  wide?: (bigint | null)[];
}

export interface SigCase {
  index: number;
  ret: CType;
  args: CType[];
  /** What is given to closure-ffi: a prototype string or a descriptor. */
  spec: string | { args: string[]; ret: string };
  /** Prototype text for messages. */
  text: string;
  calls: CallCase[];
}

function isNarrow(t: CType): boolean {
  return (t.kind === 'int' && t.bits < 64) || t.kind === 'bool';
}

export interface GenOptions {
  count: number;
  callsPerSig: number;
  /** Fraction of eligible signatures that get an extra wide-prototype call. */
  wideFraction: number;
}

export function generateSignatures(rng: Prng, opts: GenOptions): SigCase[] {
  const sigs: SigCase[] = [];
  const n = opts.count;
  for (let i = 0; i < n; i++) {
    let ret: CType;
    let args: CType[];
    if (i < RET_TYPES.length) {
      // every return type once, with a random argument list
      ret = RET_TYPES[i];
      args = Array.from({ length: rng.int(17) }, () => rng.pick(ARG_TYPES));
    } else if (i < RET_TYPES.length + 17) {
      // every argument count 0..16 once
      ret = rng.pick(RET_TYPES);
      args = Array.from({ length: i - RET_TYPES.length }, () => rng.pick(ARG_TYPES));
    } else if (i < RET_TYPES.length + 17 + ARG_TYPES.length) {
      // every argument type filling all 16 positions (registers exhausted -> stack)
      ret = rng.pick(RET_TYPES);
      const t = ARG_TYPES[i - RET_TYPES.length - 17];
      args = Array.from({ length: 16 }, () => t);
    } else {
      ret = rng.pick(RET_TYPES);
      const len = rng.chance(0.3) ? 9 + rng.int(8) : rng.int(17);
      args = Array.from({ length: len }, () => rng.pick(ARG_TYPES));
    }
    const useDescriptor = rng.chance(0.3);
    const named = rng.chance(0.3);
    const argText = args.length === 0 ? 'void' : args.map((a, k) => (named ? `${a.name} a${k}` : a.name)).join(', ');
    const text = `${ret.name} (${argText})`;
    const spec = useDescriptor ? { args: args.map((a) => a.name), ret: ret.name } : text;
    const calls: CallCase[] = [];
    for (let k = 0; k < opts.callsPerSig; k++) {
      calls.push({ args: args.map((a) => randomBits(rng, a)), ret: randomBits(rng, ret) });
    }
    if (args.some(isNarrow) && rng.chance(opts.wideFraction)) {
      const a = args.map((t) => randomBits(rng, t));
      const wide = args.map((t, k) => {
        if (!isNarrow(t)) return null;
        // garbage above the declared width (bool: above bit 7; bits 1..7 must stay 0)
        const garbage = rng.u64() | (1n << 63n) | (1n << BigInt(t.bits));
        return (garbage & ~mask(t.bits)) | a[k];
      });
      calls.push({ args: a, ret: randomBits(rng, ret), wide });
    }
    sigs.push({ index: i, ret, args, spec, text, calls });
  }
  return sigs;
}

/* ------------------------------------------------------------------------------------ */
/* C emission                                                                           */
/* ------------------------------------------------------------------------------------ */

function cLiteral(t: CType, b: bigint): string {
  switch (t.kind) {
    case 'bool':
      return b ? 'true' : 'false';
    case 'int':
      return `(${t.name})0x${b.toString(16)}ull`;
    case 'float':
      return `F32(0x${b.toString(16)}u)`;
    case 'double':
      return `F64(0x${b.toString(16)}ull)`;
    case 'ptr':
      return `(${t.name})(uintptr_t)0x${b.toString(16)}ull`;
    case 'void':
      throw new Error('void literal');
  }
}

function retCheck(t: CType, b: bigint, nan: NanPolicy): string {
  const nanSoft = nan === 'isnan' && isNanBits(t, b);
  switch (t.kind) {
    case 'void':
      return '';
    case 'bool':
      return `{ unsigned char raw; memcpy(&raw, &r, 1); if (raw != ${b}) FAIL("bool returned byte 0x%x, want ${b}", raw); }`;
    case 'int':
    case 'ptr':
      return `if (r != ${cLiteral(t, b)}) FAIL("returned 0x%llx, want 0x${b.toString(16)}", (unsigned long long)(uintptr_t)r & 0x${mask(t.bits).toString(16)}ull);`;
    case 'float':
      return nanSoft
        ? `if (B32(r) != 0x${b.toString(16)}u) { if (r != r) nan_soft++; else FAIL("float returned 0x%08x, want NaN 0x${b.toString(16)}", B32(r)); }`
        : `if (B32(r) != 0x${b.toString(16)}u) FAIL("float returned 0x%08x, want 0x${b.toString(16)}", B32(r));`;
    case 'double':
      return nanSoft
        ? `if (B64(r) != 0x${b.toString(16)}ull) { if (r != r) nan_soft++; else FAIL("double returned 0x%016llx, want NaN 0x${b.toString(16)}", (unsigned long long)B64(r)); }`
        : `if (B64(r) != 0x${b.toString(16)}ull) FAIL("double returned 0x%016llx, want 0x${b.toString(16)}", (unsigned long long)B64(r));`;
  }
}

/**
 * The start of a generated C driver: headers, bit-cast helpers (F32/F64 from bits, B32/B64
 * to bits), EXPORT, the table of thunks JS fills with set_thunk(i, p), and the failure log
 * (fail_at(dir, sig, call, fmt, ...); exported as fail_log, fail_count, calls_count).
 */
export function cDriverPrelude(sigCount: number): string {
  return `#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <stdarg.h>
#include <sys/types.h>
#ifdef _WIN32
#define EXPORT __declspec(dllexport)
#else
#define EXPORT __attribute__((visibility("default")))
#endif
static inline float F32(uint32_t b) { float f; memcpy(&f, &b, 4); return f; }
static inline double F64(uint64_t b) { double d; memcpy(&d, &b, 8); return d; }
static inline uint32_t B32(float f) { uint32_t b; memcpy(&b, &f, 4); return b; }
static inline uint64_t B64(double d) { uint64_t b; memcpy(&b, &d, 8); return b; }
#define N_SIGS ${sigCount}
static void *thunks[N_SIGS];
EXPORT void set_thunk(int i, void *p) { thunks[i] = p; }
static int fails, calls_made;
static char logbuf[16384];
static size_t loglen;
static void fail_at(const char *dir, int sig, int call, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void fail_at(const char *dir, int sig, int call, const char *fmt, ...) {
  fails++;
  if (loglen + 300 >= sizeof logbuf) return;
  loglen += (size_t)snprintf(logbuf + loglen, sizeof logbuf - loglen, "%s sig %d call %d: ", dir, sig, call);
  va_list ap;
  va_start(ap, fmt);
  loglen += (size_t)vsnprintf(logbuf + loglen, sizeof logbuf - loglen, fmt, ap);
  va_end(ap);
  if (loglen + 1 < sizeof logbuf) { logbuf[loglen++] = '\\n'; logbuf[loglen] = 0; }
}
EXPORT const char *fail_log(void) { return logbuf; }
EXPORT int fail_count(void) { return fails; }
EXPORT int calls_count(void) { return calls_made; }
`;
}

/**
 * The convention generated C declares its thunks (and functions) with: 'native' leaves the
 * compiler's own (System V on x86-64 Linux, Win64 on Windows, AAPCS64 on AArch64); 'ms' and
 * 'sysv' name an x86-64 one with GCC's ms_abi / sysv_abi attribute.
 */
export type CConvention = 'native' | 'ms' | 'sysv';

/** The attribute (with a trailing space) that declares a function of convention `c`; '' for 'native'. */
export function cConventionAttribute(c: CConvention): string {
  return c === 'native' ? '' : `__attribute__((${c}_abi)) `;
}

/**
 * One C translation unit for all signatures. Exports set_thunk, run_range, fail_log,
 * nan_soft_count. The thunks are called as functions of `convention`.
 */
export function emitC(sigs: SigCase[], nan: NanPolicy, convention: CConvention = 'native'): string {
  const cc = cConventionAttribute(convention);
  const out: string[] = [];
  out.push(`/* generated by test/support/differential-gen.ts: ${sigs.length} signatures */
${cDriverPrelude(sigs.length)}static int nan_soft;
EXPORT int nan_soft_count(void) { return nan_soft; }
`);
  for (const s of sigs) {
    const params = s.args.length ? s.args.map((a) => a.name).join(', ') : 'void';
    out.push(`/* ${s.index}: ${s.text} */`);
    out.push(`typedef ${s.ret.name} (${cc}*sig${s.index}_t)(${params});`);
    const hasWide = s.calls.some((c) => c.wide);
    if (hasWide) {
      const wparams = s.args.map((a) => (isNarrow(a) ? 'uint64_t' : a.name)).join(', ');
      out.push(`typedef ${s.ret.name} (${cc}*sig${s.index}_wide_t)(${wparams});`);
    }
    out.push(`static void run${s.index}(void) {`);
    out.push(`  const int sig = ${s.index};`);
    s.calls.forEach((c, k) => {
      const lits = c.wide
        ? s.args.map((a, j) => (c.wide![j] !== null ? `0x${c.wide![j]!.toString(16)}ull` : cLiteral(a, c.args[j])))
        : s.args.map((a, j) => cLiteral(a, c.args[j]));
      const callee = c.wide ? `((sig${s.index}_wide_t)thunks[sig])` : `((sig${s.index}_t)thunks[sig])`;
      const call = `${callee}(${lits.join(', ')})`;
      out.push(`  { const int call = ${k}; (void)call; calls_made++;`);
      out.push(`#define FAIL(...) fail_at("C<-thunk", sig, call, __VA_ARGS__)`);
      if (s.ret.kind === 'void') out.push(`    ${call};`);
      else out.push(`    ${s.ret.name} r = ${call};\n    ${retCheck(s.ret, c.ret, nan)}`);
      out.push(`#undef FAIL`);
      out.push(`  }`);
    });
    out.push(`}`);
  }
  out.push(`static void (*const runs[N_SIGS])(void) = { ${sigs.map((s) => `run${s.index}`).join(', ')} };`);
  out.push(`/* Runs signatures [from, to); returns the number of failed checks so far. */
EXPORT int run_range(int from, int to) {
  for (int i = from; i < to && i < N_SIGS; i++) runs[i]();
  return fails;
}`);
  return out.join('\n') + '\n';
}

/** Inverse of {@link jsValue}: the bit pattern of a JS value of type `t` (unsigned, type width). */
export function bitsOf(t: CType, v: number | bigint | boolean | undefined): bigint {
  switch (t.kind) {
    case 'void':
      return 0n;
    case 'bool':
      return v ? 1n : 0n;
    case 'float':
      return BigInt(f32Bits(v as number));
    case 'double':
      return f64Bits(v as number);
    case 'ptr':
    case 'int':
      return BigInt.asUintN(t.bits, BigInt(v as number | bigint));
  }
}

/** The scalar type table entry for a C spelling used in the tests. */
export function typeNamed(name: string): CType {
  const t = RET_TYPES.find((x) => x.name === name);
  if (!t) throw new Error(`no test type named '${name}'`);
  return t;
}

/** Edge values of an integer type as bit patterns (MIN, MAX, 0, -1, ...). */
export function intEdgeBits(t: CType): bigint[] {
  return intEdges(t);
}
