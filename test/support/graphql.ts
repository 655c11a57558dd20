import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { type ExecutionResult, print } from 'graphql';

export type Fetch = (url: string, init: RequestInit) => Promise<Response> | Response;

/** Runs a typed document over HTTP and returns its data; any GraphQL error fails the test loudly. */
export async function executeOperation<TData, TVariables>(
  fetchFn: Fetch,
  url: string,
  document: TypedDocumentNode<TData, TVariables>,
  variables?: TVariables,
  headers: Record<string, string> = {},
): Promise<TData> {
  const result = await executeRaw(fetchFn, url, print(document), variables as Record<string, unknown>, headers);
  if (result.body.errors?.length || !result.body.data) {
    throw new Error(`GraphQL errors (HTTP ${result.status}): ${JSON.stringify(result.body.errors ?? result.body)}`);
  }
  return result.body.data as TData;
}

/** Posts any query and returns the status and body as they are, for tests of failures. */
export async function executeRaw(
  fetchFn: Fetch,
  url: string,
  query: string,
  variables?: Record<string, unknown>,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: ExecutionResult }> {
  const response = await fetchFn(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', ...headers },
    body: JSON.stringify({ query, variables }),
  });
  const text = await response.text();
  let body: ExecutionResult;
  try {
    body = JSON.parse(text) as ExecutionResult;
  } catch {
    throw new Error(`not JSON (HTTP ${response.status}): ${text.slice(0, 500)}`);
  }
  return { status: response.status, body };
}
