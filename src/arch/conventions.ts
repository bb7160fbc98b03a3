/**
 * The CPU this process runs on, as the runtime needs it: its thunk layout, its trap and
 * frame-probe stubs, and the calling conventions it can use, each with its classifier and
 * stub builders. A convention the CPU cannot use fails at construction with an error that
 * says so, never at call time. To add a CPU: a table like X64 or ARM64 below, and a case
 * in {@link hostArch}.
 */
import { UnsupportedConventionError, UnsupportedPlatformError } from '../errors';
import type { CallConvName, Signature } from '../signature';
import { buildCallStubX64, buildEntryStubX64, buildFrameProbeStubX64, buildTrapStubX64, X64_THUNK } from './x64-stubs';
import { ARM64_THUNK, buildCallStubArm64, buildEntryStubArm64, buildFrameProbeStubArm64, buildTrapStubArm64 } from './arm64-stubs';
import type { StubCode } from './stub-code';
import type { ThunkLayout } from './thunk-layout';
import type { Lowering } from '../abi/lowering';
import { lowerSysvX64, SYSV_X64 } from '../abi/sysv-x64';
import { lowerWin64X64, WIN64_X64 } from '../abi/win64-x64';
import { lowerAapcs64 } from '../abi/aapcs64';
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
  buildEntryStub(enter: bigint, realm: bigint): StubCode;
  buildCallStub(lowering: Lowering): StubCode;
}

/** What the runtime needs of the CPU it runs on. */
export interface HostArch {
  /** Node's name of the CPU (`process.arch`). */
  readonly name: string;
  readonly thunk: ThunkLayout;
  /** The stub a disposed thunk jumps to: calls the bridge's cffi_trap with the thunk's trap information. */
  buildTrapStub(trap: bigint): StubCode;
  /** A call stub that stores its frame's own address in the frame's first result word. */
  buildFrameProbeStub(): StubCode;
  /** The backend for `cc` (`undefined` = the platform's C convention), or an error naming why there is none. */
  conventionFor(cc: CallConvName | undefined, where: string): ConventionBackend;
}

/** The CPUs each named convention exists on (those a CPU's table does not take are refused with this). */
const homeOf: Partial<Record<CallConvName, string>> = {
  Stdcall: '32-bit x86', Fastcall: '32-bit x86', Thiscall: '32-bit x86', // i386 conventions, not the x32 ABI
  Aapcs: '32-bit ARM', Aapcs64: 'ARM (AArch64)',
  Sysv64: 'x86-64', Win64: 'x86-64', Efiapi: 'x86-64',
};

function refuse(cc: CallConvName, where: string, cpu: string): never {
  const home = homeOf[cc];
  if (home !== undefined)
    throw new UnsupportedConventionError(`calling convention ${cc}${where} exists only on ${home}; this CPU is ${cpu}`);
  throw new UnsupportedConventionError(`unknown calling convention '${String(cc)}'${where}`);
}

/** Whether this process runs on Windows, where the platform's C convention on x86-64 is Win64. */
const onWindows = process.platform === 'win32';

/**
 * The host convention on x86-64: the one the bridge (C) is compiled with, which the stubs
 * use to call into it and in which the bridge calls the call stubs. System V on Linux,
 * Win64 on Windows.
 */
export const HOST_X64: X64ConventionRegs = onWindows ? WIN64_X64 : SYSV_X64;

/** An x86-64 convention: its classifier, and the shared stub builders fed its registers. */
function x64Backend(name: string, regs: X64ConventionRegs, lower: ConventionBackend['lower']): ConventionBackend {
  return {
    name,
    lower,
    buildEntryStub: (enter, realm) => buildEntryStubX64(regs, HOST_X64, enter, realm),
    buildCallStub: (lowering) => buildCallStubX64(regs, HOST_X64, lowering),
  };
}

const sysv64 = x64Backend('Sysv64', SYSV_X64, lowerSysvX64);
const win64 = x64Backend('Win64', WIN64_X64, lowerWin64X64);
/** The platform's C convention (`C`, `System`, `Cdecl`, or none named): Win64 on Windows, else System V. */
const platformX64 = onWindows ? win64 : sysv64;

const X64: HostArch = {
  name: 'x64',
  thunk: X64_THUNK,
  buildTrapStub: (trap) => buildTrapStubX64(HOST_X64, trap),
  buildFrameProbeStub: () => buildFrameProbeStubX64(HOST_X64),
  conventionFor(cc, where) {
    switch (cc) {
      case undefined: case 'C': case 'System': case 'Cdecl':
        return platformX64;
      case 'Sysv64':
        return sysv64;
      case 'Win64':
      case 'Efiapi': // UEFI on x86-64 uses the Microsoft x64 convention
        return win64;
      case 'Stdcall': case 'Fastcall': case 'Thiscall':
        // Windows x64 compilers accept these (WINAPI, CALLBACK, __fastcall in headers) and
        // use the one x64 convention, so prototypes copied from Windows headers work as is.
        // Elsewhere on x86-64 they name a convention this CPU has not: refused.
        if (onWindows) return win64;
    }
    return refuse(cc, where, 'x64');
  },
};

const aapcs64: ConventionBackend = {
  name: 'Aapcs64',
  lower: (sig) => lowerAapcs64(sig),
  buildEntryStub: buildEntryStubArm64,
  buildCallStub: buildCallStubArm64,
};

const ARM64: HostArch = {
  name: 'arm64',
  thunk: ARM64_THUNK,
  buildTrapStub: buildTrapStubArm64,
  buildFrameProbeStub: buildFrameProbeStubArm64,
  conventionFor(cc, where) {
    switch (cc) {
      case undefined: case 'C': case 'System': case 'Cdecl': case 'Aapcs64':
        return aapcs64;
    }
    return refuse(cc, where, 'arm64');
  },
};

let host: HostArch | undefined;

/** The CPU this process runs on; an UnsupportedPlatformError where closure-ffi has no backend. */
export function hostArch(): HostArch {
  if (host) return host;
  const byArch: Record<string, HostArch> | undefined =
    process.platform === 'linux' ? { x64: X64, arm64: ARM64 } : process.platform === 'win32' ? { x64: X64 } : undefined;
  const supported = byArch?.[process.arch as string];
  if (!supported)
    throw new UnsupportedPlatformError(
      `closure-ffi has no backend for ${process.platform}/${process.arch} yet; x86-64 and AArch64 Linux and x86-64 Windows are supported`,
    );
  return (host = supported);
}

/** The backend for `cc` on this CPU; `undefined` means the platform's C convention. */
export function conventionFor(cc: CallConvName | undefined, sig?: Signature): ConventionBackend {
  return hostArch().conventionFor(cc, sig ? ` (in '${sig.text}')` : '');
}
