import { type Agent, Client } from 'undici';
import type { Observation } from '../assert/assertion.js';
import { type ObservedResult, statusAccepted } from '../assert/verdict.js';
import { addPhase, type CheckFailureReason, type CheckPhases, noPhases, type ProbeResult } from '../prober.js';
import type { TlsOptions } from '../tls/options.js';
import { BODY_LIMIT_BYTES, BodySearch } from './body.js';
import type { Connector } from './connector.js';
import { classifyError } from './errors.js';
import { statusMatches } from './expected-status.js';
import { Hop, type HopOwner } from './hop.js';
import {
  type HopLocation,
  type HttpProbeTarget,
  type PreparedTarget,
  parseLocation,
  prepareTarget,
  quote,
  withoutCredentials,
} from './target.js';

/** Connections verified one way: the prober's own, or a target's tlsSkipVerify / caCertificate. */
export interface Lane {
  readonly agent: Agent;
  readonly connector: Connector;
  readonly clientOptions: Client.Options;
}

/** What every check of one prober shares. */
export interface ProbeContext {
  readonly agent: Agent;
  readonly connector: Connector;
  /** The lane of a target's TLS options, made on first use (keyed by skipVerify and the CA's PEM). */
  laneFor(tls: TlsOptions | null | undefined): Lane;
  /** Fresh mode: every hop gets its own Client (one connection), destroyed when the hop is over. */
  readonly fresh: boolean;
  readonly clientOptions: Client.Options;
  /** Fresh mode: the Clients of hops in progress, destroyed on close. */
  readonly clients: Set<Client>;
  readonly userAgent: string;
  /** Per origin: hops dispatched and not yet on a connection. */
  readonly waiting: Map<string, number>;
  closed: boolean;
}

const MAX_REDIRECTS = 5;
const MAX_TIMER_MS = 2 ** 31 - 1;

export function runCheck(context: ProbeContext, target: HttpProbeTarget, signal?: AbortSignal): Promise<ProbeResult> {
  const start = performance.now();
  try {
    const refusal = refuse(context, target, signal);
    if (refusal !== null) return Promise.resolve(failure(start, 'NETWORK', refusal));
    const prepared = prepareTarget(target, context.userAgent);
    if (typeof prepared === 'string') return Promise.resolve(failure(start, 'NETWORK', prepared));
    return new Promise((resolve) => {
      const check = new Check(context, target, prepared, start, resolve, signal);
      try {
        check.begin();
      } catch (err) {
        check.crash(err);
      }
    });
  } catch (err) {
    return Promise.resolve(failure(start, 'NETWORK', bugMessage(err)));
  }
}

function refuse(context: ProbeContext, target: HttpProbeTarget, signal: AbortSignal | undefined): string | null {
  if (signal?.aborted) return 'aborted';
  if (context.closed) return 'prober closed';
  const { timeoutMs } = target;
  if (!(timeoutMs > 0 && timeoutMs <= MAX_TIMER_MS)) return `invalid timeout: ${String(timeoutMs)} ms`;
  return null;
}

/** One check: its deadline, its hops (the request and each redirect), its verdict. */
class Check implements HopOwner {
  private settled = false;
  private connected = false;
  private redirects = 0;
  private status: number | null = null;
  private hop: Hop | null = null;
  /** Finished hops whose body is still read to the end, so that their connection can be reused. */
  private drains: Hop[] | null = null;
  private certificateOrigin: string | null = null;
  /** Kept only when the target asserts something. */
  private responseHeaders: Record<string, string | string[] | undefined> | null = null;
  private body: { body: Buffer; truncated: boolean } | null = null;
  private readonly phases: CheckPhases = noPhases();
  private readonly lane: Lane;
  private timer: NodeJS.Timeout | null = null;
  private location: HopLocation;
  private method: string;
  private headers: string[];

  constructor(
    private readonly context: ProbeContext,
    private readonly target: HttpProbeTarget,
    private readonly prepared: PreparedTarget,
    private readonly start: number,
    private readonly resolve: (result: ProbeResult) => void,
    private readonly signal: AbortSignal | undefined,
  ) {
    this.location = prepared.location;
    this.lane = context.laneFor(target.tls);
    this.method = target.method;
    this.headers = prepared.headers;
  }

  begin(): void {
    this.timer = setTimeout(onDeadline, this.target.timeoutMs, this);
    this.signal?.addEventListener('abort', this);
    this.dispatch();
  }

  /** The caller's signal fired. */
  handleEvent(): void {
    this.fail('NETWORK', 'aborted', false);
    this.stopDrains();
  }

  deadline(): void {
    const ms = this.target.timeoutMs;
    if (this.connected) this.fail('TIMEOUT', `timed out after ${ms} ms`, false);
    else this.fail('CONNECT_TIMEOUT', `could not connect within ${ms} ms`, false);
    this.stopDrains();
  }

  /** A bug in this module: still a result, never an exception. */
  crash(err: unknown): void {
    try {
      this.fail('NETWORK', bugMessage(err), false);
      this.stopDrains();
    } catch {
      this.resolve(failure(this.start, 'NETWORK', bugMessage(err)));
    }
  }

  private dispatch(): void {
    // A hop is not reused: undici may still call back the previous one (draining, being aborted).
    const { location } = this;
    const { context } = this;
    const client = context.fresh ? new Client(location.origin, this.lane.clientOptions) : null;
    const hop = new Hop(this, location.origin, location.https, client);
    this.hop = hop;
    this.connected = false;
    context.waiting.set(location.origin, (context.waiting.get(location.origin) ?? 0) + 1);
    if (client !== null) context.clients.add(client);
    // A connection opened for this request is opened inside dispatch: its phases are this check's.
    this.lane.connector.attribute = this.phases;
    try {
      this.send(client, location, hop);
    } finally {
      this.lane.connector.attribute = null;
    }
  }

  private send(client: Client | null, location: HopLocation, hop: Hop): void {
    const { context } = this;
    (client ?? this.lane.agent).dispatch(
      {
        origin: location.origin,
        path: location.path,
        method: this.method,
        headers: this.headers,
        reset: context.fresh,
      },
      hop,
    );
  }

  onRequestStart(hop: Hop): void {
    if (hop.waiting) this.leaveWaiting(hop, false);
    if (hop.role === 'dead') return; // given up on before it got a connection
    hop.requestAt = performance.now();
    this.connected = true;
    if (hop.https) this.certificateOrigin = hop.origin;
  }

  onResponseStart(hop: Hop, statusCode: number, headers: Record<string, string | string[] | undefined>): void {
    if (hop !== this.hop || this.settled) {
      hop.kill();
      return;
    }
    this.status = statusCode;
    hop.responseAt = performance.now();
    if (hop.requestAt > 0) addPhase(this.phases, 'firstByteMs', hop.responseAt - hop.requestAt);
    const { target, prepared } = this;
    if (prepared.observing) this.responseHeaders = headers;
    // STATUS assertions, when there are any, say which statuses are expected instead of expectedStatus.
    const expected = prepared.statusAsserted
      ? statusAccepted(prepared.assertions ?? [], statusCode)
      : statusMatches(target.expectedStatus, statusCode);
    const { location } = headers;
    if (!expected && isRedirect(statusCode) && location !== undefined) {
      this.redirect(hop, statusCode, typeof location === 'string' ? location : (location[0] ?? ''));
    } else if (!expected && !prepared.statusAsserted) {
      this.fail('HTTP_STATUS', `expected ${target.expectedStatusText}, got ${statusCode}`, true);
    } else if (prepared.readBody) {
      hop.role = 'collect';
      hop.chunks = [];
      if (prepared.needle !== null) hop.search = new BodySearch(prepared.needle);
    } else if (prepared.needle === null) {
      this.succeed();
    } else {
      hop.role = 'search';
      hop.search = new BodySearch(prepared.needle);
    }
  }

  onBody(hop: Hop, chunk: Buffer): void {
    const room = BODY_LIMIT_BYTES - hop.bytes;
    hop.bytes += chunk.length;
    const kept = room <= 0 ? null : chunk.length > room ? chunk.subarray(0, room) : chunk;
    if (hop.role === 'collect') {
      if (kept !== null) {
        hop.chunks?.push(kept);
        if (hop.search?.feed(kept)) hop.search = null; // found: nothing more to look for
      }
      if (hop.bytes > BODY_LIMIT_BYTES) this.endCollect(hop, true);
    } else if (kept !== null && hop.search?.feed(kept)) {
      this.succeed();
    } else if (hop.bytes > BODY_LIMIT_BYTES) {
      this.bodyTooLarge();
    }
  }

  onBodyEnd(): void {
    const hop = this.hop;
    if (hop !== null && hop.role === 'collect') {
      this.endCollect(hop, false);
      return;
    }
    this.fail('BODY_MISMATCH', `body does not contain ${quote(this.target.bodyContains ?? '')}`, false);
  }

  /** The body kept for assertions is complete (or 64 KiB of it): judge bodyContains on it, then settle. */
  private endCollect(hop: Hop, truncated: boolean): void {
    this.body = { body: Buffer.concat(hop.chunks ?? []), truncated };
    hop.chunks = null;
    // Nothing left to drain: the body has ended, or is cut at 64 KiB (its connection then closes).
    if (hop.search === null) this.succeed(false);
    else if (truncated) this.bodyTooLarge();
    else this.fail('BODY_MISMATCH', `body does not contain ${quote(this.target.bodyContains ?? '')}`, false);
  }

  private bodyTooLarge(): void {
    const text = quote(this.target.bodyContains ?? '');
    this.fail('BODY_TOO_LARGE', `body is larger than 64 KiB and does not contain ${text} in its first 64 KiB`, false);
  }

  onError(hop: Hop, err: unknown): void {
    if (hop.waiting) this.leaveWaiting(hop, false);
    if (hop !== this.hop || this.settled) return;
    const elapsedMs = performance.now() - this.start;
    const { reason, message } = classifyError(err, {
      host: this.location.hostname,
      connected: this.connected,
      elapsedMs,
    });
    this.fail(reason, message, false);
  }

  forget(client: Client): void {
    this.context.clients.delete(client);
  }

  drained(hop: Hop): void {
    if (this.drains === null) return;
    const index = this.drains.indexOf(hop);
    if (index !== -1) this.drains.splice(index, 1);
    if (this.settled && this.drains.length === 0) this.clearTimer();
  }

  private redirect(hop: Hop, statusCode: number, raw: string): void {
    if (this.redirects >= MAX_REDIRECTS) {
      this.fail('REDIRECT_LIMIT', `more than ${MAX_REDIRECTS} redirects`, true);
      return;
    }
    const next = parseLocation(raw, this.location.href);
    if (typeof next === 'string') {
      this.fail('NETWORK', next, true);
      return;
    }
    // Like browsers: 303 always becomes GET (except HEAD), 301/302 turn a POST into a GET.
    if ((statusCode === 303 && this.method !== 'HEAD') || (statusCode <= 302 && this.method === 'POST'))
      this.method = 'GET';
    if (next.origin !== this.location.origin) this.headers = withoutCredentials(this.headers);
    this.location = next;
    this.redirects += 1;
    this.responseHeaders = null;
    // The redirect's own body is drained in the background (still under the deadline), not waited for.
    this.release(hop, true);
    this.dispatch();
  }

  private succeed(drainable = true): void {
    const latencyMs = elapsed(this.start);
    const limit = this.target.degradedAboveMs;
    const degraded = limit !== null && latencyMs > limit;
    const message = degraded ? `slow: ${Math.round(latencyMs)} ms, above ${limit} ms` : null;
    this.settle(true, degraded, null, message, latencyMs, drainable);
  }

  private fail(reason: CheckFailureReason, message: string, drainable: boolean): void {
    this.settle(false, false, reason, message, elapsed(this.start), drainable);
  }

  private settle(
    ok: boolean,
    degraded: boolean,
    reason: CheckFailureReason | null,
    message: string | null,
    latencyMs: number,
    drainable: boolean,
  ): void {
    if (this.settled) return;
    this.settled = true;
    this.signal?.removeEventListener('abort', this);
    const hop = this.hop;
    this.hop = null;
    if (hop !== null && (hop.role === 'search' || hop.role === 'collect')) {
      addPhase(this.phases, 'transferMs', performance.now() - hop.responseAt);
    }
    if (hop !== null) this.release(hop, drainable);
    if (this.drains === null || this.drains.length === 0) this.clearTimer();
    const origin = this.certificateOrigin;
    const result: ObservedResult = {
      ok,
      degraded,
      latencyMs,
      httpStatus: this.status,
      reason,
      message,
      certificateExpiresAt: origin === null ? null : this.lane.connector.certificateExpiry(origin),
      // A copy: a connection still being set up must not change a result already given.
      phases: { ...this.phases },
    };
    if (this.prepared.observing && this.status !== null) result.observed = this.observation(this.status);
    this.resolve(result);
  }

  /** What the assertions read: the final response's status and headers, and its body when read. */
  private observation(status: number): Observation {
    const observed: Observation = { status };
    if (this.responseHeaders !== null) observed.headers = this.responseHeaders;
    if (this.body !== null) {
      observed.body = this.body.body;
      observed.bodyTruncated = this.body.truncated;
    }
    return observed;
  }

  /** Lets go of the current hop: drain its body for reuse when cheap, else close its connection. */
  private release(hop: Hop, drainable: boolean): void {
    if (hop.waiting) this.leaveWaiting(hop, true);
    if (hop.role === 'dead') return;
    if (hop.controller === null) {
      hop.kill(); // not on a connection yet: aborted as soon as undici hands it one
    } else if (drainable && !this.context.fresh && hop.bytes <= BODY_LIMIT_BYTES && hop.role !== 'waiting') {
      hop.role = 'drain';
      this.drains ??= [];
      this.drains.push(hop);
    } else {
      hop.kill();
    }
  }

  private leaveWaiting(hop: Hop, givingUp: boolean): void {
    hop.waiting = false;
    const { waiting } = this.context;
    const left = (waiting.get(hop.origin) ?? 1) - 1;
    if (left > 0) {
      waiting.set(hop.origin, left);
      return;
    }
    waiting.delete(hop.origin);
    // Nobody waits for a connection to this origin any more: stop connecting (blackholed hosts).
    if (givingUp) this.lane.connector.abandon(hop.origin);
  }

  private stopDrains(): void {
    const drains = this.drains;
    this.drains = null;
    if (drains !== null) for (const hop of drains) hop.kill();
    this.clearTimer();
  }

  private clearTimer(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }
}

function onDeadline(check: Check): void {
  try {
    check.deadline();
  } catch (err) {
    check.crash(err);
  }
}

function isRedirect(statusCode: number): boolean {
  return statusCode === 301 || statusCode === 302 || statusCode === 303 || statusCode === 307 || statusCode === 308;
}

function elapsed(start: number): number {
  return Math.round((performance.now() - start) * 1000) / 1000;
}

function failure(start: number, reason: CheckFailureReason, message: string): ProbeResult {
  return {
    ok: false,
    degraded: false,
    latencyMs: elapsed(start),
    httpStatus: null,
    reason,
    message,
    certificateExpiresAt: null,
  };
}

function bugMessage(err: unknown): string {
  return `internal error: ${err instanceof Error ? err.message : String(err)}`;
}
