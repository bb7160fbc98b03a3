/**
 * Installs without a compiler (issue 11): `npm pack` this package, install the tarball into
 * a fresh project with no C compiler, make or python on PATH, and run a plain-JS smoke
 * script there (test/fixtures/pack-smoke.cjs): qsort with a JS comparator, a struct by
 * value, a BareFnSync called from a native thread. Also with LD_BIND_NOW=1, so a binary
 * that referenced a symbol the runtime lacks would fail to load here rather than later.
 * Under the cross-target runner the tarball carries the bridge built for the emulated CPU
 * (prebuild.js takes it from CLOSURE_FFI_BINARY_DIR), and the installed package must load
 * that prebuilt, not the runner's override. The Windows Node used under Wine comes without
 * npm (and Windows without sh): there the package is laid out in node_modules as npm would
 * install it (its `files`, with prebuilds/win32-x64 and no build/) and the smoke script runs
 * from it.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, test } from 'node:test';
import { timeLimit } from './support/emulation';
import { notOnWindows, ON_WINDOWS } from './support/platform';

const ROOT = resolve(__dirname, '..');
const work = mkdtempSync(join(tmpdir(), 'closure-ffi-pack-'));
after(() => rmSync(work, { recursive: true, force: true }));
const PLATFORM = `${process.platform}-${process.arch}`;

/** A PATH with node, npm and a shell only: nothing that could compile the bridge. */
function barePath(): string {
  const bin = join(work, 'bin');
  mkdirSync(bin);
  for (const tool of ['node', 'npm', 'sh', 'env']) {
    const which = spawnSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).stdout.trim();
    assert.ok(which, `${tool} is on PATH`);
    symlinkSync(which, join(bin, tool));
  }
  for (const compiler of ['cc', 'gcc', 'g++', 'make', 'python3']) assert.ok(!existsSync(join(bin, compiler)));
  return bin;
}

test('the packed tarball installs and runs with no compiler on PATH', {
  timeout: timeLimit(240_000),
  skip: notOnWindows('the Windows Node run under Wine has no npm; the next test installs the package by hand'),
}, () => {
  // The prebuilt binaries come from this checkout's build; dist/ from `npm install`'s prepare
  // step. --ignore-scripts: prepack would rebuild dist/ under other test files running now.
  const prebuild = spawnSync(process.execPath, [join(ROOT, 'scripts', 'prebuild.js')], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(prebuild.status, 0, `prebuild failed:\n${prebuild.stderr}`);
  assert.ok(existsSync(join(ROOT, 'dist', 'cjs', 'index.js')), 'dist/ is built (npm install runs the build)');
  const pack = spawnSync('npm', ['pack', '--ignore-scripts', '--pack-destination', work], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(pack.status, 0, `npm pack failed:\n${pack.stdout}\n${pack.stderr}`);
  const tarball = readdirSync(work).find((f) => f.endsWith('.tgz'));
  assert.ok(tarball, 'npm pack made a tarball');
  assert.ok((pack.stdout + pack.stderr).includes(`prebuilds/${PLATFORM}/closure_ffi.napi.node`), 'the tarball carries the prebuilt bridge');

  const project = join(work, 'project');
  mkdirSync(project);
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'smoke', version: '1.0.0', private: true }));
  copyFileSync(join(ROOT, 'test', 'fixtures', 'pack-smoke.cjs'), join(project, 'smoke.cjs'));
  const env: NodeJS.ProcessEnv = { ...process.env, PATH: barePath(), NODE_OPTIONS: '' };
  delete env.CLOSURE_FFI_BINARY_DIR; // the installed package loads its own prebuilt bridge
  const install = spawnSync('npm', ['install', '--offline', '--no-audit', '--no-fund', join(work, tarball)], {
    cwd: project,
    env,
    encoding: 'utf8',
  });
  assert.equal(install.status, 0, `npm install failed:\n${install.stdout}\n${install.stderr}`);

  for (const extra of [{}, { LD_BIND_NOW: '1' }, { CLOSURE_FFI_ENTRY: 'napi' }]) {
    const run = spawnSync(process.execPath, ['smoke.cjs'], { cwd: project, env: { ...env, ...extra }, encoding: 'utf8' });
    assert.equal(run.status, 0, `smoke ${JSON.stringify(extra)} failed:\n${run.stdout}\n${run.stderr}`);
    const result = JSON.parse(run.stdout) as { entryKind: string; sorted: number[]; div: unknown; threadResult: string; ranOn: number };
    assert.deepEqual(result.sorted, [-11, -3, 0, 2, 5, 7, 9]);
    assert.deepEqual(result.div, { quot: 9, rem: 2 });
    assert.equal(result.threadResult, '42');
    assert.equal(result.entryKind, extra.CLOSURE_FFI_ENTRY === 'napi' ? 'napi' : 'v8');
  }
});

test('on Windows, the package as npm installs it loads its prebuilt bridge (no build/, no compiler) and runs', {
  timeout: timeLimit(240_000),
  skip: ON_WINDOWS ? false : 'Windows only (elsewhere the test above runs npm itself)',
}, () => {
  const prebuild = spawnSync(process.execPath, [join(ROOT, 'scripts', 'prebuild.js')], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(prebuild.status, 0, `prebuild failed:\n${prebuild.stderr}`);
  assert.ok(existsSync(join(ROOT, 'prebuilds', PLATFORM, 'closure_ffi.napi.node')), `prebuilds/${PLATFORM} has the bridge`);
  const project = join(work, 'project-win');
  const pkg = join(project, 'node_modules', 'closure-ffi');
  mkdirSync(pkg, { recursive: true });
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'smoke', version: '1.0.0', private: true }));
  const files = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { files: string[] }).files;
  copyFileSync(join(ROOT, 'package.json'), join(pkg, 'package.json'));
  for (const f of files.filter((f) => !f.startsWith('!'))) cpSync(join(ROOT, f), join(pkg, f), { recursive: true });
  rmSync(join(pkg, 'build'), { recursive: true, force: true });
  copyFileSync(join(ROOT, 'test', 'fixtures', 'pack-smoke.cjs'), join(project, 'smoke.cjs'));
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_OPTIONS: '' };
  delete env.CLOSURE_FFI_BINARY_DIR; // the installed package loads its own prebuilt bridge
  for (const extra of [{}, { CLOSURE_FFI_ENTRY: 'napi' }]) {
    const run = spawnSync(process.execPath, ['smoke.cjs'], { cwd: project, env: { ...env, ...extra }, encoding: 'utf8' });
    assert.equal(run.status, 0, `smoke ${JSON.stringify(extra)} failed:\n${run.stdout}\n${run.stderr}`);
    const result = JSON.parse(run.stdout) as { entryKind: string; sorted: number[]; div: unknown; threadResult: string; ranOn: number; formatted: string };
    assert.deepEqual(result.sorted, [-11, -3, 0, 2, 5, 7, 9]);
    assert.deepEqual(result.div, { quot: 9, rem: 2 });
    assert.equal(result.threadResult, '42');
    assert.equal(result.formatted, '42-ok-3.14');
    assert.equal(result.entryKind, 'napi'); // no V8-direct accelerator on Windows (it needs MSVC's C++ ABI)
  }
});
