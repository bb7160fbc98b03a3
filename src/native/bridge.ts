/**
 * The native bridge (native/*.c), loaded once per JS environment, with its exports typed.
 * Only what JS cannot do lives there; see docs/architecture.md.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isMainThread } from 'node:worker_threads';

/** A mapping returned by the bridge's allocator: one RX view and one RW view of the same pages. */
export interface NativeJitMapping {
  rx: bigint;
  rw: bigint;
  size: number;
  /** false when only the mprotect fallback was available (rx === rw). */
  dual: boolean;
  /** ArrayBuffer over the RW view (present when dual). */
  view?: ArrayBuffer;
}

export interface NativeBridge {
  /** `near`: the RX view must lie within ±2 GiB of this address (x86-64 rel32 reach). */
  jitAlloc(size: number, near?: bigint): NativeJitMapping;
  jitRelease(rx: bigint, rw: bigint, size: number, view?: ArrayBuffer): void;
  jitProtect(addr: bigint, size: number, mode: 'rw' | 'rx'): void;
  /** Makes code written through the RW view runnable: `addr` is its RX address (where it runs; see native/jit_memory.c). */
  flushInstructionCache(addr: bigint, size: number): void;
  /**
   * 1 where the OS unwinds through code by registered tables (Windows x64), else 0: then
   * stubs come with unwind information for {@link addUnwindInfo}.
   */
  UNWIND_TABLES: number;
  /**
   * Tells the OS how to unwind through the function at [base+begin, base+end) (executable
   * memory that is never freed), whose unwind information is at base+unwindAt.
   */
  addUnwindInfo(base: bigint, begin: number, end: number, unwindAt: number): void;
  mappedBytes(): number;
  /** The system's page size in bytes. */
  pageSize: number;
  malloc(size: number): bigint;
  free(ptr: bigint): void;
  read(ptr: bigint | number, length: number): Buffer;
  /** Like `read`, but null instead of a crash when some of the bytes are not mapped readable. */
  readSafe(ptr: bigint | number, length: number): Buffer | null;
  write(ptr: bigint | number, bytes: ArrayBufferView): void;
  view(ptr: bigint | number, length: number): ArrayBuffer;
  readCString(ptr: bigint | number): string | null;
  /** Address of an ArrayBuffer's backing store (0 when empty or detached); see pointer-argument.ts. */
  bufferAddress(buffer: ArrayBuffer): number;
  /** `options`: RTLD_* bits (see library.ts). */
  dlopen(path: string | null, options?: number): bigint;
  dlsym(handle: bigint, name: string): bigint;
  dlclose(handle: bigint): void;
  /** Header + MAX_DEPTH frames shared with native code; word 0 of the header is the depth in use. */
  arena: ArrayBuffer;
  /** Serial number of this JS environment. */
  realm: number;
  /** Native address of this environment's record, which its entry stubs pass to the bridge. */
  realmAddress: bigint;
  enterAddress: bigint;
  trapAddress: bigint;
  FRAME_WORDS: number;
  HEADER_WORDS: number;
  MAX_DEPTH: number;
  ARG_WORDS: number;
  RET_WORDS: number;
  MAX_STACK_WORDS: number;
  /** Index of the frame after the last regular one, where callAfterReturn() stages its call (native/jumps.c). */
  STAGING_FRAME: number;
  /**
   * Block word of the register that carries the hidden pointer of a result returned in memory
   * (CFFI_RESULT_POINTER_WORD): 0 on x86-64 (rdi / rcx), 8 on AArch64 (x8, saved after x0..x7).
   */
  RESULT_POINTER_WORD: number;
  /** Frame and header layout, in 64-bit words (see arena.ts and native/bridge.h). */
  FRAME_CTX: number;
  FRAME_STATUS: number;
  FRAME_ARGS: number;
  FRAME_RET: number;
  FRAME_STACK_PTR: number;
  FRAME_THREAD: number;
  FRAME_STUB: number;
  FRAME_STACK: number;
  STATUS_INBOUND: number;
  HEADER_CALL_MODE: number;
  HEADER_AFTER_RETURN: number;
  CALL_SERVICED: number;
  /** Thunk context layout (see thunk-context.ts and native/bridge.h). */
  CTX_ID_BITS: number;
  CTX_GEN_BITS: number;
  CTX_STACK_SHIFT: number;
  CTX_FLAGS_SHIFT: number;
  FLAG_ABORT_ON_ERROR: number;
  FLAG_SYNC: number;
  FLAG_NONBLOCKING: number;
  FLAG_RESULT_IN_MEMORY: number;
  FLAG_WAIT_WHEN_FULL: number;
  TRAP_FLAGS: number;
  /** Foreign calls served per turn of the event loop while threads keep calling. */
  CALLS_PER_TURN: number;
  /**
   * `napiOnly` selects the portable N-API entry instead of the V8-direct one; returns how
   * calls will enter `fn`: through V8's API directly, or through N-API.
   */
  setDispatcher(fn: () => void, napiOnly?: boolean): 'v8' | 'napi';
  /** Hands the bridge the V8-direct accelerator's function table (process-wide). */
  useAccelerator(table: unknown): void;
  setForeignReporter(report: (ctx: bigint, threadId: number, why: string, count: number) => void, resume: () => void): void;
  /** Runs the call stub of the frame JS claimed (the one below the depth in header word 0). */
  callNative(): void;
  /** Registers (or, with null, frees) the trap text of description `index`. */
  describe(index: number, text: string | null): void;
  currentThreadId(): number;
  /** Tells the bridge V8's --stack-size (bytes), for callbacks that arrive on another FFI's stack. */
  setJsStackSize(bytes: number): void;
  /**
   * How long a foreign caller of Sync thunk `id` waits for the JS thread (ms; 0 = forever),
   * and how many of its fire-and-forget calls may be queued.
   */
  configureSync(id: number, timeoutMs: number, maxQueued: number): void;
  /** The process is exiting: queued and later foreign calls get zero at once. */
  closeForeignCalls(): void;
  /** Adds `delta` to the number of Sync thunks keeping the event loop alive. */
  refSync(delta: number): void;
  /** Names thunk id `id` in messages native code prints without JS (abort policy, deadlock warnings); null forgets it. */
  nameSlot(id: number, text: string | null): void;
  /** Serves queued foreign calls (at most `limit`); true if some are still queued. */
  drainForeignCalls(limit?: number): boolean;
}

function packageRoot(): string {
  let dir = __dirname;
  for (;;) {
    const pkg = path.join(dir, 'package.json');
    if (fs.existsSync(pkg) && fs.existsSync(path.join(dir, 'binding.gyp'))) return dir;
    const up = path.dirname(dir);
    if (up === dir) throw new Error('closure-ffi: cannot find the package root (binding.gyp) above ' + __dirname);
    dir = up;
  }
}

/**
 * A directory named by `CLOSURE_FFI_BINARY_DIR` that holds the binaries to load instead of
 * this checkout's own: the cross-target runner (scripts/cross/run.sh) points it at the bridge
 * it built for the emulated CPU, whose build/Release holds the host's.
 */
const binaryDirOverride = process.env.CLOSURE_FFI_BINARY_DIR || undefined;

/**
 * Where the native binaries may be: in `CLOSURE_FFI_BINARY_DIR` when it is set (and only
 * there for the optional accelerator, `overrideOnly`: the others may be for another CPU), else
 * built here from source (a checkout, or an install that compiled), else prebuilt for this
 * platform (a packed release; see scripts/install.js).
 */
function binaryCandidates(root: string, file: string, prebuilt: string, overrideOnly = false): string[] {
  const override = binaryDirOverride ? [path.resolve(binaryDirOverride, file)] : [];
  if (override.length && overrideOnly) return override;
  return [
    ...override,
    path.join(root, 'build', 'Release', file),
    path.join(root, 'build', 'Debug', file),
    path.join(root, 'prebuilds', `${process.platform}-${process.arch}`, prebuilt),
  ];
}

function load(): NativeBridge {
  const root = packageRoot();
  const candidates = binaryCandidates(root, 'closure_ffi.node', 'closure_ffi.napi.node');
  const found = candidates.find((p) => fs.existsSync(p));
  if (!found) {
    throw new Error(
      `closure-ffi: there is no native bridge for ${process.platform}-${process.arch} (looked for ${candidates.join(', ')}). ` +
        `Build it from source with 'npm run build:native' in the package directory (a C compiler, make and python3 are ` +
        `needed), or let npm run the package's install script (npm 11: 'npm install-scripts approve closure-ffi').`,
    );
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const bridge = require(found) as NativeBridge;
  // Loaded even under CLOSURE_FFI_ENTRY=napi: callbacks that arrive on another FFI's stack
  // need it to move V8's stack limit, whichever way JS is entered.
  loadAccelerator(root, bridge);
  return bridge;
}

/**
 * The V8-direct accelerator is compiled against one Node's V8 and registers through
 * N-API, which does not check the module ABI: loaded into another engine it would fail on
 * unresolved V8 symbols, or worse. So it is only loaded by Node itself (Bun and Deno also
 * report a `modules` version), from a file named for the running module ABI, and must
 * confirm that ABI once loaded. Anything else leaves the portable N-API entry.
 */
function loadAccelerator(root: string, bridge: NativeBridge): void {
  if (process.versions.bun !== undefined || process.versions.deno !== undefined || process.release?.name !== 'node') return;
  const file = `closure_ffi_v8.abi${process.versions.modules}.node`;
  const found = binaryCandidates(root, file, file, true).find((p) => fs.existsSync(p));
  if (!found) return;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const accel = require(found) as { table: unknown; modules: number };
    if (String(accel.modules) === process.versions.modules) bridge.useAccelerator(accel.table);
  } catch {
    // unusable here: the N-API entry serves
  }
}

/** V8's --stack-size in KiB if the process was started with one (Node passes it on to V8). */
function configuredJsStackKiB(): number | undefined {
  const args = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)];
  for (const a of args) {
    const m = /^--stack[-_]size[= ](\d+)$/.exec(a);
    if (m) return Number(m[1]);
  }
  return undefined;
}

/** The bridge for this JS environment (main thread or Worker). */
export const bridge: NativeBridge = load();

const stackKiB = configuredJsStackKiB();
if (stackKiB !== undefined && isMainThread) bridge.setJsStackSize(stackKiB * 1024);
