import net from 'node:net';
import tls from 'node:tls';
import * as grpc from '@grpc/grpc-js';
import { service as healthService } from 'grpc-health-check';
import { asserts } from '../assert/assertion.js';
import { CheckFailure, type CheckRun } from '../net/check-run.js';
import { classifyNetError, hostAndPort, type NetOptions, resolveAllowed } from '../net/connect.js';
import { netProber } from '../net/net-prober.js';
import { addPhase, type Prober } from '../prober.js';
import type { ProbeTarget } from '../target.js';

const HealthClient = grpc.makeGenericClientConstructor(healthService, 'Health');

interface HealthResponse {
  status?: string;
}

/**
 * grpc://host:port[/service] and grpcs:// — the standard grpc.health.v1.Health/Check, one fresh
 * channel per check to the address the target policy allowed (authority and TLS name stay the
 * url's host). SERVING passes; any other status is GRPC_STATUS.
 */
export function createGrpcProber(options: NetOptions): Prober<ProbeTarget> {
  return netProber(async (target, run, reached) => {
    const url = new URL(target.url);
    const address = hostAndPort(target.url);
    reached(address.host);
    const secure = url.protocol === 'grpcs:';
    const serviceName = decodeURIComponent(url.pathname.replace(/^\//, ''));
    const resolved = await resolveAllowed(address.host, options, run);
    const literal = resolved.family === 6 ? `[${resolved.address}]` : resolved.address;
    const client = new HealthClient(`${literal}:${address.port}`, credentials(secure, target), {
      'grpc.default_authority': `${address.host.includes(':') ? `[${address.host}]` : address.host}:${address.port}`,
      ...(secure && net.isIP(address.host) === 0 ? { 'grpc.ssl_target_name_override': address.host } : {}),
      // One check, one connection: no retries, no reconnect backoff carried between checks.
      'grpc.enable_retries': 0,
      'grpc.max_reconnect_backoff_ms': 1_000,
    });
    run.defer(() => client.close());
    const ready = watchReady(client, run);
    const response = await check(client, serviceName, run);
    // The call is queued until the channel is READY: the answer's time counts from then.
    if (ready.at !== null) addPhase(run.phases, 'firstByteMs', performance.now() - ready.at);
    const status = response.status ?? 'UNKNOWN';
    const what = serviceName === '' ? 'the server' : `service ${JSON.stringify(serviceName)}`;
    if (run.observing) run.observed.status = status;
    // A STATUS assertion says which serving status is expected instead.
    if (status !== 'SERVING' && !asserts(target.assertions, 'STATUS')) {
      throw new CheckFailure('GRPC_STATUS', `${what} is ${status}`);
    }
    if (status !== 'SERVING') return { message: `${what} is ${status}` };
    return { message: `${what} is SERVING` };
  }, classify);
}

function credentials(secure: boolean, target: ProbeTarget): grpc.ChannelCredentials {
  if (!secure) return grpc.credentials.createInsecure();
  const ca = target.tls?.caCertificate;
  const roots = ca ? Buffer.from([...tls.rootCertificates, ca].join('\n')) : null;
  return grpc.credentials.createSsl(roots, null, null, {
    rejectUnauthorized: !(target.tls?.skipVerify ?? false),
    ...(target.tls?.skipVerify ? { checkServerIdentity: () => undefined } : {}),
  });
}

/**
 * Marks the run connected once the channel is READY, so that a deadline then is a TIMEOUT, and
 * times it as connectMs: grpc-js hides its socket, so this is TCP, TLS and the HTTP/2 settings together.
 */
function watchReady(client: grpc.Client, run: CheckRun): { at: number | null } {
  const channel = client.getChannel();
  const started = performance.now();
  const ready: { at: number | null } = { at: null };
  const watch = (state: grpc.connectivityState) => {
    if (run.signal.aborted) return;
    if (state === grpc.connectivityState.READY) {
      ready.at = performance.now();
      addPhase(run.phases, 'connectMs', ready.at - started);
      run.stage = 'connected';
      return;
    }
    channel.watchConnectivityState(state, Date.now() + run.timeoutMs, () => watch(channel.getConnectivityState(false)));
  };
  watch(channel.getConnectivityState(true));
  return ready;
}

function check(client: grpc.Client, service: string, run: CheckRun): Promise<HealthResponse> {
  return new Promise((resolve, reject) => {
    const call = (client as unknown as Record<string, grpc.requestCallback<HealthResponse> | unknown>).Check as (
      request: { service: string },
      options: grpc.CallOptions,
      callback: grpc.requestCallback<HealthResponse>,
    ) => grpc.ClientUnaryCall;
    const pending = call.call(client, { service }, { deadline: Date.now() + run.timeoutMs }, (err, response) => {
      if (err) reject(err);
      else resolve(response ?? {});
    });
    run.signal.addEventListener('abort', () => pending.cancel(), { once: true });
  });
}

/** A gRPC status (or a network error) as a reason and a message. */
function classify(err: unknown, host: string, run: CheckRun): CheckFailure {
  const status = err as Partial<grpc.ServiceError>;
  if (typeof status.code !== 'number') return classifyNetError(err, host, run);
  const details = status.details ?? '';
  switch (status.code) {
    case grpc.status.NOT_FOUND:
      return new CheckFailure('GRPC_STATUS', `unknown service (NOT_FOUND: ${details || 'no such service'})`);
    case grpc.status.UNIMPLEMENTED:
      return new CheckFailure('PROTOCOL', 'the server does not implement grpc.health.v1.Health');
    case grpc.status.DEADLINE_EXCEEDED:
      return run.stage === 'connected'
        ? new CheckFailure('TIMEOUT', `timed out after ${run.timeoutMs} ms`)
        : new CheckFailure('CONNECT_TIMEOUT', `could not connect within ${run.timeoutMs} ms`);
    case grpc.status.UNAVAILABLE:
      return unavailable(details, host, run);
    default:
      return new CheckFailure(
        run.stage === 'connected' ? 'PROTOCOL' : 'GRPC_STATUS',
        `${grpc.status[status.code] ?? status.code}: ${details}`.slice(0, 300),
      );
  }
}

function unavailable(details: string, host: string, run: CheckRun): CheckFailure {
  if (/ECONNREFUSED/.test(details)) return new CheckFailure('CONNECT_REFUSED', 'connection refused');
  if (/certificate|self[- ]signed|SSL|TLS|altnames/i.test(details)) {
    const codes =
      /(CERT_HAS_EXPIRED|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_VERIFY_LEAF_SIGNATURE|ERR_TLS_CERT_ALTNAME_INVALID)/.exec(
        details,
      );
    const failure = classifyNetError({ code: codes?.[1] ?? 'ERR_TLS_HANDSHAKE' }, host, run);
    return failure.reason === 'TLS' ? failure : new CheckFailure('TLS', `TLS failed: ${details.slice(0, 200)}`);
  }
  if (/Protocol error|Received HTTP status|HTTP2|http2|parse|Unexpected|frame|GOAWAY/i.test(details)) {
    return new CheckFailure('PROTOCOL', `not a gRPC server (${details.slice(0, 200)})`);
  }
  return new CheckFailure('NETWORK', `unavailable: ${details.slice(0, 200)}`);
}
