/**
 * Pages of rows keyed by a time-ordered id (UUIDv7), newest first: the cursor is the row's id
 * behind a prefix naming the list, base64url, opaque to clients.
 */
export function idCursors(prefix: string) {
  return {
    cursorOf: (id: string) => Buffer.from(`${prefix}:${id}`).toString('base64url'),
    /** The id a cursor of this list names; null for anything else. */
    idOf(cursor: string | null | undefined): string | null {
      if (!cursor) return null;
      const text = Buffer.from(cursor, 'base64url').toString('utf8');
      return text.startsWith(`${prefix}:`) ? text.slice(prefix.length + 1) : null;
    },
  };
}

/**
 * A relay-style connection from `size + 1` rows read after `after` (the extra row says whether
 * there is a next page).
 */
export function idPage<T extends { id: string }>(
  rows: readonly T[],
  size: number,
  after: string | null | undefined,
  totalCount: number,
  cursorOf: (id: string) => string,
) {
  const edges = rows.slice(0, size).map((node) => ({ cursor: cursorOf(node.id), node }));
  return {
    edges,
    totalCount,
    pageInfo: {
      hasNextPage: rows.length > size,
      hasPreviousPage: after != null,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
  };
}
