/**
 * The per-environment thunk table and the single dispatcher the bridge calls for
 * every inbound call. A thunk's context carries its table id; the dispatcher looks
 * the entry up and lets it decode, run and encode.
 */
import { bridge } from './bridge';
import { FRAME, FRAME_WORDS, HEADER_WORDS, RET_WORDS, views } from './arena';
import { DisposedError } from '../errors';
import type { JitAlloc } from '../jit/jit-alloc';
import { ThunkPool, TRAP_LITERAL } from '../jit/thunk-pool';
import { stubs } from '../jit/stub-cache';
import { buildTrapStubX64 } from '../jit/stubs-x64';
import type { ConventionBackend } from '../abi/conventions';

/** What the dispatcher needs from a live thunk. */
export interface ThunkEntry {
  /** The tag its thunk's context carries (id and generation); see {@link registerThunk}. */
  readonly tag: number;
  /** Runs the closure for the frame at word index `b`; must not throw. */
  run(b: number): void;
  /** Called on the JS thread when a call to this thunk was answered with zero natively. */
  refusedForeignCall(threadId: number, why: string): void;
}

/**
 * A thunk's tag is its table id (low ID_BITS bits) plus a generation (high bits) that
 * changes each time the id is reused. A call that was already on its way when its
 * thunk was disposed (queued from another thread, say) carries the old generation, so
 * it can never run the closure of the thunk that took the id next.
 */
const ID_BITS = 22; // 4M live thunks
const ID_MASK = (1 << ID_BITS) - 1;
const GENERATIONS = 1 << (32 - ID_BITS);

/** Stands in for freed ids, so the table stays a packed array of one shape (fast keyed loads). */
const vacant: ThunkEntry = {
  tag: -1, // matches no context
  run() {},
  refusedForeignCall() {},
};

const table: ThunkEntry[] = [];
const generations: number[] = [];
const freeIds: number[] = [];

/** Takes a table id for a thunk about to be made; returns its tag. */
export function allocateTag(): number {
  const id = freeIds.length > 0 ? freeIds.pop()! : table.length;
  if (id > ID_MASK) throw new RangeError(`more than ${ID_MASK + 1} live thunks`);
  if (id === table.length) {
    table.push(vacant);
    generations.push(0);
  }
  return (id | (generations[id] << ID_BITS)) >>> 0;
}

export function registerThunk(entry: ThunkEntry): void {
  table[entry.tag & ID_MASK] = entry;
}

/**
 * The most recently disposed entries (their closures already released), so a call that
 * was on its way when its thunk was disposed is still reported under that thunk's
 * onError. A ring, not a Map: disposing must stay cheap, and lookups are rare.
 */
const DISPOSED_KEPT = 4096;
const disposedRing: ThunkEntry[] = new Array<ThunkEntry>(DISPOSED_KEPT).fill(vacant);
let disposedNext = 0;

function recentlyDisposed(tag: number): ThunkEntry | undefined {
  for (let i = 0; i < DISPOSED_KEPT; i++) if (disposedRing[i].tag === tag) return disposedRing[i];
  return undefined;
}

/** The id is free for reuse at once; its next tag has a new generation. */
export function unregisterThunk(tag: number): void {
  const id = tag & ID_MASK;
  disposedRing[disposedNext] = table[id];
  disposedNext = (disposedNext + 1) % DISPOSED_KEPT;
  table[id] = vacant;
  generations[id] = (generations[id] + 1) % GENERATIONS;
  freeIds.push(id);
}

export function idOfTag(tag: number): number {
  return tag & ID_MASK;
}

const u32 = views.u32;

/** Called by the bridge for every inbound call: the frame just pushed names the thunk. */
function dispatch(): void {
  const b = HEADER_WORDS + (u32[0] - 1) * FRAME_WORDS;
  const tag = u32[b * 2];
  const entry = table[tag & ID_MASK];
  if (entry.tag === tag) entry.run(b);
  else staleCall(b, tag);
}

/** A call that reached JS after its thunk was disposed: the caller gets zero, and it is reported. */
function staleCall(b: number, tag: number): void {
  for (let i = 0; i < RET_WORDS; i++) u32[(b + FRAME.ret + i) * 2] = u32[(b + FRAME.ret + i) * 2 + 1] = 0;
  const entry = recentlyDisposed(tag);
  if (entry) {
    entry.refusedForeignCall(u32[(b + FRAME.thread) * 2], 'disposed');
    return;
  }
  process.nextTick(() => {
    throw new DisposedError(
      `a call to thunk id ${tag & ID_MASK} arrived after that thunk was disposed (it was already on its way, ` +
        `e.g. queued from another thread); the native caller received the zero value`,
    );
  });
}

/** CLOSURE_FFI_ENTRY=napi selects the portable N-API entry instead of the V8-direct one (for comparison). */
export const entryPath = bridge.setDispatcher(dispatch, process.env.CLOSURE_FFI_ENTRY === 'napi');
/**
 * When native threads keep calling, foreign calls are served bridge.CALLS_PER_TURN at a
 * time, one batch per turn of the event loop: timers and I/O run in between, so a flood
 * of calls cannot starve them.
 */
function serveForeignCallsNextTurn(): void {
  setImmediate(() => {
    if (bridge.drainForeignCalls(bridge.CALLS_PER_TURN)) serveForeignCallsNextTurn();
  });
}

bridge.setForeignReporter((ctx, threadId, why) => {
  const tag = Number(ctx & 0xffffffffn);
  const entry = table[tag & ID_MASK];
  (entry.tag === tag ? entry : recentlyDisposed(tag))?.refusedForeignCall(threadId, why);
}, serveForeignCallsNextTurn);

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
