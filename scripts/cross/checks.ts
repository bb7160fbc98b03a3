/**
 * The little harness of the cross checks (check-bridge.ts): each check
 * prints `ok`, `skip` (a note starting with "skip ") or `FAIL`, and `finish()` prints the
 * totals and sets the exit status to 1 if one failed.
 */
let failed = 0;
let passed = 0;

export function check(name: string, fn: () => string | void): void {
  const t0 = performance.now();
  try {
    const note = fn();
    if (note?.startsWith('skip')) {
      console.log(`skip - ${name}: ${note.slice(5)}`);
      return;
    }
    passed++;
    console.log(`ok - ${name}${note ? ` (${note})` : ''} [${(performance.now() - t0).toFixed(0)} ms]`);
  } catch (e) {
    failed++;
    console.log(`FAIL - ${name}: ${(e as Error).stack ?? String(e)}`);
  }
}

export function expect(got: unknown, want: unknown, what: string): void {
  if (got !== want) throw new Error(`${what}: got ${String(got)}, want ${String(want)}`);
}

export function finish(): void {
  console.log(`${passed} passed, ${failed} failed`);
  process.exitCode = failed ? 1 : 0;
}
