import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';

/** The id of the request (or WebSocket message) being handled, for logs and masked errors. */
const storage = new AsyncLocalStorage<{ requestId: string }>();

export function withRequestId<T>(run: (requestId: string) => T, requestId: string = randomUUID()): T {
  return storage.run({ requestId }, () => run(requestId));
}

export function currentRequestId(): string | undefined {
  return storage.getStore()?.requestId;
}
