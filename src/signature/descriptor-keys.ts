/**
 * Signature descriptors have a closed set of keys. An unknown key is refused, at run time
 * and in TypeScript: `{ args: ['int'], return: 'int' }` would otherwise be a `void`
 * function (the `ret` it meant is missing), which C callers read as garbage.
 */
import { InvalidOptionError } from '../errors';
import type { SignatureDescriptor } from './signature';
// The TypeScript side: `UnknownDescriptorKey` in typelevel.ts.

const KEYS: readonly (keyof SignatureDescriptor)[] = ['args', 'ret', 'cc', 'variadic', 'strings'];

/** Likely meanings of keys people write from other FFIs' habits. */
const SUGGESTIONS: Readonly<Record<string, keyof SignatureDescriptor>> = {
  return: 'ret', returns: 'ret', result: 'ret', res: 'ret', rtype: 'ret', retType: 'ret', returnType: 'ret',
  arguments: 'args', params: 'args', parameters: 'args', argTypes: 'args',
  abi: 'cc', convention: 'cc', callconv: 'cc', callingConvention: 'cc',
  varargs: 'variadic', vararg: 'variadic', string: 'strings',
};

/** Throws {@link InvalidOptionError} naming the first key of `d` a descriptor does not have. */
export function checkDescriptorKeys(d: object, describe: () => string): void {
  for (const key of Object.keys(d)) {
    if ((KEYS as readonly string[]).includes(key)) continue;
    const suggestion = SUGGESTIONS[key];
    throw new InvalidOptionError(
      `signature descriptor ${describe()}: unknown key '${key}'${suggestion ? ` (did you mean '${suggestion}'?)` : ''}; ` +
      `a descriptor has ${KEYS.join(', ')}`);
  }
}

