import type { CliClient } from './client.js';
import {
  CliStatusChangedDocument,
  type CliStatusChangedSubscription,
  CliStatusCursorDocument,
} from './generated/graphql.js';

type Change = CliStatusChangedSubscription['statusChanged'];

/** Cursors remembered to drop what a reconnect replays again. */
const SEEN_CURSORS = 10_000;

export function formatChange(change: Change): string {
  const message = change.message ? `  ${change.message}` : '';
  return `${change.at}  ${change.service.name}  ${change.previous} → ${change.current}${message}`;
}

/**
 * `statuschecker watch`: every transition from now on, one line each (or one JSON object per line),
 * until interrupted. It subscribes after the newest stored transition, so a reconnect replays what
 * happened while it was away; what it already printed is not printed again.
 */
export async function watchCommand(
  client: CliClient,
  options: { json: boolean },
  write: (text: string) => void,
  signal: AbortSignal,
  say: (text: string) => void = () => {},
): Promise<number> {
  const { statusCursor } = await client.request(CliStatusCursorDocument, {});
  // From here on nothing is missed: the subscription starts after this cursor.
  say(`watching ${client.endpoint} for status changes (Ctrl+C to stop)\n`);
  const seen = new Set<string>();
  await client.subscribe(
    CliStatusChangedDocument,
    { after: statusCursor },
    ({ statusChanged }) => {
      if (seen.has(statusChanged.cursor)) return;
      seen.add(statusChanged.cursor);
      if (seen.size > SEEN_CURSORS) seen.delete(seen.values().next().value!);
      write(`${options.json ? JSON.stringify(statusChanged) : formatChange(statusChanged)}\n`);
    },
    signal,
  );
  return 0;
}
