/**
 * Thunks a test file makes at module level live until the file's tests are done:
 * `keep(new BareFn(...))` registers it, and one `after` hook disposes them all.
 */
import { after } from 'node:test';

interface Disposable {
  dispose(): void;
}

const kept: Disposable[] = [];
let hooked = false;

export function keep<T extends Disposable>(t: T): T {
  if (!hooked) {
    hooked = true;
    after(() => {
      for (const k of kept.splice(0)) k.dispose();
    });
  }
  kept.push(t);
  return t;
}
