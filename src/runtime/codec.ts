/**
 * Per-signature decoders and encoders, generated as JS source once per lowering
 * and compiled with `new Function`, so each signature gets straight-line,
 * monomorphic code: one typed-array load per argument, no loops, no switches.
 *
 * The same two primitives serve both directions:
 *  - load:  a value in a frame word -> JS (inbound arguments, outbound results)
 *  - store: JS -> a frame word, checked and extended to 64 bits as the ABI wants
 *           (inbound results, outbound arguments)
 */
import type { ScalarKind } from '../signature';
import { ArgumentCountError, ArgumentTypeError, describeValue } from '../errors';
import type { Lowering, ValueSlot } from '../abi/lowering';
import { bridge } from './bridge';
import { FRAME, FRAME_WORDS, HEADER_WORDS, views } from './arena';

/** JS expression reading the value of `slot` from the frame whose base word index is in `b`. */
function loadExpr(slot: ValueSlot): string {
  const w = `(b + ${slot.word})`;
  switch (slot.kind) {
    case 'bool': return `(u8[${w} * 8] !== 0)`;
    case 'i8': return `i8[${w} * 8]`;
    case 'u8': return `u8[${w} * 8]`;
    case 'i16': return `i16[${w} * 4]`;
    case 'u16': return `u16[${w} * 4]`;
    case 'i32': return `i32[${w} * 2]`;
    case 'u32': return `u32[${w} * 2]`;
    case 'f32': return `f32[${w} * 2]`;
    case 'f64': return `f64[${w}]`;
    case 'i64': return `i64[${w}]`;
    case 'u64': case 'pointer': return `u64[${w}]`;
    case 'void': return 'undefined';
  }
}

/**
 * JS statements storing `v` into `slot`, after checking its JS type. `what` is the
 * index passed to `bad()` to name the value in the error (-1 = return value).
 * Integers narrower than 64 bits are converted like a C cast (wrap-around), then
 * sign- or zero-extended to the full word; non-finite numbers are rejected rather
 * than silently becoming 0.
 */
function storeCode(slot: ValueSlot, v: string, what: number): string {
  const w = `(b + ${slot.word})`;
  const num = `if (typeof ${v} !== 'number' || ${v} - ${v} !== 0) throw bad(${what}, ${v});`;
  const int32 = (x: string) => `{ const x = ${x}; i32[${w} * 2] = x; i32[${w} * 2 + 1] = x >> 31; }`;
  const uint32 = (x: string) => `u32[${w} * 2] = ${x}; u32[${w} * 2 + 1] = 0;`;
  switch (slot.kind) {
    case 'void': return '';
    case 'bool':
      return `if (typeof ${v} === 'boolean' || typeof ${v} === 'number') { ${uint32(`${v} ? 1 : 0`)} } else throw bad(${what}, ${v});`;
    case 'i8': return `${num} ${int32(`(${v} << 24) >> 24`)}`;
    case 'u8': return `${num} ${uint32(`${v} & 0xff`)}`;
    case 'i16': return `${num} ${int32(`(${v} << 16) >> 16`)}`;
    case 'u16': return `${num} ${uint32(`${v} & 0xffff`)}`;
    case 'i32': return `${num} ${int32(`${v} | 0`)}`;
    case 'u32': return `${num} ${uint32(`${v} >>> 0`)}`;
    case 'f32': return `if (typeof ${v} !== 'number') throw bad(${what}, ${v}); f32[${w} * 2] = ${v}; u32[${w} * 2 + 1] = 0;`;
    case 'f64': return `if (typeof ${v} !== 'number') throw bad(${what}, ${v}); f64[${w}] = ${v};`;
    case 'i64':
    case 'u64':
    case 'pointer': {
      const view = slot.kind === 'i64' ? 'i64' : 'u64';
      const nullOk = slot.kind === 'pointer' ? `else if (${v} === null) ${view}[${w}] = 0n; ` : '';
      return (
        `if (typeof ${v} === 'bigint') ${view}[${w}] = ${v}; ` +
        `else if (Number.isSafeInteger(${v})) ${view}[${w}] = BigInt(${v}); ${nullOk}` +
        `else throw bad(${what}, ${v});`
      );
    }
  }
}

const VIEW_NAMES = Object.keys(views).join(', ');

/** Describes where a value goes, for error messages. */
export type ValueNamer = (index: number) => string;

const expectedJsType: Record<ScalarKind, string> = {
  void: 'undefined', bool: 'boolean', i8: 'number', u8: 'number', i16: 'number', u16: 'number',
  i32: 'number', u32: 'number', f32: 'number', f64: 'number',
  i64: 'bigint (or a safe-integer number)', u64: 'bigint (or a safe-integer number)',
  pointer: 'bigint address (or null)',
};

function badValue(namer: ValueNamer, kinds: readonly ScalarKind[]) {
  return (index: number, got: unknown): ArgumentTypeError => {
    const kind = index < 0 ? kinds[kinds.length - 1] : kinds[index];
    const hint = typeof got === 'number' && !Number.isFinite(got) ? ' (NaN and Infinity have no integer value)' : '';
    return new ArgumentTypeError(`${namer(index)}: expected ${expectedJsType[kind]}, got ${describeValue(got)}${hint}`);
  };
}

/** `invoke(fn, b)`: decodes the arguments from frame `b`, calls `fn`, encodes its result into the frame. */
export type Invoker = (fn: (...args: never[]) => unknown, b: number) => void;
/** `encodeResult(value, b)`: encodes a value as the result in frame `b` (used by onError handlers). */
export type ResultEncoder = (value: unknown, b: number) => void;

export interface InboundCodec {
  invoke: Invoker;
  encodeResult: ResultEncoder;
  /** Sets the result words to zero (the caller's value when a call fails). */
  zeroResult: (b: number) => void;
}

export function makeInboundCodec(lowering: Lowering, namer: ValueNamer): InboundCodec {
  const kinds = [...lowering.args.map((s) => s.kind), lowering.ret?.kind ?? 'void'];
  const call = `fn(${lowering.args.map(loadExpr).join(', ')})`;
  const store = lowering.ret ? storeCode(lowering.ret, 'r', -1) : '';
  const source =
    `'use strict'; const { ${VIEW_NAMES} } = views;\n` +
    `function invoke(fn, b) { ${store ? `const r = ${call}; ${store}` : `${call};`} }\n` +
    `function encodeResult(r, b) { ${store} }\n` +
    `function zeroResult(b) { ${zeroCode()} }\n` +
    `return { invoke, encodeResult, zeroResult };`;
  return new Function('views', 'bad', source)(views, badValue(namer, kinds)) as InboundCodec;
}

function zeroCode(): string {
  const out: string[] = [];
  for (let i = 0; i < bridge.RET_WORDS; i++) out.push(`u32[(b + ${FRAME.ret + i}) * 2] = 0; u32[(b + ${FRAME.ret + i}) * 2 + 1] = 0;`);
  return out.join(' ');
}

/** `call(...args)`: writes the arguments into the next frame, runs the call stub, returns the decoded result. */
export type OutboundCaller = (...args: unknown[]) => unknown;

/**
 * Builds the caller for one native function: target and stub addresses are baked in
 * as constants (split into 32-bit halves so no BigInt is made per call).
 */
export function makeOutboundCaller(lowering: Lowering, target: bigint, stub: bigint, namer: ValueNamer, label: string): OutboundCaller {
  const kinds = [...lowering.args.map((s) => s.kind), lowering.ret?.kind ?? 'void'];
  const n = lowering.args.length;
  const params = lowering.args.map((_, i) => `a${i}`);
  const stores = lowering.args.map((s, i) => storeCode(s, `a${i}`, i)).join('\n  ');
  const half = (x: bigint, hi: boolean) => Number(hi ? x >> 32n : x & 0xffffffffn);
  const source =
    `'use strict'; const { ${VIEW_NAMES} } = views;\n` +
    `return function call(${params.join(', ')}) {\n` +
    `  if (arguments.length !== ${n}) throw count(arguments.length);\n` +
    `  const depth = u32[0]; if (depth >= ${bridge.MAX_DEPTH}) throw nesting();\n` +
    `  const b = ${HEADER_WORDS} + depth * ${FRAME_WORDS};\n  ${stores}\n` +
    `  u32[(b + ${FRAME.ctx}) * 2] = ${half(target, false)}; u32[(b + ${FRAME.ctx}) * 2 + 1] = ${half(target, true)};\n` +
    `  u32[(b + ${FRAME.stub}) * 2] = ${half(stub, false)}; u32[(b + ${FRAME.stub}) * 2 + 1] = ${half(stub, true)};\n` +
    `  callNative();\n` +
    `  return ${lowering.ret ? loadExpr(lowering.ret) : 'undefined'};\n};`;
  const count = (got: number) =>
    new ArgumentCountError(`${label} takes ${n} argument${n === 1 ? '' : 's'}, got ${got}`);
  const nesting = () => new RangeError(`${label}: native calls nested more than ${bridge.MAX_DEPTH} deep`);
  return new Function('views', 'bad', 'count', 'nesting', 'callNative', source)(
    views,
    badValue(namer, kinds),
    count,
    nesting,
    bridge.callNative,
  ) as OutboundCaller;
}
