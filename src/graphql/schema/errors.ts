import { ConflictError, NotFoundError, ValidationError } from '../../registry/errors.js';
import { builder } from '../builder.js';

export const ErrorInterface = builder.interfaceRef<Error>('Error').implement({
  description: 'Every expected failure of a mutation is a typed result, not a thrown error.',
  fields: (t) => ({ message: t.exposeString('message') }),
});

builder.objectType(ValidationError, {
  name: 'ValidationError',
  interfaces: [ErrorInterface],
  fields: (t) => ({
    field: t.exposeString('field', { nullable: true, description: 'Which input field is wrong, e.g. "url".' }),
  }),
});

builder.objectType(ConflictError, { name: 'ConflictError', interfaces: [ErrorInterface] });
builder.objectType(NotFoundError, { name: 'NotFoundError', interfaces: [ErrorInterface] });

/**
 * Errors-plugin options for a result union with a fixed public name whose success member is the
 * field's own type. The plugin builds one union per result name, so fields that share a union
 * (ServiceResult) share the name, and each distinct union gets its own.
 */
export function resultUnion(
  name: string,
  types: (typeof ValidationError | typeof ConflictError | typeof NotFoundError)[],
) {
  return { types, directResult: true as const, result: { name }, union: { name } };
}
