/**
 * The OS the tests run on, for the few checks that differ on Windows (run under Wine by
 * scripts/cross/run.sh win32-x64). A test of something Windows does not have at all is
 * skipped there with the reason; one Windows has differently is adapted, not skipped.
 */
export const ON_WINDOWS = process.platform === 'win32';

/** A node:test `skip` option: on Windows, the reason the test does not apply there; elsewhere false. */
export function notOnWindows(why: string): string | false {
  return ON_WINDOWS ? `not on Windows: ${why}` : false;
}
