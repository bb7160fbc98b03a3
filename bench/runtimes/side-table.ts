/**
 * The bench's side table: scalar reads of native memory in Node, Bun and Deno, each in its
 * own process (bench/runtimes/scalar-reads.cjs), next to closure-ffi's accessors in the
 * same runtime. Bun and Deno are used where scripts/runtimes/fetch.sh already put them;
 * the bench never downloads them itself.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

const SCRIPT = join(__dirname, 'scalar-reads.cjs');

export interface SideRow {
  runtime: string;
  reads: Record<string, number | string>;
}

function runtimes(): { name: string; argv: string[] }[] {
  const cache = process.env.CLOSURE_FFI_RUNTIMES ?? join(homedir(), '.cache', 'closure-ffi', 'runtimes');
  const out = [{ name: `node ${process.version}`, argv: [process.execPath, SCRIPT] }];
  const bun = join(cache, 'bun', 'package', 'bin', 'bun');
  if (existsSync(bun)) out.push({ name: 'bun', argv: [bun, SCRIPT] });
  const deno = join(cache, 'deno', 'package', 'deno');
  if (existsSync(deno)) out.push({ name: 'deno', argv: [deno, 'run', '-A', SCRIPT] });
  return out;
}

export function scalarReadSideTable(): SideRow[] {
  return runtimes().map(({ name, argv }) => {
    const r = spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' }, timeout: 120_000 });
    const line = /^@@READS@@ (.*)$/m.exec(r.stdout ?? '');
    return { runtime: name, reads: line ? (JSON.parse(line[1]!) as Record<string, number | string>) : { error: (r.stderr || String(r.error)).split('\n')[0]! } };
  });
}

export function printSideTable(rows: SideRow[]): void {
  console.log('\nSide table: one int32 read of native memory, ns per read, each runtime in its own process');
  for (const row of rows) {
    const cells = Object.entries(row.reads).map(([k, v]) => `${k} ${typeof v === 'number' ? `${v.toFixed(1)} ns` : v}`);
    console.log(`  ${row.runtime.padEnd(14)} ${cells.join(' | ')}`);
  }
}
