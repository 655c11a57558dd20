import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import type { TypedDocumentString } from './generated/graphql.js';

/** Why the CLI could not get an answer; `exitCode` says which kind of failure (see exit-codes.ts). */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}

export const EXIT = {
  OK: 0,
  /** The answer is "no": a service is DOWN, a document is invalid. */
  FAILED: 1,
  /** `plan --detailed-exitcode`: there are changes to apply. */
  CHANGES: 2,
  /** The server could not be asked: unreachable, the token refused, an answer that is not GraphQL. */
  UNAVAILABLE: 3,
  /** The command line itself is wrong. */
  USAGE: 64,
} as const;

export interface ClientOptions {
  /** The server (http://host:port) or its GraphQL endpoint (…/graphql). */
  url: string;
  token?: string | undefined;
}

export interface CliClient {
  readonly endpoint: string;
  request<R, V>(document: TypedDocumentString<R, V>, variables?: V): Promise<R>;
  /** Every result of a subscription until `signal` aborts; reconnects by itself. */
  subscribe<R, V>(
    document: TypedDocumentString<R, V>,
    variables: V,
    onData: (data: R) => void,
    signal: AbortSignal,
  ): Promise<void>;
}

/** The GraphQL endpoint of a server URL as a person types it. */
export function graphqlEndpoint(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new CliError(`--url: not a URL: ${url}`, EXIT.USAGE);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new CliError(`--url: http:// or https:// expected, got ${parsed.protocol}`, EXIT.USAGE);
  }
  if (!parsed.pathname.replace(/\/+$/, '').endsWith('/graphql')) {
    parsed.pathname = `${parsed.pathname.replace(/\/+$/, '')}/graphql`;
  }
  return parsed.toString();
}

interface GraphQLResponse<R> {
  data?: R | null;
  errors?: { message: string; extensions?: { code?: string } }[];
}

/** A small typed client over fetch and graphql-ws, for the documents codegen made of operations/. */
export function createCliClient(options: ClientOptions): CliClient {
  const endpoint = graphqlEndpoint(options.url);
  const authorization = options.token ? `Bearer ${options.token}` : undefined;

  const refused = (message: string) =>
    new CliError(`${message}${options.token ? '' : ' (give --token or STATUSCHECKER_TOKEN)'}`, EXIT.UNAVAILABLE);

  return {
    endpoint,
    async request(document, variables) {
      let response: Response;
      try {
        response = await fetch(endpoint, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            accept: 'application/graphql-response+json, application/json',
            ...(authorization ? { authorization } : {}),
          },
          body: JSON.stringify({ query: document.toString(), variables: variables ?? {} }),
        });
      } catch (err) {
        const cause = (err as { cause?: { code?: string; message?: string } }).cause;
        throw new CliError(
          `cannot reach ${endpoint}: ${cause?.code ?? cause?.message ?? String(err)}`,
          EXIT.UNAVAILABLE,
        );
      }
      let body: GraphQLResponse<never>;
      try {
        body = (await response.json()) as GraphQLResponse<never>;
      } catch {
        throw new CliError(
          `${endpoint} answered ${response.status} without GraphQL (is this statuschecker?)`,
          EXIT.UNAVAILABLE,
        );
      }
      const errors = body.errors ?? [];
      if (response.status === 401 || errors.some((e) => e.extensions?.code === 'UNAUTHENTICATED')) {
        throw refused(errors[0]?.message ?? 'the server wants a token');
      }
      if (errors.length > 0 || !body.data) {
        throw new CliError(
          errors.map((e) => e.message).join('; ') || `no data (HTTP ${response.status})`,
          EXIT.UNAVAILABLE,
        );
      }
      return body.data;
    },

    subscribe(document, variables, onData, signal) {
      const client = createClient({
        url: endpoint.replace(/^http/, 'ws'),
        webSocketImpl: WebSocket,
        connectionParams: authorization ? { authorization } : {},
        retryAttempts: Number.POSITIVE_INFINITY,
        // A refused token is final; anything else (a restart, a network blip) is tried again.
        shouldRetry: (event) => !(event && typeof event === 'object' && 'code' in event && event.code === 4403),
        lazy: false,
      });
      return new Promise<void>((resolve, reject) => {
        const stop = () => {
          unsubscribe();
          void client.dispose();
          resolve();
        };
        const unsubscribe = client.subscribe<never>(
          { query: document.toString(), variables: variables as Record<string, unknown> },
          {
            next: (result) => {
              if (result.errors?.length) {
                unsubscribe();
                void client.dispose();
                reject(new CliError(result.errors.map((e) => e.message).join('; '), EXIT.UNAVAILABLE));
              } else if (result.data) onData(result.data);
            },
            error: (err) => {
              void client.dispose();
              const code = (err as { code?: number }).code;
              reject(
                code === 4403
                  ? refused('the token was refused (4403)')
                  : new CliError(`subscription failed: ${String((err as Error).message ?? err)}`, EXIT.UNAVAILABLE),
              );
            },
            complete: () => stop(),
          },
        );
        if (signal.aborted) stop();
        else signal.addEventListener('abort', stop, { once: true });
      });
    },
  };
}
