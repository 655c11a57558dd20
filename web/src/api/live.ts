import { type Client, createClient } from 'graphql-ws';
import type { TypedDocumentString } from '../generated/graphql';
import { auth } from './auth';
import { GRAPHQL_PATH } from './http';

/** idle: nothing subscribed yet (a page without live data). */
export type LiveState = 'idle' | 'connecting' | 'live' | 'offline' | 'unauthorized';

/** graphql-ws close codes that mean "your token": no use retrying until there is a new one. */
const AUTH_CLOSE_CODES = new Set([4401, 4403]);
const BACKOFF_MIN_MS = 250;
const BACKOFF_MAX_MS = 10_000;

interface Subscription {
  query: string;
  /** Asked again at every (re)connection: a subscription resumes from what it has seen. */
  variables: () => Record<string, unknown>;
  next: (data: unknown) => void;
  error?: (message: string) => void;
  dispose?: () => void;
}

/**
 * Subscriptions over graphql-ws that survive a dropped socket. graphql-ws's own retry would
 * re-send each subscription with the variables it first had; here every connection is a fresh
 * client and every subscription is re-sent with `variables()` of that moment, so the status stream
 * asks for what came after the last cursor it saw. Backoff doubles from 250 ms to 10 s, with jitter.
 */
export class LiveConnection {
  private client: Client | undefined;
  private readonly subscriptions = new Set<Subscription>();
  private readonly stateListeners = new Set<(state: LiveState) => void>();
  private readonly reconnectListeners = new Set<() => void>();
  private attempt = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private connectedOnce = false;
  state: LiveState = 'idle';

  constructor(private readonly url: string = socketUrl()) {
    auth.subscribe(() => {
      // A new token: try again at once.
      if (this.state === 'unauthorized' && auth.token) this.restart();
    });
  }

  subscribe<TResult, TVariables>(
    document: TypedDocumentString<TResult, TVariables>,
    variables: () => TVariables,
    next: (data: TResult) => void,
    error?: (message: string) => void,
  ): () => void {
    const subscription: Subscription = {
      query: document.toString(),
      variables: variables as () => Record<string, unknown>,
      next: next as (data: unknown) => void,
      ...(error ? { error } : {}),
    };
    this.subscriptions.add(subscription);
    if (this.client) this.open(this.client, subscription);
    else if (!this.timer && this.state !== 'unauthorized') this.connect();
    return () => {
      this.subscriptions.delete(subscription);
      subscription.dispose?.();
    };
  }

  onState(listener: (state: LiveState) => void): () => void {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }

  /** Called after every connection but the first (what was missed may need fetching again). */
  onReconnect(listener: () => void): () => void {
    this.reconnectListeners.add(listener);
    return () => this.reconnectListeners.delete(listener);
  }

  restart() {
    this.teardown();
    this.attempt = 0;
    this.connect();
  }

  private connect() {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.setState('connecting');
    const client = createClient({
      url: this.url,
      lazy: false,
      retryAttempts: 0,
      keepAlive: 10_000,
      connectionParams: () => {
        const authorization = auth.header();
        return authorization ? { authorization } : {};
      },
      onNonLazyError: () => undefined,
      on: {
        connected: () => {
          if (client !== this.client) return;
          this.attempt = 0;
          this.setState('live');
          if (auth.token) auth.accepted();
          if (this.connectedOnce) for (const listener of [...this.reconnectListeners]) listener();
          this.connectedOnce = true;
        },
        closed: (event) => {
          if (client === this.client) this.closed((event as CloseEvent | undefined)?.code);
        },
      },
    });
    this.client = client;
    for (const subscription of this.subscriptions) this.open(client, subscription);
  }

  private open(client: Client, subscription: Subscription) {
    subscription.dispose = client.subscribe(
      { query: subscription.query, variables: subscription.variables() },
      {
        next: (result) => {
          if (result.data) subscription.next(result.data);
          if (result.errors?.length) subscription.error?.(result.errors.map((e) => e.message).join('; '));
        },
        error: (err) => {
          // A closed socket reaches every sink; only GraphQL errors concern the subscription itself.
          if (Array.isArray(err)) subscription.error?.(err.map((e: { message: string }) => e.message).join('; '));
        },
        complete: () => undefined,
      },
    );
  }

  private closed(code: number | undefined) {
    this.teardown();
    if (code !== undefined && AUTH_CLOSE_CODES.has(code)) {
      this.setState('unauthorized');
      auth.refused();
      return;
    }
    this.setState('offline');
    const delay = Math.min(BACKOFF_MAX_MS, BACKOFF_MIN_MS * 2 ** this.attempt++);
    this.timer = setTimeout(() => this.connect(), delay / 2 + Math.random() * (delay / 2));
  }

  private teardown() {
    const client = this.client;
    this.client = undefined;
    for (const subscription of this.subscriptions) subscription.dispose = undefined;
    // dispose() awaits the connection attempt, which rejects when the socket closed before it was acknowledged.
    if (client) Promise.resolve(client.dispose()).catch(() => undefined);
  }

  private setState(state: LiveState) {
    if (state === this.state) return;
    this.state = state;
    for (const listener of [...this.stateListeners]) listener(state);
  }
}

function socketUrl(): string {
  const url = new URL(GRAPHQL_PATH, location.href);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  return url.href;
}

export const live = new LiveConnection();
