/**
 * What becomes of an error that a thunk's native caller cannot receive (see
 * {@link OnErrorPolicy}): thrown later on the JS thread, or the process aborted with a
 * message.
 */
import * as fs from 'node:fs';

/** Throws `error` (scheduled with process.nextTick: it then arrives as an uncaught exception). */
export function rethrow(error: unknown): never {
  throw error;
}

/** Prints `message` on stderr and aborts the process. */
export function abortWith(message: string): never {
  try {
    fs.writeSync(2, `closure-ffi: ${message}\n`);
  } catch {
    // stderr closed: abort anyway
  }
  process.abort();
}

/** An error as text, with its stack when it has one. */
export function errorText(error: unknown): string {
  return error instanceof Error ? (error.stack ?? String(error)) : String(error);
}
