/**
 * Per-signature decoders and encoders, generated as JS source once per lowering
 * and compiled with `new Function`, so each signature gets straight-line,
 * monomorphic code: one typed-array load per argument, no loops, no switches.
 * Structs and unions by value are unrolled into one load or store per scalar
 * field (value-codegen.ts); C strings go through cstrings.ts. A scalar-only
 * signature's generated code does not change when a signature has aggregates.
 *
 * The same two primitives serve both directions:
 *  - load:  a value in a frame location -> JS (inbound arguments, outbound results)
 *  - store: JS -> a frame location, checked and extended over the location as the ABI wants
 *           (inbound results, outbound arguments)
 */
import type { AggregateType, ScalarKind } from '../signature';
import { ArgumentCountError, ArgumentTypeError, NestingError, UnsupportedTypeError, describeValue } from '../errors';
import { wholeAt, type AggregateSlot, type IndirectResultSlot, type Lowering, type Piece, type ReferenceSlot, type ResultSlot, type ScalarSlot, type ValueSlot, type VaListSlot } from '../abi/lowering';
import { bridge } from '../native/bridge';
import { FRAME, FRAME_WORDS, HEADER_WORDS, views } from '../native/arena';
import { arenaAddress, intern, mallocCString, putCString, readCString } from './cstrings';
import { argumentVaList, frameVaList, vaListArgument, vaScratchWord, type NativeVaList } from './va-list';
import { badMember, frameIndex, nonFiniteHint, ValueGen, zeroPieces } from './value-codegen';
import { addressOfObject, argumentAddress, pointerHint, POINTER_EXPECTED } from './pointer-argument';
import { outboundCalls } from './callback-errors';
import { fitsExpr, integerHint, isSmallInt, rangeText, wideFitsExpr, wideText } from './integer-range';
import { decode } from './memory-codec';

/** A scalar slot that is not a C string: the original, fastest path. */
type PlainSlot = ScalarSlot & { readonly kind: ScalarKind };

/** JS expression for the 64-bit word at frame byte `at` (`u64` or `f64` view, or another 8-byte view). */
function word(view: string, at: number): string {
  return `${view}[${frameIndex(at, 8)}]`;
}

/** JS expression reading the value of `slot` from the frame whose base word index is in `b`. */
function loadExpr(slot: PlainSlot): string {
  const at = slot.at;
  switch (slot.kind) {
    case 'bool': return `(u8[${frameIndex(at, 1)}] !== 0)`;
    case 'i8': return `i8[${frameIndex(at, 1)}]`;
    case 'u8': return `u8[${frameIndex(at, 1)}]`;
    case 'i16': return `i16[${frameIndex(at, 2)}]`;
    case 'u16': return `u16[${frameIndex(at, 2)}]`;
    case 'i32': return `i32[${frameIndex(at, 4)}]`;
    case 'u32': return `u32[${frameIndex(at, 4)}]`;
    case 'f32': return `f32[${frameIndex(at, 4)}]`;
    case 'f64': return word('f64', at);
    case 'i64': return word('i64', at);
    case 'u64': case 'pointer': return word('u64', at);
    case 'void': return 'undefined';
  }
}

/**
 * JS statements storing `v` into `slot`, after checking its JS type. `what` is the
 * index passed to `bad()` to name the value in the error (-1 = return value).
 * Integers narrower than 64 bits must be integers the type holds (integer-range.ts: a
 * signed type also takes its unsigned bit pattern), then are sign- or zero-extended to
 * the full word; 3.5, 2 ** 40, -1 for an unsigned type and NaN are refused, not cast.
 */
function storeCode(slot: PlainSlot, v: string, what: number): string {
  const at = slot.at;
  // A 4-byte location (a 32-bit CPU's stack slot) takes the low half only.
  const wide = slot.size >= 8;
  const lo = `${frameIndex(at, 4)}`;
  const hi = `${frameIndex(at, 4)} + 1`;
  const num = slot.kind !== 'void' && isSmallInt(slot.kind)
    ? `if (typeof ${v} !== 'number' || !${fitsExpr(slot.kind, v)}) throw bad(${what}, ${v}, intHint(${v}));`
    : '';
  const int32 = (x: string) => wide ? `{ const x = ${x}; i32[${lo}] = x; i32[${hi}] = x >> 31; }` : `i32[${lo}] = ${x};`;
  const uint32 = (x: string) => wide ? `u32[${lo}] = ${x}; u32[${hi}] = 0;` : `u32[${lo}] = ${x};`;
  const w64 = (view: string) => word(view, at);
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
    case 'f32': return `if (typeof ${v} !== 'number') throw bad(${what}, ${v}); f32[${lo}] = ${v};${wide ? ` u32[${hi}] = 0;` : ''}`;
    case 'f64': return `if (typeof ${v} !== 'number') throw bad(${what}, ${v}); ${w64('f64')} = ${v};`;
    case 'i64':
    case 'u64': {
      const view = w64(slot.kind === 'i64' ? 'i64' : 'u64');
      return (
        `if (typeof ${v} === 'bigint') ${view} = ${v}; ` +
        `else if (${wideFitsExpr(slot.kind, v)}) ${view} = BigInt(${v}); ` +
        `else throw bad(${what}, ${v}, intHint(${v}));`
      );
    }
    case 'pointer': { // see pointer-argument.ts: no numbers; objects with bare() stand for their address
      const p = w64('u64');
      return (
        `if (typeof ${v} === 'bigint') ${p} = ${v}; else if (${v} === null) ${p} = 0n; ` +
        `else { const a = addressOf(${v}); if (a === undefined) throw bad(${what}, ${v}, pointerHint(${v})); ${p} = a; }`
      );
    }
  }
}

const VIEW_NAMES = Object.keys(views).join(', ');

/** A DataView over the whole arena, for misaligned fields of packed structs. */
const arenaView = new DataView(bridge.arena);

/** Describes where a value goes, for error messages. */
export type ValueNamer = (index: number) => string;

const expectedJsType: Record<ScalarKind, string> = {
  void: 'undefined', bool: 'boolean', i8: rangeText('i8'), u8: rangeText('u8'), i16: rangeText('i16'), u16: rangeText('u16'),
  i32: rangeText('i32'), u32: rangeText('u32'), f32: 'number', f64: 'number',
  i64: wideText('i64'), u64: wideText('u64'),
  pointer: POINTER_EXPECTED,
};

const CSTRING_EXPECTED = 'a string, null or a bigint address';
const VA_LIST_EXPECTED = 'a VaList (or a bigint va_list value)';
const NUL_HINT = ' (the string contains a NUL character, which C would read as its end)';

function isPlain(slot: ResultSlot | ValueSlot): slot is PlainSlot {
  return slot.kind !== 'aggregate' && slot.kind !== 'indirect' && slot.kind !== 'reference' && slot.kind !== 'cstring' && slot.kind !== 'va_list';
}

function expectedFor(slot: ResultSlot | ValueSlot | null): string {
  if (slot === null) return expectedJsType.void;
  if (isPlain(slot)) return expectedJsType[slot.kind];
  if (slot.kind === 'cstring') return CSTRING_EXPECTED;
  if (slot.kind === 'va_list') return VA_LIST_EXPECTED;
  return `an object (${(slot as AggregateSlot | IndirectResultSlot | ReferenceSlot).type.name})`;
}

/** `bad(index, got, hint?)`: the error for a whole argument/result of the wrong JS type. */
function badValue(namer: ValueNamer, expected: readonly string[]) {
  return (index: number, got: unknown, hint?: string): ArgumentTypeError => {
    const want = index < 0 ? expected[expected.length - 1] : expected[index];
    return new ArgumentTypeError(`${namer(index)}: expected ${want}, got ${describeValue(got)}${hint ?? nonFiniteHint(got)}`);
  };
}

const rootName = (index: number): string => (index < 0 ? 'return value' : `argument ${index + 1}`);

/** Statements storing a closure result `r` as a C string (interned: see cstrings.ts). */
function cstringResultCode(slot: ScalarSlot, v: string, what: number): string {
  const w = word('u64', slot.at);
  return (
    `if (typeof ${v} === 'string') { if (${v}.includes('\\0')) throw bad(${what}, ${v}, NUL_HINT); ${w} = intern(${v}); } ` +
    `else if (${v} === null) ${w} = 0n; else if (typeof ${v} === 'bigint') ${w} = ${v}; else throw bad(${what}, ${v});`
  );
}

/** Statements encoding `v` as an aggregate into its pieces (padding zeroed first). */
function aggregateStoreCode(pieces: readonly Piece[], type: AggregateType, v: string, what: number): string {
  const gen = new ValueGen({ mode: 'frame', pieces });
  return `${zeroPieces(pieces)} ${gen.encode(type, v, what)}`;
}

/** Statements storing native address `addr` (a number expression) into the 8-byte slot at frame byte `at`, without a BigInt. */
function addressStoreCode(at: number, addr: string): string {
  return `{ const a = ${addr}; u32[${frameIndex(at, 4)}] = a >>> 0; u32[${frameIndex(at, 4)} + 1] = (a / 4294967296) >>> 0; }`;
}

/**
 * Statements storing closure result `v` for a memory-class result: assembled in the
 * frame (after the stack arguments), copied to the caller's buffer, whose address is
 * returned in rax as the ABI requires.
 */
function indirectStoreCode(slot: IndirectResultSlot, v: string, what: number): string {
  const from = `b * 8 + ${slot.bufferAt}`;
  return (
    `${aggregateStoreCode(wholeAt(slot.bufferAt, slot.type.size), slot.type, v, what)} ` +
    `{ const p = ${word('u64', slot.pointerAt)}; write(p, u8.subarray(${from}, ${from} + ${slot.type.size})); ${returnPointerCode(slot)} }`
  );
}

/** Statement handing the hidden result pointer `p` back in the result register, where the convention returns it. */
function returnPointerCode(slot: IndirectResultSlot): string {
  return slot.returnAt === null ? '' : `${word('u64', slot.returnAt)} = p;`;
}

/** Statements storing a closure's result `v` into the frame. */
function resultStoreCode(slot: ResultSlot, v: string): string {
  if (isPlain(slot)) return storeCode(slot, v, -1);
  switch (slot.kind) {
    case 'cstring': return cstringResultCode(slot, v, -1);
    case 'aggregate': return aggregateStoreCode(slot.pieces, slot.type, v, -1);
    case 'indirect': return indirectStoreCode(slot, v, -1);
  }
  throw new Error('internal: unknown result slot');
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

/** Helpers the generated code may reference (unused ones cost nothing). */
const HELPER_NAMES = ['views', 'bad', 'badAt', 'arenaDataView', 'readCString', 'intern', 'write', 'NUL_HINT', 'addressOf', 'pointerHint', 'intHint'] as const;

/**
 * Inbound argument passed by reference (Win64): reads the caller's copy, whose address is
 * in the argument word, and decodes it like a struct in memory.
 */
function referenceReader(slot: ReferenceSlot, what: string): (ptr: bigint) => unknown {
  return (ptr) => {
    if (ptr === 0n) throw new ArgumentTypeError(`${what}: the caller passed NULL for a ${slot.type.name} passed by reference`);
    return decode(ptr, slot.type);
  };
}

/**
 * Outbound argument passed by reference (Win64): the value is encoded into the frame's
 * copy bytes and the argument location gets their address (valid for this call).
 */
function referenceArgCode(slot: ReferenceSlot, v: string, i: number, arena: number): string {
  return `${aggregateStoreCode(wholeAt(slot.copyAt, slot.type.size), slot.type, v, i)} ${addressStoreCode(slot.at, `${arena} + b * 8 + ${slot.copyAt}`)}`;
}

function helpers(namer: ValueNamer, expected: readonly string[]): unknown[] {
  return [views, badValue(namer, expected), badMember(namer, rootName), arenaView, readCString, intern, bridge.write, NUL_HINT, addressOfObject, pointerHint, integerHint];
}

export function makeInboundCodec(lowering: Lowering, namer: ValueNamer): InboundCodec {
  const expected = [...lowering.args.map(expectedFor), expectedFor(lowering.ret)];
  const pre: string[] = [];
  const refs: ((ptr: bigint) => unknown)[] = [];
  const vaLists = inboundVaLists(lowering, namer);
  let vaIndex = 0;
  const loads = lowering.args.map((s, i) => {
    if (s.kind === 'va_list') return `va${vaIndex++}`;
    if (isPlain(s)) return loadExpr(s);
    if (s.kind === 'cstring') return `readCString(${word('u64', s.at)})`;
    if (s.kind === 'reference') {
      refs[i] = referenceReader(s, namer(i));
      return `refs[${i}](${word('u64', s.at)})`;
    }
    const a = s as AggregateSlot;
    return new ValueGen({ mode: 'frame', pieces: a.pieces }).decode(a.type, pre);
  });
  const variadic = lowering.variadic;
  if (variadic) loads.push(`va${vaIndex}`);
  const call = `fn(${loads.join(', ')})`;
  const ret = lowering.ret;
  const store = ret ? resultStoreCode(ret, 'r') : '';
  let zero = zeroCode();
  let zeroBytes: Uint8Array | undefined;
  if (ret !== null && ret.kind === 'indirect') {
    zeroBytes = new Uint8Array(ret.type.size);
    zero += ` { const p = ${word('u64', ret.pointerAt)}; write(p, ZERO); ${returnPointerCode(ret)} }`;
  }
  let body = `${pre.length ? pre.join(' ') + ' ' : ''}${store ? `const r = ${call}; ${store}` : `${call};`}`;
  // A VaList reads this frame and the caller's arguments: it ends with the call.
  if (vaLists.names.length) body = `${vaLists.open} try { ${vaLists.make} ${body} } finally { ${vaLists.close} }`;
  const source =
    `'use strict'; const { ${VIEW_NAMES} } = views;\n` +
    `function invoke(fn, b) { ${body} }\n` +
    `function encodeResult(r, b) { ${store} }\n` +
    `function zeroResult(b) { ${zero} }\n` +
    `return { invoke, encodeResult, zeroResult };`;
  return new Function(...HELPER_NAMES, 'ZERO', 'refs', 'newVaList', source)(
    ...helpers(namer, expected), zeroBytes, refs, vaLists.makers,
  ) as InboundCodec;
}

/**
 * The VaLists of an inbound call, in argument order (`va_list` parameters, then the `...`
 * tail): generated code declaring `va0, va1, ...`, making each with `newVaList[k](b)`, and
 * closing those made. Each gets its own scratch words at the end of the frame.
 */
function inboundVaLists(lowering: Lowering, namer: ValueNamer) {
  const owner = namer(-1).replace(/^return value of /, '');
  const makers: ((b: number) => NativeVaList)[] = [];
  lowering.args.forEach((s, i) => {
    if (s.kind !== 'va_list') return;
    const { at, abi } = s as VaListSlot;
    const scratch = vaScratchWord(makers.length);
    makers.push((b) => argumentVaList(views.u64[b + at / 8]!, abi, b, scratch, owner, namer(i)));
  });
  const variadic = lowering.variadic;
  if (variadic) {
    const scratch = vaScratchWord(makers.length);
    makers.push((b) => frameVaList(b, variadic, scratch, owner));
  }
  if (makers.length && vaScratchWord(makers.length - 1) * 8 < lowering.scratchAt)
    throw new UnsupportedTypeError(`${owner}: its stack arguments leave no room in the frame for its VaLists`);
  const names = makers.map((_, k) => `va${k}`);
  return {
    makers,
    names,
    open: names.length ? `let ${names.join(', ')};` : '',
    make: names.map((n, k) => `${n} = newVaList[${k}](b);`).join(' '),
    close: names.map((n) => `if (${n} !== undefined) ${n}.close();`).join(' '),
  };
}

function zeroCode(): string {
  const out: string[] = [];
  for (let i = 0; i < bridge.RET_WORDS; i++) out.push(`u32[(b + ${FRAME.ret + i}) * 2] = 0; u32[(b + ${FRAME.ret + i}) * 2 + 1] = 0;`);
  return out.join(' ');
}

/** `call(...args)`: writes the arguments into the next frame, runs the call stub, returns the decoded result. */
export type OutboundCaller = (...args: unknown[]) => unknown;

/**
 * Statements storing outbound C-string argument `v` (index `i`): into the frame's scratch
 * bytes from `sp` on (valid for this call), or a `malloc` copy freed after the call.
 */
function cstringArgCode(slot: ScalarSlot, v: string, i: number, arena: number): string {
  const w = word('u64', slot.at);
  return (
    `if (typeof ${v} === 'string') { if (${v}.includes('\\0')) throw bad(${i}, ${v}, NUL_HINT); ` +
    `const e = putCString(${v}, sp, end); ` +
    `if (e >= 0) { ${addressStoreCode(slot.at, `${arena} + sp`)} sp = e; } ` +
    `else { const p = mallocCString(${v}); (temps ??= []).push(p); ${w} = p; } } ` +
    `else if (${v} === null) ${w} = 0n; else if (typeof ${v} === 'bigint') ${w} = ${v}; else throw bad(${i}, ${v});`
  );
}

/**
 * Statements storing outbound pointer argument `v`: a bigint or null as they are; JS
 * memory, a thunk object or (for `const char *`, `strings`) a JS string through
 * `argumentAddress` (pointer-argument.ts), which puts what the call must keep alive in
 * `temps`, held until the native function has returned.
 */
function pointerArgCode(slot: ScalarSlot, v: string, i: number, strings: boolean, jsMemory: boolean): string {
  const w = word('u64', slot.at);
  const other = jsMemory
    ? `const a = argumentAddress(${v}, temps ??= [], ${strings}); if (a === undefined) throw bad(${i}, ${v}, pointerHint(${v}));`
    : `const a = addressOf(${v}); if (a === undefined) throw bad(${i}, ${v}, LATER_HINT);`;
  return `if (typeof ${v} === 'bigint') ${w} = ${v}; else if (${v} === null) ${w} = 0n; else { ${other} ${w} = a; }`;
}

/** Why a call made later (callAfterReturn) takes no JS memory: nothing would keep it alive until then. */
const LATER_HINT =
  ' (this call runs after the closure returned, when nothing holds JS memory any more: pass a bigint pointer to native memory)';

/** Frees the call's `malloc` copies; the other entries (JS memory kept alive for the call) are just let go. */
function freeAll(temps: unknown[]): void {
  for (const p of temps) if (typeof p === 'bigint') bridge.free(p);
}

/**
 * Builds the caller for one native function: target and stub addresses are baked in
 * as constants (split into 32-bit halves so no BigInt is made per call).
 */
export function makeOutboundCaller(
  lowering: Lowering, target: bigint, stub: bigint, namer: ValueNamer, label: string,
  /** What runs the written frame: the native call, or (after-return.ts) staging it for later. */
  run: () => void = bridge.callNative,
  /** Per argument: a pointer parameter that takes a JS string (`const char *`, see pointer-argument.ts). */
  stringArgs?: readonly boolean[],
  /** Whether pointer parameters take JS memory (not for calls made after the closure returned). */
  jsMemory = true,
): OutboundCaller {
  const expected = [...lowering.args.map(expectedFor), expectedFor(lowering.ret)];
  const n = lowering.args.length;
  const params = lowering.args.map((_, i) => `a${i}`);
  const hasCString = lowering.args.some((s) => s.kind === 'cstring');
  const arena = hasCString || lowering.args.some((s) => s.kind === 'reference') ? arenaAddress() : 0;
  const stores = lowering.args.map((s, i) => {
    if (s.kind === 'va_list') return `${word('u64', s.at)} = vaListArgument(a${i}, '${s.abi}', (got) => bad(${i}, got));`;
    if (s.kind === 'pointer') return pointerArgCode(s, `a${i}`, i, stringArgs?.[i] === true, jsMemory);
    if (isPlain(s)) return storeCode(s, `a${i}`, i);
    if (s.kind === 'cstring') return cstringArgCode(s, `a${i}`, i, arena);
    if (s.kind === 'reference') return referenceArgCode(s, `a${i}`, i, arena);
    const a = s as AggregateSlot;
    return aggregateStoreCode(a.pieces, a.type, `a${i}`, i);
  }).join('\n  ');
  const floatCopies = (lowering.floatCopiesToGpr ?? []).map(([from, to]) => `${word('u64', to)} = ${word('u64', from)};`).join(' ');
  const half = (x: bigint, hi: boolean) => Number(hi ? x >> 32n : x & 0xffffffffn);
  const ret = lowering.ret;
  const post: string[] = [];
  let result = 'undefined';
  if (ret !== null) {
    if (isPlain(ret)) result = loadExpr(ret);
    else if (ret.kind === 'cstring') result = `readCString(${word('u64', ret.at)})`;
    else if (ret.kind === 'aggregate') result = new ValueGen({ mode: 'frame', pieces: ret.pieces }).decode(ret.type, post);
    else {
      const r = ret as IndirectResultSlot;
      result = new ValueGen({ mode: 'frame', pieces: wholeAt(r.bufferAt, r.type.size) }).decode(r.type, post);
    }
  }
  const setup =
    `  u32[(b + ${FRAME.ctx}) * 2] = ${half(target, false)}; u32[(b + ${FRAME.ctx}) * 2 + 1] = ${half(target, true)};\n` +
    `  u32[(b + ${FRAME.stub}) * 2] = ${half(stub, false)}; u32[(b + ${FRAME.stub}) * 2 + 1] = ${half(stub, true)};\n`;
  // The frame is claimed (depth raised) before any argument is written: a call made while
  // they are written (a getter, a Proxy) then takes the next frame, not this one.
  // `calls` (callback-errors.ts): a callback that fails inside this call leaves its error
  // for this call to throw once the native function has returned.
  const enter = `  const level = ++calls.active; if (calls.kept !== 0) calls.forgetFrom(level);\n`;
  const leave = `  if (calls.kept !== 0) calls.throwKept(level);\n`;
  const hasTemps = hasCString || lowering.args.some((s) => s.kind === 'pointer');
  const body = hasTemps
    ? `  let sp = b * 8 + ${lowering.scratchAt}; const end = (b + ${FRAME_WORDS}) * 8; let temps = null;\n` +
      `${enter}  u32[0] = depth + 1;\n` +
      `  try {\n  ${stores} ${floatCopies}\n${setup}  callNative();\n  } finally { u32[0] = depth; calls.active = level - 1; if (temps !== null) freeAll(temps); }\n${leave}`
    : `${enter}  u32[0] = depth + 1;\n  try {\n  ${stores} ${floatCopies}\n${setup}  callNative();\n  } finally { u32[0] = depth; calls.active = level - 1; }\n${leave}`;
  const source =
    `'use strict'; const { ${VIEW_NAMES} } = views;\n` +
    `return function call(${params.join(', ')}) {\n` +
    `  if (arguments.length !== ${n}) throw count(arguments.length);\n` +
    `  const depth = u32[0]; if (depth >= ${bridge.MAX_DEPTH}) throw nesting();\n` +
    `  const b = ${HEADER_WORDS} + depth * ${FRAME_WORDS};\n` +
    body +
    (post.length ? `  ${post.join(' ')}\n` : '') +
    `  return ${result};\n};`;
  const count = (got: number) =>
    new ArgumentCountError(`${label} takes ${n} argument${n === 1 ? '' : 's'}, got ${got}`);
  const nesting = () =>
    new NestingError(`${label}: native calls and callbacks nested more than ${bridge.MAX_DEPTH} deep (JS -> native -> JS ...)`);
  return new Function(...HELPER_NAMES, 'count', 'nesting', 'callNative', 'putCString', 'mallocCString', 'freeAll', 'vaListArgument', 'calls', 'argumentAddress', 'LATER_HINT', source)(
    ...helpers(namer, expected),
    count,
    nesting,
    run,
    putCString,
    mallocCString,
    freeAll,
    vaListArgument,
    outboundCalls,
    argumentAddress,
    LATER_HINT,
  ) as OutboundCaller;
}
