import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { type GraphQLFormattedError, print } from 'graphql';
import { type Client, type ClientOptions, createClient } from 'graphql-ws';
import WebSocket from 'ws';

/** A real graphql-ws client against `httpUrl` (http://…/graphql becomes ws://…/graphql), no retries. */
export function connectClient(httpUrl: string, options: Partial<ClientOptions> = {}): Client {
  return createClient({
    url: httpUrl.replace(/^http/, 'ws'),
    webSocketImpl: WebSocket,
    retryAttempts: 0,
    lazy: false,
    // A server going away at the end of a test is expected; subscriptions report their own errors.
    onNonLazyError: () => {},
    ...options,
  });
}

export interface Subscription<TData> {
  readonly events: TData[];
  readonly errors: readonly GraphQLFormattedError[][];
  /** Resolves with the first event (already received or future) matching, or fails after `timeoutMs`. */
  next(predicate?: (event: TData) => boolean, timeoutMs?: number): Promise<TData>;
  /** Resolves once the server reported an error for this subscription. */
  failed(timeoutMs?: number): Promise<readonly GraphQLFormattedError[]>;
  dispose(): void;
}

/** Subscribes with a typed document and records every event; a GraphQL error is recorded, not thrown. */
export function subscribe<TData, TVariables extends Record<string, unknown>>(
  client: Client,
  document: TypedDocumentNode<TData, TVariables>,
  variables?: TVariables,
): Subscription<TData> {
  const events: TData[] = [];
  const errors: GraphQLFormattedError[][] = [];
  const waiters = new Set<() => void>();
  const wake = () => {
    for (const waiter of [...waiters]) waiter();
  };
  const dispose = client.subscribe<TData>(
    { query: print(document), variables },
    {
      next: (result) => {
        if (result.errors?.length) errors.push([...result.errors]);
        if (result.data) events.push(result.data);
        wake();
      },
      error: (err) => {
        const list = Array.isArray(err)
          ? (err as GraphQLFormattedError[])
          : [{ message: err instanceof Error ? err.message : String(err) }];
        errors.push(list);
        wake();
      },
      complete: wake,
    },
  );

  const waitFor = <T>(check: () => T | undefined, timeoutMs: number, what: string) =>
    new Promise<T>((resolve, reject) => {
      const attempt = () => {
        const found = check();
        if (found === undefined) return false;
        clearTimeout(timer);
        waiters.delete(waiter);
        resolve(found);
        return true;
      };
      const waiter = () => void attempt();
      const timer = setTimeout(() => {
        waiters.delete(waiter);
        reject(
          new Error(`no ${what} within ${timeoutMs} ms; events so far: ${JSON.stringify(events).slice(0, 2_000)}`),
        );
      }, timeoutMs);
      if (!attempt()) waiters.add(waiter);
    });

  return {
    events,
    errors,
    next: (predicate = () => true, timeoutMs = 10_000) =>
      waitFor(() => events.find(predicate), timeoutMs, 'matching event'),
    failed: (timeoutMs = 5_000) => waitFor(() => errors[0], timeoutMs, 'error'),
    dispose,
  };
}

/**
 * Waits until the server counts at least `count` active subscriptions. A subscription sent a moment
 * before a registration may not be in place when the first check (within a second) reports: an
 * event before that reaches nobody, and a test waiting for it would wait for nothing.
 */
export async function untilSubscribed(
  app: { testing: { live: { subscriptionsActive(): number } } },
  count = 1,
  timeoutMs = 5_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (app.testing.live.subscriptionsActive() < count) {
    if (Date.now() > deadline) throw new Error(`fewer than ${count} subscriptions active after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
