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
