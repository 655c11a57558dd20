import type { IncomingMessage, ServerResponse } from 'node:http';
import { type HeartbeatPing, PING_BODY_BYTES } from '../checks/heartbeat-ping.js';
import type { Logger } from '../logger.js';
import type { PushAnswer, PushIntake } from '../sync/push-intake.js';

export interface PushRoute {
  /** Answers the request when its path is under /push/; false otherwise. */
  handle(req: IncomingMessage, res: ServerResponse, path: string): boolean;
}

export interface PushRouteOptions {
  intake: PushIntake;
  logger: Logger;
  /** Counts each call by outcome (bounded labels). */
  onPush?: (outcome: PushAnswer | 'bad_request') => void;
}

const PUSH = /^\/push\/([0-9a-fA-F-]{36})((?:\/[^/]+){0,2})\/?$/;
const ACTION = /^(start|fail|\d{1,3})$/;
const BEARER = /^Bearer +(\S+) *$/i;
const ANSWERS: Record<PushAnswer, [number, string]> = {
  accepted: [200, 'OK\n'],
  forwarded: [200, 'OK\n'],
  paused: [200, 'OK (the service is paused: nothing recorded)\n'],
  // One answer for an unknown id and a wrong secret: neither is told apart.
  not_found: [404, 'not found\n'],
  limited: [429, 'too many pings for this service; slow down\n'],
};

/**
 * The heartbeat push endpoint, for cron jobs and scripts (no API token: the secret is the token):
 *   GET|POST /push/{id}/{secret}[/start|/fail|/{exitCode}], or the secret as `Authorization: Bearer`
 *   with /push/{id}[/start|/fail|/{exitCode}]. A POST body (first 10 KiB) is the message of a failure.
 * The secret is never logged (the access log of this route names the id only).
 */
export function createPushRoute(options: PushRouteOptions): PushRoute {
  const log = options.logger.child({ component: 'push' });

  const answer = (res: ServerResponse, status: number, body: string, head: boolean) => {
    res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
    res.end(head ? undefined : body);
  };

  const badRequest = (res: ServerResponse, message: string, head: boolean) => {
    options.onPush?.('bad_request');
    answer(res, 400, `${message}\n`, head);
  };

  const deliver = (req: IncomingMessage, res: ServerResponse, id: string, secret: string, ping: HeartbeatPing) => {
    const outcome = options.intake.push(id, secret, ping);
    options.onPush?.(outcome);
    if (outcome === 'limited') res.setHeader('retry-after', String(options.intake.retryAfterSeconds()));
    const [status, body] = ANSWERS[outcome];
    answer(res, status, body, req.method === 'HEAD');
  };

  return {
    handle(req, res, path) {
      if (!path.startsWith('/push/')) return false;
      const head = req.method === 'HEAD';
      if (req.method !== 'GET' && req.method !== 'POST' && !head) {
        res.setHeader('allow', 'GET, POST, HEAD');
        answer(res, 405, 'use GET or POST\n', head);
        return true;
      }
      const match = PUSH.exec(path);
      if (!match) {
        options.onPush?.('not_found');
        answer(res, 404, 'not found\n', head);
        return true;
      }
      const id = match[1]!.toLowerCase();
      const segments = (match[2] ?? '').split('/').filter(Boolean).map(decodeSegment);
      const bearer = BEARER.exec(req.headers.authorization ?? '')?.[1];
      // /push/{id}/{action} with a bearer token, else /push/{id}/{secret}[/{action}].
      const first = segments[0];
      const viaHeader =
        bearer !== undefined && segments.length <= 1 && (first === undefined || (first !== null && ACTION.test(first)));
      const secret = viaHeader ? bearer : segments[0];
      const action = viaHeader ? segments[0] : segments[1];
      if (secret === undefined || secret === null) {
        options.onPush?.('not_found');
        answer(res, 404, 'not found\n', head);
        return true;
      }
      if (action !== undefined && (action === null || !ACTION.test(action))) {
        badRequest(res, 'the last part of a push URL is start, fail or an exit code (0-255)', head);
        return true;
      }
      const code = action !== undefined && /^\d+$/.test(action) ? Number(action) : null;
      if (code !== null && code > 255) {
        badRequest(res, 'an exit code is 0-255', head);
        return true;
      }
      const wantsBody = req.method === 'POST' && (action === 'fail' || (code !== null && code !== 0));
      if (!wantsBody) {
        req.resume();
        deliver(req, res, id, secret, pingOf(action, code, null));
        return true;
      }
      readBody(req)
        .then((body) => deliver(req, res, id, secret, pingOf(action, code, body)))
        .catch((err: unknown) => {
          log.warn({ err, serviceId: id }, 'push body could not be read');
          if (!res.headersSent) answer(res, 400, 'the body could not be read\n', false);
        });
      return true;
    },
  };
}

function pingOf(action: string | undefined, code: number | null, body: string | null): HeartbeatPing {
  if (action === undefined) return { kind: 'success' };
  if (action === 'start') return { kind: 'start' };
  if (action === 'fail') return { kind: 'fail', body };
  return { kind: 'exit', code: code ?? 0, body };
}

/** A path segment decoded; null when it is not valid percent-encoding. */
function decodeSegment(segment: string): string | null {
  try {
    return decodeURIComponent(segment);
  } catch {
    return null;
  }
}

/** The first 10 KiB of the body as text (the rest is read and dropped, so the connection stays usable). */
function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let kept = 0;
    req.on('data', (chunk: Buffer) => {
      if (kept >= PING_BODY_BYTES) return;
      const part = chunk.subarray(0, PING_BODY_BYTES - kept);
      chunks.push(part);
      kept += part.length;
    });
    req.on('end', () => resolve(new TextDecoder('utf-8', { fatal: false }).decode(Buffer.concat(chunks))));
    req.on('error', reject);
  });
}
