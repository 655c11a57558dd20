/**
 * The load process of bench:fanout (bench/fanout.ts forks it): N WebSocket clients in one Node
 * process, speaking graphql-transport-ws directly over the raw `ws` package (connection_init,
 * subscribe, next; pong to a protocol ping), no graphql-ws client objects. Each client subscribes
 * with the same document. For every `next` it records Date.now() minus the event's `at` field,
 * found by scanning the frame for `"at":"` (or, with parse=json, by JSON.parse of the frame).
 *
 * Messages from the parent: connect, close. Messages to the parent: progress, connected (with every
 * failure), event (when every open subscriber received one event, with its latencies), broken
 * (a subscriber closed or got an error after connecting), closed.
 */
import { performance } from 'node:perf_hooks';
import { WebSocket } from 'ws';

export type ParseMode = 'scan' | 'json';

export interface ConnectCommand {
  type: 'connect';
  url: string;
  count: number;
  batch: number;
  query: string;
  parse: ParseMode;
  /** A connection that is not acknowledged within this is a failure. */
  timeoutMs: number;
}

export interface ConnectFailure {
  index: number;
  reason: string;
}

export interface EventReport {
  type: 'event';
  at: string;
  current: string;
  /** Subscribers that received it, and the open subscribers when it completed. */
  received: number;
  open: number;
  /** Date.now() at delivery minus `at`, ms, one per subscriber, in arrival order. */
  latencies: number[];
  /** This process's user+sys CPU from the first to the last delivery, ms. */
  loadCpuMs: number;
  /** Wall time from the first to the last delivery, ms. */
  spreadMs: number;
  /** Event-loop utilisation of this process over the same span (1 = never idle: it may be the bottleneck). */
  loadElu: number;
  /**
   * WebSocket pings (the server's keep-alive sweep) received between the publish and the last
   * delivery: the server answered them, and read their pongs, while it was fanning out.
   */
  pings: number;
  /** Keep-alive pings received since connecting, over all subscribers. */
  pingsTotal: number;
  /** Whether it completed (every open subscriber got it) or was reported on request before that. */
  complete: boolean;
}

export type LoadMessage =
  | { type: 'progress'; opened: number; failed: number }
  | { type: 'connected'; opened: number; failures: ConnectFailure[]; ms: number; rssBytes: number }
  | EventReport
  | { type: 'broken'; index: number; reason: string }
  | { type: 'closed' };

type Command = ConnectCommand | { type: 'report-pending' } | { type: 'close' };

const send = (message: LoadMessage) => process.send?.(message);

const INIT = JSON.stringify({ type: 'connection_init', payload: {} });
const PONG = JSON.stringify({ type: 'pong' });
const AT_KEY = Buffer.from('"at":"');
const CURRENT_KEY = Buffer.from('"current":"');
const TYPE_NEXT = Buffer.from('"type":"next"');
const ISO_LENGTH = '2026-11-28T13:30:00.000Z'.length;

interface Pending {
  at: string;
  current: string;
  latencies: Float64Array;
  received: number;
  firstCpu: NodeJS.CpuUsage;
  firstElu: ReturnType<typeof performance.eventLoopUtilization>;
  firstWall: number;
  /** performance.now() of the publish, from the first delivery's latency. */
  publishWall: number;
  lastWall: number;
}

const sockets: WebSocket[] = [];
let open = 0;
/** Set once the parent asked to close: closes are then expected, not reported. */
let closing = false;
const pending = new Map<string, Pending>();
/** performance.now() of every keep-alive ping received (at most one per socket every 12 s). */
const pingTimes: number[] = [];

function record(at: string, current: string, now: number): void {
  let event = pending.get(at);
  if (!event) {
    const wall = performance.now();
    event = {
      at,
      current,
      latencies: new Float64Array(Math.max(open, sockets.length)),
      received: 0,
      firstCpu: process.cpuUsage(),
      firstElu: performance.eventLoopUtilization(),
      firstWall: wall,
      publishWall: wall - (now - Date.parse(at)),
      lastWall: 0,
    };
    pending.set(at, event);
  }
  const latency = now - Date.parse(at);
  if (event.received < event.latencies.length) event.latencies[event.received] = latency;
  event.received++;
  event.lastWall = performance.now();
  if (event.received >= open) report(event, true);
}

function report(event: Pending, complete: boolean): void {
  pending.delete(event.at);
  const cpu = process.cpuUsage(event.firstCpu);
  let pings = 0;
  for (let i = pingTimes.length - 1; i >= 0 && pingTimes[i]! >= event.publishWall; i--)
    if (pingTimes[i]! <= event.lastWall) pings++;
  send({
    type: 'event',
    at: event.at,
    current: event.current,
    received: event.received,
    open,
    latencies: Array.from(event.latencies.subarray(0, Math.min(event.received, event.latencies.length))),
    loadCpuMs: (cpu.user + cpu.system) / 1000,
    spreadMs: event.lastWall - event.firstWall,
    loadElu: performance.eventLoopUtilization(event.firstElu).utilization,
    pings,
    pingsTotal: pingTimes.length,
    complete,
  });
}

/** `next` frames: the `at` (and `current`) strings, by scanning the bytes or by JSON.parse. */
function onNext(data: Buffer, parse: ParseMode, now: number): void {
  if (parse === 'json') {
    const message = JSON.parse(data.toString()) as {
      payload?: { data?: { statusChanged?: { at: string; current: string } } };
    };
    const event = message.payload?.data?.statusChanged;
    if (!event) throw new Error(`unexpected next: ${data.toString().slice(0, 200)}`);
    record(event.at, event.current, now);
    return;
  }
  const at = data.indexOf(AT_KEY);
  if (at < 0) throw new Error(`no "at" in: ${data.toString().slice(0, 200)}`);
  const start = at + AT_KEY.length;
  const c = data.indexOf(CURRENT_KEY);
  const cStart = c + CURRENT_KEY.length;
  const current = c < 0 ? '?' : data.toString('latin1', cStart, data.indexOf(34 /* " */, cStart));
  record(data.toString('latin1', start, start + ISO_LENGTH), current, now);
}

function openOne(index: number, cmd: ConnectCommand): Promise<string | null> {
  return new Promise((resolve) => {
    let acked = false;
    let settled = false;
    const settle = (failure: string | null) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(failure);
    };
    const socket = new WebSocket(cmd.url, 'graphql-transport-ws', {
      perMessageDeflate: false,
      handshakeTimeout: cmd.timeoutMs,
    });
    sockets[index] = socket;
    const timer = setTimeout(() => {
      settle(`no connection_ack within ${cmd.timeoutMs} ms`);
      socket.terminate();
    }, cmd.timeoutMs);
    const subscribe = JSON.stringify({ id: '1', type: 'subscribe', payload: { query: cmd.query } });

    socket.on('open', () => socket.send(INIT));
    socket.on('ping', () => pingTimes.push(performance.now()));
    socket.on('message', (data: Buffer) => {
      const now = Date.now();
      if (acked && data.includes(TYPE_NEXT)) {
        try {
          onNext(data, cmd.parse, now);
        } catch (err) {
          send({ type: 'broken', index, reason: (err as Error).message });
        }
        return;
      }
      const text = data.toString();
      const message = JSON.parse(text) as { type: string };
      if (message.type === 'connection_ack' && !acked) {
        acked = true;
        open++;
        socket.send(subscribe);
        settle(null);
      } else if (message.type === 'ping') {
        socket.send(PONG);
      } else if (message.type === 'error' || message.type === 'complete') {
        send({ type: 'broken', index, reason: `subscription ${message.type}: ${text.slice(0, 300)}` });
      }
    });
    socket.on('unexpected-response', (_req, res) => {
      settle(`HTTP ${res.statusCode} instead of an upgrade`);
      socket.terminate();
    });
    socket.on('error', (err) => {
      if (!acked) settle(`error: ${err.message}`);
      else send({ type: 'broken', index, reason: `error: ${err.message}` });
    });
    socket.on('close', (code, reason) => {
      if (acked) {
        open--;
        if (!closing) send({ type: 'broken', index, reason: `closed ${code} ${String(reason)}` });
      } else settle(`closed ${code} ${String(reason)} before connection_ack`);
    });
  });
}

async function connect(cmd: ConnectCommand): Promise<void> {
  const started = performance.now();
  const failures: ConnectFailure[] = [];
  for (let from = 0; from < cmd.count; from += cmd.batch) {
    const to = Math.min(cmd.count, from + cmd.batch);
    const results = await Promise.all(Array.from({ length: to - from }, (_, i) => openOne(from + i, cmd)));
    results.forEach((reason, i) => {
      if (reason !== null) failures.push({ index: from + i, reason });
    });
    send({ type: 'progress', opened: open, failed: failures.length });
  }
  send({
    type: 'connected',
    opened: open,
    failures,
    ms: performance.now() - started,
    rssBytes: process.memoryUsage().rss,
  });
}

process.on('message', (cmd: Command) => {
  if (cmd.type === 'connect') {
    connect(cmd).catch((err: unknown) => {
      console.error(err);
      process.exit(1);
    });
  } else if (cmd.type === 'report-pending') {
    for (const event of [...pending.values()]) report(event, false);
  } else if (cmd.type === 'close') {
    closing = true;
    for (const socket of sockets) socket?.terminate();
    send({ type: 'closed' });
    setTimeout(() => process.exit(0), 100);
  }
});
process.on('disconnect', () => process.exit(0));
