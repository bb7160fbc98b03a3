/**
 * `npm run bench`: runs every case in one fresh process per contender, one after another,
 * prints a table per case plus the targets, and writes bench/results/latest.json.
 *
 *   npm run bench                          # everything (~5 minutes on 2 cores)
 *   BENCH_QUICK=1 npm run bench            # smoke run with small counts
 *   npm run bench -- --cases=call_i32,qsort_i32 --contenders=closure-ffi,koffi-registered
 *
 * See bench/README.md for how to read the output.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { printSideTable, scalarReadSideTable } from './runtimes/side-table';
import { cpus, totalmem } from 'node:os';
import { join, relative } from 'node:path';
import { BENCH_DIR, loopsLibrary, napiFloorAddon, v8FloorAddon } from './support/build';
import { config } from './support/config';
import { type CaseOutput, type Measurement, RESULT_MARK, type Unit } from './support/harness';
import { ensureNode26, type Node26 } from './support/node26';

// ---------------------------------------------------------------------------------------
// What runs

interface CaseDef {
  id: string;
  title: string;
  unit: Unit;
  lowerIsBetter: boolean;
}

const fmtN = (n: number): string => n.toLocaleString('en-US');

const CASES: CaseDef[] = [
  { id: 'call_i32', title: `int32_t (int32_t) callback, C loop of ${fmtN(config.calls)} calls`, unit: 'ns/call', lowerIsBetter: true },
  { id: 'call_f64x2', title: `double (double, double) callback, C loop of ${fmtN(config.calls)} calls`, unit: 'ns/call', lowerIsBetter: true },
  {
    id: 'call_mixed8',
    title: `double (int32_t, double, int64_t, float, uint8_t, void *, uint32_t, double) callback, ${fmtN(config.calls)} calls`,
    unit: 'ns/call',
    lowerIsBetter: true,
  },
  { id: 'call_ptr', title: `void (void *) callback, C loop of ${fmtN(config.calls)} calls`, unit: 'ns/call', lowerIsBetter: true },
  { id: 'qsort_i32', title: `qsort of ${fmtN(config.sortN)} int32_t with a JS comparator, end to end`, unit: 'ms', lowerIsBetter: true },
  { id: 'decode_i32', title: `read one int32_t through a pointer with the documented API (decode / koffi.decode), ${fmtN(config.decodeReads)} reads`, unit: 'ns/call', lowerIsBetter: true },
  {
    id: 'qsort_decode',
    title: `qsort of ${fmtN(config.decodeSortN)} int32_t, the comparator reads through its pointers with the documented API`,
    unit: 'ms',
    lowerIsBetter: true,
  },
  { id: 'create_dispose', title: `create + dispose one callback (int32_t (int32_t)), ${fmtN(config.createOps)} per rep`, unit: 'ns/op', lowerIsBetter: true },
  { id: 'live_thunks', title: `live callbacks at once (trying ${fmtN(config.liveTarget)}) and native bytes per callback`, unit: 'thunks', lowerIsBetter: false },
  { id: 'foreign_thread', title: `int32_t (int32_t) called from a foreign pthread, ${fmtN(config.threadCalls)} calls`, unit: 'ns/call', lowerIsBetter: true },
  { id: 'foreign_threads8', title: `int32_t (int32_t) called from 8 foreign pthreads at once, ${fmtN(config.threadCalls)} calls each`, unit: 'ns/call', lowerIsBetter: true },
];

interface ContenderDef {
  name: string;
  what: string;
  runtime: 'current' | 'node26';
  /** cases that don't apply: row left out */
  omit?: string[];
  /** cases that don't apply but are worth a row saying why */
  skip?: Record<string, string>;
  only?: string[];
}

const NO_OBJECTS = ['create_dispose', 'live_thunks'];
/** The native-memory cases (bench/support/memory-cases.ts) compare libraries' read APIs: only these rows run them. */
const MEMORY_CASES = ['decode_i32', 'qsort_decode'];
const MEMORY_CONTENDERS = ['closure-ffi', 'koffi-registered'];
/** Cases timed in whole sorts (their repetition count is config.sortReps). */
const isSortCase = (id: string): boolean => id === 'qsort_i32' || id === 'qsort_decode';
const CONTENDERS: ContenderDef[] = [
  { name: 'closure-ffi', what: 'new BareFn(sig, fn).bare()', runtime: 'current' },
  {
    name: 'closure-ffi-via-koffi',
    what: 'the same thunk, the C loop called through koffi (callbacks arrive on koffi\'s stack)',
    runtime: 'current',
    only: ['call_i32', 'call_f64x2', 'call_mixed8'],
  },
  { name: 'koffi-registered', what: 'koffi.register(fn, proto *)', runtime: 'current' },
  {
    name: 'koffi-transient',
    what: 'JS function passed directly as the callback argument',
    runtime: 'current',
    skip: {
      create_dispose: 'transient callbacks exist only during one call',
      live_thunks: 'transient callbacks exist only during one call',
      foreign_thread: 'valid only while the JS thread is blocked in the call',
      foreign_threads8: 'valid only while the JS thread is blocked in the call',
    },
  },
  {
    name: 'node-ffi',
    what: "Node 26 node:ffi lib.registerCallback()",
    runtime: 'node26',
    skip: {
      foreign_thread: 'node:ffi callbacks must be invoked on the thread that created them',
      foreign_threads8: 'node:ffi callbacks must be invoked on the thread that created them',
    },
  },
  {
    name: 'napi-floor',
    what: 'addon loop: napi_call_function per call',
    runtime: 'current',
    omit: NO_OBJECTS,
    skip: { foreign_threads8: 'the floor addon drives one thread only' },
  },
  {
    name: 'v8-floor',
    what: 'addon loop: v8::Function::Call per call',
    runtime: 'current',
    omit: NO_OBJECTS,
    skip: {
      foreign_thread: 'no cross-thread entry in the V8 API (everything goes through the event loop)',
      foreign_threads8: 'no cross-thread entry in the V8 API (everything goes through the event loop)',
    },
  },
  { name: 'native-c', what: 'C callback, no JS (reference)', runtime: 'current', omit: [...NO_OBJECTS, 'foreign_thread', 'foreign_threads8'] },
  { name: 'pure-js', what: 'Array.prototype.sort, same data and comparator', runtime: 'current', only: ['qsort_i32'] },
];

const KOFFI = 'koffi-registered';
const NAPI_FLOOR = 'napi-floor';
const V8_FLOOR = 'v8-floor';
const SUBJECT = 'closure-ffi';

// ---------------------------------------------------------------------------------------
// Running one contender process

interface Row {
  contender: string;
  status: 'ok' | 'skipped' | 'error';
  note?: string;
  unit?: Unit;
  median?: number;
  min?: number;
  max?: number;
  reps?: number[];
  work?: string;
  extra?: Record<string, unknown>;
  ratio?: { koffi?: number; napiFloor?: number; v8Floor?: number };
  seconds?: number;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

const ROOT = join(BENCH_DIR, '..');

function runOne(c: ContenderDef, caseId: string, env: NodeJS.ProcessEnv, node26: Node26): Promise<Row> {
  const file = join(BENCH_DIR, 'contenders', `${c.name}.ts`);
  const exec = c.runtime === 'node26' ? node26.path! : process.execPath;
  const flags = c.runtime === 'node26' ? ['--experimental-ffi', '--no-warnings'] : [];
  const args = [...flags, '--expose-gc', '--import', 'tsx', file, caseId];
  const t0 = Date.now();
  return new Promise((resolve) => {
    const child = spawn(exec, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), config.timeoutMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const seconds = (Date.now() - t0) / 1000;
      const line = out
        .split('\n')
        .reverse()
        .find((l) => l.startsWith(RESULT_MARK));
      if (!line) {
        const why = signal === 'SIGKILL' && seconds * 1000 >= config.timeoutMs ? `timed out after ${config.timeoutMs / 1000} s` : signal ? `crashed (${signal})` : `exited with code ${code} and no result`;
        const tail = (err || out).trim().split('\n').slice(-4).join(' | ');
        resolve({ contender: c.name, status: 'error', note: `${why}${tail ? `: ${tail}` : ''}`, seconds });
        return;
      }
      const r = JSON.parse(line.slice(RESULT_MARK.length)) as CaseOutput;
      const m: Measurement | undefined = r.measurement;
      const row: Row = { contender: c.name, status: r.status, note: r.note, seconds };
      if (m) {
        Object.assign(row, {
          unit: m.unit,
          reps: m.reps,
          median: median(m.reps),
          min: Math.min(...m.reps),
          max: Math.max(...m.reps),
          work: m.work,
          extra: m.extra,
        });
      }
      resolve(row);
    });
  });
}

// ---------------------------------------------------------------------------------------
// Formatting

function fmtValue(v: number | undefined, unit: Unit | undefined): string {
  if (v === undefined) return '';
  switch (unit) {
    case 'ns/call':
      return v >= 10_000 ? `${(v / 1000).toFixed(1)} µs` : `${v.toFixed(1)} ns`;
    case 'ms':
      return `${v.toFixed(1)} ms`;
    case 'ns/op':
      return `${v.toFixed(0)} ns`;
    case 'thunks':
      return fmtN(v);
    default:
      return String(v);
  }
}
const fmtRatio = (r: number | undefined): string => (r === undefined ? '' : `${r.toFixed(2)}×`);

function table(headers: string[], rows: string[][], align: ('l' | 'r')[]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const fmt = (cells: string[]): string =>
    '  ' +
    cells
      .map((c, i) => (i === cells.length - 1 ? c : align[i] === 'r' ? c.padStart(widths[i]) : c.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  return [fmt(headers), fmt(widths.map((w) => '-'.repeat(w))), ...rows.map(fmt)].join('\n');
}

function renderCase(def: CaseDef, rows: Row[]): string {
  const head = `\n▸ ${def.id} — ${def.title}\n`;
  const clip = (t: string): string => {
    const one = t.replace(/\s*\n\s*/g, ' | ');
    return one.length > 160 ? `${one.slice(0, 159)}…` : one;
  };
  const notOk = (r: Row): string => clip(`${r.status === 'skipped' ? 'skipped' : 'ERROR'}: ${r.note ?? ''}`);
  if (def.id === 'live_thunks') {
    const body = rows.map((r) =>
      r.status !== 'ok'
        ? [r.contender, '', '', '', '', notOk(r)]
        : [
            r.contender,
            fmtValue(r.median, 'thunks'),
            r.extra?.jitBytesPerThunk !== undefined ? String(r.extra.jitBytesPerThunk) : '—',
            r.extra?.nativeBytesPerThunk == null ? '< noise' : String(r.extra.nativeBytesPerThunk),
            String(r.extra?.createNsPerThunk ?? ''),
            r.note ?? '',
          ],
    );
    return (
      head +
      '  (higher count is better; bytes per live callback: JIT = executable memory reported by jitStats(),\n' +
      '   native = growth of RSS minus V8 heap, divided by the count)\n' +
      table(['contender', 'live', 'JIT B/cb', 'native B/cb', 'create ns/cb', 'notes'], body, ['l', 'r', 'r', 'r', 'r', 'l'])
    );
  }
  const unitNote =
    def.unit === 'ms' ? 'ms per sort' : def.unit === 'ns/op' ? 'ns per create+dispose' : def.id === 'decode_i32' ? 'time per read' : 'time per call';
  const body = rows.map((r) => {
    if (r.status !== 'ok') return [r.contender, '', '', '', '', '', notOk(r)];
    const range = `${fmtValue(r.min, r.unit)} – ${fmtValue(r.max, r.unit)}`;
    const notes = [r.extra?.opsPerSec !== undefined ? `${fmtN(Number(r.extra.opsPerSec))} ops/s` : '', r.note ?? '']
      .filter(Boolean)
      .join('; ');
    return [
      r.contender,
      fmtValue(r.median, r.unit),
      range,
      fmtRatio(r.ratio?.koffi),
      fmtRatio(r.ratio?.napiFloor),
      fmtRatio(r.ratio?.v8Floor),
      notes,
    ];
  });
  const reps = isSortCase(def.id) ? config.sortReps : config.reps;
  const rounds = config.rounds > 1 ? ` in ${config.rounds} rounds` : '';
  return (
    head +
    `  (${unitNote}, median of ${reps} reps${rounds}, each process warmed up first; lower is better; ratios are median ÷ that row's median)\n` +
    table(['contender', 'median', 'min – max', '× koffi', '× N-API floor', '× V8 floor', 'notes'], body, [
      'l',
      'r',
      'r',
      'r',
      'r',
      'r',
      'l',
    ])
  );
}

// ---------------------------------------------------------------------------------------
// Targets

interface Target {
  target: string;
  status: 'PASS' | 'MISS' | 'SKIP';
  value?: number;
  detail: string;
}

function targets(results: Record<string, Row[]>): Target[] {
  const get = (caseId: string, name: string): Row | undefined =>
    results[caseId]?.find((r) => r.contender === name && r.status === 'ok');
  const out: Target[] = [];
  const ratioTarget = (caseId: string, ref: string, refLabel: string, limit: number, subject = SUBJECT): void => {
    const target = `${caseId}: ${subject} ≤ ${limit.toFixed(2)}× ${refLabel}`;
    const s = get(caseId, subject);
    const r = get(caseId, ref);
    if (!s || !r) {
      out.push({ target, status: 'SKIP', detail: `${!s ? subject : ref} not measured` });
      return;
    }
    const v = s.median! / r.median!;
    const best = s.min! / r.min!;
    out.push({
      target,
      status: v <= limit ? 'PASS' : 'MISS',
      value: v,
      detail: `${v.toFixed(2)}× (${fmtValue(s.median, s.unit)} vs ${fmtValue(r.median, r.unit)}; best reps: ${best.toFixed(2)}×)`,
    });
  };
  ratioTarget('call_i32', KOFFI, 'koffi registered', 0.7);
  ratioTarget('call_i32', NAPI_FLOOR, 'N-API floor', 1.1);
  ratioTarget('call_f64x2', KOFFI, 'koffi registered', 0.7);
  // Issue 10: reading through a pointer, and a comparator that does so, against koffi's.
  ratioTarget('decode_i32', KOFFI, 'koffi.decode', 0.5);
  ratioTarget('qsort_decode', KOFFI, 'koffi registered + koffi.decode', 1.0);
  // Callbacks reached from code another FFI runs on its own stack (koffi) cost at most a little more.
  ratioTarget('call_i32', SUBJECT, 'closure-ffi via FnPtr', 1.15, 'closure-ffi-via-koffi');
  ratioTarget('call_f64x2', SUBJECT, 'closure-ffi via FnPtr', 1.15, 'closure-ffi-via-koffi');

  {
    const target = 'create_dispose: closure-ffi ≥ 10× koffi register+unregister throughput';
    const s = get('create_dispose', SUBJECT);
    const k = get('create_dispose', KOFFI);
    if (!s || !k) out.push({ target, status: 'SKIP', detail: `${!s ? 'closure-ffi' : KOFFI} not measured` });
    else {
      const v = k.median! / s.median!;
      out.push({
        target,
        status: v >= 10 ? 'PASS' : 'MISS',
        value: v,
        detail: `${v.toFixed(1)}× (${fmtValue(s.median, 'ns/op')} vs ${fmtValue(k.median, 'ns/op')} per pair; best reps: ${(k.min! / s.min!).toFixed(1)}×)`,
      });
    }
  }
  {
    const want = 1_000_000;
    const target = `live_thunks: ${fmtN(want)} closure-ffi thunks live at once`;
    const s = get('live_thunks', SUBJECT);
    if (!s) out.push({ target, status: 'SKIP', detail: 'closure-ffi not measured' });
    else if (config.liveTarget < want)
      out.push({ target, status: 'SKIP', value: s.median, detail: `only ${fmtN(config.liveTarget)} tried (quick run); reached ${fmtN(s.median!)}` });
    else
      out.push({
        target,
        status: s.median! >= want ? 'PASS' : 'MISS',
        value: s.median,
        detail: `reached ${fmtN(s.median!)}`,
      });
    const target2 = 'live_thunks: ≤ 64 native bytes per live thunk';
    if (!s) out.push({ target: target2, status: 'SKIP', detail: 'closure-ffi not measured' });
    else {
      const jit = s.extra?.jitBytesPerThunk as number | undefined;
      const nat = (s.extra?.nativeBytesPerThunk as number | null | undefined) ?? undefined;
      const v = jit ?? nat ?? undefined;
      if (v === undefined) out.push({ target: target2, status: 'SKIP', detail: 'no byte count reported' });
      else
        out.push({
          target: target2,
          status: v <= 64 ? 'PASS' : 'MISS',
          value: v,
          detail: `${v} B (${jit !== undefined ? 'JIT memory per thunk from jitStats()' : 'RSS − V8 heap'}; RSS − V8 heap: ${nat === undefined ? 'below noise' : `${nat} B`})`,
        });
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------

function parseList(flag: string): string[] | undefined {
  const a = process.argv.find((x) => x.startsWith(`--${flag}=`));
  return a ? a.slice(flag.length + 3).split(',').filter(Boolean) : undefined;
}

async function main(): Promise<void> {
  const t0 = Date.now();
  const caseFilter = parseList('cases');
  const contenderFilter = parseList('contenders');
  const cases = CASES.filter((c) => !caseFilter || caseFilter.includes(c.id));
  const contenders = CONTENDERS.filter((c) => !contenderFilter || contenderFilter.includes(c.name));
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  console.log(
    `closure-ffi benchmark${config.quick ? ' (BENCH_QUICK=1: small counts, numbers are rough)' : ''}\n` +
      `  ${process.version} on ${process.platform}-${process.arch}, ${cpu}, ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB\n` +
      `  ${config.rounds} round(s); per case ${fmtN(config.reps)} reps (qsort ${config.sortReps}) split over the rounds`,
  );

  // Build the native pieces once, here, so the contender processes only load them.
  const env: NodeJS.ProcessEnv = { ...process.env };
  if (config.quick) env.BENCH_QUICK = '1';
  const unavailable: Record<string, string> = {};
  const step = (what: string, f: () => string, envName: string, affected: string[]): void => {
    try {
      env[envName] = f();
    } catch (e) {
      const msg = `${what} failed: ${(e instanceof Error ? e.message : String(e)).split('\n').slice(0, 3).join(' ')}`;
      for (const a of affected) unavailable[a] = msg;
      console.log(`  ! ${msg}`);
    }
  };
  step('building bench/native/loops.c', loopsLibrary, 'BENCH_LOOPS_LIB', CONTENDERS.filter((c) => c.name !== 'pure-js').map((c) => c.name));
  step('building the N-API floor addon', napiFloorAddon, 'BENCH_NAPI_FLOOR', [NAPI_FLOOR]);
  step('building the V8 floor addon', v8FloorAddon, 'BENCH_V8_FLOOR', [V8_FLOOR]);

  let node26: Node26 = { reason: 'not selected' };
  if (contenders.some((c) => c.runtime === 'node26')) {
    node26 = ensureNode26((s) => console.log(`  ${s}`));
    if (node26.path) console.log(`  node:ffi: ${node26.version} (${relative(ROOT, node26.path) || node26.path})`);
    else {
      console.log(`  node:ffi: skipped — ${node26.reason}`);
      for (const c of contenders) if (c.runtime === 'node26') unavailable[c.name] = `Node 26 unavailable: ${node26.reason}`;
    }
  }

  const plan: [CaseDef, ContenderDef][] = [];
  for (const cs of cases)
    for (const c of contenders) {
      if (c.only && !c.only.includes(cs.id)) continue;
      if (c.omit?.includes(cs.id)) continue;
      if (MEMORY_CASES.includes(cs.id) && !MEMORY_CONTENDERS.includes(c.name)) continue;
      plan.push([cs, c]);
    }

  const results: Record<string, Row[]> = {};
  const split = (total: number, round: number): number =>
    Math.floor(total / config.rounds) + (round < total % config.rounds ? 1 : 0);
  const total = plan.length * config.rounds;
  let i = 0;
  console.log('');
  for (let round = 0; round < config.rounds; round++) {
    const reps = split(config.reps, round);
    const sortReps = split(config.sortReps, round);
    const roundEnv = { ...env, BENCH_REPS: String(reps), BENCH_SORT_REPS: String(sortReps) };
    for (const [cs, c] of plan) {
      i++;
      const rows = (results[cs.id] ??= []);
      const prev = rows.find((r) => r.contender === c.name);
      // Later rounds only add repetitions to what ran fine; capacity is measured once.
      if (prev && (prev.status !== 'ok' || cs.id === 'live_thunks')) continue;
      if ((isSortCase(cs.id) ? sortReps : reps) === 0) continue;
      let row: Row;
      if (c.skip?.[cs.id]) row = { contender: c.name, status: 'skipped', note: c.skip[cs.id] };
      else if (unavailable[c.name]) row = { contender: c.name, status: 'skipped', note: unavailable[c.name] };
      else row = await runOne(c, cs.id, roundEnv, node26);
      if (!prev) rows.push(row);
      else if (row.status !== 'ok') Object.assign(prev, { status: row.status, note: `round ${round + 1}: ${row.note}` });
      else {
        prev.reps = [...(prev.reps ?? []), ...(row.reps ?? [])];
        prev.seconds = (prev.seconds ?? 0) + (row.seconds ?? 0);
      }
      const shown =
        row.status === 'ok'
          ? `${fmtValue(row.median, row.unit)}${row.unit === 'thunks' ? ' live' : ''}  (${row.seconds?.toFixed(1)} s)`
          : `${row.status}: ${(row.note ?? '').split('\n')[0].slice(0, 110)}`;
      const tag = config.rounds > 1 ? `r${round + 1} ` : '';
      console.log(`  [${String(i).padStart(3)}/${total}] ${tag}${cs.id.padEnd(15)} ${c.name.padEnd(17)} ${shown}`);
    }
  }
  // Statistics over the repetitions of all rounds.
  for (const rows of Object.values(results))
    for (const r of rows) {
      if (r.status !== 'ok' || !r.reps?.length) continue;
      r.median = median(r.reps);
      r.min = Math.min(...r.reps);
      r.max = Math.max(...r.reps);
      if (r.unit === 'ns/op') r.extra = { ...r.extra, opsPerSec: Math.round(1e9 / r.median) };
    }

  // Ratios against koffi registered and the floors.
  for (const cs of cases) {
    const rows = results[cs.id] ?? [];
    if (cs.id === 'live_thunks') continue;
    const ref = (name: string): number | undefined => rows.find((r) => r.contender === name && r.status === 'ok')?.median;
    const k = ref(KOFFI);
    const nf = ref(NAPI_FLOOR);
    const vf = ref(V8_FLOOR);
    for (const r of rows) {
      if (r.status !== 'ok' || r.median === undefined) continue;
      r.ratio = {
        koffi: k ? r.median / k : undefined,
        napiFloor: nf ? r.median / nf : undefined,
        v8Floor: vf ? r.median / vf : undefined,
      };
    }
  }

  for (const cs of cases) console.log(renderCase(cs, results[cs.id] ?? []));

  const tg = targets(results);
  const sideTable = contenderFilter ? [] : scalarReadSideTable();
  if (sideTable.length) printSideTable(sideTable);

  console.log('\nTargets (closure-ffi)');
  for (const t of tg) console.log(`  ${t.status.padEnd(4)}  ${t.target.padEnd(70)} ${t.detail}`);
  const elapsed = (Date.now() - t0) / 1000;
  console.log(`\nTotal time ${elapsed.toFixed(0)} s.`);

  const json = {
    generatedAt: new Date().toISOString(),
    scalarReadsByRuntime: sideTable,
    quick: config.quick,
    config,
    machine: {
      node: process.version,
      v8: process.versions.v8,
      platform: `${process.platform}-${process.arch}`,
      cpu,
      cores: cpus().length,
      memoryGiB: Math.round(totalmem() / 2 ** 30),
    },
    nodeFfi: node26.path ? { node: node26.version } : { skipped: node26.reason },
    contenders: Object.fromEntries(contenders.map((c) => [c.name, c.what])),
    cases: cases.map((cs) => ({
      id: cs.id,
      title: cs.title,
      unit: cs.unit,
      lowerIsBetter: cs.lowerIsBetter,
      results: Object.fromEntries(
        (results[cs.id] ?? []).map((r) => [
          r.contender,
          {
            status: r.status,
            ...(r.note ? { note: r.note } : {}),
            ...(r.status === 'ok'
              ? {
                  median: r.median,
                  min: r.min,
                  max: r.max,
                  reps: r.reps,
                  work: r.work,
                  ratioToKoffi: r.ratio?.koffi ?? null,
                  ratioToNapiFloor: r.ratio?.napiFloor ?? null,
                  ratioToV8Floor: r.ratio?.v8Floor ?? null,
                  ...(r.extra ? { extra: r.extra } : {}),
                }
              : {}),
          },
        ]),
      ),
    })),
    targets: tg,
    seconds: Math.round(elapsed),
  };
  const outDir = join(BENCH_DIR, 'results');
  mkdirSync(outDir, { recursive: true });
  const outFile = join(outDir, 'latest.json');
  writeFileSync(outFile, `${JSON.stringify(json, null, 2)}\n`);
  console.log(`Wrote ${relative(ROOT, outFile)}`);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
