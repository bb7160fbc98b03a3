import { ClosureFfiError } from '../errors';

/**
 * `types.define` / `types.defineMacro` / `types.defineConvention` was given an invalid
 * name, a reserved word or built-in type name, or a name already defined differently.
 */
export class TypeDefinitionError extends ClosureFfiError {
  constructor(readonly typeName: string, message: string) {
    super('ERR_TYPE_DEFINITION', message);
  }
}
