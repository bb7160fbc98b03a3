/**
 * The per-environment thunk table and the single dispatcher the bridge calls for
 * every inbound call. A thunk's context carries its table id; the dispatcher looks
 * the entry up and lets it decode, run and encode.
 */
import { bridge } from './bridge';
import { FRAME_WORDS, HEADER_WORDS, views } from './arena';
import type { JitAlloc } from '../jit/jit-alloc';
import { ThunkPool, TRAP_LITERAL } from '../jit/thunk-pool';
import { stubs } from '../jit/stub-cache';
import { buildTrapStubX64 } from '../jit/stubs-x64';
import type { ConventionBackend } from '../abi/conventions';

/** What the dispatcher needs from a live thunk. */
export interface ThunkEntry {
  /** Runs the closure for the frame at word index `b`; must not throw. */
  run(b: number): void;
  /** Called on the JS thread when a native thread called this thunk and was refused. */
  refusedForeignCall(threadId: number, why: string): void;
}

/** Stands in for freed ids, so the table stays a packed array of one shape (fast keyed loads). */
const vacant: ThunkEntry = {
  run() {
    // Unreachable: a slot is rewritten to trap before its id is freed. The caller gets zero.
  },
  refusedForeignCall() {},
};

const table: ThunkEntry[] = [];
const freeIds: number[] = [];

export function registerThunk(entry: ThunkEntry): number {
  if (freeIds.length > 0) {
    const id = freeIds.pop()!;
    table[id] = entry;
    return id;
  }
  table.push(entry);
  return table.length - 1;
}

/** Ids are reused at once: a disposed thunk's code traps without looking at the table. */
export function unregisterThunk(id: number): void {
  table[id] = vacant;
  freeIds.push(id);
}

const u32 = views.u32;

/** Called by the bridge for every inbound call: the frame just pushed names the thunk. */
function dispatch(): void {
  const b = HEADER_WORDS + (u32[0] - 1) * FRAME_WORDS;
  table[u32[b * 2]].run(b);
}

/** CLOSURE_FFI_ENTRY=napi selects the portable N-API entry instead of the V8-direct one (for comparison). */
bridge.setDispatcher(dispatch, process.env.CLOSURE_FFI_ENTRY === 'napi');
bridge.setForeignReporter((ctx, threadId, why) => {
  table[Number(ctx & 0xffffffffn)]?.refusedForeignCall(threadId, why);
});

// The wake-up handle for foreign calls does not keep the loop alive (unless a Sync
// thunk is ref()'d), so serve whatever is still queued before the process would
// exit: a refused call is reported rather than lost.
process.on('beforeExit', () => bridge.drainForeignCalls());

/* ---- descriptions, for the trap message of disposed thunks ---- */

const descriptions = new Map<string, number>();

/** Index of a description text registered with the bridge (once per distinct text). */
export function descriptionIndex(text: string): number {
  let i = descriptions.get(text);
  if (i === undefined) {
    i = descriptions.size;
    descriptions.set(text, i);
    bridge.describe(i, text);
  }
  return i;
}

/* ---- thunk memory, one pool per allocator ---- */

const pools = new Map<JitAlloc, ThunkPool>();
const literalBackends: ConventionBackend[] = [];

function literalAddress(i: number): bigint {
  if (i === TRAP_LITERAL) return stubs.get('trap', () => buildTrapStubX64(bridge.trapAddress));
  const backend = literalBackends[i];
  if (!backend) throw new RangeError(`no calling convention uses literal ${i}`);
  return stubs.get(`entry:${backend.name}`, () => backend.buildEntryStub(bridge.enterAddress));
}

let lastAlloc: JitAlloc | undefined;
let lastPool: ThunkPool | undefined;

export function poolFor(alloc: JitAlloc, backend: ConventionBackend): ThunkPool {
  literalBackends[backend.literal] = backend;
  if (alloc === lastAlloc) return lastPool!;
  let pool = pools.get(alloc);
  if (!pool) {
    pool = new ThunkPool(alloc, literalAddress);
    pools.set(alloc, pool);
  }
  lastAlloc = alloc;
  lastPool = pool;
  return pool;
}

export function liveThunkCount(): number {
  let n = 0;
  for (const p of pools.values()) n += p.liveThunks;
  return n;
}
