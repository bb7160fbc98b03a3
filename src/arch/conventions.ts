/**
 * Calling conventions: which ones this CPU can use, and for each the classifier
 * and stub builders. A convention the CPU cannot use fails at construction with
 * an error that says so, never at call time.
 */
import { UnsupportedConventionError, UnsupportedPlatformError } from '../errors';
import type { CallConvName, Signature } from '../signature';
import { buildCallStubX64, buildEntryStubX64 } from './x64-stubs';
import type { Lowering } from '../abi/lowering';
import { lowerSysvX64, SYSV_X64 } from '../abi/sysv-x64';
import { lowerWin64X64, WIN64_X64 } from '../abi/win64-x64';
import type { X64ConventionRegs } from '../abi/x64-registers';

export interface ConventionBackend {
  /** Canonical name, used in cache keys and messages. */
  readonly name: string;
  /**
   * Where arguments and result live. `variadicCallFrom`: lowering an outbound call to a
   * variadic function, whose arguments from that index on are the `...` part.
   */
  lower(sig: Signature, variadicCallFrom?: number): Lowering;
  /** The entry stub of one JS environment: `enter` is the bridge's cffi_enter, `realm` the environment's record. */
  buildEntryStub(enter: bigint, realm: bigint): Uint8Array;
  buildCallStub(lowering: Lowering): Uint8Array;
}

/** An x86-64 convention: its classifier, and the shared stub builders fed its registers. */
function x64Backend(name: string, regs: X64ConventionRegs, lower: ConventionBackend['lower']): ConventionBackend {
  return {
    name,
    lower,
    buildEntryStub: (enter, realm) => buildEntryStubX64(regs, HOST_X64, enter, realm),
    buildCallStub: (lowering) => buildCallStubX64(regs, HOST_X64, lowering),
  };
}

/**
 * The host convention: the one the bridge (C) is compiled with, which the stubs use to call
 * into it and in which the bridge calls the call stubs. System V on Linux x86-64 (on
 * Windows it will be Win64).
 */
export const HOST_X64: X64ConventionRegs = SYSV_X64;

const sysv64 = x64Backend('Sysv64', SYSV_X64, lowerSysvX64);
const win64 = x64Backend('Win64', WIN64_X64, lowerWin64X64);

/** Conventions of 32-bit x86 (i386), not of the x32 ABI. */
const x86_32Only = new Set<CallConvName>(['Stdcall', 'Fastcall', 'Thiscall']);
const armOnly = new Set<CallConvName>(['Aapcs', 'Aapcs64']);

/** The backend for `cc` on this CPU; `undefined` means the platform's C convention. */
export function conventionFor(cc: CallConvName | undefined, sig?: Signature): ConventionBackend {
  const where = sig ? ` (in '${sig.text}')` : '';
  if (process.arch !== 'x64' || process.platform !== 'linux')
    throw new UnsupportedPlatformError(
      `closure-ffi has no backend for ${process.platform}/${process.arch} yet; x86-64 Linux is supported`,
    );
  switch (cc) {
    case undefined:
    case 'C':
    case 'System':
    case 'Cdecl':
    case 'Sysv64':
      return sysv64;
    case 'Win64':
    case 'Efiapi': // UEFI on x86-64 uses the Microsoft x64 convention
      return win64;
  }
  if (x86_32Only.has(cc))
    throw new UnsupportedConventionError(`calling convention ${cc}${where} exists only on 32-bit x86; this CPU is x64`);
  if (armOnly.has(cc))
    throw new UnsupportedConventionError(`calling convention ${cc}${where} exists only on ARM; this CPU is x64`);
  throw new UnsupportedConventionError(`unknown calling convention '${String(cc)}'${where}`);
}
