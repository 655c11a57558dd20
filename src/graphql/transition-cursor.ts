import { GraphQLError } from 'graphql';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** A live event's cursor: its transition's id (a UUIDv7, so cursors sort by time), opaque to clients. */
export function transitionCursor(id: string): string {
  return Buffer.from(`StatusChange:${id}`).toString('base64url');
}

/** The transition id a cursor names; anything else is the client's mistake. */
export function transitionIdOf(cursor: string): string {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const id = text.startsWith('StatusChange:') ? text.slice('StatusChange:'.length) : '';
  if (!UUID.test(id)) throw new GraphQLError('invalid cursor', { extensions: { code: 'BAD_USER_INPUT' } });
  return id;
}

/** The moment a transition id was made (its first 48 bits). */
export function transitionTimeOf(id: string): Date {
  return new Date(Number.parseInt(id.replaceAll('-', '').slice(0, 12), 16));
}
