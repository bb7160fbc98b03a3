/**
 * `VaList.format(fmt)`: the text a printf-style VaList stands for, made by the C runtime's
 * own `vsnprintf` (twice: once for the length, once into a buffer of that size), so no
 * format parsing is written in JS and every conversion behaves exactly as in C.
 *
 * The C runtime is the host's, in the platform convention: on Linux x86-64 glibc (System
 * V), which takes a Win64 VaList as a System V `va_list` whose registers are all used, so
 * `va_arg` reads its run of 8-byte slots; on Windows the C runtime (Win64), which cannot take
 * a System V VaList that still has arguments in registers (ERR_UNSUPPORTED_CONVENTION, as
 * for any Win64 function); on AArch64 Linux glibc (AAPCS64).
 */
import { OutOfRangeError } from '../errors';
import { bridge } from '../native/bridge';
import { makeOutboundCaller, type OutboundCaller } from './codec';
import { readCString } from './cstrings';
import { planFor } from './signature-plan';
import type { NativeVaList } from './va-list';

const SIGNATURE = 'int vsnprintf(char *buf, size_t size, cstring format, va_list ap)';
let vsnprintf: OutboundCaller | undefined;

function caller(): OutboundCaller {
  if (vsnprintf === undefined) {
    const plan = planFor(SIGNATURE, undefined);
    const address = bridge.dlsym(bridge.dlopen(null), 'vsnprintf');
    const label = `VaList.format (the C library's vsnprintf)`;
    vsnprintf = makeOutboundCaller(plan.lowering, address, plan.callStub(), (i) => `argument ${i + 1} of ${label}`, label);
  }
  return vsnprintf;
}

/** The formatted text of `fmt` with the arguments `va` has not read yet (`va` does not move). */
export function formatVaList(va: NativeVaList, fmt: string): string {
  const call = caller();
  const length = call(0n, 0n, fmt, va) as number;
  if (length < 0) throw new OutOfRangeError(`VaList.format(${JSON.stringify(fmt)}): vsnprintf failed (${length}): the format is invalid for the C library`);
  const buf = bridge.malloc(length + 1);
  try {
    call(buf, BigInt(length + 1), fmt, va);
    return readCString(buf) ?? '';
  } finally {
    bridge.free(buf);
  }
}
