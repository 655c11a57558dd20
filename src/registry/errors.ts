/** Expected failures of registry operations; the GraphQL layer maps each class to a typed result. */
export class ValidationError extends Error {
  override readonly name = 'ValidationError';
  constructor(
    /** The input field that is wrong, e.g. "url" or "headers[2].name". */
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
  }
}

export class ConflictError extends Error {
  override readonly name = 'ConflictError';
}

export class NotFoundError extends Error {
  override readonly name = 'NotFoundError';
}
