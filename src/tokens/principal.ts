import { ACTOR_ANONYMOUS, ACTOR_ENVIRONMENT_TOKEN } from '../audit/audit-log.js';
import type { ApiTokenRow, TokenScope } from './api-tokens.js';
import { highestScope } from './api-tokens.js';

/**
 * Who is asking. `open`: no tokens exist, everyone may do everything. `anonymous`: no
 * credentials. `invalid`: credentials that match no usable token (`refusal` says why).
 * `token`: one of API_TOKENS (ADMIN, every service) or a token made through the API.
 */
export interface Principal {
  readonly kind: 'open' | 'anonymous' | 'invalid' | 'token';
  /** The same key, the same rights: subscriptions are shared only among requests of one key. */
  readonly key: string;
  /** Who the audit log names. */
  readonly actor: string;
  readonly scope: TokenScope | null;
  /** Only services with one of these labels are seen and changed; null: every service. */
  readonly labels: readonly string[] | null;
  /** The id of a token made through the API. */
  readonly tokenId: string | null;
  readonly expiresAt: Date | null;
  readonly refusal?: 'unknown' | 'revoked' | 'expired';
}

const base = { scope: null, labels: null, tokenId: null, expiresAt: null } as const;

export const OPEN: Principal = Object.freeze({
  ...base,
  kind: 'open',
  key: 'open',
  actor: ACTOR_ANONYMOUS,
  scope: 'ADMIN',
});
export const ANONYMOUS: Principal = Object.freeze({
  ...base,
  kind: 'anonymous',
  key: 'anonymous',
  actor: ACTOR_ANONYMOUS,
});
export const INVALID: Principal = Object.freeze({
  ...base,
  kind: 'invalid',
  key: 'invalid',
  actor: ACTOR_ANONYMOUS,
  refusal: 'unknown',
});

export function invalid(refusal: 'unknown' | 'revoked' | 'expired'): Principal {
  return refusal === 'unknown' ? INVALID : Object.freeze({ ...INVALID, refusal });
}

/** The n-th of API_TOKENS: ADMIN over everything. */
export function environmentPrincipal(index: number): Principal {
  return Object.freeze({
    ...base,
    kind: 'token',
    key: `token:${index}`,
    actor: ACTOR_ENVIRONMENT_TOKEN,
    scope: 'ADMIN',
  });
}

export function tokenPrincipal(token: ApiTokenRow): Principal {
  return Object.freeze({
    kind: 'token',
    key: `token:${token.id}`,
    actor: token.name,
    scope: highestScope(token.scopes),
    labels: token.labels.length > 0 ? Object.freeze([...token.labels]) : null,
    tokenId: token.id,
    expiresAt: token.expiresAt,
  });
}

/** True when the principal may see (and, with WRITE, change) a service with these labels. */
export function seesLabels(principal: Pick<Principal, 'labels'>, labels: readonly string[]): boolean {
  return principal.labels === null || labels.some((label) => principal.labels!.includes(label));
}
