/**
 * Whether the host's GNU binutils can be run, for the tests that check the code writers
 * (src/asm, plain TypeScript whose output does not depend on the host) against `as`.
 *
 * Under an emulated target (scripts/cross/run.sh) the tests run in a program of that target:
 * a Windows node.exe under Wine cannot start the Linux `as` at all. There these checks are
 * skipped, since they already ran, with the same writers, in the native run. Natively a
 * missing assembler is never a reason to skip: the tests fail and say what to install.
 */
import { spawnSync } from 'node:child_process';
import { EMULATED_TARGET } from './emulation';

/** A node:test `skip` option: the reason when under emulation `tool` cannot be started; otherwise false. */
export function skipWithoutTool(tool: string): string | false {
  if (!EMULATED_TARGET) return false;
  const r = spawnSync(tool, ['--version'], { encoding: 'utf8' });
  if (!r.error) return false;
  return `${tool} cannot be started under ${EMULATED_TARGET} (${r.error.message}); the writers are host-independent TypeScript, checked against ${tool} in the native run`;
}
