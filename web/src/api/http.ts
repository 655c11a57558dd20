import type { TypedDocumentString } from '../generated/graphql';
import { auth } from './auth';

export const GRAPHQL_PATH = '/graphql';

/** The server refused the request for want of a valid token. */
export class AuthRequiredError extends Error {
  override name = 'AuthRequiredError';
}

interface GraphQLResponse<T> {
  data?: T | null;
  errors?: { message: string; extensions?: { code?: string } }[];
}

/** One query or mutation over HTTP POST; GraphQL errors become a thrown Error with their messages. */
export async function request<TResult, TVariables>(
  document: TypedDocumentString<TResult, TVariables>,
  ...[variables]: TVariables extends Record<string, never> ? [] : [TVariables]
): Promise<TResult> {
  return send(document, variables, true);
}

/**
 * A query for what only some tokens may read (notification deliveries): null when refused, without
 * asking for a token (the rest of the page was readable as it is).
 */
export async function requestIfAllowed<TResult, TVariables>(
  document: TypedDocumentString<TResult, TVariables>,
  variables: TVariables,
): Promise<TResult | null> {
  try {
    return await send(document, variables, false);
  } catch (err) {
    if (err instanceof RefusedError) return null;
    throw err;
  }
}

/** The server refused the request to this token, or to no token (401 or 403). */
class RefusedError extends Error {
  override name = 'RefusedError';
}

async function send<TResult, TVariables>(
  document: TypedDocumentString<TResult, TVariables>,
  variables: TVariables | undefined,
  promptOnRefusal: boolean,
): Promise<TResult> {
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    accept: 'application/graphql-response+json, application/json',
  };
  const authorization = auth.header();
  if (authorization) headers.authorization = authorization;
  const response = await fetch(GRAPHQL_PATH, {
    method: 'POST',
    headers,
    body: JSON.stringify({ query: document.toString(), variables }),
  });
  const body = (await response.json().catch(() => ({}))) as GraphQLResponse<TResult>;
  const unauthenticated = response.status === 401 || body.errors?.some((e) => e.extensions?.code === 'UNAUTHENTICATED');
  if (!promptOnRefusal && (unauthenticated || response.status === 403))
    throw new RefusedError(body.errors?.[0]?.message ?? `the server answered ${response.status}`);
  if (unauthenticated) {
    auth.refused();
    throw new AuthRequiredError(body.errors?.[0]?.message ?? 'this server needs an API token');
  }
  if (body.errors?.length) throw new Error(body.errors.map((e) => e.message).join('; '));
  if (!response.ok || !body.data) throw new Error(`the server answered ${response.status}`);
  // A query that passed without a token still says nothing about mutations: only a token proves it.
  if (authorization) auth.accepted();
  return body.data;
}
