import { decodeGlobalID } from '@pothos/plugin-relay';
import { NotFoundError } from '../../registry/errors.js';
import { isStorableText } from '../../registry/text.js';

/** The database id inside a global id of `type`, or null when `globalId` is not one. */
export function nodeIdOf(type: string, globalId: string): string | null {
  try {
    const { typename, id } = decodeGlobalID(globalId);
    // No stored id holds text PostgreSQL would refuse; asking would be an unexpected error.
    return typename === type && id.length > 0 && isStorableText(id) ? id : null;
  } catch {
    return null;
  }
}

/** The database id inside a Service global id, or null when `globalId` is not one. */
export function serviceIdOf(globalId: string): string | null {
  return nodeIdOf('Service', globalId);
}

export function requireServiceId(globalId: string): string {
  const id = serviceIdOf(globalId);
  if (id === null) throw new NotFoundError(`no service with id ${JSON.stringify(globalId.slice(0, 100))}`);
  return id;
}
