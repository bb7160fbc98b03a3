/**
 * A compact reporter for `node --test`: progress as one character per test ('.' passed,
 * 'F' failed, 's' skipped, 't' todo), each failure in full as it happens, then one line
 * per test file and a summary. The default reporter prints every test with its YAML
 * details (about 1,900 lines for this suite) and says how it went only at the very end.
 *
 * Use: node --import tsx --test --test-reporter=./test/support/compact-reporter.mjs test/*.test.ts
 */
import { relative } from 'node:path';
import { inspect } from 'node:util';

const rel = (file) => (file ? relative(process.cwd(), file) : '(no file)');
const WIDTH = 80;

function describeError(error) {
  const cause = error?.cause ?? error;
  const text = cause instanceof Error ? (cause.stack ?? String(cause)) : inspect(cause, { depth: 4 });
  return text.split('\n').map((l) => `    ${l}`).join('\n');
}

export default async function* compactReporter(source) {
  const files = new Map(); // file -> counts
  const totals = { pass: 0, fail: 0, skip: 0, todo: 0 };
  let column = 0;
  let duration = 0;
  for await (const event of source) {
    const data = event.data ?? {};
    if (event.type === 'test:diagnostic' && /^duration_ms /.test(data.message ?? '')) {
      duration = Number(data.message.slice('duration_ms '.length));
      continue;
    }
    if (event.type !== 'test:pass' && event.type !== 'test:fail') continue;
    if (data.details?.type === 'suite' && event.type === 'test:pass') continue; // count tests, not suites
    const kind = data.skip ? 'skip' : data.todo ? 'todo' : event.type === 'test:pass' ? 'pass' : 'fail';
    // A failed suite is counted only when it failed by itself (a hook, or a file that did not load).
    if (data.details?.type === 'suite' && data.details?.error?.failureType === 'subtestsFailed') continue;
    let f = files.get(data.file);
    if (!f) files.set(data.file, (f = { pass: 0, fail: 0, skip: 0, todo: 0 }));
    f[kind]++;
    totals[kind]++;
    if (kind === 'fail') {
      yield `${column ? '\n' : ''}✗ ${rel(data.file)} › ${data.name}\n${describeError(data.details?.error)}\n`;
      column = 0;
      continue;
    }
    yield kind === 'pass' ? '.' : kind === 'skip' ? 's' : 't';
    if (++column === WIDTH) {
      yield '\n';
      column = 0;
    }
  }
  if (column) yield '\n';
  yield '\n';
  for (const [file, f] of [...files].sort(([a], [b]) => rel(a).localeCompare(rel(b)))) {
    const extra = [f.fail && `${f.fail} FAILED`, f.skip && `${f.skip} skipped`, f.todo && `${f.todo} todo`].filter(Boolean);
    yield `${f.fail ? '✗' : '✓'} ${rel(file)}: ${f.pass} passed${extra.length ? `, ${extra.join(', ')}` : ''}\n`;
  }
  const seconds = duration ? `, ${(duration / 1000).toFixed(1)} s` : '';
  if (totals.todo || seconds) yield `\n${totals.todo} todo${seconds}`;
  // The last line in the plain form CI tools read: 'N passed, N failed, N skipped'.
  yield `\n${totals.fail ? 'FAILED' : 'ok'}: ${totals.pass} passed, ${totals.fail} failed, ${totals.skip} skipped\n`;
}
