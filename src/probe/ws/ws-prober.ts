import net from 'node:net';
import tls from 'node:tls';
import WebSocket from 'ws';
import { asserts } from '../assert/assertion.js';
import { quote } from '../http/target.js';
import { CheckFailure, type CheckRun } from '../net/check-run.js';
import { hostAndPort, type NetOptions, resolveAllowed } from '../net/connect.js';
import { netProber } from '../net/net-prober.js';
import { pinnedLookup } from '../net/pinned-lookup.js';
import { PEER_READ_LIMIT_BYTES } from '../net/read-until.js';
import { timeSocket } from '../net/socket-phases.js';
import { addPhase, type Prober } from '../prober.js';
import type { ProbeTarget } from '../target.js';

/**
 * ws:// and wss:// — the upgrade must succeed; with `tcp.send` that text is sent as the first
 * message, with `tcp.expect` it must appear in what the server sends (first 64 KiB). A BODY
 * assertion reads the messages up to `tcp.expect`, or else the first one.
 */
export function createWsProber(options: NetOptions): Prober<ProbeTarget> {
  return netProber(async (target, run, reached) => {
    const secure = target.url.toLowerCase().startsWith('wss:');
    const address = hostAndPort(target.url, secure ? 443 : 80);
    reached(address.host);
    const resolved = await resolveAllowed(address.host, options, run);
    const socket = new WebSocket(target.url, {
      lookup: pinnedLookup(resolved),
      handshakeTimeout: run.timeoutMs,
      followRedirects: false,
      perMessageDeflate: false,
      ...(secure ? tlsOptions(target) : {}),
      // ws's own connect (its servername rule included), timed: connect, TLS; the upgrade is firstByteMs.
      createConnection: ((connectOptions: tls.ConnectionOptions & net.NetConnectOpts) => {
        const raw = secure
          ? tls.connect({
              ...connectOptions,
              path: undefined,
              servername:
                connectOptions.servername ?? (net.isIP(String(connectOptions.host)) ? '' : connectOptions.host),
            })
          : net.connect(connectOptions);
        timeSocket(raw, run.phases);
        raw.once(secure ? 'secureConnect' : 'connect', () => {
          upgradeAsked = performance.now();
        });
        return raw;
      }) as unknown as typeof net.connect,
    });
    run.defer(() => socket.terminate());
    socket.on('error', () => {});
    const { send, expect } = target.tcp ?? { send: null, expect: null };
    // Listening before the upgrade completes: a greeting can arrive in the same packet as the 101.
    const messages = expect !== null || asserts(target.assertions, 'BODY') ? firstMessages(socket, expect) : null;
    messages?.catch(() => {});
    let upgradeAsked: number | null = null;
    await opened(socket, run);
    if (upgradeAsked !== null) addPhase(run.phases, 'firstByteMs', performance.now() - upgradeAsked);
    run.stage = 'connected';
    if (send !== null) socket.send(send);
    if (messages !== null) {
      const received = await messages;
      if (run.observing) run.observed.body = Buffer.from(received, 'utf8');
    }
    return { httpStatus: 101 };
  });
}

function tlsOptions(target: ProbeTarget) {
  const ca = target.tls?.caCertificate;
  return {
    rejectUnauthorized: !(target.tls?.skipVerify ?? false),
    ...(ca ? { ca: [...tls.rootCertificates, ca] } : {}),
  };
}

function opened(socket: WebSocket, run: CheckRun): Promise<void> {
  return new Promise((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
    socket.once('unexpected-response', (_request, response) => {
      reject(new CheckFailure('PROTOCOL', `the upgrade was refused: HTTP ${response.statusCode}`));
      response.resume();
    });
    run.signal.addEventListener('abort', () => reject(new CheckFailure('NETWORK', 'aborted')), { once: true });
  });
}

/** Messages until `expect` appears (first 64 KiB); with no `expect`, the first message. */
function firstMessages(socket: WebSocket, expect: string | null): Promise<string> {
  return new Promise((resolve, reject) => {
    let received = '';
    socket.on('message', (data: WebSocket.RawData) => {
      const text = Buffer.isBuffer(data) ? data.toString('utf8') : Buffer.concat(data as Buffer[]).toString('utf8');
      received = (received + text).slice(0, PEER_READ_LIMIT_BYTES);
      if (expect === null || received.includes(expect)) resolve(received);
      else if (received.length >= PEER_READ_LIMIT_BYTES) {
        reject(
          new CheckFailure('BODY_MISMATCH', `expected ${quote(expect)} in the first 64 KiB, got ${quote(received)}`),
        );
      }
    });
    socket.once('close', () => {
      if (expect === null) return resolve(received);
      const got = received === '' ? 'nothing' : quote(received);
      reject(new CheckFailure('BODY_MISMATCH', `expected ${quote(expect)} before the server closed, got ${got}`));
    });
  });
}
