/**
 * Native pieces of the benchmark, compiled on demand and cached by content hash:
 * - the C loop drivers (bench/native/loops.c), through test/support/cc.ts;
 * - the N-API floor addon (floor_napi.c) and the V8 floor addon (floor_v8.cc), compiled
 *   against the running Node's headers into bench/.cache/build/.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { compileSharedLibrary } from '../../test/support/cc';

export const BENCH_DIR = resolve(__dirname, '..');
export const NATIVE_DIR = join(BENCH_DIR, 'native');
export const CACHE_DIR = join(BENCH_DIR, '.cache');

/** bench/native/loops.c as a shared library (absolute path). */
export function loopsLibrary(): string {
  if (process.env.BENCH_LOOPS_LIB) return process.env.BENCH_LOOPS_LIB;
  const src = readFileSync(join(NATIVE_DIR, 'loops.c'), 'utf8');
  return compileSharedLibrary('bench-loops', src, ['-O2', '-lpthread']);
}

/** Where the running Node's C/C++ headers are (node.h, node_api.h, v8.h). */
export function nodeHeaderDir(): string | undefined {
  const candidates = [
    process.env.BENCH_NODE_HEADERS,
    join(String((process.config.variables as Record<string, unknown>).node_prefix ?? '/usr'), 'include', 'node'),
    join(process.execPath, '..', '..', 'include', 'node'),
    '/usr/include/node',
    '/usr/local/include/node',
  ];
  for (const c of candidates) if (c && existsSync(join(c, 'node_api.h'))) return c;
  return undefined;
}

function headerModuleVersion(dir: string): string | undefined {
  const m = /#define NODE_MODULE_VERSION (\d+)/.exec(readFileSync(join(dir, 'node_version.h'), 'utf8'));
  return m?.[1];
}

function compilerId(cc: string): string {
  const r = spawnSync(cc, ['--version'], { encoding: 'utf8' });
  if (r.error || r.status !== 0) throw new Error(`compiler '${cc}' is not usable`);
  return r.stdout;
}

function buildAddon(name: string, file: string, cc: string, flags: string[]): string {
  const headers = nodeHeaderDir();
  if (!headers) throw new Error('Node headers not found (set BENCH_NODE_HEADERS to the directory holding node_api.h)');
  const src = join(NATIVE_DIR, file);
  const allFlags = [...flags, '-O2', '-shared', '-fPIC', `-I${headers}`];
  const hash = createHash('sha256')
    .update(readFileSync(src))
    .update(JSON.stringify(allFlags))
    .update(compilerId(cc))
    .update(readFileSync(join(headers, 'node_version.h')))
    .update(process.versions.modules)
    .digest('hex')
    .slice(0, 16);
  const dir = join(CACHE_DIR, 'build');
  mkdirSync(dir, { recursive: true });
  const out = join(dir, `${name}-${hash}.node`);
  if (existsSync(out)) return out;
  const tmp = `${out}.${process.pid}.tmp`;
  try {
    execFileSync(cc, [...allFlags, '-o', tmp, src, '-lpthread'], { stdio: ['ignore', 'pipe', 'pipe'] });
    renameSync(tmp, out);
  } catch (e) {
    const err = e as { stderr?: Buffer; message: string };
    throw new Error(`building ${file} failed:\n${err.stderr?.toString() ?? err.message}`);
  } finally {
    rmSync(tmp, { force: true });
  }
  return out;
}

/** The N-API floor addon (absolute path of the .node file). */
export function napiFloorAddon(): string {
  if (process.env.BENCH_NAPI_FLOOR) return process.env.BENCH_NAPI_FLOOR;
  return buildAddon('floor_napi', 'floor_napi.c', process.env.CC || 'cc', ['-std=gnu11', '-Wall']);
}

/**
 * The V8 floor addon. V8's C++ API has no stable ABI, so the headers must be those of the
 * running Node (same NODE_MODULE_VERSION).
 */
export function v8FloorAddon(): string {
  if (process.env.BENCH_V8_FLOOR) return process.env.BENCH_V8_FLOOR;
  const headers = nodeHeaderDir();
  if (!headers) throw new Error('Node headers not found (set BENCH_NODE_HEADERS)');
  const mv = headerModuleVersion(headers);
  if (mv !== process.versions.modules) {
    throw new Error(
      `the headers in ${headers} are for NODE_MODULE_VERSION ${mv}, the running Node is ${process.versions.modules}`,
    );
  }
  return buildAddon('floor_v8', 'floor_v8.cc', process.env.CXX || 'g++', ['-std=gnu++17', '-Wall']);
}
