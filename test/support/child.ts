/**
 * Running a test fixture (a TypeScript script under test/fixtures) in a child Node process,
 * for behaviour that ends or poisons a process: aborts, traps, uncaught exceptions.
 */
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { timeLimit } from './emulation';

export interface ChildResult {
  /** Exit code, or null when the child was killed by a signal. */
  status: number | null;
  /** Signal name that killed the child ('SIGABRT', 'SIGSEGV', ...), or null. */
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /**
   * Whether the child ended by abort(): SIGABRT on POSIX; on Windows (no signals to die of)
   * the C runtime's abort() exits with status 3 and Node's process.abort() with 134.
   */
  aborted: boolean;
  /** One-line summary for assertion messages. */
  describe(): string;
}

export const REPO_ROOT = resolve(__dirname, '..', '..');

/** Absolute path of `test/fixtures/<name>`. */
export function fixturePath(name: string): string {
  return resolve(REPO_ROOT, 'test', 'fixtures', name);
}

/**
 * Run `node --import tsx test/fixtures/<name> ...args` from the repository root and collect
 * its outcome (killed after `timeoutMs`, scaled under emulation). Never rejects for a failing child; rejects only if it cannot be spawned.
 */
export function runFixture(
  name: string,
  args: string[] = [],
  opts: { env?: Record<string, string>; timeoutMs?: number; /** Node options before the script (`--jitless`). */ nodeArgs?: string[] } = {},
): Promise<ChildResult> {
  return new Promise((resolveP, reject) => {
    const child = spawn(process.execPath, [...(opts.nodeArgs ?? []), '--import', 'tsx', fixturePath(name), ...args], {
      cwd: REPO_ROOT,
      env: { ...process.env, ...opts.env, NODE_OPTIONS: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeLimit(opts.timeoutMs ?? 30_000));
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (status, signal) => {
      clearTimeout(timer);
      resolveP({
        status,
        signal,
        aborted: signal === 'SIGABRT' || (process.platform === 'win32' && (status === 3 || status === 134)),
        stdout,
        stderr,
        describe() {
          return `fixture ${name} ${args.join(' ')} -> status=${status} signal=${signal}\n--- stdout ---\n${stdout}\n--- stderr ---\n${stderr}`;
        },
      });
    });
  });
}

/** Lines of a child's stdout that start with `tag`, with the tag removed and JSON-parsed. */
export function taggedJson<T = unknown>(stdout: string, tag: string): T[] {
  return stdout
    .split('\n')
    .filter((l) => l.startsWith(tag))
    .map((l) => JSON.parse(l.slice(tag.length)) as T);
}
