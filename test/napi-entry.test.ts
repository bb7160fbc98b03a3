/**
 * The bridge enters JS through V8's API by default and through N-API when
 * CLOSURE_FFI_ENTRY=napi is set (or when the V8 entry cannot be made, as on Windows). The
 * fallback must behave the same: this file checks which entry is in use and runs the
 * suites that exercise entering JS (callbacks, libc, errors, threads, differential) again
 * in a child test run that uses the N-API entry.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import { entryKind } from '../src/runtime/thunk-table';
import { REPO_ROOT } from './support/child';
import { timeLimit } from './support/emulation';
import { notOnWindows, ON_WINDOWS } from './support/platform';

const SUITES = ['callbacks-c', 'libc', 'errors-runtime', 'threads', 'differential', 'struct-abi'];

function run(args: string[], env: Record<string, string>): Promise<{ status: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env, NODE_OPTIONS: '' };
    delete childEnv.NODE_TEST_CONTEXT; // a test run of its own, not a subtest of this one
    const child = spawn(process.execPath, args, { cwd: REPO_ROOT, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, out }));
  });
}

/**
 * Windows builds have no V8-direct accelerator: it is C++ against V8's API, which needs
 * MSVC's C++ ABI (node.exe's), while the bridge there is built with mingw. N-API is their
 * only entry: the default, and what every suite already runs through.
 */
const NO_ACCELERATOR = ON_WINDOWS;

test('the default entry is V8-direct (N-API on Windows, which has no V8-direct accelerator)', () => {
  assert.equal(entryKind, NO_ACCELERATOR || process.env.CLOSURE_FFI_ENTRY === 'napi' ? 'napi' : 'v8');
});

test('CLOSURE_FFI_ENTRY=napi selects the N-API entry', async () => {
  const r = await run(
    ['--import', 'tsx', '-e', "console.log('ENTRY ' + require('./src/runtime/thunk-table').entryKind)"],
    { CLOSURE_FFI_ENTRY: 'napi' },
  );
  assert.match(r.out, /^ENTRY napi$/m, r.out);
});

test(`through the N-API entry: ${SUITES.join(', ')} pass`, {
  timeout: timeLimit(300_000),
  skip: notOnWindows('N-API is the only entry there: every suite already runs through it'),
}, async () => {
  const files = SUITES.map((s) => `test/${s}.test.ts`);
  const r = await run(['--import', 'tsx', '--test', '--test-concurrency=2', '--test-reporter=tap', ...files], {
    CLOSURE_FFI_ENTRY: 'napi',
  });
  const count = (what: string) => Number(new RegExp(`^# ${what} (\\d+)$`, 'm').exec(r.out)?.[1] ?? NaN);
  const failures = r.out.split('\n').filter((l) => /^\s*not ok/.test(l)).join('\n');
  assert.equal(r.status, 0, `failed under the N-API entry:\n${failures}\n${r.out.slice(-3000)}`);
  assert.ok(count('pass') >= 100, `only ${count('pass')} tests passed under the N-API entry`);
  assert.equal(count('fail'), 0);
});
