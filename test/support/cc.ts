/**
 * Compiling C test code with the machine's C compiler, cached by content hash.
 *
 * Stable API (the benchmarks import it too):
 *   compileSharedLibrary(name, source, extraFlags?) -> absolute path of the .so
 *   compileExecutable(name, source, extraFlags?)    -> absolute path of the program
 *
 * Outputs live in a temp directory (`$CFFI_TEST_CACHE` or `<tmpdir>/closure-ffi-test-cc`),
 * named `<name>-<hash>.so`, where the hash covers the source, the flags and the compiler's
 * identity. `$SHLIB_EXT` names another extension for shared libraries: the cross-target
 * runner (scripts/cross/run.sh) sets `.dll` for Windows, and then `$CC` builds DLLs (no
 * `-fPIC`: all Windows code is position-independent) and programs named `.exe`. A cached output is reused; a new one is written under a unique temporary name
 * and renamed into place, so concurrent test processes never see a half-written file.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/** The C compiler: `$CC` or `cc`. */
export const CC = process.env.CC || 'cc';

/** The extension of a shared library: `$SHLIB_EXT` or `.so`. */
export const SHLIB_EXT = process.env.SHLIB_EXT || '.so';
const windowsTarget = SHLIB_EXT.toLowerCase() === '.dll';

/** Directory where compiled test artifacts are cached. */
export function cacheDir(): string {
  const dir = process.env.CFFI_TEST_CACHE || join(tmpdir(), 'closure-ffi-test-cc');
  mkdirSync(dir, { recursive: true });
  return dir;
}

let compilerId: string | undefined;
function compilerIdentity(): string {
  if (compilerId === undefined) {
    const r = spawnSync(CC, ['--version'], { encoding: 'utf8' });
    if (r.error || r.status !== 0) {
      throw new Error(`C compiler '${CC}' is not usable: ${r.error?.message ?? r.stderr}`);
    }
    compilerId = r.stdout;
  }
  return compilerId;
}

function safeName(name: string): string {
  return name.replace(/[^A-Za-z0-9_.-]/g, '_');
}

function build(kind: 'so' | 'exe', name: string, source: string, flags: string[]): string {
  const base = kind === 'so' ? (windowsTarget ? ['-shared'] : ['-shared', '-fPIC']) : [];
  const defaults = ['-std=gnu11', '-O1', '-g', '-Wall', '-Wno-unused-function', ...base];
  const allFlags = [...defaults, ...flags];
  const hash = createHash('sha256')
    .update(kind)
    .update('\0')
    .update(compilerIdentity())
    .update('\0')
    .update(JSON.stringify(allFlags))
    .update('\0')
    .update(source)
    .digest('hex')
    .slice(0, 16);
  const dir = cacheDir();
  const stem = `${safeName(name)}-${hash}`;
  const out = join(dir, kind === 'so' ? `${stem}${SHLIB_EXT}` : windowsTarget ? `${stem}.exe` : stem);
  if (existsSync(out)) return out;

  const unique = `${process.pid}-${Math.random().toString(36).slice(2)}`;
  const src = join(dir, `${stem}.${unique}.c`);
  const tmpOut = `${out}.${unique}.tmp`;
  writeFileSync(src, source);
  try {
    // Extra flags go after the source so that `-l` libraries link in the right order.
    execFileSync(CC, [...defaults, '-o', tmpOut, src, ...flags], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      renameSync(tmpOut, out);
    } catch (e) {
      // Windows refuses to replace a DLL that is loaded: another process made the same one first.
      if (!existsSync(out)) throw e;
    }
    // Keep a readable copy of the source next to the artifact for debugging failures.
    writeFileSync(join(dir, `${stem}.c`), source);
  } catch (e) {
    const err = e as { stderr?: Buffer; message: string };
    throw new Error(
      `compiling ${name} failed (${CC} ${allFlags.join(' ')}):\n${err.stderr?.toString() ?? err.message}`,
    );
  } finally {
    rmSync(src, { force: true });
    rmSync(tmpOut, { force: true });
  }
  return out;
}

/**
 * Compile `source` into a shared library and return the absolute path of the `.so` (`$SHLIB_EXT`).
 * `extraFlags` are appended after the source-independent defaults (`-O1 -g -Wall -fPIC`).
 */
export function compileSharedLibrary(name: string, source: string, extraFlags: string[] = []): string {
  return build('so', name, source, extraFlags);
}

/** Compile `source` into an executable and return its absolute path. */
export function compileExecutable(name: string, source: string, extraFlags: string[] = []): string {
  return build('exe', name, source, extraFlags);
}

/** Absolute path of a file under `test/c/`. */
export function cSourcePath(file: string): string {
  return resolve(__dirname, '..', 'c', file);
}

/** Read `test/c/<file>` and compile it into a shared library named after the file. */
export function compileTestLibrary(file: string, extraFlags: string[] = []): string {
  const source = readFileSync(cSourcePath(file), 'utf8');
  return compileSharedLibrary(file.replace(/\.c$/, ''), source, extraFlags);
}

/**
 * Deletes a compiled artifact and the source copy kept next to it (for one-off generated code).
 * Windows cannot delete a DLL that is loaded: there it stays in the cache directory.
 */
export function removeArtifact(path: string): void {
  try {
    rmSync(path, { force: true });
  } catch (e) {
    if (process.platform !== 'win32' || !['EPERM', 'EBUSY', 'EACCES'].includes((e as { code?: string }).code ?? '')) throw e;
  }
  rmSync((path.endsWith(SHLIB_EXT) ? path.slice(0, -SHLIB_EXT.length) : path.replace(/\.exe$/, '')) + '.c', { force: true });
}
