import { type Assertion, asserts } from '../assert/assertion.js';
import type { TlsOptions } from '../tls/options.js';
import type { StatusRanges } from './expected-status.js';
import type { HttpMethod } from './method.js';

/** What to check: one service's endpoint and how to judge its answer. */
export interface HttpProbeTarget {
  url: string;
  method: HttpMethod;
  headers: readonly { name: string; value: string }[];
  /** One deadline for the whole check: DNS, connect, TLS, every redirect, headers and body. */
  timeoutMs: number;
  expectedStatus: StatusRanges;
  /** The same ranges as written by the operator, e.g. "200-299", for messages. */
  expectedStatusText: string;
  /** Plain substring that must appear in the first 64 KiB of the body. */
  bodyContains: string | null;
  degradedAboveMs: number | null;
  /** Evaluated in order after the kind's own verdict (src/probe/assert/); none when absent. */
  assertions?: readonly Assertion[];
  /** https: how the certificate is verified (null: against Node's roots and the prober's CAs). */
  tls?: TlsOptions | null;
}

/** A target's URL and headers in the shape undici takes, computed once per target object. */
export interface PreparedTarget {
  readonly url: string;
  readonly headerSource: HttpProbeTarget['headers'];
  readonly bodyContains: string | null;
  readonly location: HopLocation;
  /** Flat [name, value, ...] as undici takes them, User-Agent included. */
  readonly headers: string[];
  readonly needle: Buffer | null;
  readonly assertions: readonly Assertion[] | undefined;
  /** The target asserts something: the check keeps what it saw (status, headers, body). */
  readonly observing: boolean;
  /** STATUS assertions judge the status instead of expectedStatus. */
  readonly statusAsserted: boolean;
  /** A BODY or JSON assertion needs the body (its first 64 KiB); otherwise it is not read. */
  readonly readBody: boolean;
}

/** Where one hop goes. */
export interface HopLocation {
  readonly href: string;
  readonly origin: string;
  /** Path and query, as sent in the request line. */
  readonly path: string;
  readonly hostname: string;
  readonly https: boolean;
  /** "user:password" from the URL, decoded, or null. */
  readonly userinfo: string | null;
}

/** Sent to the first origin only: a redirect elsewhere must not carry the operator's secrets. */
const CREDENTIAL_HEADERS = new Set(['authorization', 'cookie', 'proxy-authorization']);

const prepared = new WeakMap<HttpProbeTarget, PreparedTarget>();

/** The prepared form of `target`, reused while the same object keeps the same url, headers and body text. */
export function prepareTarget(target: HttpProbeTarget, userAgent: string): PreparedTarget | string {
  const cached = prepared.get(target);
  if (
    cached !== undefined &&
    cached.url === target.url &&
    cached.headerSource === target.headers &&
    cached.bodyContains === target.bodyContains &&
    cached.assertions === target.assertions
  ) {
    return cached;
  }
  const location = parseLocation(target.url);
  if (typeof location === 'string') return location;
  const fresh: PreparedTarget = {
    url: target.url,
    headerSource: target.headers,
    bodyContains: target.bodyContains,
    location,
    headers: requestHeaders(target.headers, userAgent, location.userinfo),
    // Every body contains the empty string: no need to read it.
    needle: target.bodyContains ? Buffer.from(target.bodyContains, 'utf8') : null,
    assertions: target.assertions,
    observing: (target.assertions?.length ?? 0) > 0,
    statusAsserted: asserts(target.assertions, 'STATUS'),
    readBody: asserts(target.assertions, 'BODY') || asserts(target.assertions, 'JSON'),
  };
  prepared.set(target, fresh);
  return fresh;
}

/** Parses an absolute http(s) URL, or a redirect's Location against the current URL. */
export function parseLocation(raw: string, base?: string): HopLocation | string {
  let url: URL;
  try {
    url = new URL(raw, base);
  } catch {
    // The text lands in the state message and the logs: never with credentials in it.
    const shown = quote(raw.replace(/\/\/[^/@\s]*@/g, '//[redacted]@'));
    return base === undefined ? `invalid URL ${shown}` : `invalid redirect location ${shown}`;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    const scheme = url.protocol.slice(0, -1);
    return base === undefined ? `unsupported URL scheme ${scheme}` : `redirect to unsupported URL scheme ${scheme}`;
  }
  const hostname = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  return {
    href: url.href,
    origin: url.origin,
    path: `${url.pathname}${url.search}`,
    hostname,
    https: url.protocol === 'https:',
    userinfo: url.username || url.password ? `${decode(url.username)}:${decode(url.password)}` : null,
  };
}

/** The target's headers, plus User-Agent and Basic credentials from the URL unless the target sets them. */
function requestHeaders(headers: HttpProbeTarget['headers'], userAgent: string, userinfo: string | null): string[] {
  const flat: string[] = [];
  let hasUserAgent = false;
  let hasAuthorization = false;
  for (const { name, value } of headers) {
    const lower = name.toLowerCase();
    if (lower === 'user-agent') hasUserAgent = true;
    else if (lower === 'authorization') hasAuthorization = true;
    flat.push(name, value);
  }
  if (!hasUserAgent) flat.push('user-agent', userAgent);
  if (userinfo !== null && !hasAuthorization) {
    flat.push('authorization', `Basic ${Buffer.from(userinfo, 'utf8').toString('base64')}`);
  }
  return flat;
}

/** The headers minus credentials, for a hop to another origin (as browsers do). */
export function withoutCredentials(flat: readonly string[]): string[] {
  const kept: string[] = [];
  for (let i = 0; i + 1 < flat.length; i += 2) {
    const name = flat[i] as string;
    if (!CREDENTIAL_HEADERS.has(name.toLowerCase())) kept.push(name, flat[i + 1] as string);
  }
  return kept;
}

function decode(component: string): string {
  try {
    return decodeURIComponent(component);
  } catch {
    return component;
  }
}

/** `text` in double quotes for a message: shortened, control characters escaped. */
export function quote(text: string, max = 60): string {
  return JSON.stringify(text.length <= max ? text : `${text.slice(0, max)}…`);
}
