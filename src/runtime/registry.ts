/**
 * The per-environment thunk table and the single dispatcher the bridge calls for
 * every inbound call. A thunk's context carries its table id; the dispatcher looks
 * the entry up and lets it decode, run and encode.
 */
import { bridge } from './bridge';
import { currentInboundFrame, views } from './arena';
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

const table: (ThunkEntry | undefined)[] = [];
const freeIds: number[] = [];

export function registerThunk(entry: ThunkEntry): number {
  const id = freeIds.length > 0 ? freeIds.pop()! : table.length;
  table[id] = entry;
  return id;
}

/** Ids are reused at once: a disposed thunk's code traps without looking at the table. */
export function unregisterThunk(id: number): void {
  table[id] = undefined;
  freeIds.push(id);
}

function dispatch(): void {
  const b = currentInboundFrame();
  const entry = table[views.u32[b * 2]];
  if (entry !== undefined) entry.run(b);
  // else: unreachable (slots are rewritten to trap before their id is freed); the caller gets zero.
}

bridge.setDispatcher(dispatch);
bridge.setForeignReporter((ctx, threadId, why) => {
  table[Number(ctx & 0xffffffffn)]?.refusedForeignCall(threadId, why);
});

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

export function poolFor(alloc: JitAlloc, backend: ConventionBackend): ThunkPool {
  literalBackends[backend.literal] = backend;
  let pool = pools.get(alloc);
  if (!pool) {
    pool = new ThunkPool(alloc, literalAddress);
    pools.set(alloc, pool);
  }
  return pool;
}

export function liveThunkCount(): number {
  let n = 0;
  for (const p of pools.values()) n += p.liveThunks;
  return n;
}
