/**
 * ref()/unref() keep the event loop alive for calls from other threads, which only the Sync
 * classes accept: the other classes do not have them (checked by npm test's typecheck).
 */
import { BareFn, BareFnMutSync } from '../../src/index';

export function syncOnlyRef(): void {
  const plain = new BareFn('void (void)', () => {});
  // @ts-expect-error a plain BareFn cannot be called from other threads, so it has no ref()
  plain.ref();
  const sync = new BareFnMutSync('void (void)', () => {}).ref().unref();
  plain.dispose();
  sync.dispose();
}
