import type { LookupFunction } from 'node:net';
import { Agent, request } from 'undici';
import type { TargetPolicy } from '../policy/target-policy.js';
import { createConnector } from '../probe/http/connector.js';
import { POLICY_ERROR_CODE } from '../probe/http/errors.js';
import { failure, type SendOutcome } from './sender.js';

/** Longest a receiver may take to answer one attempt. */
export const ATTEMPT_TIMEOUT_MS = 10_000;
const ERROR_BODY_CHARS = 300;
const MAX_RETRY_AFTER_MS = 60 * 60_000;

export interface HttpTransportOptions {
  policy: TargetPolicy;
  /** Tests: resolve names to addresses of their choosing. */
  lookup?: LookupFunction;
  timeoutMs?: number;
  userAgent: string;
}

export interface HttpTransport {
  postJson(url: string, body: string, headers: Record<string, string>, signal: AbortSignal): Promise<SendOutcome>;
  close(): Promise<void>;
}

/**
 * POSTs through the checks' own connector: the target policy judges the address each connection
 * actually uses (after DNS), and redirects are never followed (a 3xx is a failure naming where it
 * pointed), so a receiver cannot bounce a notification onto an internal address.
 */
export function createHttpTransport(options: HttpTransportOptions): HttpTransport {
  const connector = createConnector({
    policy: options.policy,
    lookup: options.lookup,
    ca: undefined,
    tlsSessionCache: true,
  });
  const agent = new Agent({ connect: connector.connect, keepAliveTimeout: 10_000, connections: 16 });
  const timeoutMs = options.timeoutMs ?? ATTEMPT_TIMEOUT_MS;
  return {
    async postJson(url, body, headers, signal) {
      const blocked = options.policy.checkUrl(url);
      if (blocked !== null) return failure(blocked, true);
      try {
        const response = await request(url, {
          method: 'POST',
          dispatcher: agent,
          body,
          headers: { 'content-type': 'application/json', 'user-agent': options.userAgent, ...headers },
          headersTimeout: timeoutMs,
          bodyTimeout: timeoutMs,
          signal: AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]),
        });
        const text = await response.body.text().catch(() => '');
        return judgeResponse(response.statusCode, response.headers, text);
      } catch (err) {
        return networkFailure(err, timeoutMs);
      }
    },
    async close() {
      connector.destroyAll();
      await agent.close();
    },
  };
}

type Headers = Record<string, string | string[] | undefined>;

/** 2xx sent; 3xx, and 4xx but 408/429, fail at once (configuration); 408, 429 and 5xx are retried. */
export function judgeResponse(status: number, headers: Headers, body: string): SendOutcome {
  if (status >= 200 && status < 300) return { ok: true };
  const snippet = body.replace(/\s+/g, ' ').trim().slice(0, ERROR_BODY_CHARS);
  const said = snippet ? `: ${snippet}` : '';
  if (status >= 300 && status < 400) {
    const location = first(headers.location);
    return failure(
      `HTTP ${status}: redirects are not followed${location ? ` (to ${safeLocation(location)})` : ''}`,
      true,
    );
  }
  const retryable = status === 408 || status === 429 || status >= 500;
  const outcome: SendOutcome = { ok: false, error: `HTTP ${status}${said}`, permanent: !retryable };
  const retryAfterMs = retryable ? parseRetryAfter(first(headers['retry-after'])) : null;
  return retryAfterMs === null ? outcome : { ...outcome, retryAfterMs };
}

/** Retry-After as seconds or an HTTP date; null when absent or unreadable. */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | null {
  if (!value) return null;
  const trimmed = value.trim();
  const ms = /^\d+$/.test(trimmed) ? Number(trimmed) * 1000 : Date.parse(trimmed) - now;
  return Number.isFinite(ms) ? Math.min(Math.max(ms, 0), MAX_RETRY_AFTER_MS) : null;
}

function networkFailure(err: unknown, timeoutMs: number): SendOutcome {
  const e = err as { code?: string; name?: string; message?: string; cause?: { code?: string; message?: string } };
  const code = e.code ?? e.cause?.code;
  if (code === POLICY_ERROR_CODE) return failure(e.message ?? 'blocked by target policy', true);
  if (e.name === 'TimeoutError' || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') {
    return failure(`no answer within ${timeoutMs} ms`);
  }
  return failure(`${code ? `${code}: ` : ''}${e.message ?? String(err)}`);
}

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** A Location shown without credentials or query (it could carry tokens). */
function safeLocation(location: string): string {
  try {
    const url = new URL(location);
    return `${url.protocol}//${url.host}${url.pathname}`;
  } catch {
    return 'an unreadable location';
  }
}
