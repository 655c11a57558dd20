import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import dns from 'node:dns';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import http, { type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import net, { type LookupFunction, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

/**
 * Controllable HTTP(S) targets on 127.0.0.1 for tests: real servers on port 0, one route per
 * behaviour a health check must handle. Routes (query parameters in brackets):
 *   /ok                      200 "ok"
 *   /status/<code>           that status, body "status <code>"
 *   /slow[?ms=2000]          headers only after `ms`
 *   /never                   reads the request, never answers
 *   /drip[?ms=1000]          200 at once, then a body of one "." every `ms`, never ending
 *   /big[?mb=10]             200 with `mb` MiB of "x" (Content-Length set)
 *   /marker, /no-marker      200 with a body that contains MARKER, or does not
 *   /redirect?to=<url>[&status=302]   a redirect to `to` (relative or absolute)
 *   /loop                    302 to itself, forever
 *   /echo                    200, body = JSON of the request's method and headers
 *   /reset                   the connection is destroyed without an answer
 *   anything else            404
 * and any path given to `respondWith(path, status)` answers that status until told otherwise
 * (tests that flip a service between up and down use /switch/<name>).
 */
export const MARKER = 'all-systems-go';
/** The name in the TLS targets' certificates; resolve it with `lookupVia({ [TLS_HOSTNAME]: '127.0.0.1' })`. */
export const TLS_HOSTNAME = 'target.test';

export interface Target {
  readonly port: number;
  /** e.g. http://127.0.0.1:40123, or https://target.test:40123 for a TLS target. */
  readonly origin: string;
  url(path: string): string;
  /** Requests received for `pathname` (query ignored) since the start or `resetHits()`. */
  hits(pathname: string): number;
  /** When each of those requests arrived (Date.now()), in order. */
  hitTimes(pathname: string): readonly number[];
  /** Method and headers of the latest request for `pathname`. */
  lastRequest(pathname: string): { method: string; headers: IncomingHttpHeaders } | undefined;
  resetHits(): void;
  /** From now on, answer `pathname` (any query) with `status` and `body` (default "status <code>"). */
  respondWith(pathname: string, status: number, body?: string): void;
  /** From now on, never answer `pathname`: each request stays open until the client gives up. */
  hang(pathname: string): void;
  /** TCP connections accepted so far. */
  connections(): number;
  /** TCP connections open right now. */
  openConnections(): number;
  close(): Promise<void>;
}

export type TlsMode = 'trusted' | 'self-signed' | 'expired';

export interface TlsTarget extends Target {
  /** PEM of the CA that signed the 'trusted' and 'expired' certificates. */
  readonly ca: string;
  /** notAfter of the certificate served. */
  readonly certificateExpiresAt: Date;
}

export interface TargetOptions {
  /** Address to listen on; any 127.x.y.z works on Linux (default 127.0.0.1). */
  host?: string;
  /** Port to listen on (default 0: any free one). */
  port?: number;
}

export async function startTarget(options: TargetOptions = {}): Promise<Target> {
  const routes = new Routes();
  const server = http.createServer((req, res) => routes.handle(req, res));
  const host = options.host ?? '127.0.0.1';
  return listen(server, routes, { host, port: options.port ?? 0 }, (port) => `http://${host}:${port}`);
}

export async function startTlsTarget(mode: TlsMode, options: TargetOptions = {}): Promise<TlsTarget> {
  const certificates = await testCertificates();
  const pair = certificates[mode];
  const routes = new Routes();
  const server = https.createServer({ key: pair.key, cert: pair.cert }, (req, res) => routes.handle(req, res));
  const address = { host: options.host ?? '127.0.0.1', port: options.port ?? 0 };
  const target = await listen(server, routes, address, (port) => `https://${TLS_HOSTNAME}:${port}`);
  return { ...target, ca: certificates.ca, certificateExpiresAt: pair.notAfter };
}

/** Accepts TCP connections and never sends a byte (neither HTTP nor a TLS handshake). */
export async function startSilentServer(): Promise<Target> {
  // Reads and discards, so that a connection the client closes is seen closing here.
  const server = net.createServer((socket) => socket.on('error', () => {}).resume());
  return listen(server, new Routes(), { host: '127.0.0.1', port: 0 }, (port) => `http://127.0.0.1:${port}`);
}

/** A port on 127.0.0.1 with nothing listening (it was free a moment ago). */
export async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A node:net-style lookup answering names of `table` itself and passing others to dns.lookup. */
export function lookupVia(table: Readonly<Record<string, string>>): LookupFunction {
  return (hostname, options, callback) => {
    const address = table[hostname];
    if (address === undefined) {
      dns.lookup(hostname, options, callback);
      return;
    }
    const family = net.isIP(address);
    if (options.all) process.nextTick(callback, null, [{ address, family }]);
    else process.nextTick(callback, null, address, family);
  };
}

class Routes {
  readonly sockets = new Set<Socket>();
  readonly timers = new Set<NodeJS.Timeout>();
  readonly hitCounts = new Map<string, number>();
  readonly hitTimes = new Map<string, number[]>();
  readonly last = new Map<string, { method: string; headers: IncomingHttpHeaders }>();
  readonly fixed = new Map<string, { status: number; body: string } | 'hang'>();
  accepted = 0;

  handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://target');
    const path = url.pathname;
    this.hitCounts.set(path, (this.hitCounts.get(path) ?? 0) + 1);
    let times = this.hitTimes.get(path);
    if (!times) {
      times = [];
      this.hitTimes.set(path, times);
    }
    times.push(Date.now());
    this.last.set(path, { method: req.method ?? '', headers: req.headers });
    const number = (name: string, fallback: number) => Number(url.searchParams.get(name) ?? fallback);
    req.resume();

    const fixed = this.fixed.get(path);
    if (fixed === 'hang') return;
    if (fixed !== undefined) {
      res.statusCode = fixed.status;
      return void res.end(fixed.body);
    }
    if (path === '/ok') return void res.end('ok');
    if (path.startsWith('/status/')) {
      const code = Number(path.slice('/status/'.length));
      res.statusCode = code;
      return void res.end(`status ${code}`);
    }
    if (path === '/slow') return void this.later(number('ms', 2_000), () => res.end('ok'));
    if (path === '/never') return;
    if (path === '/drip') return void this.drip(res, number('ms', 1_000));
    if (path === '/big') return void this.big(res, number('mb', 10) * 1024 * 1024);
    if (path === '/marker') return void res.end(`status: ${MARKER}\n`);
    if (path === '/no-marker') return void res.end('status: degraded\n');
    if (path === '/redirect') return void redirect(res, url.searchParams.get('to') ?? '/ok', number('status', 302));
    if (path === '/loop') return void redirect(res, '/loop', 302);
    if (path === '/echo') return void res.end(JSON.stringify({ method: req.method, headers: req.headers }));
    if (path === '/reset') return void req.socket.destroy();
    res.statusCode = 404;
    res.end('not found');
  }

  later(ms: number, action: () => void): NodeJS.Timeout {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      action();
    }, ms);
    this.timers.add(timer);
    return timer;
  }

  private drip(res: ServerResponse, everyMs: number): void {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.flushHeaders();
    const timer = setInterval(() => res.write('.'), everyMs);
    this.timers.add(timer);
    res.on('close', () => {
      clearInterval(timer);
      this.timers.delete(timer);
    });
  }

  private big(res: ServerResponse, bytes: number): void {
    const chunk = Buffer.alloc(64 * 1024, 'x');
    res.writeHead(200, { 'content-type': 'text/plain', 'content-length': bytes });
    let left = bytes;
    const pump = () => {
      while (left > 0 && !res.destroyed) {
        const piece = left >= chunk.length ? chunk : chunk.subarray(0, left);
        left -= piece.length;
        if (!res.write(piece)) return void res.once('drain', pump);
      }
      if (left === 0) res.end();
    };
    pump();
  }
}

function redirect(res: ServerResponse, location: string, status: number): void {
  res.writeHead(status, { location });
  res.end();
}

async function listen(
  server: Server,
  routes: Routes,
  address: { host: string; port: number },
  origin: (port: number) => string,
): Promise<Target> {
  server.on('connection', (socket: Socket) => {
    routes.accepted += 1;
    routes.sockets.add(socket);
    socket.on('close', () => routes.sockets.delete(socket));
  });
  // TLS handshakes that fail (the client refuses the certificate) are expected here.
  server.on('tlsClientError', () => {});
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(address.port, address.host, () => resolve());
  });
  const { port } = server.address() as net.AddressInfo;
  const base = origin(port);
  let closing: Promise<void> | null = null;
  return {
    port,
    origin: base,
    url: (path) => `${base}${path}`,
    hits: (pathname) => routes.hitCounts.get(pathname) ?? 0,
    hitTimes: (pathname) => routes.hitTimes.get(pathname) ?? [],
    lastRequest: (pathname) => routes.last.get(pathname),
    resetHits: () => {
      routes.hitCounts.clear();
      routes.hitTimes.clear();
    },
    respondWith: (pathname, status, body = `status ${status}`) => void routes.fixed.set(pathname, { status, body }),
    hang: (pathname) => void routes.fixed.set(pathname, 'hang'),
    connections: () => routes.accepted,
    openConnections: () => routes.sockets.size,
    close() {
      closing ??= new Promise<void>((resolve) => {
        for (const timer of routes.timers) clearTimeout(timer);
        routes.timers.clear();
        server.close(() => resolve());
        for (const socket of routes.sockets) socket.destroy();
      });
      return closing;
    },
  };
}

interface KeyPair {
  key: string;
  cert: string;
  notAfter: Date;
}

interface TestCertificates {
  ca: string;
  trusted: KeyPair;
  'self-signed': KeyPair;
  expired: KeyPair;
}

let certificates: Promise<TestCertificates> | null = null;

/**
 * Keys and certificates made with the openssl CLI, once per test process, never committed:
 * a CA; a leaf for TLS_HOSTNAME signed by it (valid for two days); the same leaf with a
 * validity in 2020 (`openssl ca -startdate/-enddate`, since `req -x509 -days` cannot go back in
 * time); and a self-signed certificate for TLS_HOSTNAME and 127.0.0.1.
 */
export function testCertificates(): Promise<TestCertificates> {
  certificates ??= generateCertificates();
  return certificates;
}

const run = promisify(execFile);
const EC_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

async function generateCertificates(): Promise<TestCertificates> {
  const dir = await mkdtemp(join(tmpdir(), 'statuschecker-certs-'));
  const openssl = (...args: string[]) => run('openssl', args, { cwd: dir });
  try {
    await openssl(
      'req',
      '-x509',
      ...EC_KEY,
      '-keyout',
      'ca.key',
      '-out',
      'ca.crt',
      '-days',
      '2',
      '-subj',
      '/CN=statuschecker test CA',
    );
    await openssl(
      'req',
      '-new',
      ...EC_KEY,
      '-keyout',
      'leaf.key',
      '-out',
      'leaf.csr',
      '-subj',
      `/CN=${TLS_HOSTNAME}`,
      '-addext',
      `subjectAltName=DNS:${TLS_HOSTNAME}`,
    );
    await openssl(
      'x509',
      '-req',
      '-in',
      'leaf.csr',
      '-CA',
      'ca.crt',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-days',
      '2',
      '-copy_extensions',
      'copy',
      '-out',
      'trusted.crt',
    );
    await writeFile(join(dir, 'index.txt'), '');
    await writeFile(join(dir, 'serial'), '1000\n');
    await writeFile(join(dir, 'ca.cnf'), CA_CONFIG);
    await openssl(
      'ca',
      '-batch',
      '-config',
      'ca.cnf',
      '-cert',
      'ca.crt',
      '-keyfile',
      'ca.key',
      '-in',
      'leaf.csr',
      '-out',
      'expired.crt',
      '-startdate',
      '200101000000Z',
      '-enddate',
      '200102000000Z',
      '-notext',
    );
    await openssl(
      'req',
      '-x509',
      ...EC_KEY,
      '-keyout',
      'self.key',
      '-out',
      'self.crt',
      '-days',
      '2',
      '-subj',
      `/CN=${TLS_HOSTNAME}`,
      '-addext',
      `subjectAltName=DNS:${TLS_HOSTNAME},IP:127.0.0.1`,
    );
    const read = (name: string) => readFile(join(dir, name), 'utf8');
    const pair = async (key: string, cert: string): Promise<KeyPair> => {
      const pem = await read(cert);
      return { key: await read(key), cert: pem, notAfter: new Date(new X509Certificate(pem).validTo) };
    };
    return {
      ca: await read('ca.crt'),
      trusted: await pair('leaf.key', 'trusted.crt'),
      expired: await pair('leaf.key', 'expired.crt'),
      'self-signed': await pair('self.key', 'self.crt'),
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const CA_CONFIG = `[ ca ]
default_ca = test_ca
[ test_ca ]
database = index.txt
new_certs_dir = .
serial = serial
default_md = sha256
policy = any_name
unique_subject = no
copy_extensions = copy
[ any_name ]
commonName = supplied
`;
