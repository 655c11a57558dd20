/* eslint-disable */
/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { DocumentTypeDecoration } from '@graphql-typed-document-node/core';
/** What is checked, chosen by the url's scheme (http, https, tcp, tls, dns, grpc, grpcs, ws, wss, postgres, redis, rediss). */
export type CheckKind =
  | 'DNS'
  | 'GRPC'
  | 'HTTP'
  | 'POSTGRES'
  | 'REDIS'
  | 'TCP'
  | 'TLS'
  | 'WEBSOCKET';

export type ServiceStatus =
  /** Reachable and passing, but slower than the service's degradedAboveMs. */
  | 'DEGRADED'
  | 'DOWN'
  /** Checks are paused by an operator. */
  | 'PAUSED'
  /** Registered, not checked yet. */
  | 'UNKNOWN'
  | 'UP';

export type CliServicesQueryVariables = Exact<{
  after?: string | null | undefined;
}>;


export type CliServicesQuery = { services: { pageInfo: { hasNextPage: boolean, endCursor: string | null }, edges: Array<{ node: { name: string, kind: CheckKind, url: string, labels: Array<string>, state: { status: ServiceStatus, since: string | null, latencyMs: number | null, message: string | null } } }> } };

export type CliStatusCursorQueryVariables = Exact<{ [key: string]: never; }>;


export type CliStatusCursorQuery = { statusCursor: string | null };

export type CliStatusChangedSubscriptionVariables = Exact<{
  after?: string | null | undefined;
}>;


export type CliStatusChangedSubscription = { statusChanged: { cursor: string, previous: ServiceStatus, current: ServiceStatus, at: string, message: string | null, service: { name: string } } };

export class TypedDocumentString<TResult, TVariables>
  extends String
  implements DocumentTypeDecoration<TResult, TVariables>
{
  __apiType?: NonNullable<DocumentTypeDecoration<TResult, TVariables>['__apiType']>;
  private value: string;
  public __meta__?: Record<string, any> | undefined;

  constructor(value: string, __meta__?: Record<string, any> | undefined) {
    super(value);
    this.value = value;
    this.__meta__ = __meta__;
  }

  override toString(): string & DocumentTypeDecoration<TResult, TVariables> {
    return this.value;
  }
}

export const CliServicesDocument = new TypedDocumentString(`
    query CliServices($after: String) {
  services(first: 100, after: $after) {
    pageInfo {
      hasNextPage
      endCursor
    }
    edges {
      node {
        name
        kind
        url
        labels
        state {
          status
          since
          latencyMs
          message
        }
      }
    }
  }
}
    `) as unknown as TypedDocumentString<CliServicesQuery, CliServicesQueryVariables>;
export const CliStatusCursorDocument = new TypedDocumentString(`
    query CliStatusCursor {
  statusCursor
}
    `) as unknown as TypedDocumentString<CliStatusCursorQuery, CliStatusCursorQueryVariables>;
export const CliStatusChangedDocument = new TypedDocumentString(`
    subscription CliStatusChanged($after: String) {
  statusChanged(after: $after) {
    cursor
    service {
      name
    }
    previous
    current
    at
    message
  }
}
    `) as unknown as TypedDocumentString<CliStatusChangedSubscription, CliStatusChangedSubscriptionVariables>;