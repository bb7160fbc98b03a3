/**
 * Everything derived from (signature, convention) once and cached: the lowering,
 * the inbound codec and the outbound call stub. Per-closure work is then just a
 * table slot and 16 bytes of thunk.
 */
import { conventionFor, type ConventionBackend } from '../arch/conventions';
import type { Lowering } from '../abi/lowering';
import { InvalidOptionError, UnsupportedTypeError } from '../errors';
import { stubs } from '../jit/stub-cache';
import { isVaList, resolveSignature, type CallConvName, type CType, type Signature, type SignatureSpec } from '../signature';
import { registryGeneration } from '../signature/type-names';
import { FRAME, MAX_STACK_WORDS } from '../native/arena';
import { makeInboundCodec, type InboundCodec } from './codec';

export interface SignaturePlan {
  readonly signature: Signature;
  readonly backend: ConventionBackend;
  readonly lowering: Lowering;
  /** Inbound codec (closure side); made on first use. */
  inbound(): InboundCodec;
  /** Address of the outbound call stub; made on first use. */
  callStub(): bigint;
}

const plans = new Map<string, SignaturePlan>();

function convention(sig: Signature, option: CallConvName | undefined): CallConvName | undefined {
  if (option !== undefined && sig.cc !== undefined && option !== sig.cc)
    throw new InvalidOptionError(`the cc option (${option}) contradicts the convention in '${sig.text}' (${sig.cc})`);
  return option ?? sig.cc;
}

/**
 * Plans by the caller's own prototype string, the common case, so creating a thunk
 * hashes no new string. Cleared when a typedef or macro definition may change what a
 * string means.
 */
const plansBySpec = new Map<string, SignaturePlan>();
let plansGeneration = registryGeneration();

/** The cached plan for a signature under an optional `cc` option. */
export function planFor(spec: SignatureSpec, ccOption: CallConvName | undefined): SignaturePlan {
  if (typeof spec !== 'string' || ccOption !== undefined) return planForUncached(spec, ccOption);
  if (plansGeneration !== registryGeneration()) {
    plansBySpec.clear();
    plansGeneration = registryGeneration();
  }
  let plan = plansBySpec.get(spec);
  if (plan === undefined) {
    plan = planForUncached(spec, undefined);
    plansBySpec.set(spec, plan);
  }
  return plan;
}

/**
 * The cache key: convention and canonical text, plus the layout of every aggregate (a
 * struct's name in the text may be a typedef name; the layout is what the code depends on).
 */
function planKey(backend: ConventionBackend, signature: Signature): string {
  const layouts: string[] = [];
  for (const t of [signature.ret, ...signature.args]) if (t.tag !== 'scalar') layouts.push(t.layout);
  return `${backend.name}|${signature.text}${layouts.length ? `|${layouts.join('|')}` : ''}`;
}

function planForUncached(spec: SignatureSpec, ccOption: CallConvName | undefined): SignaturePlan {
  const signature = resolveSignature(spec);
  const backend = conventionFor(convention(signature, ccOption), signature);
  const key = planKey(backend, signature);
  return plans.get(key) ?? buildPlan(signature, backend, key);
}

/**
 * The plan for one outbound call to a variadic function with a '...' part of the given
 * types (already promoted): all the arguments as one fixed list, lowered as a call to a
 * variadic function. Cached per signature, convention and type list.
 */
export function variadicCallPlan(base: SignaturePlan, types: readonly CType[]): SignaturePlan {
  const fixed = base.signature.args.length;
  const signature = resolveSignature({ args: [...base.signature.args, ...types], ret: base.signature.ret, cc: base.signature.cc });
  const key = `${planKey(base.backend, signature)}|variadic from ${fixed}`;
  return plans.get(key) ?? buildPlan(signature, base.backend, key, fixed);
}

function buildPlan(signature: Signature, backend: ConventionBackend, key: string, variadicCallFrom?: number): SignaturePlan {
  if (isVaList(signature.ret))
    throw new UnsupportedTypeError(`'${signature.text}' returns a va_list: a va_list is a parameter type only (a VaList ends with its call)`);
  const lowering = backend.lower(signature, variadicCallFrom);
  const stackWords = Math.ceil(lowering.stackBytes / 8);
  if (stackWords > MAX_STACK_WORDS)
    throw new UnsupportedTypeError(`'${signature.text}' passes ${stackWords} words on the stack; at most ${MAX_STACK_WORDS} are supported`);
  const ret = lowering.ret;
  // The frame holds the stack words, then a memory result's buffer, then copies of
  // by-reference arguments (Win64); what follows is scratch space for C strings.
  if (lowering.scratchAt > (FRAME.stack + MAX_STACK_WORDS) * 8) {
    const result = ret !== null && ret.kind === 'indirect' ? `returns ${ret.type.size} bytes in memory after ` : 'passes ';
    throw new UnsupportedTypeError(
      `'${signature.text}' ${result}${stackWords} stack words` +
        `${lowering.args.some((a) => a.kind === 'reference') ? ' and copies of arguments passed by reference' : ''}; ` +
        `at most ${MAX_STACK_WORDS * 8} bytes of stack arguments, result and copies are supported`,
    );
  }

  let inbound: InboundCodec | undefined;
  let callStub: bigint | undefined;
  const plan: SignaturePlan = {
    signature,
    backend,
    lowering,
    inbound: () =>
      (inbound ??= makeInboundCodec(lowering, (i) =>
        i < 0 ? `return value of the closure for '${signature.text}'` : `argument ${i + 1} of '${signature.text}'`,
      )),
    callStub: () => (callStub ??= stubs.get(`call:${key}`, () => backend.buildCallStub(lowering))),
  };
  plans.set(key, plan);
  return plan;
}
