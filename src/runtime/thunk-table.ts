/**
 * The per-environment thunk table and the single dispatcher the bridge calls for
 * every inbound call. A thunk's context carries its table id and generation; the
 * dispatcher looks the entry up and lets it decode, run and encode.
 */
import { isMainThread } from 'node:worker_threads';
import { bridge } from '../native/bridge';
import { FRAME, FRAME_WORDS, HEADER_WORDS, RET_WORDS, views } from '../native/arena';
import { DisposedError } from '../errors';
import type { JitAlloc } from '../jit/jit-alloc';
import { addressWords, ThunkPool, type AddressWords } from '../jit/thunk-pool';
import { SlotQueue } from '../jit/slot-queue';
import { stubs } from '../jit/stub-cache';
import { hostArch, type ConventionBackend } from '../arch/conventions';
import { GEN_MASK, generationOf, ID_MASK, trapDescription } from '../native/thunk-context';

/** What the dispatcher needs from a live thunk. */
export interface ThunkEntry {
  /** Table id and generation its thunk's context carries (see {@link allocateId}). */
  readonly id: number;
  readonly gen: number;
  /** Runs the closure for the frame at word index `b`; must not throw. */
  run(b: number): void;
  /**
   * Called on the JS thread when calls to this thunk were answered with zero natively
   * (`count` of them: more than one for dropped fire-and-forget calls); must not throw.
   */
  refusedForeignCall(threadId: number, why: string, count: number): void;
}

/**
 * A thunk's id is its index in the table; its generation changes each time the id is
 * reused. A call already on its way when its thunk was disposed (queued from another
 * thread, say) carries the old generation, so it can never run the closure of the thunk
 * that took the id next. Ids are reused oldest first and only after ID_QUARANTINE newer
 * frees, so before a generation could come round again an id must be reused 2^28 times,
 * each after thousands of other disposals: about 10^12 disposals while that one call
 * stays queued.
 */
const ID_QUARANTINE = 4096;

/** Stands in for freed ids, so the table stays a packed array of one shape (fast keyed loads). */
const vacant: ThunkEntry = {
  id: -1,
  gen: -1, // matches no context
  run() {},
  refusedForeignCall() {},
};

const table: ThunkEntry[] = [];
const generations: number[] = [];
const freeIds = new SlotQueue();

/** Takes a table id for a thunk about to be made; its generation is {@link generationOfId}. */
export function allocateId(): number {
  const id = freeIds.length > ID_QUARANTINE ? freeIds.shift() : table.length;
  if (id > ID_MASK) throw new RangeError(`more than ${ID_MASK + 1 - ID_QUARANTINE} live thunks`);
  if (id === table.length) {
    table.push(vacant);
    generations.push(0);
  }
  return id;
}

export function generationOfId(id: number): number {
  return generations[id]!;
}

export function registerThunk(entry: ThunkEntry): void {
  table[entry.id] = entry;
}

/**
 * The most recently disposed entries (their closures already released), so a call that
 * was on its way when its thunk was disposed is still reported under that thunk's
 * onError. Rings, not a Map: disposing must stay cheap, and lookups are rare. Sync thunks,
 * whose calls may wait in a queue for long, have a ring of their own, so churn of plain
 * thunks does not push them out.
 */
const DISPOSED_KEPT = 4096;

class DisposedRing {
  private readonly entries: ThunkEntry[] = new Array<ThunkEntry>(DISPOSED_KEPT).fill(vacant);
  private next = 0;

  add(e: ThunkEntry): void {
    this.entries[this.next] = e;
    this.next = (this.next + 1) % DISPOSED_KEPT;
  }

  find(id: number, gen: number): ThunkEntry | undefined {
    for (const e of this.entries) if (e.id === id && e.gen === gen) return e;
    return undefined;
  }
}

const disposedPlain = new DisposedRing();
const disposedSync = new DisposedRing();

function recentlyDisposed(id: number, gen: number): ThunkEntry | undefined {
  return disposedSync.find(id, gen) ?? disposedPlain.find(id, gen);
}

/** The id goes into quarantine; when it is reused its context has a new generation. */
export function unregisterThunk(id: number, sync: boolean): void {
  (sync ? disposedSync : disposedPlain).add(table[id]!);
  table[id] = vacant;
  generations[id] = (generations[id]! + 1) & GEN_MASK;
  freeIds.push(id);
}

const u32 = views.u32;

/** Called by the bridge for every inbound call: the frame just pushed names the thunk. */
function dispatch(): void {
  const b = HEADER_WORDS + (u32[0]! - 1) * FRAME_WORDS;
  const lo = u32[b * 2]!;
  const hi = u32[b * 2 + 1]!;
  const entry = table[lo & ID_MASK]!;
  if (entry.gen === generationOf(lo, hi)) entry.run(b);
  else staleCall(b, lo & ID_MASK, generationOf(lo, hi));
}

/** A call that reached JS after its thunk was disposed: the caller gets zero, and it is reported. */
function staleCall(b: number, id: number, gen: number): void {
  for (let i = 0; i < RET_WORDS; i++) u32[(b + FRAME.ret + i) * 2] = u32[(b + FRAME.ret + i) * 2 + 1] = 0;
  const entry = recentlyDisposed(id, gen);
  if (entry) {
    entry.refusedForeignCall(u32[(b + FRAME.thread) * 2]!, 'disposed', 1);
    return;
  }
  process.nextTick(() => {
    throw new DisposedError(
      `a call to thunk id ${id} arrived after that thunk was disposed (it was already on its way, ` +
        `e.g. queued from another thread); the native caller received the zero value`,
    );
  });
}

/**
 * How the bridge enters JS: `'v8'` through the V8-direct accelerator (Node, with a matching
 * build), else `'napi'`, the portable entry. CLOSURE_FFI_ENTRY=napi forces the latter.
 */
export const entryKind: 'v8' | 'napi' = bridge.setDispatcher(dispatch, process.env.CLOSURE_FFI_ENTRY === 'napi');

/**
 * When native threads keep calling, foreign calls are served bridge.CALLS_PER_TURN at a
 * time, one batch per turn of the event loop: timers and I/O run in between, so a flood
 * of calls cannot starve them. The turn is an unref'd timer, not what keeps the process
 * alive (a Sync thunk does that only when ref()'d), so a process with nothing else to do
 * can exit; unlike an unref'd immediate, a due timer still wakes the loop at once.
 */
function serveForeignCallsNextTurn(): void {
  setTimeout(() => {
    if (bridge.drainForeignCalls(bridge.CALLS_PER_TURN)) serveForeignCallsNextTurn();
  }, 0).unref();
}

/**
 * When the event loop runs dry, calls still queued are served for at most this long, a
 * batch per turn (so timers and I/O go on), so a finite backlog is not lost; threads that
 * keep calling cannot hold the exit up longer. Then the process exits, and queued and later
 * calls get zero at once, with one message.
 */
const EXIT_DRAIN_MS = 250;
let exitDrainSince = 0;

function drainBeforeExit(): void {
  const more = bridge.drainForeignCalls(bridge.CALLS_PER_TURN);
  const now = performance.now();
  if (!more) {
    exitDrainSince = 0;
    return;
  }
  if (exitDrainSince === 0) exitDrainSince = now;
  if (now - exitDrainSince < EXIT_DRAIN_MS) {
    setImmediate(() => {}); // one more turn, then 'beforeExit' again
  } else {
    exitDrainSince = 0; // give up: a later exit gets its own window,
    serveForeignCallsNextTurn(); // and if something else keeps the process alive, serving goes on
  }
}

bridge.setForeignReporter((ctx, threadId, why, count) => {
  const lo = Number(ctx & 0xffffffffn);
  const hi = Number(ctx >> 32n);
  const id = lo & ID_MASK;
  const gen = generationOf(lo, hi);
  const entry = table[id]!;
  (entry.gen === gen ? entry : recentlyDisposed(id, gen))?.refusedForeignCall(threadId, why, count);
}, serveForeignCallsNextTurn);

process.on('beforeExit', drainBeforeExit);
// Only the process exits this way. A Worker's environment is torn down when it ends, and
// calls that come after that get zero with a message (the realm is gone, see enter.c).
if (isMainThread) process.on('exit', () => bridge.closeForeignCalls());

/* ---- descriptions, for the trap message of disposed thunks ---- */

/**
 * Descriptions by text, counted by the quarantined slots whose trap carries them: a
 * description is freed when the last such slot is reused (a stale pointer to it then
 * runs some other thunk's code anyway), so distinct names cost nothing in the long run.
 * Descriptions of unnamed thunks (one per signature and class) are kept for good.
 */
const descriptions = new Map<string, number>();
const descriptionTexts: (string | undefined)[] = [];
const descriptionUses: number[] = [];
const freeDescriptions: number[] = [];

/**
 * Index of a description text registered with the bridge; counts one more trap carrying
 * it, or (`permanent`) keeps it for the life of the environment.
 */
export function descriptionIndex(text: string, permanent: boolean): number {
  let i = descriptions.get(text);
  if (i === undefined) {
    i = freeDescriptions.pop() ?? descriptionTexts.length;
    descriptions.set(text, i);
    descriptionTexts[i] = text;
    descriptionUses[i] = 0;
    bridge.describe(i, text);
  }
  descriptionUses[i] = permanent ? Infinity : descriptionUses[i]! + 1;
  return i;
}

/** A trap carrying this description was overwritten by a new thunk. */
function releaseDescription(trapHi: number): void {
  const i = trapDescription(trapHi);
  if (--descriptionUses[i]! > 0) return;
  descriptions.delete(descriptionTexts[i]!);
  descriptionTexts[i] = undefined;
  bridge.describe(i, null);
  freeDescriptions.push(i);
}

/** How many descriptions are registered (for tests). */
export function liveDescriptions(): number {
  return descriptions.size;
}

/* ---- thunk memory, one pool per allocator ---- */

const pools = new Map<JitAlloc, ThunkPool>();

let trap: AddressWords | undefined;

/** Where a disposed thunk jumps (built with the first thunk, so loading the library on a CPU without a backend does not fail). */
export function trapTarget(): AddressWords {
  return (trap ??= addressWords(stubs.get('trap', () => hostArch().buildTrapStub(bridge.trapAddress))));
}

const entryTargets = new Map<ConventionBackend, AddressWords>();

/** Where a live thunk of this convention jumps: its entry stub for this environment. */
export function entryTarget(backend: ConventionBackend): AddressWords {
  let t = entryTargets.get(backend);
  if (t === undefined) {
    const stub = stubs.get(`entry:${backend.name}`, () => backend.buildEntryStub(bridge.enterAddress, bridge.realmAddress));
    entryTargets.set(backend, (t = addressWords(stub)));
  }
  return t;
}

let lastAlloc: JitAlloc | undefined;
let lastPool: ThunkPool | undefined;

export function poolFor(alloc: JitAlloc): ThunkPool {
  if (alloc === lastAlloc) return lastPool!;
  let pool = pools.get(alloc);
  if (!pool) {
    pool = new ThunkPool(alloc, hostArch().thunk, bridge.pageSize, releaseDescription);
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
