/**
 * Signature descriptors accept only their own keys in TypeScript, checked by `tsc --noEmit`
 * (npm test's typecheck): a misspelled `ret` makes the closure a type error that names
 * the key, instead of silently typing a `void` function.
 */
import { BareFn } from '../../src/index';

export function descriptorKeyChecks(): void {
  new BareFn({ args: ['int'], ret: 'int' }, (x) => x + 1);
  new BareFn({ args: ['const char *'], ret: 'int', strings: true, cc: 'C', variadic: false }, (s) => (s ?? '').length);
  // @ts-expect-error 'return' is not a descriptor key (it is 'ret')
  new BareFn({ args: ['int'], return: 'int' }, (x: number) => x);
  // @ts-expect-error 'arguments' is not a descriptor key (it is 'args')
  new BareFn({ args: [], arguments: ['int'] }, () => 0);
}
